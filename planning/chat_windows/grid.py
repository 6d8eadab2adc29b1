"""The weekly grid of chat windows: every interval of a chat forecast staffed for "no waiting"
and arranged by (week, weekday, slot). See :mod:`planning.chat_windows` for the model."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import as_float_array, check_number

__all__ = ["WeekGrid", "chat_week_grid"]


@dataclass
class WeekGrid:
    """Forecast chat demand and staffing cost on a (week, weekday, slot) grid.

    ``demand[w, d, s]``: forecast chats in slot s of weekday d (0 = Monday) in week w;
    ``agents[w, d, s]``: agents needed there to meet the target if open (0 where the slot does not
    exist, e.g. a DST gap); ``cost[w, d, s] = agents x interval hours`` (agent-hours);
    ``intervals``: the per-interval table (``interval_start, week, weekday, slot, volume, aht_s,
    agents, p_wait, asa_s``).
    """

    interval_s: int
    demand: np.ndarray
    agents: np.ndarray
    cost: np.ndarray
    intervals: pd.DataFrame
    week_starts: list
    targets: dict

    @property
    def slots(self) -> int:
        return self.demand.shape[2]

    def slot_label(self, s: int) -> str:
        m = s * self.interval_s // 60
        return f"{m // 60:02d}:{m % 60:02d}"


def chat_week_grid(forecast: pd.DataFrame, interval_s: int, *, p_wait: float = 0.05, asa_s: float | None = 10.0,
                   concurrency: int = 1, aht_by_concurrency_s=None, patience_s: float | None = None,
                   min_agents_open: int = 1, awt_s: float = 20.0) -> WeekGrid:
    """Staff every interval of a chat forecast for "no waiting" and arrange it by week / weekday / slot.

    ``forecast``: ``interval_start`` (local times, tz-aware or naive), ``volume`` (chats per
    interval) and ``aht_s`` (handle time of a chat held alone, seconds; or pass
    ``aht_by_concurrency_s``). Only the full weeks from the first day are used.
    """
    from core import QueueModel, Targets
    from simulation import chat_metrics, required_agents

    interval_s = check_number("interval_s", interval_s, minimum=0, strict_min=True, integer=True)
    if 86400 % interval_s:
        raise ValueError(f"interval_s: {interval_s} does not divide a day; expected e.g. 900 or 1800")
    min_agents_open = check_number("min_agents_open", min_agents_open, minimum=0, integer=True)
    if p_wait is None and asa_s is None:
        raise ValueError("chat windows: give a 'no waiting' target: p_wait and/or asa_s")
    missing = [c for c in ("interval_start", "volume") if c not in forecast]
    if missing:
        raise ValueError(f"forecast: missing column(s) {missing}; columns: {list(forecast.columns)}")
    f = forecast.reset_index(drop=True)
    ts = pd.DatetimeIndex(pd.to_datetime(f["interval_start"]))
    if len(ts) == 0:
        raise ValueError("forecast: no intervals")
    day = ts.normalize().tz_localize(None) if ts.tz is not None else ts.normalize()
    day0 = day.min()
    day_no = np.asarray((day - day0).days, dtype=np.int64)
    weeks = int(day_no.max() + 1) // 7
    if weeks < 1:
        raise ValueError(f"forecast: covers {int(day_no.max()) + 1} day(s); expected at least one full week")
    keep = day_no < weeks * 7
    f, ts, day_no = f.loc[keep].reset_index(drop=True), ts[keep], day_no[keep]
    vol = np.clip(f["volume"].to_numpy(float), 0.0, None)
    if "aht_s" in f:
        aht = f["aht_s"].to_numpy(float)
    elif aht_by_concurrency_s is not None:
        aht = np.full(len(f), float(np.ravel(aht_by_concurrency_s)[0]))
    else:
        raise ValueError("forecast has no aht_s column; give aht_by_concurrency_s")
    aht = as_float_array("forecast.aht_s", aht, minimum=0.0, strict_min=True)  # seconds, every interval
    res = required_agents(vol, interval_s,
                          QueueModel(patience_s=patience_s, concurrency=concurrency,
                                     aht_by_concurrency_s=aht_by_concurrency_s),
                          Targets(p_wait=p_wait, asa_s=asa_s, awt_s=awt_s), aht_s=aht)
    agents = np.maximum(np.asarray(res.agents, dtype=np.int64), min_agents_open)
    # the target re-checked at the staffing actually used (min_agents_open may add agents)
    k = int(concurrency)
    base = np.ones(k) if aht_by_concurrency_s is None else np.asarray(aht_by_concurrency_s, float)[:k]
    if aht_by_concurrency_s is not None and k == 1:
        base = np.asarray(aht_by_concurrency_s, float)
        k = base.size
    check = chat_metrics(agents, vol, interval_s, aht[:, None] * (base / base[0])[None, :], concurrency=k,
                         patience_s=patience_s, awt_s=awt_s)
    slots = 86400 // interval_s
    minute = np.asarray(ts.hour * 60 + ts.minute, dtype=np.int64)
    slot = minute * 60 // interval_s
    wd = np.asarray(ts.day_of_week, dtype=np.int64)
    wk = day_no // 7
    shape = (weeks, 7, slots)
    demand = np.zeros(shape)
    agents_g = np.zeros(shape)
    np.add.at(demand, (wk, wd, slot), vol)
    np.add.at(agents_g, (wk, wd, slot), agents)
    table = pd.DataFrame({"interval_start": f["interval_start"].to_numpy(), "week": wk, "weekday": wd, "slot": slot,
                          "volume": vol, "aht_s": aht, "agents": agents,
                          "p_wait": np.where(vol > 0, np.asarray(check.p_wait, float), 0.0),
                          "asa_s": np.where(vol > 0, np.asarray(check.asa_s, float), 0.0)})
    starts = [day0 + pd.Timedelta(days=7 * w) for w in range(weeks)]
    targets = {"p_wait": p_wait, "asa_s": asa_s, "concurrency": concurrency, "patience_s": patience_s,
               "aht_by_concurrency_s": None if aht_by_concurrency_s is None else list(aht_by_concurrency_s),
               "min_agents_open": min_agents_open, "awt_s": awt_s}
    return WeekGrid(interval_s, demand, agents_g, agents_g * interval_s / 3600.0, table, starts, targets)
