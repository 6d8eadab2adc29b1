"""Schedule page: the shifts and breaks of the newest stored run that has a schedule: coverage on
duty (net of breaks) against the requirement with over/under shaded, a Gantt of one day's shifts
and breaks, headcount by contract, the simulation check, and downloads."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state
from dashboard.widgets import download, metrics
from planning import views as pv


def headline(stored, queue: str) -> None:
    q = stored.summary.get("by_queue", {}).get(queue, {})
    cover = (stored.summary.get("cover") or [{}])[-1]
    metrics([("FTE per week (rostered paid hours)", f"{q.get('fte_per_week', float('nan')):.1f}"),
             ("Paid hours over required", f"{q.get('paid_over_required_pct', float('nan')):+.1f}%",
              "paid hours of the shifts / agent-hours required on duty, net of unplanned absence"),
             ("Intervals short", f"{q.get('intervals_short', 0)}"),
             ("Cover gap to its LP bound", f"{cover.get('gap_to_lp_pct', float('nan')):.2f}%",
              "cost of the shifts against the linear-programming bound: no schedule can cost less than the bound")])
    eff = stored.summary.get("scheduling_efficiency_pct") or []
    st.caption(f"Run {stored.run_id} (stored {stored.created_at_utc} UTC). Required on duty = agents / "
               f"(1 - unplanned shrinkage {q.get('shrinkage_unplanned', 0):.0%}); breaks and meals are placed in "
               f"the shifts, not in shrinkage. Scheduling efficiency (required / on-duty agent-hours, all queues): "
               f"{', '.join(f'{e:.1f}%' for e in eff) or 'n/a'}.")


def coverage(stored, queue: str, tz: str) -> None:
    cov = pv.coverage_for_queue(stored.coverage, queue)
    st.subheader("Agents on duty against the requirement")
    st.altair_chart(charts.schedule_coverage(cov, f"Queue '{queue}': on duty (net of breaks) vs required", tz),
                    width="stretch")
    download(cov, f"coverage_{queue}", key=f"dl_cov_{queue}")


def day_view(stored, queue: str) -> None:
    days = pv.schedule_days(stored.schedule)
    if not days:
        st.info("No shifts in this schedule.")
        return
    st.subheader("Shifts and breaks of one day")
    day = st.selectbox("Day", days, key=state.SCHEDULE_DAY, format_func=lambda d: f"{d:%a %d %b %Y}")
    gantt = pv.day_gantt(stored.schedule, day, queue)
    if gantt.empty:
        st.info(f"No '{queue}' shifts start on {day:%a %d %b}.")
        return
    st.altair_chart(charts.shift_gantt(gantt, f"'{queue}' shifts starting {day:%a %d %b} (breaks in orange)"),
                    width="stretch")


def people(stored, queue: str) -> None:
    st.subheader("Headcount by contract (per week)")
    st.dataframe(pv.headcount_by_contract(stored.headcount), hide_index=True,
                 column_config={"contract": "Contract", "queue": "Queue", "agents": st.column_config.NumberColumn(
                     "People", format="%.0f"), "paid_h": st.column_config.NumberColumn("Paid hours", format="%.1f"),
                     "fte": st.column_config.NumberColumn("FTE", format="%.2f")})
    lines, more = pv.check_lines(stored.checks, queue)
    if lines:
        st.subheader("Simulation check with drawn absence")
        st.caption("Intervals the rostered agents missed a target in (95% confidence), raised by one agent and "
                   "covered again.")
        st.markdown("\n".join(f"- {line}" for line in lines)
                    + (f"\n\n...and {more} more (in the schedule_checks download)." if more else ""))
    c = st.columns(3)
    with c[0]:
        download(stored.schedule, "schedule", key="dl_schedule")
    with c[1]:
        download(stored.headcount, "schedule_headcount", key="dl_sched_hc")
    with c[2]:
        download(stored.checks, "schedule_checks", key="dl_sched_checks")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header("Schedule: shifts, breaks and rosters")
    if cfg.schedule is None:
        st.info("This plan has no [schedule] section, so it is staffed per interval only (see the Staffing page). "
                "Add shift templates, contracts and weekly rules to the plan TOML to schedule people on shifts.")
        return
    stored = pv.latest_schedule(pv.store_url(cfg), cfg.name)
    if stored is None:
        st.info("No stored run of this plan has a schedule yet. Run the plan on the Runs page (or "
                "`staffcast schedule --config plan.toml`), then come back.")
        st.page_link("dashboard/runs_page.py", label="Go to the Runs page")
        return
    if queue not in set(stored.schedule["queue"]):
        st.info(f"Queue '{queue}' is not scheduled in run {stored.run_id}.")
        return
    headline(stored, queue)
    coverage(stored, queue, pv.tz_label(cfg))
    day_view(stored, queue)
    people(stored, queue)


render(state.selected_queue())
