"""staffcast simulation: queueing formulas, inverse staffing and the contact-center simulator.

Knows nothing of forecasting models; takes arrays of volume and handle time per interval.
"""
# --- queueing core (analytic) ---
from .announce import AnnouncedWait, announced_wait  # noqa: F401
from .chat import chat_metrics  # noqa: F401
from .erlang import erlang_b, erlang_c, poisson_log_pmf  # noqa: F401
from .metrics import SL_DEFINITIONS, QueueMetrics, erlang_a_metrics, erlang_c_metrics  # noqa: F401
from .staffing import StaffingResult, required_agents  # noqa: F401
# --- simulator (SimPy) ---
from .distributions import Empirical, Exponential, Gamma, LogNormal  # noqa: E402,F401
from .simulator import METRIC_DEFINITIONS, SimulationResult, simulate  # noqa: E402,F401
from .refine import RefineResult, refine_staffing  # noqa: E402,F401
