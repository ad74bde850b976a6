"""Slider callbacks of lesson 08 (training), for bench_widgets.py.

- The checkpoint slider: predicted against true sums of 300 test sequences for the LSTM and the
  RNN side by side (two ``plot_adding_predictions`` in one figure).
- The temperature slider: the next-character distribution (``plot_next_char_probs``) plus a
  printed sample, both precomputed.
"""

import matplotlib.pyplot as plt
import numpy as np

from lstm_core.losses import softmax
from lstm_core.plots.training import plot_adding_predictions, plot_next_char_probs

STEPS = tuple(range(0, 801, 100))
TEMPERATURES = (0.2, 0.5, 0.8, 1.0, 1.3, 2.0)


def cases():
    rng = np.random.default_rng(0)
    y = rng.uniform(0, 2, (300, 1))
    predictions = {(model, step): y + rng.normal(0, 0.3, y.shape) for model in ("LSTM", "RNN") for step in STEPS}
    logits = rng.normal(0, 3, 56)
    chars = [chr(32 + k) for k in range(56)]
    probs = {t: softmax(logits / t) for t in TEMPERATURES}

    def show_checkpoint(step):
        fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
        for ax, model in zip(axes, ("LSTM", "RNN"), strict=True):
            plot_adding_predictions(y, predictions[model, step], ax=ax, title=f"{model} after {step} steps")
        fig.canvas.draw()
        plt.close(fig)

    def show_temperature(temperature):
        fig, ax = plt.subplots(figsize=(8, 3.5))
        plot_next_char_probs(probs[temperature], chars, ax=ax, title=f"temperature {temperature:g}")
        fig.canvas.draw()
        plt.close(fig)

    return [("08 adding checkpoints", lambda: show_checkpoint(400)),
            ("08 temperature", lambda: show_temperature(0.5))]
