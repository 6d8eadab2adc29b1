"""The one-way flow, enforced: core <- forecast | simulation | scheduling <- planning <- dashboard.

The contracts live in ``.importlinter`` (import-linter, run here as a test): no lower layer imports
a higher one, the engines do not import each other, only the dashboard imports Streamlit/Altair,
and the dashboard imports no engine or numerics library (it presents what ``planning`` computes).
"""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _lint_imports() -> Path:
    exe = Path(sys.executable).with_name("lint-imports")
    if exe.exists():
        return exe
    found = shutil.which("lint-imports")
    if not found:
        pytest.fail("lint-imports (import-linter, a test dependency) is not installed")
    return Path(found)


def test_import_contracts_hold():
    run = subprocess.run([str(_lint_imports()), str(ROOT / ".importlinter"), "--no-cache"],
                         cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "broken" in run.stdout and "0 broken" in run.stdout


def test_contracts_name_every_package_of_the_project():
    """A new top-level package must be placed in the layers, or the contract would miss it."""
    text = (ROOT / ".importlinter").read_text()
    packages = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench"))
    missing = [p for p in packages if f"\n    {p}\n" not in text]
    assert not missing, f".importlinter does not place these packages: {missing}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


def test_app_entry_point_imports_only_the_dashboard_and_planning():
    allowed = {"__future__", "logging", "pathlib", "streamlit", "dashboard", "planning"}
    extra = _imports(ROOT / "app.py") - allowed
    assert not extra, f"app.py imports {sorted(extra)}; it only frames the dashboard pages"
