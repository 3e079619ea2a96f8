"""What the warehouse's case-scoped models must rebuild: the keys each load changed, kept until
a build takes them in.

The case-level staging, intermediate and fact models are incremental (dbt
``macros/changed_cases.sql``): a build deletes and rebuilds only the cases the loads since the
last successful build touched. The load records them in ``raw._changed_keys``, as the source's
text, in the load's own transaction:

- ``case``: the ``case_id`` of every changed row of ``cases`` and of its child tables, as it
  is now and as it was (an item moved to another case changes both);
- ``officer``: the ``officer_id`` of every changed ``officers`` or ``officer_postings`` row
  (dbt reaches their cases through ``case_officers``, and rebuilds them only in the models
  reading officers);
- ``all``: anything no case key reaches (a full load, a formation or location edit, a new HS
  nomenclature, a table read whole): the next build rebuilds every model from scratch.

A build that fails keeps them, so the next one covers them again (rebuilding a case twice is
harmless); one that succeeds clears what it took in, and remembers the code it ran, so that
new code (a rule changed in a model or a macro) rebuilds everything once.

It also remembers the refresh date (PKT) it built for. Whether a date is plausible depends on
that date (dbt macros/parsing.sql: nothing after tomorrow), so a later date can make a date
typed on an unchanged row readable: dbt then also rebuilds the cases with a date between the
two (stg_changed_cases), told both dates by the build (``dbt_vars``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb

from antismuggling.build_inputs import code_stamp
from antismuggling.sqltext import quote_literal

CHANGED_KEYS = "raw._changed_keys"
BUILD_STATE = "raw._build_state"  # the code the last successful build ran, and how it built
EVERYTHING, CHANGED_CASES = "everything", "changed cases"
PKT = timezone(timedelta(hours=5), "PKT")  # as dbt's pkt_offset_hours: no DST

# the column of each source table that leads to the cases it belongs to
CASE_KEY_COLUMNS = {
    "cases": ("case", "case_id"),
    "seizure_items": ("case", "case_id"),
    "case_vehicles": ("case", "case_id"),
    "case_persons": ("case", "case_id"),
    "case_officers": ("case", "case_id"),
    "officers": ("officer", "officer_id"),
    "officer_postings": ("officer", "officer_id"),
}

DDL = f"""
create table if not exists {CHANGED_KEYS} (
    seq bigint, kind varchar, key varchar, source_table varchar, recorded_at timestamp
);
create table if not exists {BUILD_STATE} (code_stamp varchar, mode varchar, built_at timestamp);
alter table {BUILD_STATE} add column if not exists refresh_date date;
alter table {BUILD_STATE} add column if not exists through_seq bigint;
"""


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def _next_seq(con: duckdb.DuckDBPyConnection) -> int:
    """Never a number used before, though a successful build clears the records: what dbt
    keeps until a build succeeds is marked with the last one it took in (int_touched_*)."""
    return con.execute(
        f"select greatest((select coalesce(max(seq), 0) from {CHANGED_KEYS}),"
        f" (select coalesce(max(through_seq), 0) from {BUILD_STATE})) + 1"
    ).fetchone()[0]


def record_all(con: duckdb.DuckDBPyConnection, source_table: str) -> None:
    """The next build rebuilds everything (what changed in ``source_table`` reaches no case key)."""
    con.execute(
        f"insert into {CHANGED_KEYS} values (?, 'all', null, ?, now()::timestamp)",
        [_next_seq(con), source_table],
    )


def record_batch(con: duckdb.DuckDBPyConnection, table: str, target: str, same_key: str, incomplete_key: str) -> None:
    """Record the keys the staged batch (temp tables ``_batch``, ``_changed`` of the load)
    changes in ``target``, the raw copy of ``table``, before it is merged: the new rows and
    the rows they replace; of the rows with an incomplete key (replaced as a set), all of both."""
    if table not in CASE_KEY_COLUMNS:
        record_all(con, table)
        return
    kind, column = CASE_KEY_COLUMNS[table]
    con.execute(
        f"""insert into {CHANGED_KEYS}
            select distinct {_next_seq(con)}, {quote_literal(kind)}, key, {quote_literal(table)}, now()::timestamp
            from (
                select "{column}" as key from _changed
                union all select t."{column}" from {target} t semi join _changed c on {same_key}
                union all select "{column}" from _batch where {incomplete_key}
                union all select "{column}" from {target} where {incomplete_key}
            )"""
    )


@dataclass(frozen=True)
class PendingBuild:
    everything: bool  # rebuild every model (``--full-refresh``)
    through_seq: int  # the last change record it takes in (what ``mark_built`` clears)
    refresh_date: date  # the PKT date it builds for
    built_refresh_date: date | None  # the one the last successful build built for

    def dbt_vars(self) -> dict[str, str]:
        """The two dates, as dbt's ``refresh_date`` and ``built_refresh_date`` vars. A build of
        everything has no earlier build to follow: it passes its own date as both, so that
        every build of a day passes the same vars and dbt's partial parsing holds (it parses
        the whole project again when the vars change)."""
        built = self.refresh_date if self.everything or self.built_refresh_date is None else self.built_refresh_date
        return {"refresh_date": self.refresh_date.isoformat(), "built_refresh_date": built.isoformat()}


def pkt_today() -> date:
    return datetime.now(PKT).date()


def pending_build(warehouse_path: Path, refresh_date: date | None = None) -> PendingBuild:
    """What the next build must rebuild, for ``refresh_date`` (default: today in PKT)."""
    con = duckdb.connect(str(warehouse_path))
    try:
        ensure_tables(con)
        everything, last = con.execute(
            f"select coalesce(bool_or(kind = 'all'), false), coalesce(max(seq), 0) from {CHANGED_KEYS}"
        ).fetchone()
        built = con.execute(f"select code_stamp, refresh_date from {BUILD_STATE}").fetchone()
    finally:
        con.close()
    return PendingBuild(
        everything=bool(everything) or built is None or built[0] != code_stamp(),
        through_seq=last, refresh_date=refresh_date or pkt_today(), built_refresh_date=built[1] if built else None,
    )


def built_mode(con: duckdb.DuckDBPyConnection) -> str | None:
    """How the last successful build built (EVERYTHING or CHANGED_CASES); None before one."""
    try:
        row = con.execute(f"select mode from {BUILD_STATE}").fetchone()
    except duckdb.CatalogException:  # a warehouse no pipeline build has run on
        return None
    return row[0] if row else None


def built_refresh_date(con: duckdb.DuckDBPyConnection) -> date | None:
    """The refresh date the last successful build built for; None before one."""
    try:
        row = con.execute(f"select refresh_date from {BUILD_STATE}").fetchone()
    except duckdb.Error:  # a warehouse no pipeline build has run on (or one from before the date)
        return None
    return row[0] if row else None


def mark_built(warehouse_path: Path, pending: PendingBuild, mode: str) -> None:
    """A build of ``mode`` (EVERYTHING or CHANGED_CASES) succeeded with every change up to
    ``pending.through_seq`` taken in, for ``pending.refresh_date``."""
    con = duckdb.connect(str(warehouse_path))
    try:
        ensure_tables(con)
        con.execute("begin")
        con.execute(f"delete from {CHANGED_KEYS} where seq <= ?", [pending.through_seq])
        con.execute(f"delete from {BUILD_STATE}")
        con.execute(
            f"insert into {BUILD_STATE} (code_stamp, mode, built_at, refresh_date, through_seq)"
            " values (?, ?, now()::timestamp, ?, ?)",
            [code_stamp(), mode, pending.refresh_date, pending.through_seq],
        )
        con.execute("commit")
    finally:
        con.close()
