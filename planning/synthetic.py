"""Seeded generator of the SYNTHETIC chat queue bundled as ``data/chat_synthetic_1999_15min.csv``.

The bundled data has one real queue (voice, Anonymous Bank 1999). To plan a chat queue next to it
the example plan uses this generated history. It is **synthetic**: no real chat center produced
these numbers. The model, chosen to carry the features planners care about:

- the same calendar and local wall-clock time as the voice data (Israel, 1999), 15-minute
  intervals, every interval present; the queue is staffed 08:00-24:00 every day and the file
  holds real zeros outside those hours (no chat arrives when the widget is hidden);
- daily volume ``base_chats_per_day`` (600) growing linearly by ``growth`` (+30 %) over the year,
  times a weekday factor (Sun 1.10, Mon 1.05, Tue 1.00, Wed 1.00, Thu 0.95, Fri 0.60, Sat 0.80),
  times 0.5 on Israeli public holidays of 1999 and 0.8 on their eves (dates fixed in this module
  so the file never depends on a library version), times a day-to-day "busyness" factor drawn
  from a gamma distribution with mean 1 and CV ``daily_cv`` (0.08: over-dispersion);
- an intraday profile mixing a daytime shape (peaks near 11:00 and 15:30) with an evening shape
  concentrated after 20:00 (peak near 21:30); the evening share of the day grows from
  ``evening_share_start`` (35 %) in January to ``evening_share_end`` (50 %) in December, and is
  higher on Fridays and Saturdays (+10 points) when the daytime is quiet;
- arrivals per interval are Poisson given that rate.

Reproducible: ``generate_chat_history(seed=1999)`` (the default) always returns the same frame,
and ``python -m planning.synthetic --out data/chat_synthetic_1999_15min.csv`` rewrites the bundled
file byte for byte (a test checks this).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["generate_chat_history", "HOLIDAYS_IL_1999", "write_chat_history"]

# Israeli public holidays 1999 (as listed by the `holidays` package, frozen here).
HOLIDAYS_IL_1999 = (
    "1999-04-01", "1999-04-07", "1999-04-21", "1999-05-21", "1999-09-11", "1999-09-12",
    "1999-09-20", "1999-09-25", "1999-10-02",
)
# Python weekday (Mon=0) -> factor; the Israeli week starts on Sunday.
WEEKDAY_FACTOR = (1.05, 1.00, 1.00, 0.95, 0.60, 0.80, 1.10)


def _bump(hours: np.ndarray, centre_h: float, sd_h: float) -> np.ndarray:
    return np.exp(-0.5 * ((hours - centre_h) / sd_h) ** 2)


def generate_chat_history(
    start: str = "1999-01-01",
    end: str = "1999-12-31",
    *,
    interval_min: int = 15,
    seed: int = 1999,
    base_chats_per_day: float = 600.0,
    growth: float = 0.30,
    evening_share_start: float = 0.35,
    evening_share_end: float = 0.50,
    daily_cv: float = 0.08,
    open_from_h: float = 8.0,
) -> pd.DataFrame:
    """Synthetic chat arrivals, columns ``interval_start`` (naive local time) and ``chats``.

    ``start`` and ``end`` are inclusive dates. Same arguments, same frame.
    """
    if 1440 % interval_min:
        raise ValueError(f"interval_min={interval_min} must divide 1440")
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    if len(days) == 0:
        raise ValueError(f"empty date range {start}..{end}")
    per_day = 1440 // interval_min
    hours = (np.arange(per_day) * interval_min + interval_min / 2) / 60.0  # interval midpoints
    open_ = hours >= open_from_h
    day_shape = (_bump(hours, 11.0, 1.6) + 0.8 * _bump(hours, 15.5, 2.0)) * open_ * (hours < 20.5)
    eve_shape = _bump(hours, 21.5, 1.1) * (hours >= 19.5)
    day_shape = day_shape / day_shape.sum()
    eve_shape = eve_shape / eve_shape.sum()

    holidays = {dt.date.fromisoformat(d) for d in HOLIDAYS_IL_1999}
    eves = {d - dt.timedelta(days=1) for d in holidays}
    n_days = len(days)
    frac = np.arange(n_days) / max(n_days - 1, 1)
    busy = rng.gamma(shape=1.0 / daily_cv**2, scale=daily_cv**2, size=n_days)
    rates = np.empty((n_days, per_day))
    for i, day in enumerate(days):
        d = day.date()
        level = base_chats_per_day * (1.0 + growth * frac[i]) * WEEKDAY_FACTOR[day.weekday()]
        if d in holidays:
            level *= 0.5
        elif d in eves:
            level *= 0.8
        share = evening_share_start + (evening_share_end - evening_share_start) * frac[i]
        if day.weekday() in (4, 5):  # Friday, Saturday
            share += 0.10
        rates[i] = level * busy[i] * ((1.0 - share) * day_shape + share * eve_shape)
    counts = rng.poisson(rates).ravel()
    index = pd.date_range(days[0], periods=n_days * per_day, freq=f"{interval_min}min")
    return pd.DataFrame({"interval_start": index, "chats": counts.astype(np.int64)})


def write_chat_history(path: str | Path, frame: pd.DataFrame | None = None, **kwargs) -> Path:
    """Write the generated history atomically (temp file + rename) as CSV."""
    path = Path(path)
    frame = generate_chat_history(**kwargs) if frame is None else frame
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    out = frame.copy()
    out["interval_start"] = out["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    out.to_csv(tmp, index=False, lineterminator="\n")
    os.replace(tmp, path)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m planning.synthetic",
        description="Write the SYNTHETIC chat-queue history (seeded, reproducible).",
    )
    ap.add_argument("--out", default="data/chat_synthetic_1999_15min.csv", help="output CSV path")
    ap.add_argument("--seed", type=int, default=1999, help="random seed (default 1999)")
    ap.add_argument("--start", default="1999-01-01", help="first date (inclusive)")
    ap.add_argument("--end", default="1999-12-31", help="last date (inclusive)")
    ap.add_argument("--interval-min", type=int, default=15, help="interval length in minutes")
    args = ap.parse_args(argv)
    frame = generate_chat_history(args.start, args.end, interval_min=args.interval_min, seed=args.seed)
    path = write_chat_history(args.out, frame)
    print(f"wrote {path}: {len(frame)} intervals, {int(frame['chats'].sum())} chats (synthetic, seed={args.seed})",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
