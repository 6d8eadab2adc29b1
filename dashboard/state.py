"""Every session-state key of the dashboard and its default, declared once.

Widget keys start with ``w_``: their values are used on other pages than the one that draws the
widget, so the entry point keeps them across page switches (:func:`keep_widget_values`).
Per-queue widgets have one key per queue (``setting_key("shrinkage", "voice")``).
"""
from __future__ import annotations

from dataclasses import astuple, dataclass

import streamlit as st

from planning import views as pv

# --------------------------------------------------------------------------- widget keys
QUEUE = "w_queue"                  # sidebar: the queue every page shows
MODEL = "w_model"                  # Forecast page: model, horizon (days), history used (weeks)
HORIZON = "w_horizon"
WEEKS = "w_weeks"
DATA_WEEKS = "w_data_weeks"        # Data page: weeks of the heatmap
STAFF_WHICH = "w_staff_which"      # Staffing page: "agents" or "scheduled"
SIM_DAYS = "w_sim_days"            # Simulation page form
SIM_REPS = "w_sim_reps"
SIM_REFINE = "w_sim_refine"
ANN_AHEAD = "w_ann_ahead"          # Simulation page: positions shown in the announcement
RUN_MODEL = "w_run_model"          # Runs page form
RUN_SIM = "w_run_sim"
RUN_SCHED = "w_run_sched"         # Runs page: with the plan's [schedule] step
RUN_ASOF = "w_run_asof"
RUN_PICK = "w_run_pick"
RUN_A = "w_run_a"                  # Runs page: the two runs compared
RUN_B = "w_run_b"
INTRADAY_DAY = "w_intraday_day"    # Intraday page: the day, the time of day, where the actuals come from
INTRADAY_TIME = "w_intraday_time"
INTRADAY_SOURCE = "w_intraday_source"
INTRADAY_FILE = "intraday_file"    # Intraday page: the uploaded actuals (not kept: a file is read once)
SCHEDULE_DAY = "w_schedule_day"     # Schedule page: the day of the Gantt
CAPACITY_STRATEGY = "w_cap_strategy"  # Capacity page: strategy and what-if sliders
CAPACITY_ATTRITION = "w_cap_attrition"
CAPACITY_GROWTH = "w_cap_growth"
CW_BUDGET = "w_cw_budget"          # Scenarios page form
STUDY_SIM_CHECK = "w_study_sim"
STUDY_RESTAFF = "w_study_restaff"  # Scenarios page: the sensitivity also moves volume and handle time
UPLOAD_FILE = "upload_file"        # Data page: the file uploader (not kept: a file is read once)
USE_UPLOAD = "use_upload"          # Data page buttons
RESET_UPLOAD = "reset_upload"

# --------------------------------------------------------------------------- other keys
UPLOADS = "uploads"                # queue -> Upload in use instead of the plan's file
QUEUE_SETTINGS = "queue_settings"  # queue -> settings applied with "Apply targets"
FLASH = "flash"                    # messages to show once, on the next run (after st.rerun)
LATER = "widget_values_later"      # widget key -> value to show from the next run on (set_later)
PLAN_SETTINGS = "plan_settings"    # plan-wide settings applied on any queue's page (paid hours per FTE)
SETTING_PROBLEMS = "setting_problems"  # queue -> {setting: why the last "Apply targets" refused it}
SIM_CANCELLED = "sim_cancelled"    # the simulation key the planner cancelled (not started again by itself)
STUDY_MONEY = "study_money"        # the money assumptions applied with "Compare scenarios"
STUDY_BUDGET = "study_budget"
STUDY_SIM = "study_sim"
RUN_JOB = "run_job"                # the run of the plan this session started (a planning.views.Job)


def setting_key(name: str, queue: str) -> str:
    """Key of a queue setting's widget (``name`` as in ``planning.views.with_queue_settings``)."""
    return f"w_{name}_{queue}"


def column_key(column: str, queue: str) -> str:
    """Key of the Data page's column-name inputs: ``column`` is time_col, vol_col, aht_col or time_fmt."""
    return f"w_{column}_{queue}"


def staff_days_key(queue: str) -> str:
    return f"w_staff_days_{queue}"


def forecast_days_key(queue: str) -> str:
    """The Forecast chart's date range (first, last day) of ``queue``."""
    return f"w_fc_days_{queue}"


def run_days_key(queue: str) -> str:
    """The Runs page chart's date range (first, last day) of ``queue``."""
    return f"w_run_days_{queue}"


def wait_day_key(queue: str) -> str:
    return f"w_wait_day_{queue}"


def announcement_interval_key(queue: str) -> str:
    return f"w_ann_int_{queue}"


def money_key(key: str) -> str:
    """Key of a study-wide money assumption's widget (``key`` in ``planning.views.STUDY_MONEY_KEYS``)."""
    return f"w_money_{key}"


def plan_forecast_defaults(cfg) -> tuple[str, int, int]:
    """The Forecast page's first settings ``(model, horizon_days, history_weeks)``: the plan's own,
    within the sliders' ranges (7-28 days, 4-26 weeks)."""
    model, horizon, weeks = pv.plan_forecast_settings(cfg)
    return model, min(max(int(horizon), 7), 28), min(max(int(weeks), 4), 26)


def init(cfg) -> None:
    """Defaults of the widgets shared between pages (set once per session): the plan's own forecast
    settings (so the dashboard's numbers are the CLI's), within the sliders' ranges."""
    model, horizon, weeks = plan_forecast_defaults(cfg)
    for key, val in {
        MODEL: model, HORIZON: horizon,
        WEEKS: weeks, DATA_WEEKS: 8,
        STAFF_WHICH: "agents", SIM_DAYS: 2, SIM_REPS: max(cfg.simulation.replications, 2),
        SIM_REFINE: cfg.simulation.refine, ANN_AHEAD: 15, RUN_MODEL: model, RUN_SIM: False,
        RUN_SCHED: cfg.schedule is not None,
        STUDY_SIM_CHECK: False,
    }.items():
        st.session_state.setdefault(key, val)


def keep_widget_values() -> None:
    """Widgets live on one page but their values are used on others: keep them across page
    switches (Streamlit drops the state of widgets a run does not draw)."""
    for key in [k for k in st.session_state if str(k).startswith("w_")]:
        st.session_state[key] = st.session_state[key]


def default(key: str, value) -> None:
    """Give a widget its first value (from the plan) unless the planner already set one."""
    st.session_state.setdefault(key, value)


def reset_unless(key: str, allowed: list, value) -> None:
    """Set ``key`` to ``value`` when what it holds is not one of ``allowed`` (e.g. another queue's days)."""
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = value


def keep_subset(key: str, allowed: list, value: list) -> None:
    """A multiselect's default ``value``, and a fresh start when what ``key`` holds is not a subset
    of ``allowed`` (e.g. days of an earlier forecast)."""
    if not set(st.session_state.get(key, [])) <= set(allowed):
        del st.session_state[key]
    st.session_state.setdefault(key, value)


def flash(text: str) -> None:
    """Show ``text`` once, on the next run of the page (a message that outlives ``st.rerun``)."""
    st.session_state.setdefault(FLASH, []).append(text)


def flashes() -> list[str]:
    """The messages :func:`flash` kept, now shown (and forgotten)."""
    return st.session_state.pop(FLASH, [])


def set_later(key: str, value) -> None:
    """Show ``value`` in the widget ``key`` from the next run on (a drawn widget's value cannot be
    changed in the run that drew it)."""
    st.session_state.setdefault(LATER, {})[key] = value


def apply_later() -> None:
    """Give the widgets the values :func:`set_later` kept (call before drawing them)."""
    for key, value in st.session_state.pop(LATER, {}).items():
        st.session_state[key] = value


def forecast_settings(cfg) -> tuple[str, int, int]:
    """The Forecast page's settings: ``(model, horizon_days, history_weeks)``."""
    ss = st.session_state
    model, horizon, weeks = pv.plan_forecast_settings(cfg)
    return (ss.get(MODEL, model), int(ss.get(HORIZON, horizon)), int(ss.get(WEEKS, weeks)))


def queue_settings(queue: str) -> dict:
    """The settings applied to ``queue`` with "Apply targets" (empty: the plan's), with the
    plan-wide ones (``planning.views.PLAN_WIDE_SETTINGS``) applied on any queue's page."""
    return {**st.session_state.get(PLAN_SETTINGS, {}), **st.session_state.get(QUEUE_SETTINGS, {}).get(queue, {})}


def set_queue_settings(queue: str, settings: dict) -> None:
    """Keep ``queue``'s applied settings; the plan-wide ones among them hold for every queue."""
    wide = {k: v for k, v in settings.items() if k in pv.PLAN_WIDE_SETTINGS}
    st.session_state.setdefault(PLAN_SETTINGS, {}).update(wide)
    st.session_state.setdefault(QUEUE_SETTINGS, {})[queue] = {k: v for k, v in settings.items() if k not in wide}


def all_queue_settings(queues) -> dict[str, dict]:
    """``{queue: queue_settings(queue)}`` for every queue of ``queues`` (what "Save as plan TOML" writes)."""
    return {q: queue_settings(q) for q in queues}


def setting_problems(queue: str) -> dict:
    """setting -> why the last "Apply targets" of ``queue`` refused its value (empty: none refused)."""
    return dict(st.session_state.get(SETTING_PROBLEMS, {}).get(queue, {}))


def set_setting_problems(queue: str, problems: dict) -> None:
    st.session_state.setdefault(SETTING_PROBLEMS, {})[queue] = dict(problems)


@dataclass(frozen=True)
class Upload:
    """A history file a planner uploaded for a queue, and the columns to read from it."""

    name: str
    data: bytes
    time_col: str
    volume_col: str
    aht_col: str = ""      # empty: no handle times in the file
    time_format: str = ""  # empty: ISO 8601


def uploads() -> dict[str, Upload]:
    """queue -> the upload in use instead of the plan's file; the dict itself, to change."""
    return st.session_state.setdefault(UPLOADS, {})


def upload_key(queue: str) -> tuple | None:
    """What identifies ``queue``'s upload in cache keys (None: the plan's file): the file name, its
    bytes and the column mapping (the same file read with other columns is other data)."""
    up = st.session_state.get(UPLOADS, {}).get(queue)
    return None if up is None else astuple(up)


def selected_queue() -> str:
    """The queue chosen in the sidebar."""
    return st.session_state[QUEUE]
