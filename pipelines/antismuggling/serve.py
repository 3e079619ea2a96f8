"""``antismuggling demo``: a store, a full refresh, then the dashboard and the Dagster UI.

The Dagster UI has no sign-in, and its GraphQL API would let anyone who reaches the port
launch runs, so it is served read-only (``dagster-webserver --read-only``; ``dagster dev`` has no
such option): runs start from the schedule and sensor (``dagster-daemon``) or from
``antismuggling refresh``. A site that wants launching from the UI sets
``ANTISMUGGLING_DAGSTER_READ_ONLY=false`` behind an authenticating reverse proxy. Both servers
listen on loopback unless ``--allow-remote`` says otherwise.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from rich.console import Console
from rich.prompt import Prompt

from antismuggling.children import CHILD_LOCK_ENV, child_environment
from antismuggling.config import BIND_ENV, DAGSTER_READ_ONLY_ENV, DASHBOARD_DIR, OPS_URL_ENV, Settings
from antismuggling.store.urls import parse_store_url

console = Console(stderr=True)
DASHBOARD_PORT_ENV = "ANTISMUGGLING_DASHBOARD_PORT"
DAGSTER_PORT_ENV = "ANTISMUGGLING_DAGSTER_PORT"


def free_port(preferred: int, host: str) -> int:
    """The preferred port if nothing listens there, else one the kernel picks."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port on {host}")


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} did not start (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def _tied(command: list[str]) -> list[str]:
    """``command`` started so that it dies with this process (``antismuggling.children``)."""
    return [sys.executable, "-m", "antismuggling.children", *command]


def dashboard_command(host: str, port: int) -> list[str]:
    return _tied([
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_DIR / "app.py"),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ])


def dagster_webserver_command(host: str, port: int, *, read_only: bool = True) -> list[str]:
    return _tied([
        sys.executable, "-m", "dagster_webserver", "-m", "antismuggling.definitions", "-h", host, "-p", str(port),
        *(["--read-only"] if read_only else []),
    ])


def dagster_daemon_command() -> list[str]:
    """Schedules, sensors and the run queue: the runs the read-only UI cannot start."""
    return _tied([str(Path(sys.executable).parent / "dagster-daemon"), "run", "-m", "antismuggling.definitions"])


def server_environment(settings: Settings, dagster_home: Path, *, with_store: bool) -> dict[str, str]:
    """The environment of a demo server: the store URL (and its password) only for Dagster."""
    env = {k: v for k, v in child_environment().items() if k not in (OPS_URL_ENV, CHILD_LOCK_ENV)}
    env.update({"ANTISMUGGLING_HOME": str(settings.home), "DAGSTER_HOME": str(dagster_home)})
    if with_store:
        env[OPS_URL_ENV] = settings.ops_url
    return env


def check_bind(settings: Settings, *, allow_remote: bool) -> None:
    if settings.bind_is_loopback or allow_remote:
        return
    raise RuntimeError(
        f"{BIND_ENV}={settings.bind} is not a loopback address: the dashboard would be reachable from other "
        "machines, and so would the Dagster UI, which has no sign-in and shows run history. Serve them "
        f"behind an authenticating reverse proxy on 127.0.0.1, or pass --allow-remote if the network is "
        "trusted for that"
    )


def ensure_demo_store(settings: Settings, *, cases: int, seed: int) -> None:
    from antismuggling.store.generate import generate_store

    store = parse_store_url(settings.ops_url)
    if store.kind == "sqlite" and not store.path.exists():
        console.print(f"creating the demo operational store {store.path} ({cases:,} cases, seed {seed})")
        generate_store(settings.ops_url, cases, seed, progress=True)


def ensure_first_user(settings: Settings) -> None:
    """The dashboard has no default account: with no user yet, ask for the first one (a
    Director General) on the terminal, or say how to create it."""
    from antismuggling.access.errors import AccessError
    from antismuggling.access.store import UserStore

    store = UserStore.from_settings(settings)
    if store.list_users():
        return
    if not sys.stdin.isatty():
        raise RuntimeError(
            "the dashboard has no users yet and no terminal to ask for one: create one first with "
            "`antismuggling users add <user-id> --role dg`"
        )
    console.print("The dashboard has no users yet. Create the first one (role dg, Director General); "
                  "add others later with `antismuggling users add`.")
    username = Prompt.ask("user ID", default="dg", console=console)
    while True:
        password = Prompt.ask("password (12+ characters, 3 kinds of character)", password=True, console=console)
        if password != Prompt.ask("the same password again", password=True, console=console):
            console.print("[red]the two passwords differ[/]")
            continue
        try:
            store.add_user(username, "dg", password, display_name=username, actor=f"cli:{getpass.getuser()}")
        except AccessError as exc:
            console.print(f"[red]{exc}[/]")
            if "password" not in str(exc):
                username = Prompt.ask("user ID", default="dg", console=console)
            continue
        console.print(f"created user [bold]{username}[/] (dg)")
        return


def _stop_on_signals() -> None:
    """Ctrl+C or SIGTERM stops the servers cleanly. Dagster maps SIGTERM to whatever SIGINT does,
    and SIGINT is ignored in a process a shell started in the background: say it outright."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop)


def run_demo(settings: Settings, *, cases: int, seed: int, allow_remote: bool = False) -> None:
    from antismuggling.refresh import prepare_dagster_home, run_refresh

    check_bind(settings, allow_remote=allow_remote)
    ensure_first_user(settings)
    ensure_demo_store(settings, cases=cases, seed=seed)
    console.print("running a full refresh…")
    outcome = run_refresh(settings, full=True)
    if not outcome.success:
        raise RuntimeError(f"the refresh failed at {', '.join(outcome.failed_steps)}: {outcome.error}")

    _stop_on_signals()
    host = settings.bind
    dashboard_port = free_port(int(os.environ.get(DASHBOARD_PORT_ENV, 8501)), host)
    dagster_port = free_port(int(os.environ.get(DAGSTER_PORT_ENV, 3000)), host)
    dagster_home = prepare_dagster_home(settings)
    dagster_env = server_environment(settings, dagster_home, with_store=True)
    processes = [
        subprocess.Popen(dashboard_command(host, dashboard_port), cwd=Path(DASHBOARD_DIR).parent,
                         env=server_environment(settings, dagster_home, with_store=False)),
        subprocess.Popen(dagster_webserver_command(host, dagster_port, read_only=settings.dagster_read_only),
                         env=dagster_env, cwd=settings.home),
        subprocess.Popen(dagster_daemon_command(), env=dagster_env, cwd=settings.home),
    ]
    try:
        dashboard_url = f"http://{host}:{dashboard_port}/"
        dagster_url = f"http://{host}:{dagster_port}/"
        wait_for_http(dashboard_url, processes[0])
        wait_for_http(dagster_url + "server_info", processes[1])
        console.print(f"[bold green]dashboard[/]  {dashboard_url}")
        if settings.dagster_read_only:
            console.print(f"[bold green]dagster UI[/] {dagster_url} (read-only: runs start from the schedule, "
                          "the sensor or `antismuggling refresh`)")
        else:
            console.print(f"[bold yellow]dagster UI[/] {dagster_url} ({DAGSTER_READ_ONLY_ENV}=false: whoever "
                          "reaches this port can launch runs; keep it behind an authenticating proxy)")
        console.print("press Ctrl+C to stop")
        while all(p.poll() is None for p in processes):
            time.sleep(1)
        raise RuntimeError("a server stopped unexpectedly")
    except KeyboardInterrupt:
        console.print("stopping…")
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
