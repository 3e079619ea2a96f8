"""Reconcile the published marts with the source, after every refresh.

Two independent computations meet here:

- the *source side* from the warehouse's ``raw`` layer (the store's rows as text), with plain
  SQL that shares nothing with the dbt models: a row is live unless its ``deleted_at`` reads
  as a timestamp (NULL, blank and junk are no removal); money is number text cast to
  DECIMAL(18,2) (junk and NULL count 0), summed in DECIMAL; a case id is integer text
  (``12``, ``12.0``; ``1.5`` is no case);
- the *mart side* from the published marts (``fct_cases``, ``fct_seizure_items``,
  ``data_quality_issues``, and ``mart_vehicle_recidivism`` when it exists).

Counts: for cases, items, vehicles and persons, live source rows = rows in the marts + rows
quarantined (``data_quality_issues``, severity ``quarantined``). Values, to the paisa: the live
items of live cases plus the live vehicles of live cases = ``sum(fct_cases.total_value_pkr)``;
goods and vehicles separately, and ``sum(fct_seizure_items.value_pkr)`` = the goods. Every
figure is a ``Decimal`` or an ``int``; nothing passes through a float.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

MONEY = "decimal(18, 2)"


NUMBER = r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?"


def _money(column: str) -> str:
    return (
        f"coalesce(case when regexp_full_match(trim({column}), '{NUMBER}') "
        f"then try_cast(trim({column}) as {MONEY}) end, 0)"
    )


def _case_id(alias: str) -> str:
    column = f"trim({alias}.case_id)"
    return (
        f"case when regexp_full_match({column}, '[+-]?[0-9]+([.]0*)?') "
        f"then try_cast(regexp_replace({column}, '[.]0*$', '') as bigint) end"
    )


def _live(alias: str) -> str:
    """The contract's soft delete: a removed row has deleted_at set to a timestamp."""
    column = f"trim({alias}.deleted_at)"
    return f"not coalesce(regexp_matches({column}, '^[0-9]') and try_cast({column} as timestamptz) is not null, false)"


# Source side: the raw layer.
SOURCE_LIVE_ROWS = {
    table: f"select count(*) from raw.{table} as r where {_live('r')}"
    for table in ("cases", "seizure_items", "case_vehicles", "case_persons")
}
SOURCE_GOODS_VALUE = f"""
    select coalesce(sum({_money('i.value_pkr')}), 0)
    from raw.seizure_items as i
    join raw.cases as c on {_case_id('c')} = {_case_id('i')}
    where {_live('i')} and {_live('c')}
"""
SOURCE_VEHICLE_VALUE = f"""
    select coalesce(sum({_money('v.value_pkr')}), 0)
    from raw.case_vehicles as v
    join raw.cases as c on {_case_id('c')} = {_case_id('v')}
    where {_live('v')} and {_live('c')}
"""

# Mart side.
MART_ROWS = {
    "cases": "select count(*) from marts.fct_cases",
    "seizure_items": "select count(*) from marts.fct_seizure_items",
    "case_vehicles": "select coalesce(sum(n_vehicles), 0) from marts.fct_cases",
    "case_persons": "select coalesce(sum(n_persons), 0) from marts.fct_cases",
}
MART_QUARANTINED = """
    select source_table, count(distinct source_pk)
    from marts.data_quality_issues
    where severity = 'quarantined'
    group by source_table
"""
MART_CASE_VALUES = """
    select
        coalesce(sum(goods_value_pkr), 0),
        coalesce(sum(vehicle_value_pkr), 0),
        coalesce(sum(total_value_pkr), 0)
    from marts.fct_cases
"""
MART_ITEM_VALUE = "select coalesce(sum(value_pkr), 0) from marts.fct_seizure_items"
MART_VEHICLE_ROWS = "select count(*) from marts.mart_vehicle_recidivism"


@dataclass(frozen=True)
class CountLine:
    table: str
    source_live: int
    in_marts: int
    quarantined: int

    @property
    def difference(self) -> int:
        """Live source rows neither in the marts nor quarantined (negative: counted twice)."""
        return self.source_live - self.in_marts - self.quarantined

    @property
    def ok(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class ValueLine:
    name: str
    source: Decimal
    marts: Decimal

    @property
    def difference(self) -> Decimal:
        return self.source - self.marts

    @property
    def ok(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True)
class Reconciliation:
    counts: list[CountLine]
    values: list[ValueLine]
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(line.ok for line in self.counts) and all(line.ok for line in self.values)

    @property
    def problems(self) -> list[str]:
        out = [
            f"{c.table}: {c.source_live:,} live source rows != {c.in_marts:,} in marts + {c.quarantined:,} quarantined "
            f"(difference {c.difference:+,})"
            for c in self.counts
            if not c.ok
        ]
        out += [
            f"{v.name}: source {v.source} != marts {v.marts} (difference {v.difference:+})"
            for v in self.values
            if not v.ok
        ]
        return out

    def metadata(self) -> dict[str, object]:
        """Flat figures for the asset check: every count and value, as text for the money."""
        figures: dict[str, object] = {}
        for c in self.counts:
            figures[f"{c.table}_source_live_rows"] = c.source_live
            figures[f"{c.table}_mart_rows"] = c.in_marts
            figures[f"{c.table}_quarantined_rows"] = c.quarantined
            figures[f"{c.table}_difference"] = c.difference
        for v in self.values:
            figures[f"{v.name}_source_pkr"] = str(v.source)
            figures[f"{v.name}_marts_pkr"] = str(v.marts)
            figures[f"{v.name}_difference_pkr"] = str(v.difference)
        return figures


def _scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _decimal(value) -> Decimal:
    """DuckDB returns DECIMAL as Decimal; a float would mean a mart lost exactness: keep its text."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(value))


def reconcile(raw: duckdb.DuckDBPyConnection, marts: duckdb.DuckDBPyConnection) -> Reconciliation:
    """Compare the ``raw`` schema of ``raw`` with the ``marts`` schema of ``marts``.

    The two may be the same connection (the build warehouse holds both schemas).
    """
    notes: list[str] = []
    quarantined = {table: int(n) for table, n in marts.execute(MART_QUARANTINED).fetchall()}
    counts = [
        CountLine(
            table=table,
            source_live=int(_scalar(raw, SOURCE_LIVE_ROWS[table])),
            in_marts=int(_scalar(marts, MART_ROWS[table])),
            quarantined=quarantined.get(table, 0),
        )
        for table in SOURCE_LIVE_ROWS
    ]
    has_recidivism = _scalar(
        marts,
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'marts' and table_name = 'mart_vehicle_recidivism'",
    )
    if has_recidivism:
        vehicles = next(c for c in counts if c.table == "case_vehicles")
        counts.append(
            CountLine(
                table="case_vehicles_in_mart_vehicle_recidivism",
                source_live=vehicles.source_live,
                in_marts=int(_scalar(marts, MART_VEHICLE_ROWS)),
                quarantined=vehicles.quarantined,
            )
        )
    else:
        notes.append("marts.mart_vehicle_recidivism does not exist: vehicles reconciled through fct_cases.n_vehicles only")

    source_goods = _decimal(_scalar(raw, SOURCE_GOODS_VALUE))
    source_vehicles = _decimal(_scalar(raw, SOURCE_VEHICLE_VALUE))
    mart_goods, mart_vehicles, mart_total = (_decimal(v) for v in marts.execute(MART_CASE_VALUES).fetchone())
    values = [
        ValueLine("total_value", source_goods + source_vehicles, mart_total),
        ValueLine("goods_value", source_goods, mart_goods),
        ValueLine("vehicle_value", source_vehicles, mart_vehicles),
        ValueLine("item_value", source_goods, _decimal(_scalar(marts, MART_ITEM_VALUE))),
    ]
    return Reconciliation(counts=counts, values=values, notes=notes)
