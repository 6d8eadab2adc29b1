"""The queue model: how contacts are handled and how customers behave, as one object.

Numbers only (seconds, shares, counts), so every layer can build and pass it: the plan
configuration builds one per queue, ``simulation.required_agents`` picks its analytic model from
it, and ``simulation.simulate`` / ``refine_staffing`` draw exponential handle times and patience
with its means unless given other distributions.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

__all__ = ["QueueModel", "CHAT_ROUTINGS"]

# Which agent takes a new chat (concurrency > 1), in the analytic chat model and the simulator:
#   least_loaded   an agent holding the fewest chats (the usual ACD rule; the default)
#   busiest_first  the agent holding the most chats that still has a free slot (fills agents up)
#   random         an agent picked uniformly among those with a free slot
CHAT_ROUTINGS = ("least_loaded", "busiest_first", "random")


def _positive(name: str, value, *, allow_inf: bool = False) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a number > 0, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected a number > 0, got {value!r:.80}") from None
    if math.isnan(v) or v <= 0 or (math.isinf(v) and not allow_inf):
        raise ValueError(f"{name}: expected a {'' if allow_inf else 'finite '}number > 0, got {value!r}")
    return v


def _share(name: str, value, *, below_one: bool = False) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and 0.0 <= float(value) <= 1.0
    if not ok or (below_one and float(value) >= 1.0):
        raise ValueError(f"{name}: expected a share in [0, {'1)' if below_one else '1]'}, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class QueueModel:
    """How a queue's contacts are handled.

    Attributes
    ----------
    aht_s : seconds > 0, optional
        Mean handle time of a contact (talk + hold + wrap-up). For chat: the handle time of a chat
        held alone (concurrency 1). Per-interval handle times (a forecast) override it where given.
    patience_s : seconds > 0, optional
        Mean (exponential) patience of a waiting customer. ``None`` or ``inf``: nobody abandons
        (Erlang C); finite: Erlang A, or chat with abandonment.
    concurrency : int >= 1
        Contacts one agent can hold at once (chat); > 1 selects the chat model.
    aht_by_concurrency_s : tuple of seconds > 0, optional
        Per-chat handle time when an agent holds 1, 2, ..., k chats (slows down as k grows). Its
        shape is kept and scaled so that the 1-chat time equals the interval's ``aht_s``. Given
        without ``concurrency``, the concurrency is its length.
    balk_prob : share in [0, 1]
        Share of contacts that hang up at once when they are not answered immediately (simulation
        only; the formulas ignore it). 1: nobody waits (a loss system).
    routing : one of :data:`CHAT_ROUTINGS`
        Which agent takes a new chat (chat only; lowest agent id among equals in the simulator).
        Both the analytic chat model (:mod:`simulation.queueing.chat_routing`) and the simulator
        follow it. Default ``"least_loaded"``.
    retrial_prob : share in [0, 1)
        Share of contacts that abandon (or balk) and then call / chat again (redial) after an
        exponential delay with mean ``retrial_delay_s`` seconds. Each redial is a new contact
        (offered again, may abandon and redial again). 0 (default): nobody redials. Used by the
        analytic staffing (a fixed point of the offered load, :mod:`simulation.queueing.retrial`)
        and by the simulator.
    retrial_delay_s : seconds > 0
        Mean (exponential) delay from hanging up to the redial. Default 300.
    callback_accept_prob : share in [0, 1]
        Simulation only: share of contacts offered a callback that accept it. A contact is offered
        one when it queues and its expected wait (the announced mean wait with the contacts ahead
        of it, :func:`simulation.announced_wait`) exceeds ``callback_threshold_s``; it then keeps
        its place virtually (never abandons) and is called back within ``callback_promise_s``.
        0 (default): no callbacks.
    callback_threshold_s : seconds >= 0
        Expected wait above which a callback is offered. Default 120.
    callback_promise_s : seconds > 0
        The promised time from acceptance to the call back. Default 3600.
    """

    aht_s: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    aht_by_concurrency_s: tuple[float, ...] | None = None
    balk_prob: float = 0.0
    routing: str = "least_loaded"
    retrial_prob: float = 0.0
    retrial_delay_s: float = 300.0
    callback_accept_prob: float = 0.0
    callback_threshold_s: float = 120.0
    callback_promise_s: float = 3600.0

    def __post_init__(self):
        if self.aht_s is not None:
            object.__setattr__(self, "aht_s", _positive("aht_s", self.aht_s))
        if self.patience_s is not None:
            object.__setattr__(self, "patience_s", _positive("patience_s", self.patience_s, allow_inf=True))
        k = self.concurrency
        if isinstance(k, bool) or not isinstance(k, (int, float)) or k != int(k) or k < 1:
            raise ValueError(f"concurrency: expected a whole number >= 1, got {k!r}")
        k = int(k)
        if self.aht_by_concurrency_s is not None:
            try:
                curve = tuple(self.aht_by_concurrency_s)
            except TypeError:
                raise ValueError("aht_by_concurrency_s: expected a list of handle times in seconds, "
                                 f"got {self.aht_by_concurrency_s!r:.80}") from None
            if not curve:
                raise ValueError("aht_by_concurrency_s: expected at least one handle time")
            curve = tuple(_positive(f"aht_by_concurrency_s[{i}]", v) for i, v in enumerate(curve))
            if k == 1:
                k = len(curve)
            if len(curve) < k:
                raise ValueError(f"aht_by_concurrency_s: {len(curve)} handle times for concurrency {k}")
            object.__setattr__(self, "aht_by_concurrency_s", curve[:k])
        object.__setattr__(self, "concurrency", k)
        object.__setattr__(self, "balk_prob", _share("balk_prob", self.balk_prob))
        if self.routing not in CHAT_ROUTINGS:
            raise ValueError(f"routing: {self.routing!r} is not one of {CHAT_ROUTINGS}")
        object.__setattr__(self, "retrial_prob", _share("retrial_prob", self.retrial_prob, below_one=True))
        object.__setattr__(self, "retrial_delay_s", _positive("retrial_delay_s", self.retrial_delay_s))
        object.__setattr__(self, "callback_accept_prob", _share("callback_accept_prob", self.callback_accept_prob))
        t = self.callback_threshold_s
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not (0.0 <= float(t) < math.inf):
            raise ValueError(f"callback_threshold_s: expected a finite number of seconds >= 0, got {t!r}")
        object.__setattr__(self, "callback_threshold_s", float(t))
        object.__setattr__(self, "callback_promise_s", _positive("callback_promise_s", self.callback_promise_s))

    @property
    def retries(self) -> bool:
        """True when abandoning customers redial (``retrial_prob > 0``)."""
        return self.retrial_prob > 0

    @property
    def offers_callbacks(self) -> bool:
        """True when callbacks are offered and accepted (``callback_accept_prob > 0``)."""
        return self.callback_accept_prob > 0

    @property
    def is_chat(self) -> bool:
        """True when the chat model applies (concurrency > 1 or handle times by concurrency)."""
        return self.concurrency > 1 or self.aht_by_concurrency_s is not None

    @property
    def abandons(self) -> bool:
        """True when customers abandon (a finite patience)."""
        return self.patience_s is not None and math.isfinite(self.patience_s)

    @property
    def model(self) -> str:
        """The analytic model: ``"chat"``, ``"erlang_a"`` or ``"erlang_c"``."""
        if self.is_chat:
            return "chat"
        return "erlang_a" if self.abandons else "erlang_c"

    @property
    def mean_handle_s(self) -> float | None:
        """The handle time to use when no per-interval handle time is given."""
        if self.aht_s is not None:
            return self.aht_s
        if self.aht_by_concurrency_s:
            return self.aht_by_concurrency_s[0]
        return None

    @property
    def concurrency_profile(self) -> tuple[float, ...]:
        """Handle time at 1..k chats relative to one chat held alone (1.0 first)."""
        curve = self.aht_by_concurrency_s or (1.0,) * self.concurrency
        return tuple(v / curve[0] for v in curve)

    def with_values(self, **changes) -> "QueueModel":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)
