"""Runners (`run_*.py`): gather reads, call the core once, apply the plan; the rest help them."""
