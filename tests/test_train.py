"""lstm_core.train: the loops reduce the loss on small settings, sample from the vocabulary, and reproduce."""

import numpy as np
import pytest

from lstm_core import LSTMParams, RNNParams, lstm_forward, readout_forward
from lstm_core.data import adding_problem, one_hot
from lstm_core.train import (
    adding_predict,
    count_parameters,
    sample_text,
    sweep_summary,
    text_loss,
    train_adding,
    train_char_model,
)

TEXT = ("From fairest creatures we desire increase,\n"
        "That thereby beauty's rose might never die,\n") * 6


def small_adding(seed=0, **overrides):
    settings = dict(model="lstm", num_steps=8, hidden_size=8, iterations=60, batch_size=16,
                    learning_rate=2e-2, clip=1.0)
    settings.update(overrides)
    return train_adding(np.random.default_rng(seed), **settings)


def small_char(seed=0, **overrides):
    settings = dict(hidden_size=16, seq_length=10, batch_size=4, iterations=80, learning_rate=2e-2)
    settings.update(overrides)
    return train_char_model(np.random.default_rng(seed), TEXT, **settings)


@pytest.mark.parametrize("model", ["lstm", "rnn"])
def test_adding_training_reduces_the_loss(model):
    history = small_adding(model=model)
    assert history["loss"].shape == history["grad_norm"].shape == (60,)
    np.testing.assert_allclose(history["mse"], 2 * history["loss"])
    assert history["loss"][-15:].mean() < 0.6 * history["loss"][:5].mean()
    assert isinstance(history["params"], LSTMParams if model == "lstm" else RNNParams)


def test_adding_predict_shape_and_snapshots():
    history = small_adding(iterations=20, snapshot_every=10)
    assert [s["step"] for s in history["snapshots"]] == [0, 10, 20]
    first, last = history["snapshots"][0], history["snapshots"][-1]
    assert not np.array_equal(first["params"].w_hf, last["params"].w_hf)  # copies, not views
    np.testing.assert_array_equal(last["params"].w_hf, history["params"].w_hf)
    x, _ = adding_problem(np.random.default_rng(5), 8, 7)
    assert adding_predict(history["params"], history["readout"], x).shape == (7, 1)


def test_clipping_bounds_what_adam_sees_but_the_history_keeps_the_raw_norm():
    history = small_adding(iterations=10, clip=1e-3)
    assert np.all(history["grad_norm"] > 1e-3)


def test_progress_is_called_once_per_step_with_the_loss():
    calls = []
    history = small_adding(iterations=5, progress=lambda step, loss: calls.append((step, loss)))
    assert [step for step, _ in calls] == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal([loss for _, loss in calls], history["loss"])


def test_seeds_reproduce_and_differ():
    a, b = small_adding(seed=3, iterations=10), small_adding(seed=3, iterations=10)
    c = small_adding(seed=4, iterations=10)
    np.testing.assert_array_equal(a["loss"], b["loss"])
    np.testing.assert_array_equal(a["params"].w_xi, b["params"].w_xi)
    assert not np.array_equal(a["loss"], c["loss"])
    np.testing.assert_array_equal(small_char(seed=2, iterations=5)["loss"], small_char(seed=2, iterations=5)["loss"])


def test_char_model_reduces_the_loss():
    history = small_char()
    vocab_size = len(history["chars"])
    assert history["chars"] == sorted(set(TEXT))
    assert history["loss"][0] == pytest.approx(np.log(vocab_size), abs=0.3)  # starts near a uniform guess
    assert history["loss"][-10:].mean() < 0.7 * history["loss"][0]


def test_char_model_restarts_the_text_when_it_is_used_up():
    # 4 streams of ~135 characters, chunks of 10: the text is used up after 13 chunks
    history = small_char(iterations=30)
    assert np.all(np.isfinite(history["loss"]))


def test_sampling_returns_prime_then_vocabulary_characters():
    history = small_char(iterations=20)
    chars = history["chars"]
    text = sample_text(history["params"], history["readout"], chars, np.random.default_rng(0), 50, 0.8, "Th")
    assert text.startswith("Th") and len(text) == 52
    assert set(text) <= set(chars)
    again = sample_text(history["params"], history["readout"], chars, np.random.default_rng(0), 50, 0.8, "Th")
    assert again == text


def test_low_temperature_is_nearly_greedy():
    history = small_char(iterations=40)
    args = (history["params"], history["readout"], history["chars"])
    texts = {sample_text(*args, np.random.default_rng(seed), 30, 1e-3, "Th") for seed in range(3)}
    assert len(texts) == 1  # at temperature -> 0 the draw is the argmax whatever the seed


@pytest.mark.parametrize("kwargs, message", [
    (dict(model="gru"), "model must be one of"),
    (dict(iterations=0), "iterations"),
    (dict(hidden_size=2.5), "hidden_size"),
    (dict(learning_rate=0.0), "learning_rate"),
    (dict(clip=-1.0), "clip"),
])
def test_train_adding_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        small_adding(**kwargs)


def test_char_model_and_sampling_reject_bad_input():
    with pytest.raises(ValueError, match="at least"):
        train_char_model(np.random.default_rng(0), "too short", seq_length=10, batch_size=4)
    history = small_char(iterations=2)
    args = (history["params"], history["readout"], history["chars"], np.random.default_rng(0))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        sample_text(*args, 10, 1.0, "Zq#")
    with pytest.raises(ValueError, match="non-empty"):
        sample_text(*args, 10, 1.0, "")
    with pytest.raises(ValueError, match="temperature"):
        sample_text(*args, 10, 0.0, "Th")
    with pytest.raises(ValueError, match="chars has"):
        sample_text(history["params"], history["readout"], history["chars"][:-1], np.random.default_rng(0))


def test_count_parameters_lstm_has_four_times_the_rnn():
    rng = np.random.default_rng(0)
    lstm, rnn = LSTMParams.init(3, 5, rng), RNNParams.init(3, 5, rng)
    assert count_parameters(rnn) == 5 * 3 + 5 * 5 + 5
    assert count_parameters(lstm) == 4 * count_parameters(rnn)
    assert count_parameters(rnn, {"w_y": np.zeros((2, 5)), "b_y": np.zeros(2)}) == count_parameters(rnn) + 12


def test_text_loss_is_the_mean_cross_entropy_of_the_next_characters():
    history = small_char(iterations=5)
    chars = history["chars"]
    encoded = np.array([chars.index(ch) for ch in "That thereby"])
    x = one_hot(encoded[:-1, None], len(chars))
    h = lstm_forward(history["params"], x)[0]
    logits = readout_forward(h, history["readout"]["w_y"], history["readout"]["b_y"])[:, 0]  # (N-1, V)
    log_probs = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -np.mean(log_probs[np.arange(len(encoded) - 1), encoded[1:]])
    assert text_loss(history["params"], history["readout"], encoded) == pytest.approx(expected, rel=1e-12)
    with pytest.raises(ValueError, match="at least 2"):
        text_loss(history["params"], history["readout"], encoded[:1])
    with pytest.raises(ValueError, match="outside"):
        text_loss(history["params"], history["readout"], np.array([0, len(chars)]))


def test_char_model_scores_the_heldout_text_and_keeps_the_best_copy():
    chars = sorted(set(TEXT + "Q"))
    history = small_char(iterations=30, chars=chars, heldout="Thy beauty's rose, Q", eval_every=10)
    assert history["chars"] == chars and history["params"].input_size == len(chars)
    np.testing.assert_array_equal(history["eval_steps"], [0, 10, 20, 30])
    assert history["heldout_loss"][0] == pytest.approx(np.log(len(chars)), abs=0.3)
    best = history["best"]
    assert history["heldout_loss"][list(history["eval_steps"]).index(best["step"])] == history["heldout_loss"].min()
    encoded = np.array([chars.index(ch) for ch in "Thy beauty's rose, Q"])
    assert text_loss(best["params"], best["readout"], encoded) == pytest.approx(history["heldout_loss"].min())
    with pytest.raises(ValueError, match="outside chars"):
        small_char(iterations=2, heldout="Q")  # Q is not in the training text's vocabulary


def test_sweep_summary_medians_and_breakthroughs():
    sweep = {"settings": {"eval_every": 100, "iterations": 300},
             "runs": [{"model": "rnn", "hidden_size": 4, "learning_rate": 0.1, "seed": s, "parameters": 9,
                       "ms_per_iteration": ms, "heldout_mse": curve}
                      for s, (ms, curve) in enumerate([(1.0, [1, 0.2, 0.04, 0.01]), (2.0, [1, 0.2, 0.1, 0.03]),
                                                       (4.0, [1, 0.2, 0.1, 0.1])])]}
    (row,) = sweep_summary(sweep, 300)
    assert row["mse"] == pytest.approx(0.03) and row["ms_per_iteration"] == 2.0
    assert row["breakthrough"] == [200, 300, None]
    assert sweep_summary(sweep, 100)[0]["mse"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="budget"):
        sweep_summary(sweep, 150)
