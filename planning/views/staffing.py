"""Staffing page: agents per interval and headcount for one queue, the fields of its targets form
(read from the one list of targets, :data:`core.TARGET_SPECS`), and the frames of its charts."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core import TARGET_SPECS

from ..config import InputError, PlanConfig, QueueConfig
from ..headcount import per_full_week
from .common import DAY_NAMES, config_error_text, weekday_order, local_time_frame, segments, service_columns, share_text
from .settings import QUEUE_LEVEL_TARGETS, extend_handle_times, setting_text, with_queue_settings

__all__ = ["SettingField", "setting_fields", "parameter_fields", "requirements_for_queue", "headcount_for_queue", "staffing_summary", "roster_fte", "checked_settings",
           "targets_text", "shrinkage_text", "queue_model_text", "staffing_days", "day_labels", "days_shown", "open_intervals_shown",
           "headcount_table"]

def requirements_for_queue(config: PlanConfig, forecast: pd.DataFrame, queue: str) -> pd.DataFrame:
    """Agents per interval (analytic queueing model) for one queue's forecast. A forecast whose
    handle times are the plan's configured ones (``attrs["aht_configured"]``, set by
    :func:`~planning.views.forecast.forecast_queue`) takes ``config``'s, so that a handle time
    changed on the Staffing page sizes the agents."""
    from ..pipeline import requirements_for

    q = config.queues[queue]
    configured = forecast.attrs.get("aht_configured", False)
    f = forecast[forecast["queue"] == queue] if "queue" in forecast else forecast
    if configured and q.mean_handle_s is not None:
        f = f.assign(aht_s=float(q.mean_handle_s))
    return requirements_for(q, f, config.interval_s)


def headcount_for_queue(config: PlanConfig, req: pd.DataFrame, queue: str) -> pd.DataFrame:
    """FTE per week for one queue's requirements."""
    from ..headcount import headcount

    return headcount(req, interval_s=config.interval_s, shrinkage={queue: config.queues[queue].shrinkage},
                     paid_hours_per_week=config.headcount.paid_hours_per_week, week_start=config.week_start)


def staffing_summary(req: pd.DataFrame, hc: pd.DataFrame, interval_s: int) -> dict:
    """Headcount (FTE per full week, see :func:`planning.headcount.per_full_week`), peak agents,
    agent-hours and scheduled hours over the horizon."""
    h = interval_s / 3600.0
    return {"fte_per_week": float(per_full_week(hc).sum()) if len(hc) else float("nan"),
            "fte_scheduled_per_week": float(per_full_week(hc, "fte_scheduled").sum()) if len(hc) else float("nan"),
            "peak_agents": int(req["agents"].max()) if len(req) else 0,
            "agent_hours": float(req["agents"].sum() * h),
            "scheduled_hours": float(req["scheduled"].sum() * h)}


def roster_fte(stored, queue: str) -> dict | None:
    """The queue's FTE on the roster basis, as the CLI headline gives it when a schedule exists:
    rostered paid hours of the scheduled week / paid hours per FTE and week, from ``stored`` (a
    :class:`~planning.views.schedule.StoredSchedule`, the newest stored run with a schedule).
    ``{"fte_per_week", "run_id", "created_at_utc"}``, or None when there is no stored schedule or it
    has no figure for ``queue``. It is the plan as stored: targets changed on the page are not
    rescheduled."""
    if stored is None:
        return None
    fte = stored.summary.get("by_queue", {}).get(queue, {}).get("fte_per_week")
    if fte is None:
        return None
    return {"fte_per_week": float(fte), "run_id": stored.run_id, "created_at_utc": stored.created_at_utc}


# --------------------------------------------------------------------------- the targets form


@dataclass(frozen=True)
class SettingField:
    """One number a planner sets for a queue on the Staffing page, in the units it is shown in.

    ``name`` is the keyword of :func:`~planning.views.settings.with_queue_settings` (a target of
    :data:`core.TARGET_SPECS`, ``awt_s``, ``shrinkage`` or ``concurrency``); ``value`` the queue's
    current value, shown; the setting is ``shown * scale`` (``scale`` 0.01 for a share shown in %),
    a whole number when ``whole``. ``slider`` asks for a slider instead of a number box; ``text``
    for a text box (opening hours, handle times by concurrency as ``"360, 450, 560"``).
    ``bounded`` False leaves the range to the plan's schema (its message, keyed like the file).
    ``optional``: a text box for a number the queue may not have (patience of a queue without one):
    empty is None (as the plan has it), a number is the setting.
    """

    name: str
    label: str
    minimum: float
    maximum: float
    step: float
    value: float
    scale: float = 1.0
    whole: bool = False
    slider: bool = False
    help: str = ""
    text: bool = False
    bounded: bool = True
    optional: bool = False

    def setting(self, shown):
        """The setting for a shown value (a share for a percentage; a tuple of seconds for
        handle times by concurrency; the text of opening hours)."""
        if self.optional:
            return _optional_number(shown)
        if self.text:
            return _seconds_list(shown) if self.name == "aht_by_concurrency_s" else str(shown).strip()
        return int(shown) if self.whole else shown * self.scale

    def problem(self, shown) -> str | None:
        """Why ``shown`` cannot be used (outside ``minimum``..``maximum``, or not whole), in the
        units it is shown in; None when it can (the plan's schema checks it next)."""
        if self.optional:
            if str(shown or "").strip() and _optional_number(shown) is None:
                return f"{str(shown)!r} is not a number; expected seconds, e.g. 180, or nothing for none"
            return None
        if self.text:
            if self.name == "aht_by_concurrency_s" and _seconds_list(shown) is None:
                return (f"{str(shown)!r} is not a list of seconds; expected numbers separated by commas, "
                        "e.g. 360, 450, 560")
            return None
        if shown is None:
            return "enter a number"
        if self.bounded and not self.minimum <= float(shown) <= self.maximum:
            return f"{float(shown):g} is outside {self.minimum:g} to {self.maximum:g}"
        if self.whole and float(shown) != int(shown):
            return f"{float(shown):g} is not a whole number"
        return None


# Widget bounds by the spec's unit ("share" shown in %, "s" in seconds): inside every spec's valid
# range, which a number box cannot express as an open interval.
_SHOWN_BOUNDS = {"share": (0.1, 99.9, 0.5), "s": (1.0, 3600.0, 1.0)}


def _target_field(q: QueueConfig, name: str) -> SettingField:
    spec = TARGET_SPECS[name]
    value = getattr(q if name in QUEUE_LEVEL_TARGETS else q.targets, name)
    title = spec.label.split(" (")[0]
    unit = "%" if spec.unit == "share" else spec.unit
    if spec.sense == "min":
        label = f"{title[0].upper()}{title[1:]} target ({unit})"
    elif title.startswith("maximum "):
        label = f"{title[0].upper()}{title[1:]} ({unit})"
    else:
        label = f"{title[0].upper()}{title[1:]} at most ({unit})"
    if name == "p_wait":  # what "no waiting" chat promises
        label = "No waiting: " + label
    help_ = f"{spec.label}; valid range {spec.range_text()}" + (" (as a share; shown in %)" if unit == "%" else "")
    if name == "max_occupancy":  # a cap: a slider over the sensible caps
        return SettingField(name, label, 50, 100, 1, int(round(100 * (value if value is not None else 1.0))),
                            scale=0.01, slider=True, help=help_)
    lo, hi, step = _SHOWN_BOUNDS[spec.unit]
    if unit == "%":
        return SettingField(name, label, lo, 100.0 if spec.high_inclusive else hi, step, round(100 * value, 2),
                            scale=0.01, help=help_)
    return SettingField(name, label, lo, hi, step, float(value), help=help_)


def setting_fields(q: QueueConfig) -> list[SettingField]:
    """The fields of the queue's targets form: its targets (from :data:`core.TARGET_SPECS`, the AWT
    after the service level), chat concurrency and the occupancy cap (last). Shrinkage is one of
    :func:`parameter_fields`."""
    fields = []
    for name in TARGET_SPECS:
        if name in QUEUE_LEVEL_TARGETS or getattr(q.targets, name) is None:
            continue
        fields.append(_target_field(q, name))
        if name == "service_level":
            fields.append(SettingField("awt_s", "Answered within (AWT, s)", 0.0, 3600.0, 5.0, float(q.targets.awt_s),
                                       help="acceptable waiting time of the service level, seconds"))
    if q.kind == "chat":
        fields.append(SettingField("concurrency", "Concurrency (chats per agent)", 1, 10, 1, int(q.concurrency),
                                   whole=True, help="chats one agent holds at once"))
    fields += [_target_field(q, name) for name in QUEUE_LEVEL_TARGETS]
    return fields


def _optional_number(text) -> float | None:
    """``" 180 "`` as ``180.0``; None when empty or not a number."""
    try:
        return float(str(text or "").strip())
    except ValueError:
        return None


def _seconds_list(text) -> tuple | None:
    """``"360, 450, 560"`` as ``(360.0, 450.0, 560.0)``; None when it is not such a list."""
    try:
        return tuple(float(part) for part in str(text).replace(";", ",").split(","))
    except ValueError:
        return None


def parameter_fields(config: PlanConfig, queue: str) -> list[SettingField]:
    """The fields of the queue's parameters: handle time (voice: ``aht_s``; chat: per-chat handle
    times by chats held), patience, shrinkage by category (planned: breaks, meals, scheduled
    training; unplanned: absence, sickness; the total when the plan gives only that), paid hours
    per FTE (plan-wide) and opening hours per day in the plan's week order. Ranges are the plan
    schema's (its messages), shrinkage up to 90 %."""
    q = config.queues[queue]
    out = []
    if q.aht_by_concurrency_s:
        out.append(SettingField("aht_by_concurrency_s", "Handle time per chat by chats held (s)", 0, 0, 0,
                                setting_text("aht_by_concurrency_s", q.aht_by_concurrency_s), text=True,
                                help=f"seconds per chat when an agent holds 1, 2, ... {q.concurrency} chats, "
                                     "separated by commas; one per concurrency level"))
    elif q.aht_s is not None:
        out.append(SettingField("aht_s", "Handle time (AHT, s)", 0.0, 86_400.0, 5.0, float(q.aht_s), bounded=False,
                                help="average handle time of one contact, seconds (used where the history has "
                                     "no handle times)"))
    if q.patience_s is not None:
        out.append(SettingField("patience_s", "Patience (mean, s)", 0.0, 86_400.0, 5.0, float(q.patience_s),
                                bounded=False, help="mean time a waiting contact waits before abandoning, seconds"))
    else:  # a queue without patience (nobody abandons) can be given one
        out.append(SettingField("patience_s", "Patience (mean, s; empty: none)", 0.0, 86_400.0, 0.0, "", text=True,
                                optional=True, help="mean time a waiting contact waits before abandoning, seconds; "
                                                    "the plan gives none (nobody abandons): enter one to size the "
                                                    "queue with abandonment (Erlang A)"))
    if q.shrinkage_planned is not None:
        out += [SettingField("shrinkage_planned", "Planned shrinkage (%)", 0.0, 90.0, 0.5,
                             round(100 * q.shrinkage_planned, 2), scale=0.01,
                             help="breaks, meals, scheduled training and meetings: share of paid time"),
                SettingField("shrinkage_unplanned", "Unplanned shrinkage (%)", 0.0, 90.0, 0.5,
                             round(100 * q.shrinkage_unplanned, 2), scale=0.01,
                             help="absence, sickness, lateness: share of the time left after planned shrinkage")]
    else:
        out.append(SettingField("shrinkage", "Shrinkage (%)", 0.0, 90.0, 1.0, round(100 * q.shrinkage, 2),
                                scale=0.01, help="share of paid time not available for contacts"))
    out.append(SettingField("paid_hours_per_week", "Paid hours per FTE and week", 0.0, 168.0, 0.5,
                            float(config.headcount.paid_hours_per_week), bounded=False,
                            help="paid hours of one full-time agent per week; the plan's, for every queue"))
    hours = q.hours.describe()
    order = [d.lower() for d in weekday_order(config.week_start)]
    out += [SettingField(f"hours_{d}", f"{DAY_NAMES[d]} hours", 0, 0, 0, hours[d], text=True,
                         help='opening hours like "07:00-24:00", "08:00-12:00, 13:00-17:00", "24h" or "closed"')
            for d in order]
    return out


def checked_settings(config: PlanConfig, queue: str, fields: list[SettingField],
                     shown: dict) -> tuple[dict, dict[str, str]]:
    """Split the form's ``shown`` values (field name -> value in shown units) into the settings
    that can be used and the reasons the others cannot: ``(settings, problems)``. ``config`` is
    the plan with the settings in force (each new value is checked with the others in force).

    Each value is checked against its field's range and then like the plan TOML, keyed like the
    file (``queues.voice.aht_s: out of range: ...``): all together first, and when that fails one
    by one (so one bad value does not hold back the good ones), a value refused alone once more
    with the good ones (e.g. four handle times with concurrency 4 given in the same form)."""
    settings, problems = {}, {}
    for field in fields:
        why = field.problem(shown.get(field.name))
        if why is None:
            settings[field.name] = field.setting(shown.get(field.name))
        else:
            problems[field.name] = f"{field.label}: {why}; not applied."
    _follow_concurrency(config.queues[queue], settings)
    if _refusal(config, queue, settings) is None:
        return settings, problems
    alone = {name: _refusal(config, queue, {name: value}) for name, value in settings.items()}
    good = {name: settings[name] for name, why in alone.items() if why is None}
    labels = {f.name: f.label for f in fields}
    for name, why in alone.items():
        if why is not None and _refusal(config, queue, {**good, name: settings[name]}) is not None:
            problems[name] = f"{labels[name]}: {why}; not applied."
        elif why is not None:
            good[name] = settings[name]
    return good, problems


def _follow_concurrency(q: QueueConfig, settings: dict) -> None:
    """Handle times by concurrency left as the queue ``q`` has them while the concurrency changes
    follow it (the list cut or extended by its last step), as :func:`with_queue_settings` does for
    a concurrency given alone."""
    curve, k = settings.get("aht_by_concurrency_s"), settings.get("concurrency")
    if curve is None or k is None or len(curve) == int(k) or q.aht_by_concurrency_s is None:
        return
    if tuple(curve) == tuple(q.aht_by_concurrency_s):
        settings["aht_by_concurrency_s"] = tuple(extend_handle_times(curve, int(k)))


def _refusal(config: PlanConfig, queue: str, settings: dict) -> str | None:
    """Why the plan file would refuse ``settings`` for ``queue`` (None: it takes them)."""
    try:
        with_queue_settings(config, queue, **settings)
    except InputError as exc:
        return config_error_text(exc)
    return None


# --------------------------------------------------------------------------- texts and chart frames


def targets_text(q: QueueConfig) -> str:
    """The queue's targets in words: ``"service level (...) >= 80%, ASA: ... <= 10 s"``."""
    return ", ".join(f"{label} {'>=' if TARGET_SPECS[col].sense == 'min' else '<='} "
                     + (share_text(v) if unit == "share" else f"{v:g} s")
                     for col, label, v, unit in service_columns(q) if v is not None)


def shrinkage_text(q: QueueConfig) -> str:
    """The queue's shrinkage in words: ``"shrinkage 30% (planned 12.5% and unplanned 20%, compounded)"``."""
    if q.shrinkage_planned is None:
        return f"shrinkage {share_text(q.shrinkage)}"
    return (f"shrinkage {share_text(q.shrinkage)} (planned {share_text(q.shrinkage_planned)} and unplanned "
            f"{share_text(q.shrinkage_unplanned)}, compounded)")


def queue_model_text(q: QueueConfig) -> str:
    """The analytic model that sizes the queue, in words (with its redials and callbacks, if any)."""
    if q.kind == "chat":
        text = f"chat with concurrency {q.concurrency}"
    else:
        text = f"Erlang A (patience {q.patience_s:g} s)" if q.patience_s else "Erlang C"
    if q.retrial_prob > 0:
        text += f", {q.retrial_prob:.0%} of those who hang up redial after {q.retrial_delay_s:g} s on average"
    if q.callback_accept_prob > 0:
        text += (f"; callbacks (simulation) above {q.callback_threshold_s:g} s expected wait, "
                 f"{q.callback_accept_prob:.0%} accept, promised within {q.callback_promise_s:g} s")
    return text


def staffing_days(req: pd.DataFrame) -> pd.DataFrame:
    """The requirements in plan-local time with ``day`` ("Sat 01 Jan") and ``time_of_day`` ("HH:MM")."""
    f = local_time_frame(req)
    f["day"] = f["time"].dt.strftime("%a %d %b")
    f["time_of_day"] = f["time"].dt.strftime("%H:%M")
    return f


def day_labels(frame: pd.DataFrame) -> list[str]:
    """The days of :func:`staffing_days`, in order."""
    return frame["day"].drop_duplicates().tolist()


def days_shown(frame: pd.DataFrame, shown: list[str]) -> pd.DataFrame:
    """The rows of :func:`staffing_days` on the days ``shown``."""
    return frame[frame["day"].isin(shown)]


def open_intervals_shown(frame: pd.DataFrame, shown: list[str], interval_s: int) -> pd.DataFrame:
    """The open intervals of the days ``shown``, with ``block`` (one chart line per open block)."""
    d = frame[frame["open"] & frame["day"].isin(shown)].copy()
    d["block"] = segments(d["interval_start"], interval_s)
    return d


def headcount_table(hc: pd.DataFrame) -> pd.DataFrame:
    """Headcount per week with ``week_start`` as a date text (YYYY-MM-DD)."""
    return hc.assign(week_start=hc["week_start"].dt.strftime("%Y-%m-%d"))
