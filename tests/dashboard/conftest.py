"""The dashboard tests start from cold caches they fill themselves: no background warm-up (it
would compete for the CPU with the tests; ``bench/dashboard_bench.py`` measures it)."""
import os

import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

os.environ.setdefault("STAFFCAST_WARM_UP", "0")


@pytest.fixture(autouse=True)
def _store(tmp_path, monkeypatch):
    """Runs are stored in a fresh store per test; the dashboard's plan is the bundled one."""
    monkeypatch.setenv("STAFFCAST_STORE", f"sqlite:///{tmp_path / 'runs.sqlite'}")
    monkeypatch.delenv("STAFFCAST_PLAN", raising=False)


@pytest.fixture
def media(monkeypatch) -> dict:
    """file id -> bytes of every download button's data (AppTest keeps them in memory only)."""
    files: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files
