"""Short readable summaries that ``staffcast staff`` and ``simulate`` print on a terminal instead of
the full CSV (which goes to ``--out`` or to a pipe): one row per local day, numbers rounded to what
they mean (whole agents, hours to 0.1, shares in %)."""
from __future__ import annotations

__all__ = ["requirements_summary", "simulation_summary"]

_HINT = "Full table: --out FILE (.csv or .parquet), or pipe the output (CSV)."


def _days(frame):
    """The local day ("Sat 2000-01-01") of each row (times in the zone they were given in)."""
    import pandas as pd

    return pd.to_datetime(frame["interval_start"]).dt.strftime("%a %Y-%m-%d")


def _pct(x) -> str:
    return "-" if x != x else f"{100 * x:.1f}%"


def requirements_summary(req, interval_s: int) -> str:
    """Per queue and day: open hours, contacts, agent-hours and peak agents of ``staffcast staff``'s
    table (``req``: queue, interval_start, open, volume, agents[, scheduled])."""
    h = interval_s / 3600.0
    f = req.assign(day=_days(req), open_h=req["open"].astype(float) * h, agent_h=req["agents"] * h)
    by = f.groupby(["queue", "day"], sort=False).agg(open_hours=("open_h", "sum"), contacts=("volume", "sum"),
                                                     agent_hours=("agent_h", "sum"), peak_agents=("agents", "max"))
    by = by.reset_index().round({"open_hours": 1, "contacts": 0, "agent_hours": 1})
    by["contacts"] = by["contacts"].astype(int)
    lines = [f"Agents needed per interval: {len(req)} intervals of {interval_s // 60} minutes, "
             f"{int(req['open'].sum())} open; peak {int(req['agents'].max())} agents, "
             f"{float(f['agent_h'].sum()):,.1f} agent-hours.",
             by.to_string(index=False), _HINT]
    return "\n".join(lines)


def simulation_summary(sim) -> str:
    """Per queue and day of ``staffcast simulate``'s table: intervals, contacts offered, agents added
    by the simulation, and the simulated service level, ASA, abandonment and occupancy (weighted by
    contacts offered)."""
    import numpy as np

    f = sim.assign(day=_days(sim))
    rows = []
    for (queue, day), g in f.groupby(["queue", "day"], sort=False):
        w = g["offered"].to_numpy(float)

        def avg(col):
            v = g[col].to_numpy(float) if col in g else np.full(len(g), np.nan)
            ok = np.isfinite(v) & (w > 0)
            return float(np.average(v[ok], weights=w[ok])) if ok.any() else float("nan")

        rows.append({"queue": queue, "day": day, "intervals": len(g), "offered": int(round(w.sum())),
                     "agents_added": int((g["agents_final"] - g["agents_plan"]).clip(lower=0).sum()),
                     "service_level": _pct(avg("service_level")), "asa_s": round(avg("asa_s"), 1),
                     "abandoned": _pct(avg("abandon_rate")), "occupancy": _pct(avg("occupancy"))})
    import pandas as pd

    table = pd.DataFrame(rows)
    added = int(table["agents_added"].sum()) if len(table) else 0
    head = (f"Simulated {len(sim)} intervals; the simulation added {added} agent-interval(s) where a target "
            "was missed with 95% confidence." if added else
            f"Simulated {len(sim)} intervals; no interval misses a target with 95% confidence.")
    return "\n".join([head, table.to_string(index=False), _HINT])
