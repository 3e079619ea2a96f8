"""Time vehicle identity (int_vehicle_components) on synthetic 1M-row tables.

    uv run python dbt_project/scripts/bench_vehicle_components.py [--rows 1000000]

Runs the model's own edge query (DuckDB) and union-find (Python) on two in-memory tables
shaped like int_case_vehicle_identity:

* realistic: rows drawn from a pool of vehicles with skewed repeats, each identifier
  missing now and then, registrations occasionally typed for another vehicle (which merges
  vehicles into longer chains);
* worst case: one single chain through every row (row i shares its chassis with row i+1
  when i is even, its engine when i is odd), ids shuffled, so the component is as long as
  the table.

Prints rows, edges, components, the largest component and the seconds of each step.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import duckdb
import numpy as np

MODEL = Path(__file__).resolve().parents[1] / "models" / "intermediate" / "int_vehicle_components.py"


def load_model():
    spec = importlib.util.spec_from_file_location("int_vehicle_components", MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REALISTIC = """
create or replace table bench_vehicles as
with base as (
    select i as case_vehicle_id,
           (1 + floor(pow((hash(i, 1) % 1000000) / 1000000.0, 2.5) * {n} * 0.6))::bigint as v,
           hash(i, 2) % 100 as x
    from range(1, {n} + 1) t(i)
)
select case_vehicle_id,
       case when x < 20 then null else 'CH' || lpad(v::varchar, 10, '0') end as chassis_norm,
       case when x % 3 = 0 then null else 'EN' || lpad((v * 7)::varchar, 9, '0') end as engine_norm,
       case when x % 5 = 0 then null
            when x = 99 then 'LEZ' || lpad((hash(case_vehicle_id, 3) % 100000)::varchar, 5, '0')
            else 'LE' || lpad(v::varchar, 7, '0') end as registration_norm
from base
"""

CHAIN = """
create or replace table bench_vehicles as
with base as (
    -- position p in the chain gets a shuffled id
    select p, row_number() over (order by hash(p, 9)) as case_vehicle_id from range(0, {n}) t(p)
)
select case_vehicle_id,
       'CH' || lpad((case when p % 2 = 0 then p else p - 1 end)::varchar, 10, '0') as chassis_norm,
       'EN' || lpad((case when p % 2 = 1 then p else p - 1 end)::varchar, 10, '0') as engine_norm,
       null::varchar as registration_norm
from base
"""


def run(con: duckdb.DuckDBPyConnection, module, label: str) -> None:
    rel = con.table("bench_vehicles")
    started = time.perf_counter()
    ids = np.asarray(rel.query(
        "vehicles", "select case_vehicle_id from vehicles where case_vehicle_id is not null order by case_vehicle_id"
    ).fetchnumpy()["case_vehicle_id"], dtype=np.int64)
    edges = rel.query("vehicles", f"select a, b from ({module.EDGES_SQL}) where a <> b").fetchnumpy()
    sql_done = time.perf_counter()
    roots = module.components(ids, np.asarray(edges["a"], dtype=np.int64), np.asarray(edges["b"], dtype=np.int64))
    done = time.perf_counter()
    sizes = np.bincount(roots)
    print(f"{label}: {len(ids):,} rows, {len(edges['a']):,} edges -> {np.count_nonzero(sizes):,} vehicles, "
          f"largest {sizes.max():,} rows; edges (DuckDB) {sql_done - started:.2f} s, "
          f"union-find (Python) {done - sql_done:.2f} s, total {done - started:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    module = load_model()
    con = duckdb.connect()
    con.execute(REALISTIC.format(n=args.rows))
    run(con, module, "realistic")
    con.execute(CHAIN.format(n=args.rows))
    run(con, module, "single chain")


if __name__ == "__main__":
    main()
