"""Tests for nnlib.training: convergence, history, step plug-in, divergence, progress bar rules."""

import copy

import numpy as np
import pytest

from nnlib import mlp, training
from nnlib.datasets import make_moons
from nnlib.training import History, train


@pytest.fixture
def moons():
    X, y = make_moons(200, noise=0.1, rng=np.random.default_rng(0))
    return X, y


@pytest.fixture
def quiet_env(monkeypatch):
    """Neither the book build nor nbgrader: the automatic progress rule applies."""
    monkeypatch.delenv("NNLIB_STATIC", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)


def tiny_problem(n=8):
    X, y = make_moons(n, noise=0.1, rng=np.random.default_rng(1))
    return mlp.init_params([2, 4, 2], rng=np.random.default_rng(2)), X, y


# ---------------------------------------------------------- convergence


def test_small_net_fits_moons(moons):
    X, y = moons
    params = mlp.init_params([2, 16, 16, 2], rng=np.random.default_rng(0))
    trained, history = train(params, X, y, rng=np.random.default_rng(1), lr=0.5, epochs=300, progress=False)
    assert history.train_acc[-1] > 0.95
    assert mlp.accuracy(mlp.predict(trained, X), y) == history.train_acc[-1]
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]


def test_binary_head_with_minibatches_fits_moons(moons):
    X, y = moons
    params = mlp.init_params([2, 16, 1], rng=np.random.default_rng(0))
    trained, history = train(params, X, y, rng=np.random.default_rng(1), activation="tanh", loss="binary",
                             lr=0.3, epochs=150, batch_size=32, progress=False)
    assert history.train_acc[-1] > 0.95
    assert mlp.accuracy(mlp.predict(trained, X, activation="tanh", loss="binary"), y) == history.train_acc[-1]


# ------------------------------------------------------ contract details


def test_input_untouched_and_new_arrays_returned(moons):
    X, y = moons
    params = mlp.init_params([2, 8, 2], rng=np.random.default_rng(0))
    saved = copy.deepcopy((params, X, y))
    trained, _ = train(params, X, y, rng=np.random.default_rng(0), epochs=5, batch_size=50, progress=False)
    assert all(np.array_equal(saved[0][k], params[k]) for k in params)
    np.testing.assert_array_equal(saved[1], X)
    np.testing.assert_array_equal(saved[2], y)
    assert trained is not params and all(trained[k] is not params[k] for k in params)
    assert not np.array_equal(trained["W1"], params["W1"])


def test_history_shape_without_and_with_validation(moons):
    X, y = moons
    params = mlp.init_params([2, 8, 2], rng=np.random.default_rng(0))
    _, h = train(params, X, y, rng=np.random.default_rng(0), epochs=7, progress=False)
    assert h.epoch == list(range(1, 8))
    assert len(h.train_loss) == len(h.train_acc) == 7 and h.val_loss == [] and h.val_acc == []
    trained, h = train(params, X[:150], y[:150], rng=np.random.default_rng(0), epochs=7,
                       X_val=X[150:], y_val=y[150:], progress=False)
    assert len(h.val_loss) == len(h.val_acc) == 7
    val_loss, _ = mlp.loss_and_grads(trained, X[150:], y[150:])
    assert h.val_loss[-1] == pytest.approx(val_loss, rel=1e-12)
    assert h.val_acc[-1] == mlp.accuracy(mlp.predict(trained, X[150:]), y[150:])
    train_loss, _ = mlp.loss_and_grads(trained, X[:150], y[:150])
    assert h.train_loss[-1] == pytest.approx(train_loss, rel=1e-12)


def test_deterministic_given_seed_and_shuffling_depends_on_it(moons):
    X, y = moons
    params = mlp.init_params([2, 8, 2], rng=np.random.default_rng(0))
    run = lambda seed: train(params, X, y, rng=np.random.default_rng(seed), epochs=5, batch_size=16, progress=False)
    (p1, h1), (p2, h2), (p3, _) = run(3), run(3), run(4)
    assert h1 == h2 and all(np.array_equal(p1[k], p2[k]) for k in p1)
    assert not np.array_equal(p1["W1"], p3["W1"])


def test_full_batch_equals_explicit_gradient_descent():
    params, X, y = tiny_problem()
    trained, _ = train(params, X, y, rng=np.random.default_rng(0), lr=0.2, epochs=3, progress=False)
    expected = params
    for _ in range(3):
        _, grads = mlp.loss_and_grads(expected, X, y)
        expected = {k: expected[k] - 0.2 * grads[k] for k in expected}
    for k in params:
        np.testing.assert_allclose(trained[k], expected[k], rtol=1e-13)
    big, _ = train(params, X, y, rng=np.random.default_rng(0), lr=0.2, epochs=3, batch_size=100, progress=False)
    assert all(np.array_equal(big[k], trained[k]) for k in params)


def test_sgd_step_is_pure():
    params = {"W1": np.array([[1.0, 2.0]]), "b1": np.array([0.5, -0.5])}
    grads = {"W1": np.array([[10.0, -10.0]]), "b1": np.array([1.0, 1.0])}
    new, state = training.sgd_step(params, grads, "state", 0.1)
    np.testing.assert_allclose(new["W1"], [[0.0, 3.0]])
    np.testing.assert_allclose(new["b1"], [0.4, -0.6])
    assert state == "state"
    np.testing.assert_array_equal(params["W1"], [[1.0, 2.0]])
    np.testing.assert_array_equal(params["b1"], [0.5, -0.5])


def test_step_plugin_gets_state_and_is_called_per_batch():
    params, X, y = tiny_problem()
    calls = []

    def counting_step(p, g, state, lr):
        calls.append(state)
        return training.sgd_step(p, g, None, lr)[0], (0 if state is None else state + 1)

    trained, _ = train(params, X, y, rng=np.random.default_rng(0), epochs=3, batch_size=3, step=counting_step, progress=False)
    assert calls == [None] + list(range(8))  # 3 epochs x ceil(8 / 3) = 9 calls
    reference, _ = train(params, X, y, rng=np.random.default_rng(0), epochs=3, batch_size=3, progress=False)
    assert all(np.array_equal(trained[k], reference[k]) for k in params)


def test_step_plugin_changes_the_update():
    params, X, y = tiny_problem()

    def momentum(p, g, v, lr, mu=0.9):
        v = {k: np.zeros_like(p[k]) for k in p} if v is None else v
        v = {k: mu * v[k] - lr * g[k] for k in p}
        return {k: p[k] + v[k] for k in p}, v

    plain, _ = train(params, X, y, rng=np.random.default_rng(0), epochs=4, progress=False)
    fancy, _ = train(params, X, y, rng=np.random.default_rng(0), epochs=4, step=momentum, progress=False)
    assert not np.allclose(plain["W1"], fancy["W1"])


@pytest.mark.parametrize("bad", [lambda p, g, s, lr: p, lambda p, g, s, lr: ({"W1": p["W1"]}, s),
                                 lambda p, g, s, lr: ({k: v[:1] for k, v in p.items()}, s)])
def test_malformed_step_result_raises(bad):
    params, X, y = tiny_problem()
    with pytest.raises(ValueError, match="step"):
        train(params, X, y, rng=np.random.default_rng(0), epochs=2, step=bad, progress=False)


# ----------------------------------------------------------- divergence


def test_divergence_raises_with_epoch_and_hint():
    params, X, y = tiny_problem()
    with pytest.raises(ValueError, match=r"epoch \d+.*learning rate too large"):
        train(params, X, y, rng=np.random.default_rng(0), activation="relu", lr=1e300, epochs=20, progress=False)


def test_divergence_reports_the_right_epoch():
    params, X, y = tiny_problem()

    def poison_third_step(p, g, state, lr):
        count = 1 if state is None else state + 1
        new = training.sgd_step(p, g, None, lr)[0]
        if count == 3:
            new["W1"] = new["W1"] * np.nan
        return new, count

    with pytest.raises(ValueError, match=r"became nan at epoch 3\b"):
        train(params, X, y, rng=np.random.default_rng(0), epochs=10, step=poison_third_step, progress=False)


# ------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"rng": None}, "Generator"),
        ({"rng": 0}, "Generator"),
        ({"lr": 0.0}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"X_val": np.zeros((2, 2))}, "X_val and y_val"),
        ({"X_val": np.zeros((2, 3)), "y_val": np.array([0, 1])}, "X_val"),
        ({"step": "adam"}, "step"),
        ({"progress": "yes"}, "progress"),
        ({"loss": "binary"}, "1 unit"),
        ({"activation": "elu"}, "activation"),
    ],
)
def test_bad_arguments_raise(kwargs, match):
    params, X, y = tiny_problem()
    args = {"rng": np.random.default_rng(0), "epochs": 2, "progress": False, **kwargs}
    with pytest.raises(ValueError, match=match):
        train(params, X, y, **args)


def test_bad_data_raise():
    params, X, y = tiny_problem()
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"shape \(8,\)"):
        train(params, X, y[:-1], rng=rng, progress=False)
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        train(params, X[:, :1], y, rng=rng, progress=False)
    y_bad = y.copy()
    y_bad[-1] = 5  # a label outside [0, 2) anywhere in the data is caught before training
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        train(params, X, y_bad, rng=rng, batch_size=2, progress=False)


# --------------------------------------------------------------- history


def test_history_best_epoch_and_as_dict():
    h = History(epoch=[1, 2, 3, 4], train_loss=[4.0, 3.0, 2.0, 1.0], train_acc=[0.5, 0.6, 0.7, 0.7],
                val_loss=[3.0, 2.0, 2.0, 2.5], val_acc=[0.4, 0.8, 0.6, 0.8])
    assert h.best_epoch() == 2  # tie between epochs 2 and 3: earliest wins
    assert h.best_epoch("val_acc") == 2
    assert h.best_epoch("train_loss") == 4
    assert h.best_epoch("train_acc") == 3
    d = h.as_dict()
    assert d == {"epoch": [1, 2, 3, 4], "train_loss": [4.0, 3.0, 2.0, 1.0], "train_acc": [0.5, 0.6, 0.7, 0.7],
                 "val_loss": [3.0, 2.0, 2.0, 2.5], "val_acc": [0.4, 0.8, 0.6, 0.8]}
    d["epoch"].append(5)
    assert h.epoch == [1, 2, 3, 4]


def test_history_best_epoch_errors():
    h = History(epoch=[1, 2], train_loss=[1.0, 0.5], train_acc=[0.5, 0.6])
    with pytest.raises(ValueError, match="X_val"):
        h.best_epoch()
    with pytest.raises(ValueError, match="unknown metric"):
        h.best_epoch("loss")


# ----------------------------------------------------------- progress bar


def run_tiny(epochs, batch_size=1, progress=None):
    params, X, y = tiny_problem()
    train(params, X, y, rng=np.random.default_rng(0), lr=0.05, epochs=epochs, batch_size=batch_size, progress=progress)


def test_bar_shown_on_long_runs(capsys, quiet_env):
    run_tiny(250)  # 250 epochs x 8 batches = 2000 steps: the threshold
    err = capsys.readouterr().err
    assert "250/250" in err and "loss=" in err


def test_no_bar_on_short_runs(capsys, quiet_env):
    run_tiny(249)  # 1992 steps
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("variable, value", [("NNLIB_STATIC", "1"), ("NBGRADER_EXECUTION", "autograde")])
def test_no_bar_in_book_build_or_grading(capsys, quiet_env, monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    run_tiny(250)
    assert capsys.readouterr().err == ""


def test_progress_flag_forces(capsys, monkeypatch):
    monkeypatch.setenv("NNLIB_STATIC", "1")
    run_tiny(3, progress=True)
    assert "3/3" in capsys.readouterr().err
    monkeypatch.delenv("NNLIB_STATIC")
    run_tiny(300, progress=False)
    assert capsys.readouterr().err == ""
