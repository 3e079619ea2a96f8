"""Helpers to drive the dashboard in a real headless Chromium (tests/test_browser.py and
benchmarks/bench_dashboard.py).

* :class:`DashboardServer` runs ``streamlit run dashboard/app.py`` on a free local port for
  a given ``ANTISMUGGLING_HOME`` and stops it (its whole process group) afterwards.
* :func:`launch_chromium` starts the machine's Chromium (Debian's ``chromium`` package)
  through Playwright, with nothing that phones home.
* :class:`RequestLog` records every URL the page requests, so a test can assert that the
  dashboard never leaves localhost.
* :func:`wait_until_idle` waits for Streamlit to finish a run and for the charts to draw.
* :func:`sign_in` fills the sign-in form (a browser with a live session cookie skips it);
  :func:`sign_out` presses Sign out.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
APP = PROJECT_ROOT / "dashboard" / "app.py"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "[::1]"}
# Every page of the app: (url path, title shown).
PAGES = (
    ("", "Overview"),  # the default page lives at the root URL
    ("formation", "Formation accountability"),
    ("commodities", "Commodities"),
    ("routes", "Routes"),
    ("officers", "Officer performance"),
    ("vehicles", "Vehicle look-up"),
    ("offenders", "Offender profile"),
    ("data-quality", "Data quality and freshness"),
)


def find_chromium() -> str | None:
    """The Chromium executable, or None when the machine has none."""
    for candidate in CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def require_browser() -> str:
    """Chromium's path, with Playwright importable; else skip the test (fail it in CI)."""
    import pytest

    chromium = find_chromium()
    reason = None
    if chromium is None:
        reason = "chromium is not installed (Debian: apt-get install -y chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright Python package is not installed (uv sync --group dev)"
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)
    return chromium


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class DashboardServer:
    """``streamlit run dashboard/app.py`` on 127.0.0.1:<free port>, for one data directory."""

    def __init__(
        self, home: Path | str, *, port: int | None = None, log_path: Path | None = None, env: dict[str, str] | None = None
    ) -> None:
        self.home = Path(home)
        self.env = dict(env or {})  # more environment for the server (e.g. ANTISMUGGLING_DOWNLOAD_SECONDS)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._process: subprocess.Popen | None = None
        self._log = None

    def start(self, timeout: float = 90.0) -> DashboardServer:
        env = dict(os.environ)
        env["ANTISMUGGLING_HOME"] = str(self.home)
        env.pop("ANTISMUGGLING_CONFIG", None)
        env.update(self.env)
        command = [
            sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--server.fileWatcherType", "none",
            "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        self._log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(
            command,
            cwd=str(PROJECT_ROOT),
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self._process.returncode}; log: {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.url} within {timeout:.0f} s")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
            self._log = None

    def __enter__(self) -> DashboardServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def launch_chromium(playwright, executable: str | None = None):
    """Headless Chromium from the machine (never a downloaded browser)."""
    executable = executable or find_chromium()
    if executable is None:
        raise RuntimeError("no chromium executable found")
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


class RequestLog:
    """Every URL a page requests."""

    def __init__(self, page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def external(self) -> list[str]:
        """Requests that would leave this machine."""
        out = []
        for url in self.urls:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
                continue
            if (parsed.hostname or "") not in LOCAL_HOSTS:
                out.append(url)
        return out


_STATE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const state = app ? app.getAttribute('data-test-script-state') : 'initial';
    const stale = document.querySelectorAll('[data-stale="true"]').length;
    const charts = document.querySelectorAll('.js-plotly-plot').length;
    const drawn = document.querySelectorAll('.js-plotly-plot .main-svg').length;
    const main = document.querySelector('[data-testid="stMain"]');
    const text = main ? main.innerText.length : 0;
    return {busy: state !== 'notRunning' || stale > 0, signature: [charts, drawn, text].join(':')};
}"""


def wait_until_idle(page, *, timeout: float = 60.0, settle: float = 0.3, expect_run: bool = False) -> float:
    """Wait until Streamlit has finished running the script and the page stopped changing;
    return the moment (``time.monotonic()``) the page became quiet.

    Streamlit marks its app ``data-test-script-state="running"`` during a script run and
    elements being replaced ``data-stale``; Plotly charts draw after the run. With
    ``expect_run`` (after a click or a typed value), first wait for the run to start.
    """
    deadline = time.monotonic() + timeout
    if expect_run:
        try:
            page.wait_for_function(
                "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
                " return a && a.getAttribute('data-test-script-state') === 'running'; }",
                polling="raf",
                timeout=2000,
            )
        except Exception:  # noqa: BLE001 - a very fast run may be over before we look
            pass
    quiet_since = None
    last_signature = None
    while time.monotonic() < deadline:
        state = page.evaluate(_STATE_JS)
        now = time.monotonic()
        if state["busy"] or state["signature"] != last_signature:
            quiet_since = None
            last_signature = state["signature"]
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= settle:
            return quiet_since
        time.sleep(0.05)
    raise TimeoutError(f"the dashboard did not settle within {timeout:.0f} s")


def signed_in_as(page) -> str | None:
    """The display name the sidebar shows as signed in (test users are named by their ID),
    or None when no one is."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    if page.locator('[data-testid="stSidebarNav"]').count() == 0 or sidebar.count() == 0:
        return None
    for line in sidebar.inner_text().splitlines():
        if " · " in line:
            return line.split(" · ")[0].strip()
    return None


def sign_out(page) -> None:
    """Press Sign out and wait for the sign-in form."""
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.get_by_label("User ID", exact=True).wait_for(timeout=30_000)
    wait_until_idle(page)


def sign_in(page, username: str, password: str, *, expect_success: bool = True) -> None:
    """Fill and submit the dashboard's sign-in form.

    A sign-in sends the browser through ``/_session/start`` (which sets the session cookie)
    on to the page it first asked for: this waits until that page is drawn. A page that is
    already signed in (its session cookie came with it) is left as it is when it is
    ``username``'s; someone else is signed out first."""
    if expect_success and page.get_by_label("User ID", exact=True).count() == 0:
        current = signed_in_as(page)
        if current == username:
            return
        if current is not None:
            sign_out(page)
    page.get_by_label("User ID", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if expect_success:
        # the sidebar appears on the page the browser lands on, after the cookie is set
        page.locator('[data-testid="stSidebarNav"]').wait_for(timeout=120_000)
        page.wait_for_load_state()
        wait_until_idle(page, timeout=120)
    else:
        wait_until_idle(page, expect_run=True, timeout=120)


def choose_option(page, label: str, option: str, *, attempts: int = 4) -> None:
    """Open the select box labelled ``label`` and choose ``option``, then wait for the run.

    A click that lands while Streamlit is replacing the box opens nothing, so the box is
    opened again (up to ``attempts`` times) until its list shows the option."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for attempt in range(attempts):
        wait_until_idle(page)
        page.get_by_label(label, exact=True).click()
        try:
            wanted.wait_for(timeout=10_000)
            break
        except Exception:  # noqa: BLE001 - the list did not open: close whatever did and retry
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")
    wanted.click()
    wait_until_idle(page, expect_run=True)


def main_text(page) -> str:
    """The text of the main area (not the sidebar)."""
    return page.locator('[data-testid="stMain"]').inner_text()


@contextmanager
def browser_page(playwright, *, width: int = 1440, height: int = 900) -> Iterator[tuple[object, RequestLog]]:
    browser = launch_chromium(playwright)
    try:
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        page = context.new_page()
        log = RequestLog(page)
        yield page, log
        context.close()
    finally:
        browser.close()


def screenshot(page, path: Path | str, *, max_height: int = 12000) -> None:
    """The whole main area: Streamlit scrolls inside ``stMain``, so the viewport is grown to
    the content's height first (and restored afterwards)."""
    viewport = page.viewport_size
    height = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return Math.max(main ? main.scrollHeight : 0, document.body.scrollHeight);
        }"""
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), max_height)})
    time.sleep(0.3)  # charts resize to the new viewport
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        page.set_viewport_size(viewport)
