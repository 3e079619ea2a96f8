"""Checks of a feed against the published snapshot and of its last deliveries (Dagster asset checks).

- :func:`contract_check`: every entity's table in the snapshot has exactly its contract's
  columns and types.
- :func:`row_count_check`: every entity has as many rows as the marts it is built from say it
  must (with the feed's filter applied to both sides), and psw adds up to the items.
- :func:`personal_data_check`: the last delivery of a non-nominal feed to each destination,
  rescanned for personal data with what the current snapshot knows.

Each returns a list of problems; empty means the check passed.
"""

from __future__ import annotations

from pathlib import Path

from antismuggling.config import Settings
from antismuggling.feeds.config import FeedConfig, FeedsConfig
from antismuggling.feeds.personal_data import load_known_identifiers, scan_delivery_files
from antismuggling.feeds.runner import (
    connect_snapshot, contract_problems, destination_base, feed_history, resolve_snapshot, snapshot_catalog,
)

# feed model -> (SQL counting the rows it must have, whether the feed filter applies by case)
EXPECTED_ROWS = {
    "feed_ncen_cases": "select count(*) from marts.fct_cases where {case_filter}",
    "feed_ncen_items": "select count(*) from marts.fct_seizure_items where {case_filter}",
    "feed_ncen_vehicles": "select count(*) from marts.mart_vehicle_recidivism where {case_filter}",
    "feed_ncen_persons": "select count(*) from marts.fct_case_persons where {case_filter}",
    "feed_cen_items": "select count(*) from marts.fct_seizure_items where {case_filter}",
    "feed_ntc_vehicles": "select count(*) from marts.dim_vehicles where n_cases >= 2",
    "feed_ntc_persons": "select count(*) from marts.dim_offenders where n_cases >= 2",
}
TOTALS = {
    # model -> (feed-side SQL, marts-side SQL) that must agree
    "feed_psw_indicators": (
        "select sum(n_items), sum(value_pkr) from feeds.feed_psw_indicators",
        "select count(*), sum(coalesce(value_pkr, 0)) from marts.fct_seizure_items",
    ),
}


def _filter_sql(feed: FeedConfig, case_level: bool) -> tuple[str, list[str]]:
    if not feed.filter:
        return "true", []
    clauses, params = [], []
    for column, values in feed.filter:
        marks = ", ".join("?" for _ in values)
        clauses.append(f"cast({column} as varchar) in ({marks})")
        params.extend(values)
    where = " and ".join(clauses)
    if case_level:
        return where, params
    return f"case_id in (select case_id from marts.fct_cases where {where})", params


def contract_check(settings: Settings, feed: FeedConfig, snapshot: Path | None = None) -> list[str]:
    con = connect_snapshot(resolve_snapshot(settings, snapshot))
    try:
        catalog = snapshot_catalog(con)
        return [p for entity in feed.entities for p in contract_problems(con, entity, catalog)]
    finally:
        con.close()


def row_count_check(settings: Settings, feed: FeedConfig, snapshot: Path | None = None) -> tuple[list[str], dict]:
    """(problems, {entity: rows}) comparing each entity's rows with its marts."""
    con = connect_snapshot(resolve_snapshot(settings, snapshot))
    problems, counts = [], {}
    try:
        for entity in feed.entities:
            filt, params = _filter_sql(feed, case_level=True)
            actual = con.execute(f"select count(*) from {entity.schema}.{entity.table} where {filt}", params).fetchone()[0]
            counts[entity.name] = actual
            template = EXPECTED_ROWS.get(entity.table)
            if template is not None:
                case_filter, params = _filter_sql(feed, case_level=entity.table == "feed_ncen_cases")
                expected = con.execute(template.format(case_filter=case_filter), params).fetchone()[0]
                if actual != expected:
                    problems.append(f"{entity.name}: {actual} rows in {entity.relation}, the marts say {expected}")
            totals = TOTALS.get(entity.table)
            if totals is not None:
                feed_side = con.execute(totals[0]).fetchone()
                marts_side = con.execute(totals[1]).fetchone()
                if tuple(x or 0 for x in feed_side) != tuple(x or 0 for x in marts_side):
                    problems.append(f"{entity.name}: totals {feed_side} differ from the marts' {marts_side}")
    finally:
        con.close()
    return problems, counts


def personal_data_check(settings: Settings, config: FeedsConfig, feed: FeedConfig,
                        snapshot: Path | None = None) -> list[str]:
    """Rescan the last delivered folder of each destination of a non-nominal feed."""
    if feed.nominal:
        return []
    con = connect_snapshot(resolve_snapshot(settings, snapshot))
    try:
        known = load_known_identifiers(con)
    finally:
        con.close()
    import json

    problems = []
    for name in feed.destinations:
        last = next((d for d in feed_history(settings, feed.id, name) if d.status == "delivered"), None)
        if last is None:
            continue
        folder = destination_base(settings, config.destinations[name], feed.id) / last.folder
        if not folder.is_dir():
            problems.append(f"{name}: the delivered folder {folder} is no longer there to scan")
            continue
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = [
            (folder / e["name"], e["format"], [(c["name"], c["type"]) for c in e["columns"]])
            for e in manifest["files"] if not e.get("encrypted")
        ]
        problems += [f"{name} seq {last.seq}: {f}" for f in scan_delivery_files(files, known)]
    return problems
