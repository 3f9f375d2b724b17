"""The only form in which results leave the sandbox: JSON of plain data, never pickles.

Numbers, strings, None, lists, tuples, string-keyed dicts, numeric NumPy arrays and
:class:`~coursekit.hidden.Raised` round-trip exactly (arrays as base64 of their bytes).
Decoding builds nothing but these types, so a hostile result file cannot run code.
"""
from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np

from ..hidden import Raised

_ALLOWED_DTYPES = {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                   "float16", "float32", "float64"}


def encode(value: Any) -> Any:
    """JSON-ready form of plain data (see :func:`coursekit.hidden.to_plain`)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Raised):
        return {"__raised__": [value.type, value.message]}
    if isinstance(value, np.ndarray):
        array = np.ascontiguousarray(value)
        return {"__ndarray__": [array.dtype.name, list(array.shape), base64.b64encode(array.tobytes()).decode()]}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[str(k), encode(v)] for k, v in value.items()]}
    raise TypeError(f"cannot send a {type(value).__name__} out of the sandbox")


def decode(value: Any) -> Any:
    """Inverse of :func:`encode`; ValueError for anything malformed."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        (tag, body), = value.items()
        if tag == "__raised__":
            return Raised(str(body[0]), str(body[1]))
        if tag == "__tuple__":
            return tuple(decode(v) for v in body)
        if tag == "__dict__":
            return {str(k): decode(v) for k, v in body}
        if tag == "__ndarray__":
            dtype, shape, data = body
            if dtype not in _ALLOWED_DTYPES:
                raise ValueError(f"array of dtype {dtype!r} is not plain data")
            return np.frombuffer(base64.b64decode(data), dtype=dtype).reshape([int(s) for s in shape]).copy()
    raise ValueError(f"not plain data: {str(value)[:80]}")


def dumps(value: Any) -> str:
    return json.dumps(encode(value), allow_nan=True)


def loads(text: str) -> Any:
    return decode(json.loads(text))
