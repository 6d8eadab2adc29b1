"""``python -m planning.cli ...``: the same as ``staffcast ...``."""
import sys

from .dispatch import main

sys.exit(main())
