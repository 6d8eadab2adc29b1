"""Long-range capacity planning (12-18 months): demand, need, supply and hiring, money.

:func:`run_capacity` runs the whole plan of a capacity TOML (:func:`load_capacity`); the parts are
:mod:`.demand` (monthly and weekly volume with bands), :mod:`.need` (required FTE from interval-level
staffing of representative weeks), :mod:`.hiring` (the hiring MILP), :mod:`.service` (the service a
shortfall leaves) and :mod:`.money` (cost and value by month, NPV, break-even).
"""
from .config import CapacityConfig, load_capacity, parse_capacity
from .hiring import HiringPlan, HiringProblem, solve_hiring
from .money import break_even_month, month_money, npv
from .plan import CAPACITY_TABLES, CapacityResult, run_capacity

__all__ = ["CapacityConfig", "load_capacity", "parse_capacity", "HiringProblem", "HiringPlan", "solve_hiring",
           "month_money", "npv", "break_even_month", "CapacityResult", "run_capacity", "CAPACITY_TABLES"]
