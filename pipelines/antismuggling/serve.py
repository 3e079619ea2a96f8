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
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.prompt import Prompt

from antismuggling.children import CHILD_LOCK_ENV, child_environment
from antismuggling.config import (
    BIND_ENV, DAGSTER_READ_ONLY_ENV, DASHBOARD_DIR, OPS_URL_ENV, Settings, make_private_dir,
)
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


def ensure_demo_store(settings: Settings, *, cases: int, seed: int, as_of: date | None = None) -> str:
    """Create the demo store if the store is the (missing) SQLite file; say what was done."""
    from antismuggling.store.generate import generate_store, today_utc
    from antismuggling.store.urls import redact_url

    store = parse_store_url(settings.ops_url)
    if store.kind == "sqlite" and not store.path.exists():
        as_of = as_of or today_utc()
        summary = generate_store(settings.ops_url, cases, seed, as_of=as_of, progress=False)
        return (f"created the demo store {store.path}: {cases:,} cases (seed {seed}) up to {as_of.isoformat()}, "
                f"{summary.seconds:.0f} s")
    if store.kind == "sqlite":
        return f"using the store {store.path} (it exists: kept as it is)"
    return f"using the store {redact_url(settings.ops_url)}"


DEFAULT_FIRST_USER = "director"  # a valid user ID (3 to 32 characters, a letter first)

Ask = Callable[..., str]  # (prompt, *, default=None, password=False) -> the answer


def _ask_on_terminal(prompt: str, *, default: str | None = None, password: bool = False) -> str:
    if default is None:
        return Prompt.ask(prompt, password=password, console=console)
    return Prompt.ask(prompt, default=default, password=password, console=console)


def ensure_first_user(settings: Settings, *, ask: Ask | None = None) -> str | None:
    """The user to sign in with. The dashboard has no default account: with no user yet, ask for
    the first one (a Director General) on the terminal (``ask``: a prompt for tests), or say how to
    create it. The ID is checked before the password is asked for, the password's strength before
    it is asked again."""
    from antismuggling.access.errors import AccessError
    from antismuggling.access.passwords import check_strength
    from antismuggling.access.store import UserStore, normalise_username

    store = UserStore.from_settings(settings)
    users = store.list_users()
    if users:
        enabled = [u for u in users if not u.disabled] or users
        return next((u.username for u in enabled if u.role == "dg"), enabled[0].username)
    if ask is None:
        if not sys.stdin.isatty():
            raise RuntimeError(
                "the dashboard has no users yet and no terminal to ask for one: create one first with "
                f"`antismuggling users add {DEFAULT_FIRST_USER} --role dg`"
            )
        ask = _ask_on_terminal
    console.print("The dashboard has no users yet. Create the first one (role dg, Director General); "
                  "add others later with `antismuggling users add`.")
    while True:
        try:
            username = normalise_username(ask("user ID", default=DEFAULT_FIRST_USER))
        except AccessError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            continue
        if store.get(username) is None:
            break
        console.print(f"[red]user {username!r} already exists[/]")
    while True:
        password = ask("password (12+ characters, 3 kinds of character)", password=True)
        problems = check_strength(password, username)
        if problems:
            console.print(f"[red]a weak password: {'; '.join(problems)}[/]")
            continue
        if password != ask("the same password again", password=True):
            console.print("[red]the two passwords differ[/]")
            continue
        try:
            store.add_user(username, "dg", password, display_name=username, actor=_actor())
        except AccessError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            continue
        console.print(f"created user [bold]{username}[/] (dg)")
        return username


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name and no passwd entry, as in some containers
        return f"cli:uid{os.getuid()}"


# ---------------------------------------------------------------------------------------------
# Quiet output: one line per step on the terminal, everything else in the demo log


class DemoInterrupted(Exception):
    """The demo was stopped by a signal (Ctrl+C): everything it started is stopped, and the
    command exits with ``exit_code``: 0 once the servers were up (Ctrl+C is how a demo ends),
    130 before (it was cut short)."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(f"stopped (exit code {exit_code})")
        self.exit_code = exit_code


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SERVER_START_SECONDS = 300  # the Dagster UI loads the code location first: minutes on a busy machine

# What the refresh's steps do, for the progress lines (an unknown step is named by its key).
STEP_LABELS = {
    "load_operational_store": "loading the operational store",
    "source_expectations": "checking the source tables",
    "warehouse_models": "building and testing the warehouse (dbt build)",
    "mart_expectations": "checking the marts",
    "published__marts": "publishing the marts",
    "published__marts_reconciliation": "reconciling the published marts with the store",
}
# A line of Dagster's console logger: "<time> - dagster - <LEVEL> - <job> - <run id> - <step> - <message>"
# (a run's own lines have its process id where a step's have the step key).
DAGSTER_STEP_LINE = re.compile(
    r" - dagster - [A-Z]+ - \S+ - [0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12} - ([A-Za-z_][\w.\[\]-]*) - "
)


def demo_log_path(settings: Settings) -> Path:
    return settings.home / "logs" / "demo.log"


def open_demo_log(settings: Settings) -> int:
    """The demo log, emptied, owner-only like the rest of the data directory: a file descriptor
    opened for appending (the refresh's output and the servers' share it)."""
    path = demo_log_path(settings)
    make_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    return fd


class StepReporter:
    """Names each refresh step on the terminal when its first log line goes by."""

    def __init__(self, out: Console) -> None:
        self.out = out
        self.seen: set[str] = set()

    def __call__(self, line: str) -> None:
        match = DAGSTER_STEP_LINE.search(line)
        if not match:
            return
        step = match.group(1)
        if step not in self.seen:
            self.seen.add(step)
            self.out.print(f"      {STEP_LABELS.get(step, step)}", highlight=False)


@contextmanager
def output_to_log(log_fd: int, on_line: Callable[[str], None] | None = None) -> Iterator[None]:
    """This process's stdout and stderr, and so every child's that inherits them (dbt), go to the
    log (through a pipe whose lines ``on_line`` also sees) until the block ends."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    read_end, write_end = os.pipe()

    def pump() -> None:
        pending = b""
        with open(read_end, "rb", buffering=0) as pipe:
            while chunk := pipe.read(65536):
                os.write(log_fd, chunk)
                if on_line is None:
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    try:
                        on_line(line.decode("utf-8", "replace"))
                    except Exception:  # a progress line is never worth the log
                        pass

    thread = threading.Thread(target=pump, name="demo-log", daemon=True)
    thread.start()
    os.dup2(write_end, 1)
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except OSError:
                pass
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)
        thread.join(timeout=10)  # at EOF, once no child holds the pipe any more


@contextmanager
def signals_received(on_stop: Callable[[], None] | None = None) -> Iterator[set[int]]:
    """The signals this process received within the block, whoever handled them: Dagster handles
    SIGINT itself while it runs a job (and reports an interrupted run as a failed one).
    ``on_stop`` is called, from another thread, at the first of ``STOP_SIGNALS``."""
    if threading.current_thread() is not threading.main_thread():
        yield set()
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    received: set[int] = set()

    def watch() -> None:
        told = False
        while data := os.read(read_end, 64):
            received.update(data)
            if on_stop is not None and not told and received & set(STOP_SIGNALS):
                told = True
                on_stop()

    watcher = threading.Thread(target=watch, name="demo-signals", daemon=True)
    watcher.start()
    previous = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    try:
        yield received
    finally:
        signal.set_wakeup_fd(previous)
        os.close(write_end)
        watcher.join(timeout=5)
        os.close(read_end)


def _stop_on_signals() -> dict[int, object]:
    """Ctrl+C, SIGTERM or a closed terminal stop the demo cleanly; SIGINT is stated outright, as it
    is ignored in a process a shell started in the background. The previous handlers are returned."""

    def stop(signum, frame):
        _ignore_signals()  # the same Ctrl+C often comes twice (from the terminal, and forwarded by `uv run`)
        raise KeyboardInterrupt

    previous = {}
    for signum in STOP_SIGNALS:
        previous[signum] = signal.signal(signum, stop)
    return previous


def _ignore_signals() -> None:
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)


def _restore_signals(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _terminal_console() -> Console:
    """A console on this process's stdout as it is now: it stays on the terminal while stdout
    itself goes to the log."""
    stream = open(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
    return Console(file=stream, highlight=False, soft_wrap=True)


@dataclass
class _Server:
    name: str
    process: subprocess.Popen


def _start(name: str, command: list[str], *, env: dict[str, str], cwd: Path, log_fd: int) -> _Server:
    """A server in a process group of its own (itself and what it starts, e.g. Dagster's code
    server), output to the log: the demo stops the group, and the terminal's Ctrl+C reaches only
    the demo."""
    process = subprocess.Popen(command, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log_fd,
                               stderr=subprocess.STDOUT, process_group=0)
    return _Server(name, process)


def _stop(servers: list[_Server], timeout: float = 20, *, log_fd: int | None = None) -> None:
    """SIGINT to each server's process group (as Ctrl+C would), then wait; SIGKILL what is left.
    How long each took goes to the log; ``servers`` is emptied."""
    running = [server for server in servers if server.process.poll() is None]
    for server in running:
        _signal_group(server.process, signal.SIGINT)
    started = time.monotonic()
    for server in running:
        try:
            server.process.wait(timeout=max(started + timeout - time.monotonic(), 0.1))
            how = f"stopped in {time.monotonic() - started:.1f} s (exit code {server.process.returncode})"
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
            how = f"killed: still running {timeout:.0f} s after SIGINT"
        if log_fd is not None:
            os.write(log_fd, f"antismuggling demo: the {server.name} {how}\n".encode())
    grace = time.monotonic() + 5  # children of a server (a code server) that outlive it briefly
    for server in servers:
        while _group_alive(server.process.pid) and time.monotonic() < grace:
            time.sleep(0.1)
        if _group_alive(server.process.pid):  # the group (its id not reusable while it lives)
            _signal_group(server.process, signal.SIGKILL)
    servers.clear()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def run_demo(
    settings: Settings, *, cases: int, seed: int, allow_remote: bool = False, until: date | None = None
) -> None:
    """The demo, from the store to the servers, until Ctrl+C (``DemoInterrupted``). Any other
    failure is a ``RuntimeError`` naming the log."""
    check_bind(settings, allow_remote=allow_remote)
    previous_handlers = _stop_on_signals()
    out = _terminal_console()
    log_path = demo_log_path(settings)
    servers: list[_Server] = []
    serving = False
    log_fd = None
    try:
        try:
            username = ensure_first_user(settings)
            log_fd = open_demo_log(settings)
            out.print(f"Details go to {log_path}")
            with output_to_log(log_fd, StepReporter(out)):
                urls = _run_steps(settings, out, log_fd, servers, cases=cases, seed=seed, until=until)
            _print_ready(settings, out, urls, username, log_path)
            serving = True
            while True:
                for server in servers:
                    if server.process.poll() is not None:
                        raise RuntimeError(f"the {server.name} stopped unexpectedly (exit code "
                                           f"{server.process.returncode}); see {log_path}")
                time.sleep(1)
        except KeyboardInterrupt:
            _ignore_signals()  # nor does a second Ctrl+C cut the shutdown short
            if log_fd is None:
                out.print()  # off the line of the prompt it interrupted
            if servers:
                out.print("Stopping…")
            _stop(servers, log_fd=log_fd)
            out.print("stopped")
            raise DemoInterrupted(0 if serving else 130) from None
        finally:
            _ignore_signals()
            _stop(servers, log_fd=log_fd)  # after a failure (those stopped above are no longer listed)
    finally:
        _restore_signals(previous_handlers)
        out.file.close()
        if log_fd is not None:
            os.close(log_fd)


def _run_steps(
    settings: Settings, out: Console, log_fd: int, servers: list[_Server], *, cases: int, seed: int,
    until: date | None,
) -> tuple[str, str]:
    """Store, refresh, servers (added to ``servers`` as they start); the two URLs once both answer."""
    from antismuggling.refresh import prepare_dagster_home, run_refresh

    log_path = demo_log_path(settings)
    out.print("[1/4] Operational store …")
    out.print(f"      {ensure_demo_store(settings, cases=cases, seed=seed, as_of=until)}")

    out.print("[2/4] Full refresh …")
    started = time.monotonic()
    def stopping() -> None:
        out.print("Stopping: the refresh ends at its current step first …")

    with signals_received(stopping) as received:
        outcome = run_refresh(settings, full=True)
    if received & set(STOP_SIGNALS):
        raise KeyboardInterrupt
    if not outcome.success:
        raise RuntimeError(f"the refresh failed at {', '.join(outcome.failed_steps) or 'an unknown step'}: "
                           f"{outcome.error}; see {log_path}")
    published = outcome.published.name if outcome.published else "nothing new"
    out.print(f"      published {published} ({time.monotonic() - started:.0f} s)")

    host = settings.bind
    dashboard_port = free_port(int(os.environ.get(DASHBOARD_PORT_ENV, 8501)), host)
    dagster_port = free_port(int(os.environ.get(DAGSTER_PORT_ENV, 3000)), host)
    dagster_home = prepare_dagster_home(settings)
    dagster_env = server_environment(settings, dagster_home, with_store=True)
    dashboard_url = f"http://{host}:{dashboard_port}/"
    dagster_url = f"http://{host}:{dagster_port}/"

    # All three start at once (each takes a while); the steps are told as they are waited for.
    servers.append(_start("dashboard", dashboard_command(host, dashboard_port), cwd=Path(DASHBOARD_DIR).parent,
                          env=server_environment(settings, dagster_home, with_store=False), log_fd=log_fd))
    servers.append(_start("Dagster UI", dagster_webserver_command(host, dagster_port,
                                                                 read_only=settings.dagster_read_only),
                          env=dagster_env, cwd=settings.home, log_fd=log_fd))
    servers.append(_start("Dagster daemon", dagster_daemon_command(), env=dagster_env, cwd=settings.home,
                          log_fd=log_fd))
    try:
        out.print("[3/4] Starting the dashboard …")
        wait_for_http(dashboard_url, servers[0].process, timeout=SERVER_START_SECONDS)
        out.print("[4/4] Starting the Dagster UI and its daemon …")
        wait_for_http(dagster_url + "server_info", servers[1].process, timeout=SERVER_START_SECONDS)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; see {log_path}") from None
    return dashboard_url, dagster_url


def _print_ready(settings: Settings, out: Console, urls: tuple[str, str], username: str | None, log_path: Path) -> None:
    dashboard_url, dagster_url = urls
    who = f"sign in as {username}" if username else "sign in with a user of `antismuggling users list`"
    out.print(f"[bold green]Dashboard[/]   {dashboard_url}  ({who})")
    if settings.dagster_read_only:
        out.print(f"[bold green]Dagster UI[/]  {dagster_url}  (read-only: runs start from the schedule, the sensor "
                  "or `antismuggling refresh`)")
    else:
        out.print(f"[bold yellow]Dagster UI[/]  {dagster_url}  ({DAGSTER_READ_ONLY_ENV}=false: whoever reaches this "
                  "port can launch runs; keep it behind an authenticating proxy)")
    out.print(f"Log         {log_path}")
    out.print("Press Ctrl+C to stop.")
