"""Dashboard and command-line waiting times, as a planner feels them.

    python bench/dashboard_bench.py [--chromium /usr/bin/chromium] [--width 1400]

Starts ``streamlit run app.py`` headless on a free port with an empty run store, and drives Debian's
Chromium (Playwright) through it: the first page cold (a fresh server: plan, histories and forecasts
read and computed; the server then warms the other pages' caches in the background, as it does
for planners), the first page warm (a new browser session on the same server: results cached
across sessions), then each page switch through the sidebar. A page counts as shown when its last
key text is on screen and its charts are drawn. Then, on a second fresh server, the first page
cold, the server's warm-up (as it logs it), and a new session's first page and first Scenarios
visit once that warm-up is done, and a one-line Streamlit app's first page (the peer: what
any Streamlit page costs on this machine). Also times ``staffcast --help`` (median of 5) against
its peers measured in the same run: a bare ``python -c pass`` and ``python -c "import pandas"``.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# page -> (the link's name in the sidebar, a text shown once the page has its data, charts drawn)
PAGES = {
    "Data": ("Data", "What validation found", 2),
    "Forecast": ("Forecast", "Backtest (rolling origin", 1),
    "Staffing": ("Staffing", "Headcount per week", 3),
    "Simulation": ("Simulation", "Queue-position announcement", 2),
    "Scenarios": ("Scenarios", "Posted hours per week", 3),
    "Runs": ("Runs", "Run the plan and store it", 0),
    "Intraday": ("Intraday", "Agents to release", 2),
}
# the line the server prints when its background warm-up is done (dashboard.cached.WARM_DONE)
WARM_DONE = "staffcast: caches warmed"
CHARTS_JS = ("n => document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
             "[data-testid=\"stVegaLiteChart\"] svg.marks').length >= n")


def _median_run(cmd: list[str], n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, cwd=ROOT)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def cli_times() -> dict[str, float]:
    """Median wall seconds of ``staffcast --help`` and of its peers."""
    py = sys.executable
    return {"staffcast --help": _median_run([py, "-m", "planning.cli", "--help"]),
             "python -c pass (peer)": _median_run([py, "-c", "pass"]),
             "python -c 'import pandas' (peer)": _median_run([py, "-c", "import pandas"])}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(store: Path, log: Path, app: Path = ROOT / "app.py") -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, STAFFCAST_STORE=f"sqlite:///{store}", PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit(f"streamlit did not start:\n{log.read_text()[-2000:]}")


def _shown(page, name: str, timeout_s: float = 240) -> None:
    """Wait until page ``name`` shows its data: its key text, its charts, and no script running."""
    _, text, charts = PAGES[name]
    page.get_by_text(text, exact=False).first.wait_for(timeout=timeout_s * 1000)
    if charts:
        page.wait_for_function(CHARTS_JS, arg=charts, timeout=timeout_s * 1000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=timeout_s * 1000)


def _warm_up_s(log: Path, timeout_s: float = 600) -> float:
    """Wait for the server's warm-up to finish; its duration (s) as the server logged it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(WARM_DONE):
                return float(line.rsplit(" in ", 1)[1].split()[0])
        time.sleep(0.5)
    raise SystemExit(f"the server's warm-up did not finish in {timeout_s:.0f} s:\n{log.read_text()[-2000:]}")


def _browser(pw, chromium: str):
    return pw.chromium.launch(executable_path=chromium, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])


def _timed(page, name: str, action) -> float:
    t = time.perf_counter()
    action()
    _shown(page, name)
    return time.perf_counter() - t


PEER_APP = 'import streamlit as st\nst.header("peer")\nst.write("What validation found")\n'


def peer_page_s(chromium: str, width: int, n: int = 3) -> float:
    """Median seconds until a one-line Streamlit app shows its text in a new session (its server
    warm): what any Streamlit page costs on this machine, the peer of the dashboard's pages."""
    from playwright.sync_api import sync_playwright

    times = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        app = Path(tmp) / "peer_app.py"
        app.write_text(PEER_APP)
        proc, url = _start_server(Path(tmp) / "runs.sqlite", Path(tmp) / "streamlit.log", app)
        browser = _browser(pw, chromium)
        try:
            for _ in range(n + 1):  # the first one starts the server's script runner
                page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
                t = time.perf_counter()
                page.goto(url, wait_until="domcontentloaded")
                page.get_by_text("What validation found").first.wait_for(timeout=120_000)
                times.append(time.perf_counter() - t)
                page.context.close()
        finally:
            browser.close()
            proc.terminate()
            proc.wait(timeout=20)
    return statistics.median(times[1:])


def after_warm_up_times(chromium: str, width: int) -> list[tuple[str, float]]:
    """On a fresh server: the first page cold, then wait for the server's warm-up (each queue's
    forecast and staffing, the scenario study) and time a new session's first page and its first
    Scenarios visit, as a planner arriving once the server is warm sees them."""
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        log = Path(tmp) / "streamlit.log"
        proc, url = _start_server(Path(tmp) / "runs.sqlite", log)
        browser = _browser(pw, chromium)
        try:
            ctx = browser.new_context(viewport={"width": width, "height": 1000})
            page = ctx.new_page()
            _timed(page, "Data", lambda: page.goto(url, wait_until="domcontentloaded"))
            ctx.close()
            out.append(("server warm-up (as the server logged it)", _warm_up_s(log)))
            page = browser.new_context(viewport={"width": width, "height": 1000}).new_page()
            out.append(("first page (Data), new session after the warm-up",
                        _timed(page, "Data", lambda: page.goto(url, wait_until="domcontentloaded"))))
            out.append(("first Scenarios visit after the warm-up",
                        _timed(page, "Scenarios", lambda: page.get_by_role("link", name="Scenarios").click())))
        finally:
            browser.close()
            proc.terminate()
            proc.wait(timeout=20)
    return out


def page_times(chromium: str, width: int) -> list[tuple[str, float]]:
    """Seconds until each page shows its data: cold, warm, then each switch (in the sidebar's order)."""
    from playwright.sync_api import sync_playwright

    out = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        proc, url = _start_server(Path(tmp) / "runs.sqlite", Path(tmp) / "streamlit.log")
        browser = _browser(pw, chromium)
        try:
            for label in ("first page (Data), cold server", "first page (Data), warm server, new session"):
                ctx = browser.new_context(viewport={"width": width, "height": 1000})
                page = ctx.new_page()
                t = time.perf_counter()
                page.goto(url, wait_until="domcontentloaded")
                _shown(page, "Data")
                out.append((label, time.perf_counter() - t))
                if "warm" not in label:
                    ctx.close()
            for name in ("Forecast", "Staffing", "Simulation", "Scenarios", "Runs", "Intraday", "Data", "Forecast"):
                t = time.perf_counter()
                page.get_by_role("link", name=PAGES[name][0]).click()
                _shown(page, name)
                out.append((f"switch to {name}", time.perf_counter() - t))
        finally:
            browser.close()
            proc.terminate()
            proc.wait(timeout=20)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="bench/dashboard_bench.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default=os.environ.get("STAFFCAST_CHROMIUM", "/usr/bin/chromium"))
    ap.add_argument("--width", type=int, default=1400, help="browser window width, px (default 1400)")
    args = ap.parse_args(argv)
    cli = cli_times()
    print(f"command line (median of 5, {os.cpu_count()} cores)")
    for what, s in cli.items():
        print(f"  {what:<36} {s:6.2f} s")
    print(f"  --help / bare python: {cli['staffcast --help'] / cli['python -c pass (peer)']:.1f}x; "
          f"/ import pandas: {cli['staffcast --help'] / cli[next(k for k in cli if 'pandas' in k)]:.2f}x")
    print(f"dashboard (headless Chromium, {args.width} px; until the page shows its data)")
    times = page_times(args.chromium, args.width)
    for what, s in times:
        print(f"  {what:<52} {s:6.1f} s")
    print("a second fresh server, visited again once its warm-up has finished")
    after = after_warm_up_times(args.chromium, args.width)
    for what, s in after:
        print(f"  {what:<52} {s:6.1f} s")
    peer = peer_page_s(args.chromium, args.width)
    print(f"  {'a one-line Streamlit app, new session (peer)':<52} {peer:6.1f} s")
    warm = dict(times)["first page (Data), warm server, new session"]
    after_s = dict(after)["first page (Data), new session after the warm-up"]
    print(f"  first page warm / peer: {warm / peer:.1f}x; after the warm-up / peer: {after_s / peer:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
