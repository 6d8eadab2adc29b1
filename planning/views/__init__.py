"""What the planners' dashboard (``app.py`` and ``dashboard/``) shows, computed here so the
dashboard only presents. One module per dashboard page, plus shared helpers:

- :mod:`.common`: the bundled plan, plan-local time for charts, weekday x time-of-day profiles,
  the evening share, service columns, error texts, a progress reporter;
- :mod:`.settings`: forecast and queue settings applied to the plan; the forecast model choices;
- :mod:`.data`, :mod:`.forecast`, :mod:`.staffing`, :mod:`.simulation`, :mod:`.scenarios`,
  :mod:`.runs` (with :mod:`.run_compare`), :mod:`.schedule`, :mod:`.capacity`, :mod:`.intraday`: the pages'
  view functions;
- :mod:`.plan_file`: the plan with the dashboard's settings, saved as a plan TOML;
- :mod:`.jobs`: long work in a background thread (progress, cancel, shared across sessions).

Every function takes plain values (a :class:`~planning.config.PlanConfig`, DataFrames, numbers)
and returns DataFrames / dicts / small dataclasses, so the dashboard can cache them and tests can
call them without Streamlit. Bad input raises :class:`~planning.config.InputError` with a message a
planner can act on (the dashboard shows it; never a traceback).
"""
from .capacity import *  # noqa: F401,F403
from .capacity import __all__ as _capacity
from .common import *  # noqa: F401,F403
from .common import __all__ as _common
from .data import *  # noqa: F401,F403
from .data import __all__ as _data
from .forecast import *  # noqa: F401,F403
from .forecast import __all__ as _forecast
from .plan_file import *  # noqa: F401,F403
from .plan_file import __all__ as _plan_file
from .intraday import *  # noqa: F401,F403
from .intraday import __all__ as _intraday
from .jobs import *  # noqa: F401,F403
from .jobs import __all__ as _jobs
from .run_compare import *  # noqa: F401,F403
from .run_compare import __all__ as _run_compare
from .runs import *  # noqa: F401,F403
from .runs import __all__ as _runs
from .scenarios import *  # noqa: F401,F403
from .scenarios import __all__ as _scenarios
from .schedule import *  # noqa: F401,F403
from .schedule import __all__ as _schedule
from .settings import *  # noqa: F401,F403
from .settings import __all__ as _settings
from .simulation import *  # noqa: F401,F403
from .simulation import __all__ as _simulation
from .staffing import *  # noqa: F401,F403
from .staffing import __all__ as _staffing

__all__ = [*_common, *_settings, *_data, *_forecast, *_staffing, *_simulation, *_scenarios, *_runs, *_run_compare,
           *_schedule, *_capacity, *_intraday, *_jobs, *_plan_file]
