"""Every Altair chart of the dashboard, built from frames that ``planning.views`` prepared (times
already plan-local in ``time`` columns). Builders only encode; they compute nothing."""
from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

# Short y-axis titles: a rotated title longer than the chart squeezes the plot and hides the chart
# title, so the full definition goes into the chart title instead.
AXIS_TITLES = {"service_level": "service level", "p_wait": "P(wait)", "asa_s": "ASA (s)",
               "abandon_rate": "abandoned share"}
TIME_FORMAT = "%a %d %b %H:%M"


TITLE_CHARS = 56  # a title line at most this long fits a 1024 px window with the sidebar (13 px bold)


def chart_title(text: str, subtitle: str = "") -> alt.TitleParams:
    """A chart title wrapped into lines that fit the narrowest page (1024 px), the legend in a subtitle."""
    sub = textwrap.wrap(subtitle, TITLE_CHARS + 20) if subtitle else alt.Undefined
    return alt.TitleParams(textwrap.wrap(text, TITLE_CHARS), subtitle=sub, anchor="start")


def _local_x(tz_label: str, fmt: str = TIME_FORMAT, angle: int | None = -30) -> alt.X:
    axis = alt.Axis(format=fmt, labelAngle=angle) if angle is not None else alt.Axis(format=fmt)
    return alt.X("time:T", title=tz_label, axis=axis)


def _rule(value: float, field: str, **mark) -> alt.Chart:
    """A horizontal rule at ``value`` (a target)."""
    return alt.Chart(pd.DataFrame({field: [value]})).mark_rule(**mark).encode(y=f"{field}:Q")


def _axis(unit: str) -> alt.Axis:
    return alt.Axis(format="%") if unit == "share" else alt.Axis()


def heatmap(profile: pd.DataFrame, title: str, legend: str, scheme: str = "blues") -> alt.Chart:
    """``value`` by weekday x time of day (a ``planning.views.weekday_time_profile`` frame)."""
    order = profile.sort_values("weekday_order")["weekday"].drop_duplicates().tolist()
    return (alt.Chart(profile, title=chart_title(title)).mark_rect().encode(
        x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("weekday:O", sort=order, title="weekday", axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("value:Q", title=legend, scale=alt.Scale(scheme=scheme)),
        tooltip=[alt.Tooltip("weekday:O"), alt.Tooltip("time_of_day:O", title="time"),
                 alt.Tooltip("value:Q", title=legend, format=".1f")],
    ).properties(height=260))


def evening_share_bars(by_weekday: pd.DataFrame) -> alt.Chart:
    """The evening share per weekday (``planning.views.evening_share(...)["by_weekday"]``)."""
    return alt.Chart(by_weekday, title=chart_title("Evening share by weekday")).mark_bar().encode(
        x=alt.X("weekday:O", sort=by_weekday["weekday"].tolist(), title="weekday"),
        y=alt.Y("share:Q", title="share after 20:00", axis=alt.Axis(format="%")),
        tooltip=["weekday", alt.Tooltip("share:Q", format=".1%")]).properties(height=220)


def forecast_chart(view, tz_label: str, unit: str) -> alt.LayerChart:
    """Forecast with its p10-p90 band, recent actuals, the evening windows and peaks, and the
    forecast start (``view``: a ``planning.views.ForecastChart``)."""
    f, a, peaks = view.forecast, view.actual, view.peaks
    x = _local_x(tz_label)
    band = alt.Chart(f).mark_area(opacity=0.25, color="#4c78a8").encode(
        x=x, y=alt.Y("volume_p10:Q", title=unit), y2="volume_p90:Q")
    line = alt.Chart(f).mark_line(color="#1f4e79", strokeWidth=1.5).encode(
        x=x, y=alt.Y("volume:Q", title=unit),
        tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT, title="local time"),
                 alt.Tooltip("volume:Q", format=".1f", title="forecast"),
                 alt.Tooltip("volume_p10:Q", format=".1f", title="p10"),
                 alt.Tooltip("volume_p90:Q", format=".1f", title="p90")])
    act = alt.Chart(a).mark_line(color="#555555", strokeWidth=1).encode(
        x=x, y="volume:Q", tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT),
                                    alt.Tooltip("volume:Q", title="actual")])
    evening = alt.Chart(peaks).mark_rect(color="#f58518", opacity=0.15).encode(x="window_start:T", x2="window_end:T")
    peak_pts = alt.Chart(peaks).mark_point(color="#d62728", shape="triangle-down", size=70, filled=True).encode(
        x="peak_time:T", y="peak_volume:Q",
        tooltip=[alt.Tooltip("peak_time:T", format=TIME_FORMAT, title="evening peak"),
                 alt.Tooltip("peak_volume:Q", format=".1f", title=unit),
                 alt.Tooltip("evening_share:Q", format=".0%", title="evening share of the day")])
    start_rule = alt.Chart(pd.DataFrame({"t": [view.start]})).mark_rule(
        strokeDash=[4, 3], color="black").encode(x="t:T")
    return (evening + band + act + line + peak_pts + start_rule).properties(
        height=380, title=chart_title("Forecast with its p10-p90 band and the actuals before it",
                                "blue: forecast and band; grey: actual; shaded: after 20:00; "
                                "red marks: each evening's peak; dashed: forecast start")).interactive(bind_y=False)


def day_lines(frame: pd.DataFrame, which: str, shown: list[str]) -> alt.Chart:
    """``which`` (agents / scheduled) per interval, one line per day (``planning.views.staffing_days``)."""
    return alt.Chart(frame, title=chart_title(f"{which.capitalize()} per interval, one line per day")).mark_line(
        interpolate="step-after").encode(
        x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
        y=alt.Y(f"{which}:Q", title=f"{which} (agents)"),
        color=alt.Color("day:N", sort=shown, title="day"),
        tooltip=["day", "time_of_day", which, alt.Tooltip("volume:Q", format=".1f")]).properties(height=300)


def predicted_service(frame: pd.DataFrame, col: str, label: str, target: float | None, unit: str,
                      tz_label: str) -> alt.Chart:
    """The formula's predicted ``col`` per open interval with the target (red, dashed)."""
    y = alt.Y(f"{col}:Q", title=AXIS_TITLES.get(col, col), axis=_axis(unit))
    ch = alt.Chart(frame).mark_line(point=True).encode(
        x=_local_x(tz_label, "%a %d %H:%M", angle=None), y=y, detail="block:N",
        tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT), alt.Tooltip(f"{col}:Q", format=".3f"), "agents"])
    if target is not None:
        ch = ch + _rule(target, "target", color="red", strokeDash=[4, 3])
    return ch.properties(height=220, title=chart_title(label, "red: target"))


def simulated_service(sim: pd.DataFrame, plan: pd.DataFrame, col: str, label: str, target: float | None,
                      unit: str, tz_label: str) -> alt.LayerChart:
    """Simulated ``col`` with its 95% band against the formula's (orange, dashed) and the target."""
    x = _local_x(tz_label, "%a %d %H:%M", angle=None)
    band = alt.Chart(sim).mark_area(opacity=0.3, color="#4c78a8").encode(
        x=x, y=alt.Y(f"{col}_lo:Q", title=AXIS_TITLES.get(col, col), axis=_axis(unit),
                     scale=alt.Scale(domainMin=0, clamp=True)), y2=f"{col}_hi:Q",
        detail="block:N")
    simline = alt.Chart(sim).mark_line(color="#1f4e79").encode(
        x=x, y=f"{col}:Q", detail="block:N",
        tooltip=[alt.Tooltip("time:T", format="%a %d %H:%M"), alt.Tooltip(f"{col}:Q", format=".3f"),
                 alt.Tooltip(f"{col}_lo:Q", format=".3f"), alt.Tooltip(f"{col}_hi:Q", format=".3f"),
                 "agents_plan", "agents_final"])
    layers = band + simline
    if col in plan:
        layers = layers + alt.Chart(plan).mark_line(color="#f58518", strokeDash=[5, 3]).encode(
            x=x, y=f"{col}:Q", detail="block:N")
    if target is not None:
        layers = layers + _rule(target, "t", color="red")
    return layers.properties(height=260, title=chart_title(f"{label}: simulated vs formula",
                                                     "blue: simulated with its 95% band; orange, dashed: formula; "
                                                     "red: target"))


def wait_histogram(waited: pd.DataFrame) -> alt.Chart:
    """Waits (``wait_s``, seconds) of the simulated contacts that waited."""
    # no Vega title: a title on a binned bar chart of this height is drawn above its box (clipped);
    # the page writes it above the chart
    return alt.Chart(waited).mark_bar().encode(
        x=alt.X("wait_s:Q", bin=alt.Bin(maxbins=40), title="wait until answered (s)"),
        y=alt.Y("count():Q", title="contacts")).properties(height=240)


def money_bars(bars: pd.DataFrame, currency: str) -> alt.Chart:
    """Cost and value per scenario (``planning.views.money_bars``), grouped bars."""
    head = chart_title(f"Cost and value per scenario ({currency} over the plan period)")
    return alt.Chart(bars, title=head).mark_bar().encode(
        x=alt.X("scenario:N", title="scenario", axis=alt.Axis(labelAngle=0)),
        xOffset="item:N",
        y=alt.Y("amount:Q", title=f"{currency} (costs negative)"),
        color=alt.Color("item:N", title="", legend=alt.Legend(orient="bottom", columns=2, labelLimit=0)),
        tooltip=["scenario", "item", alt.Tooltip("amount:Q", format=",.0f")]).properties(height=320)


def sensitivity(sens: pd.DataFrame, baseline: str, currency: str) -> alt.Chart:
    """The scenario's advantage when one assumption moves down / up (a tornado chart)."""
    x = float(sens["relative_change"].iloc[0])
    return alt.Chart(sens, title=chart_title(f"Advantage of {sens['scenario'].iloc[0]} over {baseline} ({currency})",
                                       f"when one assumption moves by -{x:.0%} / +{x:.0%}")).mark_bar().encode(
        y=alt.Y("assumption:N", sort=sens["assumption"].tolist(), title="",
                axis=alt.Axis(labelLimit=220, labelOverlap=False)),
        x=alt.X("advantage_low:Q", title=f"advantage, {currency} over the plan period"), x2="advantage_high:Q",
        tooltip=["assumption", alt.Tooltip("advantage_low:Q", format=",.0f"),
                 alt.Tooltip("advantage_high:Q", format=",.0f")]).properties(height=260)


def chat_windows(grid: pd.DataFrame) -> alt.Chart:
    """The posted chat hours by weekday x time of day (``planning.views.chat_window_grid``)."""
    return alt.Chart(grid, title=chart_title("Posted chat hours (green: open)")).mark_rect().encode(
        x=alt.X("time_of_day:O", title="time of day (local)", axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("weekday:O", sort=grid.sort_values("weekday_order")["weekday"].drop_duplicates().tolist(),
                title="weekday", axis=alt.Axis(labelOverlap=False)),
        color=alt.Color("value:Q", scale=alt.Scale(domain=[0, 1], range=["#eeeeee", "#2ca02c"]), legend=None),
        tooltip=["weekday", "time_of_day", "open"]).properties(height=220)


def run_vs_actual(chart, tz_label: str, unit: str) -> alt.LayerChart:
    """A stored run's forecast (band and line) and the actuals so far (``planning.views.RunChart``)."""
    s = chart.series
    x = _local_x(tz_label)
    ch = (alt.Chart(s).mark_area(opacity=0.25, color="#4c78a8").encode(x=x, y=alt.Y("volume_p10:Q", title=unit),
                                                                       y2="volume_p90:Q")
          + alt.Chart(s).mark_line(color="#1f4e79").encode(x=x, y="forecast:Q")
          + alt.Chart(chart.actuals).mark_line(color="#555555", strokeWidth=1).encode(x=x, y="actual:Q"))
    return ch.properties(height=320, title=chart_title("Forecast (blue, p10-p90 band) and actual (grey)")).interactive(
        bind_y=False)


def schedule_coverage(cov: pd.DataFrame, title: str, tz_label: str) -> alt.LayerChart:
    """Agents on duty (net of breaks, line) against the requirement (step area); over-coverage
    shaded green, under-coverage red (``planning.views.coverage_for_queue``); the zone in the x
    axis title (``tz_label``), so the chart title stays short enough not to be cut."""
    base = alt.Chart(cov).encode(x=alt.X("time:T", title=tz_label, axis=alt.Axis(format="%a %d %H:%M")))
    req = base.mark_area(interpolate="step-after", color="#cccccc", opacity=0.6).encode(
        y=alt.Y("required:Q", title="agents"))
    over = base.mark_bar(color="#54a24b", opacity=0.6).encode(y="required:Q", y2="on_duty:Q").transform_filter(
        alt.datum.over > 0)
    under = base.mark_bar(color="#e45756", opacity=0.8).encode(y="on_duty:Q", y2="required:Q").transform_filter(
        alt.datum.under > 0)
    duty = base.mark_line(interpolate="step-after", color="#4c78a8").encode(
        y="on_duty:Q", tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT), "required:Q", "on_duty:Q"])
    return (req + over + under + duty).properties(
        height=320, title=chart_title(title, "grey: required on duty; blue: on duty; green: over; red: under"))


def shift_gantt(gantt: pd.DataFrame, title: str) -> alt.Chart:
    """One bar per shift and one (orange) per break, an agent per row (``planning.views.day_gantt``)."""
    order = list(dict.fromkeys(gantt["agent_id"]))
    return alt.Chart(gantt).mark_bar(height=10).encode(
        x=alt.X("start_time:T", title="local time", axis=alt.Axis(format="%H:%M")), x2="end_time:T",
        y=alt.Y("agent_id:N", sort=order, title="agent"),
        color=alt.Color("kind:N", scale=alt.Scale(domain=["shift", "break"], range=["#4c78a8", "#f58518"]),
                        title=None),
        tooltip=["agent_id", "contract", "kind", "label"]).properties(
        height=max(120, 14 * len(order)), title=textwrap.wrap(title, 90))


def intraday_contacts(long: pd.DataFrame, now, tz_label: str, unit: str) -> alt.LayerChart:
    """A day's plan, actuals so far and re-forecast (``planning.views.IntradayResult.contacts_long``),
    with "now" as a dashed rule."""
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("time:T", title=tz_label, axis=alt.Axis(format="%H:%M")), y=alt.Y("contacts:Q", title=unit),
        color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT), "series:N", alt.Tooltip("contacts:Q", format=".1f")])
    rule = alt.Chart(pd.DataFrame({"time": [now]})).mark_rule(color="#888888", strokeDash=[4, 4]).encode(x="time:T")
    return (lines + rule).properties(title=chart_title("Contacts: plan, actuals so far and the re-forecast"),
                                     height=280)


def intraday_agents(rest: pd.DataFrame, tz_label: str) -> alt.Chart:
    """Agents to add (+) or release (-) per interval (``planning.views.IntradayResult.rest_of_day``)."""
    return alt.Chart(rest, title=chart_title("Agents to add (+) or release (-) per interval, rest of the day")
                     ).mark_bar().encode(
        x=alt.X("time:T", title=tz_label, axis=alt.Axis(format="%H:%M")),
        y=alt.Y("agents_change:Q", title="agents vs plan", axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("action:N", scale=alt.Scale(domain=["add", "release", "keep"],
                                                    range=["#2ca02c", "#d62728", "#bbbbbb"]), title=None,
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("time:T", format=TIME_FORMAT), alt.Tooltip("agents_plan:Q", title="agents in the plan"),
                 alt.Tooltip("agents_now:Q", title="agents now"), alt.Tooltip("agents_change:Q", title="change")],
    ).properties(height=260)


def capacity_need_vs_supply(frame, queue: str, strategy: str):
    """Capacity page: need and supply (FTE) by month with the gap between them shaded (red: short)."""
    base = alt.Chart(frame).encode(x=alt.X("month:T", title="Month"))
    gap = base.mark_area(opacity=0.3).encode(
        y=alt.Y("need_fte:Q", title="FTE"), y2="supply_fte:Q",
        color=alt.Color("short:N", title="Supply below need",
                        scale=alt.Scale(domain=[True, False], range=["#d62728", "#2ca02c"])))
    lines = alt.Chart(frame.melt("month", ["need_fte", "supply_fte"], "series", "fte")).mark_line(point=True).encode(
        x="month:T", y="fte:Q", strokeDash="series:N",
        color=alt.Color("series:N", title="", scale=alt.Scale(range=["#1f77b4", "#ff7f0e"])))
    return (gap + lines).properties(height=320, title=chart_title(f"'{queue}', {strategy}: need vs supply",
                                                                  "supply with overtime and outsourcing; gap shaded")
                                    ).resolve_scale(color="independent")


def capacity_money(frame, strategy: str, currency: str):
    """Capacity page: cost, cross-sell margin and churn cost by month, side by side."""
    long = frame.melt("month", ["cost", "cross_sell_value", "churn_cost"], "part", "amount")
    return alt.Chart(long).mark_bar().encode(
        x=alt.X("month:N", title="Month"), y=alt.Y("amount:Q", title=currency or "money"),
        color=alt.Color("part:N", title=""), xOffset="part:N").properties(
        height=280, title=chart_title(f"{strategy}: cost, cross-sell margin and churn cost by month"))
