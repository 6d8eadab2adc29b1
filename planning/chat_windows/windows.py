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

Solver
------
Exact: a 0/1 integer program solved by HiGHS (``scipy.optimize.milp`` with ``mip_rel_gap = 0``).
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
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .config import WEEKDAYS, OpeningHours
from .pipeline import _open_blocks as _runs  # runs of open intervals, [start, end) pairs

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
]

_TOL = 1e-9


# --------------------------------------------------------------------------- weekly grid


@dataclass
class WeekGrid:
    """Forecast chat demand and staffing cost on a (week, weekday, slot) grid.

    ``demand[w, d, s]``: forecast chats in slot s of weekday d (0 = Monday) in week w;
    ``agents[w, d, s]``: agents needed there to meet the target if open (0 where the slot does not
    exist, e.g. a DST gap); ``cost[w, d, s] = agents x interval hours`` (agent-hours);
    ``intervals``: the per-interval table (``interval_start, week, weekday, slot, volume, aht_s,
    agents, p_wait, asa_s``).
    """

    interval_s: int
    demand: np.ndarray
    agents: np.ndarray
    cost: np.ndarray
    intervals: pd.DataFrame
    week_starts: list
    targets: dict

    @property
    def slots(self) -> int:
        return self.demand.shape[2]

    def slot_label(self, s: int) -> str:
        m = s * self.interval_s // 60
        return f"{m // 60:02d}:{m % 60:02d}"


def _positive(name, v, *, integer=False, allow_zero=False):
    ok = isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)
    if ok and integer:
        ok = float(v).is_integer()
    if not ok or v < 0 or (v == 0 and not allow_zero):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"{name}: expected {kind} {'>= 0' if allow_zero else '> 0'}, got {v!r}")
    return int(v) if integer else float(v)


def chat_week_grid(forecast: pd.DataFrame, interval_s: int, *, p_wait: float = 0.05, asa_s: float | None = 10.0,
                   concurrency: int = 1, aht_by_concurrency_s=None, patience_s: float | None = None,
                   min_agents_open: int = 1, awt_s: float = 20.0) -> WeekGrid:
    """Staff every interval of a chat forecast for "no waiting" and arrange it by week / weekday / slot.

    ``forecast``: ``interval_start`` (local times, tz-aware or naive), ``volume`` (chats per
    interval) and ``aht_s`` (handle time of a chat held alone, seconds; or pass
    ``aht_by_concurrency_s``). Only the full weeks from the first day are used.
    """
    from simulation import chat_metrics, required_agents

    interval_s = _positive("interval_s", interval_s, integer=True)
    if 86400 % interval_s:
        raise ValueError(f"interval_s: {interval_s} does not divide a day; expected e.g. 900 or 1800")
    min_agents_open = _positive("min_agents_open", min_agents_open, integer=True, allow_zero=True)
    if p_wait is None and asa_s is None:
        raise ValueError("chat windows: give a 'no waiting' target: p_wait and/or asa_s")
    missing = [c for c in ("interval_start", "volume") if c not in forecast]
    if missing:
        raise ValueError(f"forecast: missing column(s) {missing}; columns: {list(forecast.columns)}")
    f = forecast.reset_index(drop=True)
    ts = pd.DatetimeIndex(pd.to_datetime(f["interval_start"]))
    if len(ts) == 0:
        raise ValueError("forecast: no intervals")
    day = ts.normalize().tz_localize(None) if ts.tz is not None else ts.normalize()
    day0 = day.min()
    day_no = np.asarray((day - day0).days, dtype=np.int64)
    weeks = int(day_no.max() + 1) // 7
    if weeks < 1:
        raise ValueError(f"forecast: covers {int(day_no.max()) + 1} day(s); expected at least one full week")
    keep = day_no < weeks * 7
    f, ts, day_no = f.loc[keep].reset_index(drop=True), ts[keep], day_no[keep]
    vol = np.clip(f["volume"].to_numpy(float), 0.0, None)
    if "aht_s" in f:
        aht = f["aht_s"].to_numpy(float)
    elif aht_by_concurrency_s is not None:
        aht = np.full(len(f), float(np.ravel(aht_by_concurrency_s)[0]))
    else:
        raise ValueError("forecast has no aht_s column; give aht_by_concurrency_s")
    if not np.all(np.isfinite(aht) & (aht > 0)):
        raise ValueError("forecast.aht_s: expected handle times > 0 seconds in every interval")
    res = required_agents(vol, interval_s, aht, p_wait=p_wait, asa_s=asa_s, awt_s=awt_s,
                          concurrency=concurrency, aht_by_concurrency_s=aht_by_concurrency_s,
                          patience_s=patience_s)
    agents = np.maximum(np.asarray(res.agents, dtype=np.int64), min_agents_open)
    # the target re-checked at the staffing actually used (min_agents_open may add agents)
    k = int(concurrency)
    base = np.ones(k) if aht_by_concurrency_s is None else np.asarray(aht_by_concurrency_s, float)[:k]
    if aht_by_concurrency_s is not None and k == 1:
        base = np.asarray(aht_by_concurrency_s, float)
        k = base.size
    check = chat_metrics(agents, vol, interval_s, aht[:, None] * (base / base[0])[None, :], concurrency=k,
                         patience_s=patience_s, awt_s=awt_s)
    slots = 86400 // interval_s
    minute = np.asarray(ts.hour * 60 + ts.minute, dtype=np.int64)
    slot = minute * 60 // interval_s
    wd = np.asarray(ts.day_of_week, dtype=np.int64)
    wk = day_no // 7
    shape = (weeks, 7, slots)
    demand = np.zeros(shape)
    agents_g = np.zeros(shape)
    np.add.at(demand, (wk, wd, slot), vol)
    np.add.at(agents_g, (wk, wd, slot), agents)
    table = pd.DataFrame({"interval_start": f["interval_start"].to_numpy(), "week": wk, "weekday": wd, "slot": slot,
                          "volume": vol, "aht_s": aht, "agents": agents,
                          "p_wait": np.where(vol > 0, np.asarray(check.p_wait, float), 0.0),
                          "asa_s": np.where(vol > 0, np.asarray(check.asa_s, float), 0.0)})
    starts = [day0 + pd.Timedelta(days=7 * w) for w in range(weeks)]
    targets = {"p_wait": p_wait, "asa_s": asa_s, "concurrency": concurrency, "patience_s": patience_s,
               "aht_by_concurrency_s": None if aht_by_concurrency_s is None else list(aht_by_concurrency_s),
               "min_agents_open": min_agents_open, "awt_s": awt_s}
    return WeekGrid(interval_s, demand, agents_g, agents_g * interval_s / 3600.0, table, starts, targets)


# --------------------------------------------------------------------------- exact solver


@dataclass
class WindowSolution:
    """``open[d, s]``: the chosen intervals; ``demand`` covered (sum over weeks); ``cost_by_week``
    agent-hours per week; ``status`` of the solver ("optimal" or "closed": nothing fits)."""

    open: np.ndarray
    demand: float
    cost_by_week: np.ndarray
    status: str
    solver: str


def _check_solver_inputs(demand, cost, budget, allowed, max_windows_per_day, min_window_intervals, budget_mode):
    demand = np.asarray(demand, dtype=float)
    cost = np.asarray(cost, dtype=float)
    if demand.ndim != 2:
        raise ValueError(f"demand: expected shape (weekdays, slots), got {demand.shape}")
    if cost.ndim == 2:
        cost = cost[None]
    if cost.ndim != 3 or cost.shape[1:] != demand.shape:
        raise ValueError(f"cost: expected shape (weeks, {demand.shape[0]}, {demand.shape[1]}), got {cost.shape}")
    if not (np.all(np.isfinite(demand)) and np.all(demand >= 0)):
        raise ValueError("demand: expected finite values >= 0")
    if not (np.all(np.isfinite(cost)) and np.all(cost >= 0)):
        raise ValueError("cost: expected finite agent-hours >= 0")
    budget = _positive("budget_agent_hours_per_week", budget, allow_zero=True)
    m = _positive("max_windows_per_day", max_windows_per_day, integer=True)
    L = _positive("min_window_intervals", min_window_intervals, integer=True)
    if budget_mode not in ("each_week", "average"):
        raise ValueError(f"budget_mode: expected 'each_week' or 'average', got {budget_mode!r}")
    if allowed is None:
        allowed = np.ones(demand.shape, dtype=bool)
    allowed = np.asarray(allowed, dtype=bool)
    if allowed.shape != demand.shape:
        raise ValueError(f"allowed: expected shape {demand.shape}, got {allowed.shape}")
    return demand, cost, budget, allowed, m, L


def _budget_rows(cost, budget_mode):
    return cost if budget_mode == "each_week" else cost.mean(axis=0, keepdims=True)


def solve_windows(demand, cost, budget_agent_hours_per_week: float, *, allowed=None, max_windows_per_day: int = 1,
                  min_window_intervals: int = 1, budget_mode: str = "each_week",
                  time_limit_s: float | None = 60.0) -> WindowSolution:
    """Exact choice of weekly opening windows (see the module docstring).

    ``demand[d, s]``: demand served if slot s of weekday d is open (summed over weeks);
    ``cost[w, d, s]``: agent-hours that slot costs in week w (or ``cost[d, s]`` for one week);
    ``allowed[d, s]``: slots that may open. Returns a :class:`WindowSolution`.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    demand, cost, budget, allowed, m, L = _check_solver_inputs(
        demand, cost, budget_agent_hours_per_week, allowed, max_windows_per_day, min_window_intervals, budget_mode)
    D, S = demand.shape
    n = D * S
    y = lambda d, s: d * S + s  # noqa: E731
    z = lambda d, s: n + d * S + s  # noqa: E731
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0

    def add(entries, lower, upper):
        nonlocal r
        for c, v in entries:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(lower)
        hi.append(upper)
        r += 1

    for d in range(D):
        for s in range(S):
            # z[d,s] >= y[d,s] - y[d,s-1]
            entries = [(y(d, s), 1.0), (z(d, s), -1.0)]
            if s > 0:
                entries.append((y(d, s - 1), -1.0))
            add(entries, -np.inf, 0.0)
            # z[d,s] <= y[d,s]
            add([(z(d, s), 1.0), (y(d, s), -1.0)], -np.inf, 0.0)
            # a start forces the next L-1 slots open
            for j in range(1, L):
                if s + j < S:
                    add([(z(d, s), 1.0), (y(d, s + j), -1.0)], -np.inf, 0.0)
        add([(z(d, s), 1.0) for s in range(S)], -np.inf, float(m))
    budget_rows = _budget_rows(cost, budget_mode)
    for w in range(budget_rows.shape[0]):
        c = budget_rows[w].ravel()
        nz = np.flatnonzero(c)
        add([(int(i), float(c[i])) for i in nz], -np.inf, budget + 1e-9 * max(1.0, budget))
    A = coo_matrix((vals, (rows, cols)), shape=(r, 2 * n)).tocsr()
    ub = np.ones(2 * n)
    ub[:n] = allowed.ravel().astype(float)
    ub[n:] = allowed.ravel().astype(float)
    for d in range(D):  # a window cannot start where it would be shorter than L
        for s in range(max(0, S - L + 1), S):
            ub[z(d, s)] = 0.0
    bounds = Bounds(np.zeros(2 * n), ub)
    integrality = np.ones(2 * n)
    opts = {"mip_rel_gap": 0.0, "presolve": True}
    if time_limit_s is not None:
        opts["time_limit"] = float(time_limit_s)
    dem = demand.ravel()
    obj = np.concatenate([-dem, np.zeros(n)])
    cons = [LinearConstraint(A, lo, hi)]
    res1 = milp(obj, constraints=cons, integrality=integrality, bounds=bounds, options=opts)
    if res1.status != 0 or res1.x is None:
        raise RuntimeError(f"chat windows: HiGHS did not prove optimality (status {res1.status}: {res1.message})")
    best = float(dem @ np.round(res1.x[:n]))
    if best <= 0:
        return WindowSolution(np.zeros((D, S), bool), 0.0, np.zeros(cost.shape[0]), "closed", "milp")
    # stage 2: the fewest agent-hours (mean week) among the demand-optimal choices
    mean_cost = cost.mean(axis=0).ravel()
    keep = LinearConstraint(np.concatenate([dem, np.zeros(n)])[None, :], best - 1e-9 * max(1.0, best), np.inf)
    res2 = milp(np.concatenate([mean_cost, np.zeros(n)]), constraints=cons + [keep], integrality=integrality,
                bounds=bounds, options=opts)
    x = res2.x if (res2.status == 0 and res2.x is not None) else res1.x
    open_ = np.round(x[:n]).astype(bool).reshape(D, S)
    by_week = (cost * open_[None]).sum(axis=(1, 2))
    return WindowSolution(open_, float(demand[open_].sum()), by_week, "optimal", "milp")


def _day_masks(S: int, allowed_day: np.ndarray, m: int, L: int) -> list[np.ndarray]:
    """Every valid open pattern of one day (brute force helper): at most m runs, each >= L long."""
    out = []
    for bits in itertools.product((False, True), repeat=S):
        mask = np.array(bits, dtype=bool)
        if (mask & ~allowed_day).any():
            continue
        runs, length, ok = 0, 0, True
        for b in list(mask) + [False]:
            if b:
                length += 1
            elif length:
                runs += 1
                ok &= length >= L
                length = 0
        if ok and runs <= m:
            out.append(mask)
    return out


def brute_force_windows(demand, cost, budget_agent_hours_per_week: float, *, allowed=None,
                        max_windows_per_day: int = 1, min_window_intervals: int = 1,
                        budget_mode: str = "each_week") -> WindowSolution:
    """Enumerate every feasible choice (small cases only: used to test :func:`solve_windows`)."""
    demand, cost, budget, allowed, m, L = _check_solver_inputs(
        demand, cost, budget_agent_hours_per_week, allowed, max_windows_per_day, min_window_intervals, budget_mode)
    D, S = demand.shape
    if S > 12 or D > 4:
        raise ValueError("brute_force_windows: small cases only (<= 4 days of <= 12 slots)")
    per_day = [_day_masks(S, allowed[d], m, L) for d in range(D)]
    brow = _budget_rows(cost, budget_mode)
    mean_cost = cost.mean(axis=0)
    best_key, best = None, None
    for combo in itertools.product(*per_day):
        mask = np.stack(combo)
        if ((brow * mask[None]).sum(axis=(1, 2)) > budget + 1e-9 * max(1.0, budget)).any():
            continue
        key = (float(demand[mask].sum()), -float(mean_cost[mask].sum()))
        if best_key is None or key[0] > best_key[0] + 1e-9 or (abs(key[0] - best_key[0]) <= 1e-9 and key[1] > best_key[1] + 1e-12):
            best_key, best = key, mask
    by_week = (cost * best[None]).sum(axis=(1, 2))
    return WindowSolution(best, float(demand[best].sum()), by_week, "optimal" if best.any() else "closed", "brute_force")


# --------------------------------------------------------------------------- reporting


def _fmt_min(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def _windows_to_hours(open_: np.ndarray, interval_s: int) -> OpeningHours:
    step = interval_s // 60
    return OpeningHours(tuple(tuple((s * step, e * step) for s, e in _runs(open_[d])) for d in range(7)))


def _evening_slots(grid: WeekGrid, evening: tuple[str, str]) -> np.ndarray:
    def parse(t):
        h, m = t.split(":")
        return int(h) * 60 + int(m)

    e0, e1 = parse(evening[0]), parse(evening[1])
    start_min = np.arange(grid.slots) * grid.interval_s // 60
    return (start_min >= e0) & (start_min < e1)


@dataclass
class ChatWindowsResult:
    """The chosen chat windows and what they deliver.

    - ``windows``: one row per weekday: ``weekday``, ``windows`` ("HH:MM-HH:MM, ..."),
      ``posted_hours``, ``demand`` (forecast chats per week in the windows), ``demand_share``
      (of that weekday's demand), ``agent_hours`` (per week, mean over the horizon weeks),
      ``evening_hours`` (posted hours within the evening window);
    - ``intervals``: the open intervals of every horizon week with ``volume``, ``agents``,
      ``p_wait`` and ``asa_s`` (predicted by the chat model at those agents);
    - ``posted_hours_per_week``, ``covered_share`` (served in real time / all forecast chat
      demand), ``agent_hours_per_week`` (mean) and ``agent_hours_max_week``,
      ``budget_agent_hours_per_week``, ``evening_windows`` (the evening hours that made it in),
      ``max_p_wait`` / ``max_asa_s`` over the open intervals, ``hours`` (as :class:`OpeningHours`).
    """

    windows: pd.DataFrame
    intervals: pd.DataFrame
    hours: OpeningHours
    posted_hours_per_week: float
    covered_share: float
    agent_hours_per_week: float
    agent_hours_max_week: float
    budget_agent_hours_per_week: float | None
    evening_windows: list
    max_p_wait: float
    max_asa_s: float
    targets: dict
    weeks: int
    status: str
    solver: str
    open: np.ndarray = field(repr=False, default=None)

    def summary(self) -> dict:
        return {
            "budget_agent_hours_per_week": self.budget_agent_hours_per_week,
            "agent_hours_per_week": round(self.agent_hours_per_week, 2),
            "agent_hours_max_week": round(self.agent_hours_max_week, 2),
            "posted_hours_per_week": round(self.posted_hours_per_week, 2),
            "covered_share": round(self.covered_share, 4),
            "evening_windows": self.evening_windows,
            "max_p_wait": round(self.max_p_wait, 4),
            "max_asa_s": round(self.max_asa_s, 2),
            "weeks": self.weeks,
            "status": self.status,
        }

    def to_text(self) -> str:
        w = self.windows.copy()
        for c in ("posted_hours", "agent_hours", "evening_hours", "demand"):
            w[c] = w[c].round(1)
        w["demand_share"] = (w["demand_share"] * 100).round(1).astype(str) + "%"
        lines = [w.to_string(index=False)]
        b = self.budget_agent_hours_per_week
        lines.append(
            f"posted {self.posted_hours_per_week:.1f} h/week; {self.covered_share:.1%} of forecast chats served in "
            f"real time; agent-hours {self.agent_hours_per_week:.1f}/week (max week {self.agent_hours_max_week:.1f}"
            + (f", budget {b:.1f})" if b is not None else ")"))
        lines.append(f"worst open interval: P(wait) {self.max_p_wait:.3f}, ASA {self.max_asa_s:.1f} s "
                     f"(targets: P(wait) <= {self.targets.get('p_wait')}, ASA <= {self.targets.get('asa_s')} s)")
        lines.append("evening hours open: " + (", ".join(self.evening_windows) or "none"))
        return "\n".join(lines)


def _result(grid: WeekGrid, open_: np.ndarray, budget, status, solver, evening) -> ChatWindowsResult:
    h = grid.interval_s / 3600.0
    weeks = grid.demand.shape[0]
    total_demand = float(grid.demand.sum())
    ev = _evening_slots(grid, evening)
    rows, evening_windows = [], []
    for d in range(7):
        runs = _runs(open_[d])
        day_demand = float(grid.demand[:, d, :].sum()) / weeks
        dem = float(grid.demand[:, d, open_[d]].sum()) / weeks
        rows.append({
            "weekday": WEEKDAYS[d],
            "windows": ", ".join(f"{grid.slot_label(s)}-{_fmt_min(e * grid.interval_s // 60)}" for s, e in runs) or "closed",
            "posted_hours": float(open_[d].sum() * h),
            "demand": dem,
            "demand_share": dem / day_demand if day_demand > 0 else 0.0,
            "agent_hours": float(grid.cost[:, d, open_[d]].sum()) / weeks,
            "evening_hours": float((open_[d] & ev).sum() * h),
        })
        for s, e in _runs(open_[d] & ev):
            evening_windows.append(f"{WEEKDAYS[d]} {grid.slot_label(s)}-{_fmt_min(e * grid.interval_s // 60)}")
    t = grid.intervals
    sel = open_[t["weekday"].to_numpy(), t["slot"].to_numpy()]
    intervals = t.loc[sel].reset_index(drop=True)
    by_week = (grid.cost * open_[None]).sum(axis=(1, 2))
    return ChatWindowsResult(
        windows=pd.DataFrame(rows), intervals=intervals, hours=_windows_to_hours(open_, grid.interval_s),
        posted_hours_per_week=float(open_.sum() * h),
        covered_share=float(grid.demand[:, open_].sum()) / total_demand if total_demand > 0 else 0.0,
        agent_hours_per_week=float(by_week.mean()), agent_hours_max_week=float(by_week.max()),
        budget_agent_hours_per_week=budget, evening_windows=evening_windows,
        max_p_wait=float(intervals["p_wait"].max()) if len(intervals) else 0.0,
        max_asa_s=float(intervals["asa_s"].max()) if len(intervals) else 0.0,
        targets=dict(grid.targets), weeks=weeks, status=status, solver=solver, open=open_,
    )


def _allowed_mask(grid: WeekGrid, allowed_hours) -> np.ndarray | None:
    if allowed_hours is None:
        return None
    hours = _as_hours(allowed_hours, "allowed_hours")
    start_min = np.arange(grid.slots) * grid.interval_s / 60.0
    return np.array([[hours.is_open(d, m, grid.interval_s / 60.0) and _inside(hours, d, m, grid.interval_s / 60.0)
                      for m in start_min] for d in range(7)])


def _inside(hours: OpeningHours, d: int, start: float, length: float) -> bool:
    return any(s <= start and start + length <= e for s, e in hours.by_weekday[d])


def _as_hours(hours, name) -> OpeningHours:
    if isinstance(hours, OpeningHours):
        return hours
    if isinstance(hours, dict):
        from .config import parse_hours

        unknown = [k for k in hours if k not in WEEKDAYS and k != "default"]
        if unknown:
            raise ValueError(f"{name}: unknown day(s) {unknown}; expected {', '.join(WEEKDAYS)} or 'default'")
        default = parse_hours(hours["default"]) if "default" in hours else ()
        try:
            days = tuple(parse_hours(hours[d]) if d in hours else default for d in WEEKDAYS)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        return OpeningHours(days)
    raise ValueError(f"{name}: expected OpeningHours or a dict like {{'mon': '08:00-20:00'}}, got {type(hours).__name__}")


def chat_windows(forecast: pd.DataFrame, interval_s: int, budget_agent_hours_per_week: float, *,
                 p_wait: float = 0.05, asa_s: float | None = 10.0, concurrency: int = 1, aht_by_concurrency_s=None,
                 patience_s: float | None = None, min_agents_open: int = 1, max_windows_per_day: int = 1,
                 min_window_intervals: int = 1, allowed_hours=None, budget_mode: str = "each_week",
                 evening: tuple[str, str] = ("20:00", "24:00"), grid: WeekGrid | None = None) -> ChatWindowsResult:
    """The chat opening windows per weekday that serve the most forecast chats in real time within
    a weekly agent-hour budget, every open interval meeting the "no waiting" target (module docstring).

    ``allowed_hours``: :class:`OpeningHours` or ``{"mon": "07:00-24:00", "default": ...}``; only
    intervals wholly inside may open. ``grid``: a precomputed :func:`chat_week_grid` (the target
    arguments are then ignored).
    """
    grid = grid or chat_week_grid(forecast, interval_s, p_wait=p_wait, asa_s=asa_s, concurrency=concurrency,
                                  aht_by_concurrency_s=aht_by_concurrency_s, patience_s=patience_s,
                                  min_agents_open=min_agents_open)
    demand = grid.demand.sum(axis=0)
    sol = solve_windows(demand, grid.cost, budget_agent_hours_per_week, allowed=_allowed_mask(grid, allowed_hours),
                        max_windows_per_day=max_windows_per_day, min_window_intervals=min_window_intervals,
                        budget_mode=budget_mode)
    return _result(grid, sol.open, float(budget_agent_hours_per_week), sol.status, sol.solver, evening)


@dataclass
class HoursCost:
    """Agent-hours needed to keep chat open in given posted hours with no waiting (the reverse).

    ``windows`` / ``intervals`` / ``covered_share`` etc. as in :class:`ChatWindowsResult`;
    ``agent_hours_by_week`` per horizon week; ``paid_hours_per_week`` = mean agent-hours /
    (1 - shrinkage).
    """

    result: ChatWindowsResult
    agent_hours_by_week: np.ndarray
    paid_hours_per_week: float


def agent_hours_for_hours(forecast: pd.DataFrame, interval_s: int, hours, *, p_wait: float = 0.05,
                          asa_s: float | None = 10.0, concurrency: int = 1, aht_by_concurrency_s=None,
                          patience_s: float | None = None, min_agents_open: int = 1, shrinkage: float = 0.0,
                          evening: tuple[str, str] = ("20:00", "24:00"), grid: WeekGrid | None = None) -> HoursCost:
    """Agent-hours per week to keep chat open in ``hours`` (posted hours, OpeningHours or a dict)
    with every open interval meeting the "no waiting" target. An interval is open when it overlaps
    the posted hours."""
    if not 0.0 <= shrinkage < 1.0:
        raise ValueError(f"shrinkage: expected a share in [0, 1), got {shrinkage!r}")
    posted = _as_hours(hours, "hours")
    grid = grid or chat_week_grid(forecast, interval_s, p_wait=p_wait, asa_s=asa_s, concurrency=concurrency,
                                  aht_by_concurrency_s=aht_by_concurrency_s, patience_s=patience_s,
                                  min_agents_open=min_agents_open)
    start_min = np.arange(grid.slots) * grid.interval_s / 60.0
    open_ = np.array([[posted.is_open(d, m, grid.interval_s / 60.0) for m in start_min] for d in range(7)])
    res = _result(grid, open_, None, "given", "given", evening)
    by_week = (grid.cost * open_[None]).sum(axis=(1, 2))
    return HoursCost(res, by_week, float(by_week.mean()) / (1.0 - shrinkage))
