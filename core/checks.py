"""Range checks for numbers from users: one mechanism, clear errors naming the argument (and index).

``check_number`` checks one scalar; ``as_float_array`` / ``as_count_array`` check arrays;
``broadcast`` names every argument and its shape when arrays do not fit together. Every layer
(the queueing core, the simulator, the planning glue) uses these instead of its own checkers.
Non-finite numbers (NaN, and infinity unless ``allow_inf``) are always refused.
"""
from __future__ import annotations

import numpy as np


MESSAGE_CELL_CHARS = 200  # a value quoted in an error message is cut to this many characters


def short(value, limit: int = MESSAGE_CELL_CHARS) -> str:
    """``repr(value)`` cut to ``limit`` characters (``'aaa...' (100000 characters)``), for messages."""
    text = repr(value)
    if len(text) <= limit:
        return text
    n = len(value) if isinstance(value, (str, bytes)) else len(text)
    return f"{text[:limit]}... ({n} characters)"


def _first_index(mask: np.ndarray) -> tuple[int, ...] | int:
    """Index of the first True in ``mask`` (an int for 0-d and 1-d arrays, a tuple otherwise)."""
    mask = np.atleast_1d(mask)
    flat = int(np.flatnonzero(mask.ravel())[0])
    if mask.ndim == 1:
        return flat
    return tuple(int(i) for i in np.unravel_index(flat, mask.shape))


def _value_at(arr: np.ndarray, idx) -> float:
    return float(np.atleast_1d(arr)[idx])


def _where(arr: np.ndarray, idx) -> str:
    """' at index i' for arrays; nothing for a single number."""
    return f" at index {idx}" if np.ndim(arr) else ""


def as_float_array(name: str, value, *, minimum: float | None = None, strict_min: bool = False,
                   maximum: float | None = None, strict_max: bool = False,
                   allow_inf: bool = False) -> np.ndarray:
    """Convert ``value`` to a float array and check its range; raise ValueError naming ``name``."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected numbers, got {value!r:.80}") from exc
    bad = np.isnan(arr)
    if bad.any():
        raise ValueError(f"{name}: NaN{_where(arr, _first_index(bad))}; expected a number")
    if not allow_inf:
        bad = np.isinf(arr)
        if bad.any():
            raise ValueError(f"{name}: infinite value{_where(arr, _first_index(bad))}; expected a finite number")
    if minimum is not None:
        bad = arr <= minimum if strict_min else arr < minimum
        if bad.any():
            idx = _first_index(bad)
            op = ">" if strict_min else ">="
            raise ValueError(f"{name}: value {_value_at(arr, idx)}{_where(arr, idx)}; expected {op} {minimum}")
    if maximum is not None:
        bad = arr >= maximum if strict_max else arr > maximum
        if bad.any():
            idx = _first_index(bad)
            op = "<" if strict_max else "<="
            raise ValueError(f"{name}: value {_value_at(arr, idx)}{_where(arr, idx)}; expected {op} {maximum}")
    return arr


def as_count_array(name: str, value) -> np.ndarray:
    """Non-negative integer counts (agents, servers, positions); floats must be whole numbers."""
    arr = as_float_array(name, value, minimum=0)
    bad = arr != np.floor(arr)
    if bad.any():
        idx = _first_index(bad)
        raise ValueError(f"{name}: value {_value_at(arr, idx)}{_where(arr, idx)} is not a whole number")
    return arr.astype(np.int64)


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast the named arrays together; on failure name every argument and its shape."""
    try:
        return list(np.broadcast_arrays(*arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in arrays.items())
        raise ValueError(f"arguments do not broadcast to one shape: {shapes}") from None


def check_target(name: str, value, low: float, high: float, *, high_inclusive: bool = False):
    """A scalar target in the open interval (low, high) (or (low, high])."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number, got {value!r}") from None
    ok = low < v <= high if high_inclusive else low < v < high
    if not ok or np.isnan(v):
        bracket = "]" if high_inclusive else ")"
        raise ValueError(f"{name}: {v} is outside ({low}, {high}{bracket}")
    return v


def check_number(name: str, value, *, minimum: float | None = None, strict_min: bool = False,
                 maximum: float | None = None, strict_max: bool = False, integer: bool = False,
                 allow_inf: bool = False, allow_none: bool = False):
    """One number from a user, checked: finite (or inf with ``allow_inf``), in range, whole when
    ``integer``; returns it as float (int when ``integer``), or None when ``allow_none``.

    Raises ValueError naming ``name``, e.g. ``"replications: value 0; expected >= 2"``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or value is None or np.ndim(value) != 0:
        raise ValueError(f"{name}: expected {'a whole number' if integer else 'a number'}, got {value!r:.80}")
    arr = as_float_array(name, value, minimum=minimum, strict_min=strict_min, maximum=maximum,
                         strict_max=strict_max, allow_inf=allow_inf)
    v = float(arr)
    if integer:
        if v != np.floor(v):
            raise ValueError(f"{name}: expected a whole number, got {value!r}")
        return int(v)
    return v
