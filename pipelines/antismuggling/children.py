"""Child processes of a refresh (dbt) die with it and hold its children lock while they live.

A refresh killed with SIGKILL cannot stop what it started: dbt would go on building, holding
the build file's lock, and the next refresh would fail with DuckDB's ``Could not set lock on
file``. So dbt is started through a launcher (``dbt_launcher``) that, before it becomes dbt,

- asks Linux for SIGKILL when its parent dies (``PR_SET_PDEATHSIG``; it fires when the parent
  *thread* ends, and Dagster runs a step on the thread that started the run, which outlives it),
- takes ``warehouse/children.lock`` shared and keeps it across ``exec``: the next refresh waits
  for it exclusively (``antismuggling.refresh.refresh_lock``), so it never starts while a process
  of an earlier run is still dying,
- drops the store URL from its environment: dbt reads only the warehouse.

This module is imported by the launcher, so it imports nothing but the standard library.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

PARENT_PID_ENV = "ANTISMUGGLING_PARENT_PID"
CHILD_LOCK_ENV = "ANTISMUGGLING_CHILD_LOCK"
SECRET_ENV = ("ANTISMUGGLING_OPS_URL",)  # dbt reads only the warehouse: it needs no store password
PR_SET_PDEATHSIG = 1
ORPHANED_EXIT_CODE = 137  # as if killed: the parent died before the death signal was armed


def child_environment(child_lock: Path | None = None, env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` (default: this process's) with what the launcher needs to tie a child to this process."""
    env = dict(os.environ if env is None else env)
    env[PARENT_PID_ENV] = str(os.getpid())
    if child_lock is not None:
        env[CHILD_LOCK_ENV] = str(child_lock)
    return env


def die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return  # elsewhere the children lock still keeps the next refresh from racing a survivor
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def exec_tied_to_parent(executable: str, args: list[str], *, drop_env: tuple[str, ...] = ()) -> NoReturn:
    die_with_parent()
    expected_parent = os.environ.get(PARENT_PID_ENV)
    if expected_parent and os.getppid() != int(expected_parent):
        os._exit(ORPHANED_EXIT_CODE)  # the parent is already gone: PDEATHSIG would never fire
    lock_path = os.environ.get(CHILD_LOCK_ENV)
    if lock_path and os.path.isdir(os.path.dirname(lock_path)):
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        os.set_inheritable(fd, True)  # held by the program exec'd below until it dies
    env = {k: v for k, v in os.environ.items() if k not in (*drop_env, PARENT_PID_ENV, CHILD_LOCK_ENV)}
    os.execve(executable, [executable, *args], env)


LAUNCHER_TEMPLATE = """#!{python}
# Written by antismuggling (antismuggling.children): runs {target} so that it dies with the
# process that started it. Regenerated when missing or out of date.
import sys
from antismuggling.children import SECRET_ENV, exec_tied_to_parent
exec_tied_to_parent({target!r}, sys.argv[1:], drop_env=SECRET_ENV)
"""


def launcher_for(target: str, launcher: Path) -> Path:
    """An executable at ``launcher`` that runs ``target`` tied to its parent (written if out of date)."""
    text = LAUNCHER_TEMPLATE.format(python=sys.executable, target=target)
    try:
        if launcher.read_text() == text and os.access(launcher, os.X_OK):
            return launcher
    except OSError:
        pass
    launcher.parent.mkdir(parents=True, exist_ok=True)
    tmp = launcher.with_name(f".{launcher.name}.{os.getpid()}")
    tmp.write_text(text)
    tmp.chmod(0o700)
    os.replace(tmp, launcher)  # concurrent writers write the same text
    return launcher


if __name__ == "__main__":  # python -m antismuggling.children PROGRAM [ARGS...]
    exec_tied_to_parent(sys.argv[1], sys.argv[2:])
