"""Hidden checks and mutants for chapter 4, ``nnlib.initialization``.

Random initializers are judged by distributional properties of large matrices (mean,
mean square, tails, bounds), never by the exact draws; each statistical check states
the probability that a correct implementation fails it. Probes of large matrices
return summary numbers, not the matrices. Batch-norm backward is judged against
central differences computed here and against the reference, on caches built here
(so a wrong forward pass does not cost the backward exercise).
"""
from __future__ import annotations

import math

import numpy as np

from ..hidden import CheckSuite
from ..variants import Mutant
from .common import all_value_errors, generator, outcomes, wrong_type

SUITE = CheckSuite("initialization")
check = SUITE.check

NORMAL_SCHEMES = ("small", "lecun", "glorot_normal", "he")


# -- shared helpers ---------------------------------------------------------------
def _array(value, shape, label):
    """``value`` as a finite float64 array of ``shape``; ValueError (a failure) otherwise."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise ValueError(f"{label} must be an array of shape {shape}, got {type(value).__name__}")
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise ValueError(f"{label} must hold numbers, got dtype {array.dtype}")
    array = array.astype(np.float64)
    if array.shape != tuple(shape):
        raise ValueError(f"{label} has shape {array.shape}, expected {tuple(shape)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{label} contains NaN or infinite values")
    return array


def _number(value, label):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number, got {value!r}")
    return float(value)


def _list(value, length, label):
    if not isinstance(value, (list, tuple)) or len(value) != length:
        size = len(value) if isinstance(value, (list, tuple)) else type(value).__name__
        raise ValueError(f"{label} must be a list of {length} items, got {size}")
    return value


def _std(scheme, n_in, n_out):
    return {"small": 0.01, "lecun": math.sqrt(1 / n_in), "glorot_normal": math.sqrt(2 / (n_in + n_out)),
            "he": math.sqrt(2 / n_in), "glorot_uniform": math.sqrt(2 / (n_in + n_out))}[scheme]


def _summary(W, s=1.0):
    """Plain summary numbers of a weight matrix (the probes never ship large matrices).

    ``s`` is the standard deviation the scheme asks for: ``tail`` is the fraction of
    weights beyond 2 s, ``inner`` the fraction within half the uniform bound sqrt(3) s.
    """
    W = np.asarray(W, dtype=np.float64)
    magnitudes = np.abs(W)
    return {"shape": list(W.shape), "mean": float(W.mean()), "meansq": float(np.mean(W * W)),
            "absmax": float(magnitudes.max()), "tail": float(np.mean(magnitudes > 2 * s)),
            "inner": float(np.mean(magnitudes < math.sqrt(3) * s / 2))}


def _summary_problem(summary, shape, label):
    if not isinstance(summary, dict):
        return f"{label}: expected a weight matrix, got {type(summary).__name__}"
    got_shape = tuple(summary["shape"]) if isinstance(summary.get("shape"), list) else summary.get("shape")
    if got_shape != tuple(shape):
        swapped = " (rows are the n_in inputs, columns the n_out units)" if got_shape == tuple(shape)[::-1] else ""
        return f"{label}: the matrix has shape {got_shape}, expected {tuple(shape)}{swapped}"
    for key in ("mean", "meansq", "absmax", "tail", "inner"):
        _number(summary[key], f"{label}: {key}")
    return None


# Shapes of the large matrices: both orientations, so that fan-in and fan-out differ.
_BIG = [(1500, 400), (400, 1500)]
_N_BIG = 1500 * 400


# -- init_weights -------------------------------------------------------------------
@check("init_weights", "every scheme returns a float64 (n_in, n_out) matrix; 'zeros' is all zeros")
def _iw_shapes(student, seed):
    rng = generator(seed, 0)
    result = []
    for scheme in ("zeros", "small", "lecun", "glorot_normal", "glorot_uniform", "he"):
        n_in, n_out = int(rng.integers(1, 40)), int(rng.integers(1, 40))
        W = student.init_weights(n_in, n_out, scheme, generator(seed, 1))
        result.append([scheme, n_in, n_out, str(np.asarray(W).dtype), np.asarray(W, dtype=np.float64)])
    return result


@_iw_shapes.judge
def _(got, reference, seed):
    _list(got, 6, "results")
    for scheme, n_in, n_out, dtype, W in got:
        W = _array(W, (n_in, n_out), f"scheme {scheme!r} with n_in={n_in}, n_out={n_out}")
        if dtype != "float64":
            return f"scheme {scheme!r}: dtype {dtype}, expected float64"
        if scheme == "zeros" and np.any(W != 0):
            return "scheme 'zeros' must give a matrix of zeros"
    return None


# Variance: with k = 600,000 independent N(0, s^2) draws, k * mean(w^2) / s^2 is chi-square
# with k degrees of freedom. Laurent & Massart (2000) with x = 30: it deviates from k by more
# than 2 sqrt(k x) + 2 x, i.e. mean(w^2) / s^2 from 1 by more than 0.0143, with probability
# below 2 exp(-30) < 2e-13. The tolerance is 0.02; 8 matrices: a correct answer fails < 2e-12.
# Mean: mean(w) ~ N(0, s^2 / k); |mean| > 0.02 s is 15 standard deviations: < 1e-50.
_VAR_TOL, _MEAN_TOL = 0.02, 0.02


@check("init_weights", "lecun, glorot_normal, he and small have mean 0 and the right variance (600,000 draws, both orientations)")
def _iw_variance(student, seed):
    return [[_summary(student.init_weights(n_in, n_out, scheme, generator(seed, 10 + i)), _std(scheme, n_in, n_out))
             for i, (n_in, n_out) in enumerate(_BIG)] for scheme in NORMAL_SCHEMES]


@_iw_variance.judge
def _(got, reference, seed):
    _list(got, len(NORMAL_SCHEMES), "results")
    for scheme, summaries in zip(NORMAL_SCHEMES, got):
        _list(summaries, len(_BIG), f"scheme {scheme!r}")
        for summary, (n_in, n_out) in zip(summaries, _BIG):
            label = f"scheme {scheme!r}, n_in={n_in}, n_out={n_out}"
            problem = _summary_problem(summary, (n_in, n_out), label)
            if problem:
                return problem
            s = _std(scheme, n_in, n_out)
            ratio = summary["meansq"] / s ** 2
            if not abs(ratio - 1) <= _VAR_TOL:
                hint = ""
                if scheme == "he" and abs(summary["meansq"] / (2 / n_out) - 1) <= _VAR_TOL:
                    hint = " (He uses the fan-in n_in, not the fan-out)"
                elif abs(summary["meansq"] / s - 1) <= _VAR_TOL:
                    hint = " (the variance was used as the standard deviation: take its square root)"
                return f"{label}: the weights have variance {summary['meansq']:.4g}, expected {s ** 2:.4g}{hint}"
            if not abs(summary["mean"]) <= _MEAN_TOL * s:
                return f"{label}: the weights have mean {summary['mean']:.3g}, expected 0"
    return None


# Uniform on [-a, a]: w^2 / a^2 lies in [0, 1] with mean 1/3. Hoeffding: the mean of k
# draws is off by more than t = 0.02 / 3 with probability <= 2 exp(-2 k t^2) = 2 exp(-53).
# The fraction with |w| < a / 2 is off from 1/2 by more than 0.005 with probability
# <= 2 exp(-30); all |w| < 0.99 a has probability 0.99^k = exp(-6000). Total < 1e-12.
@check("init_weights", "glorot_uniform stays within +-sqrt(6/(n_in+n_out)), fills that interval evenly, variance 2/(n_in+n_out)")
def _iw_uniform(student, seed):
    return [_summary(student.init_weights(n_in, n_out, "glorot_uniform", generator(seed, 20 + i)),
                     _std("glorot_uniform", n_in, n_out))
            for i, (n_in, n_out) in enumerate(_BIG)]


@_iw_uniform.judge
def _(got, reference, seed):
    _list(got, len(_BIG), "results")
    for summary, (n_in, n_out) in zip(got, _BIG):
        label = f"n_in={n_in}, n_out={n_out}"
        problem = _summary_problem(summary, (n_in, n_out), label)
        if problem:
            return problem
        a = math.sqrt(6 / (n_in + n_out))
        if not summary["absmax"] <= a * (1 + 1e-12):
            return f"{label}: a weight of size {summary['absmax']:.4g} lies outside [-a, a], a = sqrt(6/(n_in+n_out)) = {a:.4g}"
        if not summary["absmax"] >= 0.99 * a:
            return (f"{label}: the largest |w| is {summary['absmax']:.4g}, far inside [-a, a] with a = {a:.4g} "
                    "(the bound is sqrt(6 / (n_in + n_out)), not sqrt(2 / (n_in + n_out)))")
        ratio = summary["meansq"] / (a * a / 3)
        if not abs(ratio - 1) <= _VAR_TOL:
            return f"{label}: variance {summary['meansq']:.4g}, expected a^2 / 3 = {a * a / 3:.4g}"
        inner = summary["inner"]
        if not abs(inner - 0.5) <= 0.005 or not abs(summary["mean"]) <= _MEAN_TOL * a:
            return f"{label}: the weights are not uniform on [-a, a] ({inner:.3f} of them have |w| < a/2, expected 0.5)"
    return None


# Gaussian tails: for N(0, s^2) the fraction of |w| > 2 s is 0.0455; Hoeffding on 600,000
# draws: off by more than 0.005 with probability <= 2 exp(-30). (A uniform distribution
# with the same variance never exceeds 1.73 s.) 8 matrices: < 2e-12.
@check("init_weights", "the normal schemes are Gaussian: about 4.55% of the weights lie beyond 2 standard deviations")
def _iw_gaussian(student, seed):
    return [[_summary(student.init_weights(n_in, n_out, scheme, generator(seed, 30 + i)), _std(scheme, n_in, n_out))
             for i, (n_in, n_out) in enumerate(_BIG)] for scheme in NORMAL_SCHEMES]


@_iw_gaussian.judge
def _(got, reference, seed):
    _list(got, len(NORMAL_SCHEMES), "results")
    expected = math.erfc(2 / math.sqrt(2))
    for scheme, summaries in zip(NORMAL_SCHEMES, got):
        _list(summaries, len(_BIG), f"scheme {scheme!r}")
        for summary, (n_in, n_out) in zip(summaries, _BIG):
            label = f"scheme {scheme!r}, n_in={n_in}, n_out={n_out}"
            problem = _summary_problem(summary, (n_in, n_out), label)
            if problem:
                return problem
            tail = summary["tail"]
            if not abs(tail - expected) <= 0.005:
                return f"{label}: {tail:.2%} of the weights lie beyond 2 standard deviations, expected {expected:.2%} for a normal distribution"
    return None


@check("init_weights", "the same seed gives the same matrix, another seed another one, no two entries equal")
def _iw_seeded(student, seed):
    result = []
    for scheme in ("small", "lecun", "glorot_normal", "glorot_uniform", "he"):
        pair = [np.asarray(student.init_weights(30, 20, scheme, generator(seed, s)), dtype=np.float64) for s in (40, 40, 41)]
        result.append(pair)
    return result


@_iw_seeded.judge
def _(got, reference, seed):
    _list(got, 5, "results")
    for scheme, triple in zip(("small", "lecun", "glorot_normal", "glorot_uniform", "he"), got):
        first, again, other = (_array(W, (30, 20), f"scheme {scheme!r}") for W in _list(triple, 3, scheme))
        if not np.array_equal(first, again):
            return f"scheme {scheme!r}: two generators with the same seed gave different matrices; draw only from rng"
        if np.array_equal(first, other):
            return f"scheme {scheme!r}: generators with different seeds gave the same matrix: is rng used?"
        if np.unique(first).size != first.size:
            return f"scheme {scheme!r}: some weights are repeated; draw every entry independently"
    return None


_BAD_INIT = ["scheme 'xavier'", "scheme 'He' (wrong case)", "n_in = 0", wrong_type("n_out = 2.5"),
             wrong_type("rng = None"), wrong_type("rng = 42")]


@check("init_weights", "an unknown scheme, a non-positive or non-integer size, or a missing Generator raises ValueError")
def _iw_errors(student, seed):
    f = student.init_weights
    return outcomes([lambda: f(3, 4, "xavier", generator(seed)), lambda: f(3, 4, "He", generator(seed)),
                     lambda: f(0, 4, "he", generator(seed)), lambda: f(3, 2.5, "he", generator(seed)),
                     lambda: f(3, 4, "he", None), lambda: f(3, 4, "lecun", 42)])


@_iw_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_INIT), "outcomes"), _BAD_INIT)


# -- init_network -------------------------------------------------------------------
def _sizes(seed, i):
    rng = generator(seed, 100 + i)
    return [int(s) for s in rng.integers(1, 30, size=int(rng.integers(2, 6)))]


def _params_problem(params, sizes, label):
    """Why ``params`` is not a well-formed parameter dict for ``sizes`` with zero biases, or None."""
    L = len(sizes) - 1
    expected = {f"{p}{l}" for l in range(1, L + 1) for p in "Wb"}
    if not isinstance(params, dict) or set(params) != expected:
        keys = sorted(params) if isinstance(params, dict) else type(params).__name__
        return f"{label}: expected the keys {sorted(expected)}, got {keys}"
    for l in range(1, L + 1):
        _array(params[f"W{l}"], (sizes[l - 1], sizes[l]), f"{label}: W{l}")
        b = _array(params[f"b{l}"], (sizes[l],), f"{label}: b{l}")
        if np.any(b != 0):
            return f"{label}: b{l} must be all zeros (biases start at 0), found {b[b != 0][0]:.3g}"
    return None


@check("init_network", "keys W1..WL and b1..bL, shapes (layer_sizes[l-1], layer_sizes[l]), float64, biases exactly 0")
def _in_structure(student, seed):
    result = []
    for i, scheme in enumerate(("he", "glorot_uniform", "zeros", "lecun", "small")):
        params = student.init_network(_sizes(seed, i), scheme, generator(seed, 110 + i))
        dtypes = {str(k): str(np.asarray(v).dtype) for k, v in params.items()} if isinstance(params, dict) else None
        result.append([params, dtypes])
    return result


@_in_structure.judge
def _(got, reference, seed):
    _list(got, 5, "results")
    for i, ((params, dtypes), scheme) in enumerate(zip(got, ("he", "glorot_uniform", "zeros", "lecun", "small"))):
        sizes = _sizes(seed, i)
        problem = _params_problem(params, sizes, f"layer_sizes={sizes}, scheme {scheme!r}")
        if problem:
            return problem
        if not isinstance(dtypes, dict) or any(d != "float64" for d in dtypes.values()):
            return f"layer_sizes={sizes}: every array must be float64, got {dtypes}"
        if scheme == "zeros" and any(np.any(np.asarray(v) != 0) for v in params.values()):
            return "scheme 'zeros': every weight must be 0"
    return None


_NET = [700, 500, 300, 900]   # layers of 350,000, 150,000 and 270,000 weights


# Per layer k >= 150,000 draws; Laurent & Massart with x = 30: mean(w^2) / s^2 is off from 1
# by more than 2 sqrt(30 / k) + 60 / k = 0.0285 with probability < 2 exp(-30); tolerance 0.03,
# 6 layers: a correct answer fails with probability < 2e-12.
@check("init_network", "each layer uses its own fan-in (and fan-out): variances of he and glorot_normal layer by layer")
def _in_variance(student, seed):
    result = []
    for i, scheme in enumerate(("he", "glorot_normal")):
        params = student.init_network(_NET, scheme, generator(seed, 120 + i))
        keys = [f"W{l}" for l in range(1, len(_NET))]
        result.append([_summary(params[k]) for k in keys] + [[float(np.abs(params[f"b{l}"]).max()) for l in range(1, len(_NET))]])
    return result


@_in_variance.judge
def _(got, reference, seed):
    _list(got, 2, "results")
    for scheme, summaries in zip(("he", "glorot_normal"), got):
        _list(summaries, len(_NET), f"scheme {scheme!r}")
        for l, summary in enumerate(summaries[:-1], start=1):
            n_in, n_out = _NET[l - 1], _NET[l]
            label = f"scheme {scheme!r}, layer {l} ({n_in} -> {n_out})"
            problem = _summary_problem(summary, (n_in, n_out), label)
            if problem:
                return problem
            s = _std(scheme, n_in, n_out)
            if not abs(summary["meansq"] / s ** 2 - 1) <= 0.03:
                hint = " (is the fan-in of layer l layer_sizes[l-1]?)" if abs(summary["meansq"] / (2 / n_out) - 1) <= 0.03 else ""
                return f"{label}: variance {summary['meansq']:.4g}, expected {s ** 2:.4g}{hint}"
        biggest = [_number(v, "bias size") for v in _list(summaries[-1], len(_NET) - 1, "bias sizes")]
        if any(b != 0 for b in biggest):
            return f"scheme {scheme!r}: the biases must start at exactly 0"
    return None


# Correlation of two independent 90,000-entry layers: r ~ N(0, 1/90,000); |r| > 0.03 is a
# 9-sigma event (< 1e-18), three pairs.
@check("init_network", "layers are independent draws; the same seed repeats the network, another seed changes it")
def _in_independent(student, seed):
    sizes = [300, 300, 300, 300]
    first = student.init_network(sizes, "he", generator(seed, 130))
    again = student.init_network(sizes, "he", generator(seed, 130))
    other = student.init_network(sizes, "he", generator(seed, 131))
    weights = [np.asarray(first[f"W{l}"], dtype=np.float64).ravel() for l in (1, 2, 3)]
    correlations = [float(np.corrcoef(weights[a], weights[b])[0, 1]) for a, b in ((0, 1), (0, 2), (1, 2))]
    same = all(np.array_equal(np.asarray(first[k]), np.asarray(again[k])) for k in first)
    differ = any(not np.array_equal(np.asarray(first[k]), np.asarray(other[k])) for k in first if k[0] == "W")
    return [[_summary(first[f"W{l}"]) for l in (1, 2, 3)], correlations, same, differ]


@_in_independent.judge
def _(got, reference, seed):
    summaries, correlations, same, differ = _list(got, 4, "results")
    for l, summary in enumerate(_list(summaries, 3, "layers"), start=1):
        problem = _summary_problem(summary, (300, 300), f"W{l}")
        if problem:
            return problem
    for (a, b), r in zip(((1, 2), (1, 3), (2, 3)), _list(correlations, 3, "correlations")):
        if not abs(_number(r, "correlation")) <= 0.03:
            return f"W{a} and W{b} are correlated (r = {r:.3f}): every layer needs fresh random draws"
    if same is not True:
        return "two generators with the same seed gave different networks: draw only from rng"
    if differ is not True:
        return "generators with different seeds gave the same network: is rng used?"
    return None


@check("init_network", "glorot_uniform bounds use each layer's own n_in + n_out")
def _in_uniform(student, seed):
    sizes = [20, 300, 40, 10]
    params = student.init_network(sizes, "glorot_uniform", generator(seed, 140))
    return [[float(np.abs(params[f"W{l}"]).max()), list(np.shape(params[f"W{l}"]))] for l in range(1, 4)]


@_in_uniform.judge
def _(got, reference, seed):
    sizes = [20, 300, 40, 10]
    _list(got, 3, "layers")
    for l, (largest, shape) in enumerate(got, start=1):
        n_in, n_out = sizes[l - 1], sizes[l]
        if tuple(_list(shape, 2, f"shape of W{l}")) != (n_in, n_out):
            return f"W{l} has shape {tuple(shape)}, expected {(n_in, n_out)}"
        a = math.sqrt(6 / (n_in + n_out))
        # at least 400 draws per layer: P(max |w| < 0.95 a) = 0.95^400 < 2e-9
        if not 0.95 * a <= _number(largest, "largest weight") <= a * (1 + 1e-12):
            return f"W{l} ({n_in} -> {n_out}): largest |w| {largest:.4g}, expected just below a = {a:.4g}"
    return None


_BAD_NETWORK = ["one layer size", "a size of 0", wrong_type("a size of 2.5"), "unknown scheme",
                wrong_type("rng = None"), wrong_type("a string")]


@check("init_network", "bad layer sizes, an unknown scheme or a missing Generator raise ValueError")
def _in_errors(student, seed):
    f = student.init_network
    return outcomes([lambda: f([5], "he", generator(seed)), lambda: f([5, 0, 2], "he", generator(seed)),
                     lambda: f([5, 2.5, 2], "he", generator(seed)), lambda: f([5, 3, 2], "kaiming", generator(seed)),
                     lambda: f([5, 3, 2], "he", None), lambda: f("532", "he", generator(seed))])


@_in_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_NETWORK), "outcomes"), _BAD_NETWORK)


# -- activation_stats ---------------------------------------------------------------
_KEYS = ("mean", "std", "saturated", "zero")


def _stat_network(seed, i):
    """A random network (nonzero biases, weights large enough to saturate some units) and inputs."""
    rng = generator(seed, 200 + i)
    sizes = [int(s) for s in rng.integers(3, 40, size=int(rng.integers(3, 7)))]
    params = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        params[f"W{l}"] = rng.normal(0, rng.uniform(0.3, 3.0) / math.sqrt(n_in), size=(n_in, n_out))
        params[f"b{l}"] = rng.normal(0, 0.5, size=n_out)
    X = rng.normal(0, rng.uniform(0.5, 2.0), size=(int(rng.integers(40, 120)), sizes[0]))
    return params, X


def _stats_problem(got, expected, label):
    _list(got, len(expected), f"{label}: the list of hidden-layer stats (one dict per hidden layer)")
    for l, (stats, want) in enumerate(zip(got, expected), start=1):
        if not isinstance(stats, dict) or set(stats) != set(_KEYS):
            keys = sorted(stats) if isinstance(stats, dict) else type(stats).__name__
            return f"{label}, hidden layer {l}: expected a dict with keys {sorted(_KEYS)}, got {keys}"
        for key in _KEYS:
            value = _number(stats[key], f"{label}, layer {l}, {key}")
            tol = 1e-9 * (1 + abs(want[key])) if key in ("mean", "std") else 1e-9
            if not abs(value - want[key]) <= tol:
                return f"{label}, hidden layer {l}: {key} = {value:.6g}, expected {want[key]:.6g}"
    return None


def _stats_check(activation, streams):
    def probe(student, seed):
        return [student.activation_stats(*_stat_network(seed, i), activation=activation) for i in streams]

    def judge(got, reference, seed):
        _list(got, len(streams), "results")
        for result, i in zip(got, streams):
            params, X = _stat_network(seed, i)
            expected = reference.activation_stats(params, X, activation=activation)
            problem = _stats_problem(result, expected, f"{activation} network {len(expected) + 1} layers, N={len(X)}")
            if problem:
                return problem
        return None
    return probe, judge


for _activation, _streams, _what in (
        ("tanh", range(0, 4), "tanh: mean, std, saturated fraction (f' < 0.01) and zero fraction per hidden layer (random networks)"),
        ("relu", range(4, 8), "relu: mean, std, saturated (dead) and zero fractions per hidden layer (random networks)"),
        ("sigmoid", range(8, 11), "sigmoid: the same four statistics per hidden layer (random networks)")):
    _probe, _judge = _stats_check(_activation, list(_streams))
    check("activation_stats", _what)(_probe).judge(_judge)


@check("activation_stats", "a network without hidden layer gives [], inputs are not modified, tanh defaults")
def _as_edges(student, seed):
    params, X = _stat_network(seed, 20)
    single = {"W1": params["W1"], "b1": params["b1"]}
    return [student.activation_stats(single, X), student.activation_stats(params, X), params, X]


@_as_edges.judge
def _(got, reference, seed):
    empty, default, params_after, X_after = _list(got, 4, "results")
    params, X = _stat_network(seed, 20)
    if not isinstance(empty, list) or empty:
        return f"a network with one (linear) layer has no hidden layer: expected [], got {empty!r}"[:200]
    if not isinstance(params_after, dict) or set(params_after) != set(params) or \
            not all(np.array_equal(np.asarray(params_after[k]), params[k]) for k in params) or \
            not np.array_equal(np.asarray(X_after), X):
        return "activation_stats modified params or X"
    return _stats_problem(default, reference.activation_stats(params, X, activation="tanh"), "default activation (tanh)")


_BAD_STATS = ["X with the wrong number of columns", "a 1-D X", "activation 'softplus'", "params without b2"]


@check("activation_stats", "a mismatched X, an unknown activation or malformed params raise ValueError")
def _as_errors(student, seed):
    params, X = _stat_network(seed, 21)
    broken = {k: v for k, v in params.items() if k != "b2"}
    f = student.activation_stats
    return outcomes([lambda: f(params, X[:, 1:]), lambda: f(params, X[0]), lambda: f(params, X, activation="softplus"),
                     lambda: f(broken, X)])


@_as_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_STATS), "outcomes"), _BAD_STATS)


# -- batch normalization: inputs built here -------------------------------------------
def _batch(seed, i, *, n=None, d=None):
    """A batch whose features have very different scales and offsets (one with variance ~1e-4,
    where eps = 1e-5 matters), and random gamma, beta."""
    rng = generator(seed, 300 + i)
    n = int(rng.integers(5, 40)) if n is None else n
    d = int(rng.integers(3, 9)) if d is None else d
    if n == d:
        n += 1
    scales = np.exp(rng.uniform(np.log(0.1), np.log(50.0), size=d))
    scales[0] = 0.01
    x = rng.normal(rng.uniform(-5, 5, size=d), scales, size=(n, d))
    gamma = rng.uniform(0.5, 2.0, size=d) * rng.choice([-1.0, 1.0], size=d)
    beta = rng.normal(0, 1.0, size=d)
    return x, gamma, beta


def _bn_reference(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    std = np.sqrt(var + eps)
    x_hat = (x - mu) / std
    return gamma * x_hat + beta, {"x_hat": x_hat, "gamma": gamma.copy(), "std": std, "mean": mu, "var": var}


@check("batchnorm_forward", "out = gamma * (x - mean) / sqrt(var + eps) + beta, statistics per feature over the batch (random batches)")
def _bf_values(student, seed):
    result = []
    for i in range(5):
        x, gamma, beta = _batch(seed, i)
        out, _ = student.batchnorm_forward(x, gamma, beta, eps=[1e-5, 1e-5, 1e-3, 1e-5, 1e-4][i])
        result.append(out)
    return result


@_bf_values.judge
def _(got, reference, seed):
    _list(got, 5, "outputs")
    for i, out in enumerate(got):
        x, gamma, beta = _batch(seed, i)
        expected, cache = _bn_reference(x, gamma, beta, [1e-5, 1e-5, 1e-3, 1e-5, 1e-4][i])
        out = _array(out, x.shape, f"batch {i + 1}: out")
        if not np.allclose(out, expected, rtol=1e-9, atol=1e-10):
            hint = "" if np.allclose(out.mean(axis=0), beta, atol=1e-6) else \
                " (each feature's output mean must be beta: statistics over the batch, axis 0)"
            return f"batch {i + 1} ({x.shape[0]} examples, {x.shape[1]} features): out differs from the formula{hint}"
    return None


@check("batchnorm_forward", "with gamma = 1, beta = 0 every feature has mean 0 and variance var / (var + eps) (eps inside the root)")
def _bf_normalized(student, seed):
    result = []
    for i in range(5, 9):
        x, gamma, beta = _batch(seed, i)
        out, _ = student.batchnorm_forward(x, np.ones_like(gamma), np.zeros_like(beta))
        result.append(out)
    return result


@_bf_normalized.judge
def _(got, reference, seed):
    _list(got, 4, "outputs")
    for i, out in zip(range(5, 9), got):
        x, _, _ = _batch(seed, i)
        out = _array(out, x.shape, "out")
        var = x.var(axis=0)
        if not np.all(np.abs(out.mean(axis=0)) <= 1e-9):
            return f"a feature of the output has mean {out.mean(axis=0)[np.argmax(np.abs(out.mean(axis=0)))]:.3g}, expected 0 (normalize each column over the rows)"
        got_var, want = out.var(axis=0), var / (var + 1e-5)
        if not np.allclose(got_var, want, rtol=1e-9, atol=0):
            j = int(np.argmax(np.abs(got_var - want)))
            return (f"a feature with batch variance {var[j]:.3g} ends with variance {got_var[j]:.6g}, expected "
                    f"var / (var + eps) = {want[j]:.6g} (biased variance, eps inside the square root)")
    return None


@check("batchnorm_forward", "the cache holds x_hat, gamma, std = sqrt(var + eps), the batch mean and the biased batch variance")
def _bf_cache(student, seed):
    result = []
    for i in range(9, 12):
        x, gamma, beta = _batch(seed, i)
        _, cache = student.batchnorm_forward(x, gamma, beta)
        result.append({k: cache[k] for k in ("x_hat", "gamma", "std", "mean", "var")} if isinstance(cache, dict) else cache)
    return result


@_bf_cache.judge
def _(got, reference, seed):
    _list(got, 3, "caches")
    for i, cache in zip(range(9, 12), got):
        x, gamma, beta = _batch(seed, i)
        _, expected = _bn_reference(x, gamma, beta)
        if not isinstance(cache, dict):
            return f"the cache must be a dict, got {type(cache).__name__}"
        for key, want in expected.items():
            value = _array(cache[key], want.shape, f"cache[{key!r}]")
            if not np.allclose(value, want, rtol=1e-9, atol=1e-12):
                return f"cache[{key!r}] differs from its definition in the docstring"
    return None


@check("batchnorm_forward", "a batch of one example gives beta; x, gamma and beta are not modified")
def _bf_edges(student, seed):
    x, gamma, beta = _batch(seed, 12)
    one, _ = student.batchnorm_forward(x[:1], gamma, beta)
    student.batchnorm_forward(x, gamma, beta)
    return [one, x, gamma, beta]


@_bf_edges.judge
def _(got, reference, seed):
    one, x_after, gamma_after, beta_after = _list(got, 4, "results")
    x, gamma, beta = _batch(seed, 12)
    one = _array(one, (1, x.shape[1]), "out for one example")
    if not np.allclose(one[0], beta, rtol=1e-12, atol=1e-12):
        return "with one example x - mean = 0, so out must equal beta"
    if not (np.array_equal(np.asarray(x_after), x) and np.array_equal(np.asarray(gamma_after), gamma)
            and np.array_equal(np.asarray(beta_after), beta)):
        return "batchnorm_forward modified its inputs"
    return None


_BAD_BN = ["a 1-D x", "gamma of the wrong length", "beta of the wrong length", "eps = 0", "eps = -1e-5"]


@check("batchnorm_forward", "a 1-D x, mismatched gamma/beta or eps <= 0 raise ValueError")
def _bf_errors(student, seed):
    x, gamma, beta = _batch(seed, 13)
    f = student.batchnorm_forward
    return outcomes([lambda: f(x[0], gamma, beta), lambda: f(x, gamma[1:], beta), lambda: f(x, gamma, beta[1:]),
                     lambda: f(x, gamma, beta, eps=0.0), lambda: f(x, gamma, beta, eps=-1e-5)])


@_bf_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_BN), "outcomes"), _BAD_BN)


# -- batchnorm_backward ---------------------------------------------------------------
def _backward_case(seed, i, n=None, d=None):
    """x, gamma, beta, the three-key cache built here, and dout (a random upstream gradient)."""
    x, gamma, beta = _batch(seed, 400 + i, n=n, d=d)
    _, cache = _bn_reference(x, gamma, beta)
    small = {k: cache[k].copy() for k in ("x_hat", "gamma", "std")}
    dout = generator(seed, 450 + i).normal(size=x.shape)
    return x, gamma, beta, small, dout


def _call_backward(student, seed, i, n=None, d=None):
    _, _, _, cache, dout = _backward_case(seed, i, n, d)
    return student.batchnorm_backward(dout, cache)


def _grads(result, shape, label):
    dx, dgamma, dbeta = _list(result, 3, f"{label}: (dx, dgamma, dbeta)")
    return (_array(dx, shape, f"{label}: dx"), _array(dgamma, (shape[1],), f"{label}: dgamma"),
            _array(dbeta, (shape[1],), f"{label}: dbeta"))


def _numeric_dx(x, gamma, beta, dout, h=1e-6):
    """Central differences of L = sum(out * dout) with respect to every entry of x."""
    grad = np.zeros_like(x)
    for index in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (np.sum(_bn_reference(plus, gamma, beta)[0] * dout)
                       - np.sum(_bn_reference(minus, gamma, beta)[0] * dout)) / (2 * h)
    return grad


def _relative_error(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@check("batchnorm_backward", "dx matches central differences of sum(out * dout) (small random batches)")
def _bb_numeric(student, seed):
    result = []
    for i, (n, d) in enumerate([(6, 4), (10, 3), (4, 7)]):
        _, _, _, cache, dout = _backward_case(seed, i, n, d)
        result.append(student.batchnorm_backward(dout, cache))
    return result


@_bb_numeric.judge
def _(got, reference, seed):
    _list(got, 3, "results")
    for i, ((n, d), result) in enumerate(zip([(6, 4), (10, 3), (4, 7)], got)):
        x, gamma, beta, cache, dout = _backward_case(seed, i, n, d)
        dx, _, _ = _grads(result, (n, d), f"batch {n} x {d}")
        numeric = _numeric_dx(x, gamma, beta, dout)
        # h = 1e-6 on features scaled between 0.01 and 50: the difference quotient is accurate
        # to about 1e-7 relative; a missing term is an O(1) error.
        scale = float(np.max(np.abs(numeric)))
        if not np.max(np.abs(dx - numeric)) <= 1e-5 * scale:
            if np.allclose(dx, dout * gamma / cache["std"], rtol=1e-6):
                hint = " (the batch mean and variance depend on x too: their terms are missing)"
            elif not np.allclose(dx.sum(axis=0), 0, atol=1e-8 * scale):
                hint = " (each column of dx should sum to 0: the mean term is missing)"
            else:
                hint = ""
            return f"batch {n} x {d}: dx differs from the numerical gradient (largest relative error {_relative_error(dx, numeric):.2g}){hint}"
    return None


@check("batchnorm_backward", "dgamma = sum(dout * x_hat) and dbeta = sum(dout) over the batch")
def _bb_params(student, seed):
    return [_call_backward(student, seed, i) for i in range(3, 6)]


@_bb_params.judge
def _(got, reference, seed):
    _list(got, 3, "results")
    for i, result in zip(range(3, 6), got):
        x, gamma, beta, cache, dout = _backward_case(seed, i)
        _, dgamma, dbeta = _grads(result, x.shape, f"batch {x.shape}")
        if not np.allclose(dbeta, dout.sum(axis=0), rtol=1e-9, atol=1e-12):
            return "dbeta must be the sum of dout over the batch"
        if not np.allclose(dgamma, np.sum(dout * cache["x_hat"], axis=0), rtol=1e-9, atol=1e-12):
            hint = " (gamma multiplies x_hat, so dgamma sums dout * x_hat)" if np.allclose(dgamma, dout.sum(axis=0)) else ""
            return f"dgamma differs from the sum of dout * x_hat over the batch{hint}"
    return None


@check("batchnorm_backward", "dx equals the reference and every column of dx sums to 0 (larger batches)")
def _bb_reference(student, seed):
    return [_call_backward(student, seed, i, 64, 10) for i in range(6, 8)]


@_bb_reference.judge
def _(got, reference, seed):
    _list(got, 2, "results")
    for i, result in zip(range(6, 8), got):
        x, gamma, beta, cache, dout = _backward_case(seed, i, 64, 10)
        dx, _, _ = _grads(result, x.shape, "batch 64 x 10")
        expected, _, _ = reference.batchnorm_backward(dout, cache)
        scale = float(np.max(np.abs(expected)))
        if not np.max(np.abs(dx.sum(axis=0))) <= 1e-9 * scale * x.shape[0]:
            return "a column of dx does not sum to 0: shifting a feature for every example leaves the output unchanged"
        if not np.allclose(dx, expected, rtol=1e-8, atol=1e-10 * scale):
            return "dx differs from the correct gradient on a batch of 64 examples and 10 features"
    return None


@check("batchnorm_backward", "the cache and dout are not modified")
def _bb_untouched(student, seed):
    _, _, _, cache, dout = _backward_case(seed, 9)
    student.batchnorm_backward(dout, cache)
    return [cache, dout]


@_bb_untouched.judge
def _(got, reference, seed):
    cache_after, dout_after = _list(got, 2, "results")
    _, _, _, cache, dout = _backward_case(seed, 9)
    if not isinstance(cache_after, dict) or set(cache_after) != set(cache) or \
            not all(np.array_equal(np.asarray(cache_after[k]), cache[k]) for k in cache):
        return "batchnorm_backward modified the cache"
    if not np.array_equal(np.asarray(dout_after), dout):
        return "batchnorm_backward modified dout"
    return None


_BAD_BACK = ["cache without 'std'", "dout of the wrong shape", "gamma of the wrong length"]


@check("batchnorm_backward", "a cache without x_hat/gamma/std or mismatched shapes raise ValueError")
def _bb_errors(student, seed):
    _, _, _, cache, dout = _backward_case(seed, 10)
    f = student.batchnorm_backward
    no_std = {k: v for k, v in cache.items() if k != "std"}
    short_gamma = {**cache, "gamma": cache["gamma"][1:]}
    return outcomes([lambda: f(dout, no_std), lambda: f(dout[:, 1:], cache), lambda: f(dout, short_gamma)])


@_bb_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_BACK), "outcomes"), _BAD_BACK)


# -- update_running_stats -------------------------------------------------------------
def _running_case(seed, i):
    rng = generator(seed, 500 + i)
    d = int(rng.integers(2, 9))
    momentum = float(rng.uniform(0.6, 0.99))
    return (rng.normal(0, 3, d), rng.uniform(0.1, 5, d), rng.normal(0, 3, d), rng.uniform(0.1, 5, d)), momentum


@check("update_running_stats", "new = momentum * old + (1 - momentum) * batch for mean and variance (random momentum)")
def _rs_values(student, seed):
    return [student.update_running_stats(*_running_case(seed, i)[0], momentum=_running_case(seed, i)[1]) for i in range(5)]


@_rs_values.judge
def _(got, reference, seed):
    _list(got, 5, "results")
    for i, result in enumerate(got):
        (old_mean, old_var, mean, var), m = _running_case(seed, i)
        new_mean, new_var = _list(result, 2, "(new_mean, new_var)")
        new_mean, new_var = _array(new_mean, mean.shape, "new_mean"), _array(new_var, var.shape, "new_var")
        want_mean, want_var = m * old_mean + (1 - m) * mean, m * old_var + (1 - m) * var
        if not np.allclose(new_mean, want_mean, rtol=1e-12, atol=1e-14):
            swapped = np.allclose(new_mean, (1 - m) * old_mean + m * mean)
            return f"momentum={m:.3f}: new_mean is wrong" + (" (momentum weighs the OLD value)" if swapped else "")
        if not np.allclose(new_var, want_var, rtol=1e-12, atol=1e-14):
            return f"momentum={m:.3f}: new_var is wrong (average the variances themselves, with the same weights as the means)"
    return None


@check("update_running_stats", "momentum 0 keeps the batch statistics; repeated updates converge to constant batch statistics")
def _rs_limits(student, seed):
    (old_mean, old_var, mean, var), _ = _running_case(seed, 10)
    zero = student.update_running_stats(old_mean, old_var, mean, var, momentum=0.0)
    running = (old_mean, old_var)
    for _ in range(300):
        running = student.update_running_stats(running[0], running[1], mean, var)
    return [zero, running]


@_rs_limits.judge
def _(got, reference, seed):
    zero, running = _list(got, 2, "results")
    (_, _, mean, var), _ = _running_case(seed, 10)
    zm, zv = (_array(a, mean.shape, "result") for a in _list(zero, 2, "(new_mean, new_var)"))
    if not (np.allclose(zm, mean, rtol=1e-12, atol=0) and np.allclose(zv, var, rtol=1e-12, atol=0)):
        return "with momentum = 0 the result must be the batch statistics"
    rm, rv = (_array(a, mean.shape, "result") for a in _list(running, 2, "(new_mean, new_var)"))
    # 0.9^300 < 2e-14
    if not (np.allclose(rm, mean, rtol=1e-10, atol=1e-10) and np.allclose(rv, var, rtol=1e-10, atol=1e-10)):
        return "after 300 updates with the same batch statistics (default momentum 0.9) the averages must equal them"
    return None


@check("update_running_stats", "the running arrays passed in are not modified")
def _rs_untouched(student, seed):
    arrays, m = _running_case(seed, 11)
    student.update_running_stats(*arrays, momentum=m)
    return list(arrays)


@_rs_untouched.judge
def _(got, reference, seed):
    arrays, _ = _running_case(seed, 11)
    after = _list(got, 4, "arrays")
    if not all(np.array_equal(np.asarray(a), b) for a, b in zip(after, arrays)):
        return "update_running_stats modified its arguments (return new arrays)"
    return None


_BAD_RUNNING = ["momentum = 1", "momentum = -0.1", "mismatched shapes", "a negative variance"]


@check("update_running_stats", "momentum outside [0, 1), mismatched shapes or a negative variance raise ValueError")
def _rs_errors(student, seed):
    (a, b, c, d), _ = _running_case(seed, 12)
    f = student.update_running_stats
    return outcomes([lambda: f(a, b, c, d, momentum=1.0), lambda: f(a, b, c, d, momentum=-0.1),
                     lambda: f(a, b, c[1:], d), lambda: f(a, -b, c, d)])


@_rs_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_RUNNING), "outcomes"), _BAD_RUNNING)


# -- batchnorm_inference --------------------------------------------------------------
def _inference_case(seed, i):
    x, gamma, beta = _batch(seed, 600 + i)
    rng = generator(seed, 650 + i)
    mean = x.mean(axis=0) + rng.normal(0, 0.5, size=x.shape[1])
    var = x.var(axis=0) * rng.uniform(0.5, 2.0, size=x.shape[1])
    var[0] = 1e-4     # eps = 1e-5 matters here
    return x, gamma, beta, mean, var


@check("batchnorm_inference", "out = gamma * (x - running_mean) / sqrt(running_var + eps) + beta (random inputs)")
def _bi_values(student, seed):
    return [student.batchnorm_inference(*_inference_case(seed, i)) for i in range(4)]


@_bi_values.judge
def _(got, reference, seed):
    _list(got, 4, "outputs")
    for i, out in enumerate(got):
        x, gamma, beta, mean, var = _inference_case(seed, i)
        out = _array(out, x.shape, "out")
        expected = gamma * (x - mean) / np.sqrt(var + 1e-5) + beta
        if not np.allclose(out, expected, rtol=1e-9, atol=1e-10):
            if np.allclose(out, _bn_reference(x, gamma, beta)[0], rtol=1e-6):
                return "the output was normalized with the batch's own statistics; at test time use the running ones"
            return "out differs from gamma * (x - running_mean) / sqrt(running_var + eps) + beta"
    return None


@check("batchnorm_inference", "each example's output is independent of the rest of the batch (a batch of one works)")
def _bi_alone(student, seed):
    x, gamma, beta, mean, var = _inference_case(seed, 5)
    return [student.batchnorm_inference(x, gamma, beta, mean, var),
            [student.batchnorm_inference(x[k:k + 1], gamma, beta, mean, var) for k in range(3)]]


@_bi_alone.judge
def _(got, reference, seed):
    batch, singles = _list(got, 2, "results")
    x, gamma, beta, mean, var = _inference_case(seed, 5)
    batch = _array(batch, x.shape, "out for the batch")
    for k, single in enumerate(_list(singles, 3, "single outputs")):
        single = _array(single, (1, x.shape[1]), f"out for example {k} alone")
        if not np.allclose(single[0], batch[k], rtol=1e-12, atol=1e-12):
            return "an example's output changes with the batch it is in: use only the running statistics"
    expected = gamma * (x[:1] - mean) / np.sqrt(var + 1e-5) + beta
    if not np.allclose(_array(singles[0], (1, x.shape[1]), "single"), expected, rtol=1e-9, atol=1e-10):
        return "the output for a single example is wrong"
    return None


@check("batchnorm_inference", "with the batch's own statistics as running statistics it equals training-mode batch norm")
def _bi_matches_training(student, seed):
    result = []
    for i in range(6, 9):
        x, gamma, beta = _batch(seed, 600 + i)
        result.append(student.batchnorm_inference(x, gamma, beta, x.mean(axis=0), x.var(axis=0), eps=1e-3))
    return result


@_bi_matches_training.judge
def _(got, reference, seed):
    _list(got, 3, "outputs")
    for i, out in zip(range(6, 9), got):
        x, gamma, beta = _batch(seed, 600 + i)
        out = _array(out, x.shape, "out")
        if not np.allclose(out, _bn_reference(x, gamma, beta, 1e-3)[0], rtol=1e-9, atol=1e-10):
            return "with running_mean, running_var = the batch statistics (eps = 1e-3) the output should equal batch norm's training output"
    return None


_BAD_INFERENCE = ["a 1-D x", "running_mean of the wrong length", "a negative running_var", "eps = 0"]


@check("batchnorm_inference", "mismatched shapes, a negative running variance or eps <= 0 raise ValueError")
def _bi_errors(student, seed):
    x, gamma, beta, mean, var = _inference_case(seed, 10)
    f = student.batchnorm_inference
    return outcomes([lambda: f(x[0], gamma, beta, mean, var), lambda: f(x, gamma, beta, mean[1:], var),
                     lambda: f(x, gamma, beta, mean, -var), lambda: f(x, gamma, beta, mean, var, eps=0.0)])


@_bi_errors.judge
def _(got, reference, seed):
    return all_value_errors(_list(got, len(_BAD_INFERENCE), "outcomes"), _BAD_INFERENCE)


@check("batchnorm_inference", "x, gamma, beta, running_mean and running_var are not modified")
def _bi_untouched(student, seed):
    x, gamma, beta, mean, var = _inference_case(seed, 10)
    student.batchnorm_inference(x, gamma, beta, mean, var)
    return [x, gamma, beta, mean, var]


@_bi_untouched.judge
def _(got, reference, seed):
    arrays = _list(got, 5, "arrays")
    for array, original in zip(arrays, _inference_case(seed, 10)):
        if not (isinstance(array, np.ndarray) and array.shape == original.shape and np.array_equal(array, original)):
            return "batchnorm_inference modified its inputs"
    return None


# -- mutants: plausible wrong implementations, each must lose points -------------------
SUITE.mutants = [
    Mutant("init_weights", "he_fan_out", "uses the fan-out n_out instead of the fan-in for He",
           '"he": np.sqrt(2.0 / n_in)}', '"he": np.sqrt(2.0 / n_out)}',
           student="uses the fan-out (n_out) instead of the fan-in for He initialization",
           section="ch04-init-weights"),
    Mutant("init_weights", "he_variance_as_std", "uses the variance 2/n_in as the standard deviation (missing sqrt)",
           '"he": np.sqrt(2.0 / n_in)}', '"he": 2.0 / n_in}',
           student="uses the variance 2/n_in as the standard deviation (a missing square root)",
           section="ch04-init-weights"),
    Mutant("init_weights", "uniform_bound_without_6", "uses sqrt(2/(n_in+n_out)) as the uniform bound (the normal's std)",
           "bound = np.sqrt(6.0 / (n_in + n_out))", "bound = np.sqrt(2.0 / (n_in + n_out))",
           student="uses the normal's standard deviation as the bound of the uniform distribution, so its spread is too small",
           section="ch04-init-weights"),
    Mutant("init_weights", "glorot_without_2", "gives Glorot normal the variance 1/(n_in+n_out)",
           '"glorot_normal": np.sqrt(2.0 / (n_in + n_out)),', '"glorot_normal": np.sqrt(1.0 / (n_in + n_out)),',
           student="gives Glorot normal the variance 1/(n_in + n_out), half the intended one",
           section="ch04-init-weights"),
    Mutant("init_weights", "small_as_variance", "reads 0.01 as the variance of 'small' (std 0.1)",
           '"small": 0.01,', '"small": np.sqrt(0.01),',
           student="reads 0.01 as the variance of the 'small' scheme instead of its standard deviation",
           section="ch04-init-weights"),
    Mutant("init_weights", "uniform_for_normal", "draws uniform numbers of the right variance where a normal is asked for",
           "return std * rng.standard_normal(shape)", "return std * rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), size=shape)",
           student="draws uniform numbers of the right variance where a normal distribution is asked for",
           section="ch04-init-weights"),
    Mutant("init_weights", "global_random_state", "draws from NumPy's global random state instead of rng",
           "return std * rng.standard_normal(shape)", "return std * np.random.standard_normal(shape)",
           student="draws from NumPy's global random state instead of the rng it was given, so results are not reproducible",
           section="ch04-init-weights"),
    Mutant("init_network", "bias_0_01", "starts every bias at 0.01, the old habit for ReLU",
           'params[f"b{layer}"] = np.zeros(sizes[layer])', 'params[f"b{layer}"] = np.full(sizes[layer], 0.01)',
           student="starts every bias at 0.01 instead of 0",
           section="ch04-init-network"),
    Mutant("init_network", "random_biases", "initializes the biases from the scheme too",
           'params[f"b{layer}"] = np.zeros(sizes[layer])',
           'params[f"b{layer}"] = init_weights(1, sizes[layer], scheme, rng)[0]',
           student="draws the biases from the scheme too, where they start at 0",
           section="ch04-init-network"),
    Mutant("init_network", "fan_in_is_layer_size", "takes a layer's own size as its fan-in (draws the transpose)",
           "init_weights(sizes[layer - 1], sizes[layer], scheme, rng)",
           "init_weights(sizes[layer], sizes[layer - 1], scheme, rng).T",
           student="takes a layer's own size as its fan-in, so the weight matrices have the transposed shape",
           section="ch04-init-network"),
    Mutant("init_network", "reseeded_per_layer", "makes a fresh generator with a fixed seed for every layer",
           "init_weights(sizes[layer - 1], sizes[layer], scheme, rng)",
           "init_weights(sizes[layer - 1], sizes[layer], scheme, np.random.default_rng(0))",
           student="makes a fresh generator with a fixed seed for every layer instead of drawing from the rng it was given",
           section="ch04-init-network"),
    Mutant("init_network", "always_he", "ignores the scheme and always uses He",
           "init_weights(sizes[layer - 1], sizes[layer], scheme, rng)",
           'init_weights(sizes[layer - 1], sizes[layer], "he", rng)',
           student="ignores the scheme argument and always uses He initialization",
           section="ch04-init-network"),
    Mutant("activation_stats", "pre_activations", "reports the statistics of Z (before the nonlinearity) instead of A",
           '{"mean": float(A.mean()), "std": float(A.std()),', '{"mean": float(Z.mean()), "std": float(Z.std()),',
           student="reports the statistics of the pre-activations Z instead of the activations A",
           section="ch04-activation-stats"),
    Mutant("activation_stats", "per_unit_std", "averages the per-unit standard deviations instead of the layer's",
           '"std": float(A.std()),', '"std": float(A.std(axis=0).mean()),',
           student="averages the standard deviations of the single units instead of taking the whole layer's",
           section="ch04-activation-stats"),
    Mutant("activation_stats", "saturation_by_value", "counts |a| > 0.99 as saturated instead of f'(z) < 0.01",
           '"saturated": float(np.mean(slope(Z) < 0.01))', '"saturated": float(np.mean(np.abs(A) > 0.99))',
           student="counts an activation as saturated by its value (|a| > 0.99) instead of by its small derivative",
           section="ch04-activation-stats"),
    Mutant("activation_stats", "zero_on_pre_activations", "counts zero pre-activations z <= 0 instead of zero activations",
           '"zero": float(np.mean(A == 0.0))', '"zero": float(np.mean(Z <= 0.0))',
           student="counts zero pre-activations instead of zero activations",
           section="ch04-activation-stats"),
    Mutant("batchnorm_forward", "wrong_axis", "takes the mean over the features of each example (axis 1)",
           "mean = x.mean(axis=0)", "mean = x.mean(axis=1, keepdims=True)",
           student="takes the mean and variance over the features of each example instead of over the batch",
           section="ch04-batchnorm-forward"),
    Mutant("batchnorm_forward", "no_eps", "forgets eps: divides by the bare standard deviation",
           "std = np.sqrt(var + eps)", "std = np.sqrt(var)",
           student="divides by the bare standard deviation, forgetting eps",
           section="ch04-batchnorm-forward"),
    Mutant("batchnorm_forward", "eps_outside_root", "adds eps to the standard deviation instead of the variance",
           "std = np.sqrt(var + eps)", "std = np.sqrt(var) + eps",
           student="adds eps to the standard deviation instead of to the variance under the square root",
           section="ch04-batchnorm-forward"),
    Mutant("batchnorm_forward", "divides_by_variance", "divides by the variance instead of the standard deviation",
           "x_hat = (x - mean) / std", "x_hat = (x - mean) / (var + eps)",
           student="divides by the variance instead of the standard deviation",
           section="ch04-batchnorm-forward"),
    Mutant("batchnorm_forward", "unbiased_variance", "uses the unbiased variance (divides by N - 1)",
           "var = np.mean((x - mean) ** 2, axis=0)", "var = np.var(x, axis=0, ddof=1)",
           student="uses the unbiased variance (divides by N - 1) instead of the batch variance",
           section="ch04-batchnorm-forward"),
    Mutant("batchnorm_backward", "no_mean_term", "forgets that the batch mean depends on x",
           "dx = (dx_hat - dx_hat.mean(axis=0) - x_hat", "dx = (dx_hat - x_hat",
           student="forgets that the batch mean depends on x",
           section="ch04-batchnorm-backward"),
    Mutant("batchnorm_backward", "no_variance_term", "forgets that the batch variance depends on x",
           " - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std", ") / std",
           student="forgets that the batch variance depends on x",
           section="ch04-batchnorm-backward"),
    Mutant("batchnorm_backward", "statistics_constant", "treats the batch mean and variance as constants",
           "dx = (dx_hat - dx_hat.mean(axis=0) - x_hat * np.mean(dx_hat * x_hat, axis=0)) / std", "dx = dx_hat / std",
           student="treats the batch mean and variance as constants",
           section="ch04-batchnorm-backward"),
    Mutant("batchnorm_backward", "forgets_gamma", "forgets to multiply the upstream gradient by gamma",
           "dx_hat = dout * gamma", "dx_hat = dout",
           student="forgets to multiply the upstream gradient by gamma",
           section="ch04-batchnorm-backward"),
    Mutant("batchnorm_backward", "dgamma_is_dbeta", "sums dout for dgamma, forgetting the factor x_hat",
           "dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = dout.sum(axis=0)",
           student="sums the upstream gradient for dgamma, forgetting the factor x_hat",
           section="ch04-batchnorm-backward"),
    Mutant("update_running_stats", "momentum_on_new", "weighs the new batch by momentum (the other convention)",
           "return momentum * old_mean + (1 - momentum) * new_mean, momentum * old_var + (1 - momentum) * new_var",
           "return (1 - momentum) * old_mean + momentum * new_mean, (1 - momentum) * old_var + momentum * new_var",
           student="gives the new batch the weight momentum, where momentum weighs the old running value",
           section="ch04-update-running-stats"),
    Mutant("update_running_stats", "averages_std", "averages the standard deviation of the batch instead of its variance",
           "momentum * old_var + (1 - momentum) * new_var", "momentum * old_var + (1 - momentum) * np.sqrt(new_var)",
           student="averages the batch's standard deviation instead of its variance",
           section="ch04-update-running-stats"),
    Mutant("update_running_stats", "in_place", "updates the running arrays in place",
           "return momentum * old_mean + (1 - momentum) * new_mean, momentum * old_var + (1 - momentum) * new_var",
           "old_mean *= momentum; old_mean += (1 - momentum) * new_mean; old_var *= momentum; "
           "old_var += (1 - momentum) * new_var; return old_mean, old_var",
           student="updates the running arrays in place, changing the caller's arrays",
           section="ch04-update-running-stats"),
    Mutant("update_running_stats", "variance_never_updated", "updates the mean but keeps the old variance",
           "momentum * old_var + (1 - momentum) * new_var", "old_var.copy()",
           student="updates the running mean but keeps the old running variance",
           section="ch04-update-running-stats"),
    Mutant("batchnorm_inference", "batch_statistics", "normalizes with the test batch's own mean",
           "mean = np.asarray(running_mean, dtype=np.float64)", "mean = x.mean(axis=0)",
           student="normalizes with the test batch's own statistics instead of the running averages",
           section="ch04-batchnorm-inference"),
    Mutant("batchnorm_inference", "divides_by_variance", "divides by the running variance instead of its square root",
           "scale = gamma / np.sqrt(var + eps)", "scale = gamma / (var + eps)",
           student="divides by the running variance instead of its square root",
           section="ch04-batchnorm-inference"),
    Mutant("batchnorm_inference", "no_eps", "leaves eps out at test time",
           "scale = gamma / np.sqrt(var + eps)", "scale = gamma / np.sqrt(var)",
           student="leaves eps out at test time",
           section="ch04-batchnorm-inference"),
    Mutant("batchnorm_inference", "forgets_beta", "forgets the learned shift beta",
           "return (x - mean) * scale + beta", "return (x - mean) * scale",
           student="forgets to add the learned shift beta",
           section="ch04-batchnorm-inference"),
]
