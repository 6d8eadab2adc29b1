"""Real-time chat windows: when to keep live chat open on a budget so that nobody waits.

Question: *"If we can only afford B agent-hours of chat a week, when should live chat be open so
that whoever comes in those hours never waits?"* Outside the windows chat is closed (contacts go to
asynchronous channels: messages, e-mail, a callback).

Model
-----
- The forecast gives chat volume and handle time per interval. Every interval, if open, is staffed
  with the smallest number of agents meeting the "no waiting" target -- ``P(wait) <= p_wait`` and
  ``ASA <= asa_s`` -- from :func:`simulation.required_agents` with the chat model (concurrency,
  handle time by chats held, optional patience), and at least ``min_agents_open`` agents (somebody
  must be there when the window is posted). Its cost is ``agents x interval hours`` (logged-in
  agent-hours; paid hours are that / (1 - shrinkage)).
- A window is a run of consecutive intervals of one weekday; the same windows are posted every
  week. Per weekday at most ``max_windows_per_day`` windows, each at least ``min_window_intervals``
  long, inside ``allowed`` hours.
- Objective: the most forecast chats served in real time (summed over the horizon's full weeks);
  among equally good choices, the fewest agent-hours.
- Budget: ``budget_mode="each_week"`` (default): every full week of the horizon stays within the
  weekly budget; ``"average"``: the mean week does.

Modules: :mod:`.grid` (the weekly staffing grid), :mod:`.solver` (the exact choice and a brute
force to test it), :mod:`.windows` (the results per weekday, :func:`chat_windows`,
:func:`agent_hours_for_hours`).

Solver
------
Exact: a 0/1 integer program solved by HiGHS (``scipy.optimize.milp`` with ``mip_rel_gap = 0``;
:mod:`.solver`).
Variables ``y[d, s]`` (interval s of weekday d open) and ``z[d, s]`` (a window starts there):
``z[d, s] >= y[d, s] - y[d, s-1]``, ``sum_s z[d, s] <= max_windows_per_day``, a start forces the
next ``min_window_intervals - 1`` intervals open, and one budget row per week. Stage 1 maximises
covered demand; stage 2 minimises agent-hours with the demand held at its optimum. The tests check
optimality against brute-force enumeration on small cases.

Every open interval meets the target by construction (its staffing is the exact requirement);
:func:`chat_windows` re-evaluates the chosen intervals with :func:`simulation.chat_metrics` and
reports the worst P(wait) and ASA. The per-interval steady-state model ignores chats carried over
from the previous interval; :func:`planning.simulate_plan` can check that in a simulation.
"""
from .grid import WeekGrid, chat_week_grid
from .solver import WindowSolution, brute_force_windows, solve_windows
from .windows import ChatWindowsResult, HoursCost, agent_hours_for_hours, as_opening_hours, chat_windows

__all__ = [
    "WeekGrid",
    "WindowSolution",
    "ChatWindowsResult",
    "HoursCost",
    "chat_week_grid",
    "solve_windows",
    "brute_force_windows",
    "chat_windows",
    "agent_hours_for_hours",
    "as_opening_hours",
]
