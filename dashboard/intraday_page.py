"""Intraday page: pick a day and a time, take that day's actuals so far (from the history for a
demo, or an uploaded file), and see the rest of the day re-forecast and re-staffed: how many agents
to add or release per interval against the day's original plan. Every number comes from
``planning.views.intraday``."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.widgets import download
from planning import views as pv
from planning.config import InputError

SOURCES = {"history": "Take that day's actuals from the history (demo)", "upload": "Upload today's actuals so far"}
DEFAULT_TIME = "14:00"


def pick_day_and_time(cfg, history) -> tuple:
    days = pv.intraday_days(history)
    state.reset_unless(state.INTRADAY_DAY, days, days[1] if len(days) > 1 else days[0])
    times = pv.cutoff_choices(cfg)
    state.reset_unless(state.INTRADAY_TIME, list(times), next((m for m, t in times.items() if t == DEFAULT_TIME),
                                                              list(times)[len(times) // 2]))
    c = st.columns([2, 1, 3])
    day = c[0].selectbox("Day", days, key=state.INTRADAY_DAY, format_func=lambda d: f"{d:%a %Y-%m-%d}")
    minute = c[1].selectbox("Time now", list(times), key=state.INTRADAY_TIME, format_func=times.get,
                            help="Actuals of the intervals that ended by this time count as 'so far'.")
    state.default(state.INTRADAY_SOURCE, "history")
    source = c[2].radio("Actuals so far", list(SOURCES), key=state.INTRADAY_SOURCE, format_func=SOURCES.get)
    return day, minute, source


def uploaded_actuals(cfg, queue: str, day):
    """The uploaded actuals of ``day`` (None until a file is uploaded and its columns picked)."""
    f = st.file_uploader("Today's actuals (CSV: interval start and contacts per interval)", type=["csv", "txt"],
                         key=state.INTRADAY_FILE)
    if f is None:
        st.info("Upload a CSV with one row per interval that has ended: its start time (ISO 8601, plan-local "
                "when it has no zone) and the contacts offered.")
        return None
    data = f.getvalue()
    cols = pv.csv_columns(data)
    if len(cols) < 2:
        st.error(f"{f.name}: expected a CSV with a header of at least two columns.")
        return None
    c = st.columns(2)
    time_col = c[0].selectbox("Interval start column", cols, index=0)
    vol_col = c[1].selectbox("Contacts column", cols, index=1)
    try:
        return pv.actuals_from_csv(cfg, queue, day, f.name, data, time_col=time_col, volume_col=vol_col)
    except InputError as exc:
        st.error(pv.config_error_text(exc))
        return None


def _versus(now: float, plan: float) -> str:
    return f"{now / plan - 1:+.0%} vs plan {plan:,.0f}" if plan > 0 else f"plan {plan:,.0f}"


def result_view(cfg, queue: str, res, day) -> None:
    s = res.summary
    c = st.columns(4)
    c[0].metric("Contacts so far", f"{s['actual_so_far']:,.0f}", _versus(s["actual_so_far"], s["plan_so_far"]),
                delta_color="off", help="Actual contacts of the intervals that ended, against the plan's forecast.")
    c[1].metric("Rest of the day", f"{s['rest_now']:,.0f}", _versus(s["rest_now"], s["rest_plan"]), delta_color="off",
                help=f"Re-forecast contacts of the rest of the day: the plan's forecast times the day's ratio "
                     f"{s['ratio']:.2f} (actual / plan so far, shrunk toward 1 by {pv.PRIOR_CONTACTS:g} contacts).")
    c[2].metric("Agents to add", f"{s['agents_add']:,}", help="Agent-intervals to add over the rest of the day.")
    c[3].metric("Agents to release", f"{s['agents_release']:,}",
                help="Agent-intervals to release over the rest of the day.")
    tz = pv.tz_label(cfg)
    st.altair_chart(charts.intraday_contacts(res.contacts_long(), res.cutoff_time, tz,
                                             f"contacts {pv.per_interval_text(cfg)}"), width="stretch")
    rest = res.rest_of_day()
    st.altair_chart(charts.intraday_agents(rest, tz), width="stretch")
    tables.show(rest, columns=("clock", "agents_change", "agents_now", "agents_plan", "forecast_now"),
                labels={"clock": ("Time (local)", "text"), "agents_change": ("Change", "int"),
                        "agents_now": ("Agents now", "int"), "agents_plan": ("Plan agents", "int"),
                        "forecast_now": ("Re-forecast", "n1")},
                key=f"intraday_{queue}")
    st.caption("Change: agents to add (+) or release (-) against the plan. Agents logged in per interval for the "
               "plan's targets (Staffing page settings); the plan is the forecast"
               f" made as of {day:%a %Y-%m-%d} 00:00 with the Forecast page's model and history.")
    download(res.frame, f"intraday_{queue}_{day:%Y%m%d}")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header(f"Intraday: queue '{queue}', the rest of the day re-forecast")
    st.caption("How today runs so far tells how the rest of today will run: the rest of the day's forecast is "
               "scaled by today's actual / plan ratio and staffed again with the same targets.")
    found = cached.planner_config(queue)
    if found is None:
        return
    qcfg, fs, qs = found
    history = cached.histories()[queue]
    day, minute, source = pick_day_and_time(cfg, history)
    fc, phi = cached.intraday_plan(cached.PLAN_PATH, queue, fs, tuple(sorted(qs.items())), day,
                                   state.upload_key(queue))
    actuals = (pv.actuals_from_history(cfg, history, queue, day, minute) if source == "history"
               else uploaded_actuals(cfg, queue, day))
    if actuals is None:
        return
    if actuals.empty:
        st.info("No intervals have actuals by then: pick a later time.")
        return
    result_view(cfg, queue, pv.reforecast_day(qcfg, queue, fc, phi, actuals), day)


render(state.selected_queue())
