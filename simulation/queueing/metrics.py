"""Interval metrics for a given number of agents: Erlang C, Erlang A and the chat model.

All functions broadcast over intervals and take planners' units: ``volume`` contacts offered in
the interval, ``interval_s`` its length in seconds, handle times and patience in seconds.

Service-level definitions (``sl_definition``), all for the acceptable waiting time ``awt_s``:

* ``"offered"`` (default): contacts answered within AWT / contacts offered. Abandoned contacts
  count as not answered in time. This is the strictest common definition.
* ``"answered"``: contacts answered within AWT / contacts answered (abandoned ones ignored).
* ``"offered_minus_short_abandons"``: answered within AWT / (offered - abandoned within AWT); callers
  who hang up before AWT are not held against the center.

Without abandonment (Erlang C, or chat with no patience) the three coincide:
``SL = 1 - P(wait) exp(-(c mu - lambda) AWT)``. ASA (``asa_definition``) is the mean wait of
answered contacts (``"answered"``, the default) or the mean wait an infinitely patient customer
would have (``"patient"``: some calculators' definition; higher under abandonment, equal without);
``mean_wait_s`` is the mean wait of all offered contacts (abandoned ones until they hang up).
Occupancy is the share of contact slots in use (voice: busy agents / agents; chat: held chats /
(agents x k)); ``agents_busy`` the share of agents holding at least one contact (voice: the same).
Where the queue is unstable (load >= agents without abandonment) the metrics say so with explicit
values: ``p_wait`` 1, ``service_level`` 0, ``asa_s`` and ``mean_wait_s`` infinite, occupancy 1.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
from scipy import special

from core.checks import as_count_array, as_float_array, broadcast
from .tail import queue_tail
from .erlang import STABILITY_RTOL, erlang_b_core, erlang_c_from_b

from core.targets import ASA_DEFINITIONS, SL_DEFINITIONS  # noqa: E402  (one list, shared with planning)


_LABELS = ("sl_definition", "asa_definition")  # QueueMetrics fields that name a definition


@dataclass(frozen=True)
class QueueMetrics:
    """Predicted steady-state performance per interval (arrays of one shape).

    ``service_level`` follows ``sl_definition`` (see module docstring); ``asa_s`` is the mean
    wait of answered contacts in seconds; ``p_wait`` the probability that a contact waits at all;
    ``abandon_rate`` the share of offered contacts that abandon; ``occupancy`` the busy share of
    contact slots (voice: agents; chat: agents x concurrency); ``mean_wait_s`` the mean wait of all
    offered contacts; ``agents_busy`` the share of agents holding at least one contact (the same as
    ``occupancy`` for voice; None when built: set to ``occupancy``); ``asa_definition`` names
    the ASA definition of ``asa_s`` (``core.ASA_DEFINITIONS``: ``"answered"`` or ``"patient"``).
    """

    service_level: np.ndarray
    asa_s: np.ndarray
    p_wait: np.ndarray
    abandon_rate: np.ndarray
    occupancy: np.ndarray
    mean_wait_s: np.ndarray
    sl_definition: str = "offered"
    agents_busy: np.ndarray | None = None
    asa_definition: str = "answered"

    def __post_init__(self):
        if self.agents_busy is None:  # one contact per agent: busy agents = busy slots
            object.__setattr__(self, "agents_busy", self.occupancy)

    def reshaped(self, shape) -> "QueueMetrics":
        """The same metrics with every array reshaped to ``shape``."""
        return replace(self, **{f.name: np.reshape(getattr(self, f.name), shape) for f in fields(self)
                                if f.name not in _LABELS})

    def to_frame(self) -> pd.DataFrame:
        """The metrics as a DataFrame, one row per interval."""
        return pd.DataFrame({f.name: np.ravel(getattr(self, f.name))
                             for f in fields(self) if f.name not in _LABELS})


def check_sl_definition(sl_definition: str) -> str:
    """``sl_definition`` if it is one of :data:`SL_DEFINITIONS`; ValueError naming it otherwise."""
    if sl_definition not in SL_DEFINITIONS:
        raise ValueError(f"sl_definition: {sl_definition!r} is not one of {SL_DEFINITIONS}")
    return sl_definition


def check_asa_definition(asa_definition: str) -> str:
    """``asa_definition`` if it is one of ``core.ASA_DEFINITIONS``; ValueError naming it otherwise."""
    if asa_definition not in ASA_DEFINITIONS:
        raise ValueError(f"asa_definition: {asa_definition!r} is not one of {ASA_DEFINITIONS}")
    return asa_definition


def _rates(volume, interval_s, *, name_volume="volume"):
    vol = as_float_array(name_volume, volume, minimum=0)
    ivl = as_float_array("interval_s", interval_s, minimum=0, strict_min=True)
    return vol, ivl


def erlang_c_metrics(agents, volume, interval_s, aht_s, *, awt_s=20.0) -> QueueMetrics:
    """Erlang C (M/M/c, nobody abandons) metrics for ``agents`` per interval.

    Load a = volume / interval_s x aht_s (Erlangs). ``P(wait) = C(c, a)``,
    ``SL = 1 - C exp(-(c - a) AWT / AHT)``, ``ASA = C AHT / (c - a)``, ``occupancy = a / c``.
    """
    c = as_count_array("agents", agents).astype(float)
    vol, ivl = _rates(volume, interval_s)
    aht = as_float_array("aht_s", aht_s, minimum=0, strict_min=True)
    awt = as_float_array("awt_s", awt_s, minimum=0)
    c, vol, ivl, aht, awt = (np.array(v, float) for v in broadcast(agents=c, volume=vol, interval_s=ivl,
                                                                     aht_s=aht, awt_s=awt))
    a = vol / ivl * aht
    return erlang_c_metrics_core(c, a, aht, awt)


def erlang_c_metrics_core(c, a, aht, awt, b=None) -> QueueMetrics:
    """Erlang C metrics for validated float arrays: agents ``c``, load ``a`` (Erlangs), AHT and AWT (s);
    ``b`` is Erlang B when the caller already has it (the staffing search walks it by recursion)."""
    if b is None:
        b = erlang_b_core(c, a)
    pw = erlang_c_from_b(c, a, b)
    pw = np.where(a == 0, 0.0, pw)
    stable = (a < c * (1.0 - STABILITY_RTOL)) | (a == 0)
    gap = np.where(stable, c - a, 1.0)
    with np.errstate(over="ignore", invalid="ignore"):
        sl = np.where(stable, 1.0 - pw * np.exp(-gap * awt / aht), 0.0)
        asa = np.where(stable, pw * aht / gap, np.inf)
        asa = np.where(a == 0, 0.0, asa)  # no contacts (also with 0 agents): no wait, not 0/0
        occ = np.where(c > 0, np.minimum(a / np.where(c > 0, c, 1.0), 1.0), np.where(a > 0, 1.0, 0.0))
    zeros = np.zeros_like(sl)
    return QueueMetrics(sl, asa, pw, zeros, occ, asa.copy(), "offered")


def assemble_metrics(lam, theta, awt, log_below, tail, busy_below, capacity, sl_definition,
                     asa_definition="answered"):
    """Combine the below-capacity mass with the queue tail into QueueMetrics.

    ``log_below`` = log sum_{n < K} pi(n) / pi(K); ``busy_below`` = sum_{n<K} n pi(n)/pi(K) / e^{log_below}
    (the mean busy slots given n < K); ``capacity`` = K.
    """
    log_mass = tail["log_mass"]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        # P(n >= K) = M / (R + M), computed without overflow
        pw = np.where(np.isinf(log_mass), 1.0, special.expit(log_mass - log_below))
        pw = np.where(lam == 0, 0.0, pw)
        abandon = pw * tail["abandon"]
        answered = 1.0 - abandon
        if np.ndim(theta) == 0:
            theta = np.full(lam.shape, float(theta))
        still = tail["still_waiting_t"]
        ab_t = np.where(theta > 0, tail["abandon_by_t"], 0.0)
        within = (1.0 - pw) + pw * (1.0 - still - ab_t)
        unstable = np.isinf(log_mass) & (lam > 0)
        if sl_definition == "offered":
            sl = within
        elif sl_definition == "answered":
            sl = np.where(answered > 0, within / answered, 0.0)
        else:
            sl = within / (1.0 - pw * ab_t)
        sl = np.where(unstable, 0.0, np.clip(sl, 0.0, 1.0))
        if asa_definition == "patient":  # every arrival, as if it waited until answered
            asa = pw * tail["wait_patient"]
        else:
            asa = np.where(answered > 0, pw * tail["wait_served"] / answered, np.inf)
        asa = np.where(unstable, np.inf, np.where(lam == 0, 0.0, asa))
        mean_queue = pw * tail["queue"]
        mean_wait = np.where(lam > 0, mean_queue / np.where(lam > 0, lam, 1.0), 0.0)
        mean_wait = np.where(unstable, np.inf, mean_wait)
        busy = (1.0 - pw) * busy_below + pw * capacity
        occ = np.where(capacity > 0, busy / np.where(capacity > 0, capacity, 1.0), 0.0)
        occ = np.where(unstable, 1.0, np.where(lam == 0, 0.0, occ))
    return QueueMetrics(sl, asa, pw, np.where(lam == 0, 0.0, abandon), occ, mean_wait, sl_definition,
                        asa_definition=asa_definition)


def erlang_a_metrics(agents, volume, interval_s, aht_s, patience_s, *, awt_s=20.0,
                     sl_definition="offered", asa_definition="answered") -> QueueMetrics:
    """Erlang A (M/M/c+M: exponential patience with mean ``patience_s``) metrics per interval.

    Exact birth-death solution: below c agents the states are those of Erlang B; above, each of
    the j waiting contacts abandons at rate 1/patience. ``abandon_rate`` is the share of offered
    contacts that hang up before an agent answers. ``patience_s = inf`` gives Erlang C.
    ``asa_definition``: ``"answered"`` (mean wait of answered contacts) or ``"patient"`` (of an
    infinitely patient customer).
    """
    sl_definition = check_sl_definition(sl_definition)
    check_asa_definition(asa_definition)
    c = as_count_array("agents", agents).astype(float)
    vol, ivl = _rates(volume, interval_s)
    aht = as_float_array("aht_s", aht_s, minimum=0, strict_min=True)
    pat = as_float_array("patience_s", patience_s, minimum=0, strict_min=True, allow_inf=True)
    awt = as_float_array("awt_s", awt_s, minimum=0)
    arrs = broadcast(agents=c, volume=vol, interval_s=ivl, aht_s=aht, patience_s=pat, awt_s=awt)
    shape = arrs[0].shape
    c, vol, ivl, aht, pat, awt = (np.array(v, float).ravel() for v in arrs)
    res = erlang_a_core(c, vol / ivl, aht, pat, awt, sl_definition, asa_definition)
    return res.reshaped(shape)


def erlang_a_core(c, lam, aht, patience, awt, sl_definition, asa_definition="answered") -> QueueMetrics:
    """Erlang A metrics for validated flat float arrays: agents, arrivals per second ``lam``, AHT,
    mean patience (inf: none) and AWT in seconds."""
    a = lam * aht
    theta = np.where(np.isinf(patience), 0.0, 1.0 / patience)
    b = erlang_b_core(c, a)
    with np.errstate(divide="ignore"):
        log_below = np.where(c > 0, np.log1p(-b) - np.log(b), -np.inf)  # log(1/B - 1)
    mu = 1.0 / aht
    lam_pos = np.where(lam > 0, lam, 1.0)  # rows with no arrivals are overwritten in assemble_metrics
    tail = queue_tail(lam_pos, c * mu, theta, awt)
    # Busy agents come from flow balance below, so the below-capacity mean is not needed here.
    res = assemble_metrics(lam, theta, awt, log_below, tail, np.zeros_like(lam), c, sl_definition,
                           asa_definition)
    # Occupancy by flow balance: busy agents = served rate x AHT (exact for any patience).
    with np.errstate(invalid="ignore", divide="ignore"):
        occ = np.where(c > 0, np.minimum(a * (1.0 - res.abandon_rate) / np.where(c > 0, c, 1.0), 1.0),
                       0.0)
    occ = np.where(res.occupancy == 1.0, 1.0, occ)
    return QueueMetrics(res.service_level, res.asa_s, res.p_wait, res.abandon_rate, occ,
                        res.mean_wait_s, sl_definition, asa_definition=asa_definition)
