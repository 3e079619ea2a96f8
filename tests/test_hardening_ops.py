"""Operational hardening, with real components: a PostgreSQL server with a password, the real
pipeline and dbt, a real Dagster webserver, processes killed with SIGKILL.

- no store password in anything the project writes or prints,
- the data directory is its owner's only,
- the Dagster UI cannot launch runs, and the demo serves on loopback only unless told,
- `antismuggling query` escapes terminal control characters and runs with limits,
- dbt dies with a killed refresh, and the next refresh runs at once,
- a dead publication's leftovers are pruned, under the refresh lock.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import duckdb
import pytest

from antismuggling.config import load_settings, secure_home
from antismuggling.store.generate import generate_store
from antismuggling.store.urls import exception_without_secrets, redact_secrets, secrets_hidden
from dbt_helpers import hand_built_marts

EXE = str(Path(sys.executable).parent / "antismuggling")
PASSWORD = "Zq7-secret-Pw-4412"
LOOSE_UMASK = 0o022  # the usual default: whatever is private must be made so by the project


def run_cli(*args: str, home: Path, ops_url: str | None = None, timeout: float = 300, **env: str):
    environment = {**os.environ, "ANTISMUGGLING_HOME": str(home), **env}
    environment.pop("ANTISMUGGLING_OPS_URL", None)
    if ops_url:
        environment["ANTISMUGGLING_OPS_URL"] = ops_url
    previous = os.umask(LOOSE_UMASK)
    try:
        return subprocess.run([EXE, *args], capture_output=True, text=True, env=environment, timeout=timeout)
    finally:
        os.umask(previous)


# ---------------------------------------------------------------------------------------------
# 6. No secret in any log


def files_holding(root: Path, secret: str) -> list[str]:
    """Files under ``root`` holding ``secret``: in their bytes, in a zlib-compressed SQLite value
    (Dagster compresses job snapshots), or in any text of a DuckDB table (DuckDB compresses strings)."""
    needle = secret.encode()
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        data = path.read_bytes()
        if needle in data:
            found.append(str(path))
        elif data.startswith(b"SQLite format 3") and _sqlite_holds(path, secret):
            found.append(f"{path} (compressed value)")
        elif path.suffix == ".duckdb" and _duckdb_holds(path, secret):
            found.append(f"{path} (table text)")
    return found


def _sqlite_holds(path: Path, secret: str) -> bool:
    con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    try:
        for (table,) in con.execute("select name from sqlite_master where type = 'table'").fetchall():
            for row in con.execute(f'select * from "{table}"'):
                for value in row:
                    if isinstance(value, bytes):
                        try:
                            value = zlib.decompress(value).decode(errors="replace")
                        except zlib.error:
                            value = value.decode(errors="replace")
                    if isinstance(value, str) and secret in value:
                        return True
    finally:
        con.close()
    return False


def _duckdb_holds(path: Path, secret: str) -> bool:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select database_name, schema_name, table_name from duckdb_tables() where database_name = current_database()"
        ).fetchall()
        for database, schema, table in tables:
            (hits,) = con.execute(
                f'select count(*) from "{database}"."{schema}"."{table}" t where strpos(cast(t as varchar), ?) > 0',
                [secret],
            ).fetchone()
            if hits:
                return True
    finally:
        con.close()
    return False


def test_redaction_covers_url_keyword_and_literal_forms():
    text = (
        'Unable to connect to Postgres at "postgresql://u:s3cr%40t@h:5432/db?sslmode=require&password=p2": '
        "host=h port=5432 password='two words' dbname=db passwd=x1 PGPASSWORD=abc"
    )
    clean = redact_secrets(text)
    assert clean == (
        'Unable to connect to Postgres at "postgresql://u:***@h:5432/db?sslmode=require&password=***": '
        "host=h port=5432 password=*** dbname=db passwd=*** PGPASSWORD=***"
    )
    # The configured password is hidden wherever it appears, decoded or not.
    assert redact_secrets("failed for s3cr@t and s3cr%40t", ["postgresql://u:s3cr%40t@h/db"]) == "failed for *** and ***"
    assert redact_secrets("password authentication failed for user \"u\"") == "password authentication failed for user \"u\""


def test_an_error_leaves_with_its_secret_and_its_chain_removed():
    url = f"postgresql://u:{PASSWORD}@h/db"
    with pytest.raises(duckdb.IOException) as caught:
        with secrets_hidden(url):
            try:
                raise duckdb.IOException(f'Unable to connect to Postgres at "{url}"')
            except duckdb.IOException as exc:
                raise duckdb.IOException("wrapper without the DSN") from exc
    error = caught.value
    assert PASSWORD not in str(error) and "postgresql://u:***@h/db" in str(error)
    assert error.__cause__ is None and error.__suppress_context__
    harmless = ValueError("nothing secret")
    assert exception_without_secrets(harmless, [url]) is harmless


@pytest.fixture
def password_store(postgres_server):
    """A store owned by a user whose password the server checks; returns the right URL."""
    n = f"{os.getpid()}_{time.monotonic_ns() % 10**6}"
    return postgres_server.create_password_user(f"store_{n}", PASSWORD, f"secured_{n}")


def _wrong_urls(postgres_server, right: str) -> dict[str, str]:
    user = right.split("//")[1].split(":")[0]
    database = right.rsplit("/", 1)[1]
    dead_port = postgres_server.port + 1 if postgres_server.port < 65535 else postgres_server.port - 1
    return {
        "wrong password": right.replace(PASSWORD, PASSWORD + "-wrong"),
        "wrong port": f"postgresql://{user}:{PASSWORD}@127.0.0.1:{dead_port}/{database}",
        "wrong database": f"postgresql://{user}:{PASSWORD}@127.0.0.1:{postgres_server.port}/no_such_db",
    }


def test_failed_postgres_refreshes_write_no_password(password_store, postgres_server, tmp_path, monkeypatch, capfd):
    from antismuggling.refresh import run_refresh

    home = tmp_path / "home"
    wrong = _wrong_urls(postgres_server, password_store)
    console = []
    result = run_cli("refresh", home=home, ops_url=wrong["wrong password"])
    assert result.returncode == 1 and "password authentication failed" in result.stderr, result.stderr
    console += [result.stdout, result.stderr]

    monkeypatch.setenv("ANTISMUGGLING_HOME", str(home))
    for what in ("wrong port", "wrong database"):
        monkeypatch.setenv("ANTISMUGGLING_OPS_URL", wrong[what])
        outcome = run_refresh(load_settings())
        assert not outcome.success and outcome.failed_steps == ["load_operational_store"], what
        assert PASSWORD not in outcome.error and "postgresql://store_" in outcome.error, outcome.error
    captured = capfd.readouterr()
    console += [captured.out, captured.err]
    assert "does not exist" in captured.err and "Connection refused" in captured.err

    assert not [text for text in console if PASSWORD in text]
    assert files_holding(home, PASSWORD) == []
    assert files_holding(home, PASSWORD + "-wrong") == []


def test_a_successful_postgres_refresh_keeps_the_password_out_of_run_history(password_store, tmp_path, monkeypatch, capfd):
    import dagster as dg
    from dagster._serdes import serialize_value

    from antismuggling.refresh import run_refresh

    generate_store(password_store, 150, 3, progress=False)
    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ANTISMUGGLING_OPS_URL", password_store)
    settings = load_settings()
    outcome = run_refresh(settings, full=True)
    assert outcome.success, outcome.error
    assert PASSWORD not in capfd.readouterr().err
    assert files_holding(settings.home, PASSWORD) == []
    # The resource's URL is stored in the job snapshot as the name of the variable holding it.
    with dg.DagsterInstance.get() as instance:
        run = instance.get_run_by_id(outcome.run_id)
        snapshot = instance.get_job_snapshot(run.job_snapshot_id)
    text = serialize_value(snapshot)
    assert "ANTISMUGGLING_OPS_URL" in text and PASSWORD not in text


# ---------------------------------------------------------------------------------------------
# 7. Owner-only data directory


def exposed(home: Path) -> list[str]:
    found = subprocess.run(["find", str(home), "(", "-perm", "/g+r", "-o", "-perm", "/o+r", ")", "-print"],
                           capture_output=True, text=True, check=True).stdout.split()
    return found


def test_refresh_leaves_nothing_readable_by_others_and_tightens_what_was(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    assert run_cli("generate", "--cases", "200", "--seed", "2", "--out", url, home=home).returncode == 0
    home.mkdir(mode=0o755)
    (home / "exports").mkdir(mode=0o755)
    (home / "exports" / "old.csv").write_text("cnic\n35202-1234567-1\n")
    (home / "exports" / "old.csv").chmod(0o644)

    result = run_cli("refresh", "--full", home=home, ops_url=url)
    assert result.returncode == 0, result.stderr
    assert exposed(home) == []
    assert "readable by other accounts and are now owner-only" in result.stderr
    assert (tmp_path / "ops.db").stat().st_mode & 0o077 == 0  # the generated store too
    assert secure_home(home).fixed == []


# ---------------------------------------------------------------------------------------------
# 8. The Dagster UI cannot launch runs; the demo serves on loopback only


def _graphql(url: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        url + "graphql", data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) { __typename ... on PythonError { message } ... on UnauthorizedError { message } }
}"""
LAUNCH_PIPELINE = """
mutation Launch($params: ExecutionParams!) {
  launchPipelineExecution(executionParams: $params) { __typename }
}"""
RESOURCES = """
{ workspaceOrError { ... on Workspace { locationEntries { locationOrLoadError { ... on RepositoryLocation {
  repositories { name allTopLevelResourceDetails { name configuredValues { key value type } } } } } } } } }"""


def test_the_dagster_ui_the_demo_serves_refuses_to_launch_runs(tmp_path):
    from antismuggling.refresh import prepare_dagster_home
    from antismuggling.serve import dagster_webserver_command, free_port, server_environment, wait_for_http

    os.environ.pop("ANTISMUGGLING_OPS_URL", None)
    settings = load_settings().__class__(home=tmp_path / "home", ops_url=f"postgresql://u:{PASSWORD}@127.0.0.1:9/db")
    previous = os.umask(LOOSE_UMASK)
    try:
        dagster_home = prepare_dagster_home(settings)
        port = free_port(3000, "127.0.0.1")
        server = subprocess.Popen(
            dagster_webserver_command("127.0.0.1", port), env=server_environment(settings, dagster_home, with_store=True),
            cwd=settings.home, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    finally:
        os.umask(previous)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url + "server_info", server, timeout=120)
        selector = {"repositoryLocationName": "antismuggling.definitions", "repositoryName": "__repository__",
                    "jobName": "refresh", "pipelineName": "refresh"}
        params = {"selector": selector, "runConfigData": {}, "mode": "default"}
        launched = _graphql(url, LAUNCH_RUN, {"params": params})
        assert launched["data"]["launchRun"]["__typename"] == "UnauthorizedError", launched
        legacy = _graphql(url, LAUNCH_PIPELINE, {"params": params})
        assert "errors" in legacy or legacy["data"]["launchPipelineExecution"]["__typename"] == "UnauthorizedError"
        runs = _graphql(url, "{ runsOrError { ... on Runs { results { runId } } } }")
        assert runs["data"]["runsOrError"]["results"] == []

        resources = json.dumps(_graphql(url, RESOURCES))
        assert "ANTISMUGGLING_OPS_URL" in resources and PASSWORD not in resources
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    assert exposed(settings.home) == []
    assert files_holding(settings.home, PASSWORD) == []


def test_demo_refuses_a_non_loopback_bind_without_allow_remote(tmp_path):
    home = tmp_path / "home"
    result = run_cli("demo", home=home, timeout=60, ANTISMUGGLING_BIND="0.0.0.0")
    assert result.returncode == 1
    assert "not a loopback address" in result.stderr and "--allow-remote" in result.stderr
    assert not (home / "demo").exists()  # refused before creating anything


# ---------------------------------------------------------------------------------------------
# 10. `antismuggling query`: escaped control characters, limits


@pytest.fixture
def hostile_snapshot(tmp_path) -> Path:
    """A published snapshot whose text holds terminal control sequences (ESC, BEL, CSI, RLO)."""
    home = tmp_path / "home"
    published = home / "published"
    published.mkdir(parents=True, mode=0o700)
    con = duckdb.connect(str(published / "snapshot-20240101T000000000000Z.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.people (name varchar, note varchar)")
    con.execute("insert into marts.people values (?, ?), ('plain', 'tab\there, line\nbreak')",
                ["M\x1b[2J\x1b[31mAli\x07", "\x9b31m\u202etxt.exe"])
    con.close()
    (published / "CURRENT").write_text("snapshot-20240101T000000000000Z.duckdb\n")
    return home


def test_query_output_escapes_terminal_control_characters(hostile_snapshot):
    csv_out = run_cli("query", "select name, note from marts.people order by name", home=hostile_snapshot)
    assert csv_out.returncode == 0, csv_out.stderr
    assert not any(c in csv_out.stdout for c in "\x1b\x07\x9b\u202e")
    assert "M\\u001b[2J\\u001b[31mAli\\u0007" in csv_out.stdout and "\\u009b31m\\u202etxt.exe" in csv_out.stdout
    assert '"tab\there, line\nbreak"' in csv_out.stdout  # tab and newline are CSV's business

    json_out = run_cli("query", "select name, note from marts.people order by name", "--format", "json",
                       home=hostile_snapshot)
    assert not any(c in json_out.stdout for c in "\x1b\x07\x9b\u202e")
    assert json.loads(json_out.stdout)[0] == {"name": "M\x1b[2J\x1b[31mAli\x07", "note": "\x9b31m\u202etxt.exe"}

    # An error message quoting the data is escaped too.
    error = run_cli("query", "select cast(name as integer) from marts.people", home=hostile_snapshot)
    assert error.returncode == 1 and "\x1b" not in error.stderr and "\\u001b" in error.stderr


def test_query_runs_with_memory_time_and_spill_limits(hostile_snapshot):
    settings_sql = ("select current_setting('memory_limit'), current_setting('temp_directory'), "
                    "current_setting('max_temp_directory_size')")
    out = run_cli("query", settings_sql, home=hostile_snapshot, ANTISMUGGLING_QUERY_MEMORY_LIMIT="300MB",
                  ANTISMUGGLING_QUERY_TEMP_LIMIT="1GB")
    assert out.returncode == 0, out.stderr
    memory, temp_dir, temp_limit = out.stdout.splitlines()[1].split(",")
    assert memory.startswith("286") and temp_limit.startswith("953")  # DuckDB shows MiB
    assert Path(temp_dir) == hostile_snapshot / "tmp" / "query" and Path(temp_dir).stat().st_mode & 0o777 == 0o700
    assert not (hostile_snapshot / "published" / "tmp").exists()

    # A sort that must spill, in 50 MB: it spills under tmp/, never beside the snapshot.
    spilled = run_cli("query", "select max(x) from (select random() as x from range(6000000) order by 1)",
                      home=hostile_snapshot, ANTISMUGGLING_QUERY_MEMORY_LIMIT="50MB")
    assert spilled.returncode == 0, spilled.stderr
    assert sorted(p.name for p in (hostile_snapshot / "published").iterdir()) == [
        "CURRENT", "snapshot-20240101T000000000000Z.duckdb"]

    started = time.monotonic()
    slow = run_cli("query", "select sum(hash(range)) from range(1000000000000)", home=hostile_snapshot,
                   ANTISMUGGLING_QUERY_TIMEOUT_SECONDS="1")
    assert slow.returncode == 1 and "stopped after 1 s" in slow.stderr, slow.stderr
    assert time.monotonic() - started < 20


# ---------------------------------------------------------------------------------------------
# 11. dbt dies with a killed refresh


def _children(pid: int) -> dict[int, tuple[str, str]]:
    """Every live descendant of ``pid``: pid -> (start time, command line)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, tuple[str, str]] = {}
    frontier = [pid]
    while frontier:
        parent = frontier.pop()
        for child, ppid in parents.items():
            if ppid == parent and child not in found:
                identity = _identity(child)
                if identity:
                    found[child] = identity
                    frontier.append(child)
    return found


def _identity(pid: int) -> tuple[str, str] | None:
    """(start time, command line) of a live process; None once it is gone or a zombie (dead, not yet reaped)."""
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        cmdline = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return None
    return None if fields[0] in "ZX" else (fields[19], cmdline)


def _alive(pid: int, identity: tuple[str, str]) -> bool:
    now = _identity(pid)
    return now is not None and now[0] == identity[0]  # same start time: not a reused pid


def test_dbt_dies_with_a_killed_refresh_and_the_next_refresh_runs_at_once(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    assert run_cli("generate", "--cases", "3000", "--seed", "1", "--out", url, home=home).returncode == 0
    env = {**os.environ, "ANTISMUGGLING_HOME": str(home), "ANTISMUGGLING_OPS_URL": url}
    refresh = subprocess.Popen([EXE, "refresh", "--full"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300  # a loaded 2-core machine is slow to get there
    dbt_pid = None
    while dbt_pid is None and time.monotonic() < deadline and refresh.poll() is None:
        descendants = _children(refresh.pid)
        dbt_pid = next((p for p, (_, cmd) in descendants.items() if "dbt" in cmd and " build" in cmd), None)
        time.sleep(0.05)
    assert dbt_pid is not None, "dbt build never started"
    time.sleep(1.0)  # let dbt get to work on the build file
    run_processes = _children(refresh.pid)
    os.kill(refresh.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    refresh.wait()
    lived: dict[int, float] = {}
    while len(lived) < len(run_processes) and time.monotonic() - killed_at < 10:
        for pid, identity in run_processes.items():
            if pid not in lived and not _alive(pid, identity):
                lived[pid] = time.monotonic() - killed_at
        time.sleep(0.005)
    print("after SIGKILL of the refresh: " + "; ".join(
        f"{cmd[:70]!r} gone in {lived[pid] * 1000:.0f} ms" if pid in lived else f"{cmd[:70]!r} STILL ALIVE"
        for pid, (_, cmd) in run_processes.items()))
    assert lived.get(dbt_pid, 99) < 1.0
    assert set(lived) == set(run_processes)  # every process of the killed run is gone within 10 s

    rerun = run_cli("refresh", home=home, ops_url=url)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert "published" in rerun.stderr
    assert [cmd for pid, (start, cmd) in run_processes.items() if _alive(pid, (start, cmd))] == []


# ---------------------------------------------------------------------------------------------
# 12. A dead publication's leftovers


DIE_WHILE_PUBLISHING = """
import duckdb, os, sys
con = duckdb.connect()
con.execute("set checkpoint_threshold = '1TB'")  # keep the rows in the WAL, as a publication in flight has them
con.execute(f"attach '{sys.argv[1]}' as out")
con.execute("create table out.t as select range as x, repeat('x', 50) as pad from range(200000)")
os._exit(9)  # killed mid-publication: no detach, no checkpoint, no rename
"""


def _tiny_warehouse(settings) -> duckdb.DuckDBPyConnection:
    """A build database whose marts are one table of ten cases."""
    with hand_built_marts(settings.warehouse_path) as marts:
        marts.execute("create or replace table marts.fct_cases as select range as case_id from range(10)")
    return duckdb.connect(str(settings.warehouse_path))


def test_publication_prunes_what_a_killed_one_left(tmp_path, monkeypatch):
    from antismuggling.publish import current_snapshot_path, publish_marts

    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "home"))
    settings = load_settings()
    settings.published_dir.mkdir(parents=True)
    dead = settings.published_dir / "snapshot-20240101T000000000000Z.building"
    subprocess.run([sys.executable, "-c", DIE_WHILE_PUBLISHING, str(dead)])
    wal = dead.with_name(dead.name + ".wal")
    assert dead.exists() and wal.exists()
    (settings.published_dir / ".CURRENT.tmp").write_text("snapshot-half-written")
    (settings.published_dir / "snapshot-20230101T000000000000Z.duckdb.tmp").mkdir()  # an old spill folder

    con = _tiny_warehouse(settings)
    try:
        result = publish_marts(con, settings, metadata={})
    finally:
        con.close()
    assert current_snapshot_path(settings) == result.snapshot_path
    assert sorted(p.name for p in settings.published_dir.iterdir()) == ["CURRENT", result.snapshot_path.name]


def test_publication_waits_for_the_refresh_lock_before_pruning(tmp_path, monkeypatch):
    from antismuggling.locks import RefreshError
    from antismuggling.publish import publish_marts

    monkeypatch.setenv("ANTISMUGGLING_HOME", str(tmp_path / "home"))
    settings = load_settings()
    settings.published_dir.mkdir(parents=True)
    in_flight = settings.published_dir / "snapshot-20240101T000000000000Z.building"
    in_flight.write_bytes(b"another publication is writing this")
    settings.warehouse_dir.mkdir(parents=True)
    holder = subprocess.Popen(  # another refresh, holding the lock
        [sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1], 'w'); "
         "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(60)", str(settings.refresh_lock_path)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        con = _tiny_warehouse(settings)
        try:
            with pytest.raises(RefreshError, match="another refresh is running"):
                publish_marts(con, settings, metadata={})
        finally:
            con.close()
        assert in_flight.exists()
    finally:
        holder.kill()
        holder.wait()
