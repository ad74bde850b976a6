"""Training loops for models built from lstm_core: plain functions, no framework.

Two tasks:

- the adding problem (``lstm_core.data.adding_problem``): a regression on the last step that
  needs memory over the whole sequence; ``train_adding`` trains an LSTM or a vanilla RNN on it.
- a character-level language model: ``train_char_model`` trains an LSTM on a text with
  truncated BPTT over chunks (the state h, c is carried from one chunk to the next, gradients
  stay inside each chunk), and ``sample_text`` generates text from it.

Every iteration is the same five moves: forward, loss, backward, clip by global norm, Adam step.
The parameters live in one dict ``{**dict(model_params), **readout}`` whose arrays *are* the
model's arrays, so ``adam_step`` updates the model in place.

Dimensions: T time steps (for text: the truncation length), B batch, D input size,
H hidden size, V vocabulary size.
"""

import numpy as np

from lstm_core.data import adding_problem, char_vocab, encode, one_hot, text_batches
from lstm_core.losses import mse_loss, softmax, softmax_cross_entropy
from lstm_core.lstm import lstm_backward, lstm_forward, lstm_step_forward
from lstm_core.optim import adam_init, adam_step, clip_grad_norm
from lstm_core.params import LSTMParams, RNNParams
from lstm_core.readout import init_readout, readout_backward, readout_forward
from lstm_core.rnn import rnn_backward, rnn_forward

MODELS = ("lstm", "rnn")


def _check_positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_positive(name, value):
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


def _check_settings(learning_rate, clip, **counts):
    """Refuse counts that are not positive integers, a learning rate or clip (unless None) that is not positive."""
    for name, value in counts.items():
        _check_positive_int(name, value)
    _check_positive("learning_rate", learning_rate)
    if clip is not None:
        _check_positive("clip", clip)


def count_parameters(params, readout=None):
    """The number of trainable numbers in a model: every array of ``params`` and of ``readout``.

    At the same H an LSTM has four times the RNN's recurrent parameters: four gates, each with
    its own (H, D) input weights, (H, H) hidden weights and (H,) bias.

    Parameters
    ----------
    params : LSTMParams or RNNParams.
    readout : dict of arrays (``w_y`` (V, H), ``b_y`` (V,)) or None.

    Returns
    -------
    count : int
    """
    arrays = list(dict(params).values()) + list((readout or {}).values())
    return int(sum(np.asarray(a).size for a in arrays))


def sweep_summary(sweep, budget, threshold=0.05):
    """Summarise a learning-rate sweep of the adding problem (``benchmarks/lesson08_sweep.py``).

    For each (model, hidden size, learning rate), over its seeds: the median held-out MSE after
    ``budget`` iterations, and the first step at which the held-out MSE fell below ``threshold``
    (the "breakthrough"; None for a seed that never did).

    Parameters
    ----------
    sweep : dict with ``settings`` (``eval_every``, ``iterations``) and ``runs``, a list of dicts with
        ``model``, ``hidden_size``, ``learning_rate``, ``seed``, ``parameters``, ``ms_per_iteration``
        and ``heldout_mse``, shape (iterations / eval_every + 1,), measured at steps 0, eval_every, ...
    budget : int, a multiple of eval_every, at most iterations.
    threshold : float, the MSE that counts as a breakthrough.

    Returns
    -------
    rows : list of dicts with ``model``, ``hidden_size``, ``learning_rate``, ``parameters``,
        ``ms_per_iteration`` (median), ``mse`` (median at ``budget``), ``mse_per_seed`` (list) and
        ``breakthrough`` (list, one step or None per seed), in the order the runs first appear.
    """
    every, iterations = sweep["settings"]["eval_every"], sweep["settings"]["iterations"]
    if budget % every or not 0 <= budget <= iterations:
        raise ValueError(f"budget must be a multiple of {every} between 0 and {iterations}, got {budget!r}")
    groups = {}
    for run in sweep["runs"]:
        groups.setdefault((run["model"], run["hidden_size"], run["learning_rate"]), []).append(run)
    rows = []
    for (model, hidden_size, learning_rate), runs in groups.items():
        curves = np.array([run["heldout_mse"][: budget // every + 1] for run in runs])  # (S, budget/every + 1)
        below = curves < threshold
        rows.append({"model": model, "hidden_size": hidden_size, "learning_rate": learning_rate,
                     "parameters": runs[0]["parameters"],
                     "ms_per_iteration": float(np.median([run["ms_per_iteration"] for run in runs])),
                     "mse": float(np.median(curves[:, -1])), "mse_per_seed": curves[:, -1].tolist(),
                     "breakthrough": [int(np.argmax(b)) * every if b.any() else None for b in below]})
    return rows


def _snapshot(step, params, readout):
    """A deep copy of the model at ``step`` (for plotting training checkpoints)."""
    return {"step": step, "params": params.copy(), "readout": {n: a.copy() for n, a in readout.items()}}


def _model_forward(params, x):
    """h (T, B, H) and a cache, for an LSTM or a vanilla RNN."""
    if isinstance(params, LSTMParams):
        h, _, cache = lstm_forward(params, x)
        return h, cache
    if isinstance(params, RNNParams):
        return rnn_forward(params, x)
    raise TypeError(f"params must be LSTMParams or RNNParams, got {type(params).__name__}")


def _model_backward(params, dh, cache):
    """Parameter gradients (LSTMParams or RNNParams) from the direct gradients dh (T, B, H)."""
    if isinstance(params, LSTMParams):
        return lstm_backward(dh, cache)[0]
    return rnn_backward(dh, cache)[0]


def adding_predict(params, readout, x):
    """Predictions of a model on adding-problem inputs: the read-out of the last hidden state.

    Parameters
    ----------
    params : LSTMParams or RNNParams with input size D = 2.
    readout : dict with ``w_y`` (1, H) and ``b_y`` (1,).
    x : ndarray, shape (T, B, 2), from ``adding_problem``.

    Returns
    -------
    y_pred : ndarray, shape (B, 1)
    """
    h, _ = _model_forward(params, x)
    return readout_forward(h[-1], readout["w_y"], readout["b_y"])  # (B, 1)


def train_adding(rng, model="lstm", num_steps=30, hidden_size=32, iterations=600, batch_size=32,
                 learning_rate=1e-2, clip=1.0, forget_bias=1.0, snapshot_every=None, progress=None):
    """Train an LSTM or a vanilla RNN on the adding problem with Adam and gradient clipping.

    Each iteration draws a fresh batch, reads out the last hidden state, y = w_y h_T + b_y,
    and minimises the mean of 1/2 (y - target)^2 over the batch (so the number reported is half
    the usual MSE; always predicting 1 scores about 1/12 ~ 0.083 on it, i.e. MSE 0.167).

    Parameters
    ----------
    rng : numpy Generator; draws the initial weights, then every batch.
    model : "lstm" or "rnn".
    num_steps : int, T, the sequence length.
    hidden_size : int, H.
    iterations : int, number of Adam steps.
    batch_size : int, B.
    learning_rate : float, Adam's step size.
    clip : float or None, the maximum global gradient norm (None: no clipping).
    forget_bias : float, initial b_f of the LSTM (ignored for the RNN).
    snapshot_every : int or None; keep a copy of the model every that many iterations
        (and at step 0) in ``history["snapshots"]``.
    progress : callable(step, loss) or None, called after every iteration (step = 1..iterations).

    Returns
    -------
    history : dict with
        ``loss`` : ndarray, shape (iterations,), the training loss of each batch (mean of 1/2 err^2);
        ``mse`` : ndarray, shape (iterations,), the mean squared error of each batch (2 * loss);
        ``grad_norm`` : ndarray, shape (iterations,), the global gradient norm before clipping;
        ``params`` : the trained LSTMParams or RNNParams; ``readout`` : dict ``w_y`` (1, H), ``b_y`` (1,);
        ``snapshots`` : list of dicts ``step``, ``params``, ``readout`` (empty without snapshot_every).
    """
    if model not in MODELS:
        raise ValueError(f"model must be one of {MODELS}, got {model!r}")
    _check_settings(learning_rate, clip, num_steps=num_steps, hidden_size=hidden_size, iterations=iterations,
                    batch_size=batch_size)
    if model == "lstm":
        params = LSTMParams.init(2, hidden_size, rng, forget_bias=forget_bias)
    else:
        params = RNNParams.init(2, hidden_size, rng)
    readout = init_readout(hidden_size, 1, rng)
    trainable = {**dict(params), **readout}  # the very arrays of the model
    state = adam_init(trainable)
    losses, norms, snapshots = [], [], []
    if snapshot_every:
        snapshots.append(_snapshot(0, params, readout))
    for step in range(1, iterations + 1):
        x, y = adding_problem(rng, num_steps, batch_size)  # (T, B, 2), (B, 1)
        h, cache = _model_forward(params, x)  # (T, B, H)
        y_pred = readout_forward(h[-1], readout["w_y"], readout["b_y"])  # (B, 1)
        loss, dy = mse_loss(y_pred, y, reduction="mean")
        dh_last, readout_grads = readout_backward(dy, h[-1], readout["w_y"])  # (B, H)
        dh = np.zeros_like(h)  # (T, B, H): the loss touches only the last step
        dh[-1] = dh_last
        grads = {**dict(_model_backward(params, dh, cache)), **readout_grads}
        grads, norm = clip_grad_norm(grads, clip if clip is not None else np.inf)
        adam_step(trainable, grads, state, learning_rate=learning_rate)
        losses.append(loss)
        norms.append(norm)
        if snapshot_every and step % snapshot_every == 0:
            snapshots.append(_snapshot(step, params, readout))
        if progress is not None:
            progress(step, loss)
    losses = np.array(losses)
    return {"loss": losses, "mse": 2.0 * losses, "grad_norm": np.array(norms), "params": params,
            "readout": readout, "snapshots": snapshots}


def text_loss(params, readout, encoded):
    """Mean cross-entropy (nats per character) of a character model reading a text once, start to end.

    The model starts from a zero state, reads characters 0 .. N-2 and is scored on predicting
    characters 1 .. N-1. Nothing is updated: this is how a held-out text is judged.

    Parameters
    ----------
    params : LSTMParams with input size V.
    readout : dict with ``w_y`` (V, H) and ``b_y`` (V,).
    encoded : int ndarray, shape (N,), N >= 2, character indices below V.

    Returns
    -------
    loss : float
    """
    encoded = np.asarray(encoded)
    vocab_size = params.input_size
    if encoded.ndim != 1 or encoded.size < 2:
        raise ValueError(f"encoded must be a 1-D array of at least 2 character indices, got shape {encoded.shape}")
    if encoded.min() < 0 or encoded.max() >= vocab_size:
        raise ValueError(f"encoded holds indices outside 0 .. {vocab_size - 1} (the model's vocabulary)")
    x = one_hot(encoded[:-1, None], vocab_size)  # (N-1, 1, V): one stream
    h, _, _ = lstm_forward(params, x)  # (N-1, 1, H)
    logits = readout_forward(h, readout["w_y"], readout["b_y"])  # (N-1, 1, V)
    loss, _ = softmax_cross_entropy(logits, encoded[1:, None], reduction="mean")
    return float(loss)


def train_char_model(rng, text, hidden_size=64, seq_length=25, batch_size=16, iterations=300,
                     learning_rate=1e-2, clip=5.0, forget_bias=1.0, progress=None, chars=None,
                     heldout=None, eval_every=50):
    """Train a character-level LSTM language model with truncated BPTT over chunks of the text.

    The text is cut into B parallel streams (``text_batches``); each iteration takes the next
    chunk of ``seq_length`` characters of every stream, starts from the (h, c) that the previous
    chunk ended with, and back-propagates within the chunk only. When the text is used up the
    streams restart from the beginning with a zero state. The loss is the mean cross-entropy of
    predicting each next character.

    With a ``heldout`` text, the model is scored on it (``text_loss``) at step 0 and every
    ``eval_every`` steps, and a copy of the model with the lowest held-out loss is kept: early
    stopping, chosen on text that training never reads.

    Parameters
    ----------
    rng : numpy Generator, draws the initial weights.
    text : str, at least ``batch_size * seq_length + 1`` characters.
    hidden_size : int, H.
    seq_length : int, T, the truncation length (characters per chunk).
    batch_size : int, B, the number of parallel streams.
    iterations : int, number of Adam steps (one chunk each).
    learning_rate : float, Adam's step size.
    clip : float or None, the maximum global gradient norm.
    forget_bias : float, initial b_f.
    progress : callable(step, loss) or None, called after every iteration.
    chars : list of V characters or None (then ``char_vocab(text)``); pass the vocabulary of the
        whole text when ``heldout`` may hold characters that ``text`` lacks.
    heldout : str or None, a text to score the model on while training (never trained on).
    eval_every : int, steps between two held-out scores.

    Returns
    -------
    history : dict with
        ``loss`` : ndarray, shape (iterations,), mean cross-entropy per character (nats) of each chunk;
        ``grad_norm`` : ndarray, shape (iterations,), global norm before clipping;
        ``params`` : LSTMParams with D = H_in = V; ``readout`` : dict ``w_y`` (V, H), ``b_y`` (V,);
        ``chars`` : list of the V characters (index -> character);
        with ``heldout`` only: ``eval_steps`` (E,) and ``heldout_loss`` (E,), the steps scored and their
        held-out loss; ``best`` : the snapshot (``step``, ``params``, ``readout``) of lowest held-out loss.
    """
    _check_settings(learning_rate, clip, hidden_size=hidden_size, seq_length=seq_length, batch_size=batch_size,
                    iterations=iterations, eval_every=eval_every)
    if len(text) < batch_size * seq_length + 1:
        raise ValueError(f"text has {len(text)} characters; need at least batch_size * seq_length + 1 = "
                         f"{batch_size * seq_length + 1}")
    if chars is None:
        chars = char_vocab(text)[0]
    chars = list(chars)
    char_to_index = {ch: k for k, ch in enumerate(chars)}
    unknown = sorted(set(text + (heldout or "")) - set(char_to_index))
    if unknown:
        raise ValueError(f"text or heldout contains characters outside chars: {unknown}")
    vocab_size = len(chars)
    encoded = encode(text, char_to_index)  # (N,)
    encoded_heldout = encode(heldout, char_to_index) if heldout is not None else None  # (N_heldout,)
    params = LSTMParams.init(vocab_size, hidden_size, rng, forget_bias=forget_bias)
    readout = init_readout(hidden_size, vocab_size, rng)
    trainable = {**dict(params), **readout}
    state = adam_init(trainable)
    losses, norms, eval_steps, heldout_losses, best = [], [], [], [], None

    def score(step):
        nonlocal best
        eval_steps.append(step)
        heldout_losses.append(text_loss(params, readout, encoded_heldout))
        if heldout_losses[-1] == min(heldout_losses):
            best = _snapshot(step, params, readout)

    if encoded_heldout is not None:
        score(0)
    chunks = iter(())
    h0 = c0 = None
    for step in range(1, iterations + 1):
        chunk = next(chunks, None)
        if chunk is None:  # start of the text: restart every stream with a zero state
            chunks = text_batches(encoded, seq_length, batch_size)
            chunk = next(chunks)
            h0 = c0 = None
        inputs, targets = chunk  # (T, B) each
        x = one_hot(inputs, vocab_size)  # (T, B, V)
        h, c, cache = lstm_forward(params, x, h0, c0)  # (T, B, H) each
        logits = readout_forward(h, readout["w_y"], readout["b_y"])  # (T, B, V)
        loss, dlogits = softmax_cross_entropy(logits, targets, reduction="mean")
        dh, readout_grads = readout_backward(dlogits, h, readout["w_y"])  # (T, B, H)
        grads = {**dict(lstm_backward(dh, cache)[0]), **readout_grads}
        grads, norm = clip_grad_norm(grads, clip if clip is not None else np.inf)
        adam_step(trainable, grads, state, learning_rate=learning_rate)
        h0, c0 = h[-1].copy(), c[-1].copy()  # carried forward as constants: no gradient crosses chunks
        losses.append(loss)
        norms.append(norm)
        if encoded_heldout is not None and (step % eval_every == 0 or step == iterations):
            score(step)
        if progress is not None:
            progress(step, loss)
    history = {"loss": np.array(losses), "grad_norm": np.array(norms), "params": params,
               "readout": readout, "chars": chars}
    if encoded_heldout is not None:
        history.update(eval_steps=np.array(eval_steps), heldout_loss=np.array(heldout_losses), best=best)
    return history


def sample_text(params, readout, chars, rng, length=200, temperature=1.0, prime="The "):
    """Generate text one character at a time from a character-level LSTM.

    The model first reads ``prime``; then, ``length`` times, it draws the next character from
    softmax(logits / temperature) and feeds it back in. Low temperatures pick the likeliest
    characters (repetitive text); high ones flatten the distribution (more random text).

    Parameters
    ----------
    params : LSTMParams with input size V.
    readout : dict with ``w_y`` (V, H) and ``b_y`` (V,).
    chars : list of the V characters, index -> character (``history["chars"]``).
    rng : numpy Generator, draws the characters.
    length : int >= 0, the number of characters to generate.
    temperature : float > 0.
    prime : str, non-empty, made of characters in ``chars``.

    Returns
    -------
    text : str, ``prime`` followed by ``length`` generated characters.
    """
    vocab_size = len(chars)
    if params.input_size != vocab_size or readout["w_y"].shape[0] != vocab_size:
        raise ValueError(f"params take {params.input_size} inputs and the readout gives "
                         f"{readout['w_y'].shape[0]} outputs, but chars has {vocab_size} characters")
    if isinstance(length, bool) or int(length) != length or length < 0:
        raise ValueError(f"length must be a non-negative integer, got {length!r}")
    _check_positive("temperature", temperature)
    if not prime:
        raise ValueError("prime must be a non-empty string (the model needs a first character to read)")
    char_to_index = {ch: k for k, ch in enumerate(chars)}
    unknown = sorted(set(prime) - set(char_to_index))
    if unknown:
        raise ValueError(f"prime contains characters outside the vocabulary: {unknown}")
    h = np.zeros((1, params.hidden_size), params.dtype)
    c = np.zeros_like(h)
    for ch in prime[:-1]:  # read the prime; the last character is fed by the loop below
        h, c, _ = lstm_step_forward(params, one_hot([char_to_index[ch]], vocab_size), h, c)
    index = char_to_index[prime[-1]]
    generated = []
    for _ in range(length):
        h, c, _ = lstm_step_forward(params, one_hot([index], vocab_size), h, c)  # (1, H)
        logits = readout_forward(h, readout["w_y"], readout["b_y"])[0]  # (V,)
        probs = softmax(logits / temperature)
        index = int(rng.choice(vocab_size, p=probs))
        generated.append(chars[index])
    return prime + "".join(generated)
