"""A queue for ``staff`` and ``simulate`` from the command line: the config's queue with the queue
flags on top (or the flags alone), and the forecast / plan file read with the history checks."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ..config import ConfigError, InputError, PlanConfig, QueueConfig, load_config, parse_config
from ..config.schema import QUEUE_TARGET_NAMES
from .common import blame_flags, flag_name

__all__ = ["queue_from_args", "one_queue", "read_plan_file", "QueueFile", "read_queue_file"]


def _queue_flag_of(args):
    """Problem key -> the queue flag that set its value (None: the value came from the config)."""
    def flag_of(key: str) -> str | None:
        name = key.rsplit(".", 1)[-1]
        return flag_name(key) if getattr(args, name, None) is not None else None
    return flag_of


def _config_queue(args) -> tuple:
    """``(config, raw queue table, raw plan table, queue name)`` of ``--config``/``--queue``
    (no config: empty tables and the name ``--queue`` or "queue")."""
    if not args.config:
        return None, {}, {}, args.queue or "queue"
    config = load_config(args.config)
    names = list(config.queues)
    name = args.queue or (names[0] if len(names) == 1 else None)
    if name is None:
        raise InputError(f"--queue: the config has several queues ({', '.join(names)}); say which one")
    if name not in config.queues:
        raise InputError(f"--queue {name}: no such queue in {args.config} (queues: {', '.join(names)})")
    raw_q = {**config.raw.get("defaults", {}), **config.raw["queues"][name]}
    plan = {"interval_min": config.interval_min}
    if config.timezone:
        plan["timezone"] = config.timezone
    return config, raw_q, plan, name


def _apply_queue_flags(args, raw_q: dict) -> None:
    """Put the queue flags that were given (targets, handle time, patience, ...) into ``raw_q``."""
    targets = dict(raw_q.get("targets", {}))
    for flag in (*QUEUE_TARGET_NAMES, "awt_s"):  # the targets table's keys; max_occupancy is a queue key
        v = getattr(args, flag, None)
        if v is not None:
            targets[flag] = v
    if targets:
        raw_q["targets"] = targets
    for flag in ("aht_s", "patience_s", "max_occupancy", "shrinkage", "concurrency"):
        v = getattr(args, flag, None)
        if v is not None:
            raw_q[flag] = v
    if args.aht_by_concurrency_s:
        try:
            raw_q["aht_by_concurrency_s"] = [float(x) for x in args.aht_by_concurrency_s.split(",")]
        except ValueError:
            raise InputError(f"--aht-by-concurrency-s: expected numbers like 360,450,560, "
                             f"got {args.aht_by_concurrency_s!r}") from None
    if raw_q.get("concurrency", 1) > 1 and "kind" not in raw_q:
        raw_q["kind"] = "chat"


def queue_from_args(args, volume_file: Path):
    """The queue parameters: the config's queue with the flags on top, or the flags alone.

    Returns ``(plan config with that one queue, the queue, where the interval comes from (None:
    the file's own), the queue name to select in the file (None: the file's only queue))``.
    """
    config, raw_q, plan, qname = _config_queue(args)
    raw_q = dict(raw_q)
    raw_q["history"] = str(volume_file.resolve())
    raw_q.pop("time_col", None), raw_q.pop("volume_col", None), raw_q.pop("aht_col", None)
    raw_q.pop("queue_col", None), raw_q.pop("queue_value", None)
    _apply_queue_flags(args, raw_q)
    if args.interval_min:
        plan["interval_min"] = args.interval_min
    if args.timezone:
        plan["timezone"] = args.timezone
    raw = {"plan": plan, "queues": {qname: raw_q}}
    if config is None and "interval_min" not in plan:
        raw["plan"]["interval_min"] = 30  # replaced by the file's interval below
    try:
        cfg = parse_config(raw, base_dir=Path.cwd())
    except ConfigError as exc:
        flag_of = (lambda k: flag_name(k)) if config is None else _queue_flag_of(args)
        raise blame_flags(exc, flag_of, args.config) from None
    if args.interval_min:
        interval_from = f"--interval-min {args.interval_min}"
    elif config is not None:
        interval_from = f"plan.interval_min = {config.interval_min} in {args.config}"
    else:
        interval_from = None  # the file's own interval
    queue_name = qname if config is not None else args.queue
    return cfg, cfg.queues[qname], interval_from, queue_name


def one_queue(h: pd.DataFrame, path: Path, name: str | None) -> tuple[pd.DataFrame, str | None]:
    """The rows of queue ``name`` of a file with a queue column (without the column), and the queue.

    A file without a queue column is taken as it is; without ``name`` the file must hold one queue."""
    import pandas as pd

    if "queue" not in h:
        return h, name
    values = list(pd.unique(h["queue"].astype(str)))
    shown = ", ".join(values[:8]) + (", ..." if len(values) > 8 else "")
    if name is None:
        if len(values) > 1:
            raise InputError(f"{path} holds several queues (queue column: {shown}); choose one with --queue")
        name = values[0]
    elif name not in values:
        raise InputError(f"{path}: no rows of queue {name!r}; its queue column holds {shown} "
                         "(choose one of them with --queue, or give a file of that queue)")
    out = h[h["queue"].astype(str) == name].drop(columns="queue").reset_index(drop=True)
    out.attrs.update(h.attrs)
    return out, name


def read_plan_file(path: Path, args, tz: str | None, interval_s: int | None, extra_cols=(),
                    interval_from: str | None = None) -> pd.DataFrame:
    """Read a forecast / volume / plan file with forecast.read_history's checks. A file whose own
    interval differs from ``interval_s`` (given by ``interval_from``) is refused."""
    from forecast.history import read_history

    if not path.is_file():
        raise InputError(f"file not found: {path}")
    try:
        h = read_history(path, volume_col=args.volume_col or "volume", tz=tz, interval_s=interval_s)
    except ValueError as exc:
        if interval_s is not None:
            try:
                own = int(read_history(path, volume_col=args.volume_col or "volume", tz=tz).attrs["interval_s"])
            except ValueError:
                own = None
            if own is not None and own != interval_s:
                raise InputError(f"{path} has {own // 60}-minute intervals ({own} s), not the "
                                 f"{interval_s // 60} minutes of {interval_from or 'the plan'}; give "
                                 f"--interval-min {own // 60} or a file at {interval_s // 60}-minute intervals") from None
        raise InputError(str(exc)) from None
    for c in extra_cols:  # read again with that column as the value: same rows, same order, same checks
        try:
            other = read_history(path, volume_col=c, tz=tz, interval_s=interval_s)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        h[c] = other["volume"].to_numpy()
    return h


@dataclass
class QueueFile:
    """A forecast / plan file of one queue: ``frame`` (``interval_start``, ``volume``, ``aht_s``
    seconds and any extra columns), its ``queue``, and ``config`` holding only that queue at the
    file's interval ``interval_s`` (seconds)."""

    config: PlanConfig
    queue: QueueConfig
    frame: pd.DataFrame
    interval_s: int


def read_queue_file(args, path: Path, extra_cols=()) -> QueueFile:
    """``staff`` / ``simulate``'s input file for the queue of :func:`queue_from_args`: cut to that
    queue, at the interval the flags or config give (else the file's own), with handle times filled
    from the queue's when the file has none."""
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    cfg, q, interval_from, queue_name = queue_from_args(args, path)
    interval_known = interval_from is not None
    h = read_plan_file(path, args, cfg.timezone, cfg.interval_s if interval_known else None,
                       extra_cols=extra_cols, interval_from=interval_from)
    interval_s = cfg.interval_s if interval_known else int(h.attrs["interval_s"])
    h, queue_name = one_queue(h, path, queue_name)
    if queue_name is not None and queue_name != q.name:  # flags only: label with the file's queue
        q = replace(q, name=queue_name)
        cfg = replace(cfg, queues={queue_name: q})
    cfg = replace(cfg, interval_s=interval_s)
    if "aht_s" not in h or h["aht_s"].isna().any():
        fill = q.mean_handle_s
        if fill is None:
            raise InputError(f"{path}: no aht_s column (or empty values); give --aht-s")
        h["aht_s"] = h["aht_s"].fillna(fill) if "aht_s" in h else fill
    return QueueFile(cfg, q, h, interval_s)
