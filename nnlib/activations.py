"""Element-wise activation functions and their derivatives.

Every function takes the *pre-activation* ``z`` (any shape, converted to
float64) and returns a new float64 array of the same shape; inputs are never
modified. The derivatives are also written in terms of ``z``::

    a = relu(z)           da/dz = relu_grad(z)

``ACTIVATIONS`` maps a name to the pair ``(f, df)``; :func:`get_activation`
looks a name up and explains what went wrong when it is not known.
"""

import numpy as np

__all__ = [
    "relu",
    "relu_grad",
    "tanh",
    "tanh_grad",
    "sigmoid",
    "sigmoid_grad",
    "ACTIVATIONS",
    "get_activation",
]


def _as_float_array(z):
    """Return ``z`` as a float64 ndarray (a copy is made only when needed)."""
    try:
        return np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"activation input must be numeric (array-like of numbers); got {type(z).__name__}"
        ) from err


def relu(z):
    """Rectified linear unit, ``max(z, 0)``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return np.maximum(_as_float_array(z), 0.0)


def relu_grad(z):
    """Derivative of :func:`relu` with respect to ``z``: 1 where ``z > 0``, else 0.

    The kink at ``z == 0`` gets derivative 0 (a valid subgradient).

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in {0.0, 1.0}

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return (_as_float_array(z) > 0.0).astype(np.float64)


def tanh(z):
    """Hyperbolic tangent, ``(e^z - e^-z) / (e^z + e^-z)``; stable for any finite ``z``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [-1, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    return np.tanh(_as_float_array(z))


def tanh_grad(z):
    """Derivative of :func:`tanh`: ``1 - tanh(z)**2``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    t = np.tanh(_as_float_array(z))
    return 1.0 - t * t


def sigmoid(z):
    """Logistic sigmoid ``1 / (1 + e^-z)``, computed without overflow.

    Only ``exp(-|z|)`` is ever evaluated (it lies in (0, 1]), so inputs as
    large as ``|z| = 1e4`` (or any finite value) give no overflow warning:
    ``sigmoid(1e4) == 1.0`` and ``sigmoid(-1e4) == 0.0``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 1]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    z = _as_float_array(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    """Derivative of :func:`sigmoid`: ``sigmoid(z) * (1 - sigmoid(z))``.

    Parameters
    ----------
    z : array_like of float, any shape
        Pre-activations.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [0, 0.25]

    Raises
    ------
    ValueError
        If ``z`` is not numeric.
    """
    s = sigmoid(z)
    return s * (1.0 - s)


ACTIVATIONS = {
    "relu": (relu, relu_grad),
    "tanh": (tanh, tanh_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
}
"""dict: activation name -> ``(f, df)``, both functions of the pre-activation ``z``."""


def get_activation(name):
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of the keys of :data:`ACTIVATIONS` (``"relu"``, ``"tanh"``, ``"sigmoid"``).

    Returns
    -------
    f, df : callable
        The activation and its derivative, both taking the pre-activation ``z``.

    Raises
    ------
    ValueError
        If ``name`` is not a known activation name; the message lists the valid names.
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        valid = ", ".join(repr(k) for k in sorted(ACTIVATIONS))
        raise ValueError(f"unknown activation {name!r}; expected one of {valid}")
    return ACTIVATIONS[name]
