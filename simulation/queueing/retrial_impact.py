"""What ignoring redials costs: a plan sized by the formulas without them, judged with them.

:func:`retrial_impact` staffs the intervals as today's formulas do (``retrial_prob`` taken as 0),
then evaluates that plan at its own offered load with redials (the fixed point of
:mod:`.retrial`), and staffs again with the redials counted. The service level is the queue's
``targets.sl_definition`` over all contacts offered (first attempts and redials alike).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core import QueueModel, Targets
from .staffing import plan_metrics, required_agents

__all__ = ["RetrialImpact", "retrial_impact"]


@dataclass(frozen=True)
class RetrialImpact:
    """Per interval (1-D arrays):

    ``volume`` first-attempt contacts; ``agents_ignoring`` the agents the formula without redials
    asks for; ``service_level_promised`` / ``abandon_rate_promised`` what it predicts for them;
    ``offered`` contacts offered to that plan once redials happen (first attempts + redials);
    ``service_level_with_redials`` / ``abandon_rate_with_redials`` what that plan then delivers;
    ``agents_with_redials`` the smallest agents meeting the targets with redials counted.
    """

    volume: np.ndarray
    agents_ignoring: np.ndarray
    service_level_promised: np.ndarray
    abandon_rate_promised: np.ndarray
    offered: np.ndarray
    service_level_with_redials: np.ndarray
    abandon_rate_with_redials: np.ndarray
    agents_with_redials: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The arrays as a DataFrame, one row per interval."""
        return pd.DataFrame({k: np.ravel(v) for k, v in self.__dict__.items()})

    def summary(self) -> dict:
        """The whole horizon: service level promised (weighted by first attempts) and delivered
        (weighted by contacts offered), the loss in percentage points, the redials, and the
        agent-intervals the redials need on top of the plan that ignores them."""
        promised = float(np.average(self.service_level_promised, weights=self.volume))
        delivered = float(np.average(self.service_level_with_redials, weights=self.offered))
        return {"service_level_promised": promised, "service_level_delivered": delivered,
                "service_level_loss_points": 100.0 * (promised - delivered),
                "redials": float(self.offered.sum() - self.volume.sum()),
                "agents_added": int(self.agents_with_redials.sum() - self.agents_ignoring.sum())}


def retrial_impact(volume, interval_s: float, queue: QueueModel, targets: Targets, *, aht_s=None,
                   min_agents: int = 0) -> RetrialImpact:
    """How much service level a plan loses when redials are ignored, and what they need.

    Arguments as :func:`simulation.required_agents` (one interval length; ``queue`` must have
    ``retrial_prob > 0`` and a finite ``patience_s``: without abandonment nobody redials).
    """
    if not isinstance(queue, QueueModel) or not (queue.retries and queue.abandons):
        raise ValueError("queue: retrial_impact needs a QueueModel with retrial_prob > 0 and a finite "
                         "patience_s (only customers who hang up redial)")
    vol = np.atleast_1d(np.asarray(volume, float))
    plain = queue.with_values(retrial_prob=0.0)
    ignoring = required_agents(vol, interval_s, plain, targets, aht_s=aht_s, min_agents=min_agents)
    judged = plan_metrics(vol, ignoring.agents, interval_s, queue, targets, aht_s=aht_s)
    counted = required_agents(vol, interval_s, queue, targets, aht_s=aht_s, min_agents=min_agents)
    return RetrialImpact(vol, ignoring.agents, ignoring.service_level, ignoring.abandon_rate, judged.offered,
                         judged.service_level, judged.abandon_rate, counted.agents)
