"""What one user may read of a published snapshot, enforced in SQL.

A reader never queries the snapshot's tables directly. :func:`open_scoped` attaches the
snapshot read-only to an in-memory database and defines, for every table of its ``marts`` and
``meta`` schemas, a view of the same name that holds only what the :class:`Scope` allows:

* **formations**: rows of other formations are filtered out of every table that has a
  ``formation_code``; resolved vehicles and people only appear when seen in the scope's
  formations; data-quality rows only when traced to a case of those formations. National
  route flows and whole-table row counts are empty, and a vehicle's or person's figures
  summed over every formation are NULL. A table this module does not know and that has no
  ``formation_code`` is empty too: new marts are closed until classified here.
* **PII masking**: CNICs keep their first five and last digit (``35202-*******-1``), names
  and father's names the first letter of each word, passports likewise; one person's
  identity can be revealed (``revealed_person``, an ``offender_key``) after an audited
  request.

Queries written against ``marts.<table>`` then run unchanged, and no page, download or
look-up can return more than the views hold. After the views exist, external access is
switched off and the configuration locked, so the connection cannot reach files either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from antismuggling.access.roles import Principal, cnic_mask_sql, name_mask_sql, text_mask_sql
from antismuggling.sqltext import quote_literal

SNAPSHOT_ALIAS = "snap"

# How a formation-scoped reader sees the tables that need more than "formation_code in
# (...)": alternatives OR-ed together, each with the marts it reads (an alternative whose
# mart the snapshot lacks is dropped). {codes}: the scope's formation codes as an SQL list.
_SCOPED_FILTERS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "fct_officer_case_credits": (("formation_code in ({codes}) and case_formation_code in ({codes})", ()),),
    "dim_vehicles": (
        (
            "vehicle_key in (select vehicle_key from {snap}.marts.mart_vehicle_recidivism where formation_code in ({codes}))",
            ("mart_vehicle_recidivism",),
        ),
    ),
    "dim_offenders": (
        (
            "offender_key in (select offender_key from {snap}.marts.fct_case_persons where formation_code in ({codes}))",
            ("fct_case_persons",),
        ),
    ),
    "dim_locations": (("true", ()),),  # reference data
    "mart_route_flows": (),  # national flows; the dashboard aggregates routes from fct_cases
    # a data-quality row only when traced to a case, item or vehicle of the scope
    "data_quality_issues": tuple(
        (
            f"(source_table = '{source}' and try_cast(source_pk as bigint) in "
            f"(select {key} from {{snap}}.marts.{mart} where formation_code in ({{codes}})))",
            (mart,),
        )
        for source, mart, key in (
            ("cases", "fct_cases", "case_id"),
            ("seizure_items", "fct_seizure_items", "item_id"),
            ("case_vehicles", "mart_vehicle_recidivism", "case_vehicle_id"),
        )
    ),
    "publish_info": (("true", ()),),
    "table_rows": (),  # whole-table counts are national figures
}

# Figures about a vehicle or person summed over every formation: a formation-scoped reader
# sees them as NULL (pages count what the reader's own rows show instead). The yes/no
# "seized before" flags stay: they say that, not where.
_NATIONAL_COLUMNS = {
    "dim_offenders": frozenset({
        "n_cases", "n_formations", "roles", "names_seen", "first_seen_date", "last_seen_date", "total_value_pkr",
        "n_co_offenders", "n_vehicles", "n_appearances", "n_times_arrested",
    }),
    "dim_vehicles": frozenset({
        "n_seizures", "n_cases", "n_formations", "first_seized_date", "last_seized_date", "n_chassis_numbers",
        "n_engine_numbers", "n_registration_numbers", "vehicle_value_pkr", "first_case_vehicle_id",
    }),
    "mart_vehicle_recidivism": frozenset({"prior_seizures", "prior_cases", "prior_formations", "n_vehicle_seizures"}),
}

# Person-identifying columns, masked by name in every table but the officers' (an officer's
# name on the performance table is not a suspect's identity).
_CNIC_COLUMNS = frozenset({"cnic"})
_NAME_COLUMNS = frozenset({"full_name", "father_name", "passport_no"})
_NAME_LIST_COLUMNS = frozenset({"names_seen"})
_OFFICER_TABLES = frozenset({"mart_officer_performance", "fct_officer_case_credits"})
# Free-text columns that may quote an identity.
_TEXT_COLUMNS = frozenset({"detail"})
# Tables of one row per person (or person in a case), where a revealed person's rows unmask.
_REVEALABLE_TABLES = frozenset({"fct_case_persons", "dim_offenders"})


@dataclass(frozen=True)
class Scope:
    """What one reader may see. ``formations`` None means every formation."""

    formations: tuple[str, ...] | None = None
    mask_pii: bool = False
    revealed_person: str | None = None  # offender_key of the one person an analyst unmasked

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


def open_scoped(snapshot: Path, scope: Scope) -> duckdb.DuckDBPyConnection:
    """An in-memory connection whose ``marts`` and ``meta`` views show ``snapshot`` as
    ``scope`` allows. Close it when done."""
    if scope.formations is not None and not scope.formations:
        raise PermissionError("a formation-scoped reader needs at least one formation")
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute(f"attach {quote_literal(str(snapshot))} as {SNAPSHOT_ALIAS} (read_only)")
        columns = con.execute(
            "select schema_name, table_name, column_name, data_type from duckdb_columns() "
            "where database_name = ? and schema_name in ('marts', 'meta') order by schema_name, table_name, column_index",
            [SNAPSHOT_ALIAS],
        ).fetchall()
        tables: dict[tuple[str, str], dict[str, str]] = {}
        for schema, table, column, data_type in columns:
            tables.setdefault((schema, table), {})[column] = data_type
        for schema in sorted({schema for schema, _ in tables}):
            con.execute(f"create schema {schema}")
        marts = frozenset(table for schema, table in tables if schema == "marts")
        for (schema, table), table_columns in tables.items():
            con.execute(view_sql(schema, table, table_columns, scope, marts))
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except BaseException:
        con.close()
        raise
    return con


def view_sql(schema: str, table: str, columns: Mapping[str, str], scope: Scope, marts: frozenset[str]) -> str:
    """``create view <schema>.<table>`` over the attached snapshot's table (``columns``: name ->
    DuckDB type), as ``scope`` allows (``marts``: the snapshot's marts, which a row filter may
    read)."""
    select = ", ".join(_column_sql(table, column, data_type, scope) for column, data_type in columns.items())
    source = f"{SNAPSHOT_ALIAS}.{_ident(schema)}.{_ident(table)}"
    where = _row_filter(table, list(columns), scope, marts)
    return f"create view {_ident(schema)}.{_ident(table)} as select {select} from {source} as src where {where}"


def _row_filter(table: str, columns: list[str], scope: Scope, marts: frozenset[str]) -> str:
    if scope.formations is None:
        return "true"
    codes = ", ".join(quote_literal(code) for code in scope.formations)
    if table in _SCOPED_FILTERS:
        alternatives = [
            condition.format(codes=codes, snap=SNAPSHOT_ALIAS)
            for condition, needs in _SCOPED_FILTERS[table]
            if all(mart in marts for mart in needs)
        ]
        return " or ".join(f"({a})" for a in alternatives) or "false"
    if "formation_code" in columns:
        return f"formation_code in ({codes})"
    return "false"


def _column_sql(table: str, column: str, data_type: str, scope: Scope) -> str:
    quoted = f"src.{_ident(column)}"
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
    else:
        return quoted
    if scope.revealed_person and table in _REVEALABLE_TABLES:
        masked = f"case when src.offender_key = {quote_literal(scope.revealed_person)} then {quoted} else {masked} end"
    return f"{masked} as {_ident(column)}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
