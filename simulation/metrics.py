"""Old module path: the interval metrics now live in :mod:`simulation.queueing.metrics`."""
from .queueing.metrics import SL_DEFINITIONS, QueueMetrics, erlang_a_metrics, erlang_c_metrics  # noqa: F401
