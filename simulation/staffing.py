"""Old module path: inverse staffing now lives in :mod:`simulation.queueing.staffing`."""
from .queueing.staffing import StaffingResult, required_agents  # noqa: F401
