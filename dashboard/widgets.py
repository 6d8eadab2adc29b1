"""Widgets and formats more than one page uses: CSV downloads, metric rows, the forecast model
select box, the targets form's inputs, and percentages."""
from __future__ import annotations

import hashlib
import math

import pandas as pd
import streamlit as st

from planning import views as pv
from planning.safe_csv import to_safe_csv

def _csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV, cached by a digest of all its content (names, types, index, every row):
    writing a year of history takes about half a second, hashing it a few milliseconds, and every
    page run draws its download button again. (Streamlit's own hashing samples frames of 100,000
    rows or more, which could serve another frame's CSV.)"""
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except TypeError:  # cells pandas cannot hash (lists): written every time
        return to_safe_csv(frame)
    head = repr((list(map(str, frame.columns)), [str(t) for t in frame.dtypes], frame.shape)).encode()
    return _csv_of(hashlib.sha256(head + rows).hexdigest(), frame)


@st.cache_data(show_spinner=False, max_entries=64)
def _csv_of(digest: str, _frame: pd.DataFrame) -> bytes:
    return to_safe_csv(_frame)


def download(frame: pd.DataFrame, name: str, label: str | None = None, key: str | None = None) -> None:
    """A CSV download of ``frame`` (formula injection neutralised)."""
    st.download_button(label or f"Download {name}.csv", data=_csv(frame), file_name=f"{name}.csv",
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


def model_select(container, key: str) -> str:
    """A select box of the forecast models (``planning.views.model_choices``)."""
    choices = pv.model_choices()
    return container.selectbox("Model", list(choices), format_func=lambda m: choices[m], key=key)


def setting_input(container, field, key: str):
    """The widget of one ``planning.views.SettingField`` (a number box or a slider); returns the
    value as shown (a percentage for a share). Number boxes take any number: the form checks the
    range and says why a value is refused (a bounded box would only outline it in red); a text
    field (opening hours, handle times by concurrency) is a text box."""
    if field.text:
        return container.text_input(field.label, key=key, help=field.help or None)
    if field.slider:
        return container.slider(field.label, field.minimum, field.maximum, step=field.step, key=key,
                                help=field.help or None)
    help_ = (f"{field.help + '; ' if field.help else ''}from {field.minimum:g} to {field.maximum:g}" if field.bounded
             else field.help or None)
    return container.number_input(field.label, min_value=None, max_value=None, step=field.step, key=key,
                                  help=help_)


def day_range(key: str, bounds: tuple, default: tuple, label: str = "Days shown") -> tuple:
    """A date-range picker for a long chart: ``(first, last)`` dates within ``bounds``, ``default``
    at first (and again when the bounds change, e.g. another horizon); a half-picked range keeps
    its first day."""
    lo, hi = bounds
    held = st.session_state.get(key)
    if not held or not all(lo <= d <= hi for d in held):
        st.session_state[key] = tuple(default)
    picked = st.date_input(label, min_value=lo, max_value=hi, key=key, format="YYYY-MM-DD",
                           help="Pick the first and the last day; drag or scroll in the chart to pan and zoom.")
    picked = tuple(picked) if isinstance(picked, (tuple, list)) else (picked,)
    return (picked[0], picked[-1]) if picked else tuple(default)
