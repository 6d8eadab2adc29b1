"""Configuration errors: :class:`InputError`, :class:`ConfigError` and the translation of pydantic
validation errors into ``(key, message)`` problems with dotted keys (``queues.chat.targets.p_wait``)
and plain messages (``out of range: 2.0; expected (0.0, 1.0)``, ``unknown key (did you mean
'interval_min'?); allowed: ...``)."""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from core.checks import short

__all__ = ["InputError", "ConfigError", "problems_from", "unknown_key_message"]


class InputError(ValueError):
    """Bad input from the user (a file, a column, an argument). The CLI exits with code 2."""


class ConfigError(InputError):
    """The plan configuration is invalid. ``problems`` lists ``(key, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str | Path | None = None):
        self.problems = list(problems)
        self.source = str(source) if source is not None else None
        where = f" in {self.source}" if self.source else ""
        lines = [f"invalid plan configuration{where} ({len(self.problems)} problem(s)):"]
        lines += [f"  {key if len(key) <= 200 else key[:200] + '...'}: {msg}" for key, msg in self.problems]
        super().__init__("\n".join(lines))


def unknown_key_message(key: str, allowed) -> str:
    """``unknown key (did you mean 'x'?); allowed: a, b, x``."""
    hint = difflib.get_close_matches(key, list(allowed), n=1)
    extra = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown key{extra}; allowed: {', '.join(sorted(allowed))}"


# what each pydantic type error expected, in the words of the TOML file
_EXPECTED = {
    "int_type": "an integer", "float_type": "a number", "string_type": "a string", "bool_type": "true or false",
    "model_type": "a table", "dict_type": "a table", "dataclass_type": "a table", "list_type": "an array",
}
_UNKNOWN = ("extra_forbidden", "unexpected_keyword_argument")


def _fields(cls) -> dict:
    if isinstance(cls, type) and issubclass(cls, BaseModel):
        return cls.model_fields
    return getattr(cls, "__pydantic_fields__", {})  # a pydantic dataclass (or nothing)


def _table_at(root, loc: tuple) -> Any:
    """The model class (or pydantic dataclass) of the table at ``loc`` below ``root``, or None."""
    cls = root
    for part in loc:
        field = _fields(cls).get(part) if isinstance(part, str) else None
        if field is None:
            return None
        cls = next((a for a in (field.annotation, *get_args(field.annotation)) if _fields(a)), None)
    return cls


def _key_and_item(loc: tuple) -> tuple[str, str]:
    """The dotted key of an error and, for an array element, ``"value no. N: "`` (1 = first), so
    that ``("chat", "aht_by_concurrency_s", 1)`` is key ``chat.aht_by_concurrency_s``, value no. 2."""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            return ".".join(map(str, loc[:i])), f"value no. {part + 1}: "
    return ".".join(map(str, loc)), ""


def _message(err: dict, root, prefix: str) -> str:
    kind, loc, value = err["type"], err["loc"], err.get("input")
    if kind in _UNKNOWN:
        return unknown_key_message(str(loc[-1]), _fields(_table_at(root, loc[:-1])))
    if kind == "missing":
        field = _fields(_table_at(root, loc[:-1])).get(loc[-1])
        return f"missing; expected {field.description}" if field and field.description else "missing"
    if kind in _EXPECTED:
        expected = getattr(_table_at(root, loc), "kind_text", None) or _EXPECTED[kind]
        if expected == "a table" and len(loc) == 1 and getattr(root, "sections", False):
            return f"expected a table [{loc[0]}], got {type(value).__name__}"
        return f"expected {expected}, got {type(value).__name__} {short(value)}"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind == "literal_error":
        return f"expected one of {err['ctx']['expected'].replace(' or ', ', ')}, got {short(value)}"
    if kind == "too_short":
        return f"expected at least {err['ctx']['min_length']} value(s), got {short(value)}"
    return err["msg"]  # our own PydanticCustomError messages, already in these words


def problems_from(exc: ValidationError, root, prefix: str = "") -> list[tuple[str, str]]:
    """``[(prefix + dotted key, message)]`` for every error of ``exc`` (validated as ``root``)."""
    out = []
    for err in exc.errors():
        key, item = _key_and_item(err["loc"])
        out.append((prefix + key, item + _message(err, root, prefix)))
    return out
