"""Agents: who may be rostered, on which queues and when."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

import pandas as pd

from .rules import WEEKDAYS, RulesError, ScheduleRules

__all__ = ["Agent", "agents_from_frame", "generate_agents"]

_WIN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Agent:
    """An agent on ``contract``. ``skills``: queues the agent may work (empty = every queue).
    ``availability``: weekday -> ``(from_min, to_min)`` window a shift starting that day must lie
    in (minutes after midnight; ``to_min`` up to 2880 for shifts ending after midnight), or None
    when not available that day; weekdays not listed are fully available."""

    agent_id: str
    contract: str
    skills: tuple[str, ...] = ()
    availability: Mapping[str, tuple[int, int] | None] = field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.skills, (list, set, frozenset)):
            object.__setattr__(self, "skills", tuple(sorted(self.skills)))
        problems = []
        if not isinstance(self.agent_id, str) or not self.agent_id:
            problems.append(f"agent_id: expected a non-empty string, got {self.agent_id!r}")
        if not isinstance(self.contract, str) or not self.contract:
            problems.append(f"contract: expected a contract name, got {self.contract!r}")
        if not all(isinstance(s, str) and s for s in self.skills):
            problems.append(f"skills: expected queue names, got {self.skills!r}")
        for day, win in dict(self.availability).items():
            ok = day in WEEKDAYS and (win is None or (len(win) == 2 and 0 <= win[0] < win[1] <= 2880))
            if not ok:
                problems.append(f"availability.{day}: expected a weekday -> (from_min, to_min) with "
                                f"0 <= from < to <= 2880 or None, got {win!r}")
        if problems:
            raise RulesError(problems)

    def can_work(self, queue: str) -> bool:
        return not self.skills or queue in self.skills

    def window(self, weekday: str) -> tuple[int, int] | None:
        """Allowed (from_min, to_min) on ``weekday``; None when unavailable."""
        return self.availability.get(weekday, (0, 2880))


def _parse_window(text, loc: str, problems: list[str]):
    if text is None or (isinstance(text, float) and pd.isna(text)) or str(text).strip() in ("", "any"):
        return "any"
    if str(text).strip().lower() == "off":
        return None
    m = _WIN.match(str(text))
    if not m:
        problems.append(f"{loc}: expected 'HH:MM-HH:MM', 'off' or empty, got {text!r}")
        return "any"
    a = int(m.group(1)) * 60 + int(m.group(2))
    b = int(m.group(3)) * 60 + int(m.group(4))
    if b <= a:
        b += 1440  # ends after midnight
    if a >= 1440 or b > 2880:
        problems.append(f"{loc}: expected clock times within a day, got {text!r}")
        return "any"
    return (a, b)


def agents_from_frame(frame: pd.DataFrame, rules: ScheduleRules | None = None) -> list[Agent]:
    """Agents from a roster table: ``agent_id, contract``, optional ``skills`` (queues joined by
    ``;`` or ``,``; empty = all) and optional weekday columns ``mon .. sun`` holding
    ``"HH:MM-HH:MM"`` (the window), ``"off"`` or empty (any time). Reports every bad cell at once."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"agents: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in ("agent_id", "contract") if c not in frame]
    if missing:
        raise ValueError(f"agents: expected columns agent_id and contract, missing {missing}")
    problems: list[str] = []
    names = {k.name for k in rules.contracts} if rules is not None else None
    out, seen = [], set()
    for i, row in enumerate(frame.to_dict("records")):
        aid = str(row["agent_id"])
        if aid in seen:
            problems.append(f"agents[{i}].agent_id: expected a unique id, got {aid!r} again")
        seen.add(aid)
        if names is not None and row["contract"] not in names:
            problems.append(f"agents[{i}].contract: expected one of {sorted(names)}, got {row['contract']!r}")
        raw = row.get("skills")
        skills = () if raw is None or (isinstance(raw, float) and pd.isna(raw)) else \
            tuple(s.strip() for s in re.split(r"[;,]", str(raw)) if s.strip())
        avail = {}
        for day in WEEKDAYS:
            if day in row:
                win = _parse_window(row[day], f"agents[{i}].{day}", problems)
                if win != "any":
                    avail[day] = win
        try:
            out.append(Agent(aid, str(row["contract"]), skills, avail))
        except RulesError as exc:
            problems.extend(f"agents[{i}].{p}" for p in exc.problems)
    if problems:
        raise RulesError(problems)
    return out


def generate_agents(rules: ScheduleRules, n: int, *, start: int = 1, queues=(), contracts=None) -> list[Agent]:
    """``n`` numbered agents (``A0001``...) split by contract: fixed ``count`` first, the rest by
    ``share`` (largest remainders; equal shares when none is given), skilled on ``queues``.
    ``contracts``: the contracts to use (default all of ``rules.contracts``); shares are taken
    relative to the ones used."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n: expected an integer >= 0, got {n!r}")
    contracts = list(rules.contracts if contracts is None else contracts)
    fixed = {k.name: k.count for k in contracts if k.count is not None}
    rest = max(n - sum(fixed.values()), 0)
    shared = [k for k in contracts if k.count is None]
    weights = [k.share if k.share is not None else 1.0 for k in shared]
    total = sum(weights) or 1.0
    exact = [rest * w / total for w in weights]
    counts = [int(e) for e in exact]
    for j in sorted(range(len(exact)), key=lambda j: counts[j] - exact[j])[: rest - sum(counts)]:
        counts[j] += 1
    plan = [(k.name, k.count) for k in contracts if k.count is not None] + \
        [(k.name, c) for k, c in zip(shared, counts)]
    out = []
    for name, c in plan:
        for _ in range(c):
            out.append(Agent(f"A{start + len(out):04d}", name, tuple(queues)))
    return out
