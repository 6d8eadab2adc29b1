"""staffcast simulation: queueing formulas, inverse staffing and the contact-center simulator.

Knows nothing of forecasting models; takes arrays of volume and handle time per interval and the
shared domain objects of :mod:`core` (:class:`core.QueueModel`, :class:`core.Targets`).

- :mod:`simulation.queueing`: Erlang B/C/A, the chat model, queue-position announcement and the
  inverse search :func:`required_agents` (analytic, steady state per interval);
- :mod:`simulation.engine`: the simulator's inputs and random draws, the fast heapq engine and the
  SimPy voice / chat floors, one replication;
- :mod:`simulation.simulator`: :func:`simulate` (replications through :func:`core.map_jobs`);
  :mod:`simulation.stats`: replication statistics and the result tables;
  :mod:`simulation.scoring`: which intervals miss which target;
- :mod:`simulation.refine`: :func:`refine_staffing`, the formula raised by simulation;
- :mod:`simulation.callbacks`: :func:`compare_callbacks`, what callbacks buy on a plan;
- :mod:`simulation.settings`: :class:`RunSettings`, :class:`RefineSettings`.
"""
# --- queueing core (analytic) ---
from .queueing import (SL_DEFINITIONS, AnnouncedWait, QueueMetrics, RetrialImpact,  # noqa: F401
                       StaffingResult, announced_wait, chat_metrics, erlang_a_metrics, erlang_b,
                       erlang_c, erlang_c_metrics, one_chat_handle_time, plan_metrics,
                       poisson_log_pmf, required_agents, retrial_impact)
# --- simulator ---
from .distributions import Distribution, Empirical, Exponential, Gamma, LogNormal  # noqa: F401
from .settings import RefineSettings, RunSettings  # noqa: F401
from .scoring import TargetMisses, target_column, target_misses  # noqa: F401
from .simulator import METRIC_DEFINITIONS, SimulationResult, simulate  # noqa: F401
from .refine import REFINE_RUN, RefineResult, refine_staffing  # noqa: F401
from .callbacks import CallbackComparison, compare_callbacks  # noqa: F401
