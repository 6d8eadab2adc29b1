"""The analytic queueing core: metrics for given agents, and the agents that meet the targets.

- :mod:`.erlang`: Erlang B and C; :mod:`.metrics`: Erlang C / A interval metrics;
  :mod:`.chat`: chat with concurrency (:mod:`.chat_routing`: the routing-aware chain;
  :mod:`.chat_handle`: realised against one-chat handle time); :mod:`.tail`: the waiting-time analysis they share;
- :mod:`.staffing`: :func:`required_agents`, with the inverse search of :mod:`.search`;
- :mod:`.announce`: the wait to announce to a contact with j ahead of it;
- :mod:`.retrial`: redials as a fixed point of the offered load (used by :func:`required_agents`
  and :func:`plan_metrics`); :mod:`.retrial_impact`: what ignoring them costs.
"""
from .announce import AnnouncedWait, announced_wait  # noqa: F401
from .chat import CHAT_ROUTINGS, chat_metrics  # noqa: F401
from .chat_handle import one_chat_handle_time  # noqa: F401
from .erlang import erlang_b, erlang_c, poisson_log_pmf  # noqa: F401
from .metrics import SL_DEFINITIONS, QueueMetrics, erlang_a_metrics, erlang_c_metrics  # noqa: F401
from .staffing import StaffingResult, plan_metrics, required_agents  # noqa: F401
from .retrial_impact import RetrialImpact, retrial_impact  # noqa: F401
