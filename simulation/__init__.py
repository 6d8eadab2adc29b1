"""staffcast simulation: queueing formulas, inverse staffing and the contact-center simulator.

Knows nothing of forecasting models; takes arrays of volume and handle time per interval.
"""
# --- queueing core (analytic) ---
# --- simulator (SimPy) ---
from .distributions import Empirical, Exponential, Gamma, LogNormal  # noqa: E402,F401
from .simulator import METRIC_DEFINITIONS, SimulationResult, simulate  # noqa: E402,F401
