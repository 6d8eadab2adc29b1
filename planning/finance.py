"""Old import path of :mod:`planning.scenarios.finance` (money: cost, value and net value), kept so
``from planning.finance import Money`` keeps working."""
from .scenarios.finance import FINANCE_COLUMNS, MONEY_KEYS, Money, annuity_factor, queue_finance

__all__ = ["Money", "MONEY_KEYS", "annuity_factor", "queue_finance", "FINANCE_COLUMNS"]
