"""``antismuggling demo``: a store, a full refresh, then the dashboard and the Dagster UI."""

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

from antismuggling.config import DASHBOARD_DIR, Settings
from antismuggling.store.urls import parse_store_url

console = Console(stderr=True)
BIND_ENV = "ANTISMUGGLING_BIND"
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


def dashboard_command(host: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_DIR / "app.py"),
        "--server.address", host, "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]


def dagster_command(host: str, port: int) -> list[str]:
    return [sys.executable, "-m", "dagster", "dev", "-m", "antismuggling.definitions", "-h", host, "-p", str(port)]


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


def run_demo(settings: Settings, *, cases: int, seed: int) -> None:
    from antismuggling.refresh import prepare_dagster_home, run_refresh

    ensure_first_user(settings)
    ensure_demo_store(settings, cases=cases, seed=seed)
    console.print("running a full refresh…")
    outcome = run_refresh(settings, full=True)
    if not outcome.success:
        raise RuntimeError(f"the refresh failed at {', '.join(outcome.failed_steps)}: {outcome.error}")

    host = os.environ.get(BIND_ENV, "127.0.0.1")
    dashboard_port = free_port(int(os.environ.get(DASHBOARD_PORT_ENV, 8501)), host)
    dagster_port = free_port(int(os.environ.get(DAGSTER_PORT_ENV, 3000)), host)
    env = {
        **os.environ,
        "ANTISMUGGLING_HOME": str(settings.home),
        "ANTISMUGGLING_OPS_URL": settings.ops_url,
        "DAGSTER_HOME": str(prepare_dagster_home(settings)),
    }
    processes = [
        subprocess.Popen(dashboard_command(host, dashboard_port), env=env, cwd=Path(DASHBOARD_DIR).parent),
        subprocess.Popen(dagster_command(host, dagster_port), env=env, cwd=settings.home),
    ]
    try:
        dashboard_url = f"http://{host}:{dashboard_port}/"
        dagster_url = f"http://{host}:{dagster_port}/"
        wait_for_http(dashboard_url, processes[0])
        wait_for_http(dagster_url + "server_info", processes[1])
        console.print(f"[bold green]dashboard[/]  {dashboard_url}")
        console.print(f"[bold green]dagster UI[/] {dagster_url}")
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
