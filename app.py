"""staffcast: the planners' dashboard (Streamlit).

    .venv/bin/streamlit run app.py --server.headless true

Opens on the bundled example plan (``data/plan.toml``; another plan with ``STAFFCAST_PLAN``, the run
store from ``STAFFCAST_STORE`` or the plan). This entry point is the frame around every page: it
declares the pages (``st.navigation``; one module per page in ``dashboard/``), draws the sidebar
(plan, queue) and shows errors as messages. Presentation only: every number comes from
``planning.views``. Heavy work is cached; long work shows progress.

Pages live at their own URL (``/forecast?queue=chat``); old links (``/?page=Forecast&queue=chat``)
still open the page they name.
"""
from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard import cached, state
from planning import views as pv
from planning.config import InputError

log = logging.getLogger("staffcast.app")

st.set_page_config(page_title="staffcast", page_icon=":telephone_receiver:", layout="wide")

# title -> page; the Data page opens at the root URL
PAGES = {
    title: st.Page(f"dashboard/{title.lower()}_page.py", title=title, url_path=title.lower(), default=title == "Data")
    for title in ("Data", "Forecast", "Staffing", "Simulation", "Schedule", "Scenarios", "Capacity", "Runs",
                  "Intraday")
}


def sidebar(cfg) -> str:
    """Plan facts and the queue every page shows; returns the queue."""
    qq = st.query_params.get("queue")
    if state.QUEUE not in st.session_state and qq in cfg.queues:
        st.session_state[state.QUEUE] = qq
    with st.sidebar:
        st.title("staffcast")
        st.caption(f"Plan: **{cfg.name}** ({Path(cached.PLAN_PATH).name}), {cfg.interval_min}-minute intervals, "
                   f"{pv.tz_label(cfg)}.")
        queue = st.selectbox("Queue", list(cfg.queues), key=state.QUEUE,
                             format_func=lambda n: f"{n} ({cfg.queues[n].kind})")
        st.caption("voice: real Anonymous Bank 1999 calls; chat: synthetic with an after-20:00 peak "
                   "(see data/README.md)." if Path(cached.PLAN_PATH) == pv.BUNDLED_PLAN.resolve() else "")
        plan_settings_note(cfg, queue)
    if st.query_params.get("queue") != queue:
        st.query_params["queue"] = queue
    return queue


def plan_settings_note(cfg, queue: str) -> None:
    """Say whether the numbers shown are the plan's (the CLI's) or where the planner departs from it."""
    away = pv.departures_from_plan(cfg, state.forecast_settings(cfg), queue, state.queue_settings(queue))
    if away:
        st.warning("Departs from the plan file (numbers differ from `staffcast run`): " + "; ".join(away) + ".")
    else:
        st.caption("Settings: the plan file's own (the same numbers as `staffcast run`).")


def main() -> None:
    state.keep_widget_values()
    cfg = cached.plan_config()
    state.init(cfg)
    page = st.navigation(list(PAGES.values()))
    legacy = st.query_params.get("page")
    if legacy is not None:  # an old link: /?page=Forecast&queue=chat
        rest = {k: v for k, v in st.query_params.to_dict().items() if k != "page"}
        st.switch_page(PAGES.get(legacy, page), query_params=rest)
    sidebar(cfg)
    try:
        page.run()
    except InputError as exc:
        hint = (" (An uploaded history is in use; the Data page switches back to the plan's file.)"
                if state.uploads() else "")
        st.error(pv.config_error_text(exc) + hint)
    except Exception as exc:  # never show a traceback to the planner; log it for the operator
        log.exception("page %s failed", page.title)
        st.error(f"Something went wrong on this page ({type(exc).__name__}: {exc}). "
                 "The details are in the server log.")
    cached.warm_up()  # after the first page: the next pages' heavy results, in the background


main()
