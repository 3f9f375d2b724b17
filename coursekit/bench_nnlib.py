"""Benchmark: nnlib's training step against the NumPy floor (and PyTorch CPU when it is importable).

The figure of interest is a ratio measured in one run, on this machine:

* **nnlib**: :func:`nnlib.training.train` (forward, backward, update, and the per-epoch history it
  records), CPU time per step;
* **floor**: :func:`floor_train`, a minimal hand-written NumPy loop of the same math producing the
  same results (same batches from the same ``rng``, same per-epoch training loss and accuracy): on
  full batch it records the loss of the forward pass it runs anyway, on minibatches it runs one
  cache-free forward pass over all rows per epoch, because that is what the history means;
* **torch** (only if ``import torch`` works; it is not a dependency): the same loop with autograd
  in float64, one thread.

Everything runs in float64 with one BLAS thread (threadpoolctl), on the book's networks. Each
round times the floor and nnlib back to back (the order alternates between rounds); the table
shows the medians over rounds of the per-step times and of the per-round ratios, so that load
from other processes on a shared machine mostly cancels out. Times are CPU times
(``time.process_time``), not wall-clock.

Run it with ``python -m coursekit.bench_nnlib`` (``--rounds``, ``--quick``).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["CONFIGS", "Config", "floor_train", "measure", "run", "main"]


@dataclass(frozen=True)
class Config:
    """One benchmarked network: layer sizes, data, batch size (None = full batch), activation."""

    name: str
    sizes: tuple
    data: str  # "moons", "digits" or "random"
    n: int
    batch_size: int | None
    activation: str = "relu"
    lr: float = 0.1


CONFIGS = (
    Config("2-16-16-2 moons, batch 64", (2, 16, 16, 2), "moons", 300, 64),
    Config("2-16-16-2 moons, full batch 300", (2, 16, 16, 2), "moons", 300, None),
    Config("2-16-16-2 moons tanh, full batch 300", (2, 16, 16, 2), "moons", 300, None, "tanh"),
    Config("64-64-10 digits, full batch 1300", (64, 64, 10), "digits", 1300, None),
    Config("784-256-256-10, batch 64", (784, 256, 256, 10), "random", 1024, 64, lr=0.01),
)
"""The book's networks (the last one is the MNIST-sized net, on random data)."""


def make_data(config):
    """Inputs ``(N, D)`` float64 and integer labels ``(N,)`` for ``config``."""
    rng = np.random.default_rng(0)
    if config.data == "moons":
        from nnlib.datasets import make_moons
        return make_moons(config.n, noise=0.2, rng=rng)
    if config.data == "digits":
        from nnlib.datasets import load_digits
        X, y = load_digits()
        return X[: config.n], y[: config.n]
    X = rng.standard_normal((config.n, config.sizes[0]))
    return X, rng.integers(0, config.sizes[-1], size=config.n)


# ------------------------------------------------------------------ the floor


def _floor_forward(Ws, bs, X, tanh):
    """Hidden activations ``[X, A1, ..., A_{L-1}]`` and the scores."""
    inputs = [X]
    A = X
    for W, b in zip(Ws[:-1], bs[:-1]):
        Z = A @ W
        Z += b
        A = np.tanh(Z, out=Z) if tanh else np.maximum(Z, 0.0, out=Z)
        inputs.append(A)
    S = A @ Ws[-1]
    S += bs[-1]
    return inputs, S


def _floor_loss_acc(S, y):
    """Mean softmax cross-entropy and accuracy of scores ``S``; ``S`` is shifted in place."""
    rows = np.arange(S.shape[0])
    acc = float(np.mean(S.argmax(axis=1) == y))
    S -= S.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(S).sum(axis=1))
    return float(np.mean(log_norm - S[rows, y])), acc, log_norm


def floor_train(params, X, y, *, rng, activation="relu", lr=0.1, epochs=1, batch_size=None):
    """Minimal NumPy training loop: the math of :func:`nnlib.training.train` (softmax head, plain SGD).

    Returns the trained ``(Ws, bs)`` lists and the per-epoch ``(train_loss, train_acc)`` lists.
    """
    L = len(params) // 2
    Ws = [np.array(params[f"W{l}"], dtype=np.float64) for l in range(1, L + 1)]
    bs = [np.array(params[f"b{l}"], dtype=np.float64) for l in range(1, L + 1)]
    tanh = activation == "tanh"
    n = X.shape[0]
    full = batch_size is None or batch_size >= n
    losses, accs = [], []
    for epoch in range(epochs):
        if full:
            batches = [None]
        else:
            order = rng.permutation(n)
            batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        for idx in batches:
            Xb, yb = (X, y) if idx is None else (X[idx], y[idx])
            m = Xb.shape[0]
            inputs, S = _floor_forward(Ws, bs, Xb, tanh)
            value, acc, log_norm = _floor_loss_acc(S, yb)
            if full and epoch > 0:  # the loss of the parameters after the previous epoch
                losses.append(value)
                accs.append(acc)
            S -= log_norm[:, None]
            dZ = np.exp(S, out=S)
            dZ[np.arange(m), yb] -= 1.0
            dZ /= m
            for l in range(L - 1, -1, -1):
                A = inputs[l]
                dW = A.T @ dZ
                db = dZ.sum(axis=0)
                if l > 0:
                    dZ = dZ @ Ws[l].T
                    dZ *= (1.0 - A * A) if tanh else (A > 0.0)
                dW *= lr
                db *= lr
                Ws[l] -= dW
                bs[l] -= db
        if not full or epoch == epochs - 1:
            value, acc, _ = _floor_loss_acc(_floor_forward(Ws, bs, X, tanh)[1], y)
            losses.append(value)
            accs.append(acc)
    return (Ws, bs), (losses, accs)


# -------------------------------------------------------------------- PyTorch


def _torch_runner(config, params, X, y):
    """A callable running the same loop in PyTorch (float64, one thread), or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    Xt, yt = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(np.asarray(y, dtype=np.int64))
    L = len(params) // 2
    act = torch.tanh if config.activation == "tanh" else torch.relu
    n = X.shape[0]
    full = config.batch_size is None or config.batch_size >= n

    def forward(weights, Xb):
        A = Xb
        for l in range(L - 1):
            A = act(A @ weights[2 * l] + weights[2 * l + 1])
        return A @ weights[-2] + weights[-1]

    def run(epochs, rng):
        weights = []
        for l in range(1, L + 1):
            weights += [torch.tensor(params[f"W{l}"], requires_grad=True),
                        torch.tensor(params[f"b{l}"], requires_grad=True)]
        for _ in range(epochs):
            if full:
                batches = [None]
            else:
                order = torch.from_numpy(rng.permutation(n))
                batches = [order[i : i + config.batch_size] for i in range(0, n, config.batch_size)]
            for idx in batches:
                Xb, yb = (Xt, yt) if idx is None else (Xt[idx], yt[idx])
                loss = torch.nn.functional.cross_entropy(forward(weights, Xb), yb)
                grads = torch.autograd.grad(loss, weights)
                with torch.no_grad():
                    for w, g in zip(weights, grads):
                        w -= config.lr * g
            with torch.no_grad():  # the per-epoch history, as nnlib records it
                scores = forward(weights, Xt)
                float(torch.nn.functional.cross_entropy(scores, yt))
                float((scores.argmax(dim=1) == yt).double().mean())
        return weights

    return run


# ------------------------------------------------------------------ measuring


def _steps_per_epoch(config):
    return 1 if config.batch_size is None else -(-config.n // config.batch_size)


def _cpu(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start


def measure(config, *, rounds=15, min_seconds=0.04):
    """Paired, interleaved timings of nnlib, the floor (and torch) on ``config``.

    Returns a dict with the median per-step times in microseconds (``floor_us``, ``nnlib_us``,
    ``torch_us`` or None), the median per-round ratios (``ratio``, ``torch_ratio``), the
    interquartile range of ``ratio`` and the largest parameter difference between nnlib and the
    floor (a check that the floor does the same math).
    """
    from nnlib.mlp import init_params
    from nnlib.training import train

    X, y = make_data(config)
    params = init_params(list(config.sizes), rng=np.random.default_rng(1))
    kwargs = dict(activation=config.activation, lr=config.lr, batch_size=config.batch_size)

    def run_nnlib(epochs):
        return train(params, X, y, rng=np.random.default_rng(2), epochs=epochs, progress=False, **kwargs)

    def run_floor(epochs):
        return floor_train(params, X, y, rng=np.random.default_rng(2), epochs=epochs, **kwargs)

    torch_run = _torch_runner(config, params, X, y)
    # same results: the floor is the same computation (up to rounding in a different order)
    (Ws, bs), (losses, _) = run_floor(3)
    trained, history = run_nnlib(3)
    diff = max(float(np.max(np.abs(trained[f"W{l}"] - W))) for l, W in enumerate(Ws, start=1))
    diff = max(diff, float(np.max(np.abs(np.subtract(history.train_loss, losses)))))

    epochs = 1
    while _cpu(lambda: run_floor(epochs)) < min_seconds and epochs < 100_000:
        epochs *= 2
    steps = epochs * _steps_per_epoch(config)
    floor_t, nnlib_t, torch_t = [], [], []
    for r in range(rounds):
        pair = [("floor", lambda: run_floor(epochs)), ("nnlib", lambda: run_nnlib(epochs))]
        if torch_run is not None:
            pair.append(("torch", lambda: torch_run(epochs, np.random.default_rng(2))))
        if r % 2:
            pair.reverse()
        for name, fn in pair:
            {"floor": floor_t, "nnlib": nnlib_t, "torch": torch_t}[name].append(_cpu(fn) / steps)
    ratios = [a / b for a, b in zip(nnlib_t, floor_t)]
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return {
        "config": config,
        "steps": steps,
        "floor_us": 1e6 * statistics.median(floor_t),
        "nnlib_us": 1e6 * statistics.median(nnlib_t),
        "ratio": statistics.median(ratios),
        "ratio_iqr": (q[0], q[2]),
        "torch_us": 1e6 * statistics.median(torch_t) if torch_t else None,
        "torch_ratio": statistics.median(a / b for a, b in zip(nnlib_t, torch_t)) if torch_t else None,
        "max_diff": diff,
    }


def _single_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib
        print("threadpoolctl is missing: BLAS threads are not limited", file=sys.stderr)
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def format_table(results):
    """A Markdown table of :func:`measure` results."""
    lines = [
        "| network | floor µs/step | nnlib µs/step | nnlib / floor (IQR) | torch µs/step | nnlib / torch |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lo, hi = r["ratio_iqr"]
        torch_us = "n/a" if r["torch_us"] is None else f"{r['torch_us']:.1f}"
        torch_ratio = "n/a (not installed)" if r["torch_ratio"] is None else f"{r['torch_ratio']:.2f}×"
        lines.append(
            f"| {r['config'].name} | {r['floor_us']:.1f} | {r['nnlib_us']:.1f} | "
            f"{r['ratio']:.2f}× ({lo:.2f}–{hi:.2f}) | {torch_us} | {torch_ratio} |"
        )
    return "\n".join(lines)


def run(rounds=15, configs=CONFIGS, min_seconds=0.04):
    """Measure every config with one BLAS thread and return the table as text."""
    with _single_blas_thread():
        results = [measure(c, rounds=rounds, min_seconds=min_seconds) for c in configs]
    worst = max(r["max_diff"] for r in results)
    note = (f"\n\nfloat64, one BLAS thread, {rounds} paired interleaved rounds, medians of CPU time; "
            f"largest |nnlib - floor| difference in parameters or history after 3 epochs: {worst:.1e}")
    return format_table(results) + note


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursekit.bench_nnlib", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15, help="paired rounds per network (default 15)")
    parser.add_argument("--quick", action="store_true", help="3 rounds of ~10 ms: a smoke test, not a measurement")
    args = parser.parse_args(argv)
    if args.quick:
        print(run(rounds=3, min_seconds=0.01))
    else:
        print(run(rounds=args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
