"""Writing a plan back as TOML text: the inverse of :func:`tomllib.loads` for what a plan holds.

A plan document (``PlanConfig.raw``) holds tables, strings, booleans, integers, finite floats,
dates / date-times and arrays of those. :func:`dumps` writes a table of scalars and arrays as
``key = value`` lines under a ``[dotted.header]``, a nested table as its own header after them
(``[queues.voice.hours]``), and an array of tables inline (``breaks = [{ name = "break", ... }]``),
so that ``tomllib.loads(dumps(doc)) == doc`` for every such document (tested with hypothesis).

A small writer of our own rather than a new dependency: a plan needs these few value types, and
the round trip is what matters (``tomli_w`` would do the same job; it is not installed here).
"""
from __future__ import annotations

import datetime as dt
import math
import re

__all__ = ["dumps", "toml_key", "toml_value"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it can be (``aht_s``), else quoted (``"my queue"``)."""
    if not isinstance(key, str):
        raise TypeError(f"TOML keys are strings; got {type(key).__name__} {key!r}")
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def toml_value(value) -> str:
    """One value as TOML text (tables inline): ``"text"``, ``true``, ``3``, ``0.8``, ``1999-12-01``,
    ``[1, 2]``, ``{ a = 1 }``. Raises ``TypeError`` for a value TOML cannot hold (None, NaN, ...)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError(f"a plan holds finite numbers only; got {value!r}")
        return repr(value)  # shortest text that reads back as the same float ("0.1", "1e-07")
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"TOML cannot hold {type(value).__name__} {value!r}")


def _table(lines: list[str], path: tuple[str, ...], table: dict) -> None:
    """``table``'s scalars (and arrays, inline tables in arrays) under ``[path]``, then each
    sub-table as ``[path.key]``."""
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    subs = {k: v for k, v in table.items() if isinstance(v, dict)}
    if path and (scalars or not subs):  # an empty table still needs its header to exist
        lines.append("")
        lines.append("[" + ".".join(toml_key(p) for p in path) + "]")
    for key, value in scalars.items():
        lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, sub in subs.items():
        _table(lines, (*path, key), sub)


def dumps(doc: dict, header: str = "") -> str:
    """The document ``doc`` (a dict of TOML values) as TOML text, ``header`` first as ``#`` comment
    lines. ``tomllib.loads(dumps(doc)) == doc``."""
    if not isinstance(doc, dict):
        raise TypeError(f"a TOML document is a table; got {type(doc).__name__}")
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _table(lines, (), doc)
    return "\n".join(lines).lstrip("\n") + "\n"
