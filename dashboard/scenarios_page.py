"""Scenarios page: the scenario study (``STAFFCAST_STUDY``, else ``data/scenarios.toml``) with the
planner's money assumptions: finance comparison, break-even, sensitivity, chat windows."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.widgets import download, metrics, pct
from planning import views as pv
from planning.config import InputError

COMPARISON_NOTE = (
    "net value = cross-sell value - cost - churn cost - abandonment cost; service from the queueing formulas "
    "(sim_* columns: simulated, when the check is on). service_level = share of offered contacts "
    "answered within sl_awt_s seconds (each queue's own AWT target, 20 s where it has none): "
    "scenarios with different sl_awt_s are not comparable on it; compare asa_s and abandon_rate.")


def introduction(base, fs: tuple) -> None:
    name = Path(cached.STUDY_PATH).name
    if base.illustrative:
        st.warning(f"ILLUSTRATIVE: {base.note or 'the money and behaviour assumptions of this study are examples'} "
                   f"Replace them in {name} with your own figures before drawing conclusions.")
    st.caption(f"Study **{base.name}** ({name}): baseline **{base.baseline}**, scenarios: "
               + ", ".join(base.scenarios) + ". Every scenario staffs the same forecast (Forecast page settings: "
               f"model '{fs[0]}', {fs[1]} days; `staffcast scenarios` uses the "
               f"plan's model '{base.plan.forecast.model}', so its figures can differ slightly) with its own "
               "targets and handle times, then adds cost, value and net value.")


def money_form(base) -> None:
    """Study-wide money assumptions, the chat-window budget and the simulation check; applied on submit."""
    with st.form("study_money_form"):
        st.write("Study-wide money assumptions (a scenario's own settings still win):")
        fields = pv.money_fields(base)
        shown = {}
        for col, f in zip(st.columns(len(fields)), fields):
            state.default(state.money_key(f.key), f.value)
            shown[f.key] = col.number_input(f.label.format(cur=base.currency), 0.0, f.maximum, step=f.step,
                                            key=state.money_key(f.key))
        own = pv.overrides_text(base)
        if own:
            st.caption("Set by the scenarios themselves, so not changed here: " + own + ".")
        budget = None
        if pv.chat_budget_default(base) is not None:
            state.default(state.CW_BUDGET, pv.chat_budget_default(base))
            budget = st.number_input("Chat-window budget (logged-in agent-hours per week)", 1.0, 10000.0, step=10.0,
                                     key=state.CW_BUDGET)
        sim = st.checkbox(f"Check the promised service by simulation ({base.check.days} days per scenario; slower)",
                          key=state.STUDY_SIM_CHECK)
        if st.form_submit_button("Compare scenarios", type="primary"):
            st.session_state[state.STUDY_MONEY] = pv.changed_money(base, shown)
            st.session_state[state.STUDY_BUDGET] = budget
            st.session_state[state.STUDY_SIM] = sim


def finance(base, res) -> None:
    cur = base.currency
    st.subheader("Finance comparison")
    for note in res.notes:
        st.warning(note)
    deltas = pv.scenario_deltas(res, base.baseline)
    if deltas:
        metrics([(f"{d['scenario']}: net value vs {base.baseline}", f"{d['delta_net_value']:+,.0f} {cur}",
                  f"over the plan period of {res.period_days:.0f} days; FTE {d['delta_fte']:+.1f}") for d in deltas])
    tables.show(pv.comparison_table(res, cur), labels={"measure": ("Measure", "text")}, key="comparison")
    st.caption(f"Amounts in {cur} over the plan period ({res.period_days:.0f} days); {COMPARISON_NOTE}")
    st.altair_chart(charts.money_bars(pv.money_bars(res), cur), width="stretch")
    if res.break_even is not None and not res.break_even.empty:
        st.subheader("Break-even")
        st.caption("The value of each assumption at which the scenario's net value equals the baseline's, "
                   "everything else fixed ('always': the scenario wins for any value).")
        tables.show(pv.break_even_view(res), columns=("assumption", "break_even", "current_value", "advantage_now",
                                                      "scenario"), currency=cur, key="break_even")


def sensitivity(base, res, args: tuple):
    """The sensitivity chart: the money assumptions at once, volume and handle time when asked
    (they re-staff every interval, most of the study's time); returns the table shown."""
    if res.sensitivity is None or res.sensitivity.empty:
        return res.sensitivity
    st.subheader("Sensitivity")
    sens = res.sensitivity
    restaff = pv.restaffing_assumptions(base)
    if restaff:
        names = " and ".join({"volume": "contact volume", "aht": "handle time"}.get(a, a) for a in restaff)
        if st.checkbox(f"Also move {names} (each re-staffs every interval of two scenarios twice: slower)",
                       key=state.STUDY_RESTAFF):
            with st.spinner(f"Re-staffing for {names} ..."):
                sens = cached.restaffed_sensitivity(*args)
        else:
            st.caption(f"The money assumptions re-price the same staffing; {names} are left out until the box "
                       "above is ticked.")
    st.altair_chart(charts.sensitivity(sens, base.baseline, base.currency), width="stretch")
    return sens


def chat_windows(base, res) -> None:
    st.subheader("Chat windows: when to offer real-time chat")
    cw, ch = res.chat_windows, res.chat_hours
    if cw is None and ch is None:
        st.info("This study has no [chat_windows] section.")
    if cw is not None:
        metrics([("Posted hours per week", f"{cw.posted_hours_per_week:.1f} h"),
                 ("Chats served in real time", pct(cw.covered_share)),
                 ("Agent-hours per week", f"{cw.agent_hours_per_week:.0f}"
                  + (f" of {cw.budget_agent_hours_per_week:.0f}" if cw.budget_agent_hours_per_week else "")),
                 ("Worst open interval P(wait)", pct(cw.max_p_wait))])
        limits = pv.no_waiting_text(cw)
        if cw.posted_hours_per_week <= 0:
            st.warning("The budget buys no chat window: no open interval could meet 'no waiting' "
                       f"({limits}) within {cw.budget_agent_hours_per_week or 0:g} agent-hours per week. "
                       "Raise the budget or loosen the targets.")
        else:
            st.caption(f"Every open interval meets 'no waiting' ({limits}). Evening windows open: "
                       f"{', '.join(cw.evening_windows) or 'none'}.")
        tables.show(pv.in_weekday_order(cw.windows, base.plan.week_start), columns=("weekday", "windows", "posted_hours", "demand_share", "agent_hours"),
                    key="chat_windows")
        st.altair_chart(charts.chat_windows(pv.chat_window_grid(cw, base.plan.interval_s, base.plan.week_start)), width="stretch")
        download(cw.windows, "chat_windows")
    if ch is not None:
        st.write(f"To keep the posted hours with no waiting: **{ch.result.agent_hours_per_week:.0f} agent-hours "
                 f"per week** logged in, **{ch.paid_hours_per_week:.0f} paid hours** with shrinkage.")
        tables.show(pv.in_weekday_order(ch.result.windows, base.plan.week_start), columns=("weekday", "windows", "posted_hours", "demand_share", "agent_hours"),
                    key="chat_posted_hours")
        download(ch.result.windows, "chat_posted_hours")


def settings_used(base, fs: tuple) -> tuple:
    """Say which queue settings the scenarios start from; returns them as ``study_result`` takes
    them (pairs ``(queue, sorted items)``; empty when the study's plan is not the dashboard's)."""
    if not cached.study_on_plan(base.plan):
        st.caption("The study's plan is not the dashboard's plan: the settings applied on the Staffing page are not used.")
        return ()
    settings = state.all_queue_settings(base.plan.queues)
    away = pv.all_departures(cached.plan_config(), fs, settings)
    if away:
        st.info("Scenarios start from the settings applied on the Staffing and Forecast pages: " + "; ".join(away)
                + ". A scenario's own settings (e.g. its targets) still win.")
    else:
        st.caption("Scenarios start from the plan's own settings (nothing changed on the Staffing or Forecast pages).")
    return tuple((q, tuple(sorted(s.items()))) for q, s in settings.items() if s)


def render() -> None:
    st.header("Scenarios: finance comparison and chat windows")
    try:
        base = pv.load_study_with(cached.STUDY_PATH)
    except ImportError:
        st.info("The scenario tools are not part of this version of staffcast; no numbers are shown.")
        return
    fs = state.forecast_settings(cached.plan_config())
    introduction(base, fs)
    settings = settings_used(base, fs)
    money_form(base)
    ss = st.session_state
    money = dict(ss.get(state.STUDY_MONEY, {}))
    budget = pv.changed_budget(base, ss.get(state.STUDY_BUDGET))
    uploads = tuple((q, state.upload_key(q)) for q in base.plan.queues)
    args = (cached.STUDY_PATH, tuple(sorted(money.items())), budget, fs, settings, uploads,
            bool(ss.get(state.STUDY_SIM, False)))
    with st.spinner("Staffing and valuing every scenario ..."):
        try:
            res = cached.study_result(*args)
        except InputError as exc:
            st.error(f"The scenarios cannot be run with these settings: {pv.config_error_text(exc)}")
            return
    finance(base, res)
    tables_out = {**res.tables(), "sensitivity": sensitivity(base, res, args)}
    chat_windows(base, res)
    for name, frame in tables_out.items():
        if name not in ("chat_windows", "chat_posted_hours"):
            download(frame, f"scenarios_{name}")


render()  # the study covers every queue
