"""Money: cost, value and net value of a staffing plan, per queue (and per scenario).

Inputs are the per-interval operations of a plan (``volume`` offered in-house, required ``agents``,
predicted ``abandon_rate`` and ``asa_s``, handle time ``aht_s``) and the money assumptions
:class:`Money`. Every formula is linear in the money assumptions, so totals are easy to check by
hand (``tests/test_finance.py`` does).

Definitions (per interval ``i`` of length ``h = interval_s / 3600`` hours, then summed)
--------------------------------------------------------------------------------------
- ``abandoned_i = volume_i x abandon_rate_i``; ``handled_i = volume_i - abandoned_i``.
- ``agent_hours = sum agents_i x h`` (logged-in, productive); ``paid_hours = agent_hours /
  (1 - shrinkage) x paid_hours_factor``; ``fte = paid_hours / weeks / paid_hours_per_week`` with
  ``weeks = period_days / 7``. ``paid_hours_factor`` is 1 (unrounded interval sums) unless a roster
  of the plan exists: then it is the roster's paid hours per interval-sum paid hour of the same
  weeks (:mod:`.paid_hours`): real shifts cannot follow every interval, and money pays the shifts.
- ``labour_cost = paid_hours x cost_per_agent_hour`` (loaded cost of one paid hour: wage, taxes,
  benefits); ``overhead_cost = fte x overhead_per_fte_year x period_days / 365`` (seat, licences,
  supervision); ``outsourced_cost = outsourced_contacts x outsourced_price_per_contact``.
- cross-sell: a handled contact buys with probability ``conversion_i = min(1, conversion_rate x
  (conv_aht_i / conversion_ref_aht_s) ^ conversion_aht_elasticity)`` (longer conversations sell more
  when the elasticity is > 0; with no reference AHT the ratio is 1); ``sales = sum handled_i x
  conversion_i``; ``cross_sell_value = sales x margin_per_sale``. ``conv_aht_i`` is the column
  ``conversation_aht_s`` when present, else ``aht_s``: the handle time of a like-for-like
  conversation (the forecast's times the scenario's real lengthening), NOT the mean of the mix
  after deflection; removing short contacts raises the mean handle time but lengthens no
  conversation, so it earns nothing.
- **one rule for conversion** (no double count): ``conversion_rate`` is the rate at the reference
  handle time ``conversion_ref_aht_s``, and the effect of longer conversations on sales is carried
  by the elasticity alone. A scenario may raise ``conversion_rate`` (e.g. a sales script) only
  when its conversations are not lengthened with an elasticity: raising both counts the same
  effect twice, and the study refuses it (:func:`.study.parse_study`).
- customers lost: an abandoned contact's customer leaves with probability ``churn_if_abandoned``;
  an answered one with ``min(1, churn_per_wait_minute x asa_i / 60)`` (linear in the wait, so the
  mean wait ``asa_i`` gives the expected churn exactly while the cap does not bind);
  ``customers_lost = sum abandoned_i x churn_if_abandoned + handled_i x min(1, ...)``;
  ``churn_cost = customers_lost x customer_lifetime_value``.
- ``abandon_cost = abandoned x cost_per_abandoned_contact`` (repeat contacts, complaints).
- ``total_cost = labour_cost + overhead_cost + outsourced_cost``;
  ``net_value = cross_sell_value - total_cost - abandon_cost - churn_cost`` for the plan period;
  ``net_value_per_year = net_value x 365 / period_days``;
  ``net_present_value = net_value_per_year x annuity(discount_rate, horizon_years)`` with
  ``annuity(r, H) = (1 - (1 + r)^-H) / r`` (``= H`` when ``r = 0``): the same year repeated for
  ``H`` years, discounted at the end of each year.

Outsourced contacts are counted as handled without waiting and without cross-sell (a provider
does not sell for you); their cost is their price.

:func:`scenario_finance` applies :func:`queue_finance` to every queue of a scenario's operations,
beside the volume-weighted service (:func:`weighted_mean`).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core import check_number

if TYPE_CHECKING:
    from .study import Scenario

__all__ = ["Money", "MONEY_KEYS", "annuity_factor", "queue_finance", "FINANCE_COLUMNS", "scenario_finance",
           "weighted_mean"]

# money.<name>: (its range as check_number keywords, what the value is); other fields: any finite number
_MONEY_RANGES = {
    "cost_per_agent_hour": (dict(minimum=0.0), "per paid agent hour"),
    "overhead_per_fte_year": (dict(minimum=0.0), "per FTE and year"),
    "outsourced_price_per_contact": (dict(minimum=0.0), "per outsourced contact"),
    "conversion_rate": (dict(minimum=0.0, maximum=1.0), "a probability in [0, 1]"),
    "conversion_ref_aht_s": (dict(minimum=0.0, strict_min=True, allow_none=True), "seconds > 0"),
    "margin_per_sale": (dict(minimum=0.0), "per sale"),
    "customer_lifetime_value": (dict(minimum=0.0), "per customer"),
    "churn_if_abandoned": (dict(minimum=0.0, maximum=1.0), "a probability in [0, 1]"),
    "churn_per_wait_minute": (dict(minimum=0.0), "probability per minute of waiting"),
    "cost_per_abandoned_contact": (dict(minimum=0.0), "per abandoned contact"),
    "horizon_years": (dict(minimum=0.0, strict_min=True), "years > 0"),
    "discount_rate": (dict(minimum=-1.0, strict_min=True), "e.g. 0.08 for 8 %"),
}


@dataclass(frozen=True)
class Money:
    """Money assumptions of one scenario (and queue). Units are in the names; currency is the
    study's. All default to 0 except ``cost_per_agent_hour`` (required) and ``horizon_years`` (1)."""

    cost_per_agent_hour: float
    overhead_per_fte_year: float = 0.0
    outsourced_price_per_contact: float = 0.0
    conversion_rate: float = 0.0
    conversion_ref_aht_s: float | None = None
    conversion_aht_elasticity: float = 0.0
    margin_per_sale: float = 0.0
    customer_lifetime_value: float = 0.0
    churn_if_abandoned: float = 0.0
    churn_per_wait_minute: float = 0.0
    cost_per_abandoned_contact: float = 0.0
    horizon_years: float = 1.0
    discount_rate: float = 0.0

    def __post_init__(self):
        for f in fields(self):
            v = getattr(self, f.name)
            limits, what = _MONEY_RANGES.get(f.name, ({}, "a number"))
            if isinstance(v, str):  # check_number would read "0.5" as a number; a money value is not text
                raise ValueError(f"money.{f.name}: expected a number ({what}), got {v!r}")
            try:
                check_number(f"money.{f.name}", v, **limits)
            except ValueError as exc:
                raise ValueError(f"{exc} ({what})") from None

    def as_dict(self) -> dict:
        return asdict(self)


MONEY_KEYS = tuple(f.name for f in fields(Money))


def annuity_factor(discount_rate: float, horizon_years: float) -> float:
    """Present value of 1 per year for ``horizon_years`` years, paid at each year's end."""
    r, n = float(discount_rate), float(horizon_years)
    if abs(r) < 1e-12:
        return n
    return (1.0 - (1.0 + r) ** (-n)) / r


FINANCE_COLUMNS = (
    "offered", "handled", "abandoned", "outsourced_contacts", "agent_hours", "paid_hours", "fte",
    "labour_cost", "overhead_cost", "outsourced_cost", "total_cost", "sales", "cross_sell_value",
    "customers_lost", "churn_cost", "abandon_cost", "net_value", "net_value_per_year", "net_present_value",
    "cost_per_handled_contact", "paid_hours_factor",
)


def queue_finance(ops: pd.DataFrame, money: Money, *, interval_s: float, shrinkage: float,
                  period_days: float, paid_hours_per_week: float, outsourced_contacts: float = 0.0,
                  paid_hours_factor: float = 1.0) -> dict:
    """Cost, value and net value of one queue's plan over the plan period (see module docstring).

    ``ops`` has one row per interval with ``volume``, ``agents`` and, for open intervals,
    ``abandon_rate``, ``asa_s`` and ``aht_s`` (NaN metrics count as 0: a closed interval has no
    contacts) and optionally ``conversation_aht_s`` (see the module docstring).
    ``paid_hours_factor`` (> 0): roster paid hours per interval-sum paid hour (1: no roster).
    Returns a dict with :data:`FINANCE_COLUMNS`.
    """
    if not isinstance(money, Money):
        raise ValueError(f"money: expected a Money, got {type(money).__name__}")
    for name, v in (("interval_s", interval_s), ("period_days", period_days), ("paid_hours_per_week", paid_hours_per_week)):
        check_number(name, v, minimum=0.0, strict_min=True)
    check_number("shrinkage", shrinkage, minimum=0.0, maximum=1.0, strict_max=True)
    check_number("outsourced_contacts", outsourced_contacts, minimum=0.0)
    check_number("paid_hours_factor", paid_hours_factor, minimum=0.0, strict_min=True)
    missing = [c for c in ("volume", "agents", "abandon_rate", "asa_s", "aht_s") if c not in ops]
    if missing:
        raise ValueError(f"ops: missing column(s) {missing}; columns: {list(ops.columns)}")
    vol = np.clip(np.nan_to_num(ops["volume"].to_numpy(float)), 0.0, None)
    agents = np.nan_to_num(ops["agents"].to_numpy(float))
    ab = np.clip(np.nan_to_num(ops["abandon_rate"].to_numpy(float)), 0.0, 1.0)
    asa = np.nan_to_num(ops["asa_s"].to_numpy(float), nan=0.0, posinf=0.0)
    aht = ops["conversation_aht_s" if "conversation_aht_s" in ops else "aht_s"].to_numpy(float)
    h = interval_s / 3600.0

    abandoned_i = vol * ab
    handled_i = vol - abandoned_i
    agent_hours = float(agents.sum() * h)
    paid_hours = agent_hours / (1.0 - shrinkage) * paid_hours_factor
    weeks = period_days / 7.0
    fte = paid_hours / weeks / paid_hours_per_week

    labour = paid_hours * money.cost_per_agent_hour
    overhead = fte * money.overhead_per_fte_year * period_days / 365.0
    outsourced_cost = outsourced_contacts * money.outsourced_price_per_contact
    total_cost = labour + overhead + outsourced_cost

    if money.conversion_ref_aht_s is not None and money.conversion_aht_elasticity != 0.0:
        ratio = np.where(np.isfinite(aht) & (aht > 0), aht / money.conversion_ref_aht_s, 1.0)
        conv = np.minimum(1.0, money.conversion_rate * ratio ** money.conversion_aht_elasticity)
    else:
        conv = np.full(vol.shape, money.conversion_rate)
    sales = float((handled_i * conv).sum())
    cross_sell = sales * money.margin_per_sale

    p_wait_churn = np.minimum(1.0, money.churn_per_wait_minute * asa / 60.0)
    abandoned = float(abandoned_i.sum())
    handled = float(handled_i.sum())
    customers_lost = abandoned * money.churn_if_abandoned + float((handled_i * p_wait_churn).sum())
    churn_cost = customers_lost * money.customer_lifetime_value
    abandon_cost = abandoned * money.cost_per_abandoned_contact

    net = cross_sell - total_cost - abandon_cost - churn_cost
    per_year = net * 365.0 / period_days
    npv = per_year * annuity_factor(money.discount_rate, money.horizon_years)
    served = handled + outsourced_contacts
    return {
        "offered": float(vol.sum()) + outsourced_contacts,
        "handled": handled + outsourced_contacts,
        "abandoned": abandoned,
        "outsourced_contacts": float(outsourced_contacts),
        "agent_hours": agent_hours,
        "paid_hours": paid_hours,
        "fte": fte,
        "labour_cost": labour,
        "overhead_cost": overhead,
        "outsourced_cost": outsourced_cost,
        "total_cost": total_cost,
        "sales": sales,
        "cross_sell_value": cross_sell,
        "customers_lost": customers_lost,
        "churn_cost": churn_cost,
        "abandon_cost": abandon_cost,
        "net_value": net,
        "net_value_per_year": per_year,
        "net_present_value": npv,
        "cost_per_handled_contact": total_cost / served if served > 0 else float("nan"),
        "paid_hours_factor": float(paid_hours_factor),
    }


def weighted_mean(v, w) -> float:
    """Mean of ``v`` weighted by ``w`` over the entries where both are finite and ``w > 0`` (NaN if none)."""
    v, w = np.asarray(v, float), np.asarray(w, float)
    ok = np.isfinite(v) & np.isfinite(w) & (w > 0)
    return float(np.average(v[ok], weights=w[ok])) if ok.any() else float("nan")


def scenario_finance(scenario: "Scenario", ops: dict, period_days: float, *,
                     money_scale: dict | None = None) -> pd.DataFrame:
    """Per-queue headcount, service, cost and value of a scenario's operations (one row per queue:
    the analytic model, volume-weighted service, peak agents, idle agent-hours and
    :data:`FINANCE_COLUMNS`).

    ``money_scale``: ``{assumption: factor}`` multiplies money assumptions (break-even, sensitivity).
    Paid hours use the scenario's ``paid_hours_factors`` (roster basis, :mod:`.paid_hours`).
    """
    plan = scenario.plan
    rows = []
    for name, q in plan.queues.items():
        qs = scenario.queues[name]
        money = qs.money
        if money_scale:
            money = replace(money, **{k: getattr(money, k) * f for k, f in money_scale.items()
                                      if getattr(money, k) is not None})
        req = ops[name]["requirements"]
        fin = queue_finance(req, money, interval_s=plan.interval_s, shrinkage=q.shrinkage, period_days=period_days,
                            paid_hours_per_week=plan.headcount.paid_hours_per_week,
                            outsourced_contacts=ops[name]["outsourced_contacts"],
                            paid_hours_factor=scenario.paid_hours_factors.get(name, 1.0))
        vol = req["volume"].to_numpy(float)
        handled = vol * (1 - np.nan_to_num(req["abandon_rate"].to_numpy(float)))
        row = {"scenario": scenario.name, "queue": name, "model": "chat" if q.kind == "chat" else
               ("erlang_a" if q.patience_s else "erlang_c"),
               "service_level": weighted_mean(req["service_level"], vol), "sl_awt_s": float(q.targets.awt_s),
               "asa_s": weighted_mean(req["asa_s"], handled),
               "p_wait": weighted_mean(req["p_wait"], vol), "abandon_rate": weighted_mean(req["abandon_rate"], vol),
               "occupancy": weighted_mean(req["occupancy"], req["agents"]),
               "peak_agents": int(req["agents"].max()) if len(req) else 0,
               "idle_agent_hours": float(req["idle_agent_hours"].sum())}
        row.update(fin)
        rows.append(row)
    return pd.DataFrame(rows)
