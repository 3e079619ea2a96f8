"""Time the demo store generator into a temporary SQLite file.

    uv run python benchmarks/bench_generate.py [--cases 1000000] [--seed 1] [--keep PATH]

Prints the seconds, the rows written per table, the file size and the peak resident memory.
Target: 1,000,000 cases in under 5 minutes on a 2-core machine, with memory bounded by the
batch size rather than the store size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="write the store to this SQLite file and keep it (must not hold a store)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args()

    from antismuggling.store.generate import generate_store

    with tempfile.TemporaryDirectory(prefix="bench-generate-") as scratch:
        path = Path(args.keep) if args.keep else Path(scratch) / "ops.db"
        started = time.perf_counter()
        summary = generate_store(f"sqlite:///{path.resolve()}", args.cases, args.seed, progress=not args.quiet)
        seconds = time.perf_counter() - started
        size_mb = path.stat().st_size / 1e6

    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mb = peak / 1e6 if sys.platform == "darwin" else peak / 1e3
    print(f"cases: {args.cases:,} (seed {args.seed}), live cases: {summary.live_cases:,}")
    print(f"seconds: {seconds:.1f} ({args.cases / seconds:,.0f} cases/s)")
    print(f"peak RSS: {peak_mb:,.0f} MB; file: {size_mb:,.0f} MB")
    width = max(len(table) for table in summary.rows)
    for table, count in summary.rows.items():
        print(f"  {table:<{width}}  {count:>12,}")
    print(f"  {'total':<{width}}  {sum(summary.rows.values()):>12,}")


if __name__ == "__main__":
    main()
