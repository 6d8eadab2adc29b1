"""staffcast: the planners' dashboard (Streamlit).

    .venv/bin/streamlit run app.py --server.headless true

Opens on the bundled example plan (``data/plan.toml``; another plan with ``STAFFCAST_PLAN``, the run
store from ``STAFFCAST_STORE`` or the plan). Presentation only: every number comes from
``planning`` (mostly ``planning.dashboard_data``). Heavy work is cached; long work shows progress.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from planning import dashboard_data as dd
from planning.config import InputError
from planning.safe_csv import to_safe_csv

log = logging.getLogger("staffcast.app")

PAGES = ["Data", "Forecast", "Staffing", "Simulation", "Scenarios", "Runs"]
PLAN_PATH = str(Path(os.environ.get("STAFFCAST_PLAN") or dd.BUNDLED_PLAN).resolve())

st.set_page_config(page_title="staffcast", page_icon=":telephone_receiver:", layout="wide")

# Widgets live on one page but their values are used on others: keep them across page switches.
for _k in [k for k in st.session_state if str(k).startswith("w_")]:
    st.session_state[_k] = st.session_state[_k]


# =========================================================================== cached computation


@st.cache_data(show_spinner=False)
def plan_config(plan_path: str):
    return dd.load_plan(plan_path)


@st.cache_resource(show_spinner="Reading the plan's history files ...", max_entries=4)
def _plan_histories(plan_path: str, stamp: tuple) -> dict:
    from planning import load_histories

    hist, _ = load_histories(plan_config(plan_path))
    return hist


def plan_histories(plan_path: str) -> dict:
    """The plan's histories, read again when a history file changes on disk."""
    return _plan_histories(plan_path, dd.files_stamp(plan_config(plan_path)))


@st.cache_data(show_spinner="Checking the uploaded file ...", max_entries=8)
def uploaded_history(plan_path: str, queue: str, name: str, data: bytes, time_col: str, volume_col: str,
                     aht_col: str, time_format: str = ""):
    return dd.history_from_upload(plan_config(plan_path), queue, name, data, time_col=time_col,
                                  volume_col=volume_col, aht_col=aht_col or None, time_format=time_format or None)


def histories(plan_path: str) -> dict:
    """The plan's histories with the planner's uploads in place of the bundled files."""
    out = dict(plan_histories(plan_path))
    for queue, up in st.session_state.get("uploads", {}).items():
        out[queue] = uploaded_history(plan_path, queue, *up)[0]
    return out


def upload_key(queue: str):
    up = st.session_state.get("uploads", {}).get(queue)
    # file name, bytes and the column mapping: the same file read with other columns is other data
    return None if up is None else tuple(up)


def config_for(fs: tuple, qs: dict | None = None, queue: str | None = None):
    cfg = plan_config(PLAN_PATH)
    model, horizon, weeks = fs
    cfg = dd.with_forecast_settings(cfg, model=model, horizon_days=horizon, history_weeks=weeks)
    if qs and queue:
        cfg = dd.with_queue_settings(cfg, queue, **qs)
    return cfg


@st.cache_data(show_spinner=False, max_entries=32)
def forecast_for(plan_path: str, queue: str, fs: tuple, upload):
    cfg = config_for(fs)
    return dd.forecast_queue(cfg, histories(plan_path), queue)


@st.cache_data(show_spinner=False, max_entries=64)
def staffing_for(plan_path: str, queue: str, fs: tuple, qs_items: tuple, upload):
    fc, _ = forecast_for(plan_path, queue, fs, upload)
    cfg = config_for(fs, dict(qs_items), queue)
    req = dd.requirements_for_queue(cfg, fc, queue)
    return req, dd.headcount_for_queue(cfg, req, queue)


# =========================================================================== presentation helpers


def download(frame: pd.DataFrame, name: str, label: str | None = None, key: str | None = None):
    """A CSV download of ``frame`` (formula injection neutralised)."""
    st.download_button(label or f"Download {name}.csv", data=to_safe_csv(frame), file_name=f"{name}.csv",
                       mime="text/csv", key=key or f"dl_{name}")


def local_time_frame(frame: pd.DataFrame, col: str = "interval_start") -> pd.DataFrame:
    out = frame.copy()
    out["time"] = dd.local_naive(out[col]).to_numpy()
    return out


def tz_label(cfg) -> str:
    return f"local time ({cfg.timezone})" if cfg.timezone else "local time"


def per_interval(cfg) -> str:
    return f"per {cfg.interval_min} min"


def heatmap(profile: pd.DataFrame, title: str, legend: str, scheme: str = "blues"):
    order = profile.sort_values("weekday_order")["weekday"].drop_duplicates().tolist()
    return (alt.Chart(profile, title=title).mark_rect().encode(
        x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("weekday:O", sort=order, title="weekday", axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("value:Q", title=legend, scale=alt.Scale(scheme=scheme)),
        tooltip=[alt.Tooltip("weekday:O"), alt.Tooltip("time_of_day:O", title="time"),
                 alt.Tooltip("value:Q", title=legend, format=".1f")],
    ).properties(height=260))


# Short y-axis titles: a rotated title longer than the chart squeezes the plot and hides the chart
# title, so the full definition goes into the chart title instead.
AXIS_TITLES = {"service_level": "service level", "p_wait": "P(wait)", "asa_s": "ASA (s)",
               "abandon_rate": "abandoned share"}


def number_formats(columns) -> dict:
    """Streamlit column formats for scenario tables: money with thousands separators, shares as %."""
    share = {"service_level", "abandon_rate", "occupancy"}
    fmt = {}
    for col in columns:
        base = col.removeprefix("sim_")
        if base in share:
            fmt[col] = st.column_config.NumberColumn(format="percent")
        elif base == "cost_per_handled_contact":
            fmt[col] = st.column_config.NumberColumn(format="%,.2f")
        elif base in ("fte", "asa_s"):
            fmt[col] = st.column_config.NumberColumn(format="%,.1f")
        elif base in ("total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value",
                      "delta_net_value", "net_present_value", "delta_net_present_value", "churn_avoided"):
            fmt[col] = st.column_config.NumberColumn(format="%,.0f")
    return fmt


def share_text(x: float) -> str:
    """A target share as a percentage with the digits it needs (99.9%, not 100%)."""
    return f"{100 * x:.3g}%"


def pct(x) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{100 * x:.1f}%"


def current_settings() -> tuple:
    cfg = plan_config(PLAN_PATH)
    model = st.session_state.get("w_model", dd.FAST_MODEL)
    horizon = st.session_state.get("w_horizon", min(cfg.forecast.horizon_days, 28))
    weeks = st.session_state.get("w_weeks", cfg.forecast.history_weeks or 10)
    return (model, int(horizon), int(weeks))


def queue_settings(queue: str) -> dict:
    return dict(st.session_state.get("queue_settings", {}).get(queue, {}))


# =========================================================================== pages


def page_data(queue: str):
    cfg = plan_config(PLAN_PATH)
    q = cfg.queues[queue]
    st.header(f"Data: history of queue '{queue}'")
    uploads = st.session_state.setdefault("uploads", {})
    src = "an uploaded file: " + uploads[queue][0] if queue in uploads else f"the plan's file {q.history.name}"
    st.write(f"Using {src}. The plan works in {cfg.interval_min}-minute intervals, {tz_label(cfg)}.")

    with st.expander("Load another history file for this queue", expanded=queue in uploads):
        st.caption(f"CSV or Parquet, at most {dd.MAX_UPLOAD_MB} MB; one row per interval with a start time "
                   "and the number of contacts (optionally the average handle time in seconds). Rows "
                   "missing from the file are closed intervals; a row with 0 is an open interval without contacts.")
        # the kind is checked by dd.check_upload (a message, not a widget exception)
        f = st.file_uploader("History file (.csv or .parquet)", key="upload_file", max_upload_size=dd.MAX_UPLOAD_MB)
        c1, c2, c3 = st.columns(3)
        st.session_state.setdefault(f"w_time_col_{queue}", q.time_col)
        st.session_state.setdefault(f"w_vol_col_{queue}", q.volume_col)
        st.session_state.setdefault(f"w_aht_col_{queue}", q.aht_col or "")
        time_col = c1.text_input("time column", key=f"w_time_col_{queue}")
        vol_col = c2.text_input("volume column", key=f"w_vol_col_{queue}")
        aht_col = c3.text_input("handle time column (optional, seconds)", key=f"w_aht_col_{queue}")
        time_format = c1.text_input("time format (empty: ISO, e.g. 1999-01-03 07:30)", key=f"w_time_fmt_{queue}",
                                    placeholder="%d/%m/%Y %H:%M")
        b1, b2 = st.columns(2)
        use = b1.button("Use this file", key="use_upload", disabled=f is None, type="primary")
        back = b2.button("Back to the plan's file", key="reset_upload", disabled=queue not in uploads)
        if back:
            uploads.pop(queue, None)
            st.rerun()
        if use and f is not None:
            data = f.getvalue()
            msg = dd.check_upload(f.name, len(data))
            if msg:
                st.error(f"File refused: {msg}")
            else:
                try:
                    _, notes = uploaded_history(PLAN_PATH, queue, f.name, data, time_col, vol_col, aht_col,
                                                time_format)
                except InputError as exc:
                    st.error(f"The file cannot be used: {exc}")
                else:
                    uploads[queue] = (f.name, data, time_col, vol_col, aht_col, time_format)
                    st.success(f"{f.name} is valid and is now used for queue '{queue}' on every page.")

    hist = histories(PLAN_PATH)[queue]
    notes = (uploaded_history(PLAN_PATH, queue, *uploads[queue])[1] if queue in uploads
             else dd.history_notes(cfg, queue, hist))
    for note in notes:
        st.warning(note)
    s = dd.history_summary(hist, cfg.interval_s)
    st.subheader("What validation found")
    c = st.columns(3)
    c[0].metric("First day", f"{s['first']:%Y-%m-%d}")
    c[1].metric("Last day", f"{s['last']:%Y-%m-%d}")
    c[2].metric("Days", f"{s['days']}")
    c = st.columns(3)
    c[0].metric("Contacts per day (mean)", f"{s['mean_per_day']:,.0f}")
    c[1].metric("Open intervals with 0 contacts", f"{s['zero_intervals']:,}")
    c[2].metric("Closed intervals (no row)", f"{s['closed_intervals']:,}")
    st.caption(f"Source intervals of {s['source_interval_min']} min summed to {s['interval_min']} min. "
               + ("Handle times from the file (staffing uses them)." if s["has_aht"] else
                  f"No handle times in the file: the plan's configured handle time is used "
                  f"({q.mean_handle_s:g} s)." if q.mean_handle_s else "No handle times in the file."))

    weeks = st.slider("Heatmap over the last ... weeks", 1, 52, key="w_data_weeks")
    last = hist["interval_start"].max()
    recent = hist[hist["interval_start"] > last - pd.Timedelta(weeks=weeks)]
    prof = dd.weekday_time_profile(recent, "volume", week_start=cfg.week_start)
    st.altair_chart(heatmap(prof, f"Contacts {per_interval(cfg)} by weekday and time of day "
                                  f"(mean of the last {weeks} weeks)", f"contacts {per_interval(cfg)}"),
                    width="stretch")
    ev = dd.evening_share(recent, week_start=cfg.week_start)
    st.metric("Evening share (20:00-24:00) of all contacts", pct(ev["overall"]))
    by = ev["by_weekday"]
    st.altair_chart(alt.Chart(by, title="Evening share by weekday").mark_bar().encode(
        x=alt.X("weekday:O", sort=by["weekday"].tolist(), title="weekday"),
        y=alt.Y("share:Q", title="share of the day's contacts after 20:00", axis=alt.Axis(format="%")),
        tooltip=["weekday", alt.Tooltip("share:Q", format=".1%")]).properties(height=220),
        width="stretch")
    download(hist, f"history_{queue}")


def page_forecast(queue: str):
    cfg = plan_config(PLAN_PATH)
    st.header(f"Forecast: queue '{queue}'")
    c1, c2, c3 = st.columns([2, 1, 1])
    options = list(dd.MODEL_CHOICES)
    c1.selectbox("Model", options, format_func=lambda m: dd.MODEL_CHOICES[m], key="w_model")
    c2.slider("Horizon (days)", 7, 28, key="w_horizon")
    c3.slider("History used (weeks)", 4, 26, key="w_weeks")
    fs = current_settings()
    with st.spinner("Backtesting every model and their combinations ..." if fs[0] == "auto" else "Forecasting ..."):
        fc, info = forecast_for(PLAN_PATH, queue, fs, upload_key(queue))
    hist = histories(PLAN_PATH)[queue]
    actual = dd.recent_actuals(hist, info["start"], weeks=2)
    peaks = dd.evening_peaks(fc)
    model = info["model"]
    c = st.columns(4)
    c[0].metric("Model chosen", model if isinstance(model, str) else ", ".join(model))
    fsum = dd.forecast_summary(fc)
    c[1].metric("Forecast contacts", f"{fsum['total']:,.0f}")
    c[2].metric("From", f"{info['start']:%Y-%m-%d}")
    c[3].metric("Evening share (forecast)", pct(fsum["evening_share"]))

    f = local_time_frame(fc)
    a = local_time_frame(actual)
    unit = f"contacts {per_interval(cfg)}"
    x = alt.X("time:T", title=tz_label(cfg), axis=alt.Axis(format="%a %d %b %H:%M", labelAngle=-30))
    band = alt.Chart(f).mark_area(opacity=0.25, color="#4c78a8").encode(
        x=x, y=alt.Y("volume_p10:Q", title=unit), y2="volume_p90:Q")
    line = alt.Chart(f).mark_line(color="#1f4e79", strokeWidth=1.5).encode(
        x=x, y=alt.Y("volume:Q", title=unit),
        tooltip=[alt.Tooltip("time:T", format="%a %d %b %H:%M", title="local time"),
                 alt.Tooltip("volume:Q", format=".1f", title="forecast"),
                 alt.Tooltip("volume_p10:Q", format=".1f", title="p10"),
                 alt.Tooltip("volume_p90:Q", format=".1f", title="p90")])
    act = alt.Chart(a).mark_line(color="#555555", strokeWidth=1).encode(
        x=x, y="volume:Q", tooltip=[alt.Tooltip("time:T", format="%a %d %b %H:%M"),
                                    alt.Tooltip("volume:Q", title="actual")])
    evening = alt.Chart(peaks).mark_rect(color="#f58518", opacity=0.15).encode(x="window_start:T", x2="window_end:T")
    peak_pts = alt.Chart(peaks).mark_point(color="#d62728", shape="triangle-down", size=70, filled=True).encode(
        x="peak_time:T", y="peak_volume:Q",
        tooltip=[alt.Tooltip("peak_time:T", format="%a %d %b %H:%M", title="evening peak"),
                 alt.Tooltip("peak_volume:Q", format=".1f", title=unit),
                 alt.Tooltip("evening_share:Q", format=".0%", title="evening share of the day")])
    start_rule = alt.Chart(pd.DataFrame({"t": [dd.local_naive(pd.Series([info["start"]])).iloc[0]]})).mark_rule(
        strokeDash=[4, 3], color="black").encode(x="t:T")
    st.altair_chart((evening + band + act + line + peak_pts + start_rule).properties(
        height=380, title=f"Forecast with p10-p90 band (blue), last 2 weeks actual (grey); "
                          f"shaded: after 20:00, red marks: evening peak per day"),
        width="stretch")
    st.caption(f"Times are {tz_label(cfg)}. The evening window 20:00-24:00 is shaded; the red triangle marks "
               "each day's busiest evening interval. Closed intervals are forecast as 0.")

    st.subheader("Backtest (rolling origin, the model never sees the days it forecasts)")
    bt = dd.backtest_table(info)
    if bt.empty:
        st.info("No backtest scores for this model.")
    else:
        chosen = bt[bt["chosen"]].iloc[0] if bt["chosen"].any() else bt.iloc[0]
        c = st.columns(4)
        c[0].metric("WAPE (all)", pct(chosen.get("wape")))
        c[1].metric("WAPE evening 20:00-24:00", pct(chosen.get("evening_wape")))
        c[2].metric("Bias", pct(chosen.get("bias")))
        c[3].metric("Poisson floor WAPE", pct(chosen.get("poisson_floor_wape")))
        st.dataframe(bt, hide_index=True, width="stretch")
        st.caption("WAPE = sum |error| / sum actual; evening WAPE the same after 20:00; MASE = mean |error| / "
                   "the in-sample error of the weekly seasonal naive (so even snaive scores above 1 when the "
                   "test weeks are harder than the training weeks); coverage_80 = share of actuals inside the 80% interval; the Poisson floor "
                   "is the WAPE even a perfect rate forecast makes at this interval length.")
        download(bt, f"backtest_{queue}")
    download(fc, f"forecast_{queue}")


def _targets_form(queue: str):
    cfg = plan_config(PLAN_PATH)
    q = cfg.queues[queue]
    t = q.targets
    cur = queue_settings(queue)
    st.subheader("Targets and staffing rules")
    with st.form(f"targets_{queue}"):
        c = st.columns(4)
        vals = {}
        ss = st.session_state
        occ = q.max_occupancy if q.max_occupancy is not None else 1.0
        if q.kind == "chat":
            ss.setdefault(f"w_pwait_{queue}", round(100 * (t.p_wait or 0.05), 2))
            ss.setdefault(f"w_asa_{queue}", float(t.asa_s or 10.0))
            ss.setdefault(f"w_conc_{queue}", int(q.concurrency))
            vals["p_wait"] = c[0].number_input("No waiting: P(wait) at most (%)", 0.1, 99.0, step=0.5,
                                               key=f"w_pwait_{queue}") / 100
            vals["asa_s"] = c[1].number_input("ASA at most (s)", 1.0, 3600.0, step=1.0, key=f"w_asa_{queue}")
            vals["concurrency"] = c[2].number_input("Concurrency (chats per agent)", 1, 10, step=1,
                                                    key=f"w_conc_{queue}")
        else:
            ss.setdefault(f"w_sl_{queue}", round(100 * (t.service_level or 0.8), 2))
            ss.setdefault(f"w_awt_{queue}", float(t.awt_s))
            vals["service_level"] = c[0].number_input("Service level target (%)", 1.0, 99.9, step=1.0,
                                                      key=f"w_sl_{queue}") / 100
            vals["awt_s"] = c[1].number_input("Answered within (AWT, s)", 0.0, 3600.0, step=5.0, key=f"w_awt_{queue}")
        ss.setdefault(f"w_shr_{queue}", round(100 * q.shrinkage, 2))
        ss.setdefault(f"w_occ_{queue}", int(round(100 * occ)))
        vals["shrinkage"] = c[3].number_input("Shrinkage (%)", 0.0, 90.0, step=1.0, key=f"w_shr_{queue}") / 100
        vals["max_occupancy"] = st.slider("Occupancy cap (%)", 50, 100, key=f"w_occ_{queue}") / 100
        if st.form_submit_button("Apply targets", type="primary"):
            st.session_state.setdefault("queue_settings", {})[queue] = vals
            cur = vals
    return cur


def page_staffing(queue: str):
    cfg = plan_config(PLAN_PATH)
    st.header(f"Staffing: queue '{queue}'")
    qs = _targets_form(queue)
    try:
        qcfg = config_for(current_settings(), qs, queue)
    except InputError as exc:
        st.error(f"These targets cannot be used: {dd.config_error_text(exc)}")
        return
    q = qcfg.queues[queue]
    with st.spinner("Sizing agents per interval ..."):
        req, hc = staffing_for(PLAN_PATH, queue, current_settings(), tuple(sorted(qs.items())), upload_key(queue))
    ssum = dd.staffing_summary(req, hc, cfg.interval_s)
    c = st.columns(4)
    c[0].metric("Headcount (FTE per full week)", f"{ssum['fte_per_week']:.1f}",
                help=f"scheduled view (per-interval rounding): {ssum['fte_scheduled_per_week']:.1f} FTE")
    c[1].metric("Peak agents in an interval", f"{ssum['peak_agents']}")
    c[2].metric("Agent-hours over the horizon", f"{ssum['agent_hours']:,.0f}")
    c[3].metric("Paid hours per FTE and week", f"{cfg.headcount.paid_hours_per_week:g}")
    tgt = ", ".join(f"{label} {'>=' if col == 'service_level' else '<='} "
                    + (share_text(v) if unit == "share" else f"{v:g} s")
                    for col, label, v, unit in dd.service_columns(q) if v is not None)
    st.caption(f"Model: {'chat with concurrency ' + str(q.concurrency) if q.kind == 'chat' else ('Erlang A (patience ' + format(q.patience_s, 'g') + ' s)' if q.patience_s else 'Erlang C')}; "
               f"targets: {tgt}; shrinkage {q.shrinkage:.0%}: scheduled = agents / (1 - shrinkage), rounded up.")

    which = st.radio("Show", ["agents", "scheduled"], horizontal=True, key="w_staff_which",
                     format_func=lambda v: {"agents": "agents needed on the phones / in chat",
                                            "scheduled": "scheduled agents (with shrinkage)"}[v])
    prof = dd.weekday_time_profile(req, which, week_start=cfg.week_start)
    st.altair_chart(heatmap(prof, f"Mean {which} by weekday and time of day over the horizon", which, "greens"),
                    width="stretch")

    f = local_time_frame(req)
    f["day"] = f["time"].dt.strftime("%a %d %b")
    f["time_of_day"] = f["time"].dt.strftime("%H:%M")
    days = f["day"].drop_duplicates().tolist()
    if not set(st.session_state.get(f"w_staff_days_{queue}", [])) <= set(days):
        del st.session_state[f"w_staff_days_{queue}"]
    st.session_state.setdefault(f"w_staff_days_{queue}", days[:7])
    shown = st.multiselect("Days (one line per day)", days, key=f"w_staff_days_{queue}")
    sel = f[f["day"].isin(shown)]
    st.altair_chart(alt.Chart(sel, title=f"{which.capitalize()} per interval, one line per day").mark_line(
        interpolate="step-after").encode(
        x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
        y=alt.Y(f"{which}:Q", title=f"{which} (agents)"),
        color=alt.Color("day:N", sort=shown, title="day"),
        tooltip=["day", "time_of_day", which, alt.Tooltip("volume:Q", format=".1f")]).properties(height=300),
        width="stretch")

    st.subheader("Predicted service per interval (queueing formula)")
    cols = dd.service_columns(q)
    for col, label, target, unit in cols:
        if col not in f:
            continue
        d = f[f["open"] & f["day"].isin(shown)].copy()
        d["block"] = dd.segments(d["interval_start"], cfg.interval_s)
        y = alt.Y(f"{col}:Q", title=AXIS_TITLES.get(col, col),
                  axis=alt.Axis(format="%") if unit == "share" else alt.Axis())
        ch = alt.Chart(d).mark_line(point=True).encode(
            x=alt.X("time:T", title=tz_label(cfg), axis=alt.Axis(format="%a %d %H:%M")), y=y, detail="block:N",
            tooltip=[alt.Tooltip("time:T", format="%a %d %b %H:%M"), alt.Tooltip(f"{col}:Q", format=".3f"), "agents"])
        if target is not None:
            ch = ch + alt.Chart(pd.DataFrame({"target": [target]})).mark_rule(color="red", strokeDash=[4, 3]).encode(
                y="target:Q")
        st.altair_chart(ch.properties(height=220, title=f"{label}; red: target"), width="stretch")

    st.subheader("Headcount per week")
    st.dataframe(hc.assign(week_start=hc["week_start"].dt.strftime("%Y-%m-%d")), hide_index=True,
                 width="stretch")
    st.caption("FTE = agent-hours / (1 - shrinkage) / paid hours per week. Partial weeks show their days.")
    c1, c2 = st.columns(2)
    with c1:
        download(req, f"requirements_{queue}")
    with c2:
        download(hc, f"headcount_{queue}")


def page_simulation(queue: str):
    cfg = plan_config(PLAN_PATH)
    st.header(f"Simulation: queue '{queue}'")
    st.write("The formula assumes a steady state in every interval. The simulation replays the plan with "
             "backlog carried between intervals, agents leaving after their last contact, impatience, "
             "chat concurrency and day-level forecast error, and adds agents where a target is missed "
             "with 95% confidence.")
    qs = queue_settings(queue)
    try:
        qcfg = config_for(current_settings(), qs, queue)
    except InputError as exc:
        st.error(f"The targets cannot be used: {dd.config_error_text(exc)}")
        return
    req, _ = staffing_for(PLAN_PATH, queue, current_settings(), tuple(sorted(qs.items())), upload_key(queue))
    with st.form(f"sim_{queue}"):
        c = st.columns(3)
        days = c[0].number_input("Days to simulate", 1, 28, key="w_sim_days")
        reps = c[1].number_input("Replications", 2, 100, key="w_sim_reps")
        refine = c[2].checkbox("Add agents where the simulation misses", key="w_sim_refine")
        st.form_submit_button("Run simulation", type="primary")
    key = (queue, current_settings(), tuple(sorted(qs.items())), upload_key(queue) and upload_key(queue)[0],
           int(days), int(reps), bool(refine))
    results = st.session_state.setdefault("sim_results", {})
    if key not in results:
        bar = st.progress(0.0, text="Simulating ...")
        sim = dd.simulate_queue(qcfg, req, queue, days=int(days), replications=int(reps), refine=bool(refine),
                                on_block=lambda n, tot: bar.progress(n / tot, text=f"Simulated block {n} of {tot}"))
        bar.empty()
        results.clear()  # keep one result per session (memory)
        results[key] = sim
    sim = results[key]
    if sim.empty:
        st.info("The queue is closed in the simulated days.")
        return
    q = qcfg.queues[queue]
    plan = dd.simulated_plan(req, sim)
    summ = dd.simulation_summary(sim)
    s = local_time_frame(sim)
    s["block"] = dd.segments(s["interval_start"], cfg.interval_s)
    rr = local_time_frame(plan)
    rr["block"] = dd.segments(rr["interval_start"], cfg.interval_s)
    c = st.columns(3)
    c[0].metric("Intervals simulated", f"{summ['intervals']}")
    c[1].metric("Agent-intervals added by the simulation", f"{summ['agents_added']}")
    c[2].metric("Replications", f"{int(reps)}")
    x = alt.X("time:T", title=tz_label(cfg), axis=alt.Axis(format="%a %d %H:%M"))
    for col, label, target, unit in dd.service_columns(q):
        if col not in s:
            continue
        fmt = alt.Axis(format="%") if unit == "share" else alt.Axis()
        band = alt.Chart(s).mark_area(opacity=0.3, color="#4c78a8").encode(
            x=x, y=alt.Y(f"{col}_lo:Q", title=AXIS_TITLES.get(col, col), axis=fmt,
                         scale=alt.Scale(domainMin=0, clamp=True)), y2=f"{col}_hi:Q",
            detail="block:N")
        simline = alt.Chart(s).mark_line(color="#1f4e79").encode(
            x=x, y=f"{col}:Q", detail="block:N", tooltip=[alt.Tooltip("time:T", format="%a %d %H:%M"), alt.Tooltip(f"{col}:Q", format=".3f"),
                                        alt.Tooltip(f"{col}_lo:Q", format=".3f"), alt.Tooltip(f"{col}_hi:Q", format=".3f"),
                                        "agents_plan", "agents_final"])
        layers = band + simline
        if col in rr:
            layers = layers + alt.Chart(rr).mark_line(color="#f58518", strokeDash=[5, 3]).encode(
                x=x, y=f"{col}:Q", detail="block:N")
        if target is not None:
            layers = layers + alt.Chart(pd.DataFrame({"t": [target]})).mark_rule(color="red").encode(y="t:Q")
        st.altair_chart(layers.properties(height=260, title=f"{label}: simulated (blue, 95% band) vs formula "
                                                            f"(orange, dashed); red: target"),
                        width="stretch")

    st.subheader("Intervals the simulation had to raise")
    raised = dd.raised_intervals(sim, qcfg, queue)
    below = dd.below_target_intervals(sim, qcfg, queue)
    if raised.empty:
        st.info("None raised: no interval misses a target with 95% confidence"
                + ("." if refine else " (adding agents is switched off)."))
    else:
        st.dataframe(raised.assign(interval_start=dd.local_naive(raised["interval_start"]).dt.strftime("%a %Y-%m-%d %H:%M")),
                     hide_index=True, width="stretch")
        download(raised, f"simulation_raised_{queue}")
    if not below.empty:
        st.warning(f"{len(below)} of {summ['intervals']} intervals have a simulated mean below a target "
                   f"(not proven at 95% with {int(reps)} replications; more replications tell): "
                   + ", ".join(dd.local_naive(below["interval_start"]).dt.strftime("%a %H:%M").head(8))
                   + (" ..." if len(below) > 8 else ""))

    st.subheader("Waiting-time distribution")
    days_avail, busiest = summ["days"], summ["busiest_day"]
    if st.session_state.get(f"w_wait_day_{queue}") not in days_avail:
        st.session_state[f"w_wait_day_{queue}"] = busiest
    day = st.selectbox("Day", days_avail, key=f"w_wait_day_{queue}",
                       format_func=lambda d: f"{d:%a %Y-%m-%d}" + (" (busiest)" if d == busiest else ""))
    waits = dd.wait_distribution(qcfg, plan, queue, day, replications=int(reps), agents_col="agents_sim")
    if waits.empty:
        st.info("No contacts on that day.")
    else:
        awt = q.targets.awt_s
        ws = dd.wait_summary(waits, awt)
        c = st.columns(4)
        c[0].metric(f"Contacts simulated ({int(reps)} replications)", f"{ws['contacts']:,}")
        c[1].metric("Waited at all (of answered)", pct(ws["waited_share"]))
        c[2].metric(f"Answered within {awt:g} s (of answered)", pct(ws["within_awt_share"]))
        c[3].metric("Abandoned (of offered)", pct(ws["abandoned_share"]))
        waited = ws["waited_s"]
        if waited.empty:
            st.info("No simulated contact waited on that day.")
        else:
            st.altair_chart(alt.Chart(waited, title="Waits of contacts that waited (answered contacts)").mark_bar().encode(
                x=alt.X("wait_s:Q", bin=alt.Bin(maxbins=40), title="wait until answered (s)"),
                y=alt.Y("count():Q", title="contacts (all replications)")).properties(height=220),
                width="stretch")

    st.subheader("Queue-position announcement")
    ann_int = dd.announcement_intervals(plan, q)
    if ann_int.empty:
        st.info("No staffed interval to announce for.")
    else:
        labels = ann_int["label"].tolist()
        default = int(np.flatnonzero(ann_int["busiest"].to_numpy())[0])
        c1, c2 = st.columns(2)
        if st.session_state.get(f"w_ann_int_{queue}") not in labels:
            st.session_state[f"w_ann_int_{queue}"] = labels[default]
        pick = c1.selectbox("Interval", labels, key=f"w_ann_int_{queue}")
        ahead_max = c2.slider("Positions shown", 5, 50, key="w_ann_ahead")
        row = ann_int.iloc[labels.index(pick)]
        aht = float(row["aht_s"])
        ann = dd.announcement_table(int(row["agents"]), aht, patience_s=q.patience_s,
                                    concurrency=q.concurrency, ahead_max=ahead_max)
        st.caption(f"{int(row['agents'])} agents, handle time {aht:g} s"
                   + (f", patience {q.patience_s:g} s (callers ahead may hang up)" if q.patience_s else "")
                   + ". Announced: the 80% quantile (8 in 10 callers in that position wait less).")
        picks = sorted({0, min(4, ahead_max), min(9, ahead_max), ahead_max})
        st.markdown("\n".join(f"- {ann.loc[k, 'announce']}" for k in picks))
        st.dataframe(ann, hide_index=True, width="stretch")
        download(ann, f"announcement_{queue}")
    download(sim, f"simulation_{queue}")


STUDY_PATH = str(Path(os.environ.get("STAFFCAST_STUDY") or dd.BUNDLED_STUDY).resolve())


@st.cache_resource(show_spinner=False, max_entries=8)
def study_result(study_path: str, money_items: tuple, budget, fs: tuple, uploads: tuple, simulate: bool):
    study = dd.load_study_with(study_path, money=dict(money_items), chat_budget_agent_hours_per_week=budget)
    if study.plan.source is not None and str(Path(study.plan.source).resolve()) == PLAN_PATH:
        # the forecast shown on the Forecast page (same settings, same uploads)
        fc = pd.concat([forecast_for(PLAN_PATH, q, fs, upload_key(q))[0] for q in study.plan.queues],
                       ignore_index=True)
    else:
        from planning.scenarios import study_forecast

        fc = study_forecast(study)
    return dd.run_study_for_dashboard(study, fc, simulate=simulate)


def page_scenarios(queue: str):
    st.header("Scenarios: finance comparison and chat windows")
    try:
        base = dd.load_study_with(STUDY_PATH)
    except ImportError:
        st.info("The scenario tools are not part of this version of staffcast; no numbers are shown.")
        return
    cur = base.currency
    if base.illustrative:
        st.warning(f"ILLUSTRATIVE: {base.note or 'the money and behaviour assumptions of this study are examples'} "
                   f"Replace them in {Path(STUDY_PATH).name} with your own figures before drawing conclusions.")
    st.caption(f"Study **{base.name}** ({Path(STUDY_PATH).name}): baseline **{base.baseline}**, scenarios: "
               + ", ".join(base.scenarios) + ". Every scenario staffs the same forecast (Forecast page settings: "
               f"model '{current_settings()[0]}', {current_settings()[1]} days; `staffcast scenarios` uses the "
               f"plan's model '{base.plan.forecast.model}', so its figures can differ slightly) with its own "
               "targets and handle times, then adds cost, value and net value.")
    defaults = dd.study_money_defaults(base)
    money = dict(st.session_state.get("study_money", {}))
    with st.form("study_money_form"):
        st.write("Study-wide money assumptions (a scenario's own settings still win):")
        c = st.columns(4)
        ss = st.session_state
        ss.setdefault("w_m_cost", float(defaults.get("cost_per_agent_hour") or 30.0))
        ss.setdefault("w_m_clv", float(defaults.get("customer_lifetime_value") or 0.0))
        ss.setdefault("w_m_churn", round(100 * float(defaults.get("churn_if_abandoned") or 0.0), 3))
        ss.setdefault("w_m_conv", round(100 * float(defaults.get("conversion_rate") or 0.0), 3))
        cost = c[0].number_input(f"Cost per agent hour ({cur})", 0.0, 1000.0, step=1.0, key="w_m_cost")
        clv = c[1].number_input(f"Customer lifetime value ({cur})", 0.0, 1e6, step=100.0, key="w_m_clv")
        churn = c[2].number_input("Churn if abandoned (%)", 0.0, 100.0, step=0.5, key="w_m_churn")
        conv = c[3].number_input("Cross-sell conversion (%)", 0.0, 100.0, step=0.5, key="w_m_conv")
        overrides = dd.study_money_overrides(base)
        labels = {"cost_per_agent_hour": "cost per agent hour", "customer_lifetime_value": "customer lifetime value",
                  "churn_if_abandoned": "churn if abandoned", "conversion_rate": "cross-sell conversion"}
        own = [f"{labels[k]}: {', '.join(v)}" for k, v in overrides.items() if k in labels]
        if own:
            st.caption("Set by the scenarios themselves, so not changed here: " + "; ".join(own) + ".")
        cw_cfg = base.chat_windows or {}
        budget = None
        if cw_cfg.get("budget_agent_hours_per_week") is not None:
            ss.setdefault("w_cw_budget", float(cw_cfg["budget_agent_hours_per_week"]))
            budget = st.number_input("Chat-window budget (logged-in agent-hours per week)", 1.0, 10000.0, step=10.0,
                                     key="w_cw_budget")
        ss.setdefault("w_study_sim", False)
        sim = st.checkbox(f"Check the promised service by simulation ({base.check.days} days per scenario; slower)",
                          key="w_study_sim")
        if st.form_submit_button("Compare scenarios", type="primary"):
            money = {"cost_per_agent_hour": cost, "customer_lifetime_value": clv,
                     "churn_if_abandoned": churn / 100, "conversion_rate": conv / 100}
            money = {k: v for k, v in money.items() if defaults.get(k) is None or abs(float(defaults[k]) - v) > 1e-12}
            st.session_state["study_money"] = money
            st.session_state["study_budget"] = budget
            st.session_state["study_sim"] = sim
    budget = st.session_state.get("study_budget")
    if budget is not None and cw_cfg and abs(budget - float(cw_cfg.get("budget_agent_hours_per_week", budget))) < 1e-9:
        budget = None
    uploads = tuple((q, upload_key(q)) for q in base.plan.queues)
    with st.spinner("Staffing and valuing every scenario ..."):
        res = study_result(STUDY_PATH, tuple(sorted(money.items())), budget, current_settings(), uploads,
                           bool(st.session_state.get("study_sim", False)))

    st.subheader("Finance comparison")
    for note in res.notes:
        st.warning(note)
    comp = res.comparison
    others = [n for n in comp["scenario"] if n != base.baseline]
    c = st.columns(max(len(others), 1))
    for col, name in zip(c, others):
        r = comp[comp["scenario"] == name].iloc[0]
        col.metric(f"{name}: net value vs {base.baseline}", f"{r['delta_net_value']:+,.0f} {cur}",
                   help=f"over the plan period of {res.period_days:.0f} days; FTE {r['delta_fte']:+.1f}")
    view = dd.comparison_view(res)
    st.dataframe(view, hide_index=True, width="stretch", column_config=number_formats(view.columns))
    st.caption(f"Amounts in {cur} over the plan period ({res.period_days:.0f} days); net value = cross-sell value - "
               "cost - churn cost - abandonment cost; service from the queueing formulas "
               "(sim_* columns: simulated, when the check is on). service_level = share of offered contacts "
               "answered within sl_awt_s seconds (each queue's own AWT target, 20 s where it has none): "
               "scenarios with different sl_awt_s are not comparable on it; compare asa_s and abandon_rate.")
    bars = dd.money_bars(res)
    st.altair_chart(alt.Chart(bars, title=f"Cost and value per scenario ({cur} over the plan period)").mark_bar().encode(
        x=alt.X("scenario:N", title="scenario", axis=alt.Axis(labelAngle=0)),
        xOffset="item:N",
        y=alt.Y("amount:Q", title=f"{cur} (costs negative)"),
        color=alt.Color("item:N", title=""),
        tooltip=["scenario", "item", alt.Tooltip("amount:Q", format=",.0f")]).properties(height=320),
        width="stretch")

    if res.break_even is not None and not res.break_even.empty:
        st.subheader("Break-even")
        st.caption("The value of each assumption at which the scenario's net value equals the baseline's, "
                   "everything else fixed ('always': the scenario wins for any value).")
        be = res.break_even.copy()
        for col in ("current_value", "break_even_value", "break_even_factor", "advantage_now"):
            if col in be:
                be[col] = pd.to_numeric(be[col], errors="coerce")  # None -> NaN: shown empty
        st.dataframe(be, hide_index=True, width="stretch", column_config={
            "current_value": st.column_config.NumberColumn(format="%.4g"),
            "break_even_value": st.column_config.NumberColumn(format="%.4g"),
            "break_even_factor": st.column_config.NumberColumn(format="%.3f"),
            "advantage_now": st.column_config.NumberColumn(format="%,.0f")})
    if res.sensitivity is not None and not res.sensitivity.empty:
        sens = res.sensitivity
        st.subheader("Sensitivity")
        x = float(sens["relative_change"].iloc[0])
        st.altair_chart(alt.Chart(sens, title=f"Advantage of {sens['scenario'].iloc[0]} over {base.baseline} when one "
                                              f"assumption moves by -{x:.0%} / +{x:.0%} ({cur})").mark_bar().encode(
            y=alt.Y("assumption:N", sort=sens["assumption"].tolist(), title="",
                    axis=alt.Axis(labelLimit=220, labelOverlap=False)),
            x=alt.X("advantage_low:Q", title=f"advantage, {cur} over the plan period"), x2="advantage_high:Q",
            tooltip=["assumption", alt.Tooltip("advantage_low:Q", format=",.0f"),
                     alt.Tooltip("advantage_high:Q", format=",.0f")]).properties(height=260), width="stretch")

    st.subheader("Chat windows: when to offer real-time chat")
    cw, ch = res.chat_windows, res.chat_hours
    if cw is None and ch is None:
        st.info("This study has no [chat_windows] section.")
    if cw is not None:
        c = st.columns(4)
        c[0].metric("Posted hours per week", f"{cw.posted_hours_per_week:.1f} h")
        c[1].metric("Chats served in real time", pct(cw.covered_share))
        c[2].metric("Agent-hours per week", f"{cw.agent_hours_per_week:.0f}"
                    + (f" of {cw.budget_agent_hours_per_week:.0f}" if cw.budget_agent_hours_per_week else ""))
        c[3].metric("Worst open interval P(wait)", pct(cw.max_p_wait))
        pw, asa = cw.targets.get("p_wait"), cw.targets.get("asa_s")
        limits = ", ".join(t for t in ((f"P(wait) <= {share_text(pw)}" if pw is not None else ""),
                                       (f"ASA <= {asa:g} s" if asa is not None else "")) if t)
        if cw.posted_hours_per_week <= 0:
            st.warning("The budget buys no chat window: no open interval could meet 'no waiting' "
                       f"({limits}) within {cw.budget_agent_hours_per_week or 0:g} agent-hours per week. "
                       "Raise the budget or loosen the targets.")
        else:
            st.caption(f"Every open interval meets 'no waiting' ({limits}). Evening windows open: "
                       f"{', '.join(cw.evening_windows) or 'none'}.")
        st.dataframe(cw.windows, hide_index=True, width="stretch")
        grid = dd.chat_window_grid(cw, base.plan.interval_s)
        grid["value"] = grid["open"].astype(int)
        st.altair_chart(alt.Chart(grid, title="Posted chat hours (dark: open)").mark_rect().encode(
            x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
            y=alt.Y("weekday:O", sort=grid.sort_values("weekday_order")["weekday"].drop_duplicates().tolist(),
                    title="weekday", axis=alt.Axis(labelOverlap=False)),
            color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 1], range=["#eeeeee", "#2ca02c"]), legend=None),
            tooltip=["weekday", "time_of_day", "open"]).properties(height=220), width="stretch")
        download(cw.windows, "chat_windows")
    if ch is not None:
        st.write(f"To keep the posted hours with no waiting: **{ch.result.agent_hours_per_week:.0f} agent-hours "
                 f"per week** logged in, **{ch.paid_hours_per_week:.0f} paid hours** with shrinkage.")
        st.dataframe(ch.result.windows, hide_index=True, width="stretch")
        download(ch.result.windows, "chat_posted_hours")
    for name, frame in res.tables().items():
        if name not in ("chat_windows", "chat_posted_hours"):
            download(frame, f"scenarios_{name}")


def page_runs(queue: str):
    from planning.store import resolve_store_url

    cfg = plan_config(PLAN_PATH)
    url = resolve_store_url(None, cfg.store)
    st.header("Runs: stored plans and how their forecasts did")
    st.caption(f"Run store: `{url}`. Runs are made by `staffcast run` (scheduled jobs) or from here; they use "
               "the plan's history files (not uploads).")
    with st.form("new_run"):
        hist = plan_histories(PLAN_PATH)
        last = min(h["interval_start"].max() for h in hist.values())
        default_as_of = (last - pd.Timedelta(days=27)).date()
        c = st.columns(3)
        st.session_state.setdefault("w_run_asof", default_as_of)
        as_of = c[0].date_input("Forecast from (as of)", key="w_run_asof",
                                help="A date inside the history lets you compare the forecast with what happened.")
        model = c[1].selectbox("Model", list(dd.MODEL_CHOICES), format_func=lambda m: dd.MODEL_CHOICES[m],
                               key="w_run_model")
        sim = c[2].checkbox("With simulation check", key="w_run_sim")
        go = st.form_submit_button("Run the plan and store it", type="primary")
    if go:
        bar = st.progress(0.0, text="Starting ...")
        try:
            res = dd.run_plan_now(cfg, url, as_of=as_of, model=model, simulate=sim,
                                  callback=lambda n, tot, label: bar.progress(min(n / max(tot, 1), 1.0), text=label))
        except InputError as exc:
            bar.empty()
            st.error(f"The run failed: {dd.config_error_text(exc)}")
        else:
            bar.empty()
            st.success(f"Run {res.run_id} " + ("was already stored (same plan and data)." if res.reused else "stored."))
            st.session_state["w_run_pick"] = res.run_id
    runs = dd.list_runs(url, limit=50)
    if runs.empty:
        st.info("No runs stored yet. Run the plan above, or on a schedule with `staffcast run --config data/plan.toml`.")
        return
    st.dataframe(runs, hide_index=True, width="stretch")
    download(runs, "runs")
    ids = runs["run_id"].tolist()
    if st.session_state.get("w_run_pick") not in ids:
        st.session_state["w_run_pick"] = ids[0]
    pick = st.selectbox("Run", ids, key="w_run_pick")
    series, scores, meta = dd.run_vs_actual(url, pick, cfg, plan_histories(PLAN_PATH))
    if series.empty:
        st.info("This run has no forecast table.")
        return
    queues = series["queue"].unique().tolist()
    rq = queue if queue in queues else queues[0]
    s = local_time_frame(series[series["queue"] == rq])
    have = s["actual"].notna().sum()
    st.subheader(f"Forecast of run {pick} against actuals, queue '{rq}'")
    st.caption(f"Run as of {meta.get('as_of')}, horizon {meta.get('horizon_start')} to {meta.get('horizon_end')}; "
               f"{have} of {len(s)} intervals have actuals so far.")
    x = alt.X("time:T", title=tz_label(cfg), axis=alt.Axis(format="%a %d %b %H:%M", labelAngle=-30))
    unit = f"contacts {per_interval(cfg)}"
    ch = (alt.Chart(s).mark_area(opacity=0.25, color="#4c78a8").encode(x=x, y=alt.Y("volume_p10:Q", title=unit),
                                                                       y2="volume_p90:Q")
          + alt.Chart(s).mark_line(color="#1f4e79").encode(x=x, y="forecast:Q")
          + alt.Chart(s.dropna(subset=["actual"])).mark_line(color="#555555", strokeWidth=1).encode(x=x, y="actual:Q"))
    st.altair_chart(ch.properties(height=320, title="Forecast (blue, p10-p90 band) and actual (grey)"),
                    width="stretch")
    if scores is None or scores.empty:
        st.info("No actuals yet for this run's horizon: scores appear once the history covers it.")
    else:
        st.dataframe(scores, hide_index=True, width="stretch")
        st.caption("lead_week 0 = the whole scored horizon. WAPE = sum |forecast - actual| / sum actual; "
                   "wape_evening after 20:00; bias positive = over-forecast; coverage of the p10-p90 band (target 80%).")
        download(scores, f"run_{pick}_scores")
    download(series, f"run_{pick}_forecast_vs_actual")


PAGE_FUNCS = {"Data": page_data, "Forecast": page_forecast, "Staffing": page_staffing,
              "Simulation": page_simulation, "Scenarios": page_scenarios, "Runs": page_runs}


# =========================================================================== layout


def init_state(cfg):
    """Defaults of the widgets shared between pages (set once per session)."""
    for key, val in {
        "w_model": dd.FAST_MODEL, "w_horizon": min(cfg.forecast.horizon_days, 28),
        "w_weeks": min(max(cfg.forecast.history_weeks or 10, 4), 26), "w_data_weeks": 8,
        "w_staff_which": "agents", "w_sim_days": 2, "w_sim_reps": max(cfg.simulation.replications, 2),
        "w_sim_refine": cfg.simulation.refine, "w_ann_ahead": 15, "w_run_model": dd.FAST_MODEL,
        "w_run_sim": False,
    }.items():
        st.session_state.setdefault(key, val)


def main():
    cfg = plan_config(PLAN_PATH)
    init_state(cfg)
    qp = st.query_params.get("page")
    if "w_page" not in st.session_state and qp in PAGES:
        st.session_state["w_page"] = qp
    qq = st.query_params.get("queue")
    if "w_queue" not in st.session_state and qq in cfg.queues:
        st.session_state["w_queue"] = qq
    with st.sidebar:
        st.title("staffcast")
        st.caption(f"Plan: **{cfg.name}** ({Path(PLAN_PATH).name}), {cfg.interval_min}-minute intervals, "
                   f"{tz_label(cfg)}.")
        page = st.radio("Page", PAGES, key="w_page")
        queues = list(cfg.queues)
        queue = st.selectbox("Queue", queues, key="w_queue",
                             format_func=lambda n: f"{n} ({cfg.queues[n].kind})")
        st.caption("voice: real Anonymous Bank 1999 calls; chat: synthetic with an after-20:00 peak "
                   "(see data/README.md)." if Path(PLAN_PATH) == dd.BUNDLED_PLAN.resolve() else "")
    if st.query_params.get("page") != page or st.query_params.get("queue") != queue:
        st.query_params.update({"page": page, "queue": queue})
    try:
        PAGE_FUNCS[page](queue)
    except InputError as exc:
        hint = (" (An uploaded history is in use; the Data page switches back to the plan's file.)"
                if st.session_state.get("uploads") else "")
        st.error(dd.config_error_text(exc) + hint)
    except Exception as exc:  # never show a traceback to the planner; log it for the operator
        log.exception("page %s failed", page)
        st.error(f"Something went wrong on this page ({type(exc).__name__}: {exc}). "
                 "The details are in the server log.")


main()
