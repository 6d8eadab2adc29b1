"""Shift cover with implicitly placed breaks, by integer programming (HiGHS through highspy).

The formulation (Aykin-style implicit break placement, exact) is in :mod:`scheduling.cover_model`;
how one part is solved within its time in :mod:`scheduling.cover_solve`. This module checks the
input, splits every queue's week into independent parts, solves them (``workers`` at once, in
threads: HiGHS releases the GIL) sharing the time limit by size, and collects the plan.
"""
from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .cover_mix import contract_mix as contract_mix_rows
from .cover_model import CostClock, build_model, candidates, extract_shifts, independent_parts, template_shapes
from .cover_share import share_out
from .cover_solve import CoverInfeasible, PartSolution, improve_part, solve_part
from .plan import ShiftPlan
from .rules import ScheduleRules
from .timeline import requirement_grid

__all__ = ["solve_cover"]

_MIN_PART_BUDGET_S = 0.5
_MIN_FALLBACK_S = 3.0   # a part solved again without its share of the mix (found no schedule with it)


@dataclass(frozen=True)
class _Part:
    """One independent part: shift candidates (template index, start minute since the grid start)
    of ``queue`` and the positive-requirement intervals ``ivs`` they cover; ``req`` is the queue's
    requirement per interval (agents on duty)."""

    queue: str
    tpl: np.ndarray
    start: np.ndarray
    ivs: np.ndarray
    req: np.ndarray

    @property
    def size(self) -> int:
        return len(self.tpl)


def _check_args(rules, coverage, time_limit_s, mip_rel_gap, workers, node_limit) -> str:
    if not isinstance(rules, ScheduleRules):
        raise ValueError(f"rules: expected ScheduleRules, got {type(rules).__name__}")
    mode = rules.coverage if coverage is None else coverage
    if mode not in ("hard", "soft"):
        raise ValueError(f"coverage: expected 'hard' or 'soft', got {coverage!r}")
    if not (isinstance(time_limit_s, (int, float)) and time_limit_s > 0):
        raise ValueError(f"time_limit_s: expected a number > 0, got {time_limit_s!r}")
    if not (isinstance(mip_rel_gap, (int, float)) and 0 <= mip_rel_gap < 1):
        raise ValueError(f"mip_rel_gap: expected a number in [0, 1), got {mip_rel_gap!r}")
    if workers is not None and not (isinstance(workers, (int, np.integer)) and not isinstance(workers, bool)
                                    and workers >= 1):
        raise ValueError(f"workers: expected None or an integer >= 1, got {workers!r}")
    if node_limit is not None and not (isinstance(node_limit, (int, np.integer)) and not isinstance(node_limit, bool)
                                       and node_limit >= 1):
        raise ValueError(f"node_limit: expected None or an integer >= 1, got {node_limit!r}")
    return mode


def solve_cover(requirement: pd.DataFrame, interval_s: int, rules: ScheduleRules, *, time_limit_s: float = 30.0,
                mip_rel_gap: float = 0.005, coverage: str | None = None, workers: int | None = None,
                contract_mix: bool = True, node_limit: int | None = None, part_solver=solve_part,
                part_improver=improve_part, part_cache: dict | None = None) -> ShiftPlan:
    """Cheapest shifts with placed breaks covering ``requirement``.

    ``requirement``: ``interval_start``, ``required`` (agents on duty), optional ``queue``;
    ``interval_s``: the interval length in seconds. ``coverage`` overrides ``rules.coverage``.
    ``time_limit_s`` bounds the whole solve (shared among the independent parts by size); the best
    schedule found is returned with its gap. A part stops once its schedule is within
    ``mip_rel_gap`` (relative) of its LP bound or HiGHS proves that gap to its dual bound. A part
    that stopped on its time short of that gap is continued with the time the other parts left
    unused, by ``part_improver(model, solution, budget_s, gap, node_limit) -> PartSolution``
    (default :func:`scheduling.cover_solve.improve_part`; None: no second pass).
    ``workers``: parts solved at once (None: one per CPU). ``contract_mix``: every part's shifts
    must split into agent-weeks of the contracts' shares within their hours, shift counts and the
    late-shift limit (:mod:`scheduling.cover_mix`; a plan whose contracts have fixed
    counts has no mix, and a part the mix makes infeasible is solved without it and named in
    ``stats["mix_dropped"]``). ``part_solver(model, budget_s, gap) -> PartSolution``: how a part is
    solved (default :func:`scheduling.cover_solve.solve_part`; the bench passes CP-SAT's).
    ``node_limit``: branch-and-bound nodes per HiGHS run (None: none): with a time limit the
    parts always reach, the plan is the same on every run (``stats["status"]`` says
    ``"time_limit"`` when a part stopped on time instead).
    ``part_cache``: a dict the caller keeps between solves with the same rules (e.g. a week solved
    again after its simulation check raised a few intervals): a part whose shift candidates and
    requirement are unchanged takes its earlier solution instead of being solved again, which is the
    schedule a new solve within its node limit finds (``stats["parts_reused"]`` counts them; parts
    tied together by the contract mix are always solved)."""
    mode = _check_args(rules, coverage, time_limit_s, mip_rel_gap, workers, node_limit)
    t0 = time.perf_counter()
    grid = requirement_grid(requirement, interval_s)
    shapes = template_shapes(rules, grid.interval_min)
    clock = CostClock(rules, grid.n_days)
    penalty_iv = rules.costs.shortfall_penalty_per_h * grid.interval_s / 3600 if mode == "soft" else None
    mix = contract_mix_rows(rules) if contract_mix else None
    parts, uncovered = [], {}
    for q in grid.queues:
        req = np.concatenate([grid.required[q], np.zeros(grid.per_day, np.int64)])
        tpl, start = candidates(rules, grid, q)
        reach = np.zeros(req.size + 1, np.int64)
        if tpl.size:
            s_iv = start // grid.interval_min
            np.add.at(reach, s_iv, 1)
            np.add.at(reach, np.minimum(s_iv + [shapes[t].length_iv for t in tpl], req.size), -1)
        lonely = (req > 0) & (np.cumsum(reach)[:-1] == 0)
        if lonely.any() and mode == "hard":
            first = grid.timestamps([int(np.flatnonzero(lonely)[0]) * grid.interval_min])[0]
            raise ValueError(f"requirement.required: {int(lonely.sum())} intervals of queue {q!r} need agents but "
                             f"no shift template covers them (first {first}); add templates or use coverage='soft'")
        uncovered[q] = np.where(lonely, req, 0)
        for cand, ivs in independent_parts(tpl, start, shapes, (req > 0) & ~lonely, grid.interval_min):
            parts.append(_Part(q, tpl[cand], start[cand], ivs, req))

    def model(part: _Part, with_mix: bool):
        rows_of = np.full(part.req.size, -1, np.int64)
        rows_of[part.ivs] = np.arange(part.ivs.size)
        return build_model((part.tpl, part.start), shapes, clock, rows_of, part.req[part.ivs], penalty_iv,
                           grid.interval_min, mix if with_mix else None)

    models, mix, mix_dropped = _mixed_models(parts, model, mix, time_limit_s)

    solver_kw = {} if node_limit is None else {"node_limit": node_limit}

    reuse = part_cache is not None and mix is None
    rules_key = (repr(rules), mode, mip_rel_gap, node_limit, grid.interval_min, str(grid.timestamps([0])[0]))
    reused, keys = [], {}

    def solve_one(k: int, budget_s: float) -> tuple[PartSolution, object]:
        if not reuse:
            return solve_new(k, budget_s)
        p = parts[k]
        key = keys[k] = (rules_key, p.queue, p.tpl.tobytes(), p.start.tobytes(), p.ivs.tobytes(),
                         p.req[p.ivs].tobytes())
        if key in part_cache:
            reused.append(k)
        else:
            part_cache[key] = solve_new(k, budget_s)
        return part_cache[key]

    def solve_new(k: int, budget_s: float) -> tuple[PartSolution, object]:
        part, m, t_part = parts[k], models[k], time.perf_counter()
        try:
            try:
                return part_solver(m, budget_s, mip_rel_gap, **solver_kw), m
            except (CoverInfeasible, RuntimeError) as exc:
                if not m.coupling:
                    raise
                # its share of the week's mix has no integer schedule in time: this part without it
                mix_dropped.append(f"{part.queue} day {int(part.ivs[0]) // grid.per_day}: {exc}")
                m = model(part, False)
                return part_solver(m, max(budget_s - (time.perf_counter() - t_part), _MIN_FALLBACK_S),
                                   mip_rel_gap, **solver_kw), m
        except CoverInfeasible:
            raise ValueError(f"requirement.required: queue {part.queue!r} cannot be covered by the templates with "
                             f"their breaks; use coverage='soft'") from None
        except RuntimeError as exc:
            raise RuntimeError(f"queue {part.queue!r}: {exc}; raise time_limit_s") from None

    n_workers = min(workers or os.cpu_count() or 1, max(len(parts), 1))
    solved = _share_time(parts, solve_one, t0 + time_limit_s, n_workers)
    if part_improver is not None:
        for k, better in _use_time_left(parts, solved, part_improver, t0 + time_limit_s, n_workers, mip_rel_gap,
                                        node_limit).items():
            solved[k] = better
            if k in keys:
                part_cache[keys[k]] = better
    stats, rows = _collect(parts, solved, grid, shapes, clock, penalty_iv, mip_rel_gap, node_limit)
    stats.update(contract_mix=mix is not None, mix_dropped=sorted(mix_dropped), parts_reused=len(reused))
    shifts = pd.DataFrame(rows, columns=["queue", "template", "day", "start_min", "end_min", "paid_min", "cost",
                                         "breaks_min"])
    short_h = sum(float(u.sum()) for u in uncovered.values()) * grid.interval_s / 3600
    fixed = short_h * rules.costs.shortfall_penalty_per_h if mode == "soft" else 0.0  # same in every solution
    for key in ("penalty", "lp_bound", "dual_bound"):
        stats[key] += fixed
    return ShiftPlan(grid=grid, rules=rules, shifts=shifts, coverage_mode=mode,
                     solve_time_s=time.perf_counter() - t0, stats=stats)


def _use_time_left(parts: list[_Part], solved: list, improver, deadline: float, workers: int, gap: float,
                   node_limit: int | None) -> dict:
    """``{part index: (solution, model)}`` for the parts that stopped on their time short of ``gap``,
    each continued by ``improver`` (see :func:`solve_cover`) when the other parts finished early and
    left time before ``deadline`` (shared among them by size)."""
    late = [k for k, (sol, _) in enumerate(solved) if sol.timed_out and sol.gap() > gap + 1e-9]
    if not late or deadline - time.perf_counter() < _MIN_PART_BUDGET_S:
        return {}

    def improve(j: int, budget_s: float):
        sol, m = solved[late[j]]
        return improver(m, sol, budget_s, gap, node_limit), m

    return dict(zip(late, _share_time([parts[k] for k in late], improve, deadline, min(workers, len(late)))))


def _mixed_models(parts, model, mix, time_limit_s: float):
    """``(models, mix, dropped)``: every part's model (``model(part, with_mix)``), with its share of
    the week's mix rows when ``mix`` is given; when the week's LP fails the models without the mix,
    ``mix`` None and the reason in ``dropped``."""
    if mix is None or not parts:
        return [model(p, False) for p in parts], None, []
    try:
        return share_out([model(p, True) for p in parts], max(time_limit_s / 3, 1.0))[0], mix, []
    except (CoverInfeasible, RuntimeError) as exc:  # solved without the mix, and said so
        return [model(p, False) for p in parts], None, [f"week: {exc}"]


def _collect(parts, solved, grid, shapes, clock, penalty_iv, gap, node_limit) -> tuple[dict, list]:
    """The plan's figures (cost and penalty in currency, bounds, status, per part) and its shift rows
    from every part's solution."""
    stats = dict(cost=0.0, penalty=0.0, lp_bound=0.0, dual_bound=0.0, parts=len(parts), status="optimal",
                 part_figures=[])
    if solved and all(m.agent_col >= 0 for _, m in solved):  # the week's agent count the mix rows hold for
        stats["mix_agents"] = sum(float(sol.values[m.agent_col]) for sol, m in solved)
    rows = []
    for part, (sol, m) in zip(parts, solved):
        x = np.rint(sol.values).astype(np.int64)
        shortfall = float(sol.values[len(x) - m.n_short:].sum()) if m.n_short else 0.0
        penalty = shortfall * (penalty_iv or 0.0)
        stats["penalty"] += penalty
        stats["cost"] += sol.objective - penalty
        stats["lp_bound"] += sol.lp_bound
        stats["dual_bound"] += sol.bound
        if sol.timed_out:
            stats["status"] = "time_limit"
        elif sol.gap() > gap + 1e-9 and stats["status"] == "optimal":
            stats["status"] = "node_limit" if node_limit is not None else "time_limit"
        stats["part_figures"].append(dict(queue=part.queue, day=int(part.ivs[0]) // grid.per_day,
                                          objective=sol.objective, lp_bound=sol.lp_bound, bound=sol.bound,
                                          found_by=sol.found_by, time_s=round(sol.time_s, 3)))
        rows.extend(extract_shifts(part.queue, part.tpl, part.start, x, m, shapes, clock, grid.interval_min))
    return stats, rows


def _share_time(parts: list[_Part], solve_one, deadline: float, workers: int) -> list:
    """``solve_one(part, budget_s)`` for every part, ``workers`` at once. A part starting gets the
    time still free on all workers (not promised to running parts) in proportion to its size among
    the parts not yet started (at least ``_MIN_PART_BUDGET_S``, at most the time left)."""
    lock = threading.Lock()
    pending = [float(sum(p.size for p in parts))]
    promised: dict[int, float] = {}

    def run(k: int):
        with lock:
            now = time.perf_counter()
            left = max(deadline - now, 0.0)
            busy = sum(max(end - now, 0.0) for end in promised.values())
            share = parts[k].size / pending[0] if pending[0] > 0 else 1.0
            pending[0] -= parts[k].size
            budget = max(min(left, (left * workers - busy) * share), _MIN_PART_BUDGET_S)
            promised[k] = now + budget
        try:
            return solve_one(k, budget)
        finally:
            with lock:
                promised.pop(k)

    if workers == 1:
        return [run(k) for k in range(len(parts))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, range(len(parts))))
