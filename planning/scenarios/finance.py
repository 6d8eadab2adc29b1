"""Money: cost, value and net value of a staffing plan, per queue.

Inputs are the per-interval operations of a plan (``volume`` offered in-house, required ``agents``,
predicted ``abandon_rate`` and ``asa_s``, handle time ``aht_s``) and the money assumptions
:class:`Money`. Every formula is linear in the money assumptions, so totals are easy to check by
hand (``tests/test_finance.py`` does).

Definitions (per interval ``i`` of length ``h = interval_s / 3600`` hours, then summed)
--------------------------------------------------------------------------------------
- ``abandoned_i = volume_i x abandon_rate_i``; ``handled_i = volume_i - abandoned_i``.
- ``agent_hours = sum agents_i x h`` (logged-in, productive); ``paid_hours = agent_hours /
  (1 - shrinkage)``; ``fte = paid_hours / weeks / paid_hours_per_week`` with ``weeks =
  period_days / 7``.
- ``labour_cost = paid_hours x cost_per_agent_hour`` (loaded cost of one paid hour: wage, taxes,
  benefits); ``overhead_cost = fte x overhead_per_fte_year x period_days / 365`` (seat, licences,
  supervision); ``outsourced_cost = outsourced_contacts x outsourced_price_per_contact``.
- cross-sell: a handled contact buys with probability ``conversion_i = min(1, conversion_rate x
  (aht_i / conversion_ref_aht_s) ^ conversion_aht_elasticity)`` (longer conversations sell more
  when the elasticity is > 0; with no reference AHT the ratio is 1); ``sales = sum handled_i x
  conversion_i``; ``cross_sell_value = sales x margin_per_sale``.
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
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

__all__ = ["Money", "MONEY_KEYS", "annuity_factor", "queue_finance", "FINANCE_COLUMNS"]


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
            if v is None and f.name == "conversion_ref_aht_s":
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)) or not math.isfinite(v):
                raise ValueError(f"money.{f.name}: expected a finite number, got {v!r}")
        for name in ("conversion_rate", "churn_if_abandoned"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"money.{name}: expected a probability in [0, 1], got {v!r}")
        for name in ("cost_per_agent_hour", "overhead_per_fte_year", "outsourced_price_per_contact",
                     "margin_per_sale", "customer_lifetime_value", "churn_per_wait_minute",
                     "cost_per_abandoned_contact"):
            if getattr(self, name) < 0:
                raise ValueError(f"money.{name}: expected >= 0, got {getattr(self, name)!r}")
        if self.conversion_ref_aht_s is not None and self.conversion_ref_aht_s <= 0:
            raise ValueError(f"money.conversion_ref_aht_s: expected seconds > 0, got {self.conversion_ref_aht_s!r}")
        if self.horizon_years <= 0:
            raise ValueError(f"money.horizon_years: expected > 0, got {self.horizon_years!r}")
        if self.discount_rate <= -1:
            raise ValueError(f"money.discount_rate: expected > -1 (e.g. 0.08 for 8 %), got {self.discount_rate!r}")

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
    "cost_per_handled_contact",
)


def queue_finance(ops: pd.DataFrame, money: Money, *, interval_s: float, shrinkage: float,
                  period_days: float, paid_hours_per_week: float, outsourced_contacts: float = 0.0) -> dict:
    """Cost, value and net value of one queue's plan over the plan period (see module docstring).

    ``ops`` has one row per interval with ``volume``, ``agents`` and, for open intervals,
    ``abandon_rate``, ``asa_s`` and ``aht_s`` (NaN metrics count as 0: a closed interval has no
    contacts). Returns a dict with :data:`FINANCE_COLUMNS`.
    """
    if not isinstance(money, Money):
        raise ValueError(f"money: expected a Money, got {type(money).__name__}")
    for name, v, lo in (("interval_s", interval_s, 0.0), ("period_days", period_days, 0.0),
                        ("paid_hours_per_week", paid_hours_per_week, 0.0)):
        if not (isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v) and v > lo):
            raise ValueError(f"{name}: expected a number > {lo}, got {v!r}")
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage: expected a share in [0, 1), got {shrinkage!r}")
    if outsourced_contacts < 0:
        raise ValueError(f"outsourced_contacts: expected >= 0, got {outsourced_contacts!r}")
    missing = [c for c in ("volume", "agents", "abandon_rate", "asa_s", "aht_s") if c not in ops]
    if missing:
        raise ValueError(f"ops: missing column(s) {missing}; columns: {list(ops.columns)}")
    vol = np.clip(np.nan_to_num(ops["volume"].to_numpy(float)), 0.0, None)
    agents = np.nan_to_num(ops["agents"].to_numpy(float))
    ab = np.clip(np.nan_to_num(ops["abandon_rate"].to_numpy(float)), 0.0, 1.0)
    asa = np.nan_to_num(ops["asa_s"].to_numpy(float), nan=0.0, posinf=0.0)
    aht = ops["aht_s"].to_numpy(float)
    h = interval_s / 3600.0

    abandoned_i = vol * ab
    handled_i = vol - abandoned_i
    agent_hours = float(agents.sum() * h)
    paid_hours = agent_hours / (1.0 - shrinkage)
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
    }
