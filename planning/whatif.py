"""Old import path of :mod:`planning.scenarios.whatif` (deflection, surges, volume change,
outsourcing, idle capacity), kept so ``from planning.whatif import Deflection`` keeps working."""
from .scenarios.whatif import (
    Deflection,
    Surge,
    apply_deflection,
    apply_outsourcing,
    apply_surges,
    apply_volume_change,
    idle_capacity,
    surges_outside,
)

__all__ = ["Deflection", "Surge", "apply_volume_change", "apply_deflection", "apply_surges", "surges_outside",
           "apply_outsourcing", "idle_capacity"]
