"""Runs page: run and store the plan (progress bar), the stored runs, and a run's forecast scored
against the actuals the history holds now."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.widgets import day_range, download, model_select
from planning import views as pv
from planning.config import InputError


def new_run(cfg, url: str) -> None:
    """The form that runs the plan on its history files and stores the run."""
    with st.form("new_run"):
        c = st.columns(3)
        state.default(state.RUN_ASOF, pv.default_as_of(cached.plan_histories()))
        as_of = c[0].date_input("Forecast from (as of)", key=state.RUN_ASOF,
                                help="A date inside the history lets you compare the forecast with what happened.")
        model = model_select(c[1], state.RUN_MODEL)
        sim = c[2].checkbox("With simulation check", key=state.RUN_SIM)
        go = st.form_submit_button("Run the plan and store it", type="primary")
    if not go:
        return
    bar = st.progress(0.0, text="Starting ...")
    try:
        res = pv.run_plan_now(cfg, url, as_of=as_of, model=model, simulate=sim,
                              callback=lambda n, tot, label: bar.progress(min(n / max(tot, 1), 1.0), text=label))
    except InputError as exc:
        bar.empty()
        st.error(f"The run failed: {pv.config_error_text(exc)}")
    else:
        bar.empty()
        st.success(f"Run {res.run_id} " + ("was already stored (same plan and data)." if res.reused else "stored."))
        st.session_state[state.RUN_PICK] = res.run_id


def run_against_actuals(cfg, url: str, pick: str, queue: str) -> None:
    series, scores, meta = pv.run_vs_actual(url, pick, cfg, cached.plan_histories())
    if series.empty:
        st.info("This run has no forecast table.")
        return
    chart = pv.run_chart(series, queue)
    st.subheader(f"Forecast of run {pick} against actuals, queue '{chart.queue}'")
    st.caption(f"Run as of {meta.get('as_of')}, horizon {meta.get('horizon_start')} to {meta.get('horizon_end')}; "
               f"{chart.with_actuals} of {chart.intervals} intervals have actuals so far.")
    unit = f"contacts {pv.per_interval_text(cfg)}"
    first, last = day_range(state.run_days_key(chart.queue), chart.days, chart.default_days())
    st.altair_chart(charts.run_vs_actual(chart.between(first, last), pv.tz_label(cfg), unit), width="stretch")
    if scores is None or scores.empty:
        st.info("No actuals yet for this run's horizon: scores appear once the history covers it.")
    else:
        tables.show(scores, columns=("lead_week", "queue", "wape", "wape_evening", "bias", "coverage_p10_p90"),
                    key="run_scores")
        st.caption("Lead week 0 = the whole scored horizon. WAPE = sum |forecast - actual| / sum actual; "
                   "evening WAPE after 20:00; bias positive = over-forecast; p10-p90 band: share of actuals inside "
                   "it (target 80%). The CSV adds intervals, actual and forecast totals.")
        download(scores, f"run_{pick}_scores")
    download(series, f"run_{pick}_forecast_vs_actual")


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
    pick = st.selectbox("Run", ids, key=state.RUN_PICK)
    run_against_actuals(cfg, url, pick, queue)


render(state.selected_queue())
