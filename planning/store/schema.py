"""The run store's tables (SQLAlchemy Core): one row per run in ``runs``, its tables in
``run_forecast``, ``run_requirements``, ``run_simulation`` (long format: one row per metric),
``run_headcount``, and forecast accuracy scores in ``accuracy``. A run of a plan with a
``[schedule]`` also has ``run_schedule`` (one row per agent and shift), ``run_coverage`` (required
vs on duty per interval), ``run_schedule_headcount`` (people by contract, queue and week) and
``run_schedule_checks`` (intervals the simulated roster missed). These four were added to schema
version 1 without changing it: they are created in an older store when it is opened, and a store
without them reads as before (runs without a schedule have no rows there).

Times are stored as naive UTC (``*_utc``); ``*_json`` columns hold JSON text.
"""
from __future__ import annotations

import sqlalchemy as sa

__all__ = ["metadata", "SCHEMA_VERSION", "store_meta", "runs_t", "forecast_t", "requirements_t", "simulation_t",
           "headcount_t", "accuracy_t", "schedule_t", "coverage_t", "schedule_headcount_t", "schedule_checks_t",
           "FRAME_TABLES"]

SCHEMA_VERSION = 1

metadata = sa.MetaData()

store_meta = sa.Table(
    "store_meta", metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

runs_t = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("run_key", sa.String(64), nullable=False, index=True),
    sa.Column("plan_name", sa.String(200), nullable=False),
    sa.Column("created_at_utc", sa.DateTime, nullable=False),
    sa.Column("config_hash", sa.String(64), nullable=False),
    sa.Column("config_json", sa.Text, nullable=False),
    sa.Column("data_fingerprint", sa.String(64), nullable=False),
    sa.Column("inputs_json", sa.Text, nullable=False),
    sa.Column("code_version", sa.String(100), nullable=False),
    sa.Column("timezone", sa.String(64)),
    sa.Column("interval_s", sa.Integer, nullable=False),
    sa.Column("as_of", sa.String(40)),
    sa.Column("horizon_start", sa.String(40)),
    sa.Column("horizon_end", sa.String(40)),
    sa.Column("models_json", sa.Text, nullable=False),
    sa.Column("timings_json", sa.Text, nullable=False),
    sa.Column("summary_json", sa.Text, nullable=False),
)

_KEY = lambda: [  # noqa: E731 - fresh Column objects for each table
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False),
    sa.Column("queue", sa.String(100), nullable=False),
]

forecast_t = sa.Table(
    "run_forecast", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("volume", sa.Float), sa.Column("volume_p10", sa.Float), sa.Column("volume_p90", sa.Float),
    sa.Column("aht_s", sa.Float), sa.Column("model", sa.String(100)),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc"),
)

requirements_t = sa.Table(
    "run_requirements", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("open", sa.Boolean), sa.Column("volume", sa.Float), sa.Column("aht_s", sa.Float),
    sa.Column("agents_analytic", sa.Integer), sa.Column("agents", sa.Integer), sa.Column("scheduled", sa.Integer),
    sa.Column("service_level", sa.Float), sa.Column("asa_s", sa.Float), sa.Column("p_wait", sa.Float),
    sa.Column("abandon_rate", sa.Float), sa.Column("occupancy", sa.Float),
    sa.Column("agents_busy", sa.Float),  # added later: older stores get it on open (nullable)
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc"),
)

simulation_t = sa.Table(  # long format: the simulator's columns may grow
    "run_simulation", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("metric", sa.String(64), nullable=False),
    sa.Column("value", sa.Float),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc", "metric"),
)

headcount_t = sa.Table(
    "run_headcount", metadata, *_KEY(),
    sa.Column("week_start", sa.String(10), nullable=False),
    sa.Column("days", sa.Integer), sa.Column("volume", sa.Float), sa.Column("agent_hours", sa.Float),
    sa.Column("shrinkage", sa.Float), sa.Column("paid_hours", sa.Float), sa.Column("paid_hours_per_fte", sa.Float),
    sa.Column("fte", sa.Float), sa.Column("scheduled_hours", sa.Float), sa.Column("fte_scheduled", sa.Float),
    sa.Column("peak_agents", sa.Integer),
    sa.PrimaryKeyConstraint("run_id", "queue", "week_start"),
)

schedule_t = sa.Table(
    "run_schedule", metadata, *_KEY(),
    sa.Column("agent_id", sa.String(100), nullable=False),
    sa.Column("contract", sa.String(100)),
    sa.Column("date", sa.String(10)),
    sa.Column("shift_start_utc", sa.DateTime, nullable=False), sa.Column("shift_end_utc", sa.DateTime),
    sa.Column("paid_hours", sa.Float), sa.Column("breaks", sa.Text), sa.Column("template", sa.String(100)),
    sa.PrimaryKeyConstraint("run_id", "agent_id", "shift_start_utc"),
)

coverage_t = sa.Table(
    "run_coverage", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("required", sa.Float), sa.Column("on_duty", sa.Float), sa.Column("over_under", sa.Float),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc"),
)

schedule_headcount_t = sa.Table(
    "run_schedule_headcount", metadata, *_KEY(),
    sa.Column("contract", sa.String(100), nullable=False),
    sa.Column("week_start", sa.String(10), nullable=False),
    sa.Column("agents", sa.Integer), sa.Column("paid_h", sa.Float), sa.Column("fte", sa.Float),
    sa.PrimaryKeyConstraint("run_id", "queue", "contract", "week_start"),
)

schedule_checks_t = sa.Table(
    "run_schedule_checks", metadata, *_KEY(),
    sa.Column("interval_start_utc", sa.DateTime, nullable=False),
    sa.Column("round", sa.Integer, nullable=False),
    sa.Column("week_start", sa.String(10)),
    sa.Column("reason", sa.Text), sa.Column("agents_on_duty", sa.Float),
    sa.Column("required_before", sa.Integer), sa.Column("required_after", sa.Integer),
    sa.PrimaryKeyConstraint("run_id", "queue", "interval_start_utc", "round"),
)

accuracy_t = sa.Table(
    "accuracy", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(64), sa.ForeignKey("runs.run_id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("queue", sa.String(100), nullable=False),
    sa.Column("scored_at_utc", sa.DateTime, nullable=False),
    sa.Column("actuals_fingerprint", sa.String(64), nullable=False),
    sa.Column("model", sa.String(100)),
    sa.Column("lead_week", sa.Integer),  # 0 = all; 1 = days 1-7 of the horizon, ...
    sa.Column("intervals", sa.Integer),
    sa.Column("actual", sa.Float), sa.Column("forecast", sa.Float),
    sa.Column("wape", sa.Float), sa.Column("wape_evening", sa.Float), sa.Column("bias", sa.Float),
    sa.Column("coverage_p10_p90", sa.Float),
)

FRAME_TABLES = {
    "forecast": forecast_t,
    "requirements": requirements_t,
    "simulation": simulation_t,
    "headcount": headcount_t,
    "schedule": schedule_t,
    "coverage": coverage_t,
    "schedule_headcount": schedule_headcount_t,
    "schedule_checks": schedule_checks_t,
}

