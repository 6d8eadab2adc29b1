"""The capacity plan's TOML (see ``data/capacity.toml``): validated, every problem named by its key.

Sections: ``[capacity]`` (name, the scenario ``study`` whose plan and strategies it uses,
``strategies``, ``start_month``, ``months``, ``currency``, ``illustrative``, ``discount_rate_per_year``,
``forecast_model``), ``[demand]`` (trend, growth, holidays, monthly index, what-ifs), ``[need]``
(scheduling efficiency default, shrinkage by month), ``[supply]`` (contracts, headcount and attrition
per queue, transfers), ``[hiring]`` (the class rules and the levers of :mod:`.hiring`).
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from ..config import ConfigError
from .demand import WhatIf

__all__ = ["CapacityConfig", "load_capacity", "parse_capacity"]

_SECTIONS = {"capacity", "demand", "need", "supply", "hiring"}
_KEYS = {
    "capacity": {"name", "study", "strategies", "start_month", "months", "currency", "illustrative",
                 "discount_rate_per_year", "forecast_model", "note"},
    "demand": {"trend", "growth_per_year", "holiday_factor", "monthly_index", "whatif"},
    "need": {"scheduling_efficiency", "shrinkage_by_month"},
    "supply": {"contracts", "queues", "transfers"},
    "hiring": {"contract", "lead_weeks", "training_weeks", "ramp", "class_min", "class_max", "trainers", "hire_cost",
               "training_cost", "class_cost", "overtime_cap", "overtime_premium", "outsource_cap_fte",
               "outsource_cost_per_fte_month", "shortfall_penalty_per_fte_month", "budget", "time_limit_s",
               "mip_rel_gap"},
}
WEEKS_PER_MONTH = 365.25 / 12 / 7  # 4.348


@dataclass(frozen=True)
class CapacityConfig:
    """A validated capacity plan (units in the names; money in ``currency``)."""

    name: str
    study_path: Path
    strategies: tuple
    start_month: str | None
    months: int
    currency: str
    illustrative: bool
    discount_rate_per_year: float
    forecast_model: str | None
    demand: dict
    whatifs: tuple
    scheduling_efficiency: float
    shrinkage_by_month: dict          # "default" and/or "01".."12" -> share (None: the queue's own)
    contracts_h_per_week: dict
    supply: dict                      # queue -> {"headcount": {contract: people}, "attrition_per_month": x}
    transfers: tuple                  # ({"month", "from", "to", "fte"}, ...)
    hiring: dict
    source: Path | None = None
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    def lead_months(self) -> int:
        return math.ceil(self.hiring["lead_weeks"] / WEEKS_PER_MONTH - 1e-9)

    def training_months(self) -> int:
        return math.ceil(self.hiring["training_weeks"] / WEEKS_PER_MONTH - 1e-9)


def load_capacity(path: str | Path) -> CapacityConfig:
    """Read and validate a capacity TOML (:class:`ConfigError` names every problem)."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError([("capacity", f"no such file {path}")], path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("capacity", f"not valid TOML: {exc}")], path) from None
    return parse_capacity(raw, base_dir=path.parent, source=path)


def _num(problems, key, v, *, lo=None, hi=None, integer=False, lo_strict=False):
    ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    if ok and integer and v != int(v):
        ok = False
    if ok and lo is not None and (v < lo or (lo_strict and v == lo)):
        ok = False
    if ok and hi is not None and v > hi:
        ok = False
    if not ok:
        rng = f"{'>' if lo_strict else '>='} {lo}" if lo is not None else "a number"
        rng += f" and <= {hi}" if hi is not None else ""
        problems.append((key, f"expected {'a whole number' if integer else 'a number'} {rng}, got {v!r:.80}"))
        return None
    return int(v) if integer else float(v)


def _month(problems, key, v):
    import re

    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", v):
        problems.append((key, f"expected a month 'YYYY-MM', got {v!r:.80}"))
        return None
    return v


def _whatifs(problems, items) -> tuple:
    out = []
    if not isinstance(items, list):
        problems.append(("demand.whatif", "expected a list of [[demand.whatif]] tables"))
        return ()
    for i, w in enumerate(items):
        k = f"demand.whatif[{i}]"
        if not isinstance(w, dict):
            problems.append((k, "expected a table"))
            continue
        kind = w.get("kind")
        if kind not in ("launch", "deflection", "channel_shift"):
            problems.append((f"{k}.kind", f"expected launch, deflection or channel_shift, got {kind!r}"))
            continue
        extra = set(w) - {"kind", "queue", "start_month", "factor", "share", "to_queue", "ratio"}
        if extra:
            problems.append((f"{k}.{sorted(extra)[0]}", "unknown key"))
        month = _month(problems, f"{k}.start_month", w.get("start_month"))
        factor = _num(problems, f"{k}.factor", w.get("factor", 1.0), lo=0.0)
        share = _num(problems, f"{k}.share", w.get("share", 0.0), lo=0.0, hi=1.0)
        ratio = _num(problems, f"{k}.ratio", w.get("ratio", 1.0), lo=0.0)
        if kind == "channel_shift" and not isinstance(w.get("to_queue"), str):
            problems.append((f"{k}.to_queue", "expected the queue the volume moves to"))
        if month and factor is not None and share is not None and ratio is not None:
            out.append(WhatIf(kind, str(w.get("queue")), month, factor, share, w.get("to_queue"), ratio))
    return tuple(out)


def _supply(problems, sp: dict, contracts: dict) -> tuple[dict, tuple]:
    queues = {}
    for q, t in (sp.get("queues") or {}).items():
        k = f"supply.queues.{q}"
        if not isinstance(t, dict):
            problems.append((k, "expected a table of headcount, attrition_per_month"))
            continue
        hc = t.get("headcount", {})
        if not isinstance(hc, dict) or not hc:
            problems.append((f"{k}.headcount", "expected a table {contract = people}"))
            hc = {}
        for c, n in hc.items():
            if c not in contracts:
                problems.append((f"{k}.headcount.{c}", f"no such contract; expected one of {sorted(contracts)}"))
            _num(problems, f"{k}.headcount.{c}", n, lo=0, integer=True)
        a = _num(problems, f"{k}.attrition_per_month", t.get("attrition_per_month", 0.0), lo=0.0, hi=0.99)
        queues[q] = {"headcount": dict(hc), "attrition_per_month": a or 0.0}
    transfers = []
    for i, tr in enumerate(sp.get("transfers", []) or []):
        k = f"supply.transfers[{i}]"
        if not isinstance(tr, dict) or set(tr) != {"month", "from", "to", "fte"}:
            problems.append((k, "expected a table of month, from, to, fte"))
            continue
        _month(problems, f"{k}.month", tr["month"])
        _num(problems, f"{k}.fte", tr["fte"], lo=0.0)
        for side in ("from", "to"):
            if tr[side] not in queues:
                problems.append((f"{k}.{side}", f"no such queue in [supply.queues]; expected one of {sorted(queues)}"))
        transfers.append(dict(tr))
    return queues, tuple(transfers)


def _hiring(problems, h: dict, contracts: dict) -> dict:
    spec = {"lead_weeks": (0, 0.0), "training_weeks": (0, 4.0), "class_min": (1, 1), "class_max": (1, 20),
            "trainers": (1, 1), "hire_cost": (0, 0.0), "training_cost": (0, 0.0), "class_cost": (0, 0.0),
            "overtime_cap": (0, 0.0), "overtime_premium": (0, 1.5), "outsource_cap_fte": (0, 0.0),
            "outsource_cost_per_fte_month": (0, 0.0), "shortfall_penalty_per_fte_month": (0, 1e6),
            "time_limit_s": (0, 10.0), "mip_rel_gap": (0, 0.005)}
    out = {}
    for key, (lo, default) in spec.items():
        out[key] = _num(problems, f"hiring.{key}", h.get(key, default), lo=lo,
                        integer=key in ("class_min", "class_max", "trainers"),
                        hi=1.0 if key in ("overtime_cap", "mip_rel_gap") else None)
    ramp = h.get("ramp", [])
    if not isinstance(ramp, list):
        problems.append(("hiring.ramp", "expected a list of productivity shares in [0, 1], e.g. [0.5, 0.8]"))
        ramp = []
    out["ramp"] = tuple(_num(problems, f"hiring.ramp[{i}]", r, lo=0.0, hi=1.0) for i, r in enumerate(ramp))
    out["contract"] = h.get("contract", next(iter(contracts), None))
    if out["contract"] not in contracts:
        problems.append(("hiring.contract", f"expected one of {sorted(contracts)}, got {out['contract']!r}"))
    out["budget"] = None if h.get("budget") is None else _num(problems, "hiring.budget", h["budget"], lo=0.0)
    if out["class_min"] and out["class_max"] and out["class_max"] < out["class_min"]:
        problems.append(("hiring.class_max", f"expected >= class_min {out['class_min']}, got {out['class_max']}"))
    return out


def parse_capacity(raw: dict, *, base_dir: str | Path = ".", source=None) -> CapacityConfig:
    """Validate a capacity plan given as a dict (as read from TOML)."""
    problems: list[tuple[str, str]] = []
    for key in set(raw) - _SECTIONS:
        problems.append((key, f"unknown section; expected one of {sorted(_SECTIONS)}"))
    sec = {}
    for s in _SECTIONS:
        sec[s] = raw.get(s, {})
        if not isinstance(sec[s], dict):
            problems.append((s, "expected a table"))
            sec[s] = {}
        for key in set(sec[s]) - _KEYS[s]:
            problems.append((f"{s}.{key}", f"unknown key; expected one of {sorted(_KEYS[s])}"))
    c, d, n, sp, h = (sec[s] for s in ("capacity", "demand", "need", "supply", "hiring"))
    study = c.get("study")
    if not isinstance(study, str):
        problems.append(("capacity.study", f"expected the scenario study TOML (e.g. 'scenarios.toml'), got {study!r}"))
    strategies = c.get("strategies", [])
    if not isinstance(strategies, list) or not strategies or not all(isinstance(x, str) for x in strategies):
        problems.append(("capacity.strategies", f"expected a list of the study's scenario names, got {strategies!r}"))
        strategies = []
    months = _num(problems, "capacity.months", c.get("months", 12), lo=1, hi=60, integer=True)
    start = c.get("start_month")
    if start is not None:
        _month(problems, "capacity.start_month", start)
    disc = _num(problems, "capacity.discount_rate_per_year", c.get("discount_rate_per_year", 0.0), lo=-0.99)
    contracts = sp.get("contracts", {"full_time": 40.0})
    if not isinstance(contracts, dict) or not contracts:
        problems.append(("supply.contracts", "expected a table {contract = paid hours per week}"))
        contracts = {}
    for k, v in contracts.items():
        _num(problems, f"supply.contracts.{k}", v, lo=0.0, lo_strict=True)
    shrink = n.get("shrinkage_by_month", {})
    if not isinstance(shrink, dict):
        problems.append(("need.shrinkage_by_month", "expected a table {default = 0.3, \"07\" = 0.36, ...}"))
        shrink = {}
    for k, v in shrink.items():
        if k != "default" and k not in {f"{m:02d}" for m in range(1, 13)}:
            problems.append((f"need.shrinkage_by_month.{k}", "expected 'default' or a month number '01'..'12'"))
        _num(problems, f"need.shrinkage_by_month.{k}", v, lo=0.0, hi=0.95)
    eff = _num(problems, "need.scheduling_efficiency", n.get("scheduling_efficiency", 1.0), lo=0.5, hi=3.0)
    trend = d.get("trend", "history")
    if trend not in ("history", "none"):
        problems.append(("demand.trend", f"expected 'history' or 'none', got {trend!r}"))
    demand = {"trend": trend,
              "growth_per_year": _num(problems, "demand.growth_per_year", d.get("growth_per_year", 0.0), lo=-0.9),
              "holiday_factor": _num(problems, "demand.holiday_factor", d.get("holiday_factor", 0.5), lo=0.0),
              "monthly_index": d.get("monthly_index")}
    whatifs = _whatifs(problems, d.get("whatif", []))
    supply, transfers = _supply(problems, sp, contracts)
    hiring = _hiring(problems, h, contracts)
    if problems:
        raise ConfigError(problems, source)
    base = Path(base_dir)
    sp_path = Path(study)
    return CapacityConfig(
        name=str(c.get("name", Path(source).stem if source else "capacity")),
        study_path=sp_path if sp_path.is_absolute() else base / sp_path, strategies=tuple(strategies),
        start_month=start, months=months, currency=str(c.get("currency", "")),
        illustrative=bool(c.get("illustrative", False)), discount_rate_per_year=disc,
        forecast_model=c.get("forecast_model"), demand=demand, whatifs=whatifs, scheduling_efficiency=eff,
        shrinkage_by_month=dict(shrink), contracts_h_per_week={k: float(v) for k, v in contracts.items()},
        supply=supply, transfers=transfers, hiring=hiring, source=Path(source) if source else None, raw=dict(raw))
