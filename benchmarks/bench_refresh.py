"""Time a full and an incremental refresh (and the load alone) on a generated store.

    uv run python benchmarks/bench_refresh.py --cases 1000000 [--store sqlite:///path] [--keep DIR]
        [--edit-cases 100] [--skip-full | --full-only]

Prints the seconds of each Dagster step, the load per table and peak memory, and times the
command line's refresh when nothing has changed and after one day of edits to the store
(``antismuggling.store.edits``: status moves, item corrections and deletions, late entries,
vehicle numbers and officer postings corrected, cases moved and deleted) touching
``--edit-cases`` cases: the command a schedule runs, end to end, process start included.
``--skip-full`` leaves out the full refresh (a kept directory already built), ``--full-only``
everything after it.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", help="an existing store URL (otherwise one is generated)")
    parser.add_argument("--keep", help="data directory to use and keep")
    parser.add_argument("--edit-cases", type=int, default=100,
                        help="cases the day of edits before the incremental refresh touches")
    parser.add_argument("--skip-full", action="store_true", help="no full refresh first (--keep DIR built)")
    parser.add_argument("--full-only", action="store_true", help="the full refresh alone (e.g. at 10M cases)")
    args = parser.parse_args()

    root = Path(args.keep or tempfile.mkdtemp(prefix="bench-refresh-"))
    root.mkdir(parents=True, exist_ok=True)
    os.environ["ANTISMUGGLING_HOME"] = str(root / "home")
    url = args.store or f"sqlite:///{root / 'ops.db'}"
    os.environ["ANTISMUGGLING_OPS_URL"] = url

    from antismuggling.config import load_settings
    from antismuggling.refresh import prepare_dagster_home, run_refresh
    from antismuggling.store.edits import apply_day_of_edits
    from antismuggling.store.generate import generate_store

    if not args.store and not (root / "ops.db").exists():
        started = time.perf_counter()
        generate_store(url, args.cases, args.seed, progress=True)
        print(f"generate {args.cases:,} cases: {time.perf_counter() - started:.1f} s")

    settings = load_settings()
    prepare_dagster_home(settings)  # the run history read below
    if not args.skip_full:
        started = time.perf_counter()
        outcome = run_refresh(settings, full=True)
        print(f"full refresh: {time.perf_counter() - started:.1f} s, success={outcome.success} {outcome.error or ''}")
        _print_step_times(outcome.run_id)
        print(f"peak RSS of this process: {_peak_mib(resource.RUSAGE_SELF):.0f} MiB, "
              f"of its largest child (dbt): {_peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB")
    if args.full_only:
        return

    seconds, said = _cli_refresh()
    print(f"`antismuggling refresh` with no change: {seconds:.2f} s: {said}")

    started = time.perf_counter()
    day = apply_day_of_edits(url, cases=args.edit_cases, seed=args.seed)
    print(f"one day of edits: {time.perf_counter() - started:.1f} s, {day.describe()}")
    seconds, said = _cli_refresh()
    print(f"`antismuggling refresh` after one day of edits: {seconds:.1f} s: {said}")
    _print_step_times(_last_run_id())


def _peak_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cli_refresh() -> tuple[float, str]:
    """The command a schedule runs, timed end to end (process start included)."""
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "antismuggling"), "refresh"],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"`antismuggling refresh` failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return seconds, " ".join(done.stderr.split()[-22:])


def _last_run_id() -> str | None:
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(limit=1)
    return runs[0].run_id if runs else None


def _print_step_times(run_id: str | None) -> None:
    import dagster as dg

    if not run_id:
        print("    no Dagster run: nothing had changed")
        return

    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    for stat in stats:
        if stat.start_time and stat.end_time:
            print(f"    {stat.step_key}: {stat.end_time - stat.start_time:.1f} s")


if __name__ == "__main__":
    main()
