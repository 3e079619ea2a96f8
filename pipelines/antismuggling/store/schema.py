"""DDL of the operational store, exactly as the source-system contract fixes it.

One logical description (``COLUMNS``) renders to SQLite and to PostgreSQL:

- SQLite: timestamps and dates are TEXT (ISO-8601, as the contract allows), money and
  quantities NUMERIC, booleans stored as 0/1.
- PostgreSQL: ``timestamptz``, ``date``, ``numeric(18,2)`` for money, ``numeric`` for
  quantities, ``boolean``; coordinates ``double precision`` (``real`` is float4 and would
  garble the fifth decimal of a latitude).

Foreign keys are declared on both engines. SQLite does not enforce them unless asked to;
PostgreSQL gets them ``NOT VALID`` after the rows are in, because a real store holds legacy
orphans (the contract says so) that a validated constraint would refuse. Every table has an
index on ``updated_at``: the warehouse loads incrementally by it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

from antismuggling.store.urls import StoreURL, parse_store_url

Engine = Literal["sqlite", "postgresql"]
LogicalType = Literal["text", "id", "integer", "real", "money", "quantity", "boolean", "date", "timestamp"]


@dataclass(frozen=True)
class Column:
    name: str
    type: LogicalType
    nullable: bool = False
    references: str | None = None  # "table(column)"
    unique: bool = False


def _audit(*, deletable: bool) -> tuple[Column, ...]:
    columns = (Column("created_at", "timestamp"), Column("updated_at", "timestamp"))
    return columns + ((Column("deleted_at", "timestamp", nullable=True),) if deletable else ())


# Column order is the contract's order.
COLUMNS: dict[str, tuple[Column, ...]] = {
    "formations": (
        Column("formation_code", "text"),
        Column("name", "text"),
        Column("kind", "text"),
        Column("region", "text"),
        Column("city", "text"),
        Column("parent_code", "text", nullable=True, references="formations(formation_code)"),
        *_audit(deletable=False),
    ),
    "officers": (
        Column("officer_id", "id"),
        Column("service_no", "text", unique=True),
        Column("full_name", "text"),
        Column("designation", "text"),
        *_audit(deletable=True),
    ),
    "officer_postings": (
        Column("posting_id", "id"),
        Column("officer_id", "id", references="officers(officer_id)"),
        Column("formation_code", "text", references="formations(formation_code)"),
        Column("posted_from", "date"),
        Column("posted_to", "date", nullable=True),
        *_audit(deletable=False),
    ),
    "locations": (
        Column("location_id", "id"),
        Column("name", "text"),
        Column("kind", "text"),
        Column("district", "text", nullable=True),
        Column("province", "text", nullable=True),
        Column("country", "text"),
        Column("latitude", "real", nullable=True),
        Column("longitude", "real", nullable=True),
        *_audit(deletable=False),
    ),
    "cases": (
        Column("case_id", "id"),
        Column("case_no", "text"),
        Column("formation_code", "text", references="formations(formation_code)"),
        Column("seizure_at", "timestamp"),
        Column("seizure_location_id", "id", nullable=True, references="locations(location_id)"),
        Column("origin_location_id", "id", nullable=True, references="locations(location_id)"),
        Column("destination_location_id", "id", nullable=True, references="locations(location_id)"),
        Column("route_via", "text", nullable=True),
        Column("detection_method", "text"),
        Column("offence_nature", "text"),
        Column("legal_sections", "text", nullable=True),
        Column("status", "text"),
        Column("adjudication_outcome", "text", nullable=True),
        Column("adjudicated_on", "date", nullable=True),
        Column("redemption_fine_pkr", "money", nullable=True),
        Column("personal_penalty_pkr", "money", nullable=True),
        Column("fir_no", "text", nullable=True),
        Column("remarks", "text", nullable=True),
        *_audit(deletable=True),
    ),
    "seizure_items": (
        Column("item_id", "id"),
        Column("case_id", "id", references="cases(case_id)"),
        Column("hs_code", "text", nullable=True),
        Column("description", "text"),
        Column("quantity", "quantity", nullable=True),
        Column("unit", "text", nullable=True),
        Column("value_pkr", "money", nullable=True),
        Column("origin_country", "text", nullable=True),
        Column("concealment", "text", nullable=True),
        *_audit(deletable=True),
    ),
    "case_vehicles": (
        Column("case_vehicle_id", "id"),
        Column("case_id", "id", references="cases(case_id)"),
        Column("registration_no", "text", nullable=True),
        Column("chassis_no", "text", nullable=True),
        Column("engine_no", "text", nullable=True),
        Column("make", "text", nullable=True),
        Column("model", "text", nullable=True),
        Column("colour", "text", nullable=True),
        Column("model_year", "integer", nullable=True),
        Column("vehicle_type", "text"),
        Column("involvement", "text"),
        Column("confiscated_u_s_157", "boolean"),
        Column("value_pkr", "money", nullable=True),
        *_audit(deletable=True),
    ),
    "case_persons": (
        Column("case_person_id", "id"),
        Column("case_id", "id", references="cases(case_id)"),
        Column("cnic", "text", nullable=True),
        Column("passport_no", "text", nullable=True),
        Column("full_name", "text"),
        Column("father_name", "text", nullable=True),
        Column("gender", "text", nullable=True),
        Column("date_of_birth", "date", nullable=True),
        Column("nationality", "text", nullable=True),
        Column("home_district", "text", nullable=True),
        Column("role", "text"),
        Column("custody_status", "text"),
        *_audit(deletable=True),
    ),
    "case_officers": (
        Column("case_id", "id", references="cases(case_id)"),
        Column("officer_id", "id", references="officers(officer_id)"),
        Column("role", "text"),
        *_audit(deletable=True),
    ),
}

# Parents before children: the order to create and load in (and the reverse to drop in).
TABLES: tuple[str, ...] = tuple(COLUMNS)

PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "formations": ("formation_code",),
    "officers": ("officer_id",),
    "officer_postings": ("posting_id",),
    "locations": ("location_id",),
    "cases": ("case_id",),
    "seizure_items": ("item_id",),
    "case_vehicles": ("case_vehicle_id",),
    "case_persons": ("case_person_id",),
    "case_officers": ("case_id", "officer_id", "role"),
}

# Tables whose rows can be soft-deleted (they have deleted_at).
SOFT_DELETE_TABLES: tuple[str, ...] = tuple(
    table for table, columns in COLUMNS.items() if any(c.name == "deleted_at" for c in columns)
)

_SQLITE_TYPES: dict[str, str] = {
    "text": "TEXT",
    "id": "INTEGER",
    "integer": "INTEGER",
    "real": "REAL",
    "money": "NUMERIC",
    "quantity": "NUMERIC",
    "boolean": "BOOLEAN",
    "date": "TEXT",
    "timestamp": "TEXT",
}
_POSTGRES_TYPES: dict[str, str] = {
    "text": "text",
    "id": "bigint",
    "integer": "integer",
    "real": "double precision",
    "money": "numeric(18,2)",
    "quantity": "numeric",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamptz",
}


class StoreNotEmptyError(RuntimeError):
    """The target store already holds rows and replacing it was not asked for."""


def column_names(table: str) -> tuple[str, ...]:
    return tuple(column.name for column in COLUMNS[table])


def _column_sql(column: Column, engine: Engine, *, inline_references: bool) -> str:
    types = _SQLITE_TYPES if engine == "sqlite" else _POSTGRES_TYPES
    parts = [column.name, types[column.type]]
    if not column.nullable:
        parts.append("NOT NULL")
    if column.unique:
        parts.append("UNIQUE")
    if inline_references and column.references:
        parts.append(f"REFERENCES {column.references}")
    return " ".join(parts)


def create_table_sql(table: str, engine: Engine) -> str:
    """CREATE TABLE for one table. SQLite declares its foreign keys inline (it cannot add them later)."""
    inline = engine == "sqlite"
    lines = [_column_sql(column, engine, inline_references=inline) for column in COLUMNS[table]]
    lines.append(f"PRIMARY KEY ({', '.join(PRIMARY_KEYS[table])})")
    body = ",\n    ".join(lines)
    return f"CREATE TABLE {table} (\n    {body}\n)"


def index_sql(engine: Engine) -> list[str]:
    """One index on updated_at per table (the incremental-load watermark)."""
    del engine  # same syntax on both engines
    return [f"CREATE INDEX ix_{table}_updated_at ON {table} (updated_at)" for table in TABLES]


def foreign_key_sql(engine: Engine) -> list[str]:
    """PostgreSQL foreign keys, NOT VALID so legacy orphans already in the store stay loadable."""
    if engine == "sqlite":
        return []
    statements = []
    for table, columns in COLUMNS.items():
        for column in columns:
            if column.references:
                statements.append(
                    f"ALTER TABLE {table} ADD CONSTRAINT fk_{table}_{column.name} "
                    f"FOREIGN KEY ({column.name}) REFERENCES {column.references} NOT VALID"
                )
    return statements


def ddl(engine: Engine) -> list[str]:
    """Every statement that builds an empty store on the engine, in order."""
    return [create_table_sql(table, engine) for table in TABLES] + index_sql(engine) + foreign_key_sql(engine)


# --- connections ------------------------------------------------------------------------------


@contextmanager
def connect(store: StoreURL | str) -> Iterator[Any]:
    """A DB-API connection to the store (sqlite3 or psycopg 3), committed on success, always closed.

    Missing parent directories of a SQLite file are created.
    """
    store = parse_store_url(store) if isinstance(store, str) else store
    if store.kind == "sqlite":
        assert store.path is not None
        store.path.parent.mkdir(parents=True, exist_ok=True)
        connection: Any = sqlite3.connect(store.path, isolation_level=None)
        connection.execute("BEGIN")
    else:
        import psycopg

        connection = psycopg.connect(store.dsn, options="-c TimeZone=UTC")
    try:
        yield connection
        if store.kind == "sqlite":
            connection.execute("COMMIT")
        else:
            connection.commit()
    except BaseException:
        if store.kind == "sqlite":
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        else:
            connection.rollback()
        raise
    finally:
        connection.close()


def existing_tables(connection: Any, engine: Engine) -> list[str]:
    """The contract tables that exist on the connection, in ``TABLES`` order."""
    if engine == "sqlite":
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    else:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchall()
    present = {row[0] for row in rows}
    return [table for table in TABLES if table in present]


def row_counts(connection: Any, engine: Engine) -> dict[str, int]:
    """Rows in each contract table that exists."""
    return {
        table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in existing_tables(connection, engine)
    }


def create_tables(connection: Any, engine: Engine, *, replace: bool) -> None:
    """Create the nine tables (no indexes or PostgreSQL keys yet: those go on after a bulk load).

    Raises ``StoreNotEmptyError`` if a contract table already holds rows and ``replace`` is
    false; existing empty contract tables are dropped and recreated either way, so the
    structure always matches the contract. Other tables in the database are left alone.
    """
    counts = row_counts(connection, engine)
    filled = {table: n for table, n in counts.items() if n}
    if filled and not replace:
        summary = ", ".join(f"{table}={n}" for table, n in filled.items())
        raise StoreNotEmptyError(
            f"the store already holds rows ({summary}); replace it explicitly (replace=True, --replace)"
        )
    for table in reversed(TABLES):
        if table in counts:
            cascade = " CASCADE" if engine == "postgresql" else ""
            connection.execute(f"DROP TABLE {table}{cascade}")
    for table in TABLES:
        connection.execute(create_table_sql(table, engine))


def finish_schema(connection: Any, engine: Engine) -> None:
    """Add the updated_at indexes (and the PostgreSQL foreign keys) once the rows are in."""
    for statement in index_sql(engine) + foreign_key_sql(engine):
        connection.execute(statement)


def create_schema(url: str | StoreURL, *, replace: bool = False) -> None:
    """Create an empty store following the contract at ``url``.

    Refuses (``StoreNotEmptyError``) to touch a store whose contract tables hold rows unless
    ``replace`` is true.
    """
    store = parse_store_url(url) if isinstance(url, str) else url
    with connect(store) as connection:
        create_tables(connection, store.kind, replace=replace)
        finish_schema(connection, store.kind)
