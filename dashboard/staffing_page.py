"""Staffing page: the queue's targets and staffing rules (a form), agents per interval, the
formula's predicted service, and headcount per week."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.widgets import download, metrics, setting_input
from planning import views as pv
from planning.config import InputError


def _inputs(fields, per_row: int, queue: str, values: dict, shown: dict) -> None:
    """The widgets of ``fields``, ``per_row`` to a row; their values into ``values`` and their
    containers into ``shown`` (where a refusal is written)."""
    for i in range(0, len(fields), per_row):
        cols = st.columns(per_row)
        for col, field in zip(cols, fields[i:i + per_row]):
            state.default(state.setting_key(field.name, queue), field.value)
            values[field.name] = setting_input(col, field, state.setting_key(field.name, queue))
            shown[field.name] = col


def targets_form(queue: str) -> dict:
    """The queue's targets and parameters form (fields from ``planning.views.setting_fields`` and
    ``parameter_fields``); returns the settings in use (the applied ones, else the plan's). A value
    the plan file would refuse is named with the plan's reason under its box; the other values of
    the same submit are applied."""
    cfg = cached.plan_config()
    current = state.queue_settings(queue)
    problems = state.setting_problems(queue)
    st.subheader("Targets, staffing rules and queue parameters")
    state.apply_later()
    with st.form(f"targets_{queue}"):
        fields = pv.setting_fields(cfg.queues[queue])
        params = pv.parameter_fields(cfg, queue)
        values, shown = {}, {}
        boxes = [f for f in fields if not f.slider]
        _inputs(boxes, max(len(boxes), 4), queue, values, shown)
        numbers = [f for f in params if not f.name.startswith("hours_")]
        _inputs(numbers, max(len(numbers), 4), queue, values, shown)
        st.caption("Opening hours (agents' hours; closed intervals get no agents): \"07:00-24:00\", "
                   "\"08:00-12:00, 13:00-17:00\", \"24h\" or \"closed\".")
        _inputs([f for f in params if f.name.startswith("hours_")], 4, queue, values, shown)
        for field in (f for f in fields if f.slider):
            state.default(state.setting_key(field.name, queue), field.value)
            values[field.name] = setting_input(st, field, state.setting_key(field.name, queue))
        if st.form_submit_button("Apply targets", type="primary"):
            good, problems = pv.checked_settings(_in_force(cfg, queue, current), queue, fields + params, values)
            state.set_setting_problems(queue, problems)
            for field in fields + params:  # a value the check changed (handle times following concurrency)
                text = (pv.setting_text(field.name, good[field.name])
                        if field.text and good.get(field.name) is not None else None)
                if text is not None and text != values[field.name]:
                    state.set_later(state.setting_key(field.name, queue), text)
            if {**current, **good} != current:  # run again: the sidebar (drawn first) names the departures
                state.set_queue_settings(queue, {**current, **good})
                st.rerun()
        for name, text in problems.items():
            (shown.get(name) or st).error(text)
    return current


def _in_force(cfg, queue: str, current: dict):
    """The plan with ``queue``'s applied settings (what a new value is checked with), else the plan."""
    try:
        return pv.with_queue_settings(cfg, queue, **current)
    except InputError:
        return cfg


def save_plan(cfg) -> None:
    """"Save as plan TOML": the plan with every queue's applied settings and the Forecast page's,
    as a file ``staffcast run --config`` reads; where it departs from the plan file is listed."""
    fs = state.forecast_settings(cfg)
    settings = state.all_queue_settings(cfg.queues)
    away = pv.all_departures(cfg, fs, settings)
    try:
        text = pv.plan_toml(pv.plan_with_settings(cfg, fs, settings), away)
    except InputError as exc:
        st.error(f"These settings cannot be saved as a plan: {pv.config_error_text(exc)}")
        return
    c1, c2 = st.columns([1, 2])
    c1.download_button("Save as plan TOML", data=text.encode("utf-8"), file_name=pv.plan_file_name(cfg),
                       mime="application/toml", key="save_plan_toml")
    c2.caption(("Departs from the plan file: " + "; ".join(away) + ". ") if away else
               "No departures from the plan file: the saved file is the plan as it is. ")


def headline(cfg, q, req, hc, queue: str) -> None:
    ssum = pv.staffing_summary(req, hc, cfg.interval_s)
    roster = pv.roster_fte(pv.latest_schedule(pv.store_url(cfg), cfg.name), queue)
    metrics([("Headcount (FTE per full week)", f"{ssum['fte_per_week']:.1f}",
              f"interval basis: agent-hours / (1 - shrinkage) / paid hours per week; scheduled view "
              f"(per-interval rounding): {ssum['fte_scheduled_per_week']:.1f} FTE"),
             ("Rostered FTE per week (stored schedule)", "n/a" if roster is None else f"{roster['fte_per_week']:.1f}",
              "no stored run with a schedule" if roster is None else
              f"roster basis, the run's headline: rostered paid hours / paid hours per week, run {roster['run_id']} "
              "(the plan as stored; targets changed here are not rescheduled)"),
             ("Peak agents in an interval", f"{ssum['peak_agents']}"),
             ("Agent-hours over the horizon", f"{ssum['agent_hours']:,.0f}"),
             ("Paid hours per FTE and week", f"{cfg.headcount.paid_hours_per_week:g}")])
    st.caption(f"Model: {pv.queue_model_text(q)}; targets: {pv.targets_text(q)}; {pv.shrinkage_text(q)}: "
               "scheduled = agents / (1 - shrinkage), rounded up.")


def agents_charts(cfg, queue: str, req) -> tuple:
    """Heatmap and one line per day of agents (or scheduled agents); returns the frame and the days shown."""
    which = st.radio("Show", ["agents", "scheduled"], horizontal=True, key=state.STAFF_WHICH,
                     format_func=lambda v: {"agents": "agents needed on the phones / in chat",
                                            "scheduled": "scheduled agents (with shrinkage)"}[v])
    prof = pv.weekday_time_profile(req, which, week_start=cfg.week_start)
    st.altair_chart(charts.heatmap(prof, f"Mean {which} by weekday and time of day over the horizon", which, "greens"),
                    width="stretch")
    f = pv.staffing_days(req)
    days = pv.day_labels(f)
    key = state.staff_days_key(queue)
    state.keep_subset(key, days, days[:7])
    shown = st.multiselect("Days (one line per day)", days, key=key)
    st.altair_chart(charts.day_lines(pv.days_shown(f, shown), which, shown), width="stretch")
    return f, shown


def predicted_service(cfg, q, f, shown) -> None:
    st.subheader("Predicted service per interval (queueing formula)")
    for col, label, target, unit in pv.service_columns(q):
        if col not in f:
            continue
        d = pv.open_intervals_shown(f, shown, cfg.interval_s)
        st.altair_chart(charts.predicted_service(d, col, label, target, unit, pv.tz_label(cfg)), width="stretch")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header(f"Staffing: queue '{queue}'")
    qs = targets_form(queue)
    fs = state.forecast_settings(cfg)
    try:
        qcfg = cached.config_for(fs, qs, queue)
    except InputError as exc:
        st.error(f"These targets cannot be used: {pv.config_error_text(exc)}")
        return
    q = qcfg.queues[queue]
    save_plan(cfg)
    with st.spinner("Sizing agents per interval ..."):
        req, hc = cached.staffing_for(cached.PLAN_PATH, queue, fs, tuple(sorted(qs.items())), state.upload_key(queue))
    headline(qcfg, q, req, hc, queue)
    f, shown = agents_charts(cfg, queue, req)
    predicted_service(cfg, q, f, shown)
    st.subheader("Headcount per week")
    tables.show(pv.headcount_table(hc), columns=("week_start", "fte", "days", "volume", "agent_hours", "paid_hours"), key=f"headcount_{queue}")
    st.caption("FTE = agent-hours / (1 - shrinkage) / paid hours per week. Partial weeks show their days. "
               "The CSV adds the scheduled view and the peak agents per week.")
    c1, c2 = st.columns(2)
    with c1:
        download(req, f"requirements_{queue}")
    with c2:
        download(hc, f"headcount_{queue}")


render(state.selected_queue())
