"""Progress reporting: step lines on a terminal, structured log lines otherwise.

On a TTY: ``[2/7] forecast voice ... done in 3.1 s``. Not on a TTY (cron, systemd, CI): one
``key=value`` line per event (or one JSON object per line with ``fmt="json"``), e.g.
``ts=2024-06-01T03:00:01Z level=info event=step_done step=forecast queue=voice seconds=3.104``.

Long work started from the dashboard can be cancelled cooperatively: its progress callback raises
:class:`Cancelled` once :meth:`CancelToken.cancel` was called (checked between steps or blocks, so
the work stops at the next check; nothing half-written is stored).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from contextlib import contextmanager

__all__ = ["Progress", "Cancelled", "CancelToken"]


class Cancelled(Exception):
    """Long work stopped because the planner cancelled it (see :class:`CancelToken`)."""


class CancelToken:
    """A thread-safe "stop, please" flag that long work checks between its steps or blocks."""

    def __init__(self):
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` when :meth:`cancel` was called."""
        if self._event.is_set():
            raise Cancelled("cancelled by the planner")


def _kv(value) -> str:
    text = str(value)
    if text == "" or any(ch in text for ch in ' ="\n'):
        return json.dumps(text)
    return text


class Progress:
    """``fmt``: ``"auto"`` (TTY -> ``"steps"``, else ``"kv"``), ``"steps"``, ``"kv"``, ``"json"``, ``"quiet"``."""

    def __init__(self, stream=None, fmt: str = "auto", total_steps: int | None = None):
        self.stream = stream if stream is not None else sys.stderr
        if fmt == "auto":
            isatty = getattr(self.stream, "isatty", lambda: False)
            fmt = "steps" if isatty() else "kv"
        if fmt not in ("steps", "kv", "json", "quiet"):
            raise ValueError(f"progress format must be auto, steps, kv, json or quiet; got {fmt!r}")
        self.fmt = fmt
        self.total = total_steps
        self.n = 0
        self.timings: dict[str, float] = {}
        self._line_open = False  # a "[n/N] step ..." line waits for its "done"

    def _break_line(self):
        if self._line_open:
            print(file=self.stream, flush=True)
            self._line_open = False

    def _emit(self, level: str, event: str, **fields):
        if self.fmt == "quiet" and level != "error":
            return
        ts = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
        rec = {"ts": ts, "level": level, "event": event, **fields}
        if self.fmt == "json":
            line = json.dumps(rec, default=str)
        elif self.fmt in ("kv", "quiet"):
            line = " ".join(f"{k}={_kv(v)}" for k, v in rec.items() if v is not None)
        else:
            return
        print(line, file=self.stream, flush=True)

    def info(self, message: str, **fields):
        if self.fmt == "steps":
            self._break_line()
            extra = " ".join(f"{k}={v}" for k, v in fields.items())
            print(f"      {message}{(' ' + extra) if extra else ''}", file=self.stream, flush=True)
        else:
            self._emit("info", "info", msg=message, **fields)

    def warn(self, message: str, **fields):
        if self.fmt == "steps":
            self._break_line()
            print(f"      warning: {message}", file=self.stream, flush=True)
        else:
            self._emit("warning", "warning", msg=message, **fields)

    @contextmanager
    def step(self, name: str, label: str | None = None, **fields):
        """Time a step; its seconds are accumulated in ``timings[name]``."""
        self.n += 1
        label = label or name
        t0 = time.perf_counter()
        prefix = f"[{self.n}/{self.total}]" if self.total else f"[{self.n}]"
        if self.fmt == "steps":
            print(f"{prefix} {label} ...", end="", file=self.stream, flush=True)
            self._line_open = True
        else:
            self._emit("info", "step_start", step=name, **fields)
        try:
            yield
        except BaseException as exc:
            secs = time.perf_counter() - t0
            if self.fmt == "steps":
                print(f"{'' if self._line_open else prefix + ' ' + label} failed after {secs:.1f} s",
                      file=self.stream, flush=True)
                self._line_open = False
            else:
                self._emit("error", "step_failed", step=name, seconds=round(secs, 3),
                           error=type(exc).__name__, msg=str(exc) or None, **fields)
            raise
        secs = time.perf_counter() - t0
        self.timings[name] = self.timings.get(name, 0.0) + secs
        if self.fmt == "steps":
            print(f"{'' if self._line_open else prefix + ' ' + label} done in {secs:.1f} s",
                  file=self.stream, flush=True)
            self._line_open = False
        else:
            self._emit("info", "step_done", step=name, seconds=round(secs, 3), **fields)
