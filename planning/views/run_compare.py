"""Runs page: one stored run opened (its staffing per interval, headcount per week, schedule) and
two stored runs side by side: what changed in the inputs (the stored plan settings, the data, the
as-of date, the code) and what changed in the numbers per queue (FTE, paid hours, money, service).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .common import local_naive

__all__ = ["StoredRun", "open_run", "run_staffing", "run_headcount", "run_numbers", "input_differences",
           "RunComparison", "compare_runs", "RUN_MEASURES", "measure_text"]

# measure -> (label with unit, kind for formatting: fte, h, money, pct, s, n0); in this order
RUN_MEASURES: dict[str, tuple[str, str]] = {
    "fte_per_week": ("FTE per full week", "fte"),
    "paid_hours": ("Paid hours over the horizon", "h"),
    "agent_hours": ("Agent-hours on the phones over the horizon", "h"),
    "cost_per_week": ("Cost of the rostered shifts per week (money)", "money"),
    "peak_agents": ("Peak agents in an interval", "n0"),
    "volume": ("Contacts forecast over the horizon", "n0"),
    "service_level": ("Service level (formula, contact-weighted)", "pct"),
    "asa_s": ("ASA, s (formula, contact-weighted)", "s"),
    "p_wait": ("P(wait) (formula, contact-weighted)", "pct"),
    "abandon_rate": ("Abandoned (formula, contact-weighted)", "pct"),
    "sim_service_level": ("Service level (simulated)", "pct"),
    "sim_asa_s": ("ASA, s (simulated)", "s"),
}


@dataclass(frozen=True)
class StoredRun:
    """One stored run: ``meta`` (:meth:`RunStore.get_run`: ``config``, ``inputs``, ``summary``, ...)
    and its tables (``schedule``, ``coverage``, ``schedule_headcount`` empty without a schedule)."""

    meta: dict
    requirements: pd.DataFrame
    headcount: pd.DataFrame
    schedule: pd.DataFrame
    coverage: pd.DataFrame
    schedule_headcount: pd.DataFrame

    @property
    def run_id(self) -> str:
        return self.meta["run_id"]

    @property
    def queues(self) -> list[str]:
        return list(self.meta.get("summary", {}).get("queues") or self.requirements["queue"].unique())


def open_run(store_url: str, run_id: str) -> StoredRun:
    """The stored run ``run_id`` (a unique prefix, or ``latest``) with its tables."""
    from ..store import RunStore

    with RunStore(store_url, create=False) as store:
        meta = store.get_run(run_id)
        rid = meta["run_id"]
        return StoredRun(meta, *(store.load_frame(rid, name) for name in
                                 ("requirements", "headcount", "schedule", "coverage", "schedule_headcount")))


def run_staffing(run: StoredRun, queue: str) -> pd.DataFrame:
    """The run's staffing of ``queue`` in its open intervals: ``interval_start`` (plan-local text),
    ``volume``, ``aht_s``, ``agents`` (and ``scheduled``, predicted service columns) as stored."""
    r = run.requirements
    r = r[(r["queue"] == queue) & r["open"].fillna(False).astype(bool)].reset_index(drop=True)
    cols = [c for c in ("interval_start", "volume", "aht_s", "agents", "agents_analytic", "scheduled",
                        "service_level", "asa_s", "p_wait", "abandon_rate", "occupancy") if c in r]
    out = r[cols].copy()
    out["interval_start"] = local_naive(out["interval_start"]).dt.strftime("%a %Y-%m-%d %H:%M").to_numpy()
    return out


def run_headcount(run: StoredRun, queue: str) -> pd.DataFrame:
    """The run's headcount of ``queue`` per week (paid hours, FTE, peak agents) as stored."""
    h = run.headcount
    return h[h["queue"] == queue].reset_index(drop=True)


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    v, w = values.to_numpy(float), weights.to_numpy(float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float(np.sum(v[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")


def run_numbers(run: StoredRun) -> pd.DataFrame:
    """One row per queue with the :data:`RUN_MEASURES`: FTE per full week (the run's headline basis),
    paid and agent-hours and contacts summed over the horizon, the rostered shifts' cost per week
    (NaN without a schedule), the peak agents, and the service predicted by the formula weighted by
    the contacts of each open interval (and the simulated service when the run simulated)."""
    summary = run.meta.get("summary", {})
    by_queue = summary.get("by_queue", {})
    sched = (summary.get("schedule") or {}).get("by_queue", {})
    rows = []
    for q in run.queues:
        r = run.requirements[(run.requirements["queue"] == q) & run.requirements["open"].fillna(False).astype(bool)]
        h = run.headcount[run.headcount["queue"] == q]
        s = by_queue.get(q, {})
        row = {"queue": q, "fte_per_week": s.get("fte_per_week", float("nan")),
               "paid_hours": float(h["paid_hours"].sum()) if len(h) else float("nan"),
               "agent_hours": float(h["agent_hours"].sum()) if len(h) else float("nan"),
               "cost_per_week": sched.get(q, {}).get("cost_per_week", float("nan")),
               "peak_agents": float(r["agents"].max()) if len(r) else float("nan"),
               "volume": float(r["volume"].sum())}
        for col in ("service_level", "asa_s", "p_wait", "abandon_rate"):
            row[col] = _weighted(r[col], r["volume"]) if col in r else float("nan")
        row["sim_service_level"] = s.get("sim_service_level", float("nan"))
        row["sim_asa_s"] = s.get("sim_asa_s", float("nan"))
        rows.append(row)
    return pd.DataFrame(rows, columns=["queue", *RUN_MEASURES]).astype({m: float for m in RUN_MEASURES})


def _flat(value, prefix: str = "") -> dict:
    """Nested dicts as ``{"queues.voice.targets.service_level": 0.8, ...}`` (lists as JSON text)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(value) if isinstance(value, (list, tuple)) else value}


def _inputs_of(meta: dict) -> dict:
    """What a run was made from: the plan's settings (``plan file: ...``), the history files'
    content (``data: <queue>``, by their sha256), the as-of date and the code version."""
    out = {f"plan file: {k}": v for k, v in _flat(meta.get("config", {})).items()}
    for q, info in (meta.get("inputs") or {}).items():
        digest = info.get("sha256") if isinstance(info, dict) else None
        out[f"data: {q} history"] = f"{info.get('path', '')} (sha256 {digest[:12]})" if digest else json.dumps(info)
    out["as of"] = meta.get("as_of")
    out["horizon"] = f"{meta.get('horizon_start')} to {meta.get('horizon_end')}"
    out["code version"] = meta.get("code_version")
    return out


def input_differences(meta_a: dict, meta_b: dict) -> pd.DataFrame:
    """The inputs that differ between two runs: ``input``, ``run_a``, ``run_b`` (text; "(not set)"
    where a run does not have it), plan settings first, then data, as-of date and code."""
    a, b = _inputs_of(meta_a), _inputs_of(meta_b)
    keys = [k for k in dict.fromkeys([*a, *b]) if a.get(k) != b.get(k)]

    def text(d, k):
        return "(not set)" if k not in d or d[k] is None else str(d[k])

    return pd.DataFrame({"input": keys, "run_a": [text(a, k) for k in keys], "run_b": [text(b, k) for k in keys]})


@dataclass(frozen=True)
class RunComparison:
    """Two runs side by side: ``inputs`` (:func:`input_differences`) and ``numbers``: per queue and
    measure (:data:`RUN_MEASURES`) ``label``, ``kind``, ``run_a``, ``run_b``, ``change`` (b - a)."""

    run_a: str
    run_b: str
    inputs: pd.DataFrame
    numbers: pd.DataFrame

    def numbers_text(self) -> pd.DataFrame:
        """``numbers`` as a planner reads them: ``queue``, ``measure`` (its label), ``run_a``,
        ``run_b``, ``change`` as texts (:func:`measure_text`)."""
        n = self.numbers
        return pd.DataFrame({"queue": n["queue"], "measure": n["label"],
                             "run_a": [measure_text(k, x) for k, x in zip(n["kind"], n["run_a"])],
                             "run_b": [measure_text(k, x) for k, x in zip(n["kind"], n["run_b"])],
                             "change": [measure_text(k, x, change=True) for k, x in zip(n["kind"], n["change"])]})


def measure_text(kind: str, x, *, change: bool = False) -> str:
    """A measure's value as text by its ``kind`` (:data:`RUN_MEASURES`): "25.54" FTE, "4,360 h",
    "84.7%" (a change in percentage points: "+1.2 pts"), "7.0 s", "24,643"; signed for a
    ``change``; "n/a" when missing."""
    if x is None or not np.isfinite(x):
        return "n/a"
    sign = "+" if change else ""
    if kind == "pct":
        return f"{100 * x:{sign},.1f}" + (" pts" if change else "%")
    return {"fte": f"{x:{sign},.2f}", "h": f"{x:{sign},.0f} h", "s": f"{x:{sign},.1f} s"}.get(kind, f"{x:{sign},.0f}")


def compare_runs(a: StoredRun, b: StoredRun) -> RunComparison:
    """What changed from run ``a`` to run ``b``: in the inputs, and in the numbers of every queue
    either run has (NaN where a run lacks the queue or the measure)."""
    na, nb = run_numbers(a).set_index("queue"), run_numbers(b).set_index("queue")
    queues = list(dict.fromkeys([*na.index, *nb.index]))
    na, nb = na.reindex(queues), nb.reindex(queues)
    rows = [{"queue": q, "measure": m, "label": label, "kind": kind, "run_a": na.at[q, m], "run_b": nb.at[q, m],
             "change": nb.at[q, m] - na.at[q, m]}
            for q in queues for m, (label, kind) in RUN_MEASURES.items()
            if np.isfinite(na.at[q, m]) or np.isfinite(nb.at[q, m])]
    return RunComparison(a.run_id, b.run_id, input_differences(a.meta, b.meta), pd.DataFrame(rows))
