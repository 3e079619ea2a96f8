"""`antismuggling demo`: the first user, quiet output with a log, a clean Ctrl+C; the dbt
singular tests as Dagster asset checks."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from access_helpers import use_cheap_argon2
from antismuggling.config import PROJECT_ROOT, Settings
from antismuggling.serve import DEFAULT_FIRST_USER, ensure_first_user, free_port

EXE = str(Path(sys.executable).parent / "antismuggling")
PASSWORD = "Demo-Passw0rd-2026"


# ---------------------------------------------------------------------------------------------
# The first user


class ScriptedPrompt:
    """Answers the demo's prompts from a script ('' takes the default), recording them."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, prompt: str, *, default: str | None = None, password: bool = False) -> str:
        self.asked.append("password" if password else prompt)
        answer = self.answers.pop(0)
        return default if answer == "" and default is not None else answer


def test_the_default_first_user_is_valid(tmp_path, monkeypatch):
    use_cheap_argon2(monkeypatch)
    settings = Settings(home=tmp_path / "home", ops_url=f"sqlite:///{tmp_path / 'ops.db'}")
    prompt = ScriptedPrompt("", PASSWORD, PASSWORD)  # Enter at the user ID: the default
    assert ensure_first_user(settings, ask=prompt) == DEFAULT_FIRST_USER
    assert prompt.asked == ["user ID", "password", "password"]

    from antismuggling.access.store import UserStore

    [user] = UserStore.from_settings(settings).list_users()
    assert (user.username, user.role) == (DEFAULT_FIRST_USER, "dg")
    assert UserStore.from_settings(settings).authenticate(DEFAULT_FIRST_USER, PASSWORD).ok
    # Once there is a user, nothing is asked: the demo names whom to sign in as.
    assert ensure_first_user(settings, ask=ScriptedPrompt()) == DEFAULT_FIRST_USER


def test_an_invalid_user_id_is_asked_again_before_any_password(tmp_path, monkeypatch):
    use_cheap_argon2(monkeypatch)
    settings = Settings(home=tmp_path / "home", ops_url=f"sqlite:///{tmp_path / 'ops.db'}")
    prompt = ScriptedPrompt("dg", "9lives", "analyst.one", "short", PASSWORD, PASSWORD)
    assert ensure_first_user(settings, ask=prompt) == "analyst.one"
    # Two invalid IDs, each asked again before a password; a weak password asked again before
    # its confirmation.
    assert prompt.asked == ["user ID", "user ID", "user ID", "password", "password", "password"]


# ---------------------------------------------------------------------------------------------
# dbt singular tests are asset checks


def test_every_singular_dbt_test_is_a_described_asset_check(home):
    from antismuggling.definitions import build_definitions

    singular = {path.stem for path in (PROJECT_ROOT / "dbt_project" / "tests").glob("*.sql")}
    assert len(singular) >= 10
    defs = build_definitions()
    specs = {
        spec.name: spec
        for assets_def in defs.resolve_asset_graph().assets_defs
        for spec in assets_def.check_specs
    }
    missing = sorted(singular - set(specs))
    assert missing == [], f"singular tests Dagster would only observe: {missing}"
    undescribed = sorted(name for name in singular if not (specs[name].description or "").strip())
    assert undescribed == []
    # A test reading several models is a check of the one it names (tests/_singular_tests.yml).
    assert specs["assert_every_live_case_in_fct_cases"].asset_key.to_user_string() == "marts/fct_cases"
    assert specs["assert_live_items_reconcile"].asset_key.to_user_string() == "marts/fct_seizure_items"


# ---------------------------------------------------------------------------------------------
# The demo as a user runs it


def _process_table() -> dict[int, tuple[int, int, str]]:
    """pid -> (parent pid, process group, start time) of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] not in "ZX":
            table[int(entry.name)] = (int(fields[1]), int(fields[2]), fields[19])
    return table


def _descendants(root: int) -> dict[int, str]:
    """pid -> start time of every live descendant of ``root``."""
    table = _process_table()
    found: dict[int, str] = {}
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        for pid, (ppid, _, start) in table.items():
            if ppid == parent and pid not in found:
                found[pid] = start
                frontier.append(pid)
    return found


class Demo:
    """`antismuggling demo` on a 200-case store pinned to 2026-11-01, in a session of its own (as
    a terminal's foreground job), its output read line by line."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "home"
        env = {k: v for k, v in os.environ.items() if k != "ANTISMUGGLING_OPS_URL"}
        env.update({
            "ANTISMUGGLING_HOME": str(self.home),
            "ANTISMUGGLING_DASHBOARD_PORT": str(free_port(0, "127.0.0.1")),
            "ANTISMUGGLING_DAGSTER_PORT": str(free_port(0, "127.0.0.1")),
        })
        added = subprocess.run([EXE, "users", "add", "director", "--role", "dg", "--password-stdin"],
                               input=PASSWORD + "\n", capture_output=True, text=True, env=env, timeout=120)
        assert added.returncode == 0, added.stderr
        self.process = subprocess.Popen(
            [EXE, "demo", "--cases", "200", "--until", "2026-11-01"], env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(stream, lines), daemon=True)
                         for stream, lines in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, lines: list[str]) -> None:
        for line in stream:
            with self._changed:
                lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, start: str, timeout: float = 900) -> None:
        with self._changed:
            found = self._changed.wait_for(
                lambda: any(line.lstrip().startswith(start) for line in self.stdout) or self.process.poll() is not None,
                timeout=timeout,
            )
        if not (found and self.process.poll() is None):
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            raise AssertionError("\n".join([f"no line {start!r}", *self.stdout, *self.stderr]))

    def ctrl_c(self, timeout: float = 600) -> int:
        """SIGINT to the demo's process group, as the terminal sends it; its exit code."""
        try:
            os.killpg(self.process.pid, signal.SIGINT)
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            for reader in self._readers:
                reader.join(timeout=10)

    def assert_nothing_left(self, groups: set[int], started: dict[int, str]) -> None:
        """No process of ``groups`` and none of ``started`` (pid -> start time) alive (given a few
        seconds: multiprocessing's resource tracker ends when it sees the demo gone)."""
        deadline = time.monotonic() + 15
        while any(pgid in groups for _, pgid, _ in _process_table().values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        table = _process_table()
        assert [pid for pid, (_, pgid, _) in table.items() if pgid in groups] == []
        assert [pid for pid, start in started.items() if pid in table and table[pid][2] == start] == []


def test_demo_prints_a_few_lines_logs_the_rest_and_stops_cleanly_on_ctrl_c(tmp_path):
    demo = Demo(tmp_path)
    home, stdout, stderr = demo.home, demo.stdout, demo.stderr
    demo.wait_for_line("Press Ctrl+C", timeout=1200)
    dashboard_url = re.search(r"Dashboard\s+(http://\S+)", "\n".join(stdout)).group(1)
    with urllib.request.urlopen(dashboard_url, timeout=30) as response:
        assert response.status == 200
    started = _descendants(demo.process.pid)
    assert len(started) >= 3  # the dashboard, the Dagster UI, the daemon (and code servers)
    table = _process_table()
    groups = {demo.process.pid} | {table[pid][1] for pid in started if pid in table}
    returncode = demo.ctrl_c()

    text = "\n".join(stdout)
    print(text)  # what the user saw (pytest -s)
    assert returncode == 0, text + "\n".join(stderr)
    assert stdout[-1] == "stopped"
    assert len(stdout) <= 25, text
    assert not re.search(r"warning|traceback|error", text, re.IGNORECASE), text
    assert not re.search(r"warning|traceback", "\n".join(stderr), re.IGNORECASE), stderr
    assert "sign in as director" in text and "Press Ctrl+C to stop." in text

    demo.assert_nothing_left(groups, started)

    log = home / "logs" / "demo.log"
    assert log.is_file() and log.stat().st_mode & 0o077 == 0
    details = log.read_text(errors="replace")
    assert "PASS=" in details and "source_watermark_sensor" in details  # dbt's and the daemon's output
    # Every dbt singular test ran as an asset check, none logged as an observation.
    assert "Logging an `AssetObservation` instead" not in details

    # The store runs up to --until: nothing entered or edited on or after that day.
    ops = sqlite3.connect(home / "demo" / "ops.db")
    latest = ops.execute("select max(substr(created_at, 1, 10)), max(substr(updated_at, 1, 10)) from cases").fetchone()
    ops.close()
    assert max(latest) < "2026-11-01"


def test_demo_refuses_a_bad_until_before_doing_anything(tmp_path):
    env = {**os.environ, "ANTISMUGGLING_HOME": str(tmp_path / "home")}
    result = subprocess.run([EXE, "demo", "--until", "2026-13-01"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 2 and "--until" in result.stderr
    assert not (tmp_path / "home" / "demo").exists()


def test_ctrl_c_during_the_refresh_stops_the_demo_cleanly(tmp_path):
    demo = Demo(tmp_path)
    demo.wait_for_line("loading the operational store")
    started = _descendants(demo.process.pid)
    returncode = demo.ctrl_c()
    text = "\n".join(demo.stdout)
    assert returncode == 130, text + "\n".join(demo.stderr)
    assert "Stopping: the refresh ends at its current step first …" in demo.stdout and demo.stdout[-1] == "stopped"
    assert not any(line.startswith("[3/4]") for line in demo.stdout)  # no server was started
    assert not re.search(r"traceback|error", text + "\n".join(demo.stderr), re.IGNORECASE), text
    demo.assert_nothing_left({demo.process.pid}, started)
