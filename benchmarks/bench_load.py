"""Compare ways of loading the operational store into the warehouse's raw layer.

    uv run python benchmarks/bench_load.py --store /path/ops.db

Measures, per table and in total:
  baseline   reading every row once with Python's sqlite3 (the floor any loader pays)
  arrow      sqlite3 cursor → Arrow record batches (all text) → DuckDB table
  scanner    DuckDB's sqlite scanner (what `antismuggling` uses): a full load, then an
             incremental load with nothing changed
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow as pa

from antismuggling.ingest import load_operational_store
from antismuggling.store.schema import TABLES, column_names


def baseline(store: Path) -> float:
    started = time.perf_counter()
    con = sqlite3.connect(store)
    for table in TABLES:
        for _ in con.execute(f"select * from {table}"):
            pass
    con.close()
    return time.perf_counter() - started


def arrow_batches(store: Path, target: Path) -> float:
    started = time.perf_counter()
    src = sqlite3.connect(store)
    dst = duckdb.connect(str(target))
    dst.execute("create schema raw")
    for table in TABLES:
        columns = column_names(table)
        schema = pa.schema([(c, pa.string()) for c in columns])
        cursor = src.execute(f"select {', '.join(f'cast({c} as text)' for c in columns)} from {table}")
        dst.execute(f"create table raw.{table} ({', '.join(f'{c} varchar' for c in columns)})")
        while rows := cursor.fetchmany(100_000):
            batch = pa.RecordBatch.from_arrays([pa.array(col, pa.string()) for col in zip(*rows)], schema=schema)
            dst.execute(f"insert into raw.{table} select * from batch")
    dst.close()
    src.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True, type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"baseline read (sqlite3, every row once): {baseline(args.store):.1f} s")
    print(f"sqlite3 → Arrow → DuckDB:                {arrow_batches(args.store, work / 'arrow.duckdb'):.1f} s")
    url = f"sqlite:///{args.store}"
    for label, full in (("DuckDB sqlite scanner, full", True), ("DuckDB sqlite scanner, incremental", False)):
        started = time.perf_counter()
        result = load_operational_store(work / "scanner.duckdb", url, full=full)
        print(f"{label + ':':41s}{time.perf_counter() - started:.1f} s, {result.rows_changed:,} rows changed")
        for load in result.tables:
            print(f"    {load.table:18s} {load.rows_total:>10,} rows  {load.seconds:6.1f} s")


if __name__ == "__main__":
    main()
