"""The refresh lock: one writer of a data directory's build file and publications at a time."""

from __future__ import annotations

import fcntl
import time
from contextlib import contextmanager
from pathlib import Path

from antismuggling.config import Settings

CHILDREN_WAIT_SECONDS = 30.0


class RefreshError(RuntimeError):
    pass


_held_locks: dict[Path, int] = {}  # lock file -> nesting depth, in this process


@contextmanager
def refresh_lock(settings: Settings):
    """One refresh (or anything else writing the build file) at a time per data directory.

    Re-entrant within a process: ``run_refresh`` holds it around the whole run, and the steps
    that write take it again, so that runs the Dagster daemon launches are serialised too.
    Before it is granted, every child of an earlier holder (dbt, which may still be dying after
    its refresh was killed) must have let go of the children lock.
    """
    path = settings.refresh_lock_path
    if _held_locks.get(path):
        _held_locks[path] += 1
        try:
            yield
        finally:
            _held_locks[path] -= 1
        return
    settings.warehouse_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path, "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshError(f"another refresh is running on {settings.home}") from None
        _wait_for_earlier_children(settings.children_lock_path)
        _held_locks[path] = 1
        try:
            yield
        finally:
            del _held_locks[path]


def _wait_for_earlier_children(lock_path: Path) -> None:
    deadline = time.monotonic() + CHILDREN_WAIT_SECONDS
    with open(lock_path, "w") as fh:
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return  # closing the file lets this run's own children take it shared
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RefreshError(
                        f"a process started by an earlier refresh still holds {lock_path} after "
                        f"{CHILDREN_WAIT_SECONDS:.0f} s; look for a dbt process and stop it"
                    ) from None
                time.sleep(0.1)
