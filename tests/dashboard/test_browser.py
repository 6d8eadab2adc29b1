"""End-to-end: the dashboard in a real headless Chromium.

Starts ``streamlit run app.py`` on a free local port, opens every page (at its own URL, e.g.
``/forecast``; the Data page at the root) in Debian's Chromium
(``/usr/bin/chromium``, or ``$STAFFCAST_CHROMIUM``) driven by Playwright at 1024 and 1600 px wide,
checks that the page's key elements render (title, metrics, charts drawn), that no error box or
exception appears, that no chart title, axis title or legend is clipped and no table is cut
horizontally (``layout_check.js``), that the Staffing page's FTE is ``staffcast run``'s, that a
refused target and a refused queue parameter say why and the plan can be saved as TOML; it saves
a screenshot of each page in ``tests/screenshots/`` (with ``STAFFCAST_UPDATE_SCREENSHOT=1`` also in
``docs/screenshots/`` for the README, and the chat
forecast in ``docs/screenshot.png``).

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
UPDATE = os.environ.get("STAFFCAST_UPDATE_SCREENSHOT") == "1"  # refresh the README's screenshots too

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
    "Capacity": (["Capacity: need, supply, hiring and money by month", "Hiring classes",
                  "Cost and value by month"], 2),
    "Runs": (["Runs: stored plans", "Run the plan and store it"], 0),
    "Intraday": (["Intraday: queue 'voice'", "Contacts so far", "Rest of the day", "Agents to add",
                  "Agents to release"], 2),
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
    from test_app import save_capacity_example  # a small stored capacity plan for the Capacity page

    save_capacity_example(f"sqlite:///{store}")
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
        yield url, store
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


LAYOUT_CHECK = (Path(__file__).parent / "layout_check.js").read_text()
WIDTHS = (1024, 1600)


def _full_page_shot(page, path: Path, width: int) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main block, so the window is made
    as tall as the content for the shot."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 8000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": width, "height": 1000})


def _open(page, server: str, name: str, texts, charts: int) -> None:
    path = "" if name == "Data" else name.lower()  # the Data page opens at the root URL
    page.goto(f"{server}/{path}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    for t in texts:  # every key text appears (the first load reads and forecasts the data)
        try:
            page.get_by_text(t, exact=False).first.wait_for(timeout=90_000)
        except Exception:
            page.screenshot(path=str(SHOTS / f"failed_{name.lower()}.png"), full_page=True)
            raise AssertionError(f"{name}: {t!r} not shown within 90 s") from None
    _wait_idle(page)
    if charts:
        # Vega draws into a canvas (or svg) inside each chart container
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
            "[data-testid=\"stVegaLiteChart\"] svg.marks').length >= n", arg=charts, timeout=30_000)
        page.wait_for_timeout(500)  # the last chart's titles laid out
    errors = page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]')
    assert errors.count() == 0, f"{name}: error box: {errors.first.inner_text()[:500]}"


def _refused_then_restored(page, box: str, bad: str, message: str, good: str) -> None:
    """Apply ``bad`` in the form's number ``box`` and see ``message``; then apply ``good`` again."""
    page.get_by_role("spinbutton", name=box).fill(bad)
    page.get_by_role("button", name="Apply targets").click()
    page.get_by_text(message).first.wait_for(timeout=30_000)
    _wait_idle(page)
    page.get_by_role("spinbutton", name=box).fill(good)
    page.get_by_role("button", name="Apply targets").click()
    _wait_idle(page)


def test_every_page_renders_without_errors_and_reacts(browser, server, tmp_path):
    """One test (one server and browser even under pytest-xdist)."""
    server, store = server
    SHOTS.mkdir(parents=True, exist_ok=True)
    docs = ROOT / "docs" / "screenshots"
    from test_views import dashboard_fte  # test_views checks it against `staffcast run`'s FTE

    voice_fte = dashboard_fte(["voice"])["voice"]
    ctx = browser.new_context(viewport={"width": WIDTHS[0], "height": 1000})
    page = ctx.new_page()
    console_errors = []
    page.on("pageerror", lambda exc: console_errors.append(str(exc)))
    try:
        for name, (texts, charts) in PAGES.items():
            page.set_viewport_size({"width": WIDTHS[0], "height": 1000})
            _open(page, server, name, texts, charts)
            for width in WIDTHS:  # the page laid out again at each width (as a planner resizing the window)
                page.set_viewport_size({"width": width, "height": 1000})
                page.wait_for_timeout(800)  # Vega redraws the charts for the new width
                problems = page.evaluate(LAYOUT_CHECK)
                assert not problems, f"{name} at {width} px: {problems}"
            # one whole-page shot per page, at the width the docs use (both widths when refreshing them)
            for width in WIDTHS if UPDATE else WIDTHS[-1:]:
                shot = SHOTS / f"{name.lower()}_{width}.png"
                _full_page_shot(page, shot, width)
                assert shot.stat().st_size > 10_000
                if UPDATE and width == WIDTHS[-1]:
                    docs.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(shot, docs / f"{name.lower()}.png")

        # the dashboard starts from the plan: the page shows the FTE planning.views computes (the CLI's)
        _open(page, server, "Staffing", PAGES["Staffing"][0], 0)
        fte = page.locator('[data-testid="stMetric"]', has_text="Headcount (FTE per full week)")
        shown = fte.locator('[data-testid="stMetricValue"]').inner_text()
        assert abs(float(shown) - voice_fte) <= 0.05 + 1e-9, (shown, voice_fte)  # shown with 1 decimal
        # a refused target says why next to its box, and the other changes apply
        _refused_then_restored(page, "Service level target (%)", "150", "Service level target (%): 150 is outside", "80")
        # a queue parameter the plan file refuses shows the plan's message; the plan can be saved
        _refused_then_restored(page, "Handle time (AHT, s)", "0", "queues.voice.aht_s: out of range: 0.0", "210")
        assert page.locator('[data-testid="stDownloadButton"]', has_text="Save as plan TOML").count() == 1
        # the README screenshot: the chat queue's forecast with its after-20:00 peak marked
        page.goto(f"{server}/forecast?queue=chat", wait_until="domcontentloaded")
        page.get_by_text("Forecast: queue 'chat'").first.wait_for(timeout=60_000)
        page.get_by_text("WAPE evening 20:00-24:00").first.wait_for(timeout=60_000)
        _wait_idle(page)
        page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
                               "[data-testid=\"stVegaLiteChart\"] svg.marks').length >= 1", timeout=30_000)
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        page.screenshot(path=str(SHOTS / "forecast_chat.png"))
        if UPDATE:
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
        if not UPDATE:  # the schedule step is left out (a small schedule is stored for the Schedule page below)
            page.get_by_text("With shifts and rosters").first.click()
            _wait_idle(page)
            # and the weekday profile stands in for `auto` (its 8-week backtest is covered elsewhere)
            page.locator('[data-testid="stForm"] [data-testid="stSelectbox"]').first.click()
            page.get_by_role("option", name=re.compile("^Recent weekday profile")).click()
            _wait_idle(page)
        page.get_by_role("button", name="Run the plan and store it").click()
        # a whole run of the plan: minutes on a loaded machine
        page.get_by_text("intervals have actuals so far").first.wait_for(timeout=300_000)
        _wait_idle(page)
        assert page.get_by_text("stored.").count() > 0
        assert page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').count() == 0
        page.set_viewport_size({"width": WIDTHS[0], "height": 1000})  # the runs list and scores fit 1024 px too
        page.wait_for_timeout(800)
        problems = page.evaluate(LAYOUT_CHECK)
        assert not problems, f"Runs with a stored run at {WIDTHS[0]} px: {problems}"
        _full_page_shot(page, SHOTS / "runs_stored.png", WIDTHS[0])

        # the latest stored schedule (the plan's own when refreshing the screenshots): the Schedule page
        # draws its coverage and a day's shifts
        if not UPDATE:  # a one-week voice schedule: the bundled plan's own is the slowest part of a run
            from test_schedule_page import store_small_schedule

            store_small_schedule(store, tmp_path)
        _open(page, server, "Schedule", ["Schedule: shifts, breaks and rosters", "Agents on duty against the requirement",
                                         "Shifts and breaks of one day", "Headcount by contract (per week)"], 2)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 1000})
            page.wait_for_timeout(800)
            problems = page.evaluate(LAYOUT_CHECK)
            assert not problems, f"Schedule at {width} px: {problems}"
        _full_page_shot(page, SHOTS / "schedule_1600.png", WIDTHS[-1])
        if UPDATE:
            shutil.copyfile(SHOTS / "schedule_1600.png", docs / "schedule.png")
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover - refresh docs/screenshot.png by hand
    os.environ["STAFFCAST_UPDATE_SCREENSHOT"] = "1"
    sys.exit(pytest.main([__file__, "-q"]))
