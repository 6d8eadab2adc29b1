"""The whole plan in one call: :func:`run_plan` chains the stages, stores the run, exports it.

history (:mod:`.history`) -> window (:mod:`.window`) -> forecast -> requirements -> simulation
check (:mod:`.stages`) -> headcount (:func:`planning.headcount.headcount`) -> schedule (when the
plan has ``[schedule]``: :mod:`.schedule`) -> summary -> store (one transaction,
:class:`planning.store.RunStore`) -> export (CSV + Parquet; ``ics/`` calendars per agent).

A run's identity is its ``run_key``: the configuration hash, the input files' fingerprint and
:func:`code_fingerprint`. A stored run with the same key is returned instead of recomputed.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import PlanConfig, load_config
from ..exports import check_output_dir, export_run
from ..headcount import headcount, per_full_week
from ..progress import Progress
from ..store import RunRecord, RunStore, resolve_store_url, run_key
from .history import data_fingerprint, load_histories
from .schedule import SCHEDULE_TABLES, ScheduleResult, schedule_plan
from .stages import forecast_queues, requirements_for, scheduled_from, simulate_plan
from .window import plan_window

__all__ = ["PlanResult", "run_plan", "code_fingerprint", "new_run_id", "TABLES"]

TABLES = ("forecast", "requirements", "simulation", "headcount")  # a run's tables, stored and exported
_CODE_PACKAGES = ("core", "forecast", "simulation", "planning")  # the code a run's numbers depend on


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """One hash over the source of the packages a plan's numbers come from (``core``,
    ``forecast``, ``simulation``, ``planning``, subpackages included): a stored run is reused only
    when the code that would recompute it is the same."""
    root = Path(__file__).resolve().parents[2]
    h = hashlib.sha256()
    for pkg in _CODE_PACKAGES:
        for path in sorted((root / pkg).rglob("*.py")):
            h.update(f"{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class PlanResult:
    """What :func:`run_plan` returns: the run's identity, its window and its tables.

    ``forecast`` / ``requirements`` / ``simulation`` / ``headcount`` are the tables (long format,
    one row per queue and interval or week); with a ``[schedule]``, ``schedule`` (one row per agent
    and shift), ``coverage`` (required vs on duty per interval), ``schedule_headcount`` (people by
    contract and queue) and ``schedule_checks`` (intervals the simulated roster missed, and why);
    ``models`` the forecast model per queue; ``summary``
    the per-queue totals (see :func:`plan_summary`); ``timings`` seconds per step; ``reused``
    True when an identical stored run was returned instead of recomputed.
    """

    run_id: str
    reused: bool
    run_key: str
    config: PlanConfig
    store_url: str | None
    as_of: dt.date | None = None
    horizon_start: pd.Timestamp | None = None
    horizon_end: pd.Timestamp | None = None
    forecast: pd.DataFrame | None = None
    requirements: pd.DataFrame | None = None
    simulation: pd.DataFrame | None = None
    headcount: pd.DataFrame | None = None
    models: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    exports: list = field(default_factory=list)
    export_dir: Path | None = None
    schedule: pd.DataFrame | None = None  # the schedule stage's tables (see SCHEDULE_TABLES), None without one
    coverage: pd.DataFrame | None = None
    schedule_headcount: pd.DataFrame | None = None
    schedule_checks: pd.DataFrame | None = None
    schedule_result: ScheduleResult | None = None  # with the rosters (None for a stored run)


def new_run_id() -> str:
    """``YYYYMMDDTHHMMSSZ-xxxxxx``: the UTC start time and 6 random hex digits."""
    now = dt.datetime.now(dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run_plan(
    config: PlanConfig | str | Path,
    *,
    store: RunStore | str | None = None,
    save: bool = True,
    force: bool = False,
    as_of: dt.date | None = None,
    simulate: bool | None = None,
    schedule: bool = True,
    export: bool = True,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> PlanResult:
    """Run the whole plan. Returns a :class:`PlanResult`.

    If ``save`` and a run with the same configuration and the same input data is already in the
    store, nothing is computed and that run is returned (``reused=True``) unless ``force``.
    ``as_of`` and ``simulate`` override the config (and so are part of the run's identity);
    ``schedule=False`` leaves out the plan's ``[schedule]`` step (a run of the plan without it).
    """
    t_all = time.perf_counter()
    config = _with_overrides(config, as_of, simulate, schedule)
    progress = progress or Progress(fmt="quiet")
    progress.total = 5 + int(config.simulation.enabled) + int(config.schedule is not None) + int(save) + int(export)
    if export:  # an output folder that is a file or not writable is found before any work
        check_output_dir(_export_base(out_dir, config))
    own_store = save and not isinstance(store, RunStore)
    if own_store:
        store = RunStore(resolve_store_url(store, config.store))
    try:
        with progress.step("history", "read history"):
            histories, files = load_histories(config, progress)
            fingerprint = data_fingerprint(files)
            key = run_key(config.config_hash(), fingerprint, code_fingerprint())
        existing = store.find_run(key) if save and not force else None
        if existing is not None:
            progress.info(f"identical run already stored: {existing} (same config, data and code; --force "
                          "recomputes)", run_id=existing)
            result = _stored_result(store, existing, key, config)
        else:
            result = _compute(config, histories, key, store.url if save else None, progress)
            if save:
                _save(result, store, files, fingerprint, force, progress)
        if export:
            _export_after_store(result, out_dir, progress, stored=save)
        if existing is None:
            result.timings = dict(progress.timings)
            result.timings["total"] = time.perf_counter() - t_all
        return result
    finally:
        if own_store:
            store.close()


def _with_overrides(config: PlanConfig | str | Path, as_of: dt.date | None, simulate: bool | None,
                    schedule: bool = True) -> PlanConfig:
    """The plan (loaded when given a path) with ``as_of`` / ``simulate`` set when given, without
    its ``[schedule]`` unless ``schedule``."""
    if not isinstance(config, PlanConfig):
        config = load_config(config)
    if not schedule and config.schedule is not None:
        config = config.without_sections("schedule")
    overrides = {}
    if as_of is not None:
        overrides["forecast"] = {"as_of": as_of}
    if simulate is not None:
        overrides["simulation"] = {"enabled": bool(simulate)}
    return config.with_overrides(**overrides) if overrides else config


def _compute(config: PlanConfig, histories: dict, key: str, store_url: str | None, progress: Progress) -> PlanResult:
    """Window -> forecast -> requirements -> simulation check (+ refinement) -> headcount -> summary."""
    start, end, as_of_d = plan_window(config, histories, progress=progress)
    with progress.step("forecast", "forecast"):
        fc, models = forecast_queues(config, histories, start, end, progress)
    with progress.step("requirements", "requirements (analytic)"):
        req = pd.concat([requirements_for(q, fc[fc["queue"] == n], config.interval_s)
                         for n, q in config.queues.items()], ignore_index=True)
    sim = None
    if config.simulation.enabled:
        with progress.step("simulation", "simulation check" + (" + refinement" if config.simulation.refine else "")):
            sim = simulate_plan(config, req, progress)
        if config.simulation.refine and len(sim):
            req = _apply_refinement(config, req, sim)
    with progress.step("headcount", "headcount"):
        hc = headcount(req, interval_s=config.interval_s,
                       shrinkage={n: q.shrinkage for n, q in config.queues.items()},
                       paid_hours_per_week=config.headcount.paid_hours_per_week,
                       week_start=config.week_start)
    sched = None
    if config.schedule is not None:
        with progress.step("schedule", "schedule: shifts, breaks, rosters" + (" + simulation check"
                                                                              if config.schedule.check else "")):
            sched = schedule_plan(config, req, progress)
    summary = plan_summary(config, req, sim, hc, sched)
    result = PlanResult(run_id=new_run_id(), reused=False, run_key=key, config=config, store_url=store_url,
                        as_of=as_of_d, horizon_start=start, horizon_end=end, forecast=fc, requirements=req,
                        simulation=sim, headcount=hc, models=models, timings=progress.timings, summary=summary)
    if sched is not None and sched.weeks:
        for name, frame in sched.tables().items():
            setattr(result, name, frame)
        result.schedule_result = sched
    return result


def _save(result: PlanResult, store: RunStore, files: dict[str, str], fingerprint: str, force: bool,
          progress: Progress) -> None:
    """Store the run in one transaction; when an identical run was stored meanwhile by another
    process, ``result`` takes that run's id and ``reused=True``."""
    config = result.config
    with progress.step("store", "store run"):
        record = RunRecord(
            run_id=result.run_id, run_key=result.run_key, plan_name=config.name, config_hash=config.config_hash(),
            config=config.raw, data_fingerprint=fingerprint,
            inputs={n: {"path": str(config.queues[n].history), "sha256": s} for n, s in files.items()},
            timezone=config.timezone, interval_s=config.interval_s, as_of=result.as_of.isoformat(),
            horizon_start=result.horizon_start.isoformat(), horizon_end=result.horizon_end.isoformat(),
            models=result.models, timings=dict(progress.timings), summary=result.summary,
            forecast=result.forecast, requirements=result.requirements, simulation=result.simulation,
            headcount=result.headcount, **{name: getattr(result, name) for name in SCHEDULE_TABLES},
        )
        stored_id, reused = store.save_run(record, force=force)
    if reused:
        progress.info(f"identical run stored meanwhile by another process: {stored_id}", run_id=stored_id)
        result.run_id, result.reused = stored_id, True


def _stored_result(store: RunStore, run_id: str, key: str, config: PlanConfig) -> PlanResult:
    """A stored run as a :class:`PlanResult` (reused=True): its tables, summary and window."""
    meta = store.get_run(run_id)
    tables = {name: store.load_frame(run_id, name) for name in TABLES + SCHEDULE_TABLES}
    sched = {name: (None if tables[name].empty else tables[name]) for name in SCHEDULE_TABLES}
    sim = tables["simulation"]
    return PlanResult(
        run_id=meta["run_id"], reused=True, run_key=key, config=config, store_url=store.url,
        as_of=dt.date.fromisoformat(meta["as_of"]) if meta.get("as_of") else None,
        horizon_start=pd.Timestamp(meta["horizon_start"]) if meta.get("horizon_start") else None,
        horizon_end=pd.Timestamp(meta["horizon_end"]) if meta.get("horizon_end") else None,
        forecast=tables["forecast"], requirements=tables["requirements"],
        simulation=None if sim.empty else sim, headcount=tables["headcount"],
        models=meta.get("models") or {}, summary=meta.get("summary") or {}, **sched)


class ExportInterrupted(KeyboardInterrupt):
    """Ctrl-C during the export of a run that is already stored; the message says how to export it."""


class ExportFailed(RuntimeError):
    """The export of a run that is already stored failed; the message says how to export it again."""


def _export_base(out_dir, config: PlanConfig) -> Path:
    """Where exports go: ``out_dir``, else the config's ``output_dir``, else ``./out``."""
    return Path(out_dir) if out_dir is not None else (config.output_dir or Path("out"))


def _export_after_store(result: PlanResult, out_dir, progress: Progress, *, stored: bool) -> None:
    """:func:`_export`; when the run is stored and the export is interrupted or fails, say so and how
    to export it again (the same command reuses the stored run and exports it)."""
    if not stored:
        _export(result, out_dir, progress)
        return
    again = (f"run {result.run_id} is stored in {result.store_url} but its export to "
             f"{_export_base(out_dir, result.config) / result.run_id} {{}}; the previous exports are intact. "
             f"Export it again by running the same command (the stored run is reused and exported)")
    if result.config.source is not None:
        again += f": staffcast run --config {result.config.source}"
    try:
        _export(result, out_dir, progress)
    except KeyboardInterrupt:
        raise ExportInterrupted(again.format("was interrupted")) from None
    except OSError as exc:
        raise ExportFailed(again.format(f"failed ({exc.strerror or exc})")) from None


def _export(result: PlanResult, out_dir, progress: Progress) -> None:
    """Write the run's tables as CSV + Parquet into ``OUT/RUN_ID/`` (see :func:`_export_base`), the
    folder as a whole."""
    result.export_dir = _export_base(out_dir, result.config) / result.run_id
    with progress.step("export", "export CSV + Parquet"):
        tables = {name: getattr(result, name) for name in TABLES + SCHEDULE_TABLES}
        result.exports = export_run(tables, result.export_dir, schedule=result.schedule_result)
        if result.schedule_result is None and result.schedule is not None:
            progress.info("stored run: ics/ calendars are written when the schedule is computed (--force)")


def _apply_refinement(config: PlanConfig, req: pd.DataFrame, sim: pd.DataFrame) -> pd.DataFrame:
    """The requirements with the simulation's final agents (and their scheduled agents)."""
    req = req.copy()
    key = sim[["queue", "interval_start", "agents_final"]]
    m = req.merge(key, on=["queue", "interval_start"], how="left")
    final = m["agents_final"].to_numpy(float)
    has = np.isfinite(final)
    req.loc[has, "agents"] = final[has].astype(np.int64)
    for name, q in config.queues.items():
        sel = (req["queue"] == name).to_numpy() & has
        req.loc[sel, "scheduled"] = scheduled_from(req.loc[sel, "agents"].to_numpy(), q.shrinkage)
    return req


def plan_summary(config: PlanConfig, req: pd.DataFrame, sim: pd.DataFrame | None, hc: pd.DataFrame,
                 sched: ScheduleResult | None = None) -> dict:
    """Per queue: volume (contacts), agent-hours, peak agents, FTE per full week, agents added by
    simulation and the volume-weighted simulated metrics (``sim_*``); ``fte_total`` over queues.

    FTE per week: with a schedule, a scheduled queue's rostered paid hours / ``paid_hours_per_week``
    (``fte_basis`` "roster": whole shifts with their breaks, the mean of the scheduled weeks), its
    interval figure kept as ``fte_per_week_intervals``; otherwise ``fte_basis`` "intervals"
    (agent-hours / (1 - shrinkage), unrounded, see :mod:`planning.headcount`). ``schedule``: the
    schedule stage's summary."""
    out = {"queues": list(config.queues), "fte_total": None, "by_queue": {}}
    fte_week = per_full_week(hc)
    roster_paid = sched.paid_hours_per_week() if sched is not None and sched.weeks else {}
    fte_used = []
    for name in config.queues:
        r = req[req["queue"] == name]
        q = {
            "volume": round(float(r["volume"].sum()), 1),
            "agent_hours": round(float(r["agents"].sum() * config.interval_s / 3600.0), 1),
            "peak_agents": int(r["agents"].max()) if len(r) else 0,
            "fte_per_week": round(float(fte_week.get(name, np.nan)), 2),
            "agents_added_by_simulation": int((r["agents"] - r["agents_analytic"]).sum()),
        }
        if roster_paid:
            q["fte_basis"] = "intervals"
        if name in roster_paid:
            q["fte_per_week_intervals"] = q["fte_per_week"]
            q["fte_per_week"] = round(roster_paid[name] / config.headcount.paid_hours_per_week, 2)
            q["fte_basis"] = "roster"
        fte_used.append(q["fte_per_week"])
        if sim is not None and len(sim):
            s = sim[sim["queue"] == name]
            for col in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy"):
                if col in s and len(s):
                    w = r.set_index("interval_start").reindex(s["interval_start"])["volume"].to_numpy(float)
                    v = s[col].to_numpy(float)
                    ok = np.isfinite(v) & np.isfinite(w)
                    if ok.any() and w[ok].sum() > 0:
                        q[f"sim_{col}"] = round(float(np.average(v[ok], weights=w[ok])), 4)
        out["by_queue"][name] = q
    out["fte_total"] = round(float(np.nansum(fte_used)), 2) if roster_paid else round(float(fte_week.sum()), 2)
    if sched is not None:
        out["schedule"] = sched.summary
    return out
