"""The Capacity page's numbers: the newest stored capacity plan (``staffcast capacity``) and its
what-ifs for attrition and growth.

The stored plan's need, supply, hiring classes and money are shown as computed. The what-if sliders
re-solve the hiring MILP (:func:`planning.capacity.solve_hiring`) on the stored need:

- **attrition**: every queue's monthly attrition times a factor (exact: the MILP is solved again);
- **growth**: the need of month ``t`` times ``((1 + g_new) / (1 + g_plan))^((t + 0.5) / 12)``,
  i.e. need in proportion to volume (an approximation: staffing is not exactly linear in volume;
  ``staffcast capacity`` with the new ``growth_per_year`` re-staffs every interval).

Money by month is the stored plan's; the what-if reports the hiring plan's cost against it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import InputError

__all__ = ["StoredCapacity", "latest_capacity", "capacity_whatif", "need_supply_frame", "money_frame",
           "shortfall_service_frame"]


@dataclass(frozen=True)
class StoredCapacity:
    """One stored capacity plan: its id, name, currency, whether illustrative, the capacity TOML (as
    stored) and the result tables by name."""

    capacity_id: str
    created_utc: str
    name: str
    currency: str
    illustrative: bool
    raw: dict
    tables: dict

    @property
    def strategies(self) -> list:
        return list(self.tables["summary"]["strategy"])


def latest_capacity(store_url: str) -> StoredCapacity | None:
    """The newest stored capacity plan, or None when there is none (or no store yet)."""
    import json

    from ..store import RunStore, StoreError
    from ..store.capacity import list_capacity, load_saved_capacity

    try:
        with RunStore(store_url, create=False) as store:
            plans = list_capacity(store)
            if plans.empty:
                return None
            got = load_saved_capacity(store, plans["capacity_id"].iloc[0])
    except (StoreError, InputError):
        return None
    m = got["meta"]
    return StoredCapacity(m["capacity_id"], str(m["created_utc"]), m["name"], m["currency"] or "",
                          bool(m["illustrative"]), json.loads(m["config_json"]), got["tables"])


def capacity_whatif(stored: StoredCapacity, strategy: str, *, attrition_factor: float = 1.0,
                    growth_per_year: float | None = None) -> dict:
    """The strategy's hiring plan re-solved with attrition x ``attrition_factor`` and need at
    ``growth_per_year`` (None: the plan's): ``{"supply", "classes", "summary"}`` (see the module docstring)."""
    from ..capacity import parse_capacity, solve_hiring
    from ..capacity.plan import hiring_problem

    if strategy not in stored.strategies:
        raise InputError(f"strategy {strategy!r} is not in the stored plan; expected one of {stored.strategies}")
    if not (0.0 <= attrition_factor <= 5.0):
        raise InputError(f"attrition factor: expected 0 .. 5, got {attrition_factor}")
    cfg = parse_capacity(stored.raw)
    need = stored.tables["need"]
    need = need[need["strategy"] == strategy].copy()
    months = sorted(need["month"].unique())
    g0 = cfg.demand["growth_per_year"]
    if growth_per_year is not None:
        if growth_per_year <= -0.9:
            raise InputError(f"growth per year: expected > -90%, got {growth_per_year:.0%}")
        t = need["month"].map({m: i for i, m in enumerate(months)}).to_numpy(float)
        need["need_fte"] = need["need_fte"] * ((1 + growth_per_year) / (1 + g0)) ** ((t + 0.5) / 12.0)
    s = stored.tables["summary"].set_index("strategy").loc[strategy]
    if "salary_fte_month" not in s:
        raise InputError(f"capacity plan {stored.capacity_id} was stored by an older staffcast without the hiring "
                         "inputs; run `staffcast capacity` again")
    queues = list(dict.fromkeys(need["queue"]))
    phw = float(s["paid_hours_per_week"])
    plan = solve_hiring(hiring_problem(cfg, queues, need, months, salary_fte_month=float(s["salary_fte_month"]),
                                       paid_hours_per_week=phw, attrition_factor=attrition_factor))
    supply = plan.monthly.assign(month=[months[t] for t in plan.monthly["month"]])
    classes = plan.classes.assign(start=[months[t] for t in plan.classes["start_month"]])
    return {"supply": supply, "classes": classes[["queue", "start", "hires"]],
            "summary": {"hires": int(plan.classes["hires"].sum()), "cost": plan.objective, "bound": plan.bound,
                        "gap": plan.gap, "status": plan.status,
                        "shortfall_fte_months": float(plan.monthly["shortfall_fte"].sum()),
                        "plan_cost": float(s["milp_objective"]), "plan_hires": int(s["hires"])}}


def need_supply_frame(supply: pd.DataFrame, queue: str) -> pd.DataFrame:
    """``month, need_fte, supply_fte, gap_fte, short`` of one queue (``supply`` includes overtime
    and outsourcing here: what the month can field), for the need-vs-supply chart."""
    s = supply[supply["queue"] == queue]
    field = s["supply_fte"] + s["overtime_fte"] + s["outsourced_fte"]
    out = pd.DataFrame({"month": pd.to_datetime(s["month"] + "-01"), "need_fte": s["need_fte"].to_numpy(),
                        "supply_fte": field.to_numpy()})
    out["gap_fte"] = out["supply_fte"] - out["need_fte"]
    out["short"] = out["gap_fte"] < -1e-6
    return out.reset_index(drop=True)


def money_frame(stored: StoredCapacity, strategy: str) -> pd.DataFrame:
    """Per month of the stored plan (all queues): ``month, cost, cross_sell_value, churn_cost,
    net_value, cumulative_net_value``."""
    m = stored.tables["money"]
    m = m[m["strategy"] == strategy]
    g = m.groupby("month", sort=True)[["total_cost", "cross_sell_value", "churn_cost", "net_value"]].sum()
    g = g.rename(columns={"total_cost": "cost"}).reset_index()
    g["cumulative_net_value"] = np.cumsum(g["net_value"].to_numpy(float))
    return g


def shortfall_service_frame(stored: StoredCapacity, strategy: str) -> pd.DataFrame | None:
    """The stored plan's service where the strategy's supply stays short of need (``staffcast
    capacity``'s ``shortfall_service``), one row per short queue-month: ``queue, month, supplied %
    of need, service level % at need and supplied, ASA s at need and supplied, abandoned % supplied,
    intervals meeting every target %`` (volume-weighted over the representative week's open
    intervals). Empty when nothing is short; None for a plan stored before the table existed."""
    t = stored.tables.get("shortfall_service")
    if t is None or "strategy" not in t:
        return None
    t = t[t["strategy"] == strategy]
    return pd.DataFrame({
        "queue": t["queue"].to_numpy(), "month": t["month"].to_numpy(),
        "supplied_pct": 100 * t["supplied_share"].to_numpy(float),
        "service_level_need_pct": 100 * t["service_level_need"].to_numpy(float),
        "service_level_supplied_pct": 100 * t["service_level_supplied"].to_numpy(float),
        "asa_need_s": t["asa_s_need"].to_numpy(float), "asa_supplied_s": t["asa_s_supplied"].to_numpy(float),
        "abandoned_supplied_pct": 100 * t["abandon_rate_supplied"].to_numpy(float),
        "intervals_meeting_targets_pct": 100 * t["intervals_meeting_targets_supplied"].to_numpy(float)})
