"""A whole study in one call: :func:`run_study` evaluates every scenario on one shared forecast.

Outputs (:class:`StudyResult`): ``comparison`` (one row per scenario, with ``delta_*`` against the
baseline and ``churn_avoided`` = baseline customers lost - scenario customers lost), ``by_queue``,
``break_even`` (the value of each money assumption at which a scenario's net value equals the
baseline's, everything else fixed), ``sensitivity`` (each assumption moved by +-x %, ranked by how
much it moves the scenario's advantage over the baseline), ``requirements`` per scenario and
interval with idle agent-hours, and the chat windows when the study asks for them.
:func:`export_study` writes the tables as CSV; :func:`planning.store.save_study` stores them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import InputError
from .analysis import break_even, sensitivity
from .evaluation import comparison_table, period_days, scenario_operations, simulation_check, study_forecast
from .finance import scenario_finance, weighted_mean
from .paid_hours import RosterBasis, with_roster_basis
from .study import Study, load_study
from .whatif import surges_outside

__all__ = ["StudyResult", "run_study", "export_study"]


@dataclass
class StudyResult:
    """Everything a study computes (see the module docstring for the definitions)."""

    study: Study
    comparison: pd.DataFrame
    by_queue: pd.DataFrame
    break_even: pd.DataFrame
    sensitivity: pd.DataFrame
    requirements: pd.DataFrame
    simulation_check: pd.DataFrame | None
    chat_windows: object | None
    chat_hours: object | None
    period_days: float
    study_id: str = ""
    exports: list = field(default_factory=list)
    notes: list = field(default_factory=list)  # what the planner should know (e.g. a surge outside the horizon)
    paid_hours_basis: str = ""  # how money counted paid hours: the roster's (which run) or interval sums

    def tables(self) -> dict:
        """The result tables by name (the chat windows' tables when the study has them)."""
        out = {"comparison": self.comparison, "by_queue": self.by_queue, "break_even": self.break_even,
               "sensitivity": self.sensitivity}
        if self.simulation_check is not None:
            out["simulation_check"] = self.simulation_check
        if self.chat_windows is not None:
            out["chat_windows"] = self.chat_windows.windows.assign(kind="budget")
        if self.chat_hours is not None:
            out["chat_posted_hours"] = self.chat_hours.result.windows.assign(kind="posted_hours")
        return out


def _evaluate_all(study: Study, forecast: pd.DataFrame) -> tuple[dict, pd.DataFrame, float]:
    period = period_days(study.plan, forecast)
    ops = {n: scenario_operations(s, forecast) for n, s in study.scenarios.items()}
    by_queue = pd.concat([scenario_finance(study.scenarios[n], ops[n], period) for n in study.scenarios],
                         ignore_index=True)
    return ops, by_queue, period


def run_study(study: Study | str | Path, *, forecast: pd.DataFrame | None = None, simulate: bool | None = None,
              workers: int | None = None, executor=None, progress=None,
              roster_basis: RosterBasis | None = None) -> StudyResult:
    """Evaluate every scenario of a study, with break-even, sensitivity and chat windows.

    ``roster_basis`` (:func:`.paid_hours.roster_basis_from_store`): money pays the roster's paid hours
    (interval sums x the roster factor per queue); None: unrounded interval sums (said in ``paid_hours_basis``)."""
    if not isinstance(study, Study):
        study = load_study(study)
    study = with_roster_basis(study, roster_basis)
    if forecast is None:
        forecast = study_forecast(study, progress)
    ops, by_queue, period = _evaluate_all(study, forecast)
    sim_check = None
    if simulate if simulate is not None else study.check.simulate:
        sim_check = pd.concat([simulation_check(study.scenarios[n], ops[n], study.check, workers)
                               for n in study.scenarios], ignore_index=True)
        by_queue = by_queue.merge(sim_check, on=["scenario", "queue"], how="left")
    comparison = comparison_table(by_queue, study.baseline, list(study.scenarios))
    if sim_check is not None:
        for col in ("service_level", "asa_s", "abandon_rate"):
            w = by_queue["offered"] - by_queue["outsourced_contacts"]
            comparison[f"sim_{col}"] = [weighted_mean(by_queue.loc[by_queue.scenario == n, f"sim_{col}"],
                                                      w[by_queue.scenario == n]) for n in comparison["scenario"]]
    be = break_even(study, ops, period) if len(study.scenarios) > 1 else pd.DataFrame()
    sens = sensitivity(study, ops, forecast, period, executor=executor) if len(study.scenarios) > 1 else pd.DataFrame()
    reqs = pd.concat([ops[n][q]["requirements"].assign(scenario=n) for n in study.scenarios for q in ops[n]],
                     ignore_index=True)
    cw = ch = None
    if study.chat_windows:
        cw, ch = _chat_windows(study, forecast)
    notes = [f"scenario {n}: surge '{sg.label}' ({sg.start} .. {sg.end}) lies outside the forecast horizon "
             f"{forecast['interval_start'].min()} .. {forecast['interval_start'].max()}: it changes nothing"
             for n, sc in study.scenarios.items() for sg in surges_outside(forecast, sc.surges)]
    basis = (roster_basis.describe() if roster_basis is not None else
             "paid hours are unrounded interval sums (agents x h / (1 - shrinkage)): no stored schedule of the plan "
             "was given; run `staffcast run` on a plan with [schedule] to price the roster's shifts")
    return StudyResult(study, comparison, by_queue, be, sens, reqs, sim_check, cw, ch, period, notes=notes,
                       paid_hours_basis=basis)


def _chat_windows(study: Study, forecast: pd.DataFrame):
    """The study's ``[chat_windows]``: windows for the budget and/or the cost of posted hours."""
    from ..chat_windows import agent_hours_for_hours, chat_week_grid, chat_windows

    cfg = study.chat_windows
    q = study.plan.queues[cfg["queue"]]
    f = forecast[forecast["queue"] == q.name]
    t = q.targets
    evening = tuple(cfg.get("evening", ("20:00", "24:00")))
    try:
        grid = chat_week_grid(f, study.plan.interval_s, p_wait=cfg.get("p_wait", t.p_wait if t.p_wait else 0.05),
                              asa_s=cfg.get("asa_s", t.asa_s), concurrency=q.concurrency,
                              aht_by_concurrency_s=q.aht_by_concurrency_s, patience_s=q.patience_s,
                              min_agents_open=int(cfg.get("min_agents_open", 1)))
        cw = None
        if "budget_agent_hours_per_week" in cfg:
            cw = chat_windows(f, study.plan.interval_s, float(cfg["budget_agent_hours_per_week"]), grid=grid,
                              max_windows_per_day=int(cfg.get("max_windows_per_day", 1)),
                              min_window_intervals=int(cfg.get("min_window_intervals", 1)),
                              allowed_hours=cfg.get("allowed_hours"), budget_mode=cfg.get("budget_mode", "each_week"),
                              evening=evening)
        ch = None
        if "posted_hours" in cfg:
            ch = agent_hours_for_hours(f, study.plan.interval_s, cfg["posted_hours"], grid=grid, shrinkage=q.shrinkage,
                                       evening=evening)
    except ValueError as exc:
        raise InputError(f"chat_windows: {exc}") from None
    return cw, ch


def export_study(result: StudyResult, out_dir: str | Path) -> list[Path]:
    """Write the study's tables (and per-interval requirements) as CSV files into ``out_dir``, the
    folder as a whole."""
    from ..exports import export_run

    tables = dict(result.tables())
    tables["requirements"] = result.requirements
    paths = export_run(tables, out_dir, formats=("csv",))  # the folder as a whole
    result.exports = paths
    return paths
