"""What one user may read of a published snapshot, enforced in SQL.

A reader never queries the snapshot's tables directly. :func:`open_scoped` attaches the
snapshot read-only to an in-memory database and defines, for every table of its ``marts`` and
``meta`` schemas, a view of the same name that holds only what the :class:`Scope` allows:

* **formations**: rows of other formations are filtered out of every table that has a
  ``formation_code``; resolved vehicles and people only appear when seen in the scope's
  formations; data-quality rows only when traced to a case of those formations. National
  route flows, whole-table row counts and expectation results are empty; a person's totals over every
  formation are NULL, and resolved vehicles and officers' months are rebuilt from the
  reader's own rows. A table this module does not know and that has no
  ``formation_code`` is empty too: new marts are closed until classified here.
* **PII masking**: CNICs keep their first five and last digit (``35202-*******-1``), names
  and father's names the first letter of each word, passports likewise; one person's
  identity can be revealed (``revealed_person``, a person key) after an audited request.
* **person keys**: ``offender_key`` in the marts is the md5 of a CNIC, which a masked CNIC
  narrows to ten million candidates; every view shows a keyed hash of it instead
  (:func:`person_token`, keyed by a secret of the installation), so a key in a download, a
  link or the audit log gives nothing away.

Schema ``feeds`` of a snapshot (the partner feeds' rows, nominal ones included) is never
attached as a view, for any role: the dashboard's Partner feeds page reads the feeds'
configuration and delivery ledger, not their rows; ``meta.table_rows`` leaves out the feeds'
tables (``feeds.<table>``) too.

Queries written against ``marts.<table>`` then run unchanged, and no page, download or
look-up can return more than the views hold. After the views exist, external access is
switched off and the configuration locked, so the connection cannot reach files either.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from antismuggling.access.roles import Principal, cnic_mask_sql, name_mask_sql, text_mask_sql
from antismuggling.sqltext import quote_literal

SNAPSHOT_ALIAS = "snap"
# The only schemas of a snapshot a reader's connection has views of (never ``feeds``).
READER_SCHEMAS = ("marts", "meta")
FEEDS_SCHEMA = "feeds"

# A data-quality row carries the formation and seizure date of its case (dbt attributes it:
# int_dq_checks.case_id). Snapshots published before that name only their source row, by table
# and primary key; these source tables' keys are the keys of mart rows that carry the
# formation and seizure date of the case.
DQ_ATTRIBUTION = (
    ("cases", "fct_cases", "case_id"),
    ("seizure_items", "fct_seizure_items", "item_id"),
    ("case_vehicles", "mart_vehicle_recidivism", "case_vehicle_id"),
    ("case_persons", "fct_case_persons", "case_person_id"),
)

# How a formation-scoped reader sees the tables that need more than "formation_code in
# (...)": alternatives OR-ed together, each with the marts it reads (an alternative whose
# mart the snapshot lacks is dropped). {codes}: the scope's formation codes as an SQL list.
_SCOPED_FILTERS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "fct_officer_case_credits": (("src.formation_code in ({codes}) and src.case_formation_code in ({codes})", ()),),
    "dim_offenders": (
        (
            "src.offender_key in (select offender_key from {snap}.marts.fct_case_persons where formation_code in ({codes}))",
            ("fct_case_persons",),
        ),
    ),
    "dim_locations": (("true", ()),),  # reference data
    "mart_route_flows": (),  # national flows; the dashboard aggregates routes from fct_cases
    # a data-quality row only when traced to a case, item or vehicle of the scope
    "data_quality_issues": tuple(
        (
            f"(src.source_table = '{source}' and try_cast(src.source_pk as bigint) in "
            f"(select {key} from {{snap}}.marts.{mart} where formation_code in ({{codes}})))",
            (mart,),
        )
        for source, mart, key in DQ_ATTRIBUTION
    ),
    "publish_info": (("true", ()),),
    "table_rows": (),  # whole-table counts are national figures
    # the expectation suites' figures are counted over every formation's rows: national
    # (they hold figures only, no value of the data: antismuggling.quality.results)
    "expectation_results": (),
}

# Figures about a vehicle or person summed over every formation: a formation-scoped reader
# sees them as NULL (pages count what the reader's own rows show instead). The yes/no
# "seized before" flags stay: they say that, not where.
_NATIONAL_COLUMNS = {
    "dim_offenders": frozenset({
        "n_cases", "n_formations", "roles", "names_seen", "first_seen_date", "last_seen_date", "total_value_pkr",
        "n_co_offenders", "n_vehicles", "n_appearances", "n_times_arrested",
    }),
    "mart_vehicle_recidivism": frozenset({"prior_seizures", "prior_cases", "prior_formations", "n_vehicle_seizures"}),
}

# Marts whose rows mix formations: a formation-scoped reader gets them rebuilt from rows it
# may see. An officer's month sits under one "main" formation in mart_officer_performance
# but may count cases of others; the scoped view sums the scoped credits instead (grain:
# officer x month x formation). A resolved vehicle's numbers and counts come from the
# reader's own seizures of it (its "seized before" flag stays national). Column ->
# expression; the view keeps the mart's columns and types. {snap}, {codes} as above.
_SCOPED_REBUILDS = {
    "dim_vehicles": (
        "mart_vehicle_recidivism",
        {
            "vehicle_key": "v.vehicle_key",
            "chassis_no": "mode(v.chassis_no)",
            "engine_no": "mode(v.engine_no)",
            "registration_no": "mode(v.registration_no)",
            "n_seizures": "count(*)",
            "n_cases": "count(distinct v.case_id)",
            "n_formations": "count(distinct v.formation_code)",
            "first_seized_date": "min(v.seizure_date)",
            "last_seized_date": "max(v.seizure_date)",
            "is_repeat_vehicle": "bool_or(v.is_repeat)",
            "n_chassis_numbers": "count(distinct v.chassis_no)",
            "n_engine_numbers": "count(distinct v.engine_no)",
            "n_registration_numbers": "count(distinct v.registration_no)",
            "n_distinct_chassis": "count(distinct v.chassis_no)",
            "n_distinct_engines": "count(distinct v.engine_no)",
            "has_identity_conflict": "count(distinct v.chassis_no) > 1 or count(distinct v.engine_no) > 1",
            "vehicle_value_pkr": "sum(coalesce(v.value_pkr, 0))",
            "first_case_vehicle_id": "min(v.case_vehicle_id)",
        },
        "from {snap}.marts.mart_vehicle_recidivism v where v.formation_code in ({codes}) group by v.vehicle_key",
    ),
    "mart_officer_performance": (
        "fct_officer_case_credits",
        {
            "officer_id": "c.officer_id",
            "seizure_month": "c.seizure_month",
            "formation_code": "c.formation_code",
            "n_cases": "count(*)",
            "credited_value_pkr": "sum(c.credited_value_pkr)",
            "n_adjudicated": "count(*) filter (where c.is_adjudicated)",
            "n_confiscated": "count(*) filter (where c.is_confiscated)",
            "confiscation_rate": "count(*) filter (where c.is_confiscated) / nullif(count(*) filter (where c.is_adjudicated), 0)",
            "n_formations": "count(distinct c.formation_code)",
            "cases_total_value_pkr": "sum(c.case_total_value_pkr)",
            "service_no": "any_value(o.service_no)",
            "full_name": "any_value(o.full_name)",
            "designation": "any_value(o.designation)",
            "is_officer_deleted": "any_value(o.is_officer_deleted)",
        },
        "from {snap}.marts.fct_officer_case_credits c "
        "left join (select officer_id, any_value(service_no) as service_no, any_value(full_name) as full_name, "
        "any_value(designation) as designation, any_value(is_officer_deleted) as is_officer_deleted "
        "from {snap}.marts.mart_officer_performance group by officer_id) o on o.officer_id = c.officer_id "
        "where c.formation_code in ({codes}) and c.case_formation_code in ({codes}) "
        "group by c.officer_id, c.seizure_month, c.formation_code",
    ),
}

# Person-identifying columns, masked by name in every table but the officers' (an officer's
# name on the performance table is not a suspect's identity).
_CNIC_COLUMNS = frozenset({"cnic"})
_NAME_COLUMNS = frozenset({"full_name", "father_name", "passport_no"})
_NAME_LIST_COLUMNS = frozenset({"names_seen"})
_WITHHELD_COLUMNS = frozenset({"date_of_birth"})  # with a district, enough to identify someone
_OFFICER_TABLES = frozenset({"mart_officer_performance", "fct_officer_case_credits"})
# Free-text columns that may quote an identity.
_TEXT_COLUMNS = frozenset({"detail"})
# Tables of one row per person (or person in a case), where a revealed person's rows unmask.
_REVEALABLE_TABLES = frozenset({"fct_case_persons", "dim_offenders"})


PERSON_SECRET_FILE = "person-key.secret"


def person_secret(access_dir: Path) -> str:
    """The installation's secret for person keys (created on first use, readable by its
    owner only). Deleting it changes every person key, and so old links to people."""
    return _read_or_create_secret(access_dir / PERSON_SECRET_FILE)


@cache
def _read_or_create_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
    return path.read_text().strip()


def person_token(secret: str, offender_key: str) -> str:
    """The person key readers see for a marts ``offender_key`` (equal to the views' SQL)."""
    return hashlib.sha256((secret + offender_key).encode("utf-8")).hexdigest()


def _person_token_sql(secret: str, column: str) -> str:
    return f"sha256({quote_literal(secret)} || {column})"


# The person key of each row, computed at publication (``add_person_tokens``): a reader
# looking a person up by key then compares a stored column instead of hashing every row of
# the table (1.5 s a query at a million persons). Used only when the snapshot was published
# with the reader's secret (``meta.publish_info`` names it by ``secret_id``); otherwise the
# views compute the key as before. Never shown as a column of its own.
PERSON_TOKEN_COLUMN = "offender_token"
PERSON_TOKEN_SECRET_KEY = "person_token_secret_id"


def secret_id(secret: str) -> str:
    """A public name for a secret (which it does not reveal), to tell whether a snapshot's
    stored person keys were made with the reader's."""
    return hashlib.sha256(("antismuggling person key id:" + secret).encode("utf-8")).hexdigest()[:16]


def add_person_tokens(con, table: str, columns: Sequence[str], secret: str) -> bool:
    """Store each row's person key beside ``offender_key`` in ``table`` (a qualified, quoted
    name); a table without ``offender_key`` is left as it is. True when the column was added."""
    if "offender_key" not in columns:
        return False
    con.execute(f"alter table {table} add column {PERSON_TOKEN_COLUMN} varchar")
    con.execute(f"update {table} set {PERSON_TOKEN_COLUMN} = {_person_token_sql(secret, 'offender_key')}")
    return True


@dataclass(frozen=True)
class Scope:
    """What one reader may see. ``formations`` None means every formation."""

    formations: tuple[str, ...] | None = None
    mask_pii: bool = False
    revealed_person: str | None = None  # person key (offender_key as views show it) unmasked by an analyst

    @classmethod
    def for_principal(cls, principal: Principal, revealed_person: str | None = None) -> Scope:
        if not principal.sees_data:
            raise PermissionError(f"role {principal.role} sees no seizure data")
        return cls(
            formations=tuple(sorted(principal.formations)) if principal.is_scoped else None,
            mask_pii=principal.masks_pii,
            revealed_person=revealed_person if principal.masks_pii else None,
        )

    def revealing(self, person_key: str | None) -> Scope:
        """The same scope with one person's identity shown (no change when nothing is masked)."""
        return Scope(self.formations, self.mask_pii, person_key if self.mask_pii else None)

    @property
    def unrestricted(self) -> bool:
        return self.formations is None and not self.mask_pii


def open_scoped(snapshot: Path, scope: Scope, secret: str) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``marts`` and ``meta`` views show ``snapshot`` as
    ``scope`` allows (``secret``: :func:`person_secret`). Close it when done."""
    if scope.formations is not None and not scope.formations:
        raise PermissionError("a formation-scoped reader needs at least one formation")
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach {quote_literal(str(snapshot))} as {SNAPSHOT_ALIAS} (read_only)")
        columns = con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = ? and list_contains(?, schema_name) order by schema_name, table_name, column_index",
            [SNAPSHOT_ALIAS, list(READER_SCHEMAS)],
        ).fetchall()
        tables: dict[tuple[str, str], dict[str, str]] = {}
        for schema, table, column, data_type in columns:
            tables.setdefault((schema, table), {})[column] = data_type
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema {schema}")
        marts = frozenset(table for schema, table in tables if schema == "marts")
        stored_tokens = _stored_person_tokens(con, tables, secret)
        for (schema, table), table_columns in tables.items():
            con.execute(view_sql(schema, table, table_columns, scope, marts, secret, stored_tokens=stored_tokens))
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def _stored_person_tokens(con: duckdb.DuckDBPyConnection, tables: Mapping[tuple[str, str], Mapping[str, str]],
                          secret: str) -> bool:
    """Whether the snapshot's stored person keys were made with ``secret``."""
    if ("meta", "publish_info") not in tables:
        return False
    row = con.execute(
        f"select details->>{quote_literal(PERSON_TOKEN_SECRET_KEY)} from {SNAPSHOT_ALIAS}.meta.publish_info limit 1"
    ).fetchone()
    return row is not None and row[0] == secret_id(secret)


def view_sql(
    schema: str, table: str, columns: Mapping[str, str], scope: Scope, marts: frozenset[str], secret: str,
    *, stored_tokens: bool = False,
) -> str:
    """``create view <schema>.<table>`` over the attached snapshot's table (``columns``: name ->
    DuckDB type), as ``scope`` allows (``marts``: the snapshot's marts, which a row filter may
    read; ``secret``: for person keys; ``stored_tokens``: the snapshot's stored person keys
    were made with it)."""
    token = f"src.{PERSON_TOKEN_COLUMN}" if stored_tokens and PERSON_TOKEN_COLUMN in columns else None
    columns = {c: t for c, t in columns.items() if c != PERSON_TOKEN_COLUMN}
    if scope.formations is not None and table in _SCOPED_REBUILDS:
        needs, expressions, body = _SCOPED_REBUILDS[table]
        if needs in marts and set(columns) <= set(expressions):
            codes = ", ".join(quote_literal(code) for code in scope.formations)
            select = ", ".join(
                f"cast({expressions[column]} as {data_type}) as {_ident(column)}" for column, data_type in columns.items()
            )
            return (
                f"create view {_ident(schema)}.{_ident(table)} as select {select} "
                + body.format(snap=SNAPSHOT_ALIAS, codes=codes)
            )
    select = ", ".join(
        _column_sql(table, column, data_type, scope, secret, token) for column, data_type in columns.items()
    )
    source = f"{SNAPSHOT_ALIAS}.{_ident(schema)}.{_ident(table)}"
    where = _row_filter(table, list(columns), scope, marts)
    if (schema, table) == ("meta", "table_rows"):  # the feeds' row counts are not the readers'
        where = f"({where}) and not starts_with(src.table_name, '{FEEDS_SCHEMA}.')"
    return f"create view {_ident(schema)}.{_ident(table)} as select {select} from {source} as src where {where}"


def _row_filter(table: str, columns: list[str], scope: Scope, marts: frozenset[str]) -> str:
    if scope.formations is None:
        return "true"
    codes = ", ".join(quote_literal(code) for code in scope.formations)
    if table == "data_quality_issues" and "formation_code" in columns:
        return f"src.formation_code in ({codes})"  # attributed to its case's formation, or NULL
    if table in _SCOPED_FILTERS:
        alternatives = [
            condition.format(codes=codes, snap=SNAPSHOT_ALIAS)
            for condition, needs in _SCOPED_FILTERS[table]
            if all(mart in marts for mart in needs)
        ]
        return " or ".join(f"({a})" for a in alternatives) or "false"
    if "formation_code" in columns:
        return f"src.formation_code in ({codes})"
    return "false"


def _column_sql(table: str, column: str, data_type: str, scope: Scope, secret: str, token: str | None = None) -> str:
    """``token``: the row's stored person key, when the snapshot has one made with ``secret``."""
    quoted = f"src.{_ident(column)}"
    person_key = token or _person_token_sql(secret, "src.offender_key")
    if column == "offender_key":
        return f"{person_key} as offender_key"
    if scope.formations is not None and column in _NATIONAL_COLUMNS.get(table, ()):
        return f"cast(null as {data_type}) as {_ident(column)}"
    if not scope.mask_pii or table in _OFFICER_TABLES:
        return quoted
    if table == "data_quality_issues" and column == "detail":
        # an invalid CNIC is quoted as typed, often not 13 digits: hide every digit
        masked = f"case when src.check_name like '%cnic%' then regexp_replace({quoted}, '[0-9]', '*', 'g') else {text_mask_sql(quoted)} end"
        return f"{masked} as {_ident(column)}"
    if column in _CNIC_COLUMNS:
        masked = cnic_mask_sql(quoted)
    elif column in _NAME_COLUMNS:
        masked = name_mask_sql(quoted)
    elif column in _NAME_LIST_COLUMNS:
        # names that differ only in spelling mask alike: list each masked form once
        masked = f"list_sort(list_distinct(list_transform({quoted}, name -> {name_mask_sql('name')})))"
    elif column in _TEXT_COLUMNS:
        masked = text_mask_sql(quoted)
    elif column in _WITHHELD_COLUMNS:
        masked = f"cast(null as {data_type})"
    else:
        return quoted
    if scope.revealed_person and table in _REVEALABLE_TABLES:
        revealed = f"{person_key} = {quote_literal(scope.revealed_person)}"
        masked = f"case when {revealed} then {quoted} else {masked} end"
    return f"{masked} as {_ident(column)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
