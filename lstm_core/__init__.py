"""lstm_core: a small, verified numpy LSTM with full backpropagation through time.

Modules (each reads in one sitting):

- ``params``: ``LSTMParams`` (the article's twelve arrays), ``RNNParams``, ``GATES``.
- ``convert``: weights from and to PyTorch, CS231n, Keras, deeplearning.ai, Karpathy's lstm.py
  (also as ``LSTMParams.from_torch``, ``.to_torch``, ``.from_cs231n``, ...).
- ``activations``: sigmoid, tanh and their derivatives from outputs.
- ``lstm``: ``lstm_step_forward/backward``, ``lstm_forward/backward`` (full or truncated BPTT).
- ``rnn``: ``rnn_forward/backward``, the vanilla RNN.
- ``losses``: ``mse_loss``, ``softmax_cross_entropy``, each returning (loss, gradient).
- ``readout``: the affine output layer.
- ``gradcheck``: centred differences, relative error, per-tensor reports.
- ``optim``: SGD, Adam, clipping by global norm.
- ``data``: sequence tasks and the shipped text.
- ``plotting``: palette and shared plotting helpers; lesson-specific figures live in ``plots_*``.
"""

from lstm_core.activations import sigmoid, sigmoid_grad_from_output, tanh, tanh_grad_from_output
from lstm_core.gradcheck import (
    CheckRow,
    check_gradients,
    check_lstm,
    format_report,
    numerical_gradient,
    relative_error,
)
from lstm_core.losses import mse_loss, softmax, softmax_cross_entropy
from lstm_core.lstm import lstm_backward, lstm_forward, lstm_step_backward, lstm_step_forward
from lstm_core.optim import adam_init, adam_step, clip_grad_norm, global_norm, sgd_step
from lstm_core.params import GATES, PARAM_NAMES, LSTMParams, RNNParams
from lstm_core.readout import init_readout, readout_backward, readout_forward
from lstm_core.rnn import rnn_backward, rnn_forward

__all__ = [
    "GATES", "PARAM_NAMES", "CheckRow", "LSTMParams", "RNNParams",
    "adam_init", "adam_step", "check_gradients", "check_lstm", "clip_grad_norm", "format_report",
    "global_norm", "init_readout", "lstm_backward", "lstm_forward", "lstm_step_backward",
    "lstm_step_forward", "mse_loss", "numerical_gradient", "readout_backward", "readout_forward",
    "relative_error", "rnn_backward", "rnn_forward", "sgd_step", "sigmoid", "sigmoid_grad_from_output",
    "softmax", "softmax_cross_entropy", "tanh", "tanh_grad_from_output",
]
__version__ = "0.1.0"
