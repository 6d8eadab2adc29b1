"""Runs page: run and store the plan (in the background: stored even if the tab closes; progress
bar and Cancel), the stored runs, one run opened (its forecast scored against the actuals the
history holds now, its staffing, headcount and schedule), and two runs compared side by side."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.waiting import wait_for
from dashboard.widgets import day_range, download, model_select
from planning import views as pv


def new_run(cfg, url: str) -> None:
    """The form that runs the plan on its history files and stores the run (in a background job)."""
    with st.form("new_run"):
        c = st.columns(3)
        state.default(state.RUN_ASOF, pv.default_as_of(cached.plan_histories()))
        as_of = c[0].date_input("Forecast from (as of)", key=state.RUN_ASOF,
                                help="A date inside the history lets you compare the forecast with what happened.")
        model = model_select(c[1], state.RUN_MODEL)
        sim = c[2].checkbox("With simulation check", key=state.RUN_SIM)
        sched = cfg.schedule is not None and c[2].checkbox(
            "With shifts and rosters", key=state.RUN_SCHED,
            help="The plan's [schedule] step: whole shifts with breaks, rostered and checked by simulation "
                 "(the slowest step; without it the run's FTE is the interval basis).")
        go = st.form_submit_button("Run the plan and store it", type="primary")
    job = st.session_state.get(state.RUN_JOB)
    if go:
        job = pv.start_plan_run(cfg, url, as_of=as_of, model=model, simulate=sim, schedule=sched)
        st.session_state[state.RUN_JOB] = job
    if job is None:
        return
    st.caption("The run goes on in the background and is stored even if you leave this page or close the tab.")
    if not wait_for(job, "run", "run"):
        st.session_state.pop(state.RUN_JOB, None)
        return
    res = job.result
    st.session_state.pop(state.RUN_JOB, None)  # said once
    st.success(f"Run {res.run_id} " + ("was already stored (same plan and data)." if res.reused else "stored."))
    if go:  # a new run: open it
        st.session_state[state.RUN_PICK] = res.run_id


def run_against_actuals(cfg, url: str, pick: str, queue: str) -> None:
    series, scores, meta = pv.run_vs_actual(url, pick, cfg, cached.plan_histories())
    if series.empty:
        st.info("This run has no forecast table.")
        return
    chart = pv.run_chart(series, queue)
    st.caption(f"Run as of {meta.get('as_of')}, horizon {meta.get('horizon_start')} to {meta.get('horizon_end')}; "
               f"{chart.with_actuals} of {chart.intervals} intervals have actuals so far.")
    unit = f"contacts {pv.per_interval_text(cfg)}"
    first, last = day_range(state.run_days_key(chart.queue), chart.days, chart.default_days())
    st.altair_chart(charts.run_vs_actual(chart.between(first, last), pv.tz_label(cfg), unit), width="stretch")
    mine = pv.scores_for_queue(scores, chart.queue)
    if mine is None or mine.empty:
        st.info("No actuals yet for this run's horizon: scores appear once the history covers it.")
    else:
        st.markdown(f"**Scores of queue '{chart.queue}'**")
        tables.show(mine, columns=("lead_week", "wape", "wape_evening", "bias", "coverage_p10_p90"),
                    key="run_scores")
        st.caption("Lead week 0 = the whole scored horizon. WAPE = sum |forecast - actual| / sum actual; "
                   "evening WAPE after 20:00; bias positive = over-forecast; p10-p90 band: share of actuals inside "
                   "it (target 80%). The CSV has every queue and adds intervals, actual and forecast totals.")
        download(scores, f"run_{pick}_scores")
    download(series, f"run_{pick}_forecast_vs_actual")


def run_staffing(run, queue: str) -> None:
    if queue not in run.queues:
        st.info(f"Run {run.run_id} has no queue '{queue}'.")
        return
    staff = pv.run_staffing(run, queue)
    tables.show(staff, columns=("interval_start", "agents", "volume", "aht_s", "service_level", "asa_s", "p_wait",
                                "abandon_rate"), key="run_staffing")
    st.caption("Open intervals only (plan-local time); agents logged in per interval, with the service the "
               "queueing formula predicts. The CSV adds the scheduled agents (shrinkage) and occupancy.")
    download(staff, f"run_{run.run_id}_staffing_{queue}")


def run_headcount(run, queue: str) -> None:
    hc = pv.run_headcount(run, queue)
    if hc.empty:
        st.info(f"Run {run.run_id} has no headcount of queue '{queue}'.")
        return
    tables.show(hc, columns=("week_start", "fte", "paid_hours", "agent_hours", "days", "shrinkage", "peak_agents"),
                key="run_headcount")
    st.caption("Per week of the horizon (a partial week counts its days only); FTE = paid hours / paid hours "
               "per FTE; paid hours = agent-hours grossed up by shrinkage.")
    download(hc, f"run_{run.run_id}_headcount_{queue}")


def run_schedule(run, queue: str) -> None:
    if run.schedule.empty:
        st.info(f"Run {run.run_id} has no schedule (the plan had no [schedule] section, or it was not scheduled).")
        return
    shifts = run.schedule[run.schedule["queue"] == queue]
    hc = pv.headcount_by_contract(run.schedule_headcount)
    tables.show(hc, labels={"contract": ("Contract", "text"), "agents": ("People", "n1"), "paid_h": ("Paid hours", "h"),
                            "fte": ("FTE", "fte")}, key="run_sched_hc")
    st.caption(f"People, paid hours and FTE by contract, per week; {len(shifts):,} shifts of queue '{queue}' "
               "(the Schedule page draws the newest run's shifts and breaks).")
    download(run.schedule, f"run_{run.run_id}_schedule")


def open_run(url: str, pick: str, cfg, queue: str) -> None:
    """One stored run: forecast vs actuals, staffing, headcount and schedule (tabs)."""
    run = pv.open_run(url, pick)
    st.subheader(f"Run {pick}, queue '{queue}'")
    tabs = st.tabs(["Forecast vs actuals", "Staffing per interval", "Headcount per week", "Schedule"])
    with tabs[0]:
        run_against_actuals(cfg, url, pick, queue)
    with tabs[1]:
        run_staffing(run, queue)
    with tabs[2]:
        run_headcount(run, queue)
    with tabs[3]:
        run_schedule(run, queue)


def compare(url: str, ids: list[str]) -> None:
    """Two runs side by side: what changed in the inputs and in the numbers."""
    st.subheader("Compare two runs")
    if len(ids) < 2:
        st.info("Store a second run (e.g. another as-of date or model) to compare two runs.")
        return
    c = st.columns(2)
    state.reset_unless(state.RUN_A, ids, ids[1])
    state.reset_unless(state.RUN_B, ids, ids[0])
    a = c[0].selectbox("Run A", ids, key=state.RUN_A)
    b = c[1].selectbox("Run B", ids, key=state.RUN_B)
    cmp = pv.compare_runs(pv.open_run(url, a), pv.open_run(url, b))
    st.markdown("**What changed in the inputs** (plan settings, history files, as-of date, code)")
    if cmp.inputs.empty:
        st.caption("Nothing: the same plan settings, data, as-of date and code.")
    else:
        tables.show(cmp.inputs, labels={"input": ("Input", "text"), "run_a": ("Run A", "text"),
                                        "run_b": ("Run B", "text")}, key="cmp_inputs", max_text_px=300)
    st.markdown("**What changed in the numbers** (per queue; change = B - A)")
    tables.show(cmp.numbers_text(), labels={"measure": ("Measure", "text"), "run_a": ("Run A", "text"), "run_b": ("Run B", "text"),
                              "change": ("Change", "text")}, key="cmp_numbers", max_text_px=330)
    st.caption("Money: the rostered shifts' cost per week (runs with a schedule). Service: the queueing formula's "
               "prediction weighted by the contacts of each open interval; simulated where the run simulated.")
    c = st.columns(2)
    with c[0]:
        download(cmp.inputs, f"compare_{a}_{b}_inputs")
    with c[1]:
        download(cmp.numbers, f"compare_{a}_{b}_numbers")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    url = pv.store_url(cfg)
    st.header("Runs: stored plans and how their forecasts did")
    st.caption(f"Run store: `{url}`. Runs are made by `staffcast run` (scheduled jobs) or from here; they use "
               "the plan's history files (not uploads).")
    new_run(cfg, url)
    runs = pv.list_runs(url, limit=50)
    if runs.empty:
        st.info("No runs stored yet. Run the plan above, or on a schedule with `staffcast run --config data/plan.toml`.")
        return
    tables.show(runs, columns=("run_id", "fte_total", "as_of", "queues"), labels={"fte_total": ("FTE", "fte")},
                key="runs_list")
    download(runs, "runs")
    ids = runs["run_id"].tolist()
    state.reset_unless(state.RUN_PICK, ids, ids[0])
    pick = st.selectbox("Open run", ids, key=state.RUN_PICK)
    open_run(url, pick, cfg, queue)
    compare(url, ids)


render(state.selected_queue())
