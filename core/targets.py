"""Service targets: one list of target names, their ranges, senses and units.

Every layer takes a :class:`Targets` object: ``simulation.required_agents`` and
``simulation.refine_staffing`` (what to meet), ``simulation.simulate``'s scoring (what was met),
the chat windows, the plan TOML (``targets = {...}`` and ``max_occupancy``), the CLI flags and the
dashboard forms. :data:`TARGET_SPECS` is the one place that lists the targets.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

__all__ = ["Targets", "TargetSpec", "TARGET_SPECS", "TARGET_NAMES", "SL_DEFINITIONS", "ASA_DEFINITIONS",
           "OCCUPANCY_DEFINITIONS"]

# Service-level definitions (the denominator of "answered within AWT"):
#   offered                      answered within AWT / offered (abandons count as misses; the default)
#   answered                     answered within AWT / answered
#   offered_minus_short_abandons answered within AWT / (offered - abandoned before AWT)
SL_DEFINITIONS = ("offered", "answered", "offered_minus_short_abandons")

# ASA definitions:
#   answered  mean wait of the contacts that were answered (the default; what a switch reports)
#   patient   mean wait an infinitely patient customer would have (abandoning customers still make
#             the queue move faster; the definition of some calculators). Equal without abandonment.
ASA_DEFINITIONS = ("answered", "patient")

# What the occupancy cap bounds (the two coincide for voice, one contact per agent):
#   agents_busy  share of logged-in agent time with at least one contact (the default)
#   slots        share of contact slots in use (chat: chats held / (agents x concurrency))
OCCUPANCY_DEFINITIONS = ("agents_busy", "slots")


@dataclass(frozen=True)
class TargetSpec:
    """One target: its name, the metric it bounds, the sense of the bound and its valid range.

    ``sense`` is ``"min"`` when the metric must be at least the target (service level) and
    ``"max"`` when it must be at most the target (ASA, P(wait), abandon rate, occupancy). Valid
    values lie in the open interval ``(low, high)``, or ``(low, high]`` with ``high_inclusive``.
    """

    name: str
    metric: str
    sense: str
    low: float
    high: float
    high_inclusive: bool
    label: str
    unit: str  # "share" (0..1) or "s"
    tol: float = 0.0  # rounding tolerance when checking a metric against the target

    def check(self, value) -> float | None:
        """``value`` as a float inside the valid range, or None; ValueError naming the target."""
        if value is None:
            return None
        if isinstance(value, bool):
            raise ValueError(f"{self.name}: expected a number, got {value!r}")
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.name}: expected a number, got {value!r:.80}") from None
        inside = self.low < v <= self.high if self.high_inclusive else self.low < v < self.high
        if math.isnan(v) or not inside:
            raise ValueError(f"{self.name}: {v} is outside {self.range_text()}")
        return v

    def range_text(self) -> str:
        high = "inf" if math.isinf(self.high) else f"{self.high:g}"
        return f"({self.low:g}, {high}{']' if self.high_inclusive else ')'}"

    def met(self, metric_value, target: float):
        """Boolean (array) whether ``metric_value`` meets ``target`` (within ``tol``)."""
        if self.sense == "min":
            return metric_value >= target - self.tol
        return metric_value <= target + self.tol


TARGET_SPECS: dict[str, TargetSpec] = {
    s.name: s
    for s in (
        TargetSpec("service_level", "service_level", "min", 0.0, 1.0, False,
                   "service level (share answered within the AWT)", "share", 1e-12),
        TargetSpec("asa_s", "asa_s", "max", 0.0, math.inf, False,
                   "ASA (mean wait of answered contacts, or of a patient customer: asa_definition)", "s"),
        TargetSpec("p_wait", "p_wait", "max", 0.0, 1.0, False,
                   "P(wait) (share of contacts that wait at all)", "share"),
        TargetSpec("abandon_rate", "abandon_rate", "max", 0.0, 1.0, False,
                   "abandon rate (share of offered contacts that abandon)", "share"),
        TargetSpec("max_occupancy", "occupancy", "max", 0.0, 1.0, True,
                   "maximum occupancy (share of agents busy, or of slots: occupancy_definition)",
                   "share", 1e-12),
    )
}
TARGET_NAMES: tuple[str, ...] = tuple(TARGET_SPECS)


@dataclass(frozen=True)
class Targets:
    """What a queue must deliver in every open interval; ``None`` means no such target.

    Attributes
    ----------
    service_level : share in (0, 1)
        Contacts answered within ``awt_s``, under ``sl_definition`` (see :data:`SL_DEFINITIONS`).
    awt_s : seconds >= 0
        Acceptable waiting time of the service level (80/20: 0.80 within 20 s). Also the AWT of the
        service level reported when there is no service-level target.
    asa_s : seconds > 0
        Maximum ASA under ``asa_definition`` (:data:`ASA_DEFINITIONS`): the mean wait of answered
        contacts (``"answered"``) or of an infinitely patient customer (``"patient"``).
    p_wait : share in (0, 1)
        Maximum probability that a contact waits at all ("no waiting" chat: e.g. 0.05).
    abandon_rate : share in (0, 1)
        Maximum share of offered contacts that abandon (needs patience in the queue model).
    max_occupancy : share in (0, 1]
        Maximum occupancy, under ``occupancy_definition``.
    sl_definition : one of :data:`SL_DEFINITIONS`
    asa_definition : one of :data:`ASA_DEFINITIONS`
    occupancy_definition : one of :data:`OCCUPANCY_DEFINITIONS`
        What ``max_occupancy`` bounds: ``"agents_busy"`` (default), the share of agents holding at
        least one contact (metric ``agents_busy``), or ``"slots"``, the share of contact slots in
        use (metric ``occupancy``; chat: chats held / (agents x concurrency)). Equal for voice.
    """

    service_level: float | None = None
    awt_s: float = 20.0
    asa_s: float | None = None
    p_wait: float | None = None
    abandon_rate: float | None = None
    max_occupancy: float | None = None
    sl_definition: str = "offered"
    asa_definition: str = "answered"
    occupancy_definition: str = "agents_busy"

    def __post_init__(self):
        for name, spec in TARGET_SPECS.items():
            object.__setattr__(self, name, spec.check(getattr(self, name)))
        try:
            awt = float(self.awt_s)
        except (TypeError, ValueError):
            raise ValueError(f"awt_s: expected a number of seconds >= 0, got {self.awt_s!r:.80}") from None
        if not math.isfinite(awt) or awt < 0 or isinstance(self.awt_s, bool):
            raise ValueError(f"awt_s: expected a finite number of seconds >= 0, got {self.awt_s!r}")
        object.__setattr__(self, "awt_s", awt)
        if self.sl_definition not in SL_DEFINITIONS:
            raise ValueError(f"sl_definition: {self.sl_definition!r} is not one of {SL_DEFINITIONS}")
        if self.asa_definition not in ASA_DEFINITIONS:
            raise ValueError(f"asa_definition: {self.asa_definition!r} is not one of {ASA_DEFINITIONS}")
        if self.occupancy_definition not in OCCUPANCY_DEFINITIONS:
            raise ValueError(f"occupancy_definition: {self.occupancy_definition!r} is not one of "
                             f"{OCCUPANCY_DEFINITIONS}")

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> "Targets":
        """Build from a dict of field names (unknown keys are refused, naming them)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown target key(s) {unknown}; expected some of {sorted(known)}")
        return cls(**values)

    def given(self) -> dict[str, float]:
        """The targets that are set, in :data:`TARGET_NAMES` order: ``{name: value}``."""
        return {n: getattr(self, n) for n in TARGET_NAMES if getattr(self, n) is not None}

    def require_any(self, who: str) -> None:
        """Raise ValueError when no target is set (``who`` names the caller)."""
        if not self.given():
            raise ValueError(f"{who}: give at least one target ({', '.join(TARGET_NAMES)})")

    def with_values(self, **changes) -> "Targets":
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """Every field, e.g. for a JSON summary."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def metric_name(self, name: str) -> str:
        """The metric that target ``name`` bounds: the spec's ``metric``, except ``max_occupancy``
        under ``occupancy_definition="agents_busy"``, which bounds ``agents_busy``."""
        if name == "max_occupancy" and self.occupancy_definition == "agents_busy":
            return "agents_busy"
        return TARGET_SPECS[name].metric

    def met(self, metrics) -> Any:
        """Boolean (array) whether every set target is met by ``metrics``.

        ``metrics`` is anything with the attributes (or keys) named by :meth:`metric_name`
        (``service_level``, ``asa_s``, ``p_wait``, ``abandon_rate``, ``agents_busy`` or ``occupancy``).
        A record without ``agents_busy`` is one of one contact per agent (where it equals
        ``occupancy``) and is read from ``occupancy``.
        """
        ok = True
        for name, value in self.given().items():
            spec = TARGET_SPECS[name]
            key = self.metric_name(name)
            has = key in metrics if isinstance(metrics, dict) else getattr(metrics, key, None) is not None
            if key == "agents_busy" and not has:
                key = "occupancy"
            m = metrics[key] if isinstance(metrics, dict) else getattr(metrics, key)
            ok = ok & spec.met(m, value)
        return ok
