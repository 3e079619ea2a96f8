"""Expectation suites: exact figures on hand-built batches, errors kept apart from data
failures, and the asset checks inside a real refresh."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from types import SimpleNamespace

import dagster as dg
import duckdb
import pandas as pd
import pytest
from antismuggling.config import load_settings
from antismuggling.defs.checks import (
    EXPECTATIONS_CHECK,
    ChecksErrored,
    build_suite_checks,
    connect_read_only,
    unmatched_suites,
)
from antismuggling.defs.resources import WarehouseResource
from antismuggling.publish import connect_published
from antismuggling.quality import runner
from antismuggling.quality.runner import run_suite, validate_frame
from antismuggling.quality.suites import SEVERITIES, SuiteSpec, load_suites
from dbt_helpers import make_warehouse

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=timezone.utc)  # today_pkt = 2026-03-01


def suite(name: str):
    return next(s for s in load_suites() if s.name == name)


def outcome_figures(outcome) -> dict[str, int]:
    """Label -> unexpected count, for every expectation that found something."""
    return {e.label: e.unexpected for e in outcome.expectations if e.unexpected}


def failed_labels(outcome) -> set[str]:
    return {e.label for e in outcome.failures}


def case(case_id: int, **overrides) -> dict[str, object]:
    row = {
        "case_id": str(case_id),
        "case_no": f"PSH-2026-{case_id:06d}",
        "formation_code": "II-PSH",
        "seizure_at": "2026-01-10 05:00:00",
        "detection_method": "INTELLIGENCE",
        "offence_nature": "SMUGGLING",
        "status": "SEIZED",
        "adjudication_outcome": None,
        "created_at": "2026-01-12T08:00:00Z",
        "updated_at": "2026-01-12 08:00:00",
        "deleted_at": None,
    }
    row.update(overrides)
    return row


FORMATIONS = [
    {"formation_code": code, "name": code, "kind": "II_DIRECTORATE", "region": "KP", "city": "x",
     "created_at": "2020-01-01", "updated_at": "2020-01-01"}
    for code in ("II-PSH", "CE-QTA")
]


@pytest.fixture
def raw_batch(tmp_path):
    """A warehouse whose raw tables hold hand-built rows with known problems."""
    cases = [
        case(1),
        case(2, status="SCN_ISSUED"),
        case(3, formation_code="CE-QTA", status="closed ", adjudication_outcome="confiscated"),  # normalised
        case(4, detection_method=" raid "),  # normalised: no problem
        case(5, status="BOGUS"),
        case(6, seizure_at="2206-01-10 05:00:00"),  # a future typo: also after its entry
        case(7, created_at="2026-01-09 00:00:00"),  # entered before the seizure
        case(8, formation_code="XX-NOPE"),
        case(9, adjudication_outcome="CONFISCATED"),  # SEIZED with an outcome
        case(10, personal_penalty_pkr="-500"),
        case(11, redemption_fine_pkr="abc"),
        case(12, case_no="PSH-2026-000099"), case(13, case_no="PSH-2026-000099"),  # same case number twice
        case(14, status="JUNK", deleted_at="2026-01-20 00:00:00"),  # deleted: not checked
        case(15, seizure_at="N/A"),
        case(16, offence_nature="PIRACY"),
        case(17, status="ADJUDICATED", adjudication_outcome="PARDONED"),
        case(18, status="APPEAL", adjudication_outcome="REDEEMED", seizure_at="2026-02-28T20:00:00Z",
             created_at="2026-02-28 21:00:00"),  # seized today in PKT (2026-03-01): not in the future
        *[case(n) for n in range(19, 25)],
    ]
    items = [
        {"item_id": "1", "case_id": "1", "hs_code": "0802.80", "quantity": "10", "value_pkr": "100.50", "origin_country": "id"},
        {"item_id": "2", "case_id": "2", "hs_code": "80280", "quantity": "1", "value_pkr": "5"},
        {"item_id": "3", "case_id": "3", "hs_code": "cigarettes", "quantity": "-3", "value_pkr": "5"},
        {"item_id": "4", "case_id": "4", "hs_code": "85", "quantity": "2", "value_pkr": "x1"},
        {"item_id": "5", "case_id": "14", "hs_code": "2402", "quantity": "2", "value_pkr": "7"},  # case deleted
        {"item_id": "6", "case_id": "999", "hs_code": "8517.13.00", "quantity": "2", "value_pkr": "7"},  # no such case
        {"item_id": "7", "case_id": "1", "hs_code": None, "quantity": None, "value_pkr": None},
        {"item_id": "8", "case_id": "1", "hs_code": "2402", "deleted_at": "2026-01-20"},  # deleted: not checked
        *[{"item_id": str(n), "case_id": "19", "hs_code": "27101941", "quantity": "1", "value_pkr": "1"} for n in range(9, 30)],
    ]
    valid = ["35202-1234567-1", "3520212345671", "35202 1234567 1", " 61101-9876543-2 "]
    invalid = ["N/A", "35202-123456-1", "05202-1234567-1", "1111111111111", "85202-1234567-1"]
    persons = [
        {"case_person_id": str(i), "case_id": "1", "cnic": cnic, "full_name": "x", "role": "DRIVER",
         "custody_status": "ARRESTED", "gender": "M"}
        for i, cnic in enumerate(valid + invalid + [None, ""], start=1)
    ]
    for i in range(12, 40):
        persons.append({"case_person_id": str(i), "case_id": "2", "cnic": f"42101-{i:07d}-3", "full_name": "y",
                        "role": "owner_of_goods", "custody_status": "NOT_ARRESTED"})
    warehouse = make_warehouse(
        tmp_path, {"cases": cases, "formations": FORMATIONS, "seizure_items": items, "case_persons": persons}
    )
    con = connect_read_only(warehouse)
    yield con
    con.close()


def test_every_suite_is_well_formed_and_targets_a_defined_asset(home):
    from antismuggling.definitions import build_definitions

    suites = load_suites()
    assert {s.layer for s in suites} == {"source", "marts"}
    assert len({s.name for s in suites}) == len(suites)
    for spec in suites:
        assert all(e["severity"] in SEVERITIES for e in spec.definition["expectations"]), spec.name
        if spec.layer == "source":
            assert "getvariable('batch_since')" in spec.batch_sql, f"{spec.name} cannot be restricted to a load batch"
    defs = build_definitions(load_settings())
    assert unmatched_suites(defs.resolve_all_asset_keys()) == []
    check_keys = defs.resolve_asset_graph().asset_check_keys
    for spec in suites:
        assert dg.AssetCheckKey(dg.AssetKey(list(spec.asset_key)), EXPECTATIONS_CHECK) in check_keys


def test_cases_suite_reports_exactly_the_bad_rows(raw_batch):
    outcome = run_suite(suite("source.cases"), raw_batch, now=NOW)
    assert outcome.rows == 23  # 24 cases, one deleted
    assert outcome.errors == []
    assert outcome_figures(outcome) == {
        "expect_column_values_to_not_be_null(seizure_at_utc)": 1,  # case 15
        "expect_column_values_to_be_between(seizure_date_pkt)": 1,  # case 6 (case 18 is today, PKT)
        "expect_column_pair_values_a_to_be_greater_than_b(created_at_utc, seizure_at_utc)": 2,  # cases 6, 7
        "expect_column_values_to_be_in_set(formation_code)": 1,  # case 8
        "expect_column_values_to_be_in_set(status)": 1,  # case 5
        "expect_column_values_to_be_in_set(adjudication_outcome)": 1,  # case 17
        "expect_column_values_to_be_in_set(status_outcome)": 1,  # case 9
        "expect_column_values_to_be_in_set(offence_nature)": 1,  # case 16
        "expect_column_values_to_be_between(personal_penalty_pkr)": 1,  # case 10
        "expect_column_values_to_be_null(redemption_fine_pkr_unparsed)": 1,  # case 11
        "expect_compound_columns_to_be_unique(formation_code, case_no)": 2,  # cases 12, 13
    }
    assert failed_labels(outcome) == set(outcome_figures(outcome))
    assert not outcome.passed
    assert outcome.severity == "WARN"  # only soft rules failed
    by_label = {e.label: e for e in outcome.expectations}
    assert by_label["expect_column_values_to_be_in_set(status)"].sample == ("BOGUS",)
    assert by_label["expect_column_values_to_be_in_set(status_outcome)"].sample == ("SEIZED/CONFISCATED",)
    assert by_label["expect_column_values_to_be_in_set(formation_code)"].sample == ("XX-NOPE",)
    assert by_label["expect_column_values_to_be_unique(case_id)"].success
    assert by_label["expect_column_values_to_be_in_set(status)"].evaluated == 23


def test_items_suite_orphans_are_a_hard_rule(raw_batch):
    outcome = run_suite(suite("source.seizure_items"), raw_batch, now=NOW)
    assert outcome.rows == 28  # 29 items, one deleted
    assert outcome_figures(outcome) == {
        "expect_column_values_to_be_in_set(parent_case_state)": 2,  # items 5 (case deleted), 6 (missing)
        "expect_column_values_to_not_be_null(hs_code)": 1,  # item 7
        "expect_column_values_to_match_regex(hs_code)": 2,  # 'cigarettes', '85'
        "expect_column_values_to_be_between(quantity)": 1,  # item 3
        "expect_column_values_to_be_null(value_pkr_unparsed)": 1,  # item 4
    }
    by_label = {e.label: e for e in outcome.expectations}
    orphans = by_label["expect_column_values_to_be_in_set(parent_case_state)"]
    assert orphans.severity == "ERROR" and orphans.failed
    assert set(orphans.sample) == {"deleted", "missing"}
    assert set(by_label["expect_column_values_to_match_regex(hs_code)"].sample) == {"cigarettes", "85"}
    # Counted, but within the soft rules' tolerance (mostly 0.9): 2 of 27 typed codes
    # unparseable (7.4%), 1 of 28 missing.
    assert by_label["expect_column_values_to_match_regex(hs_code)"].success
    assert by_label["expect_column_values_to_not_be_null(hs_code)"].success
    assert failed_labels(outcome) == {
        "expect_column_values_to_be_in_set(parent_case_state)",  # 2 of 28 = 7% > the 2% tolerated
        "expect_column_values_to_be_between(quantity)",
        "expect_column_values_to_be_null(value_pkr_unparsed)",
    }
    assert outcome.severity == "ERROR"


def test_cnic_shape_after_normalisation_with_masked_samples(raw_batch):
    outcome = run_suite(suite("source.case_persons"), raw_batch, now=NOW)
    cnic = next(e for e in outcome.expectations if e.columns == ("cnic_digits",))
    assert cnic.evaluated == 39 and cnic.missing == 2  # NULL and blank are missing, not invalid
    assert cnic.unexpected == 5  # N/A, 12 digits, leading 0, all the same digit, leading 8
    assert cnic.failed and cnic.severity == "WARN"  # 5 of 37 typed = 13.5% invalid: over the 10% tolerated
    assert all(not any(ch.isdigit() for ch in value) for value in cnic.sample), cnic.sample
    assert "N/A" in cnic.sample and "############" in cnic.sample
    role = next(e for e in outcome.expectations if e.columns == ("role",))
    assert role.unexpected == 0  # owner_of_goods normalises to OWNER_OF_GOODS


def test_a_batch_can_be_restricted_to_the_rows_a_load_read(raw_batch):
    from datetime import date

    outcome = run_suite(suite("source.cases"), raw_batch, batch_since=date(2026, 1, 13), now=NOW)
    assert outcome.rows == 0 and outcome.passed
    outcome = run_suite(suite("source.cases"), raw_batch, batch_since=date(2026, 1, 12), now=NOW)
    assert outcome.rows == 23
    # the variable does not leak into the next batch
    assert raw_batch.execute("select getvariable('batch_since')").fetchone()[0] is None


def _figures_without_samples(outcome):
    return [dataclasses.replace(e, sample=()) for e in outcome.expectations]


def test_a_batch_validated_in_parts_gives_the_figures_of_the_whole(raw_batch, published_settings):
    """Every source suite on the hand-built rows (duplicates, orphans, bad values, a failing
    ``mostly``) and every mart suite on a built warehouse: the same figures, success and
    samples drawn from the same values, split in 3 or 7 parts as whole."""
    marts = connect_read_only(published_settings.warehouse_path)
    try:
        for spec in load_suites():
            con = raw_batch if spec.layer == "source" else marts
            whole = run_suite(spec, con, now=NOW)
            assert len(runner.chunk_plan(spec.definition, whole.rows, whole.rows)) == 1
            for chunk_rows in (max(1, whole.rows // 3), max(1, whole.rows // 7)):
                parts = run_suite(spec, con, now=NOW, chunk_rows=chunk_rows)
                assert parts.rows == whole.rows
                assert _figures_without_samples(parts) == _figures_without_samples(whole), (spec.name, chunk_rows)
                for in_parts, in_whole in zip(parts.expectations, whole.expectations):
                    assert bool(in_parts.sample) == bool(in_whole.sample), (spec.name, in_whole.label)
            if spec.name == "source.cases":  # a duplicate of the second key, found in parts too
                assert "expect_compound_columns_to_be_unique(formation_code, case_no)" in failed_labels(parts)
    finally:
        marts.close()


def test_a_suite_without_a_key_is_split_by_row(tmp_path):
    con = duckdb.connect()
    con.execute("create table t as select range as n, case when range % 97 = 0 then null else range % 5 end as k from range(1000)")
    spec = SuiteSpec(
        name="t", layer="marts", path=tmp_path / "t.json", asset_key=("t",), batch_sql="select * from t", scope="all",
        definition={"name": "t", "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "k", "mostly": 0.985}, "severity": "critical"},
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": "k", "max_value": 3}, "severity": "warning"},
        ]},
    )
    whole = run_suite(spec, con, now=NOW)
    parts = run_suite(spec, con, now=NOW, chunk_rows=300)
    assert [p.chunks for p in runner.chunk_plan(spec.definition, 1000, 300)] == [4]
    assert _figures_without_samples(parts) == _figures_without_samples(whole)
    assert [(e.success, e.unexpected) for e in whole.expectations] == [(True, 11), (False, 198)]


def test_the_parts_keep_equal_keys_together_and_each_key_gets_its_own_split():
    definition = suite("source.cases").definition
    plan = runner.chunk_plan(definition, rows=2_500_000, chunk_rows=1_000_000)
    keys = [p.key for p in plan]
    assert keys == [("case_id",), ("formation_code", "case_no")] and all(p.chunks == 3 for p in plan)
    assert sorted(i for p in plan for i in p.indexes) == list(range(len(definition["expectations"])))
    assert plan[1].columns == plan[1].key  # another key's part reads its own columns only
    assert runner.chunk_plan(definition, rows=999_999, chunk_rows=1_000_000)[0].chunks == 1


def test_an_expectation_that_raises_is_an_error_not_a_failure():
    frame = pd.DataFrame({"status": ["SEIZED", "BOGUS"]})
    definition = {
        "name": "t",
        "expectations": [
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "status", "value_set": ["SEIZED"]},
             "severity": "warning"},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"},
             "severity": "warning"},
        ],
    }
    data_failure, raised = validate_frame(definition, frame)
    assert data_failure.failed and data_failure.error is None and data_failure.unexpected == 1
    assert raised.error and "no_such_column" in raised.error
    assert not raised.failed and not raised.success
    outcome = runner.SuiteOutcome("t", ("x",), "", 2, 0.0, 0.0, [data_failure, raised])
    assert outcome.errors == [raised] and outcome.failures == [data_failure]


def test_a_failure_without_figures_is_an_error():
    """The symptom of GE's SQL engine on DuckDB: unsuccessful, no metric, no exception."""
    expectation = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}, "severity": "critical"}
    empty = SimpleNamespace(success=False, result={}, exception_info={"raised_exception": False})
    assert runner._outcome(0, expectation, empty).error
    assert runner._outcome(0, expectation, None).error
    nested = {"metric-id": {"raised_exception": True, "exception_message": "boom"}}
    assert runner.exception_message(nested) == "boom"
    assert runner.exception_message({"raised_exception": False, "exception_message": None}) is None


def test_context_is_ephemeral_and_offline():
    context = runner._context()
    assert type(context).__name__ == "EphemeralDataContext"
    assert context.config.analytics_enabled is False


def test_an_erroring_suite_fails_its_check_but_not_the_others(tmp_path):
    make_warehouse(tmp_path / "home" / "warehouse", {"cases": [case(1), case(2, status="BOGUS")], "formations": FORMATIONS})
    good = suite("source.cases")
    bad = dataclasses.replace(
        good, name="source.broken", asset_key=("raw", "case_vehicles"),
        definition={"name": "source.broken", "expectations": [
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}, "severity": "warning"}
        ]},
    )
    checks = build_suite_checks("test_source_checks", [good, bad], source=True)
    defs = dg.Definitions(
        assets=[dg.AssetSpec(["raw", "cases"]), dg.AssetSpec(["raw", "case_vehicles"])],
        asset_checks=[checks],
        resources={"warehouse": WarehouseResource(home=str(tmp_path / "home"), ops_url="sqlite:///unused.db")},
        jobs=[dg.define_asset_job("only_checks", selection=dg.AssetSelection.checks(checks))],
    )
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_job_def("only_checks").execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert ChecksErrored.__name__ in failure.step_failure_data.error.to_string()
    assert "no_such_column" in failure.step_failure_data.error.to_string()
    evaluations = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"raw/cases"}  # the broken suite reports no data verdict
    cases = evaluations["raw/cases"]
    assert not cases.passed and cases.severity == dg.AssetCheckSeverity.WARN
    assert cases.metadata["unsuccessful_expectations"].value == 1
    assert cases.metadata["rows_validated"].value == 2
    assert "whole table" in cases.metadata["scope"].value
    broken = instance.event_log_storage.get_asset_check_execution_history(
        dg.AssetCheckKey(dg.AssetKey(["raw", "case_vehicles"]), EXPECTATIONS_CHECK), limit=1
    )
    # No evaluation, in a failed run: Dagster resolves that to EXECUTION_FAILED (an error of the
    # check), never to a failed data check.
    assert broken and broken[0].status.value == "PLANNED"
    assert instance.get_run_by_id(broken[0].run_id).status == dg.DagsterRunStatus.FAILURE


# ------------------------------------------------------------------------------------------
# Inside a real refresh


def _refresh_run_checks(settings):
    from dagster._core.events import DagsterEventType
    from dagster._core.instance.ref import InstanceRef

    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(settings.dagster_home)))
    run = instance.get_runs(filters=dg.RunsFilter(job_name="refresh"), limit=1)[0]
    evaluations = {}
    for record in instance.all_logs(run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION):
        data = record.dagster_event.event_specific_data
        evaluations[(data.asset_key.to_user_string(), data.check_name)] = data
    return run, evaluations


def test_checks_run_inside_the_refresh(published_settings):
    settings = published_settings
    run, evaluations = _refresh_run_checks(settings)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    for spec in load_suites():
        key = (spec.asset_key_string, EXPECTATIONS_CHECK)
        assert key in evaluations, f"no evaluation of {key} in the refresh run"
        metadata = evaluations[key].metadata
        assert metadata["evaluated_expectations"].value == spec.expectation_count
        assert metadata["rows_validated"].value > 0
        records = metadata["expectations"].value.records
        assert len(records) == spec.expectation_count
        assert {"expectation", "severity", "evaluated", "unexpected", "unexpected_percent", "sample"} <= set(records[0].data)
    assert evaluations[("published/marts", "reconciliation")].passed

    warehouse = connect_read_only(settings.warehouse_path)
    published = connect_published(settings)
    try:
        # The full refresh validated every live source row.
        for table in ("cases", "seizure_items", "case_persons", "case_officers"):
            metadata = evaluations[(f"raw/{table}", EXPECTATIONS_CHECK)].metadata
            live = warehouse.execute(f"select count(*) from raw.{table} where deleted_at is null").fetchone()[0]
            assert metadata["rows_validated"].value == live
            assert metadata["batch_since"].value == "whole table"
            assert metadata["load_mode"].value == "full"
        # GE's hard-rule counts agree with what dbt quarantined.
        quarantined = dict(published.execute(
            "select source_table || '/' || check_name, count(*) from marts.data_quality_issues "
            "where severity = 'quarantined' group by all"
        ).fetchall())
        for table in ("seizure_items", "case_vehicles", "case_persons", "case_officers"):
            metadata = evaluations[(f"raw/{table}", EXPECTATIONS_CHECK)].metadata
            orphans = metadata["unexpected expect_column_values_to_be_in_set(parent_case_state)"].value
            expected = quarantined.get(f"{table}/parent_case_deleted", 0) + quarantined.get(f"{table}/parent_case_missing", 0)
            assert orphans == expected, table
        officers = evaluations[("raw/case_officers", EXPECTATIONS_CHECK)].metadata
        unknown_officers = officers["unexpected expect_column_values_to_be_in_set(officer_id)"].value
        assert unknown_officers == quarantined.get("case_officers/unknown_officer", 0)
        assert quarantined.get("case_officers/unknown_officer", 0) > 0  # the generator's dangling officer ids
        fct_cases = evaluations[("marts/fct_cases", EXPECTATIONS_CHECK)].metadata
        assert fct_cases["rows_validated"].value == published.execute("select count(*) from marts.fct_cases").fetchone()[0]
    finally:
        warehouse.close()
        published.close()
