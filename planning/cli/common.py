"""What every ``staffcast`` command shares: exit codes, argument types, the logging and queue
flags, progress on stderr, tables on stdout or to a file, and errors named by the flag that caused them."""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from core import TARGET_SPECS

from ..progress import Progress

__all__ = ["EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED", "EPILOG_STORE", "date_arg",
           "positive_int", "queue_file_arg", "add_output_flags", "add_queue_flags", "progress_for", "emit_table",
           "fmt_table", "flag_name", "blame_flags"]

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

EPILOG_STORE = ("The run store is a SQLAlchemy URL: --store, else $STAFFCAST_STORE, else [plan] store in the "
                 "config, else sqlite:///runs/staffcast.sqlite (relative to the working directory).")


def date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 1999-12-01, got {text!r}") from None


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def queue_file_arg(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected QUEUE=FILE, got {text!r}")
    q, f = text.split("=", 1)
    return q.strip(), f.strip()


def add_output_flags(p: argparse.ArgumentParser):
    """The "output and logging" flags every command has: --log-format, -q/--quiet, --debug."""
    g = p.add_argument_group("output and logging")
    g.add_argument("--log-format", choices=("auto", "steps", "kv", "json", "quiet"), default="auto",
                   help="progress on stderr: auto = step lines on a terminal, key=value lines otherwise")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress output (errors still shown)")
    g.add_argument("--debug", action="store_true", help="show the traceback of a failure")


def add_queue_flags(p: argparse.ArgumentParser):
    """The queue-parameter flags of ``staff`` and ``simulate`` (see :func:`.queue_args.queue_from_args`)."""
    g = p.add_argument_group("queue parameters (override the config's queue, or define one without --config)")
    g.add_argument("--queue", help="queue of the config to use (needed when the config has several); a file "
                                  "with a queue column is cut to that queue's rows")
    g.add_argument("--interval-min", type=positive_int, help="interval length, minutes (default: config or file)")
    g.add_argument("--timezone", help="IANA zone of the times (default: config)")
    g.add_argument("--volume-col", default=None, help="volume column of the file (default: volume)")
    g.add_argument("--aht-s", type=float, help="average handle time, seconds (if the file has no aht_s)")
    for spec in TARGET_SPECS.values():  # one flag per target of the one list (core.TARGET_SPECS)
        unit = ", seconds" if spec.unit == "s" else ", a share"
        g.add_argument("--" + spec.name.replace("_", "-"), type=float,
                       help=f"target {spec.label}{unit} in {spec.range_text()}")
    g.add_argument("--awt-s", type=float, help="acceptable waiting time of the service level, seconds (default 20)")
    g.add_argument("--patience-s", type=float, help="mean customer patience, seconds")
    g.add_argument("--shrinkage", type=float, help="share of paid time not available, e.g. 0.3")
    g.add_argument("--concurrency", type=int, help="chats one agent holds at most")
    g.add_argument("--aht-by-concurrency-s", help="per-chat handle time at 1..k chats held, e.g. 360,450,560")



def progress_for(args) -> Progress:
    """Progress on stderr in the format the flags ask for."""
    return Progress(sys.stderr, fmt="quiet" if args.quiet else args.log_format)


def emit_table(frame: pd.DataFrame, out: str | None, progress: Progress, what: str, summary=None):
    """Write ``frame`` to ``out`` (.csv / .parquet, atomically; one line on stdout says what was
    written), or print ``summary()`` when stdout is a terminal and a summary is offered, else the CSV
    on stdout. CSV text cells a spreadsheet would run as a formula are neutralised
    (planning.safe_csv), as in dashboard downloads."""
    from ..safe_csv import neutralise_frame, to_safe_csv

    if out:
        from ..exports import write_frame

        csv = Path(out).suffix.lower() == ".csv"
        path = write_frame(neutralise_frame(frame) if csv else frame, out)
        progress.info(f"wrote {what} to {path}", rows=len(frame), path=str(path))
        print(f"wrote {what}: {len(frame):,} rows, {len(frame.columns)} columns to {path}")
    elif summary is not None and sys.stdout.isatty():
        print(summary())
    else:
        sys.stdout.write(to_safe_csv(frame).decode("utf-8"))


def fmt_table(frame: pd.DataFrame) -> str:
    """A table as text for the terminal (3 decimals, up to 200 rows)."""
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_rows", 200):
        return frame.to_string(index=False, float_format=lambda v: f"{v:.3f}")


def flag_name(key: str) -> str:
    """The flag of a config key: ``simulation.rate_cv`` -> ``--rate-cv``."""
    return "--" + key.rsplit(".", 1)[-1].replace("_", "-")


def blame_flags(exc: ConfigError, flag_of, source) -> InputError:
    """``exc`` with each problem caused by a command-line flag named by that flag (``flag_of(key)``:
    the flag, or None if the key's value came from the config file)."""
    from ..config import ConfigError, InputError

    probs = [(flag_of(k) or k, m) for k, m in exc.problems]
    if all(flag_of(k) for k, _ in exc.problems):
        if len(probs) == 1:
            return InputError(f"{probs[0][0]}: {probs[0][1]}")
        return InputError("\n".join([f"invalid arguments ({len(probs)} problems):"]
                                    + [f"  {k}: {m}" for k, m in probs]))
    return ConfigError(probs, f"{source} with the command-line flags")
