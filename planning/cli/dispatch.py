"""The ``staffcast`` parser and dispatcher: one module per command adds its subparser
(``add_parser``) and handles it (``cmd_<name>``); :func:`main` runs one and maps errors to exit codes."""
from __future__ import annotations

import argparse
import os
import sys
import traceback

from ..progress import Progress
from . import accuracy, capacity, forecast, run, runs, scenarios, schedule, simulate, staff
from .common import EPILOG_STORE, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK

__all__ = ["main", "build_parser", "COMMANDS"]

# command name -> handler, in the order of ``staffcast --help``
COMMANDS = {"run": run.cmd_run, "forecast": forecast.cmd_forecast, "staff": staff.cmd_staff,
            "simulate": simulate.cmd_simulate, "runs": runs.cmd_runs, "accuracy": accuracy.cmd_accuracy,
            "scenarios": scenarios.cmd_scenarios, "schedule": schedule.cmd_schedule,
            "capacity": capacity.cmd_capacity}
_PARSERS = (run, forecast, staff, simulate, runs, accuracy, scenarios, schedule, capacity)


def build_parser() -> argparse.ArgumentParser:
    """The ``staffcast`` argument parser with every command."""
    ap = argparse.ArgumentParser(
        prog="staffcast",
        description="Contact-center staffing: forecast, requirements, simulation check, headcount, shift schedules, "
                    "run store.",
        epilog="Exit codes: 0 ok, 2 bad input, 1 failure. " + EPILOG_STORE,
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in _PARSERS:
        module.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``staffcast``; returns the exit code (``sys.exit(main())``)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad arguments, 0 for --help
        return int(exc.code or 0)
    from ..config import InputError  # after parsing: --help imports no pandas, pydantic or SQLAlchemy
    from ..store import StoreError

    structured = not sys.stderr.isatty() and getattr(args, "log_format", "auto") != "steps"

    def fail(code: int, kind: str, message: str) -> int:
        print(f"staffcast {args.command}: error: {message}", file=sys.stderr)
        if structured and not getattr(args, "quiet", False):
            # key=value lines do not repeat the message of the line above (an error is read once);
            # JSON lines, asked for by a log collector, carry it
            as_json = getattr(args, "log_format", "") == "json"
            Progress(sys.stderr, fmt="json" if as_json else "kv")._emit(
                "error", "failed", command=args.command, kind=kind, exit_code=code,
                **({"msg": message or None} if as_json else {}))
        if getattr(args, "debug", False):
            traceback.print_exc()
        return code

    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        return fail(EXIT_BAD_INPUT, "bad_input", str(exc))
    except StoreError as exc:
        return fail(EXIT_FAILURE, "store", str(exc))
    except KeyboardInterrupt as exc:  # a stored run whose export was interrupted says how to export it
        return fail(EXIT_INTERRUPTED, "interrupted", str(exc) or "interrupted")
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception as exc:  # a bug or an environment failure
        return fail(EXIT_FAILURE, "failure", f"{type(exc).__name__}: {exc}")
