"""Independent reconciliation of the published marts against the operational store.

Recomputes the contract's counts and values straight from the source with plain Python
(Decimal arithmetic), so the warehouse's SQL is checked against a second implementation.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from antismuggling.publish import connect_published


def _money(text) -> Decimal:
    if text is None:
        return Decimal(0)
    try:
        return Decimal(str(text)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return Decimal(0)


def _live(deleted_at) -> bool:
    return deleted_at is None


@dataclass
class SourceFigures:
    live_case_ids: set[int]
    live_item_ids: set[int]  # live items of live cases
    orphan_item_ids: set[int]  # live items whose case is deleted or missing
    goods_value: Decimal
    vehicle_value: Decimal
    value_by_case: dict[int, Decimal]


def source_figures_sqlite(path) -> SourceFigures:
    con = sqlite3.connect(path)
    try:
        cases = {cid: deleted for cid, deleted in con.execute("select case_id, deleted_at from cases")}
        live_cases = {cid for cid, deleted in cases.items() if _live(deleted)}
        items, orphans, goods = set(), set(), Decimal(0)
        by_case = {cid: Decimal(0) for cid in live_cases}
        for item_id, case_id, value, deleted in con.execute(
            "select item_id, case_id, value_pkr, deleted_at from seizure_items"
        ):
            if not _live(deleted):
                continue
            if case_id in live_cases:
                items.add(item_id)
                goods += _money(value)
                by_case[case_id] += _money(value)
            else:
                orphans.add(item_id)
        vehicles = Decimal(0)
        for case_id, value, deleted in con.execute("select case_id, value_pkr, deleted_at from case_vehicles"):
            if _live(deleted) and case_id in live_cases:
                vehicles += _money(value)
                by_case[case_id] += _money(value)
        return SourceFigures(live_cases, items, orphans, goods, vehicles, by_case)
    finally:
        con.close()


def assert_marts_reconcile(settings, source: SourceFigures) -> None:
    con = connect_published(settings)
    try:
        case_ids = {r[0] for r in con.execute("select case_id from marts.fct_cases").fetchall()}
        assert case_ids == source.live_case_ids, (
            f"{len(source.live_case_ids - case_ids)} live cases missing from fct_cases, "
            f"{len(case_ids - source.live_case_ids)} extra"
        )
        item_ids = {r[0] for r in con.execute("select item_id from marts.fct_seizure_items").fetchall()}
        assert item_ids == source.live_item_ids
        quarantined_items = {
            int(r[0])
            for r in con.execute(
                "select source_pk from marts.data_quality_issues "
                "where source_table = 'seizure_items' and severity = 'quarantined'"
            ).fetchall()
        }
        assert source.orphan_item_ids <= quarantined_items, "orphan items are not quarantined"
        goods, vehicles, total = con.execute(
            "select sum(goods_value_pkr), sum(vehicle_value_pkr), sum(total_value_pkr) from marts.fct_cases"
        ).fetchone()
        assert Decimal(goods) == source.goods_value
        assert Decimal(vehicles) == source.vehicle_value
        assert Decimal(total) == source.goods_value + source.vehicle_value
        per_case = dict(con.execute("select case_id, total_value_pkr from marts.fct_cases").fetchall())
        wrong = [cid for cid, value in source.value_by_case.items() if Decimal(per_case[cid]) != value]
        assert not wrong, f"{len(wrong)} cases with a value that differs from the source, e.g. {wrong[:3]}"
        item_total = con.execute("select coalesce(sum(value_pkr), 0) from marts.fct_seizure_items").fetchone()[0]
        assert Decimal(item_total) == source.goods_value
    finally:
        con.close()


def marts_fingerprint(settings) -> dict[str, tuple]:
    """Row count and a content hash of every published mart."""
    con = connect_published(settings)
    try:
        tables = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        return {
            t: con.execute(f'select count(*), sum(hash(m)) from marts."{t}" m').fetchone() for t in tables
        }
    finally:
        con.close()
