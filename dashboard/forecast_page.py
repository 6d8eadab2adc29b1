"""Forecast page: the queue's forecast with its p10-p90 band against the recent actuals, the
evening peaks, and the backtest of the models tried."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state, tables
from dashboard.widgets import day_range, download, metrics, model_select, pct
from planning import views as pv


def settings_row() -> tuple:
    """Model, horizon and history used; returns the settings (``state.forecast_settings``)."""
    c1, c2, c3 = st.columns([2, 1, 1])
    model_select(c1, state.MODEL)
    c2.slider("Horizon (days)", 7, 28, key=state.HORIZON)
    c3.slider("History used (weeks)", 4, 26, key=state.WEEKS)
    return state.forecast_settings(cached.plan_config())


def backtest(info: dict, queue: str) -> None:
    st.subheader("Backtest (rolling origin, the model never sees the days it forecasts)")
    bt = pv.backtest_table(info)
    if bt.empty:
        st.info("No backtest scores for this model.")
        return
    chosen = pv.backtest_headline(bt)
    metrics([("WAPE (all)", pct(chosen.get("wape"))), ("WAPE evening 20:00-24:00", pct(chosen.get("evening_wape"))),
             ("Bias", pct(chosen.get("bias"))), ("Poisson floor WAPE", pct(chosen.get("poisson_floor_wape")))])
    tables.show(bt, columns=("model", "chosen", "wape", "evening_wape", "bias", "coverage_80"),
                key=f"backtest_{queue}")
    st.caption("WAPE = sum |error| / sum actual; evening WAPE the same after 20:00; MASE = mean |error| / "
               "the in-sample error of the weekly seasonal naive (so even snaive scores above 1 when the "
               "test weeks are harder than the training weeks); 80% band = share of actuals inside the 80% interval; the Poisson floor "
               "is the WAPE even a perfect rate forecast makes at this interval length. MASE and the Poisson floor "
               "of every model are in the CSV.")
    download(bt, f"backtest_{queue}")
    cleaned = pv.cleaned_days_table(info)
    st.caption(f"Outage days cleaned in training: {len(cleaned)} (intervals far below the weekday's usual "
               "shape, replaced by it for fitting only; the actuals shown stay as received).")
    if len(cleaned):
        tables.show(cleaned, columns=("day", "start", "end", "actual", "expected"), key=f"cleaned_{queue}")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    st.header(f"Forecast: queue '{queue}'")
    settings_row()
    found = cached.planner_config(queue)  # the queue's applied settings: its opening hours shape the forecast
    if found is None:
        return
    _, fs, qs = found
    with st.spinner("Backtesting every model and their combinations ..." if fs[0] == "auto" else "Forecasting ..."):
        fc, info = cached.forecast_for(cached.PLAN_PATH, queue, fs, tuple(sorted(qs.items())),
                                       state.upload_key(queue))
    model = info["model"]
    fsum = pv.forecast_summary(fc)
    metrics([("Model chosen", model if isinstance(model, str) else ", ".join(model)),
             ("Forecast contacts", f"{fsum['total']:,.0f}"), ("From", f"{info['start']:%Y-%m-%d}"),
             ("Evening share (forecast)", pct(fsum["evening_share"]))])
    view = pv.forecast_chart(fc, cached.histories()[queue], info["start"])
    first, last = day_range(state.forecast_days_key(queue), view.days, view.default_days())
    view = view.between(first, last)
    unit = f"contacts {pv.per_interval_text(cfg)}"
    st.altair_chart(charts.forecast_chart(view, pv.tz_label(cfg), unit), width="stretch")
    st.caption(f"Times are {pv.tz_label(cfg)}. The evening window 20:00-24:00 is shaded; the red triangle marks "
               "each day's busiest evening interval. Closed intervals are forecast as 0.")
    backtest(info, queue)
    download(fc, f"forecast_{queue}")


render(state.selected_queue())
