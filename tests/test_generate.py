"""The operational store: URLs, DDL against the contract, and the deterministic demo generator."""

from __future__ import annotations

import csv
import hashlib
import random
import re
import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from antismuggling.store import catalogue
from antismuggling.store.generate import _World, _choice, generate_store
from antismuggling.store.schema import PRIMARY_KEYS, TABLES, StoreNotEmptyError, column_names, create_schema
from antismuggling.store.urls import parse_store_url, redact_url

SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
CONTRACT = SHARED_DIR / "contract" / "operational-store.md"
HS2022_CSV = SHARED_DIR / "reference" / "hs2022" / "harmonized-system.csv"
# The headings whose subheadings the warehouse's compact nomenclature carries.
_COVERED = """
0802 0902 1006 1101 1302 1517 1701 2106 2208 2401 2402 2710 2711 2939 3004 3102 3303 3304 3401 4011 4907 5208 5407
5513 5515 6204 6309 6402 7108 7113 8415 8418 8471 8507 8516 8517 8528 8543 8703 8704 8708 8711 9102 9302 9306 9503
"""
COVERED_HEADINGS = frozenset(_COVERED.split())
CASES = 3000
SEED = 7
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(Z|\+00:00)?$")
TIMESTAMP_STYLES = {
    "space": "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9][0-9]:[0-9][0-9]:[0-9][0-9]",
    "T": "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]",
    "Z": "*T*Z",
    "+00:00": "*T*+00:00",
}
NOT_A_PLATE = ("UNREGISTERED", "N/A", "NIL", "-", "0", "APPLIED FOR", "WITHOUT NUMBER")


def _norm(column: str) -> str:
    """SQL: an identifier stripped of case, spaces, dashes and dots."""
    return f"upper(replace(replace(replace(trim(coalesce({column}, '')), '-', ''), ' ', ''), '.', ''))"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(path, summary) of a few-thousand-case store."""
    path = tmp_path_factory.mktemp("store") / "nested" / "dir" / "ops.db"  # parent dirs do not exist yet
    return path, generate_store(f"sqlite:///{path}", CASES, SEED, progress=False)


@pytest.fixture(scope="module")
def store(generated) -> sqlite3.Connection:
    connection = sqlite3.connect(generated[0])
    yield connection
    connection.close()


def _one(store: sqlite3.Connection, sql: str) -> int:
    return store.execute(sql).fetchone()[0]


def _table_hashes(path: Path) -> dict[str, str]:
    connection = sqlite3.connect(path)
    try:
        hashes = {}
        for table in TABLES:
            digest = hashlib.sha256()
            for row in connection.execute(f"select * from {table} order by {', '.join(PRIMARY_KEYS[table])}"):
                digest.update(repr(row).encode())
            hashes[table] = digest.hexdigest()
        return hashes
    finally:
        connection.close()


# --- the contract ---------------------------------------------------------------------------


def _contract() -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, type as the contract writes it), ...]} from the contract's markdown tables."""
    tables: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in CONTRACT.read_text(encoding="utf-8").splitlines():
        if line.startswith("### "):
            current = line[4:].strip()
            tables[current] = []
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not cells[0]:  # "| | | primary key (case_id, officer_id, role) |"
                keys = re.search(r"primary key \(([^)]*)\)", cells[2])
                tables[current].append(("", keys.group(1) if keys else ""))
                continue
            if cells[0] == "column" or set(cells[0]) <= {"-"}:
                continue
            for name in cells[0].split(","):
                tables[current].append((name.strip(), cells[1]))
    return tables


def test_contract_parses_into_the_nine_tables():
    assert list(_contract()) == list(TABLES)


def test_sqlite_schema_matches_the_contract(store):
    for table, contract_columns in _contract().items():
        declared = store.execute(f"pragma table_info({table})").fetchall()
        columns = [(name, kind) for name, kind in contract_columns if name]
        assert [row[1] for row in declared] == [name for name, _ in columns], table
        assert list(column_names(table)) == [name for name, _ in columns], table

        not_null = {row[1]: bool(row[3]) for row in declared}
        for name, kind in columns:
            nullable = re.search(r"\bnull\b", kind) is not None or name == "deleted_at"
            assert not_null[name] == (not nullable), f"{table}.{name} ({kind})"

        composite = [kind for name, kind in contract_columns if not name]
        contract_keys = (
            tuple(k.strip() for k in composite[0].split(","))
            if composite
            else tuple(name for name, kind in columns if re.search(r"\bPK\b", kind))
        )
        assert PRIMARY_KEYS[table] == contract_keys, table
        declared_keys = tuple(row[1] for row in sorted(declared, key=lambda r: r[5]) if row[5])
        assert declared_keys == contract_keys, table

        foreign = {row[3]: row[2] for row in store.execute(f"pragma foreign_key_list({table})")}
        for name, kind in columns:
            referenced = re.search(r"\bFK (\w+)", kind)
            if referenced:
                assert foreign.get(name) == referenced.group(1), f"{table}.{name}"

        indexes = {row[1]: row for row in store.execute(f"pragma index_list({table})")}
        assert f"ix_{table}_updated_at" in indexes
    unique = [row for row in store.execute("pragma index_list(officers)") if row[2]]
    assert any([c[2] for c in store.execute(f"pragma index_info({row[1]})")] == ["service_no"] for row in unique)


def test_create_schema_builds_an_empty_store_and_refuses_a_filled_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'a' / 'empty.db'}"
    create_schema(url)
    create_schema(url)  # empty tables may be recreated
    connection = sqlite3.connect(tmp_path / "a" / "empty.db")
    with connection:
        assert [connection.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES] == [0] * 9
        stamp = "2024-01-01 00:00:00"
        connection.execute(f"insert into formations values ('X', 'x', 'HQ', 'r', 'c', null, '{stamp}', '{stamp}')")
    connection.close()
    with pytest.raises(StoreNotEmptyError, match="replace"):
        create_schema(url)
    create_schema(url, replace=True)


# --- URLs -----------------------------------------------------------------------------------


def test_store_urls_parse():
    relative = parse_store_url("sqlite:///data/demo/ops.db")
    assert (relative.kind, relative.path) == ("sqlite", Path("data/demo/ops.db"))
    absolute = parse_store_url("sqlite:////var/lib/ops.db")
    assert (absolute.kind, absolute.path) == ("sqlite", Path("/var/lib/ops.db"))
    pg = parse_store_url("postgresql://ops:s3cret@db.example:5433/customs")
    assert (pg.kind, pg.path, pg.dsn) == ("postgresql", None, "postgresql://ops:s3cret@db.example:5433/customs")
    assert parse_store_url("postgres://u@localhost/db").dsn == "postgresql://u@localhost/db"
    assert (
        redact_url("postgresql://ops:s3cret@db.example:5433/customs") == "postgresql://ops:***@db.example:5433/customs"
    )
    assert redact_url("postgresql://ops@db/customs?password=x&sslmode=require") == (
        "postgresql://ops@db/customs?password=***&sslmode=require"
    )
    assert redact_url("sqlite:////var/lib/ops.db") == "sqlite:////var/lib/ops.db"


@pytest.mark.parametrize(
    "url",
    [
        "ops.db",
        "mysql://u:p@h/db",
        "sqlite://ops.db",
        "sqlite:///",
        "postgresql://user:pw@host:5432/",
        "postgresql://host:port/db",
        "",
    ],
)
def test_bad_store_url_is_a_clear_value_error(url):
    with pytest.raises(ValueError, match=r"sqlite:///.*postgresql://") as caught:
        parse_store_url(url)
    assert "pw" not in str(caught.value)


def test_generate_rejects_a_bad_url(tmp_path):
    with pytest.raises(ValueError, match="Accepted forms"):
        generate_store(str(tmp_path / "ops.db"), 10, 1, progress=False)


# --- determinism and overwriting ------------------------------------------------------------


def test_same_seed_same_content_other_seed_other_content(tmp_path):
    paths = {name: tmp_path / f"{name}.db" for name in ("a", "b", "c")}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        generate_store(f"sqlite:///{paths[name]}", 700, seed, progress=False)
    first, again, other = (_table_hashes(paths[name]) for name in ("a", "b", "c"))
    assert first == again
    for table in (
        "officers",
        "officer_postings",
        "cases",
        "seizure_items",
        "case_vehicles",
        "case_persons",
        "case_officers",
    ):
        assert first[table] != other[table], table


def test_refuses_to_overwrite_a_filled_store(tmp_path):
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    first = generate_store(url, 120, 3, progress=False)
    before = _table_hashes(tmp_path / "ops.db")
    with pytest.raises(StoreNotEmptyError, match="replace"):
        generate_store(url, 120, 4, progress=False)
    assert _table_hashes(tmp_path / "ops.db") == before  # untouched
    again = generate_store(url, 120, 3, replace=True, progress=False)
    assert again.rows == first.rows
    assert _table_hashes(tmp_path / "ops.db") == before


def test_summary_counts_the_rows(store, generated):
    summary = generated[1]
    assert summary.rows == {t: _one(store, f"select count(*) from {t}") for t in TABLES}
    assert summary.live_cases == _one(store, "select count(*) from cases where deleted_at is null")
    assert CASES * 0.97 < summary.live_cases <= summary.rows["cases"]
    assert "***" not in summary.url and summary.seconds > 0


def test_never_reads_the_clock_everything_before_as_of(store):
    as_of = date(2026, 11, 1).isoformat()
    for table in TABLES:
        for column in ("created_at", "updated_at"):
            assert _one(store, f"select count(*) from {table} where substr({column}, 1, 10) >= '{as_of}'") == 0
    # Only the deliberate typos lie in the future.
    late = _one(store, f"select count(*) from cases where substr(seizure_at, 1, 10) >= '{as_of}'")
    assert 0 < late <= 10


# --- reference data -------------------------------------------------------------------------


def _hs_codes() -> set[str]:
    """HS 2022 chapters, headings and subheadings (not the TOTAL pseudo-section's 99/9999/999999)."""
    with HS2022_CSV.open(encoding="utf-8") as handle:
        return {row["hscode"] for row in csv.DictReader(handle) if row["section"] != "TOTAL"}


def test_catalogue_codes_exist_in_hs2022_under_covered_headings():
    codes = _hs_codes()
    used = {line.hs6 for c in catalogue.COMMODITIES for line in c.lines}
    used |= {m.hs6 for m in catalogue.VEHICLE_MODELS if m.hs6}
    for code in used:
        assert len(code) == 6 and code in codes, code
        assert code[:4] in COVERED_HEADINGS, code
    for code in catalogue.INVALID_HS_CODES:
        assert re.sub(r"\D", "", code)[:6] not in codes, code


def test_every_code_in_the_store_is_a_real_code_or_a_deliberately_invalid_one(store):
    codes = _hs_codes()
    invalid = set(catalogue.INVALID_HS_CODES)
    seen_digits = 0
    for (typed,) in store.execute("select distinct hs_code from seizure_items where hs_code is not null"):
        text = typed.strip()
        if not text or text in invalid or re.search(r"[A-Za-z]", text):
            continue
        digits = re.sub(r"\D", "", text)
        if len(digits) in (5, 7):  # a leading zero lost in a spreadsheet
            digits = "0" + digits
        if len(digits) == 4:
            assert digits in codes and digits in COVERED_HEADINGS, typed
        else:
            assert digits[:6] in codes and digits[:4] in COVERED_HEADINGS, typed
        seen_digits += 1
    assert seen_digits > 50


def test_reference_tables_are_realistic(store):
    codes = {row[0] for row in store.execute("select formation_code from formations")}
    assert {
        "HQ",
        "II-PSH",
        "II-QTA",
        "II-KHI",
        "II-LHR",
        "II-ISB",
        "II-MUL",
        "II-FSD",
        "II-GWD",
        "CE-PSH",
        "CE-QTA",
        "CE-KHI",
    } <= codes
    assert (
        _one(
            store,
            "select count(*) from formations f left join formations p on p.formation_code = f.parent_code "
            "where f.parent_code is not null and p.formation_code is null",
        )
        == 0
    )
    assert _one(store, "select count(*) from formations where parent_code is null") == 1
    names = {row[0] for row in store.execute("select name from locations")}
    for place in (
        "Torkham",
        "Chaman",
        "Ghulam Khan",
        "Kharlachi",
        "Angoor Adda",
        "Taftan",
        "Gabd",
        "Mand",
        "Jiwani",
        "Pasni",
        "Ormara",
        "Kohat Tunnel check post",
        "Surab check post",
        "Lak Pass check post",
        "Bara",
        "Landi Kotal",
        "Karachi Port",
        "Port Muhammad Bin Qasim",
        "Gwadar Port",
        "Kabul",
        "Jalalabad",
        "Kandahar",
        "Spin Boldak",
        "Zahedan",
        "Dubai",
    ):
        assert place in names, place
    assert (
        _one(
            store,
            "select count(*) from locations where country = 'PK' and "
            "(latitude not between 23.5 and 37.1 or longitude not between 60.8 and 77.9)",
        )
        == 0
    )
    assert _one(store, "select count(distinct country) from locations") >= 8
    designations = {row[0] for row in store.execute("select distinct designation from officers")}
    assert {
        "Sepoy",
        "Inspector",
        "Intelligence Officer",
        "Superintendent",
        "Assistant Director",
        "Assistant Collector",
    } <= designations


def test_officers_are_transferred(store):
    moved = _one(
        store,
        "select count(*) from (select officer_id from officer_postings group by officer_id "
        "having count(distinct formation_code) >= 2)",
    )
    assert moved > 20
    assert (
        _one(
            store,
            "select count(*) from (select officer_id from officer_postings group by officer_id "
            "having count(distinct formation_code) >= 3)",
        )
        > 0
    )
    assert (
        _one(
            store,
            "select count(*) from (select officer_id from officer_postings where posted_to is null "
            "group by officer_id having count(*) > 1)",
        )
        == 0
    )
    assert _one(store, "select count(*) from officer_postings where posted_to is null") > 100
    assert _one(store, "select count(*) from officer_postings where posted_to < posted_from") == 0
    assert (
        _one(
            store,
            "select count(*) from officer_postings p left join officers o using (officer_id) "
            "where o.officer_id is null",
        )
        == 0
    )


# --- the mess a real store holds --------------------------------------------------------------


def test_timestamps_use_every_allowed_format_mixed_within_tables(store):
    for table in TABLES:
        columns = [c for c in column_names(table) if c.endswith("_at")]
        for column in columns:
            for (value,) in store.execute(f"select {column} from {table} where {column} is not null"):
                assert TIMESTAMP.match(value), (table, column, value)
    for table in ("cases", "seizure_items", "case_vehicles", "case_persons", "case_officers", "officers"):
        for style, pattern in TIMESTAMP_STYLES.items():
            assert _one(store, f"select count(*) from {table} where created_at glob '{pattern}'") > 0, (table, style)


def test_late_entries_most_within_days_some_habitually_late_formations(store):
    lag = "julianday(created_at) - julianday(seizure_at)"
    live = "from cases where deleted_at is null and seizure_at < created_at"
    total = _one(store, f"select count(*) {live}")
    assert _one(store, f"select count(*) {live} and {lag} <= 7") > 0.5 * total
    assert _one(store, f"select count(*) {live} and {lag} between 14 and 60") > 0
    assert _one(store, f"select count(*) {live} and {lag} > 90") > 0
    averages = sorted(row[0] for row in store.execute(f"select avg({lag}) {live} group by formation_code"))
    assert averages[-1] > 2.5 * averages[len(averages) // 2]


def test_status_progression_is_consistent(store):
    statuses = {row[0]: row[1] for row in store.execute("select status, count(*) from cases group by 1")}
    assert set(statuses) == {"SEIZED", "SCN_ISSUED", "ADJUDICATED", "APPEAL", "CLOSED"}
    assert (
        _one(
            store,
            "select count(*) from cases where status in ('ADJUDICATED', 'APPEAL', 'CLOSED') and "
            "(adjudication_outcome is null or adjudicated_on is null)",
        )
        == 0
    )
    assert (
        _one(
            store,
            "select count(*) from cases where status in ('SEIZED', 'SCN_ISSUED') and "
            "coalesce(adjudication_outcome, adjudicated_on, redemption_fine_pkr, personal_penalty_pkr) "
            "is not null",
        )
        == 0
    )
    assert (
        _one(
            store,
            "select count(*) from cases where (adjudication_outcome = 'REDEEMED') <> (redemption_fine_pkr is not null)",
        )
        == 0
    )
    assert (
        _one(
            store,
            "select count(*) from cases where adjudication_outcome in ('RELEASED', 'ACQUITTED') "
            "and personal_penalty_pkr is not null",
        )
        == 0
    )
    assert _one(store, "select count(*) from cases where personal_penalty_pkr is not null") > 0
    assert _one(store, "select count(*) from cases where adjudicated_on < date(created_at)") == 0
    outcomes = {row[0] for row in store.execute("select distinct adjudication_outcome from cases")}
    assert outcomes == {None, "CONFISCATED", "REDEEMED", "RELEASED", "ACQUITTED"}
    # Every move bumps updated_at.
    assert (
        _one(
            store,
            "select count(*) from cases where status <> 'SEIZED' and julianday(updated_at) <= julianday(created_at)",
        )
        == 0
    )
    assert _one(store, "select count(*) from cases where julianday(updated_at) < julianday(created_at)") == 0


def test_duplicates_later_copy_soft_deleted(store):
    pairs = _one(
        store,
        """
        select count(*) from cases a join cases b
          on a.formation_code = b.formation_code and a.case_no = b.case_no and a.case_id < b.case_id
        where a.deleted_at is null and b.deleted_at is not null
          and julianday(b.created_at) > julianday(a.created_at)
          and julianday(b.updated_at) = julianday(b.deleted_at)""",
    )
    assert pairs >= 0.005 * CASES


def test_soft_deleted_children_and_orphans(store):
    for table in ("seizure_items", "case_vehicles", "case_persons", "case_officers"):
        deleted = _one(store, f"select count(*) from {table} where deleted_at is not null")
        assert deleted > 0, table
        assert (
            _one(
                store,
                f"select count(*) from {table} where deleted_at is not null and "
                "julianday(updated_at) < julianday(deleted_at)",
            )
            == 0
        ), table
    # A live child of a deleted case, an item pointing at no case, an officer id that no longer exists.
    assert (
        _one(
            store,
            "select count(*) from seizure_items i join cases c using (case_id) "
            "where c.deleted_at is not null and i.deleted_at is null",
        )
        > 0
    )
    assert (
        _one(store, "select count(*) from seizure_items i left join cases c using (case_id) where c.case_id is null")
        > 0
    )
    assert (
        _one(
            store,
            "select count(*) from case_officers co left join officers o using (officer_id) where o.officer_id is null",
        )
        > 0
    )
    # Everything else holds together.
    for table in ("case_vehicles", "case_persons", "case_officers"):
        assert (
            _one(store, f"select count(*) from {table} t left join cases c using (case_id) where c.case_id is null")
            == 0
        ), table
    for column in ("seizure_location_id", "origin_location_id", "destination_location_id"):
        assert (
            _one(
                store,
                f"select count(*) from cases c left join locations l on l.location_id = c.{column} "
                f"where c.{column} is not null and l.location_id is null",
            )
            == 0
        )
    assert (
        _one(
            store,
            "select count(*) from cases c left join formations f using (formation_code) where f.formation_code is null",
        )
        == 0
    )


def test_future_dates_seizure_after_entry_negative_and_missing_quantities(store):
    assert _one(store, "select count(*) from cases where seizure_at > '2100'") > 0
    assert (
        _one(
            store,
            "select count(*) from cases where seizure_at < '2100' and julianday(seizure_at) > julianday(created_at)",
        )
        > 0
    )
    assert _one(store, "select count(*) from seizure_items where quantity < 0") > 0
    assert _one(store, "select count(*) from seizure_items where quantity is null") > 0
    assert _one(store, "select count(*) from seizure_items where value_pkr is null") > 0


def test_money_is_exact_rupees_and_paisa(store):
    checked = 0
    for table, column in (
        ("seizure_items", "value_pkr"),
        ("case_vehicles", "value_pkr"),
        ("cases", "redemption_fine_pkr"),
        ("cases", "personal_penalty_pkr"),
    ):
        kinds = {row[0] for row in store.execute(f"select distinct typeof({column}) from {table}")}
        assert kinds <= {"integer", "real", "null"}, (table, kinds)
        for (value,) in store.execute(f"select {column} from {table} where {column} is not null"):
            assert Decimal(str(value)).as_tuple().exponent >= -2, (table, value)
            assert value > 0
            checked += 1
    assert checked > 1000
    assert _one(store, "select count(*) from seizure_items where typeof(value_pkr) = 'real'") > 0


def test_hs_codes_typed_every_way(store):
    patterns = {
        "0802.80": "[0-9][0-9][0-9][0-9].[0-9][0-9]",
        "0802.8000": "[0-9][0-9][0-9][0-9].[0-9][0-9][0-9][0-9]",
        "8517.13.00": "[0-9][0-9][0-9][0-9].[0-9][0-9].[0-9][0-9]",
        "27101941": "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]",
        "80280": "[1-9][0-9][0-9][0-9][0-9]",
        "2402": "[0-9][0-9][0-9][0-9]",
        "text": "*[a-z]*",
    }
    for example, pattern in patterns.items():
        assert _one(store, f"select count(*) from seizure_items where hs_code glob '{pattern}'") > 0, example
    assert _one(store, "select count(*) from seizure_items where hs_code is null") > 0
    assert _one(store, "select count(*) from seizure_items where trim(hs_code) = ''") > 0
    invalid = ", ".join(f"'{code}'" for code in catalogue.INVALID_HS_CODES)
    assert _one(store, f"select count(*) from seizure_items where hs_code in ({invalid})") > 0


def test_units_in_many_spellings(store):
    units = {row[0] for row in store.execute("select distinct unit from seizure_items where unit is not null")}
    assert len(units) >= 25
    assert (
        len(units & {"KG", "kgs", "Kg.", "LTR", "litres", "PCS", "Nos", "CTN", "cartons", "STICKS", "BAGS", "MTR"})
        >= 10
    )


def test_commodity_mix(store):
    descriptions = " ".join(row[0] for row in store.execute("select distinct description from seizure_items"))
    for word in (
        "Betel nuts",
        "diesel",
        "igarettes",
        "yres",
        "uto parts",
        "LED",
        "obile phones",
        "tea",
        "Gold",
        "Charas",
        "ugar",
        "flour",
        "Urea",
        "osmetics",
        "edicines",
        "hisky",
        "US Dollar",
        "fabric",
    ):
        assert word in descriptions, word
    assert _one(store, "select count(*) from case_vehicles where involvement = 'SEIZED_GOODS'") > 0.05 * CASES
    offences = {row[0] for row in store.execute("select distinct offence_nature from cases")}
    assert offences == {
        "SMUGGLING",
        "NCP_VEHICLE",
        "BANNED_GOODS",
        "NARCOTICS",
        "CURRENCY",
        "MISDECLARATION",
        "TRANSIT_PILFERAGE",
        "OTHER",
    }


def test_cnics_typed_every_way_with_the_right_province(store):
    shapes = {
        "dashed": "[0-9][0-9][0-9][0-9][0-9]-[0-9][0-9][0-9][0-9][0-9][0-9][0-9]-[0-9]",
        "plain": "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]",
        "spaced": "[0-9][0-9][0-9][0-9][0-9] [0-9][0-9][0-9][0-9][0-9][0-9][0-9] [0-9]",
    }
    for shape, pattern in shapes.items():
        assert _one(store, f"select count(*) from case_persons where cnic glob '{pattern}'") > 0, shape
    assert (
        _one(
            store,
            "select count(*) from case_persons where cnic in ('N/A', '0000000000000', 'NIL', '-') "
            "or length(replace(replace(cnic, '-', ''), ' ', '')) between 1 and 12",
        )
        > 0
    )
    province_digit = {d.name: {p[0] for p in d.cnic_prefixes} for d in catalogue.DISTRICTS}
    checked = 0
    for cnic, district in store.execute(
        "select cnic, home_district from case_persons where cnic is not null and home_district is not null"
    ):
        digits = re.sub(r"\D", "", cnic)
        if len(digits) == 13 and digits != "0" * 13:
            assert digits[0] in province_digit[district], (cnic, district)
            checked += 1
    assert checked > 500
    assert (
        _one(
            store,
            "select count(*) from case_persons where nationality = 'AF' and passport_no is not null and cnic is null",
        )
        > 0
    )


def test_repeat_offenders_across_formations_roles_and_spellings(store):
    cnic = _norm("cnic")
    repeats = _one(
        store,
        f"""
        select count(*) from (
          select {cnic} as id from case_persons join cases using (case_id)
          where length({cnic}) = 13 and {cnic} <> '0000000000000'
          group by 1
          having count(distinct case_id) >= 3 and count(distinct formation_code) >= 2
             and count(distinct role) >= 2 and count(distinct full_name) >= 2)""",
    )
    assert repeats > 5
    for spelling in ("Muhammad %", "Mohammad %", "M. %"):
        assert _one(store, f"select count(*) from case_persons where full_name like '{spelling}'") > 0, spelling


def test_plates_chassis_and_repeat_vehicles_typed_differently(store):
    for pattern in (
        "[A-Z][A-Z][A-Z]-[0-9]*",
        "[A-Z][A-Z][A-Z] [0-9]*",
        "[a-z][a-z][a-z][0-9]*",
        "KP-[0-9]*",
        "BA-[0-9]*",
        "UNREGISTERED",
    ):
        assert _one(store, f"select count(*) from case_vehicles where registration_no glob '{pattern}'") > 0, pattern
    assert _one(store, "select count(*) from case_vehicles where chassis_no glob '*-*'") > 0
    assert _one(store, "select count(*) from case_vehicles where chassis_no not glob '*-*'") > 0
    assert _one(store, "select count(*) from case_vehicles where engine_no is null and chassis_no is not null") > 0
    placeholders = ", ".join(f"'{p}'" for p in NOT_A_PLATE)
    registration = _norm("registration_no")
    for identifier, column in (("registration", "registration_no"), ("chassis", "chassis_no")):
        repeated = _one(
            store,
            f"""
            select count(*) from (
              select {_norm(column)} from case_vehicles join cases using (case_id)
              where {_norm(column)} <> '' and upper(trim({column})) not in ({placeholders})
              group by 1 having count(distinct {column}) >= 2 and count(distinct formation_code) >= 2)""",
        )
        assert repeated > 0, identifier
    # Chains: A and B share only the chassis, B and C only the registration.
    chains = _one(
        store,
        f"""
        with v as (
          select case_id, {_norm("chassis_no")} as chassis, {registration} as plate from case_vehicles
        )
        select count(*) from v a
        join v b on b.chassis = a.chassis and a.chassis not in ('', 'NA') and b.case_id <> a.case_id
        join v c on c.plate = b.plate and b.plate <> '' and c.case_id not in (a.case_id, b.case_id)
        where (a.plate = '' or a.plate = 'UNREGISTERED') and c.chassis in ('', 'NA')""",
    )
    assert chains > 0


def _identifier_collisions(cases: int, draws: int) -> float:
    """Share of `draws` new vehicles, drawn as a store of `cases` cases would, whose plate,
    chassis or engine number another of them already has."""
    world = _World(cases, seed=3, as_of=date(2026, 6, 1))
    r = random.Random(5)
    seen: set[tuple[str, tuple[str, str]]] = set()
    collided = 0
    for _ in range(draws):
        vehicle = world.new_vehicle(r, _choice(r, range(len(catalogue.VEHICLE_MODELS))), None, ncp=False)
        numbers = [(kind, n) for kind, n in (("plate", vehicle.plate), ("chassis", vehicle.chassis),
                                             ("engine", vehicle.engine)) if n is not None]
        collided += any(number in seen for number in numbers)
        seen.update(numbers)
    return collided / draws


def test_vehicle_numbers_collide_by_chance_no_more_often_in_a_larger_store():
    # Ten times the vehicles of a store ten times as large: without number spaces that grow
    # with the store, chance collisions (each one merging two vehicles) are ten times as common.
    small, large = _identifier_collisions(1_000_000, 20_000), _identifier_collisions(10_000_000, 200_000)
    assert small > 0.01  # the draw is large enough to see collisions at all
    assert large < 1.5 * small, (small, large)


# --- PostgreSQL -----------------------------------------------------------------------------


def test_postgres_store_has_the_same_rows_as_sqlite(pg_url, tmp_path):
    import psycopg

    pg_summary = generate_store(pg_url, 500, 13, progress=False)
    sqlite_summary = generate_store(f"sqlite:///{tmp_path / 'ops.db'}", 500, 13, progress=False)
    assert pg_summary.rows == sqlite_summary.rows
    assert pg_summary.live_cases == sqlite_summary.live_cases
    lite = sqlite3.connect(tmp_path / "ops.db")
    with psycopg.connect(pg_url) as pg:
        assert {t: pg.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES} == sqlite_summary.rows
        types = dict(
            pg.execute(
                "select table_name || '.' || column_name, data_type from information_schema.columns "
                "where table_schema = current_schema()"
            ).fetchall()
        )
        assert types["cases.seizure_at"] == "timestamp with time zone"
        assert types["cases.adjudicated_on"] == "date"
        assert types["seizure_items.value_pkr"] == "numeric"
        assert types["case_vehicles.confiscated_u_s_157"] == "boolean"
        for sql in (
            "select sum(value_pkr) from seizure_items",
            "select sum(redemption_fine_pkr) from cases",
            "select count(*) from cases where deleted_at is not null",
            "select count(*) from case_vehicles where confiscated_u_s_157",
        ):
            pg_value = pg.execute(sql).fetchone()[0]
            lite_value = lite.execute(sql).fetchone()[0]
            assert (
                Decimal(str(pg_value)) == Decimal(str(lite_value)).quantize(Decimal("0.01"))
                if "sum" in sql
                else pg_value == lite_value
            ), sql
        # Orphans made it in: the foreign keys are NOT VALID, not missing.
        assert (
            pg.execute("select count(*) from pg_constraint where contype = 'f' and not convalidated").fetchone()[0]
            >= 10
        )
        assert (
            pg.execute(
                "select count(*) from seizure_items i left join cases c using (case_id) where c.case_id is null"
            ).fetchone()[0]
            > 0
        )
    lite.close()
    with pytest.raises(StoreNotEmptyError):
        generate_store(pg_url, 10, 1, progress=False)
