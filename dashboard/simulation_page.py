"""Simulation page: the queue's plan replayed by the simulator (progress bar), the simulated
service with its 95% band against the formula, the intervals it raised, waiting times of a day, and
the queue-position announcement."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.waiting import wait_for
from dashboard.widgets import download, metrics, pct
from planning import views as pv


def simulation_form(queue: str) -> tuple[int, int, bool, bool]:
    """Days, replications, whether to add agents, and whether the form was submitted."""
    with st.form(f"sim_{queue}"):
        c = st.columns(3)
        days = c[0].number_input("Days to simulate", 1, 28, key=state.SIM_DAYS)
        reps = c[1].number_input("Replications", 2, 100, key=state.SIM_REPS)
        refine = c[2].checkbox("Add agents where the simulation misses", key=state.SIM_REFINE)
        go = st.form_submit_button("Run simulation", type="primary")
    return int(days), int(reps), bool(refine), bool(go)


def simulation_for(qcfg, req, queue: str, key: tuple, days: int, reps: int, refine: bool, submitted: bool):
    """The simulation for ``key``, run in the background with a progress bar and a Cancel button
    (results are shared by every session); None when it was cancelled (until submitted again)."""
    if submitted:
        st.session_state.pop(state.SIM_CANCELLED, None)
    elif st.session_state.get(state.SIM_CANCELLED) == key:
        st.info("The simulation was cancelled. Press \"Run simulation\" to start it again.")
        return None
    job = pv.start_simulation(key, qcfg, req, queue, days=days, replications=reps, refine=refine)
    if not wait_for(job, f"sim_{queue}", "simulation"):
        st.session_state[state.SIM_CANCELLED] = key
        return None
    return job.result


def service_charts(cfg, q, sim, plan, summ, reps: int) -> None:
    s = pv.local_time_frame(sim, interval_s=cfg.interval_s)
    rr = pv.local_time_frame(plan, interval_s=cfg.interval_s)
    metrics([("Intervals simulated", f"{summ['intervals']}"),
             ("Agent-intervals added by the simulation", f"{summ['agents_added']}"), ("Replications", f"{reps}")])
    for col, label, target, unit in pv.service_columns(q):
        if col in s:
            st.altair_chart(charts.simulated_service(s, rr, col, label, target, unit, pv.tz_label(cfg)),
                            width="stretch")


def verdict(qcfg, queue: str, sim, reps: int, refine: bool) -> None:
    """The verdict first (holds / misses / cannot tell), with the button that decides."""
    v = pv.simulation_verdict(sim, qcfg, queue, reps, refine)
    where = f" Intervals: {v.intervals}." if v.intervals else ""
    if v.kind == "holds":
        st.success(v.text)
    elif v.kind == "misses":
        box = st.warning if refine else st.error
        box(v.text + where)
        if not refine:
            st.button("Raise those intervals (add agents where the simulation misses)",
                      on_click=lambda: st.session_state.update({state.SIM_REFINE: True}), key=f"raise_{queue}")
    else:
        st.warning(v.text + where)
        n = v.replications_to_decide
        if n and n > reps:
            st.button(f"Run {n} replications to decide", key=f"decide_{queue}",
                      on_click=lambda: st.session_state.update({state.SIM_REPS: n}))


def raised(qcfg, queue: str, sim) -> None:
    st.subheader("Intervals the simulation had to raise")
    up = pv.raised_intervals(sim, qcfg, queue)
    if up.empty:
        st.caption("None: the simulation added no agents.")
    else:
        tables.show(pv.raised_table(up), key=f"raised_{queue}")
        download(up, f"simulation_raised_{queue}")


def waiting_times(qcfg, queue: str, plan, summ, reps: int) -> None:
    st.subheader("Waiting-time distribution")
    days_avail, busiest = summ["days"], summ["busiest_day"]
    state.reset_unless(state.wait_day_key(queue), days_avail, busiest)
    day = st.selectbox("Day", days_avail, key=state.wait_day_key(queue),
                       format_func=lambda d: f"{d:%a %Y-%m-%d}" + (" (busiest)" if d == busiest else ""))
    waits = pv.wait_distribution(qcfg, plan, queue, day, replications=reps, agents_col="agents_sim")
    if waits.empty:
        st.info("No contacts on that day.")
        return
    awt = qcfg.queues[queue].targets.awt_s
    ws = pv.wait_summary(waits, awt)
    metrics([(f"Contacts simulated ({reps} replications)", f"{ws['contacts']:,}"),
             ("Waited at all (of answered)", pct(ws["waited_share"])),
             (f"Answered within {awt:g} s (of answered)", pct(ws["within_awt_share"])),
             ("Abandoned (of offered)", pct(ws["abandoned_share"]))])
    if ws["waited_s"].empty:
        st.info("No simulated contact waited on that day.")
    else:
        st.markdown("**Waits of contacts that waited** (answered contacts, all replications)")
        st.altair_chart(charts.wait_histogram(ws["waited_s"]), width="stretch")


def announcement(q, queue: str, plan) -> None:
    st.subheader("Queue-position announcement")
    intervals = pv.announcement_intervals(plan, q)
    if intervals.empty:
        st.info("No staffed interval to announce for.")
        return
    labels = intervals["label"].tolist()
    c1, c2 = st.columns(2)
    state.reset_unless(state.announcement_interval_key(queue), labels, pv.busiest_label(intervals))
    pick = c1.selectbox("Interval", labels, key=state.announcement_interval_key(queue))
    ahead_max = c2.slider("Positions shown", 5, 50, key=state.ANN_AHEAD)
    row = pv.announcement_row(intervals, pick)
    ann = pv.announcement_table(row["agents"], row["aht_s"], patience_s=q.patience_s,
                                concurrency=q.concurrency, ahead_max=ahead_max)
    st.caption(f"{row['agents']} agents, handle time {row['aht_s']:g} s"
               + (f", patience {q.patience_s:g} s (callers ahead may hang up)" if q.patience_s else "")
               + ". Announced: the 80% quantile (8 in 10 callers in that position wait less).")
    st.markdown("\n".join(f"- {line}" for line in pv.announcement_lines(ann, ahead_max)))
    tables.show(ann, first=("announce",), key=f"announcement_{queue}", max_text_px=240)
    download(ann, f"announcement_{queue}")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header(f"Simulation: queue '{queue}'")
    st.write("The formula assumes a steady state in every interval. The simulation replays the plan with "
             "backlog carried between intervals, agents leaving after their last contact, impatience, "
             "chat concurrency and day-level forecast error, and adds agents where a target is missed "
             "with 95% confidence.")
    found = cached.planner_config(queue)
    if found is None:
        return
    qcfg, fs, qs = found
    upload = state.upload_key(queue)
    req, _ = cached.staffing_for(cached.PLAN_PATH, queue, fs, tuple(sorted(qs.items())), upload)
    days, reps, refine, submitted = simulation_form(queue)
    key = (cached.PLAN_PATH, queue, fs, tuple(sorted(qs.items())), upload, days, reps, refine)
    sim = simulation_for(qcfg, req, queue, key, days, reps, refine, submitted)
    if sim is None:
        return
    if sim.empty:
        st.info("The queue is closed in the simulated days.")
        return
    q = qcfg.queues[queue]
    plan = pv.simulated_plan(req, sim)
    summ = pv.simulation_summary(sim)
    verdict(qcfg, queue, sim, reps, refine)
    service_charts(cfg, q, sim, plan, summ, reps)
    raised(qcfg, queue, sim)
    waiting_times(qcfg, queue, plan, summ, reps)
    announcement(q, queue, plan)
    download(sim, f"simulation_{queue}")


render(state.selected_queue())
