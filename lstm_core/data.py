"""Small sequence tasks drawn from an ``rng``, and a public-domain text for a character model.

All sequence arrays are time-major: x (T, B, D).
"""

import json
from importlib import resources

import numpy as np


def sine_task(rng, num_steps, batch_size, noise=0.0):
    """Predict the next value of sine waves of random phase and frequency.

    Returns
    -------
    x : ndarray, shape (T, B, 1), sin at steps 0 .. T-1.
    y : ndarray, shape (T, B, 1), sin at steps 1 .. T (the target at each step).
    """
    phase = rng.uniform(0, 2 * np.pi, size=(1, batch_size))
    freq = rng.uniform(0.1, 0.4, size=(1, batch_size))
    t = np.arange(num_steps + 1)[:, None]  # (T+1, 1)
    wave = np.sin(freq * t + phase)  # (T+1, B)
    wave = wave + noise * rng.standard_normal(wave.shape)
    return wave[:-1, :, None], wave[1:, :, None]


def adding_problem(rng, num_steps, batch_size):
    """Hochreiter and Schmidhuber's adding problem: sum the two numbers whose marker is 1.

    Channel 0 holds uniform numbers in [0, 1); channel 1 marks one position in the first
    half and one in the second half. Predicting 1.0 always gives MSE about 1/6 (~0.167).

    Returns
    -------
    x : ndarray, shape (T, B, 2)
    y : ndarray, shape (B, 1), the target after the last step.
    """
    if num_steps < 2:
        raise ValueError(f"num_steps must be at least 2, got {num_steps}")
    values = rng.uniform(0, 1, size=(num_steps, batch_size))
    marks = np.zeros((num_steps, batch_size))
    half = num_steps // 2
    first = rng.integers(0, half, size=batch_size)
    second = rng.integers(half, num_steps, size=batch_size)
    columns = np.arange(batch_size)
    marks[first, columns] = 1.0
    marks[second, columns] = 1.0
    x = np.stack([values, marks], axis=-1)  # (T, B, 2)
    y = (values[first, columns] + values[second, columns])[:, None]  # (B, 1)
    return x, y


def marked_values(x):
    """The two marked values of each adding-problem sequence, in time order.

    Parameters
    ----------
    x : ndarray, shape (T, B, 2), from ``adding_problem`` (exactly two markers per sequence).

    Returns
    -------
    values : ndarray, shape (B, 2): column 0 the first marked value, column 1 the second.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 3 or x.shape[2] != 2:
        raise ValueError(f"x must have shape (T, B, 2) (values, markers), got {x.shape}")
    marks = x[:, :, 1].T  # (B, T)
    if not np.all(marks.sum(axis=1) == 2):
        raise ValueError("every sequence of x must have exactly two marked steps")
    steps = np.sort(np.argsort(-marks, axis=1, kind="stable")[:, :2], axis=1)  # (B, 2): marked steps in order
    return np.take_along_axis(x[:, :, 0].T, steps, axis=1)  # (B, 2)


def copy_task(rng, num_symbols, delay, batch_size, alphabet_size=4):
    """Remember a sequence of symbols and reproduce it after a delay.

    Inputs are one-hot over ``alphabet_size + 2`` channels: the symbols, a blank and a
    'recall' marker. The sequence is: symbols (num_symbols steps), blanks (delay steps),
    one recall marker, then blanks while the model outputs the symbols.

    Returns
    -------
    x : ndarray, shape (T, B, alphabet_size + 2), T = 2 * num_symbols + delay + 1.
    targets : int ndarray, shape (T, B); ``alphabet_size`` (the blank) where nothing is asked.
    """
    blank, recall = alphabet_size, alphabet_size + 1
    num_steps = 2 * num_symbols + delay + 1
    symbols = rng.integers(0, alphabet_size, size=(num_symbols, batch_size))
    inputs = np.full((num_steps, batch_size), blank)
    inputs[:num_symbols] = symbols
    inputs[num_symbols + delay] = recall
    targets = np.full((num_steps, batch_size), blank)
    targets[num_symbols + delay + 1 :] = symbols
    return one_hot(inputs, alphabet_size + 2), targets


def one_hot(indices, size):
    """indices int (...) -> float64 one-hot (..., size)."""
    indices = np.asarray(indices)
    return (indices[..., None] == np.arange(size)).astype(np.float64)


def load_text():
    """The public-domain text shipped with the package (45 of Shakespeare's sonnets, in order), as a str."""
    return resources.files("lstm_core").joinpath("data", "sonnets.txt").read_text(encoding="utf-8")


def load_precomputed(name):
    """A result shipped with the package (``lstm_core/data/<name>.json``), made by a script in ``benchmarks/``.

    Lessons load these instead of re-running minutes of training; each file names the command
    that re-creates it under the key ``"command"``.
    """
    path = resources.files("lstm_core").joinpath("data", f"{name}.json")
    if not path.is_file():
        raise ValueError(f"no precomputed result named {name!r} in lstm_core/data/")
    return json.loads(path.read_text(encoding="utf-8"))


def split_text(text, train_fraction=0.9):
    """Cut a text in two: the first ``train_fraction`` of its characters to train on, the rest held out.

    The cut is a single boundary (no shuffling): the held-out part is text the model never reads
    while training, as a language model meets new text after the text it learnt from.

    Parameters
    ----------
    text : str, at least 2 characters.
    train_fraction : float in (0, 1).

    Returns
    -------
    train : str, the first ``int(train_fraction * len(text))`` characters.
    heldout : str, the rest.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train_fraction must be between 0 and 1 (exclusive), got {train_fraction!r}")
    cut = int(train_fraction * len(text))
    if cut < 1 or cut >= len(text):
        raise ValueError(f"text has {len(text)} characters: too short to split at train_fraction={train_fraction}")
    return text[:cut], text[cut:]


def char_vocab(text):
    """Sorted characters of ``text`` and the dict char -> index."""
    chars = sorted(set(text))
    return chars, {ch: k for k, ch in enumerate(chars)}


def encode(text, char_to_index):
    """str -> int ndarray of shape (len(text),)."""
    return np.array([char_to_index[ch] for ch in text], dtype=np.int64)


def decode(indices, chars):
    """int sequence -> str."""
    return "".join(chars[k] for k in indices)


def text_batches(encoded, num_steps, batch_size):
    """Cut an encoded text into B parallel streams and yield consecutive windows of T steps.

    Consecutive windows continue each stream, so the hidden state can be carried from one
    window to the next (truncated BPTT over chunks).

    Yields
    ------
    inputs : int ndarray, shape (T, B)
    targets : int ndarray, shape (T, B), the inputs shifted by one character.
    """
    stream_length = (len(encoded) - 1) // batch_size
    streams = encoded[: stream_length * batch_size + 1]
    inputs = streams[:-1].reshape(batch_size, stream_length).T  # (L, B): column b is stream b
    targets = streams[1:].reshape(batch_size, stream_length).T  # (L, B)
    for start in range(0, stream_length - num_steps + 1, num_steps):
        yield inputs[start : start + num_steps], targets[start : start + num_steps]
