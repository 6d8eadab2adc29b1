"""The validated plan: :class:`PlanConfig` with its :class:`QueueConfig` per queue, built from
the shared core objects (``core.Targets``, ``core.QueueModel``, ``core.OpeningHours``)."""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.hours import OpeningHours
from core.queue_model import QueueModel
from core.targets import Targets

from .schema import ForecastConfig, HeadcountConfig, SimulationConfig

if TYPE_CHECKING:
    from .schedule import ScheduleConfig

__all__ = ["QueueConfig", "PlanConfig", "config_hash"]


@dataclass(frozen=True)
class QueueConfig:
    """One queue of the plan: where its history is, how it is handled and what it must deliver.

    ``history`` is the history file (CSV or Parquet) with ``time_col`` (parsed with
    ``time_format``, ISO 8601 when None; wall-clock time in ``history_tz`` when given),
    ``volume_col`` and optionally ``aht_col`` (seconds); ``queue_col``/``queue_value`` select the
    queue's rows. Handle time ``aht_s`` and ``aht_by_concurrency_s`` and patience ``patience_s``
    are seconds; ``shrinkage`` is the share of paid time not available (the total);
    ``shrinkage_planned`` (breaks, meals, scheduled training) and ``shrinkage_unplanned`` (absence)
    are its parts when the plan gives them (None otherwise; with a ``[schedule]`` only the unplanned
    part grosses up the shift cover's requirement); ``targets`` includes the
    occupancy cap (``targets.max_occupancy``); ``hours`` are the opening hours; ``retrial_prob``,
    ``retrial_delay_s`` (s), ``callback_threshold_s`` (s), ``callback_accept_prob`` and
    ``callback_promise_s`` (s) are the redials and callbacks of ``core.QueueModel``.
    """

    name: str
    kind: str  # "voice" | "chat"
    history: Path | None
    time_col: str = "interval_start"
    time_format: str | None = None
    volume_col: str = "volume"
    aht_col: str | None = None
    queue_col: str | None = None
    queue_value: str | None = None
    history_tz: str | None = None
    aht_s: float | None = None
    targets: Targets = field(default_factory=Targets)
    shrinkage: float = 0.0
    shrinkage_planned: float | None = None
    shrinkage_unplanned: float | None = None
    patience_s: float | None = None
    concurrency: int = 1
    aht_by_concurrency_s: tuple[float, ...] | None = None
    min_agents: int = 0
    hours: OpeningHours = field(default_factory=OpeningHours)
    retrial_prob: float = 0.0
    retrial_delay_s: float = 300.0
    callback_threshold_s: float = 120.0
    callback_accept_prob: float = 0.0
    callback_promise_s: float = 3600.0

    @property
    def max_occupancy(self) -> float | None:
        """The occupancy cap (a share), ``targets.max_occupancy``."""
        return self.targets.max_occupancy

    @property
    def model(self) -> QueueModel:
        """The queue model: handle time, patience, concurrency, redials and callbacks of this queue."""
        return QueueModel(aht_s=self.aht_s, patience_s=self.patience_s, concurrency=self.concurrency,
                          aht_by_concurrency_s=self.aht_by_concurrency_s, retrial_prob=self.retrial_prob,
                          retrial_delay_s=self.retrial_delay_s, callback_threshold_s=self.callback_threshold_s,
                          callback_accept_prob=self.callback_accept_prob,
                          callback_promise_s=self.callback_promise_s)

    @property
    def mean_handle_s(self) -> float | None:
        """Per-contact handle time (seconds) used when the history has no handle-time column."""
        return self.model.mean_handle_s


@dataclass(frozen=True)
class PlanConfig:
    """The whole plan. ``interval_s`` is the interval length in seconds; ``timezone`` the IANA zone
    of the plan (None: the history's own times); ``raw`` the TOML document it was built from."""

    name: str
    timezone: str | None
    interval_s: int
    queues: dict[str, QueueConfig]
    forecast: ForecastConfig
    simulation: SimulationConfig
    headcount: HeadcountConfig
    week_start: str = "mon"
    store: str | None = None
    output_dir: Path | None = None
    source: Path | None = None
    schedule: "ScheduleConfig | None" = None  # the [schedule] section, None without one
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    base_dir: Path | None = field(default=None, compare=False, repr=False)  # relative paths resolve here

    @property
    def interval_min(self) -> int:
        return self.interval_s // 60

    def config_hash(self) -> str:
        """sha256 of the configuration that determines results (not store / output location)."""
        return config_hash(self.raw)

    def with_overrides(self, **sections) -> "PlanConfig":
        """A new validated config with ``{"forecast": {"as_of": ...}, ...}`` merged into the TOML."""
        from .problems import ConfigError

        bad = [(s, f"expected a table of keys like {{model = 'profile'}}, got {type(v).__name__} {v!r:.80}")
               for s, v in sections.items() if not isinstance(v, dict)]
        if bad:
            raise ConfigError(bad, self.source)
        raw = copy.deepcopy(self.raw)
        for section, values in sections.items():
            if values:
                raw.setdefault(section, {}).update(values)
        return self._reparsed(raw)

    def without_sections(self, *sections: str) -> "PlanConfig":
        """A new validated config without the optional TOML tables ``sections`` (e.g. ``"schedule"``:
        the plan without its shifts-and-rosters step); a section the plan lacks is no error."""
        return self._reparsed({k: v for k, v in copy.deepcopy(self.raw).items() if k not in sections})

    def _reparsed(self, raw: dict) -> "PlanConfig":
        """``raw`` validated as this plan's document (same source and base folder for relative paths)."""
        from .loading import parse_config  # loading builds PlanConfig objects: imported when used

        base = self.base_dir or (self.source.parent if self.source else None)
        return parse_config(raw, base_dir=base, source=self.source)


def _canonical(obj):
    if isinstance(obj, dict):
        return {k: _canonical(v) for k, v in sorted(obj.items())}
    if isinstance(obj, (list, tuple)):
        return [_canonical(v) for v in obj]
    if isinstance(obj, (dt.date, dt.datetime, dt.time)):
        return obj.isoformat()
    return obj


def config_hash(raw: dict) -> str:
    """sha256 of a TOML document without ``plan.store`` and ``plan.output_dir``."""
    body = copy.deepcopy(raw)
    plan = body.get("plan", {})
    for key in ("store", "output_dir"):
        plan.pop(key, None)
    text = json.dumps(_canonical(body), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
