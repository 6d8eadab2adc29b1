"""The simulator's inputs, checked once, and the random numbers of one replication.

:class:`SimConfig` is everything one replication needs (plain numbers, arrays and distributions, so
it pickles to worker processes); :meth:`SimConfig.build` validates the user's inputs and names the
bad argument. :func:`draw` takes all random numbers of a replication in a fixed order, the same for
both engines, so the engines see the same contacts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import QueueModel
from core.limits import check_simulation_size
from ..distributions import Distribution, Exponential
from ..settings import RunSettings

__all__ = ["SimConfig", "Draws", "draw", "default_service", "default_patience"]


@dataclass(frozen=True)
class SimConfig:
    """One simulation's inputs, validated.

    ``rate_per_s`` arrivals per second and ``agents`` logged in, per interval of ``interval_s``
    seconds; ``service`` / ``patience`` duration distributions (s; patience None: nobody abandons);
    ``balk_prob`` share hanging up at once when nobody is free; ``concurrency`` chats per agent;
    ``speed[m]`` the work rate of each chat while its agent holds m chats (``speed[0]`` unused);
    ``awt_s`` the AWT of the service level (s); ``rate_cv`` forecast error; ``engine`` "fast" or
    "simpy" (resolved); ``service_scale`` a handle-time multiplier by arrival interval (or None);
    ``routing`` which agent takes a new chat (:data:`core.CHAT_ROUTINGS`); ``retrial_prob`` /
    ``retrial_delay_s`` redials of contacts that hang up; ``callback_accept_prob``,
    ``callback_promise_s`` and ``callback_min_ahead`` (per interval: the fewest contacts ahead at
    which the announced mean wait exceeds the queue's ``callback_threshold_s``, so a callback is
    offered) the callbacks (see :mod:`simulation.engine.extras`).
    """

    rate_per_s: np.ndarray
    agents: np.ndarray
    interval_s: float
    service: Distribution
    patience: Distribution | None
    balk_prob: float
    concurrency: int
    speed: tuple
    awt_s: float
    rate_cv: float
    engine: str
    keep_contacts: bool
    service_scale: np.ndarray | None = None
    routing: str = "least_loaded"
    retrial_prob: float = 0.0
    retrial_delay_s: float = 300.0
    callback_accept_prob: float = 0.0
    callback_promise_s: float = 3600.0
    callback_min_ahead: np.ndarray | None = None

    @property
    def extras(self) -> bool:
        """True when contacts redial or accept callbacks (the SimPy engine only)."""
        return self.retrial_prob > 0 or self.callback_accept_prob > 0

    @classmethod
    def build(cls, arrival_rate_per_h, agents, interval_s, queue: QueueModel, *, awt_s: float,
              settings: RunSettings, service=None, patience=None, service_scale=None,
              keep_contacts: bool = False) -> "SimConfig":
        """Validate the inputs of :func:`simulation.simulate` (see there); ValueError names the argument."""
        if not isinstance(queue, QueueModel):
            raise ValueError(f"queue: expected a core.QueueModel, got {queue!r:.80}")
        if not isinstance(settings, RunSettings):
            raise ValueError(f"settings: expected a simulation.RunSettings, got {settings!r:.80}")
        rate, staff = _rates_and_agents(arrival_rate_per_h, agents)
        interval = _positive(interval_s, "interval_s")
        check_simulation_size(rate / 3600.0, staff, interval, settings.replications)
        service_d = default_service(queue, service)
        patience_d = default_patience(queue, patience)
        k = queue.concurrency
        engine = settings.engine
        extras = queue.retries or queue.offers_callbacks
        if engine == "auto":
            engine = "fast" if k == 1 and not extras else "simpy"
        if engine == "fast" and k != 1:
            raise ValueError("engine='fast' handles concurrency == 1 only; use engine='simpy' for chat")
        if engine == "fast" and extras:
            raise ValueError("engine='fast' has no redials or callbacks (retrial_prob, callback_accept_prob); "
                             "use engine='simpy' or 'auto'")
        if staff[-1] == 0 and patience_d is None and queue.balk_prob < 1 and np.any(rate > 0):
            raise ValueError(
                "agents: the last interval needs at least one agent (its level stays until the system "
                "is empty), or give a patience so that waiting contacts can leave"
            )
        return cls(
            rate_per_s=rate.astype(float) / 3600.0, agents=staff.astype(np.int64), interval_s=interval,
            service=service_d, patience=patience_d, balk_prob=queue.balk_prob, concurrency=k,
            speed=_speed(queue), awt_s=_positive(awt_s, "awt_s", allow_zero=True),
            rate_cv=settings.rate_cv, engine=engine, keep_contacts=bool(keep_contacts),
            service_scale=_service_scale(service_scale, rate.size), routing=queue.routing,
            retrial_prob=queue.retrial_prob, retrial_delay_s=queue.retrial_delay_s,
            callback_accept_prob=queue.callback_accept_prob, callback_promise_s=queue.callback_promise_s,
            callback_min_ahead=_callback_min_ahead(queue, staff, service_d, patience_d, service_scale,
                                                   rate.size) if queue.offers_callbacks else None,
        )


def _callback_min_ahead(queue: QueueModel, staff, service_d, patience_d, service_scale, n_int) -> np.ndarray:
    """Per interval, the fewest contacts ahead at which the announced mean wait
    (:func:`simulation.announced_wait` with the interval's agents, mean handle time and mean
    patience) exceeds ``queue.callback_threshold_s``. Intervals without agents: 0 (always offered)."""
    from ..queueing.announce import mean_wait_core

    scale = np.ones(n_int) if service_scale is None else np.atleast_1d(np.asarray(service_scale, float))
    aht = service_d.mean_s * scale * queue.concurrency_profile[-1]  # chat: per-chat time at full load
    rate = np.maximum(staff, 1) * queue.concurrency / aht  # completions per second, all busy
    theta = np.zeros(n_int) if patience_d is None else np.full(n_int, 1.0 / patience_d.mean_s)

    def above(j):
        return mean_wait_core(j.astype(float), rate, theta) > queue.callback_threshold_s

    lo = np.full(n_int, -1)  # waits at lo are <= the threshold (-1: nobody ahead is below it)
    hi = np.full(n_int, 1 << 20)  # beyond: never offered
    for _ in range(21):  # bisection on the increasing mean wait
        mid = (lo + hi) // 2
        ok = above(np.maximum(mid, 0)) & (mid >= 0)
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    return np.where(staff > 0, hi, 0)


def default_service(queue: QueueModel, service) -> Distribution:
    """``service`` if given, else exponential handle times with mean ``queue.mean_handle_s``."""
    if service is not None:
        return _distribution(service, "service")
    if queue.mean_handle_s is None:
        raise ValueError("service: give a handle-time distribution or a handle time in the queue "
                         "model (QueueModel.aht_s)")
    return Exponential(queue.mean_handle_s)


def default_patience(queue: QueueModel, patience) -> Distribution | None:
    """``patience`` if given, else exponential patience with mean ``queue.patience_s`` (None when
    the queue has no finite patience: nobody abandons)."""
    if patience is not None:
        return _distribution(patience, "patience")
    return Exponential(queue.patience_s) if queue.abandons else None


def _distribution(value, name: str) -> Distribution:
    if not isinstance(value, Distribution):
        raise ValueError(f"{name} must be a distribution (Exponential, LogNormal, Gamma, Empirical), "
                         f"got {value!r:.80}; a mean in seconds goes in the QueueModel")
    return value


def _speed(queue: QueueModel) -> tuple:
    """speed[m]: work done per second on each chat while its agent holds m chats (m = 1..k)."""
    curve = queue.aht_by_concurrency_s
    if curve is None:
        return (1.0,) * (queue.concurrency + 1)
    return (1.0,) + tuple(float(curve[0] / curve[m]) for m in range(queue.concurrency))


def _as_1d(value, name: str) -> np.ndarray:
    if isinstance(value, (pd.Series, pd.Index)):
        value = value.to_numpy()
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers (a scalar or a 1-D sequence)") from None
    if arr.ndim > 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0 (negative values found)")
    return arr


def _rates_and_agents(arrival_rate_per_h, agents) -> tuple[np.ndarray, np.ndarray]:
    rate = _as_1d(arrival_rate_per_h, "arrival_rate_per_h")
    staff = _as_1d(agents, "agents")
    if rate.ndim == 1 and staff.ndim == 1 and rate.size != staff.size:
        raise ValueError(
            f"arrival_rate_per_h and agents must have the same length (one value per interval), "
            f"got {rate.size} and {staff.size}"
        )
    rate, staff = np.broadcast_arrays(np.atleast_1d(rate), np.atleast_1d(staff))
    if rate.size == 0:
        raise ValueError("arrival_rate_per_h and agents must cover at least one interval")
    if np.any(staff != np.round(staff)):
        raise ValueError("agents must be whole numbers of agents per interval")
    return rate, staff


def _service_scale(service_scale, n_intervals: int) -> np.ndarray | None:
    if service_scale is None:
        return None
    scale = np.atleast_1d(_as_1d(service_scale, "service_scale")).astype(float)
    if scale.ndim != 1 or scale.size != n_intervals:
        raise ValueError(f"service_scale must hold one multiplier per interval ({n_intervals}), "
                         f"got {scale.size}")
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError("service_scale must be finite and > 0 in every interval")
    return scale


def _positive(value, name: str, *, allow_zero: bool = False) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{name} must be finite and {'>=' if allow_zero else '>'} 0, got {value!r}")
    return x


@dataclass(frozen=True)
class Draws:
    """The random numbers of one replication: sorted ``arrival`` times (s), the ``work`` (handle
    time, s) and ``patience`` (s, or None) of each contact, ``balk_u`` uniforms (or None),
    ``route_u`` uniforms picking the agent under random chat routing (or None) and ``extra_rng``
    the stream of redials and callbacks (None without them)."""

    arrival: np.ndarray
    work: np.ndarray
    patience: np.ndarray | None
    balk_u: np.ndarray | None
    route_u: np.ndarray | None = None
    extra_rng: np.random.Generator | None = None


def draw(cfg: SimConfig, rng: np.random.Generator) -> Draws:
    """All random numbers of one replication, in a fixed order (engine independent)."""
    L = cfg.interval_s
    rate = cfg.rate_per_s
    if cfg.rate_cv > 0:
        shape = 1.0 / cfg.rate_cv**2
        rate = rate * rng.gamma(shape, 1.0 / shape)
    counts = rng.poisson(rate * L)
    n = int(counts.sum())
    starts = np.repeat(np.arange(rate.size) * L, counts)
    arrival = np.sort(starts + rng.random(n) * L)
    work = cfg.service.sample(rng, n)
    if cfg.service_scale is not None:  # applied after sampling: the random stream is unchanged
        work = work * cfg.service_scale[np.repeat(np.arange(rate.size), counts)]
    patience = cfg.patience.sample(rng, n) if cfg.patience is not None else None
    balk_u = rng.random(n) if cfg.balk_prob > 0 else None
    # drawn last, so the other numbers are the same under every routing rule
    route_u = rng.random(n) if cfg.routing == "random" and cfg.concurrency > 1 else None
    # redials and callbacks draw from their own stream, seeded last: the numbers above are the same
    # with and without them
    extra = np.random.default_rng(rng.integers(2**63)) if cfg.extras else None
    return Draws(arrival, work, patience, balk_u, route_u, extra)
