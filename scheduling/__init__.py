"""Shift scheduling and rostering for contact-center staffing.

Takes a requirement per interval (agents needed on duty, per queue) and rules; returns shifts with
placed breaks (integer programming), weekly rosters per agent, headcount and exports. Imports
neither ``forecast`` nor ``simulation`` nor ``planning``.
"""
from .agents import Agent, agents_from_frame, generate_agents
from .check import Violation, check_roster
from .cover import solve_cover
from .plan import ShiftPlan
from .report import Headcount, headcount, write_ical
from .roster import Roster, build_roster
from .rules import (WEEKDAYS, BreakRule, Contract, CostRules, Premium, RulesError, ScheduleRules, ShiftTemplate,
                    WeeklyRules, rules_from_dict)

__all__ = [
    "WEEKDAYS", "BreakRule", "ShiftTemplate", "Contract", "WeeklyRules", "Premium", "CostRules", "ScheduleRules",
    "RulesError", "rules_from_dict", "Agent", "agents_from_frame", "generate_agents", "solve_cover", "ShiftPlan",
    "build_roster", "Roster", "check_roster", "Violation", "headcount", "Headcount", "write_ical",
]
