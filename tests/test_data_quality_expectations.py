"""The Data quality page's two fixes: expectation-suite results published with the snapshot
(``meta.expectation_results``, figures only), and data-quality issues attributed to the
formation of their case (``data_quality_issues.formation_code``)."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from types import SimpleNamespace

import duckdb
import pytest

from antismuggling.quality import results
from apptest_helpers import assert_clean, open_app, snapshot_sql
from dbt_helpers import make_warehouse, query, run_dbt

TS = "2024-07-01 10:00:00"
CNIC_SHAPED = re.compile(r"\d{5}-?\d{7}-?\d")


# --------------------------------------------------------------------------- attribution (dbt)


def _case(case_id, formation_code, **overrides):
    row = {"case_id": case_id, "case_no": f"C-{case_id}", "formation_code": formation_code,
           "seizure_at": "2024-06-10 10:00:00", "detection_method": "CHECKPOST", "offence_nature": "SMUGGLING",
           "status": "SEIZED", "created_at": TS, "updated_at": TS}
    row.update(overrides)
    return row


def _person(pid, case_id, cnic):
    return {"case_person_id": pid, "case_id": case_id, "cnic": cnic, "full_name": "Someone", "role": "DRIVER",
            "custody_status": "ARRESTED", "created_at": TS, "updated_at": TS}


@pytest.fixture(scope="module")
def attributed(tmp_path_factory):
    formations = [{"formation_code": code, "name": code, "kind": "II_DIRECTORATE", "region": "R", "city": "C",
                   "created_at": TS, "updated_at": TS} for code in ("II-PSH", "CE-QTA")]
    raw = {
        "formations": formations,
        "officers": [{"officer_id": 10, "service_no": "S-10", "full_name": "Officer", "designation": "Inspector",
                      "created_at": TS, "updated_at": TS}],
        "cases": [
            _case(1, "II-PSH"),
            _case(2, "CE-QTA", seizure_at="2024-05-01 10:00:00"),
            _case(3, "II-PSH", deleted_at="2024-06-20 00:00:00"),
        ],
        "case_persons": [
            _person(11, 1, "N/A"),  # invalid CNIC on a person of case 1 (II-PSH)
            _person(12, 2, "35202-123456-1"),  # invalid (12 digits) on case 2 (CE-QTA)
            _person(13, 1, "35202-1234567-1"),  # valid: no issue
            _person(14, 3, "N/A"),  # case 3 is deleted: quarantined, no case in the marts
        ],
        "seizure_items": [{"item_id": 21, "case_id": 2, "hs_code": None, "quantity": "1", "unit": "KG",
                           "value_pkr": "5", "created_at": TS, "updated_at": TS}],
        "case_officers": [{"case_id": 1, "officer_id": 99, "role": "SEIZING_OFFICER", "created_at": TS,
                           "updated_at": TS}],  # officer 99 does not exist
    }
    wh = make_warehouse(tmp_path_factory.mktemp("attribution"), raw)
    run_dbt(wh)
    return {(r["source_table"], r["source_pk"], r["check_name"]): r
            for r in query(wh, "select * from marts.data_quality_issues")}


def test_an_invalid_cnic_is_attributed_to_the_formation_of_its_case(attributed):
    issue = attributed[("case_persons", "11", "invalid_cnic")]
    assert (issue["case_id"], issue["formation_code"], str(issue["seizure_date"])) == (1, "II-PSH", "2024-06-10")
    issue = attributed[("case_persons", "12", "invalid_cnic")]
    assert (issue["case_id"], issue["formation_code"]) == (2, "CE-QTA")


def test_every_issue_of_a_case_in_the_marts_carries_its_formation(attributed):
    assert attributed[("seizure_items", "21", "missing_hs_code")]["formation_code"] == "CE-QTA"
    assert attributed[("case_officers", "1|99|SEIZING_OFFICER", "unknown_officer")]["formation_code"] == "II-PSH"
    # the child of a deleted case belongs to no case in the marts
    orphan = attributed[("case_persons", "14", "parent_case_deleted")]
    assert (orphan["case_id"], orphan["formation_code"]) == (None, None)


def test_a_formation_scope_sees_the_issues_attributed_to_it(attributed, tmp_path):
    """A snapshot holding the attributed issues: an officer of II-PSH sees the invalid CNIC on
    the person of II-PSH's case (and not CE-QTA's, nor the untraced orphan)."""
    from antismuggling.access.scope import Scope, open_scoped

    path = tmp_path / "snapshot.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.data_quality_issues (source_table varchar, source_pk varchar, check_name varchar, "
            "severity varchar, detail varchar, first_seen_at timestamp, case_id bigint, formation_code varchar, "
            "seizure_date date)"
        )
        con.executemany(
            "insert into marts.data_quality_issues values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [[r[c] for c in ("source_table", "source_pk", "check_name", "severity", "detail", "first_seen_at",
                             "case_id", "formation_code", "seizure_date")] for r in attributed.values()],
        )
        con.execute("create table marts.fct_cases as select * from (values (1, 'II-PSH', date '2024-06-10'), "
                    "(2, 'CE-QTA', date '2024-05-01')) t(case_id, formation_code, seizure_date)")
    scoped = open_scoped(path, Scope(formations=("II-PSH",)), "0" * 64)
    try:
        seen = set(scoped.execute("select source_table, source_pk, check_name from marts.data_quality_issues").fetchall())
    finally:
        scoped.close()
    assert ("case_persons", "11", "invalid_cnic") in seen
    assert ("case_persons", "12", "invalid_cnic") not in seen
    assert ("case_persons", "14", "parent_case_deleted") not in seen  # untraced: not the officer's


def test_the_published_invalid_cnics_sit_under_their_formations(published_settings):
    from dashboard import data

    untraced = snapshot_sql(
        published_settings,
        "select count(*) as n from marts.data_quality_issues q join marts.fct_case_persons p "
        "on q.source_table = 'case_persons' and p.case_person_id = try_cast(q.source_pk as bigint) "
        "where q.formation_code is distinct from p.formation_code",
    )["n"][0]
    assert untraced == 0
    by_formation = data.data_quality_by_formation(data.current_snapshot(data.Scope()), None, None, ())
    invalid = by_formation[by_formation["check_name"] == "invalid_cnic"]
    assert invalid["n_rows"].sum() > 0 and invalid["formation_code"].notna().all()


# --------------------------------------------------------------------------- result rows


def _expectation(**overrides):
    values = dict(index=0, expectation_type="expect_column_values_to_match_regex", columns=("cnic_digits",),
                  severity="WARN", rule="r", success=False, evaluated=39, unexpected=5, unexpected_percent=13.5135,
                  missing=2, mostly=0.9, observed=None, sample=("N/A", "############"), error=None)
    values.update(overrides)
    return SimpleNamespace(**values)


def test_result_rows_hold_figures_never_values():
    spec = SimpleNamespace(name="source.case_persons", layer="source", asset_key_string="raw/case_persons")
    outcome = SimpleNamespace(rows=39, expectations=[
        _expectation(),
        _expectation(index=1, observed="35202-1234567-1"),  # an aggregate that observed a value: withheld
        _expectation(index=2, observed=12345, unexpected=None, rule="formatted like 12345-1234567-1"),
        _expectation(index=3, success=False, evaluated=None, unexpected=None,
                     error="column \"cnic_digits\" compared with '35202-1234567-1' for Muhammad 'Ali Khan'"),
    ])
    rows = results.outcome_rows(spec, outcome, batch="whole table", run_id="r", run_at=datetime(2026, 1, 1))
    assert [r["status"] for r in rows] == ["failed", "failed", "failed", "error"]
    assert rows[0]["observed_value"] == "5 unexpected (13.5%)"
    assert rows[0]["rows_checked"] == 39 and rows[0]["unexpected_count"] == 5
    assert rows[1]["observed_value"] == "(withheld: not a figure)"
    assert rows[2]["observed_value"] == "12,345"
    assert rows[3]["is_error"] and not rows[3]["success"] and rows[3]["observed_value"] is None
    assert rows[3]["rows_checked"] == 39
    assert '"cnic_digits"' in rows[3]["error"] and "Ali Khan" not in rows[3]["error"]
    assert not any(CNIC_SHAPED.search(str(v)) for r in rows for v in r.values())
    assert not any("N/A" in str(v) for r in rows for v in r.values())  # no sample is kept


def test_a_suite_step_keeps_failures_and_errors_apart_in_the_warehouse(tmp_path):
    """An expectation that raises is kept as an error row, a rule the data broke as a failed
    one; a rerun replaces the suite's rows."""
    import dataclasses

    import dagster as dg

    from antismuggling.defs.checks import build_suite_checks
    from antismuggling.defs.resources import WarehouseResource
    from antismuggling.quality.suites import load_suites

    formations = [{"formation_code": "II-PSH", "name": "x", "kind": "II_DIRECTORATE", "region": "R", "city": "C",
                   "created_at": TS, "updated_at": TS}]
    wh = make_warehouse(tmp_path / "home" / "warehouse", {
        "cases": [_case(1, "II-PSH", created_at="2024-06-11 10:00:00"),
                  _case(2, "II-PSH", status="BOGUS", created_at="2024-06-11 10:00:00")],
        "formations": formations,
    })
    good = next(s for s in load_suites() if s.name == "source.cases")
    bad = dataclasses.replace(good, name="source.broken", asset_key=("raw", "case_vehicles"), definition={
        "name": "source.broken", "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}, "severity": "warning"}
        ]})
    checks = build_suite_checks("test_source_checks", [good, bad], source=True)
    defs = dg.Definitions(
        assets=[dg.AssetSpec(["raw", "cases"]), dg.AssetSpec(["raw", "case_vehicles"])],
        asset_checks=[checks],
        resources={"warehouse": WarehouseResource(home=str(tmp_path / "home"), ops_url="sqlite:///unused.db")},
        jobs=[dg.define_asset_job("only_checks", selection=dg.AssetSelection.checks(checks))],
    )
    for _ in range(2):
        result = defs.resolve_job_def("only_checks").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
        )
        assert not result.success  # the broken suite errors its step
    rows = query(wh, "select * from quality.expectation_results order by suite, expectation_index")
    by_suite = {}
    for row in rows:
        by_suite.setdefault(row["suite"], []).append(row)
    assert [(r["status"], r["is_error"], r["success"]) for r in by_suite["source.broken"]] == [("error", True, False)]
    assert "no_such_column" in by_suite["source.broken"][0]["error"]
    cases = by_suite["source.cases"]
    assert len(cases) == good.expectation_count  # replaced, not appended, by the second run
    status = next(r for r in cases if r["column_name"] == "status")
    assert (status["status"], status["unexpected_count"], status["rows_checked"]) == ("failed", 1, 2)
    assert "BOGUS" not in status["observed_value"]
    assert all(r["status"] in ("passed", "failed") and not r["is_error"] for r in cases)


def test_results_stored_in_an_older_layout_are_started_afresh():
    """A build warehouse from before a column was renamed must not break the next refresh."""
    import duckdb

    from antismuggling.quality import results

    con = duckdb.connect()
    con.execute(f"create schema {results.RESULTS_SCHEMA}")
    con.execute(f"create table {results.RESULTS_SCHEMA}.{results.RESULTS_TABLE} (suite varchar, \"column\" varchar)")
    con.execute(f"insert into {results.RESULTS_SCHEMA}.{results.RESULTS_TABLE} values ('source.cases', 'status')")
    results.save_results(con, [], suites_run=["source.cases"], layer="source", known_suites=["source.cases"])
    assert results._stored_columns(con) == list(results.COLUMNS)
    assert con.execute(f"select count(*) from {results.RESULTS_SCHEMA}.{results.RESULTS_TABLE}").fetchone()[0] == 0


# --------------------------------------------------------------------------- the real pipeline


def test_a_refresh_publishes_the_results_of_both_layers(published_settings):
    df = snapshot_sql(published_settings, "select * from meta.expectation_results")
    assert {"suite", "expectation", "column_name", "success", "observed_value", "rows_checked", "run_at",
            "is_error", "status", "unexpected_count"} <= set(df.columns)
    assert set(df["layer"]) == {"source", "marts"}
    from antismuggling.quality.suites import load_suites

    suites = load_suites()
    counts = df.groupby("suite").size().to_dict()
    assert counts == {s.name: s.expectation_count for s in suites}
    assert df["run_at"].notna().all() and df["rows_checked"].notna().all()
    assert (df["is_error"] == (df["status"] == "error")).all()
    assert (df["success"] == (df["status"] == "passed")).all()
    # one run: the refresh that published this snapshot
    run_id = snapshot_sql(published_settings, "select details->>'run_id' as r from meta.publish_info")["r"][0]
    assert set(df["run_id"]) == {run_id}
    # the invalid CNICs are counted, not quoted
    cnic = df[(df["suite"] == "source.case_persons") & (df["column_name"] == "cnic_digits")].iloc[0]
    assert cnic["unexpected_count"] > 0 and "unexpected" in cnic["observed_value"]
    texts = df.select_dtypes(include=["object", "string"]).columns
    assert {"observed_value", "rule", "suite"} <= set(texts)
    for column in texts:
        assert not df[column].dropna().astype(str).str.contains(CNIC_SHAPED).any(), column
    # and the table is not listed as a mart
    marts = set(snapshot_sql(published_settings, "select table_name from meta.table_rows")["table_name"])
    assert "expectation_results" not in marts


def test_formation_officers_do_not_see_the_national_figures(published_settings):
    from antismuggling.access.scope import Scope, open_scoped
    from antismuggling.publish import current_snapshot_path

    path = current_snapshot_path(published_settings)
    code = snapshot_sql(published_settings, "select min(formation_code) as f from marts.fct_cases")["f"][0]
    for scope, visible in ((Scope(), True), (Scope(mask_pii=True), True), (Scope(formations=(code,)), False)):
        con = open_scoped(path, scope, "0" * 64)
        try:
            n = con.execute("select count(*) from meta.expectation_results").fetchone()[0]
        finally:
            con.close()
        assert (n > 0) == visible, scope


def test_the_data_quality_page_shows_the_expectation_results(published_settings):
    at = open_app("dg", page="data_quality")
    assert not any("carries no expectation-suite results" in c.value for c in at.caption)
    tables = [d.value for d in at.dataframe if d.value is not None and "Expectation" in d.value.columns]
    assert len(tables) == 1
    table = tables[0]
    assert {"Suite", "Expectation", "Column", "Result", "Observed", "Rows checked", "Run at"} <= set(table.columns)
    expected = snapshot_sql(published_settings, "select status, count(*) as n from meta.expectation_results group by 1")
    assert len(table) == expected["n"].sum()
    order = {"error": 0, "failed": 1, "passed": 2}
    shown = [order[s] for s in table["Result"].str.lower()]
    assert shown == sorted(shown)  # failures first
    assert_clean(at)


def test_the_data_quality_page_withholds_the_results_from_a_formation_officer(published_settings):
    code = snapshot_sql(published_settings, "select min(formation_code) as f from marts.fct_cases")["f"][0]
    at = open_app("formation_officer", (code,), page="data_quality")
    assert not [d for d in at.dataframe if d.value is not None and "Expectation" in d.value.columns]
    assert any("not shown for your role" in c.value for c in at.caption)
