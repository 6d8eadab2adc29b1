"""Widgets and formats more than one page uses: CSV downloads, metric rows, number formats of
tables, the forecast model select box, and percentages."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from planning import views as pv
from planning.safe_csv import to_safe_csv

# Scenario-table columns (``sim_`` prefix removed) and how Streamlit formats them.
_SHARE_COLUMNS = {"service_level", "abandon_rate", "occupancy"}
_MONEY_COLUMNS = {"total_cost", "cross_sell_value", "churn_cost", "abandon_cost", "net_value", "delta_net_value",
                  "net_present_value", "delta_net_present_value", "churn_avoided"}


def download(frame: pd.DataFrame, name: str, label: str | None = None, key: str | None = None) -> None:
    """A CSV download of ``frame`` (formula injection neutralised)."""
    st.download_button(label or f"Download {name}.csv", data=to_safe_csv(frame), file_name=f"{name}.csv",
                       mime="text/csv", key=key or f"dl_{name}")


def metrics(items: list[tuple], container=None) -> None:
    """One row of metrics: ``items`` of ``(label, value)`` or ``(label, value, help)``."""
    cols = (container or st).columns(len(items))
    for col, item in zip(cols, items):
        label, value, *help_ = item
        col.metric(label, value, help=help_[0] if help_ else None)


def pct(x) -> str:
    """A share as a percentage with one decimal ("n/a" for None / NaN)."""
    return "n/a" if x is None or not math.isfinite(x) else f"{100 * x:.1f}%"


def number_formats(columns) -> dict:
    """Streamlit column formats for scenario tables: money with thousands separators, shares as %."""
    fmt = {}
    for col in columns:
        base = col.removeprefix("sim_")
        if base in _SHARE_COLUMNS:
            fmt[col] = st.column_config.NumberColumn(format="percent")
        elif base == "cost_per_handled_contact":
            fmt[col] = st.column_config.NumberColumn(format="%,.2f")
        elif base in ("fte", "asa_s"):
            fmt[col] = st.column_config.NumberColumn(format="%,.1f")
        elif base in _MONEY_COLUMNS:
            fmt[col] = st.column_config.NumberColumn(format="%,.0f")
    return fmt


def model_select(container, key: str) -> str:
    """A select box of the forecast models (``planning.views.model_choices``)."""
    choices = pv.model_choices()
    return container.selectbox("Model", list(choices), format_func=lambda m: choices[m], key=key)


def setting_input(container, field, key: str):
    """The widget of one ``planning.views.SettingField`` (a number box or a slider); returns the
    setting (a share for a percentage)."""
    widget = container.slider if field.slider else container.number_input
    shown = widget(field.label, field.minimum, field.maximum, step=field.step, key=key, help=field.help or None)
    return field.setting(shown)
