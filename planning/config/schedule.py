"""The plan's ``[schedule]`` section: shift rules for :mod:`scheduling` plus what to schedule.

One table holds two kinds of keys:

- the rules, read by :func:`scheduling.rules_from_dict` (``templates``, ``contracts``, ``weekly``,
  ``costs``, ``coverage``; see docs/scheduling.md); its :class:`scheduling.RulesError` problems are
  reported here as ``schedule.<location>`` (``schedule.templates[0].breaks[1].length_min``);
- the planning keys of :class:`ScheduleTable`: ``queues`` (default: all), ``weeks`` (full plan weeks
  of the horizon to schedule, weeks start on ``[plan] week_start``), ``time_limit_s`` (seconds for
  one shift cover of a week, all queues), ``roster`` (optional agents file, relative to the plan
  file), ``seed`` (roster ties and the simulated absence), ``check`` (simulate the roster with
  drawn absence and add shifts where a target is missed), ``node_limit`` (branch-and-bound nodes per
  solver run: with a ``time_limit_s`` the cover always stays within, the schedule is the same on
  every run), ``contract_mix`` (the cover keeps the contracts' shares rosterable; see
  docs/scheduling.md).

A scheduled queue should give ``shrinkage_unplanned`` (absence): only it grosses up the requirement
the cover must meet; breaks and meals are placed by the cover. A queue with only the total
``shrinkage`` is grossed up by all of it (breaks then count twice; the schedule summary says so).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, ValidationError

from scheduling import RulesError, ScheduleRules, rules_from_dict

from .problems import problems_from, unknown_key_message
from .schema import Flag, Integer, Number, Range, Text

__all__ = ["ScheduleTable", "ScheduleConfig", "parse_schedule", "RULE_KEYS"]

RULE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ScheduleRules))


class ScheduleTable(BaseModel):
    """The planning keys of ``[schedule]`` (the rule keys are :data:`RULE_KEYS`)."""

    model_config = ConfigDict(extra="forbid")
    queues: Optional[list[Text]] = None
    weeks: Annotated[Integer, Range(1, 8)] = 1
    time_limit_s: Annotated[Number, Range(0.0, 3600.0, lo_open=True)] = 10.0
    roster: Optional[Text] = None
    seed: Annotated[Integer, Range(0)] = 0
    check: Flag = True
    check_draws: Optional[Annotated[Integer, Range(2)]] = None
    node_limit: Optional[Annotated[Integer, Range(1)]] = None
    contract_mix: Flag = True


@dataclass(frozen=True)
class ScheduleConfig:
    """The validated ``[schedule]``: ``rules`` for :mod:`scheduling`, the ``queues`` to schedule,
    ``weeks`` full plan weeks, ``time_limit_s`` seconds per week's cover, ``roster`` (resolved path
    or None: numbered agents by contract share), ``seed``, ``check`` (simulation check of the roster),
    ``check_draws`` (its absence draws, one simulation replication each; None: one per
    ``[simulation] replications``, at least 3), ``node_limit`` and ``contract_mix`` (passed to
    :func:`scheduling.solve_cover`)."""

    rules: ScheduleRules
    queues: tuple[str, ...]
    weeks: int = 1
    time_limit_s: float = 10.0
    roster: Path | None = None
    seed: int = 0
    check: bool = True
    check_draws: int | None = None
    node_limit: int | None = None
    contract_mix: bool = True


_KNOCK_ON = re.compile(r"^templates\[\d+\]\.contracts\[\d+\]: expected one of \[\], ")


def _rule_problems(exc: RulesError) -> list[tuple[str, str]]:
    """``"templates[0].length_h: expected ..."`` -> ``("schedule.templates[0].length_h", "expected ...")``.
    A template's contract is not reported as unknown when the contracts themselves failed (the
    library then checks the templates against no contracts: ``expected one of []``)."""
    out = []
    for p in exc.problems:
        if _KNOCK_ON.match(p):
            continue
        loc, _, msg = p.partition(": ")
        out.append((f"schedule.{loc}", msg) if msg else ("schedule", p))
    return out


def parse_schedule(table: Any, raw: dict, queues: dict, base: Path,
                   check_files: bool) -> tuple[ScheduleConfig | None, list[tuple[str, str]]]:
    """``(config, problems)`` of the ``[schedule]`` table; every problem at once, dotted keys.

    ``queues`` are the plan's valid queues (name -> QueueConfig); ``raw`` the whole document (to
    tell a queue's own keys from ``[defaults]``); ``base`` the plan file's folder."""
    if not isinstance(table, dict):
        return None, [("schedule", f"expected a table [schedule], got {type(table).__name__}")]
    planning_keys = set(ScheduleTable.model_fields)
    allowed = planning_keys | set(RULE_KEYS)
    problems = [(f"schedule.{k}", unknown_key_message(k, allowed)) for k in table if k not in allowed]
    own = {k: v for k, v in table.items() if k in planning_keys}
    try:
        t = ScheduleTable.model_validate(own)
    except ValidationError as exc:
        t, problems = None, problems + problems_from(exc, ScheduleTable, "schedule.")
    try:
        rules = rules_from_dict({k: v for k, v in table.items() if k in RULE_KEYS})
    except RulesError as exc:
        rules, problems = None, problems + _rule_problems(exc)
    names = list(raw.get("queues", {})) if isinstance(raw.get("queues"), dict) else []
    given = own.get("queues")
    chosen = list(given) if isinstance(given, list) else names
    for i, q in enumerate(chosen):
        if isinstance(q, str) and q not in names:
            problems.append((f"schedule.queues[{i}]", f"no queue {q!r}; expected one of {', '.join(names)}"))
    if given == []:
        problems.append(("schedule.queues", "expected at least one queue (leave it out for all)"))
    if rules is not None:
        for i, tpl in enumerate(rules.templates):
            for j, q in enumerate(tpl.queues):
                if q not in names:
                    problems.append((f"schedule.templates[{i}].queues[{j}]", f"no queue {q!r}; expected one of "
                                     f"{', '.join(names)}"))
    roster, text = None, own.get("roster")
    if isinstance(text, str):  # checked even when another planning key is bad
        roster = Path(text) if Path(text).is_absolute() else base / text
        if check_files and not roster.is_file():
            problems.append(("schedule.roster", f"roster file not found: {roster}"))
    if problems:
        return None, problems
    return ScheduleConfig(rules=rules, queues=tuple(chosen), weeks=t.weeks, time_limit_s=t.time_limit_s,
                          roster=roster, seed=t.seed, check=t.check, check_draws=t.check_draws,
                          node_limit=t.node_limit,
                          contract_mix=t.contract_mix), []
