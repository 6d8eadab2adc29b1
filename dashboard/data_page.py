"""Data page: the queue's history (the plan's file or an upload), what validation found, and the
weekday x time-of-day heatmap and evening share."""
from __future__ import annotations

import streamlit as st

from dashboard import cached, charts, state
from dashboard.widgets import download, metrics, pct
from planning import views as pv
from planning.config import InputError


NO_COLUMN = ""  # the handle-time select box's "none" choice


def _column_boxes(q, queue: str, columns: list[str]) -> tuple[str, str, str]:
    """Select boxes of the time, volume and handle-time columns, offering the file's header names
    (the plan's names, else a good guess, preselected while the file is new)."""
    guess = pv.guess_columns(columns, q.time_col, q.volume_col, q.aht_col)
    c1, c2, c3 = st.columns(3)
    keys = {k: state.column_key(k, queue) for k in ("time_col", "vol_col", "aht_col")}
    state.reset_unless(keys["time_col"], columns, guess["time_col"])
    state.reset_unless(keys["vol_col"], columns, guess["volume_col"])
    state.reset_unless(keys["aht_col"], [NO_COLUMN, *columns], guess["aht_col"] or NO_COLUMN)
    time_col = c1.selectbox("time column", columns, key=keys["time_col"])
    vol_col = c2.selectbox("volume column (contacts per interval)", columns, key=keys["vol_col"])
    aht_col = c3.selectbox("handle time column (seconds)", [NO_COLUMN, *columns], key=keys["aht_col"],
                           format_func=lambda c: c or "none: the plan's handle time")
    return time_col or "", vol_col or "", aht_col or ""


def upload_form(cfg, queue: str) -> None:
    """Load another history file for the queue: pick its columns from its header, check it, read it
    like the plan's files, use it."""
    q = cfg.queues[queue]
    uploads = state.uploads()
    with st.expander("Load another history file for this queue", expanded=queue in uploads):
        st.caption(f"CSV (comma, semicolon or tab separated) or Parquet, at most {pv.MAX_UPLOAD_MB} MB; one row "
                   "per interval with a start time and the number of contacts (optionally the average handle time "
                   "in seconds). Rows missing from the file are closed intervals; a row with 0 is an open "
                   "interval without contacts.")
        # the kind is checked by pv.check_upload (a message, not a widget exception)
        f = st.file_uploader("History file (.csv or .parquet)", key=state.UPLOAD_FILE, max_upload_size=pv.MAX_UPLOAD_MB)
        columns, sep = pv.upload_columns(f.name, f.getvalue()) if f is not None else ([], None)
        if f is not None and columns:
            st.caption(f"Columns of {f.name}" + (f" (separated by {pv.separator_name(sep)})" if sep else "")
                       + ": " + ", ".join(columns))
        time_col, vol_col, aht_col = _column_boxes(q, queue, columns) if columns else ("", "", "")
        time_format = st.text_input("time format (empty: ISO, e.g. 1999-01-03 07:30)",
                                    key=state.column_key("time_fmt", queue), placeholder="%d/%m/%Y %H:%M")
        b1, b2 = st.columns(2)
        use = b1.button("Use this file", key=state.USE_UPLOAD, disabled=f is None, type="primary")
        if b2.button("Back to the plan's file", key=state.RESET_UPLOAD, disabled=queue not in uploads):
            uploads.pop(queue, None)
            state.flash(f"Back to the plan's file {q.history.name} for queue '{queue}'.")
            st.rerun()
        if use and f is not None:
            _use_upload(queue, state.Upload(f.name, f.getvalue(), time_col, vol_col, aht_col, time_format))


def _use_upload(queue: str, upload: state.Upload) -> None:
    msg = pv.check_upload(upload.name, len(upload.data))
    if msg:
        st.error(f"File refused: {msg}")
        return
    try:
        cached.uploaded_history(cached.PLAN_PATH, queue, upload)
    except InputError as exc:
        st.error(f"The file cannot be used: {exc}")
    else:
        state.uploads()[queue] = upload
        state.flash(f"{upload.name} is valid and is now used for queue '{queue}' on every page.")
        st.rerun()  # the header and the "back to the plan's file" button follow the upload


def validation(cfg, queue: str, hist) -> None:
    """The upload's or the plan file's notes and the facts validation found."""
    q = cfg.queues[queue]
    uploads = state.uploads()
    notes = (cached.uploaded_history(cached.PLAN_PATH, queue, uploads[queue])[1] if queue in uploads
             else pv.history_notes(cfg, queue, hist))
    for note in notes:
        st.warning(note)
    s = pv.history_summary(hist, cfg.interval_s)
    st.subheader("What validation found")
    metrics([("First day", f"{s['first']:%Y-%m-%d}"), ("Last day", f"{s['last']:%Y-%m-%d}"), ("Days", f"{s['days']}")])
    metrics([("Contacts per day (mean)", f"{s['mean_per_day']:,.0f}"),
             ("Open intervals with 0 contacts", f"{s['zero_intervals']:,}"),
             ("Closed intervals (no row)", f"{s['closed_intervals']:,}")])
    st.caption(f"Source intervals of {s['source_interval_min']} min summed to {s['interval_min']} min. "
               + ("Handle times from the file (staffing uses them)." if s["has_aht"] else
                  f"No handle times in the file: the plan's configured handle time is used "
                  f"({q.mean_handle_s:g} s)." if q.mean_handle_s else "No handle times in the file."))


def patterns(cfg, hist) -> None:
    """Heatmap of the recent weeks and the evening share."""
    weeks = st.slider("Heatmap over the last ... weeks", 1, 52, key=state.DATA_WEEKS)
    recent = pv.recent_history(hist, weeks)
    prof = pv.weekday_time_profile(recent, "volume", week_start=cfg.week_start)
    unit = pv.per_interval_text(cfg)
    st.altair_chart(charts.heatmap(prof, f"Contacts {unit} by weekday and time of day (mean of the last {weeks} weeks)",
                                   f"contacts {unit}"), width="stretch")
    ev = pv.evening_share(recent, week_start=cfg.week_start)
    st.metric("Evening share (20:00-24:00) of all contacts", pct(ev["overall"]))
    st.altair_chart(charts.evening_share_bars(ev["by_weekday"]), width="stretch")


def render(queue: str) -> None:
    cfg = cached.plan_config()
    q = cfg.queues[queue]
    uploads = state.uploads()
    if queue in uploads:
        st.header(f"Data: queue '{queue}' from the uploaded file {uploads[queue].name}")
        st.write(f"Using the uploaded file {uploads[queue].name} instead of the plan's file {q.history.name} on "
                 f"every page. The plan works in {cfg.interval_min}-minute intervals, {pv.tz_label(cfg)}.")
    else:
        st.header(f"Data: history of queue '{queue}'")
        st.write(f"Using the plan's file {q.history.name}. The plan works in {cfg.interval_min}-minute "
                 f"intervals, {pv.tz_label(cfg)}.")
    for text in state.flashes():
        st.success(text)
    upload_form(cfg, queue)
    hist = cached.histories()[queue]
    validation(cfg, queue, hist)
    patterns(cfg, hist)
    download(hist, f"history_{queue}")


render(state.selected_queue())
