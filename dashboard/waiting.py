"""Waiting for long work (a ``planning.views.Job`` running in the background): a progress bar with
the elapsed time and a Cancel button. The work goes on if the planner leaves the page or closes the
tab; Cancel stops it at its next step."""
from __future__ import annotations

import streamlit as st

POLL_S = 0.3  # how often the bar is redrawn while the work runs


def wait_for(job, key: str, what: str) -> bool:
    """Show ``job``'s progress until it finishes; True when it finished with a result.

    A cancelled job shows a message and returns False; a failed job raises its error (the entry
    point shows it as a message)."""
    if not job.finished:
        if st.button(f"Cancel {what}", key=f"cancel_{key}", help="Stops at the next block; nothing is stored."):
            job.cancel()
        bar = st.progress(job.fraction, text=job.label)
        while not job.wait(POLL_S):  # a click on Cancel reruns the page, which stops this loop
            bar.progress(job.fraction, text=f"{job.label} ({job.elapsed_s:.0f} s)")
        bar.empty()
    if job.cancelled:
        st.info(f"The {what} was cancelled. Change a setting or press the button again to start it anew.")
        return False
    if job.error is not None:
        raise job.error
    return True
