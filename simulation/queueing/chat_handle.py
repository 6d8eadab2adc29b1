"""Chat handle time: the realised average of a history against the one-chat time of the model.

A history's average chat handle time is the *realised* time: each chat lasted as long as it did at
the concurrency its agent ran at. The chat model (:mod:`.chat`, ``QueueModel.aht_s``) wants the
handle time of a chat held *alone*; reading a realised average as that time overstaffs (the model
then stretches it a second time by the concurrency profile).

With the profile p_m = aht_m / aht_1 (``QueueModel.concurrency_profile``) and the share w_m of the
history's chats handled while their agent held m chats, the realised mean is
``aht_1 x sum_m w_m p_m``, so ``aht_1 = realised / sum_m w_m p_m``. The mix is either those shares
(one per load 1..k, summing to 1) or the mean concurrency the agents ran at (a number in [1, k],
interpolated linearly on the profile).
"""
from __future__ import annotations

import math

import numpy as np

from core.checks import check_number

__all__ = ["one_chat_handle_time"]


def one_chat_handle_time(realised_aht_s, aht_by_concurrency_s, concurrency_mix) -> float:
    """The one-chat handle time (s) behind a history's realised average chat handle time.

    Parameters
    ----------
    realised_aht_s : seconds > 0
        The history's average handle time per chat, at the concurrency the agents ran at.
    aht_by_concurrency_s : sequence of seconds > 0
        Per-chat handle time at 1..k chats held; only its shape (ratios to the first) is used.
    concurrency_mix : number in [1, k] or sequence of k shares
        The mean concurrency the agents ran at (chats held per busy agent), or the share of the
        history's chats handled at each load 1..k (>= 0, summing to 1).

    Returns
    -------
    float: the handle time of a chat held alone (s), for ``QueueModel.aht_s`` or the forecast.
    """
    realised = check_number("realised_aht_s", realised_aht_s, minimum=0.0, strict_min=True)
    curve = np.asarray(aht_by_concurrency_s, float).ravel()
    if curve.size == 0 or not np.all(np.isfinite(curve) & (curve > 0)):
        raise ValueError("aht_by_concurrency_s: expected handle times in seconds > 0 for 1..k chats")
    profile = curve / curve[0]
    k = profile.size
    if np.ndim(concurrency_mix) == 0:
        c = check_number("concurrency_mix", concurrency_mix, minimum=1.0, maximum=float(k))
        factor = float(np.interp(c, np.arange(1, k + 1), profile))
    else:
        w = np.asarray(concurrency_mix, float).ravel()
        if w.size != k or not np.all(np.isfinite(w) & (w >= 0)) or not math.isclose(w.sum(), 1.0, rel_tol=1e-6):
            raise ValueError(f"concurrency_mix: expected {k} shares >= 0 summing to 1 (chats handled at "
                             f"1..{k} chats held), got {concurrency_mix!r:.80}")
        factor = float(w @ profile)
    return realised / factor
