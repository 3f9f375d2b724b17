"""The nnlib step benchmark: its NumPy floor does the same math as train(), and it prints a table."""

import numpy as np
import pytest

from coursekit import bench_nnlib
from nnlib import mlp
from nnlib.training import train


@pytest.mark.parametrize("config", bench_nnlib.CONFIGS[:4], ids=lambda c: c.name)
def test_floor_computes_what_train_computes(config):
    X, y = bench_nnlib.make_data(config)
    params = mlp.init_params(list(config.sizes), rng=np.random.default_rng(1))
    kwargs = dict(activation=config.activation, lr=config.lr, batch_size=config.batch_size, epochs=3)
    (Ws, bs), (losses, accs) = bench_nnlib.floor_train(params, X, y, rng=np.random.default_rng(2), **kwargs)
    trained, history = train(params, X, y, rng=np.random.default_rng(2), progress=False, **kwargs)
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        np.testing.assert_allclose(trained[f"W{l}"], W, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(trained[f"b{l}"], b, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(history.train_loss, losses, rtol=1e-12)
    assert history.train_acc == accs


def test_run_prints_a_table_of_ratios():
    tiny = bench_nnlib.Config("2-4-2 moons, batch 64", (2, 4, 2), "moons", 128, 64)
    text = bench_nnlib.run(rounds=2, configs=(tiny,), min_seconds=0.001)
    assert "| 2-4-2 moons, batch 64 |" in text and "×" in text and "one BLAS thread" in text
