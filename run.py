#!/usr/bin/env python3
"""Set up the project and run it, on a machine that has only Python 3.11+.

    python3 run.py demo          # create the demo store, refresh, serve dashboard + Dagster UI
    python3 run.py test [ARGS]   # the whole test suite, one worker per core (ARGS go to pytest)
    python3 run.py -- CMD ...    # any command inside the project's environment

It installs uv (pinned) into .tools/ if the machine has none, then `uv sync --frozen` builds
.venv from the committed uv.lock with this very interpreter.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

UV_VERSION = "0.13.8"
ROOT = Path(__file__).resolve().parent
TOOLS = ROOT / ".tools"

if sys.version_info < (3, 11):
    sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")


def uv_executable() -> str:
    local = TOOLS / "bin" / "uv"
    if local.exists():
        return str(local)
    found = shutil.which("uv")
    if found:
        return found
    print(f"installing uv {UV_VERSION} into {TOOLS}", file=sys.stderr)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(TOOLS), f"uv=={UV_VERSION}"],
        check=True,
    )
    return str(local)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    command, rest = argv[0], argv[1:]
    if command == "demo":
        target = ["antismuggling", "demo", *rest]
    elif command == "test":
        # The whole suite spreads its files over the cores; named tests or options run as asked.
        # At most 4 workers: each builds its own published warehouse and starts its own servers.
        workers = str(min(os.cpu_count() or 1, 4))
        target = ["pytest", *(rest or ["-n", workers, "--dist", "loadfile"])]
    elif command == "--":
        target = rest
    else:
        print(f"unknown command {command!r}\n{__doc__}", file=sys.stderr)
        return 2
    uv = uv_executable()
    env = {**os.environ, "UV_PYTHON": sys.executable, "UV_PYTHON_DOWNLOADS": "never"}
    sync = [uv, "sync", "--frozen", "--quiet"]
    # Bytecode is compiled once per lock file: Python cannot write it itself where
    # PYTHONDONTWRITEBYTECODE is set, and then every process compiles Dagster and dbt afresh
    # (seconds each); uv compiles the whole venv each time it is asked, so not on every run.
    compiled_for = ROOT / ".venv" / ".bytecode-compiled-for"
    lock_digest = hashlib.sha256((ROOT / "uv.lock").read_bytes()).hexdigest()
    fresh = compiled_for.is_file() and compiled_for.read_text().strip() == lock_digest
    subprocess.run(sync if fresh else [*sync, "--compile-bytecode"], cwd=ROOT, env=env, check=True)
    if not fresh:
        compiled_for.write_text(lock_digest + "\n")
    with subprocess.Popen([uv, "run", "--frozen", "--no-sync", *target], cwd=ROOT, env=env) as child:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                # Ctrl+C reached the command too (same terminal): let it stop in its own way.
                continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
