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
    """

    aht_s: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    aht_by_concurrency_s: tuple[float, ...] | None = None
    balk_prob: float = 0.0
    routing: str = "least_loaded"

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
        b = self.balk_prob
        if isinstance(b, bool) or not isinstance(b, (int, float)) or not (0.0 <= float(b) <= 1.0):
            raise ValueError(f"balk_prob: expected a share in [0, 1], got {b!r}")
        object.__setattr__(self, "balk_prob", float(b))
        if self.routing not in CHAT_ROUTINGS:
            raise ValueError(f"routing: {self.routing!r} is not one of {CHAT_ROUTINGS}")

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
