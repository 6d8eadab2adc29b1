"""End-to-end: the dashboard in a real headless Chromium.

Starts ``streamlit run app.py`` on a free local port, opens every page (at its own URL, e.g.
``/forecast``; the Data page at the root) in Debian's Chromium
(``/usr/bin/chromium``, or ``$STAFFCAST_CHROMIUM``) driven by Playwright, checks that the page's key
elements render (title, metrics, charts drawn) and that no error box or exception appears, and saves
a screenshot of each page in ``tests/screenshots/`` (with ``STAFFCAST_UPDATE_SCREENSHOT=1`` the
Forecast page also goes to ``docs/screenshot.png`` for the README).

Without Chromium the test is skipped with the reason, unless ``STAFFCAST_REQUIRE_BROWSER=1`` (set by
``.ci/run``): then a missing browser is a failure. Playwright never downloads a browser here.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("STAFFCAST_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "tests" / "screenshots"
REQUIRED = os.environ.get("STAFFCAST_REQUIRE_BROWSER") == "1"

pytestmark = pytest.mark.browser

# page -> texts that must be visible, and the least number of drawn charts
PAGES = {
    "Data": (["Data: history of queue 'voice'", "What validation found", "Evening share (20:00-24:00)"], 2),
    "Forecast": (["Forecast: queue 'voice'", "Model chosen", "WAPE evening 20:00-24:00", "Backtest"], 1),
    "Staffing": (["Staffing: queue 'voice'", "Headcount (FTE per full week)", "Apply targets",
                  "Headcount per week"], 3),
    "Simulation": (["Simulation: queue 'voice'", "Intervals simulated", "Waiting-time distribution",
                    "Queue-position announcement", re.compile(r"\d+ ahead . about \d+ minutes")], 2),
    "Scenarios": (["Scenarios: finance comparison", "ILLUSTRATIVE", "net value vs cost_center", "Break-even",
                   "Chat windows: when to offer real-time chat", "Posted hours per week"], 3),
    "Runs": (["Runs: stored plans", "Run the plan and store it"], 0),
}


def _unavailable(reason: str):
    if REQUIRED:
        pytest.fail(f"STAFFCAST_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"end-to-end browser test skipped: {reason} (install Debian's chromium: "
                "apt-get install -y chromium; set STAFFCAST_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium executable at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"the playwright Python package is missing ({exc})")
    with sync_playwright() as pw:
        try:
            b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                   args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        except Exception as exc:  # a browser that is present but cannot start is a failure, not a skip
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}")
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(browser, tmp_path_factory):
    port = _free_port()
    store = tmp_path_factory.mktemp("store") / "runs.sqlite"
    env = dict(os.environ, STAFFCAST_STORE=f"sqlite:///{store}", PYTHONUNBUFFERED="1")
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start (exit {proc.poll()}):\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        server_log = log.read_text(errors="replace")
        if "Traceback" in server_log:
            print(server_log[-5000:])


def _wait_idle(page, timeout_s: float = 60):
    """Wait until the script run finished (the 'running' indicator is gone for a moment)."""
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while time.monotonic() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        if running:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 1.0:
            return
        page.wait_for_timeout(150)
    raise AssertionError("the app kept running for more than %s s" % timeout_s)


def test_every_page_renders_without_errors_and_reacts(browser, server):
    """One test (one server and browser even under pytest-xdist)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    try:
        for name, (texts, charts) in PAGES.items():
            path = "" if name == "Data" else name.lower()  # the Data page opens at the root URL
            page.goto(f"{server}/{path}", wait_until="domcontentloaded")
            page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
            for t in texts:  # every key text appears (the first load reads and forecasts the data)
                try:
                    page.get_by_text(t, exact=False).first.wait_for(timeout=60_000)
                except Exception:
                    page.screenshot(path=str(SHOTS / f"failed_{name.lower()}.png"), full_page=True)
                    raise AssertionError(f"{name}: {t!r} not shown within 60 s") from None
            _wait_idle(page)
            if charts:
                # Vega draws into a canvas (or svg) inside each chart container
                page.wait_for_function(
                    "n => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
                    "[data-testid=\"stVegaLiteChart\"] svg.marks').length >= n", arg=charts, timeout=30_000)
            errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
            assert errors.count() == 0, f"{name}: error box: {errors.first.inner_text()[:500]}"
            shot = SHOTS / f"{name.lower()}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        # the README screenshot: the chat queue's forecast with its after-20:00 peak marked
        page.goto(f"{server}/forecast?queue=chat", wait_until="domcontentloaded")
        page.get_by_text("Forecast: queue 'chat'").first.wait_for(timeout=60_000)
        page.get_by_text("WAPE evening 20:00-24:00").first.wait_for(timeout=60_000)
        _wait_idle(page)
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
                               "[data-testid=\"stVegaLiteChart\"] svg.marks').length >= 1", timeout=30_000)
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        page.screenshot(path=str(SHOTS / "forecast_chat.png"))
        if os.environ.get("STAFFCAST_UPDATE_SCREENSHOT") == "1":
            (ROOT / "docs").mkdir(exist_ok=True)
            shutil.copyfile(SHOTS / "forecast_chat.png", ROOT / "docs" / "screenshot.png")
        assert not console_errors, f"JavaScript errors: {console_errors[:3]}"

        # a planner's click changes what is shown: switch the queue to chat on the Staffing page
        # (opened by an old-style link, which still leads to the page it names)
        page.goto(f"{server}/?page=Staffing", wait_until="domcontentloaded")
        page.get_by_text("Staffing: queue 'voice'").first.wait_for(timeout=60_000)
        _wait_idle(page)
        page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
        page.get_by_role("option", name="chat (chat)").click()
        page.get_by_text("Staffing: queue 'chat'").first.wait_for(timeout=60_000)
        _wait_idle(page)
        assert page.get_by_text("No waiting: P(wait) at most (%)").count() > 0
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0

        # store a run from the Runs page (progress bar) and see its forecast scored against actuals
        page.get_by_role("link", name="Runs").click()  # the sidebar navigation
        page.get_by_text("No runs stored yet").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Run the plan and store it").click()
        page.get_by_text("intervals have actuals so far").first.wait_for(timeout=90_000)
        _wait_idle(page)
        assert page.get_by_text("stored.").count() > 0
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        page.screenshot(path=str(SHOTS / "runs_stored.png"))
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover - refresh docs/screenshot.png by hand
    os.environ["STAFFCAST_UPDATE_SCREENSHOT"] = "1"
    sys.exit(pytest.main([__file__, "-q"]))
