"""Kill `antismuggling refresh` with SIGKILL at random moments and check that nothing breaks.

    uv run python benchmarks/kill_refresh.py [--kills 20] [--cases 5000] [--seed 1] [--keep DIR]

After a first full refresh, each round edits the store (so the next publication differs from
the current one), starts `antismuggling refresh` (full or incremental, alternately) in its own
session, sends SIGKILL to the refresh process alone at a random moment of its expected
duration, and then checks:

- no process of the killed run outlives it by more than two seconds (its children die with it);
- the published marts are complete (every table holds the rows `meta.table_rows` says) and are
  either the ones published before the round or the ones the round was building;
- an immediate `antismuggling refresh` succeeds at the first try and publishes the new marts;
- nothing is left behind: no half-built snapshot, WAL or temporary pointer, no more snapshots
  than are kept, no lock held.

Prints one line per round and a summary; exits non-zero if any check failed.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

BIN = Path(sys.executable).parent
LEFTOVER_PATTERNS = ("*.building", "*.building.wal", ".*.tmp", "*.tmp")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1, help="seed of the store and of the kill moments")
    parser.add_argument("--keep", help="data directory to use and keep")
    args = parser.parse_args()

    root = Path(args.keep or tempfile.mkdtemp(prefix="kill-refresh-"))
    root.mkdir(parents=True, exist_ok=True)
    store = root / "ops.db"
    env = {
        **os.environ,
        "ANTISMUGGLING_HOME": str(root / "home"),
        "ANTISMUGGLING_OPS_URL": f"sqlite:///{store}",
    }
    home = root / "home"
    rng = random.Random(args.seed)

    if not store.exists():
        run([str(BIN / "antismuggling"), "generate", "--cases", str(args.cases), "--seed", str(args.seed),
             "--out", env["ANTISMUGGLING_OPS_URL"]], env)
    started = time.monotonic()
    run([str(BIN / "antismuggling"), "refresh", "--full"], env)
    durations = {"full": time.monotonic() - started}
    edit_store(store, 0)
    started = time.monotonic()
    run([str(BIN / "antismuggling"), "refresh"], env)
    durations["incremental"] = time.monotonic() - started
    print(f"store {store}: unkilled full refresh {durations['full']:.1f} s, "
          f"incremental {durations['incremental']:.1f} s")

    failures: list[str] = []
    for round_no in range(1, args.kills + 1):
        mode = "full" if round_no % 2 else "incremental"
        before = published_fingerprint(home)
        edit_store(store, round_no)
        delay = rng.uniform(0.2, durations[mode] * 1.05)
        command = [str(BIN / "antismuggling"), "refresh", *(["--full"] if mode == "full" else [])]
        process = subprocess.Popen(command, env=env, start_new_session=True,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        killed = process.poll() is None
        if killed:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        survivors = wait_for_session_to_empty(process.pid, timeout=2.0)

        problems = []
        if survivors:
            problems.append(f"{len(survivors)} process(es) outlived the kill: {survivors}")
        during = published_fingerprint(home)
        if during is None or not during["complete"]:
            problems.append(f"published marts incomplete after the kill: {during}")

        retry_started = time.monotonic()
        retry = subprocess.run([str(BIN / "antismuggling"), "refresh"], env=env, capture_output=True, text=True)
        retry_seconds = time.monotonic() - retry_started
        if retry.returncode != 0:
            problems.append(f"the next refresh failed (exit {retry.returncode}): {retry.stderr.strip()[-400:]}")
        after = published_fingerprint(home)
        if during and after and during["key"] not in (before["key"], after["key"]):
            problems.append("the published marts after the kill were neither the old nor the new ones")
        if after is None or after["key"] != expected_key(store):
            problems.append("the next refresh did not publish the store's current content")
        problems += leftovers(home)

        where = f"killed after {delay:5.1f} s" if killed else f"finished before the kill at {delay:5.1f} s"
        state = "new" if during and after and during["key"] == after["key"] else "old"
        verdict = "ok" if not problems else "FAILED: " + "; ".join(problems)
        print(f"round {round_no:2d} {mode:11s} {where}; published marts were the {state} ones; "
              f"next refresh {retry_seconds:4.1f} s; {verdict}", flush=True)
        failures += [f"round {round_no}: {p}" for p in problems]

    print(f"\n{args.kills} rounds, {len(failures)} problem(s)")
    for failure in failures:
        print("  " + failure)
    return 1 if failures else 0


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")


def edit_store(store: Path, round_no: int) -> None:
    """Move a few cases on and enter a new one, so every round publishes different marts."""
    con = sqlite3.connect(store)
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    con.execute(
        "update cases set status = 'CLOSED', adjudication_outcome = coalesce(adjudication_outcome, 'CONFISCATED'), "
        "adjudicated_on = coalesce(adjudicated_on, date('now')), updated_at = ? "
        "where case_id in (select case_id from cases where status <> 'CLOSED' and deleted_at is null "
        "order by case_id limit 3)",
        [now],
    )
    columns = [row[1] for row in con.execute("pragma table_info(cases)")]
    template = dict(zip(columns, con.execute("select * from cases where deleted_at is null limit 1").fetchone()))
    template.update(case_id=None, case_no=f"KILL-{round_no:04d}-{time.time_ns()}", created_at=now, updated_at=now,
                    seizure_at=now)
    con.execute(
        f"insert into cases ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
        [template[c] for c in columns],
    )
    con.commit()
    con.close()


def expected_key(store: Path) -> tuple:
    """What fct_cases must hold for the store as it is now: live cases and their statuses."""
    con = sqlite3.connect(store)
    key = con.execute(
        "select count(*), sum(case when upper(trim(status)) = 'CLOSED' then 1 else 0 end) from cases "
        "where deleted_at is null"
    ).fetchone()
    con.close()
    return tuple(key)


def published_fingerprint(home: Path) -> dict | None:
    pointer = home / "published" / "CURRENT"
    if not pointer.exists():
        return None
    path = home / "published" / pointer.read_text().strip()
    con = duckdb.connect(str(path), read_only=True)
    try:
        expected = dict(con.execute("select table_name, n_rows from meta.table_rows").fetchall())
        # marts by bare name, the partner feeds' tables as feeds.<table> (as publish records them)
        actual = {
            (name if schema == "marts" else f"{schema}.{name}"): con.execute(
                f'select count(*) from {schema}."{name}"').fetchone()[0]
            for (schema, name) in con.execute(
                "select table_schema, table_name from information_schema.tables where table_schema in ('marts', 'feeds')"
            ).fetchall()
        }
        key = con.execute(
            "select count(*), count(*) filter (where status = 'CLOSED') from marts.fct_cases"
        ).fetchone()
    finally:
        con.close()
    return {"complete": bool(expected) and expected == actual, "key": tuple(key), "snapshot": path.name}


def session_members(session_id: int) -> list[str]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp session ...: comm may hold spaces, so split after ')'
        fields = text[text.rindex(")") + 2:].split()
        if int(fields[3]) == session_id:
            members.append(f"{stat.parent.name}:{text[text.index('(') + 1:text.rindex(')')]}")
    return members


def wait_for_session_to_empty(session_id: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while True:
        members = session_members(session_id)
        if not members or time.monotonic() > deadline:
            return members
        time.sleep(0.05)


def leftovers(home: Path) -> list[str]:
    problems = []
    published = home / "published"
    for pattern in LEFTOVER_PATTERNS:
        for path in published.glob(pattern):
            problems.append(f"left behind: {path.name}")
    snapshots = list(published.glob("snapshot-*.duckdb"))
    if len(snapshots) > 3:
        problems.append(f"{len(snapshots)} snapshots kept (at most 3)")
    return problems


if __name__ == "__main__":
    sys.exit(main())
