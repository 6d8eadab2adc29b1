"""The ``staffcast`` command line (entry point ``planning.cli:main``).

    staffcast run       --config plan.toml      history -> forecast -> requirements -> simulation -> FTE, stored
    staffcast forecast  --config plan.toml      forecast only (CSV / Parquet)
    staffcast staff     --forecast FILE         agents per interval for a forecast or volume file
    staffcast simulate  --plan FILE | --run ID  simulate a staffing plan
    staffcast runs      [list | show ID]        stored runs
    staffcast accuracy  --config plan.toml      stored forecasts versus new actuals
    staffcast scenarios --config study.toml     finance scenarios, break-even, sensitivity, chat windows
    staffcast schedule  --config plan.toml      shifts with breaks, rosters, headcount from the roster, stored

One module per command (:mod:`.run`, :mod:`.forecast`, :mod:`.staff`, :mod:`.simulate`,
:mod:`.runs`, :mod:`.accuracy`, :mod:`.scenarios`, :mod:`.schedule`); :mod:`.common` and :mod:`.queue_args` hold what
they share; :mod:`.dispatch` builds the parser and runs a command.

Exit codes: 0 success, 2 bad input (config, files, arguments), 1 failure (store busy, a bug),
130 interrupted. Progress goes to stderr: step lines on a terminal, key=value lines otherwise
(``--log-format json`` for JSON lines); results go to stdout.
"""
from .accuracy import cmd_accuracy
from .common import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK
from .dispatch import COMMANDS, build_parser, main
from .forecast import cmd_forecast
from .run import cmd_run
from .runs import cmd_runs
from .scenarios import cmd_scenarios, format_study
from .schedule import cmd_schedule
from .simulate import cmd_simulate
from .staff import cmd_staff

__all__ = ["main", "build_parser", "COMMANDS", "cmd_run", "cmd_forecast", "cmd_staff", "cmd_simulate", "cmd_runs",
           "cmd_accuracy", "cmd_scenarios", "cmd_schedule", "format_study", "EXIT_OK", "EXIT_FAILURE", "EXIT_BAD_INPUT",
           "EXIT_INTERRUPTED"]
