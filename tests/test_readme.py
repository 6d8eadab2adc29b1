"""The README's Python examples run, and the output they promise in comments is what they print."""
import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_has_examples():
    assert BLOCKS


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs_and_prints_what_it_says(block, tmp_path, monkeypatch):
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, str(README), "exec"), {"__name__": "readme_example", "TMP": tmp_path})
    printed = out.getvalue()
    for line in block.splitlines():
        match = re.match(r"\s*print\(.*\)\s+#\s*(\[.*)$", line)
        if match:
            assert match.group(1).strip() in printed, f"README promises {match.group(1)!r}"
