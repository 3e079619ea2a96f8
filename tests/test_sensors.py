"""The source-watermark sensor: a run when the store's updated_at moves, a skip otherwise."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

import dagster as dg
import pytest
from antismuggling.defs.resources import WarehouseResource
from antismuggling.defs.sensors import (
    MINIMUM_INTERVAL_SECONDS,
    decode_cursor,
    encode_cursor,
    latest_of,
    published_watermark,
    read_source_watermark,
    source_watermark_sensor,
)
from antismuggling.store.generate import generate_store
from antismuggling.store.schema import TABLES
from dagster._core.test_utils import create_run_for_test


@pytest.fixture
def store(tmp_path):
    path = tmp_path / "ops.db"
    url = f"sqlite:///{path}"
    generate_store(url, 60, 5, progress=False)
    return url, path


def evaluate(url: str, home, *, cursor: str | None = None, instance: dg.DagsterInstance | None = None):
    context = dg.build_sensor_context(
        instance=instance or dg.DagsterInstance.ephemeral(),
        cursor=cursor,
        resources={"warehouse": WarehouseResource(home=str(home), ops_url=url)},
    )
    return source_watermark_sensor(context), context.cursor


def today() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def edit(path, sql: str, params=()) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(sql, params)
    con.close()


def test_sensor_definition():
    assert source_watermark_sensor.job_name == "refresh"
    assert source_watermark_sensor.minimum_interval_seconds == MINIMUM_INTERVAL_SECONDS >= 60
    assert source_watermark_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_a_run_when_the_watermark_moves_and_a_skip_when_not(store, tmp_path):
    url, path = store
    home = tmp_path / "home"  # nothing published: the first evaluation starts a run
    result, cursor = evaluate(url, home)
    assert isinstance(result, dg.RunRequest)
    watermark = read_source_watermark(url)
    assert set(watermark) == set(TABLES) and all(watermark.values())
    assert decode_cursor(cursor) == watermark
    assert result.run_key.startswith(f"source-watermark {latest_of(watermark)} ")

    result, same_cursor = evaluate(url, home, cursor=cursor)
    assert isinstance(result, dg.SkipReason) and "unchanged" in result.skip_message
    assert same_cursor == cursor

    # A status change bumps updated_at: the watermark moves.
    edit(path, "update cases set status = 'CLOSED', updated_at = ? where case_id = 1", [f"{today()}T10:00:00Z"])
    result, moved = evaluate(url, home, cursor=cursor)
    assert isinstance(result, dg.RunRequest)
    assert result.tags["antismuggling/changed_tables"] == "cases"
    assert decode_cursor(moved)["cases"] == f"{today()} 10:00:00"
    assert f"source-watermark {today()} 10:00:00 " in result.run_key

    # A later edit typed in another allowed format sorts *lower* as text ("T" > " "): still seen.
    edit(path, "update seizure_items set deleted_at = ?, updated_at = ? where item_id = 1",
         [f"{today()} 11:00:00", f"{today()} 11:00:00"])
    result, moved_again = evaluate(url, home, cursor=moved)
    assert isinstance(result, dg.RunRequest)
    assert decode_cursor(moved_again)["seizure_items"] == f"{today()} 11:00:00"
    assert result.tags["antismuggling/changed_tables"] == "seizure_items"

    result, _ = evaluate(url, home, cursor=moved_again)
    assert isinstance(result, dg.SkipReason)


def test_a_future_typo_does_not_move_the_watermark(store, tmp_path):
    url, path = store
    _, cursor = evaluate(url, tmp_path / "home")
    edit(path, "update cases set updated_at = '2206-01-01 00:00:00' where case_id = 2")
    result, after = evaluate(url, tmp_path / "home", cursor=cursor)
    assert isinstance(result, dg.SkipReason) and after == cursor


def test_no_run_while_a_refresh_run_is_in_progress(store, tmp_path):
    url, path = store
    instance = dg.DagsterInstance.ephemeral()
    _, cursor = evaluate(url, tmp_path / "home", instance=instance)
    edit(path, "update cases set updated_at = ? where case_id = 3", [f"{today()} 09:00:00"])
    running = create_run_for_test(instance, job_name="refresh", status=dg.DagsterRunStatus.STARTED)
    result, after = evaluate(url, tmp_path / "home", cursor=cursor, instance=instance)
    assert isinstance(result, dg.SkipReason)
    assert running.run_id in result.skip_message and "in progress" in result.skip_message
    assert after == cursor  # the move is still pending

    instance.report_run_failed(running)
    result, after = evaluate(url, tmp_path / "home", cursor=cursor, instance=instance)
    assert isinstance(result, dg.RunRequest) and after != cursor


def test_an_unreachable_store_is_a_clear_skip(tmp_path):
    missing = tmp_path / "nowhere" / "ops.db"
    result, cursor = evaluate(f"sqlite:///{missing}", tmp_path / "home")
    assert isinstance(result, dg.SkipReason)
    assert "unreachable" in result.skip_message and str(missing) in result.skip_message
    assert cursor is None

    result, _ = evaluate("postgresql://warehouse:s3cret@127.0.0.1:9/ops", tmp_path / "home")
    assert isinstance(result, dg.SkipReason) and "unreachable" in result.skip_message
    assert "s3cret" not in result.skip_message


def test_a_store_without_a_contract_table_is_reported(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    result, _ = evaluate(f"sqlite:///{path}", tmp_path / "home")
    assert isinstance(result, dg.SkipReason) and "formations" in result.skip_message


def test_first_evaluation_skips_when_the_published_marts_are_up_to_date(published_settings):
    settings = published_settings
    watermark = read_source_watermark(settings.ops_url)
    assert latest_of(watermark) == published_watermark(settings)
    result, cursor = evaluate(settings.ops_url, settings.home)
    assert isinstance(result, dg.SkipReason) and "up to date" in result.skip_message
    assert decode_cursor(cursor) == watermark


def test_postgres_store(pg_url, tmp_path):
    generate_store(pg_url, 60, 5, progress=False)
    watermark = read_source_watermark(pg_url)
    assert set(watermark) == set(TABLES)
    assert all(len(v) == 19 and v[10] == " " for v in watermark.values())
    result, cursor = evaluate(pg_url, tmp_path / "home")
    assert isinstance(result, dg.RunRequest)
    result, _ = evaluate(pg_url, tmp_path / "home", cursor=cursor)
    assert isinstance(result, dg.SkipReason)
    assert encode_cursor(watermark) == cursor
