"""Every table of the dashboard, shown one way: labels with units, numbers formatted (thousands
separators, percentages, money with its currency, hours, seconds), the important columns first and
the table no wider than the page (columns a planner rarely reads stay in the CSV download).

The frames keep their column names (downloads and tests read them); only what is shown changes.
"""
from __future__ import annotations

import streamlit as st

# column -> (label, kind); kinds: pct (a share shown in %), money, int, n1, n2, n3, h (hours),
# s (seconds), fte, text, check. Unknown columns get their name in words and two decimals.
COLUMNS: dict[str, tuple[str, str]] = {
    # backtest
    "chosen": ("Pick", "check"), "model": ("Model", "text"), "wape": ("WAPE", "pct"),
    "evening_wape": ("Evening WAPE", "pct"), "wape_evening": ("Evening WAPE", "pct"),
    "mase": ("MASE", "n2"), "bias": ("Bias", "pct"), "coverage_80": ("80% band", "pct"),
    "coverage_p10_p90": ("p10-p90 band", "pct"), "hit_80": ("Hit 80%", "check"),
    "poisson_floor_wape": ("Poisson floor WAPE", "pct"), "fit_s": ("Fit time (s)", "n1"),
    "folds": ("Folds", "int"), "baseline": ("Baseline", "text"),
    # headcount
    "week_start": ("Week from", "text"), "queue": ("Queue", "text"), "fte": ("FTE", "fte"),
    "fte_scheduled": ("FTE (scheduled view)", "fte"), "agent_hours": ("Agent-hours", "h"),
    "paid_hours": ("Paid hours", "h"), "scheduled_hours": ("Scheduled hours", "h"), "days": ("Days", "int"),
    "shrinkage": ("Shrinkage", "pct"), "volume": ("Contacts", "n0"),
    # simulation
    "interval_start": ("Interval (local)", "text"), "agents_plan": ("Agents (formula)", "int"),
    "agents_final": ("Agents (after simulation)", "int"), "agents_added": ("Added", "int"),
    "ahead": ("Contacts ahead", "int"), "mean_wait_s": ("Mean wait (s)", "n0"), "p80_wait_s": ("80% wait within (s)", "n0"),
    "announce": ("Announcement", "text"), "service_level": ("Service level", "pct"), "asa_s": ("ASA (s)", "n1"),
    "p_wait": ("P(wait)", "pct"), "abandon_rate": ("Abandoned", "pct"), "occupancy": ("Occupancy", "pct"),
    "missed": ("Missed target", "text"),
    # scenarios
    "scenario": ("Scenario", "text"), "total_cost": ("Cost", "money"), "cross_sell_value": ("Cross-sell value", "money"),
    "churn_cost": ("Churn cost", "money"), "abandon_cost": ("Abandonment cost", "money"),
    "net_value": ("Net value", "money"), "delta_net_value": ("Net value vs baseline", "money"),
    "net_present_value": ("Net present value", "money"), "delta_net_present_value": ("NPV vs baseline", "money"),
    "sl_awt_s": ("SL answered within (s)", "n0"), "cost_per_handled_contact": ("Cost per handled contact", "money2"),
    "churn_avoided": ("Churn avoided", "money"), "assumption": ("Assumption", "text"),
    "current_value": ("Value now", "n3"), "advantage_now": ("Advantage now", "money"),
    "break_even": ("Break-even", "text"), "weekday": ("Weekday", "text"), "windows": ("Chat windows (local)", "text"),
    "posted_hours": ("Posted hours", "h"), "demand": ("Chats per week in the windows", "n0"),
    "demand_share": ("Chats served", "pct"), "agent_hours_per_week": ("Agent-hours per week", "h"),
    "evening_hours": ("Hours after 20:00", "h"), "peak_agents": ("Peak agents", "int"),
    # runs
    "run_id": ("Run", "text"), "created_at_utc": ("Created (UTC)", "text"), "plan_name": ("Plan", "text"),
    "as_of": ("As of", "text"), "horizon_start": ("From", "text"), "horizon_end": ("To", "text"),
    "queues": ("Queues", "text"), "fte_total": ("FTE (all queues)", "fte"), "lead_week": ("Lead week", "int"),
    "intervals": ("Intervals", "int"),
}


def _format(kind: str, currency: str) -> str | None:
    return {"pct": "percent", "money": f"%,.0f {currency}".rstrip(), "money2": f"%,.2f {currency}".rstrip(),
            "int": "%,d", "n0": "%,.0f", "n1": "%,.1f", "n2": "%,.2f", "n3": "%,.4g", "h": "%,.0f h",
            "s": "%,.0f s", "fte": "%,.1f"}.get(kind)


def _words(column: str) -> str:
    """A column name in words: ``wait_s`` -> "Wait (s)"."""
    name = str(column)
    unit = ""
    if name.endswith("_s"):
        name, unit = name[:-2], " (s)"
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:] + unit


def _simulated(column: str) -> tuple[str, str] | None:
    """``sim_service_level`` -> ("Simulated service level", "pct")."""
    base = COLUMNS.get(str(column).removeprefix("sim_")) if str(column).startswith("sim_") else None
    return None if base is None else (f"Simulated {base[0][:1].lower()}{base[0][1:]}", base[1])


PX_PER_CHAR = 7.2   # Streamlit's table font (14 px sans-serif), average character width
PAD_PX = 18         # cell padding
MAX_TEXT_PX = 170   # longer texts end in "..." (the full text on hover) rather than widen the table


def _width(label: str, frame, col, kind: str, max_text_px: int = MAX_TEXT_PX) -> int:
    """Pixels a column needs: its label or its widest shown value (numbers ~12 characters)."""
    if kind in ("text", "") and frame[col].dtype == object:
        longest = int(frame[col].astype(str).str.len().max()) if len(frame) else 0
    elif kind == "check":
        longest = 3
    else:
        longest = 7 if kind in ("pct", "int", "fte", "n0", "n1") else 11
    return int(min(max_text_px, max(len(label), longest) * PX_PER_CHAR + PAD_PX))


def column_config(frame, currency: str = "", labels: dict | None = None, max_text_px: int = MAX_TEXT_PX) -> dict:
    """``st.dataframe``'s column_config for ``frame``: a label, a format and a width per column
    (as wide as the label or the values need, so a table is only as wide as its content)."""
    out = {}
    for col in frame.columns:
        label, kind = (labels or {}).get(col) or COLUMNS.get(col) or _simulated(col) or (_words(col), "")
        width = _width(label, frame, col, kind, max_text_px)
        if kind == "check":
            out[col] = st.column_config.CheckboxColumn(label, width=width)
        elif kind == "text" or frame[col].dtype == object:
            out[col] = st.column_config.TextColumn(label, width=width)
        else:
            fmt = _format(kind, currency) or ("%,d" if frame[col].dtype.kind in "iu" else "%,.2f")
            out[col] = st.column_config.NumberColumn(label, format=fmt, width=width)
    return out


def show(frame, *, first: tuple = (), columns: tuple | None = None, currency: str = "",
         labels: dict | None = None, key: str | None = None, max_text_px: int = MAX_TEXT_PX) -> None:
    """Show ``frame`` as a readable table: ``columns`` (default all) with ``first`` moved to the
    front; ``labels`` override :data:`COLUMNS` (column -> (label, kind)); a text column is at most
    ``max_text_px`` wide (a table whose text is the point allows more)."""
    cols = [c for c in (columns or frame.columns) if c in frame.columns]
    cols = [c for c in first if c in cols] + [c for c in cols if c not in first]
    view = frame[cols]
    st.dataframe(view, hide_index=True, width="stretch", column_config=column_config(view, currency, labels, max_text_px),
                 column_order=cols, key=key)
