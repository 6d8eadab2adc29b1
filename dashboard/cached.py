"""The dashboard's calls into ``planning.views`` that are worth caching (reading the plan and its
histories, forecasts, staffing, scenario studies), keyed by everything their result depends on."""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path

import pandas as pd

import streamlit as st

from planning import views as pv

from . import state

log = logging.getLogger("staffcast.app")

PLAN_PATH = str(Path(os.environ.get("STAFFCAST_PLAN") or pv.BUNDLED_PLAN).resolve())
WARM_DONE = "staffcast: caches warmed (forecast and staffing of every queue, the scenario study)"
STUDY_PATH = str(Path(os.environ.get("STAFFCAST_STUDY") or pv.BUNDLED_STUDY).resolve())


@st.cache_data(show_spinner=False)
def plan_config(plan_path: str = PLAN_PATH):
    """The plan at ``plan_path`` (the dashboard's plan by default)."""
    return pv.load_plan(plan_path)


@st.cache_resource(show_spinner="Reading the plan's history files ...", max_entries=4)
def _plan_histories(plan_path: str, stamp: tuple) -> dict:
    return pv.plan_histories(plan_config(plan_path))


def plan_histories(plan_path: str = PLAN_PATH) -> dict:
    """The plan's histories, read again when a history file changes on disk."""
    return _plan_histories(plan_path, pv.files_stamp(plan_config(plan_path)))


@st.cache_data(show_spinner="Checking the uploaded file ...", max_entries=8)
def uploaded_history(plan_path: str, queue: str, upload: state.Upload):
    """``(history, notes)`` of an upload, read like the plan's files (InputError when it cannot be used)."""
    return pv.history_from_upload(plan_config(plan_path), queue, upload.name, upload.data, time_col=upload.time_col,
                                  volume_col=upload.volume_col, aht_col=upload.aht_col or None,
                                  time_format=upload.time_format or None)


def histories(plan_path: str = PLAN_PATH) -> dict:
    """The plan's histories with the planner's uploads in place of the bundled files."""
    out = dict(plan_histories(plan_path))
    for queue, up in state.uploads().items():
        out[queue] = uploaded_history(plan_path, queue, up)[0]
    return out


def config_for(fs: tuple, qs: dict | None = None, queue: str | None = None):
    """The plan with the Forecast page's settings ``fs`` and, given ``queue``, its settings ``qs``."""
    model, horizon, weeks = fs
    cfg = pv.with_forecast_settings(plan_config(PLAN_PATH), model=model, horizon_days=horizon, history_weeks=weeks)
    if qs and queue:
        cfg = pv.with_queue_settings(cfg, queue, **qs)
    return cfg


def history_of(plan_path: str, queue: str, upload) -> "pd.DataFrame":
    """``queue``'s history: the plan's file, or the upload ``upload`` (:func:`state.upload_key`)
    stands for (no session needed: the background warm-up calls this too)."""
    if upload is None:
        return plan_histories(plan_path)[queue]
    return uploaded_history(plan_path, queue, state.Upload(*upload))[0]


def forecast_for(plan_path: str, queue: str, fs: tuple, qs_items: tuple, upload):
    """``(forecast, info)`` of ``queue`` with the Forecast page's settings ``fs`` and the queue's
    applied settings ``qs_items`` (sorted items; e.g. opening hours), cached by
    ``planning.views.forecast_key`` of that plan (everything the forecast reads, so edited opening
    hours forecast again and edited targets do not) and ``upload`` (:func:`state.upload_key`).
    Raises ``InputError`` when the settings cannot be used."""
    cfg = config_for(fs, dict(qs_items), queue)
    return _forecast(plan_path, queue, pv.forecast_key(cfg, queue), upload, cfg)


@st.cache_data(show_spinner=False, max_entries=32)
def _forecast(plan_path: str, queue: str, key: str, upload, _cfg):
    """The forecast of :func:`forecast_for` (``_cfg``, not hashed, is the plan ``key`` stands for)."""
    return pv.forecast_queue(_cfg, {queue: history_of(plan_path, queue, upload)}, queue)


@st.cache_data(show_spinner=False, max_entries=64)
def staffing_for(plan_path: str, queue: str, fs: tuple, qs_items: tuple, upload):
    """``(requirements, headcount)`` of ``queue`` with its settings ``qs_items`` (sorted items)."""
    fc, _ = forecast_for(plan_path, queue, fs, qs_items, upload)
    cfg = config_for(fs, dict(qs_items), queue)
    req = pv.requirements_for_queue(cfg, fc, queue)
    return req, pv.headcount_for_queue(cfg, req, queue)


def study_on_plan(study_plan) -> bool:
    """Whether a study's plan is the dashboard's plan (then it takes the dashboard's settings)."""
    return study_plan is not None and study_plan.source is not None and str(Path(study_plan.source).resolve()) == PLAN_PATH


def _study_and_forecast(study_path: str, money_items: tuple, budget, fs: tuple, settings_items: tuple, uploads: tuple):
    """The scenario study with the planner's money assumptions and chat budget and, when its plan is
    the dashboard's, the queues' applied settings ``settings_items`` (pairs ``(queue, sorted
    setting items)``); and the forecast it staffs: the one the Forecast page shows when its plan
    is the dashboard's (``uploads``: pairs ``(queue, state.upload_key(queue))``)."""
    settings = {q: dict(items) for q, items in settings_items}
    study = pv.load_study_with(study_path, money=dict(money_items), chat_budget_agent_hours_per_week=budget,
                               queue_settings=settings)
    if not study_on_plan(study.plan):
        return study, pv.study_forecast(study)
    up = dict(uploads)  # same settings, same uploads, same opening hours as the Forecast page
    return study, pv.combine_forecasts([forecast_for(PLAN_PATH, q, fs, tuple(sorted(settings.get(q, {}).items())),
                                                     up.get(q))[0] for q in study.plan.queues])


@st.cache_resource(show_spinner=False, max_entries=8)
def study_result(study_path: str, money_items: tuple, budget, fs: tuple, settings_items: tuple, uploads: tuple,
                 simulate: bool):
    """The scenario study of :func:`_study_and_forecast` run, its sensitivity without the
    assumptions that re-staff every interval (:func:`restaffed_sensitivity` adds them)."""
    study, fc = _study_and_forecast(study_path, money_items, budget, fs, settings_items, uploads)
    return pv.run_study_for_dashboard(study, fc, simulate=simulate, restaff=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def restaffed_sensitivity(study_path: str, money_items: tuple, budget, fs: tuple, settings_items: tuple,
                          uploads: tuple, simulate: bool):
    """The sensitivity table of :func:`study_result` (same arguments) with volume and handle time
    moved too (each re-staffs every interval of two scenarios twice)."""
    study, fc = _study_and_forecast(study_path, money_items, budget, fs, settings_items, uploads)
    return pv.restaffed_sensitivity(study, study_result(study_path, money_items, budget, fs, settings_items, uploads,
                                                        simulate), fc)


def intraday_plan(plan_path: str, queue: str, fs: tuple, qs_items: tuple, day, upload):
    """``(forecast, phi)``: the plan's forecast of ``queue`` on ``day`` from the history before it,
    with the queue's applied settings ``qs_items`` (cached like :func:`forecast_for`)."""
    cfg = config_for(fs, dict(qs_items), queue)
    return _intraday_plan(plan_path, queue, pv.forecast_key(cfg, queue), day, upload, cfg)


@st.cache_data(show_spinner="Forecasting the day as the plan would have ...", max_entries=32)
def _intraday_plan(plan_path: str, queue: str, key: str, day, upload, _cfg):
    return pv.day_plan(_cfg, {queue: history_of(plan_path, queue, upload)}, queue, day)


def planner_config(queue: str):
    """``(config, fs, qs)``: the plan with the Forecast page's settings ``fs`` and ``queue``'s applied
    settings ``qs``; None after showing why when those settings cannot be used."""
    from planning.config import InputError

    fs, qs = state.forecast_settings(plan_config()), state.queue_settings(queue)
    try:
        return config_for(fs, qs, queue), fs, qs
    except InputError as exc:
        st.error(f"The targets cannot be used: {pv.config_error_text(exc)}")
        return None


def warm_study(fs: tuple) -> None:
    """The Scenarios page's first result (:func:`study_result` as the page asks for it before any
    change: the plan's settings, no uploads, no simulation check; the sensitivity without
    re-staffing), when the study's plan is the dashboard's."""
    try:
        base = pv.load_study_with(STUDY_PATH)
    except ImportError:  # a version without the scenario tools
        return
    if study_on_plan(base.plan):
        study_result(STUDY_PATH, (), None, fs, (), tuple((q, None) for q in base.plan.queues), False)


@st.cache_resource(show_spinner=False)
def warm_up(plan_path: str = PLAN_PATH) -> threading.Thread | None:
    """Once per server (after the first page shown): fill the caches the Forecast, Staffing,
    Simulation and Scenarios pages' first visits need at the plan's own settings (each queue's
    forecast and staffing, then the scenario study without the sensitivity's re-staffings) in a
    background thread; a page asking for one of them meanwhile waits for that computation instead of
    starting its own. (The whole study, re-staffings included, held the interpreter lock long enough
    to slow every page and itself: 21 s at best; the re-staffings are now computed when asked.)
    ``STAFFCAST_WARM_UP=0`` switches it off (the tests do)."""
    if os.environ.get("STAFFCAST_WARM_UP", "1") == "0":
        return None
    cfg = plan_config(plan_path)
    fs = state.plan_forecast_defaults(cfg)

    def work():
        t0 = time.perf_counter()
        try:
            for q in cfg.queues:
                staffing_for(plan_path, q, fs, (), None)  # with its forecast
            warm_study(fs)
        except Exception:  # noqa: BLE001 - a page computes (and reports) it again when visited
            log.exception("warming up the caches failed")
        else:  # for the operator (and bench/dashboard_bench.py, which waits for this line)
            print(f"{WARM_DONE} in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)

    thread = threading.Thread(target=work, name="staffcast-warm-up", daemon=True)
    thread.start()
    return thread
