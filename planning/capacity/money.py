"""Money month by month: the cost of the supply and the value of the service, per strategy.

For one queue, strategy and month of ``month_days`` days (the finance rules of
:func:`planning.scenarios.queue_finance`, reused):

- **value** (cross-sell margin, customers lost and their lifetime value, abandon handling) comes
  from the month's operations: ``queue_finance`` on the staffed representative week (or any
  ``ops_days`` of operations), scaled by ``month_days / ops_days``;
- **cost** pays the *supply*, not the need: ``labour = paid_fte x paid_hours_per_week x month_days / 7
  x cost_per_agent_hour`` and ``overhead = paid_fte x overhead_per_fte_year x month_days / 365``,
  where ``paid_fte`` is the hiring plan's paid FTE (trainees included); plus the month's hiring,
  training and class costs, overtime (``overtime_fte x salary_fte_month x premium``) and
  outsourcing. With ``paid_fte`` = the need's FTE the labour and overhead equal ``queue_finance``'s:
  the old 28-day figures come back when the horizon is one 28-day month and nothing changes.
- ``net_value = cross_sell_value - total_cost - abandon_cost - churn_cost``.

Over the months: ``npv = sum net_m / (1 + r)^((m + 1) / 12)`` (end of month ``m``, annual rate ``r``);
the **break-even month** of a strategy against a baseline is the first month whose cumulative net
value difference is >= 0 and stays so to the end (None if never).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..scenarios import Money, queue_finance

__all__ = ["month_money", "salary_fte_month", "npv", "break_even_month"]

_VALUE_KEYS = ("offered", "handled", "abandoned", "sales", "cross_sell_value", "customers_lost", "churn_cost",
               "abandon_cost")


def salary_fte_month(money: Money, paid_hours_per_week: float) -> float:
    """Loaded cost of one paid FTE for an average month (365.25 / 12 days): hours x rate + overhead."""
    return (money.cost_per_agent_hour * paid_hours_per_week * 365.25 / 12 / 7
            + money.overhead_per_fte_year / 12.0)


def month_money(ops: pd.DataFrame, money: Money, *, interval_s: float, shrinkage: float, ops_days: float,
                month_days: float, paid_hours_per_week: float, paid_fte: float | None = None,
                paid_hours_factor: float = 1.0, hiring_cost: float = 0.0, overtime_fte: float = 0.0,
                overtime_premium: float = 1.5, outsourced_fte: float = 0.0,
                outsource_cost_per_fte_month: float = 0.0) -> dict:
    """One queue-month's money (see the module docstring); ``paid_fte`` None: the need's FTE."""
    fin = queue_finance(ops, money, interval_s=interval_s, shrinkage=shrinkage, period_days=ops_days,
                        paid_hours_per_week=paid_hours_per_week, paid_hours_factor=paid_hours_factor)
    scale = month_days / ops_days
    out = {k: fin[k] * scale for k in _VALUE_KEYS}
    fte = fin["fte"] if paid_fte is None else float(paid_fte)
    month_frac = month_days / (365.25 / 12)
    out["need_fte"] = fin["fte"]
    out["paid_fte"] = fte
    out["labour_cost"] = fte * paid_hours_per_week * month_days / 7.0 * money.cost_per_agent_hour
    out["overhead_cost"] = fte * money.overhead_per_fte_year * month_days / 365.0
    out["hiring_cost"] = float(hiring_cost)
    out["overtime_cost"] = overtime_fte * salary_fte_month(money, paid_hours_per_week) * overtime_premium * month_frac
    out["outsourcing_cost"] = outsourced_fte * outsource_cost_per_fte_month * month_frac
    out["total_cost"] = (out["labour_cost"] + out["overhead_cost"] + out["hiring_cost"] + out["overtime_cost"]
                         + out["outsourcing_cost"])
    out["net_value"] = out["cross_sell_value"] - out["total_cost"] - out["abandon_cost"] - out["churn_cost"]
    return out


def npv(net_by_month, rate_per_year: float) -> float:
    """Net present value of monthly amounts paid at each month's end, annual rate ``rate_per_year``."""
    v = np.asarray(net_by_month, float)
    return float((v / (1.0 + rate_per_year) ** ((np.arange(len(v)) + 1) / 12.0)).sum())


def break_even_month(advantage_by_month) -> int | None:
    """First month index from which the cumulative advantage stays >= 0 (None if it never does)."""
    cum = np.cumsum(np.asarray(advantage_by_month, float))
    neg = np.nonzero(cum < 0)[0]
    if len(neg) == 0:
        return 0
    return int(neg[-1] + 1) if neg[-1] + 1 < len(cum) else None
