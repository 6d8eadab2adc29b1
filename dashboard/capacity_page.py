"""Capacity page: the newest stored capacity plan (``staffcast capacity``): need vs supply by month
with the gap shaded, the hiring classes, cost and value by month, and what-if sliders for attrition
and growth (the hiring MILP re-solved in planning.views.capacity). Presentation only."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state
from dashboard.widgets import download, metrics
from planning import views as pv


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header("Capacity: need, supply, hiring and money by month")
    stored = pv.latest_capacity(pv.store_url(cfg))
    if stored is None:
        st.info("No capacity plan is stored yet. Run `staffcast capacity --config data/capacity.toml` (12-18 months "
                "of need, supply, hiring classes and money), then come back.")
        return
    if stored.illustrative:
        st.warning("Illustrative assumptions: headcount, attrition, hiring and money values are examples.")
    st.caption(f"Capacity plan '{stored.name}' ({stored.capacity_id}, stored {stored.created_utc} UTC).")
    left, mid, right = st.columns(3)
    strategy = left.selectbox("Strategy", stored.strategies, key=state.CAPACITY_STRATEGY)
    attrition = mid.slider("Attrition (x the plan's)", 0.0, 3.0, 1.0, 0.1, key=state.CAPACITY_ATTRITION)
    g0 = float(stored.raw.get("demand", {}).get("growth_per_year", 0.0))
    growth = right.slider("Growth per year (%)", -20.0, 40.0, round(100 * g0, 1), 0.5, key=state.CAPACITY_GROWTH)
    w = pv.capacity_whatif(stored, strategy, attrition_factor=attrition, growth_per_year=growth / 100.0)
    s = w["summary"]
    metrics([("Hires", f"{s['hires']}", f"the stored plan: {s['plan_hires']}"),
             ("Hiring plan cost", f"{s['cost']:,.0f}", f"the stored plan: {s['plan_cost']:,.0f}"),
             ("MILP gap", f"{100 * s['gap']:.3f}%", f"{s['status']}; bound {s['bound']:,.0f}"),
             ("Shortfall FTE-months", f"{s['shortfall_fte_months']:.1f}")])
    st.caption("Sliders re-solve the hiring MILP on the stored need; growth scales the need in proportion to "
               "volume (an approximation: `staffcast capacity` re-staffs every interval).")
    if queue in set(w["supply"]["queue"]):
        st.altair_chart(charts.capacity_need_vs_supply(pv.need_supply_frame(w["supply"], queue), queue, strategy), width="stretch")
    else:
        st.info(f"Queue '{queue}' is not in the capacity plan.")
    short = pv.shortfall_service_frame(stored, strategy)
    if short is not None and len(short):
        st.subheader("Service where supply stays short (the stored plan)")
        st.caption("The month's representative week staffed with the agents the plan supplies (Supplied: % of the "
                   "need; same queue model); service level (SL), ASA and abandoned share at that supply, "
                   "volume-weighted over its open intervals.")
        pct = lambda label: st.column_config.NumberColumn(label, format="%.1f%%", width="small")
        sec = lambda label: st.column_config.NumberColumn(label, format="%.1f s", width="small")
        st.dataframe(short, hide_index=True, column_order=[  # narrow enough for 1024 px; the CSV has it all
            "queue", "month", "supplied_pct", "service_level_need_pct", "service_level_supplied_pct",
            "asa_supplied_s", "abandoned_supplied_pct"], column_config={
            "queue": "Queue", "month": "Month", "supplied_pct": pct("Supplied"),
            "service_level_need_pct": pct("SL at need"), "service_level_supplied_pct": pct("SL supplied"),
            "asa_supplied_s": sec("ASA"), "abandoned_supplied_pct": pct("Abandoned")})
        download(short, f"capacity_shortfall_service_{strategy}", key=f"dl_cap_short_{strategy}")
    st.subheader("Hiring classes")
    st.dataframe(w["classes"], hide_index=True, column_config={
        "queue": "Queue", "start": "Training starts", "hires": st.column_config.NumberColumn("Hires", format="%d")})
    st.subheader("Cost and value by month (the stored plan)")
    money = pv.money_frame(stored, strategy)
    st.altair_chart(charts.capacity_money(money, strategy, stored.currency), width="stretch")
    download(money, f"capacity_money_{strategy}", key=f"dl_cap_money_{strategy}")


render(state.selected_queue())
