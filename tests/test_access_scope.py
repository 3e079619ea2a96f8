"""What each reader may see of a published snapshot: the scoped views of
``antismuggling.access.scope``, checked table by table against the snapshot itself."""

from __future__ import annotations

import re

import duckdb
import pytest

from antismuggling.access.roles import Principal
from antismuggling.access.scope import Scope, open_scoped, person_token
from antismuggling.publish import current_snapshot_path
from apptest_helpers import snapshot_scalar, snapshot_sql

CNIC_DIGITS = re.compile(r"\d{5}-?\d{7}-?\d")
MASKED_WORD = re.compile(r"^\S\**$")
SECRET = "0123456789abcdef" * 4


@pytest.fixture(scope="module")
def snapshot(published_settings):
    return current_snapshot_path(published_settings)


@pytest.fixture(scope="module")
def formation(published_settings) -> str:
    """A formation with cases, vehicles and people, but not every case."""
    return snapshot_scalar(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1 offset 2",
    )


def _tables(con) -> dict[tuple[str, str], list[str]]:
    rows = con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema in ('marts', 'meta')"
    ).fetchall()
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in rows:
        tables.setdefault((schema, table), []).append(column)
    return tables


def test_every_table_is_a_view_and_an_unrestricted_scope_sees_everything(snapshot, published_settings):
    con = open_scoped(snapshot, Scope(), SECRET)
    try:
        tables = _tables(con)
        assert ("marts", "fct_cases") in tables and ("meta", "publish_info") in tables
        for schema, table in tables:
            seen = con.execute(f"select count(*) from {schema}.{table}").fetchone()[0]
            # every row, but the partner feeds' row counts (see test_no_reader_sees_the_partner_feeds)
            where = " where table_name not like 'feeds.%'" if (schema, table) == ("meta", "table_rows") else ""
            assert seen == snapshot_scalar(published_settings, f"select count(*) from {schema}.{table}{where}"), table
    finally:
        con.close()


def test_a_formation_scope_holds_only_that_formations_rows(snapshot, published_settings, formation):
    con = open_scoped(snapshot, Scope(formations=(formation,)), SECRET)
    try:
        tables = _tables(con)
        for (schema, table), columns in tables.items():
            for column in ("formation_code", "case_formation_code"):
                if column in columns:
                    others = con.execute(
                        f"select count(*) from {schema}.{table} where {column} is distinct from ?", [formation]
                    ).fetchone()[0]
                    assert others == 0, f"{table}.{column} shows other formations"
        # every case of the formation is there, and nothing else
        assert con.execute("select count(*) from marts.fct_cases").fetchone()[0] == snapshot_scalar(
            published_settings, "select count(*) from marts.fct_cases where formation_code = ?", [formation]
        ) > 0
        # resolved vehicles and people: only those seen in the formation
        vehicles = set(con.execute("select vehicle_key from marts.dim_vehicles").df()["vehicle_key"])
        expected = set(
            snapshot_sql(
                published_settings,
                "select distinct vehicle_key from marts.mart_vehicle_recidivism where formation_code = ?",
                [formation],
            )["vehicle_key"]
        )
        assert vehicles == expected and vehicles
        people = set(con.execute("select offender_key from marts.dim_offenders").df()["offender_key"])
        assert people and people <= {
            person_token(SECRET, key)
            for key in snapshot_sql(
                published_settings,
                "select offender_key from marts.fct_case_persons where formation_code = ? and offender_key is not null",
                [formation],
            )["offender_key"]
        }
        # an officer's month counts only the cases credited in the formation
        assert con.execute(
            "select sum(n_cases), sum(credited_value_pkr) from marts.mart_officer_performance"
        ).fetchone() == con.execute(
            "select count(*), sum(credited_value_pkr) from marts.fct_officer_case_credits"
        ).fetchone()
        # a vehicle's numbers and counts come from the formation's own seizures of it
        mine = con.execute(
            "select d.n_seizures, d.registration_no, v.n, v.regs from marts.dim_vehicles d join ("
            "select vehicle_key, count(*) as n, list(registration_no) as regs "
            "from marts.mart_vehicle_recidivism group by 1) v using (vehicle_key)"
        ).fetchall()
        assert all(n_seizures == n and (reg is None or reg in regs) for n_seizures, reg, n, regs in mine)
        # national figures are withheld; reference data is not
        assert con.execute("select count(*) from marts.mart_route_flows").fetchone()[0] == 0
        assert con.execute("select count(*) from meta.table_rows").fetchone()[0] == 0
        assert con.execute("select count(*) from marts.dim_locations").fetchone()[0] == snapshot_scalar(
            published_settings, "select count(*) from marts.dim_locations"
        )
        # data-quality rows only when attributed to one of the formation's cases (its items,
        # vehicles, people, officers): all of those
        shown = con.execute(
            "select count(*), count(*) filter (where case_id is null or case_id not in (select case_id from marts.fct_cases)) "
            "from marts.data_quality_issues"
        ).fetchone()
        attributed = snapshot_scalar(
            published_settings, "select count(*) from marts.data_quality_issues where formation_code = ?", [formation]
        )
        assert shown == (attributed, 0) and attributed > 0
    finally:
        con.close()


@pytest.mark.parametrize("role", ["dg", "analyst", "formation_officer"])
def test_no_reader_sees_the_partner_feeds(snapshot, published_settings, formation, role):
    """The snapshot holds schema feeds (nominal rows among them); no reader's views do, nor
    the feeds' row counts. The Partner feeds page reads the ledger and configuration instead."""
    assert snapshot_scalar(published_settings, "select count(*) from feeds.feed_ncen_persons") > 0
    assert snapshot_scalar(published_settings, "select count(*) from meta.table_rows where table_name like 'feeds.%'") == 8
    principal = Principal(f"test.{role}", role, (formation,) if role == "formation_officer" else (), role)
    con = open_scoped(snapshot, Scope.for_principal(principal), SECRET)
    try:
        schemas = {s for (s,) in con.execute(
            "select distinct table_schema from information_schema.tables where table_catalog = current_database()"
        ).fetchall()}
        assert "feeds" not in schemas and schemas <= {"marts", "meta"}
        with pytest.raises(duckdb.CatalogException):
            con.execute("select count(*) from feeds.feed_ncen_persons")
        names = {n for (n,) in con.execute("select table_name from meta.table_rows").fetchall()}
        assert not any(n.startswith("feeds.") for n in names)
    finally:
        con.close()


def test_a_table_the_scope_does_not_know_is_closed(tmp_path):
    path = tmp_path / "snapshot.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.new_national_mart as select 1 as n_cases")
        con.execute("create table marts.new_formation_mart as select * from (values ('A', 1), ('B', 2)) t(formation_code, n)")
        # an older snapshot: data-quality rows, cases, and none of the other marts
        con.execute("create table marts.fct_cases as select * from (values (1, 'A'), (2, 'B')) t(case_id, formation_code)")
        con.execute(
            "create table marts.data_quality_issues as select * from (values ('cases', '1'), ('cases', '2'), "
            "('seizure_items', '7')) t(source_table, source_pk)"
        )
    scoped = open_scoped(path, Scope(formations=("A",)), SECRET)
    try:
        assert scoped.execute("select count(*) from marts.new_national_mart").fetchone()[0] == 0
        assert scoped.execute("select formation_code from marts.new_formation_mart").fetchall() == [("A",)]
        assert scoped.execute("select source_pk from marts.data_quality_issues").fetchall() == [("1",)]
    finally:
        scoped.close()


def test_masked_scope_shows_no_cnic_or_name(snapshot):
    con = open_scoped(snapshot, Scope(mask_pii=True), SECRET)
    try:
        for (schema, table), columns in _tables(con).items():
            types = dict(
                con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_catalog = current_database() and table_schema = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            )
            for column in columns:
                if types[column] not in ("VARCHAR", "VARCHAR[]") or column.endswith("_key"):
                    continue  # keys are hashes or ids, digits by chance
                text = f"array_to_string({column}, ' ')" if types[column] == "VARCHAR[]" else column
                leaks = con.execute(
                    f"select count(*) from {schema}.{table} where regexp_matches({text}, '\\d{{5}}-?\\d{{7}}-?\\d')"
                ).fetchone()[0]
                assert leaks == 0, f"{table}.{column} shows CNICs"
        names = con.execute(
            "select full_name, father_name from marts.fct_case_persons where full_name is not null"
        ).fetchall()
        assert names
        for full_name, father_name in names:
            for value in (full_name, father_name):
                if value:
                    assert all(MASKED_WORD.match(word) for word in value.split(" ")), value
        masked = con.execute("select cnic from marts.dim_offenders limit 5").fetchall()
        assert all(re.fullmatch(r"\d{5}-\*{7}-\d", cnic) for (cnic,) in masked)
    finally:
        con.close()


def test_revealing_one_person_unmasks_only_them(snapshot, published_settings):
    person = snapshot_sql(
        published_settings,
        "select offender_key, cnic, names_seen from marts.dim_offenders where n_co_offenders > 0 order by offender_key limit 1",
    ).iloc[0]
    token = person_token(SECRET, person["offender_key"])
    con = open_scoped(snapshot, Scope(mask_pii=True).revealing(token), SECRET)
    try:
        cnic, names = con.execute(
            "select cnic, names_seen from marts.dim_offenders where offender_key = ?", [token]
        ).fetchone()
        assert cnic == person["cnic"] and sorted(names) == sorted(person["names_seen"])
        others = con.execute(
            "select cnic from marts.fct_case_persons where offender_key <> ? and cnic is not null", [token]
        ).fetchall()
        assert others and not any(CNIC_DIGITS.fullmatch(c) for (c,) in others)
    finally:
        con.close()


def test_scoped_connections_cannot_reach_files_or_other_databases(snapshot, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    con = open_scoped(snapshot, Scope(formations=("X",)), SECRET)
    try:
        for statement in (
            f"select * from read_csv('{secret}')",
            f"attach '{other}' as other",
            "set enable_external_access = true",
            f"copy (select 1) to '{tmp_path / 'out.csv'}'",
        ):
            with pytest.raises(duckdb.Error):
                con.execute(statement)
        assert not (tmp_path / "out.csv").exists()
    finally:
        con.close()


def test_scopes_of_principals():
    assert Scope.for_principal(Principal("a", "dg", (), "A")) == Scope()
    assert Scope.for_principal(Principal("b", "analyst", (), "B")) == Scope(mask_pii=True)
    assert Scope.for_principal(Principal("c", "formation_officer", ("Y", "X"), "C")) == Scope(formations=("X", "Y"))
    with pytest.raises(PermissionError):
        Scope.for_principal(Principal("d", "admin", (), "D"))
    with pytest.raises(PermissionError):
        open_scoped(__file__, Scope(formations=()), SECRET)


def test_person_keys_are_keyed_hashes_of_the_marts_key(snapshot, published_settings):
    """A masked CNIC leaves ten million candidates: the md5 the marts use as offender_key
    would give the CNIC away, so views show a hash keyed by the installation's secret."""
    raw = snapshot_sql(published_settings, "select offender_key, cnic from marts.dim_offenders order by 1 limit 3")
    for scope in (Scope(), Scope(mask_pii=True), Scope(formations=("CE-PSH",))):
        con = open_scoped(snapshot, scope, SECRET)
        try:
            shown = set(con.execute("select offender_key from marts.fct_case_persons").df()["offender_key"].dropna())
        finally:
            con.close()
        assert shown and not shown & set(raw["offender_key"])
        if scope.formations is None:
            assert {person_token(SECRET, key) for key in raw["offender_key"]} <= shown
    assert person_token(SECRET, "a") != person_token("another secret", "a")



def test_stored_person_keys_are_the_readers_keys_and_never_a_column(snapshot, published_settings):
    """Publication stores each row's person key (made with the installation's secret) so a
    look-up by key reads a column instead of hashing every row: with that secret the views
    show exactly the keys they would compute, a revealed person unmasks as before, and with
    another secret the views compute their own."""
    from antismuggling.access.scope import PERSON_TOKEN_COLUMN, person_secret

    secret = person_secret(published_settings.access_dir)
    raw = snapshot_sql(published_settings, "select offender_key, cnic from marts.fct_case_persons where offender_key is not null")
    assert snapshot_scalar(
        published_settings, f"select count(*) from marts.fct_case_persons where {PERSON_TOKEN_COLUMN} is not null"
    ) == len(raw)
    for reader_secret in (secret, SECRET):
        con = open_scoped(snapshot, Scope(mask_pii=True), reader_secret)
        try:
            for table in ("fct_case_persons", "dim_offenders"):
                columns = [d[0] for d in con.execute(f"select * from marts.{table} limit 0").description]
                assert PERSON_TOKEN_COLUMN not in columns
            shown = set(con.execute("select offender_key from marts.fct_case_persons").df()["offender_key"].dropna())
            assert shown == {person_token(reader_secret, key) for key in raw["offender_key"]}
        finally:
            con.close()
    person = raw.iloc[0]
    token = person_token(secret, person["offender_key"])
    con = open_scoped(snapshot, Scope(mask_pii=True).revealing(token), secret)
    try:
        shown = {c for (c,) in con.execute("select cnic from marts.fct_case_persons where offender_key = ?", [token]).fetchall()}
        assert shown == set(raw.loc[raw["offender_key"] == person["offender_key"], "cnic"])
    finally:
        con.close()
