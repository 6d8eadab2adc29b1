"""Helpers of the hardening corpus (imported by its test modules)."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def run_cli(*argv) -> tuple[int, str, str]:
    """``staffcast argv`` in this process: (exit code, stdout, stderr)."""
    from planning.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()
