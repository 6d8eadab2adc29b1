"""Inverse staffing: the smallest number of agents per interval that meets every target.

The search is vectorized over intervals: it starts at the square-root-staffing estimate
``a + beta sqrt(a)`` (Halfin-Whitt), gallops up or down with doubling steps until it brackets the
answer, then bisects, evaluating all intervals still searching in one numpy call per step (see
:mod:`simulation.queueing.search`). Every target is monotone in the number of agents, so the result
is exact: the returned count meets every target and one agent fewer misses at least one (or is
below a hard lower bound such as stability).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from core import QueueModel, Targets
from core.checks import as_count_array, as_float_array, broadcast
from core.limits import check_staffing_load
from .chat import chat_core
from .metrics import QueueMetrics, erlang_a_core, erlang_c_metrics_core
from .retrial import solve_plan
from .search import minimal_passing, walk_erlang_c

__all__ = ["StaffingResult", "required_agents", "plan_metrics"]

_BETA_START = 1.0  # square-root staffing safety factor used only as the search's starting point
_VOICE_TARGETS = ("service_level", "asa_s", "p_wait")  # targets Erlang C can answer for Erlang A


@dataclass(frozen=True)
class StaffingResult:
    """Agents per interval and what they deliver.

    ``agents``: smallest agent count meeting every target (logged-in, handling contacts).
    ``scheduled``: agents to schedule after shrinkage, ``ceil(agents / (1 - shrinkage))``.
    Predicted metrics at ``agents`` follow :class:`simulation.QueueMetrics`; ``model`` names the
    queueing model used (``"erlang_c"``, ``"erlang_a"`` or ``"chat"``); ``targets`` is the
    :class:`core.Targets` that was met. ``occupancy`` is the share of contact slots in use and
    ``agents_busy`` the share of agents holding at least one contact (equal for voice; the cap
    applies to ``targets.occupancy_definition``); ``asa_s`` follows :attr:`asa_definition`.
    ``offered``: with retrials (``queue.retrial_prob > 0`` and a finite patience), the contacts
    offered per interval, first attempts plus redials (the metrics are per contact offered), else
    None (the offered volume is the input).
    """

    agents: np.ndarray
    scheduled: np.ndarray
    service_level: np.ndarray
    asa_s: np.ndarray
    p_wait: np.ndarray
    abandon_rate: np.ndarray
    occupancy: np.ndarray
    mean_wait_s: np.ndarray
    agents_busy: np.ndarray
    model: str
    sl_definition: str
    targets: Targets = field(default_factory=Targets)
    offered: np.ndarray | None = None

    @property
    def asa_definition(self) -> str:
        """The ASA definition of ``asa_s`` (``targets.asa_definition``: answered or patient)."""
        return self.targets.asa_definition

    def to_frame(self) -> pd.DataFrame:
        """Agents, scheduled agents and predicted metrics as a DataFrame, one row per interval."""
        return pd.DataFrame({f.name: np.ravel(getattr(self, f.name)) for f in fields(self)
                             if f.name not in ("model", "sl_definition", "targets")
                             and getattr(self, f.name) is not None})


class _IntervalModel:
    """The analytic model of a queue over flat interval arrays: metrics and the target test.

    ``lam`` arrivals per second, ``aht`` handle time (s) per interval; the model (Erlang C, Erlang
    A or chat), patience and concurrency come from ``queue``; AWT and the targets from ``targets``.
    """

    def __init__(self, lam: np.ndarray, aht: np.ndarray, queue: QueueModel, targets: Targets,
                 routing: str | None = None):
        self.lam, self.aht, self.targets = lam, aht, targets
        self.model = queue.model
        self.k = queue.concurrency
        self.routing = queue.routing if routing is None else routing  # "even": the idealised spread
        self.awt = np.full(lam.shape, targets.awt_s)
        self.pat = np.full(lam.shape, queue.patience_s if queue.abandons else np.inf)
        if self.model == "chat":  # per-chat handle time at 1..k chats held, per interval
            self.aht_matrix = aht[:, None] * np.asarray(queue.concurrency_profile)[None, :]

    def load(self) -> np.ndarray:
        """Load in agent units: Erlangs for voice, fully loaded agents for chat."""
        if self.model == "chat":
            return self.lam * self.aht_matrix[:, -1] / self.k
        return self.lam * self.aht

    def busy_lower_bound(self) -> np.ndarray:
        """A lower bound on the busy agents (in the unit the occupancy cap applies to), any staffing.

        Erlang C serves the whole offered load, so a / cap agents are needed. With abandonment the
        served load falls as agents fall, so the cap gives no bound (0; the search is exact
        anyway). Chat without abandonment: chats held >= lam x the shortest per-chat handle time,
        and agents busy >= chats held / k, so both occupancy definitions need at least that / k.
        """
        if self.model == "erlang_c":
            return self.lam * self.aht
        if self.model == "chat" and not np.isfinite(self.pat).any():
            return self.lam * self.aht_matrix.min(axis=1) / self.k
        return np.zeros(self.lam.shape)

    def evaluate(self, c: np.ndarray, rows: np.ndarray, lam: np.ndarray | None = None) -> QueueMetrics:
        """Metrics with ``c`` agents in the intervals ``rows`` (``lam``: other arrivals per second)."""
        sl_def, asa_def = self.targets.sl_definition, self.targets.asa_definition
        lam = self.lam[rows] if lam is None else lam
        if self.model == "chat":
            return chat_core(c.astype(np.int64), lam, self.aht_matrix[rows], self.k,
                             self.pat[rows], self.awt[rows], sl_def, self.routing, asa_def)
        if self.model == "erlang_a":
            return erlang_a_core(c.astype(float), lam, self.aht[rows], self.pat[rows],
                                 self.awt[rows], sl_def, asa_def)
        # Erlang C: nobody abandons, so both ASA definitions give the same number
        return replace(erlang_c_metrics_core(c.astype(float), lam * self.aht[rows],
                                             self.aht[rows], self.awt[rows]), asa_definition=asa_def)

    def meets(self, c: np.ndarray, rows: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        """Whether ``c`` agents meet every target in ``rows`` (``b``: Erlang B known, Erlang C)."""
        if b is None:
            m = self.evaluate(c, rows)
        else:
            m = erlang_c_metrics_core(c, self.lam[rows] * self.aht[rows], self.aht[rows], self.awt[rows], b=b)
        return np.asarray(self.targets.met(m), bool)


def required_agents(volume, interval_s, queue: QueueModel, targets: Targets, *, aht_s=None,
                    shrinkage=0.0, min_agents=0) -> StaffingResult:
    """Smallest agents per interval meeting every given target, then scheduled after shrinkage.

    Parameters
    ----------
    volume : array
        Contacts offered per interval (>= 0).
    interval_s : array or float
        Interval length in seconds (> 0).
    queue : core.QueueModel
        Handle time, patience and concurrency; ``queue.model`` picks Erlang C (no patience),
        Erlang A (finite ``patience_s``) or chat (concurrency > 1 or ``aht_by_concurrency_s``,
        whose shape is scaled to each interval's handle time). ``balk_prob`` and the callback
        settings are ignored here (the formulas have neither; the simulator has). With
        ``retrial_prob > 0`` and a finite patience, redials join the offered load (the fixed point
        of :mod:`simulation.queueing.retrial`; the intervals must then be consecutive, of one
        length) and the answer stays exact-minimal at that load.
    targets : core.Targets
        At least one target; ``targets.awt_s`` is the AWT of the service level, defined by
        ``targets.sl_definition``. ``abandon_rate`` needs a patience in ``queue``.
    aht_s : array or float, optional
        Mean handle time per contact in seconds (> 0) per interval; overrides ``queue.aht_s``
        (default: ``queue.mean_handle_s``). For chat: the handle time of a chat held alone.
    shrinkage : float in [0, 1)
        Share of paid time not available for contacts.
    min_agents : int >= 0
        Floor on agents per interval, also used for intervals with zero volume.

    Returns
    -------
    StaffingResult
    """
    _check_types(queue, targets)
    targets.require_any("required_agents")
    shrink = float(as_float_array("shrinkage", shrinkage, minimum=0.0, maximum=1.0, strict_max=True))
    floor_agents = int(as_count_array("min_agents", min_agents))
    vol, ivl, aht, shape = _interval_inputs(volume, interval_s, aht_s, queue, targets)
    check_staffing_load(vol, vol * aht / ivl / queue.concurrency)

    def search(model, rows, offered, start=None):
        """Smallest passing agents in ``rows`` (the floor where nothing is offered)."""
        agents = np.full(rows.shape, float(floor_agents))
        pos = offered[rows] > 0
        if pos.any():
            found = _search(model, rows[pos], offered, ivl, aht, queue, targets,
                            start=None if start is None else start[pos])
            agents[pos] = np.maximum(found, floor_agents)
        return agents

    if _with_retrials(queue):
        L = _one_interval_length(ivl)
        agents, offered, final = solve_plan(vol, L, queue, lambda lam: _IntervalModel(lam, aht, queue, targets),
                                            search=search)
    else:
        model = _IntervalModel(vol / ivl, aht, queue, targets)
        agents, offered = search(model, np.arange(vol.size), vol), None
        final = model.evaluate(agents, np.arange(agents.size))
    scheduled = np.ceil(agents / (1.0 - shrink) - 1e-9).astype(np.int64)
    metrics = _metric_arrays(final, vol if offered is None else offered, shape)
    return StaffingResult(agents.astype(np.int64).reshape(shape), scheduled.reshape(shape),
                          model=queue.model, sl_definition=targets.sl_definition, targets=targets,
                          offered=None if offered is None else offered.reshape(shape), **metrics)


def plan_metrics(volume, agents, interval_s, queue: QueueModel, targets: Targets, *,
                 aht_s=None) -> StaffingResult:
    """The analytic metrics of a given plan: ``agents`` per interval for ``volume`` contacts.

    Arguments as :func:`required_agents` (``targets`` gives the AWT and the definitions; none needs
    to be set). With retrials (``queue.retrial_prob > 0`` and a finite patience) the load is the
    plan's own fixed point, so a plan sized without redials shows what they cost.
    ``scheduled`` equals ``agents`` (no shrinkage).
    """
    _check_types(queue, targets)
    vol, ivl, aht, shape = _interval_inputs(volume, interval_s, aht_s, queue, targets)
    c = as_count_array("agents", agents)
    c = np.array(np.broadcast_to(c, shape), float).ravel()
    if _with_retrials(queue):
        L = _one_interval_length(ivl)
        _, offered, final = solve_plan(vol, L, queue, lambda lam: _IntervalModel(lam, aht, queue, targets),
                                       agents=c)
    else:
        offered, final = None, _IntervalModel(vol / ivl, aht, queue, targets).evaluate(c, np.arange(c.size))
    metrics = _metric_arrays(final, vol if offered is None else offered, shape)
    plan = c.astype(np.int64).reshape(shape)
    return StaffingResult(plan, plan.copy(), model=queue.model, sl_definition=targets.sl_definition,
                          targets=targets, offered=None if offered is None else offered.reshape(shape),
                          **metrics)


def _with_retrials(queue: QueueModel) -> bool:
    """Redials change the analytic load only where customers abandon."""
    return queue.retries and queue.abandons


def _one_interval_length(ivl: np.ndarray) -> float:
    if not np.all(ivl == ivl[0]):
        raise ValueError("interval_s: retrials move redials over consecutive intervals of one length; "
                         "give a single interval length")
    return float(ivl[0])


def _interval_inputs(volume, interval_s, aht_s, queue: QueueModel, targets: Targets):
    """Flat float arrays volume, interval_s, aht_s (validated, broadcast) and their shape."""
    if aht_s is None:
        aht_s = queue.mean_handle_s
        if aht_s is None:
            raise ValueError("aht_s: give a handle time per interval (aht_s) or in the queue model "
                             "(QueueModel.aht_s)")
    vol = as_float_array("volume", volume, minimum=0)
    ivl = as_float_array("interval_s", interval_s, minimum=0, strict_min=True)
    aht = as_float_array("aht_s", aht_s, minimum=0, strict_min=True)
    vol, ivl, aht = broadcast(volume=vol, interval_s=ivl, aht_s=aht)
    shape = vol.shape
    vol, ivl, aht = (np.array(v, float).ravel() for v in (vol, ivl, aht))
    if targets.abandon_rate is not None and not queue.abandons:
        raise ValueError("abandon_rate: an abandonment target needs patience_s (without patience "
                         "nobody abandons)")
    return vol, ivl, aht, shape


def _metric_arrays(final: QueueMetrics, offered: np.ndarray, shape) -> dict:
    """The reported metrics per interval; intervals with nothing offered: no wait, no loss."""
    metrics = {}
    for name in ("service_level", "asa_s", "p_wait", "abandon_rate", "occupancy", "mean_wait_s", "agents_busy"):
        arr = np.array(getattr(final, name), float)
        arr[offered == 0] = 1.0 if name == "service_level" else 0.0
        metrics[name] = arr.reshape(shape)
    return metrics


def _check_types(queue, targets) -> None:
    if not isinstance(queue, QueueModel):
        raise ValueError(f"queue: expected a core.QueueModel, got {queue!r:.80}")
    if not isinstance(targets, Targets):
        raise ValueError(f"targets: expected a core.Targets, got {targets!r:.80}")


def _search(model: _IntervalModel, rows, vol, ivl, aht, queue: QueueModel, targets: Targets,
            start: np.ndarray | None = None) -> np.ndarray:
    """Smallest passing agents in the intervals ``rows`` (all with volume > 0); ``start``: a
    starting guess per row (e.g. the answer of the retrial fixed point's previous round)."""
    load = model.load()
    # Hard lower bounds: at least one agent; stability without abandonment; the occupancy cap.
    lower = np.ones(vol.shape)
    if not queue.abandons:
        lower = np.maximum(lower, np.floor(load) + 1.0)
    if targets.max_occupancy is not None:
        lower = np.maximum(lower, np.ceil(model.busy_lower_bound() / targets.max_occupancy - 1e-9))
    if start is not None:  # a close guess: gallop and bisect from it
        return minimal_passing(model.meets, rows, np.maximum(start, lower[rows]), lower[rows])
    start = np.maximum(lower[rows], np.ceil(load[rows] + _BETA_START * np.sqrt(load[rows])))
    voice = {t: getattr(targets, t) for t in _VOICE_TARGETS if getattr(targets, t) is not None}
    if model.model == "erlang_a" and voice:
        # Erlang C's answer for the same targets is cheap and usually within a few agents.
        start = required_agents(vol[rows], ivl[rows], QueueModel(), Targets(awt_s=targets.awt_s, **voice),
                                aht_s=aht[rows]).agents.astype(float)
        start = np.maximum(start, lower[rows])
    if model.model == "erlang_c":
        return walk_erlang_c(model.meets, rows, start, lower[rows], load[rows])
    if model.model == "chat" and model.routing != "even" and model.k > 1:
        # The even spread's answer is cheap and within an agent or two of the routed one, so the
        # routed chain (a sparse solve per interval) is evaluated only near the answer.
        even = _IntervalModel(model.lam, model.aht, queue, targets, routing="even")
        start = np.maximum(minimal_passing(even.meets, rows, start, lower[rows]), lower[rows])
    return minimal_passing(model.meets, rows, start, lower[rows])
