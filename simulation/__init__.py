"""staffcast simulation: queueing formulas, inverse staffing and the contact-center simulator.

Knows nothing of forecasting models; takes arrays of volume and handle time per interval.
"""
# --- queueing core (analytic) ---
# --- simulator (SimPy) ---
