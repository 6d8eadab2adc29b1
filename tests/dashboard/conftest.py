"""The dashboard tests start from cold caches they fill themselves: no background warm-up (it
would compete for the CPU with the tests; ``bench/dashboard_bench.py`` measures it)."""
import os

os.environ.setdefault("STAFFCAST_WARM_UP", "0")
