"""What-if inputs on a forecast: self-service deflection, volume change, surges, and idle capacity.

All functions take and return the long forecast table of the pipeline (``queue``, ``interval_start``,
``volume``, ``aht_s`` and optionally ``volume_p10`` / ``volume_p90``) and never change a row that the
stated scope does not cover.

Definitions
-----------
- **volume change** ``volume_change = g``: every interval's volume is multiplied by ``1 + g``
  (``g = 0.05`` is +5 %, ``g = -0.1`` is -10 %).
- **deflection**: a share ``simple_share`` of contacts is simple enough for self-service (FAQ, bot,
  app); of those, ``rate`` actually move there. The deflected share of volume is
  ``d = simple_share x rate`` and the remaining volume is ``volume x (1 - d)``. If the simple
  contacts' handle time ``simple_aht_s`` is given, the remaining contacts are on average longer:
  ``aht' = (aht - d x simple_aht_s) / (1 - d)`` (the total handle time of the remaining contacts
  divided by their number); without it the AHT is unchanged. Optionally limited to given hours.
- **surge**: an outage (``factor > 1``) or a proactive notice (``factor < 1``) multiplies the
  volume of the listed queues in ``[start, end)`` (local plan time) by ``factor``.
- **outsourcing** ``share = s``: ``s x volume`` goes to an outside provider (priced per contact
  in :mod:`planning.scenarios.finance`); the in-house queue keeps ``(1 - s) x volume``.
- **idle capacity** of a staffed interval: logged-in agent time not spent on contacts,
  ``idle_agent_hours = agents x (1 - agents_busy) x interval hours``, where ``agents_busy`` is the
  share of agents holding at least one contact (for chat not the share of slots in use: an agent
  holding one chat cannot take a call). It is the room for
  outbound or proactive contacts that can be dropped the moment a customer arrives; using all of
  it would break the waiting target.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import OpeningHours, check_number

__all__ = [
    "Deflection",
    "Surge",
    "apply_volume_change",
    "apply_deflection",
    "apply_surges",
    "surges_outside",
    "apply_outsourcing",
    "idle_capacity",
]

_VOLUME_COLS = ("volume", "volume_p10", "volume_p90")


@dataclass(frozen=True)
class Deflection:
    """Self-service deflection: ``simple_share x rate`` of the volume leaves the queue.

    ``simple_share``: share of contacts that are simple (in [0, 1]); ``rate``: share of the simple
    ones that self-serve (in [0, 1]); ``simple_aht_s``: handle time of a simple contact (seconds),
    optional; ``hours``: restrict to these opening hours (e.g. when the bot is staffed), optional.
    """

    simple_share: float
    rate: float
    simple_aht_s: float | None = None
    hours: OpeningHours | None = None

    def __post_init__(self):
        check_number("deflection.simple_share", self.simple_share, minimum=0.0, maximum=1.0)
        check_number("deflection.rate", self.rate, minimum=0.0, maximum=1.0)
        if self.simple_aht_s is not None:
            check_number("deflection.simple_aht_s", self.simple_aht_s, minimum=0.0, strict_min=True)
        if self.share >= 1.0:
            raise ValueError("deflection: simple_share x rate = 1 would remove every contact; expected < 1")

    @property
    def share(self) -> float:
        """Deflected share of the volume, ``simple_share x rate``."""
        return float(self.simple_share) * float(self.rate)


@dataclass(frozen=True)
class Surge:
    """Volume multiplied by ``factor`` in ``[start, end)`` for ``queues`` (None: every queue).

    ``factor > 1``: an outage or campaign brings more contacts; ``0 <= factor < 1``: a proactive
    notice (SMS, banner, e-mail) answers the question before customers ask. ``start`` / ``end``
    are timestamps; naive ones are read in the forecast's time zone.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    factor: float
    queues: tuple[str, ...] | None = None
    label: str = ""

    def __post_init__(self):
        check_number(f"surge {self.label or ''}.factor".replace(" .", "."), self.factor, minimum=0.0)
        s, e = pd.Timestamp(self.start), pd.Timestamp(self.end)
        if pd.isna(s) or pd.isna(e):
            raise ValueError(f"surge {self.label!r}: start and end must be timestamps, got {self.start!r}, {self.end!r}")
        if e <= s:
            raise ValueError(f"surge {self.label!r}: end {e} must be after start {s}")
        object.__setattr__(self, "start", s)
        object.__setattr__(self, "end", e)


def _check_forecast(forecast: pd.DataFrame, need=("interval_start", "volume")) -> None:
    if not isinstance(forecast, pd.DataFrame):
        raise ValueError(f"forecast: expected a DataFrame, got {type(forecast).__name__}")
    missing = [c for c in need if c not in forecast]
    if missing:
        raise ValueError(f"forecast: missing column(s) {missing}; columns: {list(forecast.columns)}")


def _queue_mask(forecast: pd.DataFrame, queues) -> np.ndarray:
    if queues is None:
        return np.ones(len(forecast), dtype=bool)
    if isinstance(queues, str):
        queues = (queues,)
    if "queue" not in forecast:
        raise ValueError("forecast has no 'queue' column; cannot select queues " + repr(tuple(queues)))
    known = set(forecast["queue"].unique())
    unknown = [q for q in queues if q not in known]
    if unknown:
        raise ValueError(f"queues: {unknown} not in the forecast; expected some of {sorted(known)}")
    return forecast["queue"].isin(list(queues)).to_numpy()


def _scale(forecast: pd.DataFrame, factor: np.ndarray) -> pd.DataFrame:
    out = forecast.copy()
    for c in _VOLUME_COLS:
        if c in out:
            out[c] = out[c].to_numpy(float) * factor
    return out


def apply_volume_change(forecast: pd.DataFrame, change: float, *, queues=None) -> pd.DataFrame:
    """Multiply the volume (and its p10 / p90) of ``queues`` (default all) by ``1 + change``."""
    _check_forecast(forecast)
    g = check_number("volume_change", change, minimum=-1.0, strict_min=True)
    mask = _queue_mask(forecast, queues)
    return _scale(forecast, np.where(mask, 1.0 + g, 1.0))


def apply_deflection(forecast: pd.DataFrame, deflection: Deflection, *, queues=None,
                     interval_s: int | None = None) -> pd.DataFrame:
    """Remove the deflected share of the volume (see the module docstring) and, when
    ``simple_aht_s`` is given, raise the AHT of the remaining contacts accordingly.

    Rows outside ``queues`` or outside ``deflection.hours`` (needs ``interval_s``) are unchanged.
    """
    _check_forecast(forecast)
    if not isinstance(deflection, Deflection):
        raise ValueError(f"deflection: expected a Deflection, got {type(deflection).__name__}")
    mask = _queue_mask(forecast, queues)
    if deflection.hours is not None:
        if interval_s is None:
            raise ValueError("apply_deflection: deflection.hours needs interval_s (seconds)")
        mask = mask & deflection.hours.mask(forecast["interval_start"], interval_s)
    d = deflection.share
    out = _scale(forecast, np.where(mask, 1.0 - d, 1.0))
    if deflection.simple_aht_s is not None and d > 0:
        if "aht_s" not in forecast:
            raise ValueError("apply_deflection: simple_aht_s needs an aht_s column in the forecast")
        aht = forecast["aht_s"].to_numpy(float)
        new = (aht - d * deflection.simple_aht_s) / (1.0 - d)
        bad = mask & ~(new > 0)
        if bad.any():
            raise ValueError(f"deflection.simple_aht_s = {deflection.simple_aht_s}: with deflected share {d:.3f} "
                             f"the remaining AHT would be <= 0 (AHT {aht[bad].min():.0f} s); expected "
                             "simple_aht_s < AHT / deflected share")
        out["aht_s"] = np.where(mask, new, aht)
    return out


def _localize_like(ts: pd.Timestamp, column: pd.Series) -> pd.Timestamp:
    tz = getattr(column.dt, "tz", None)
    if tz is not None and ts.tzinfo is None:
        return ts.tz_localize(tz)
    if tz is None and ts.tzinfo is not None:
        return ts.tz_localize(None)
    return ts


def apply_surges(forecast: pd.DataFrame, surges) -> pd.DataFrame:
    """Multiply the volume in each surge's window and queues by its factor (surges compound)."""
    _check_forecast(forecast)
    factor = np.ones(len(forecast))
    ts = pd.to_datetime(forecast["interval_start"])
    for s in surges:
        if not isinstance(s, Surge):
            raise ValueError(f"surges: expected Surge objects, got {type(s).__name__}")
        start, end = _localize_like(s.start, ts), _localize_like(s.end, ts)
        m = _queue_mask(forecast, s.queues) & (ts >= start).to_numpy() & (ts < end).to_numpy()
        factor[m] *= s.factor
    return _scale(forecast, factor)


def surges_outside(forecast: pd.DataFrame, surges) -> list:
    """The surges whose window and queues meet no interval of ``forecast`` (they change nothing)."""
    ts = pd.to_datetime(forecast["interval_start"])
    out = []
    for s in surges:
        start, end = _localize_like(s.start, ts), _localize_like(s.end, ts)
        if not (_queue_mask(forecast, s.queues) & (ts >= start).to_numpy() & (ts < end).to_numpy()).any():
            out.append(s)
    return out


def apply_outsourcing(forecast: pd.DataFrame, share: float, *, queues=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split the volume: ``(in_house, outsourced)``, outsourced = ``share x volume``."""
    _check_forecast(forecast)
    s = check_number("outsource_share", share, minimum=0.0, maximum=1.0, strict_max=True)
    mask = _queue_mask(forecast, queues)
    return _scale(forecast, np.where(mask, 1.0 - s, 1.0)), _scale(forecast, np.where(mask, s, 0.0))


def idle_capacity(plan: pd.DataFrame, interval_s: int, *, proactive_aht_s: float | None = None,
                  usable_share: float = 1.0) -> pd.DataFrame:
    """Idle agent-hours per interval of a staffed plan: room for outbound / proactive contacts.

    ``plan`` has ``agents`` and ``agents_busy`` (share of agents holding at least one contact)
    per interval (the requirements table of the pipeline; closed intervals count as zero). An
    agent holding one chat of three cannot take a call, so idle time is time with no contact at
    all. A table stored before ``agents_busy`` existed has only ``occupancy``, which is the same
    share for voice and is used then. Adds ``busy_agent_hours``,
    ``idle_agent_hours = agents x (1 - agents_busy) x interval_s / 3600`` and, with
    ``proactive_aht_s`` (handle time of one proactive contact, seconds),
    ``proactive_contacts = idle_agent_hours x 3600 x usable_share / proactive_aht_s``.
    """
    busy_col = "agents_busy" if "agents_busy" in plan.columns else "occupancy"
    _check_forecast(plan, need=("interval_start", "agents", busy_col))
    ivl = check_number("interval_s", interval_s, minimum=0.0, strict_min=True)
    u = check_number("usable_share", usable_share, minimum=0.0, maximum=1.0)
    agents = plan["agents"].to_numpy(float)
    occ = np.nan_to_num(plan[busy_col].to_numpy(float), nan=0.0)
    occ = np.clip(occ, 0.0, 1.0)
    h = ivl / 3600.0
    out = plan.copy()
    out["busy_agent_hours"] = agents * occ * h
    out["idle_agent_hours"] = agents * (1.0 - occ) * h
    if proactive_aht_s is not None:
        p = check_number("proactive_aht_s", proactive_aht_s, minimum=0.0, strict_min=True)
        out["proactive_contacts"] = out["idle_agent_hours"].to_numpy() * 3600.0 * u / p
    return out
