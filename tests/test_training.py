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


# ------------------------------------------- bit-identity with the code before issue 16

try:
    import frozen_nnlib as frozen
except ImportError:  # tests run as a package
    from tests import frozen_nnlib as frozen


def _momentum(p, g, v, lr, mu=0.9):
    v = {k: np.zeros_like(p[k]) for k in p} if v is None else v
    v = {k: mu * v[k] - lr * g[k] for k in p}
    return {k: p[k] + v[k] for k in p}, v


def _digits(n=400):
    from nnlib.datasets import load_digits
    X, y = load_digits()
    return X[:n], y[:n]


IDENTITY_CASES = {
    "relu full batch": dict(sizes=[2, 16, 16, 2], data="moons", epochs=40, lr=0.5),
    "tanh full batch + val": dict(sizes=[2, 16, 16, 2], data="moons", epochs=30, activation="tanh", val=True),
    "sigmoid minibatch 64": dict(sizes=[2, 8, 2], data="moons", epochs=8, activation="sigmoid", batch_size=64, lr=1.0),
    "binary tanh minibatch 32 + val": dict(sizes=[2, 16, 1], data="moons", epochs=6, activation="tanh", loss="binary",
                                           batch_size=32, lr=0.3, val=True),
    "binary relu full batch": dict(sizes=[2, 8, 8, 1], data="moons", epochs=25, loss="binary", lr=0.3),
    "digits 64-64-10 full batch + val": dict(sizes=[64, 64, 10], data="digits", epochs=15, lr=0.5, val=True),
    "digits 64-32-10 minibatch 50": dict(sizes=[64, 32, 10], data="digits", epochs=3, batch_size=50),
    "one layer, batch >= N": dict(sizes=[2, 2], data="moons", epochs=5, batch_size=1000),
    "momentum step, minibatch": dict(sizes=[2, 16, 2], data="moons", epochs=5, batch_size=40, step=_momentum),
    "momentum step, full batch": dict(sizes=[2, 16, 2], data="moons", epochs=10, step=_momentum),
    "Fortran-ordered X, full batch": dict(sizes=[2, 16, 2], data="moons-F", epochs=10, val=True),
    "int32 labels, lr int": dict(sizes=[2, 16, 2], data="moons-int32", epochs=10, lr=1),
}


@pytest.mark.parametrize("case", list(IDENTITY_CASES))
def test_train_is_bit_identical_to_the_code_before_the_speedup(case):
    """Parameters and every history entry equal those of the frozen old implementation, bit for bit."""
    spec = dict(IDENTITY_CASES[case])
    sizes, data, val = spec.pop("sizes"), spec.pop("data"), spec.pop("val", False)
    X, y = _digits() if data == "digits" else make_moons(240, noise=0.25, rng=np.random.default_rng(5))
    if data == "moons-F":
        X = np.asfortranarray(X)
    if data == "moons-int32":
        y = y.astype(np.int32)
    kwargs = dict(progress=False, **spec)
    if val:
        cut = len(X) * 3 // 4
        X, y, kwargs["X_val"], kwargs["y_val"] = X[:cut], y[:cut], X[cut:], y[cut:]
    params = mlp.init_params(sizes, rng=np.random.default_rng(3))
    new_params, new_history = train(params, X, y, rng=np.random.default_rng(4), **kwargs)
    old_params, old_history = frozen.train(params, X, y, rng=np.random.default_rng(4), **kwargs)
    assert list(new_params) == list(old_params)
    for k in old_params:
        assert new_params[k].dtype == old_params[k].dtype
        assert new_params[k].tobytes() == old_params[k].tobytes(), k
    assert new_history.as_dict() == old_history.as_dict()  # float == float: bit-identical (no NaN here)


def test_divergence_errors_match_the_code_before_the_speedup():
    params, X, y = tiny_problem()

    def poison_fifth_step(p, g, state, lr):
        count = 1 if state is None else state + 1
        new = training.sgd_step(p, g, None, lr)[0]
        if count == 5:
            new["b1"] = new["b1"] * np.inf
        return new, count

    for kwargs in (dict(lr=1e300, epochs=20), dict(lr=1e300, epochs=20, batch_size=3),
                   dict(epochs=20, step=poison_fifth_step), dict(epochs=20, batch_size=3, step=poison_fifth_step)):
        messages = []
        for fn in (train, frozen.train):
            with pytest.raises(ValueError) as info:
                fn(params, X, y, rng=np.random.default_rng(0), progress=False, **kwargs)
            messages.append(str(info.value))
        assert messages[0] == messages[1]


def test_labels_checked_once_before_training_with_clear_errors():
    params, X, y = tiny_problem()
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"labels y_val must lie in \[0, 2\)"):
        train(params, X, y, rng=rng, X_val=X, y_val=y + 1, progress=False)
    with pytest.raises(ValueError, match="integer class labels"):
        train(params, X, y.astype(float), rng=rng, progress=False)
    binary = mlp.init_params([2, 4, 1], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="binary labels y must be 0 or 1"):
        train(binary, X, y * 2, rng=rng, loss="binary", progress=False)
