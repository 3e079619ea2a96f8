"""Partner feeds wired into the product, over marts the real pipeline published
(``published_settings``): publish carries schema ``feeds``; the Dagster code location has one
asset, job and schedule per feed outside the refresh job; the command line as the contract
says (separate processes, real gpg); every delivery in the append-only audit trail; the
Partner feeds dashboard page for ``dg`` and ``admin`` only (Streamlit AppTest)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from antismuggling.access.store import UserStore
from antismuggling.config import Settings, load_settings
from antismuggling.feeds import feed_history, load_feeds_config, run_feed
from antismuggling.feeds.config import FEEDS_CONFIG_ENV
from antismuggling.feeds.ledger import Ledger
from antismuggling.feeds.runner import ledger_path
from antismuggling.feeds.schedule import next_fire
from antismuggling.feeds.signing import kill_agent
from antismuggling.publish import attach_next_snapshot, current_snapshot_path
from apptest_helpers import assert_clean, displayed_text, open_app, texts

EXE = str(Path(sys.executable).parent / "antismuggling")
FEEDS = ("ncen", "cen", "ntc", "psw", "lea-anf", "lea-fia")

if shutil.which("gpg") is None and not os.access("/usr/bin/gpg", os.X_OK):
    pytest.skip("gpg is not installed (.ci/run installs gnupg)", allow_module_level=True)


def cli(*args: str, home: Path, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != FEEDS_CONFIG_ENV}
    full_env.update({"ANTISMUGGLING_HOME": str(home), **(env or {})})
    result = subprocess.run([EXE, *args], capture_output=True, text=True, env=full_env, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def audit(settings: Settings, action: str) -> list[dict]:
    return UserStore.from_settings(settings).audit_rows(limit=10_000, action=action)


@pytest.fixture(scope="module")
def published(published_settings):
    yield published_settings
    kill_agent(published_settings.home / "feeds" / "gnupg")


# --------------------------------------------------------------------------- publish, code location


def test_publish_carries_the_feeds_schema(published):
    snapshot = duckdb.connect(str(current_snapshot_path(published)), read_only=True)
    warehouse = duckdb.connect(str(published.warehouse_path), read_only=True)
    attach_next_snapshot(warehouse, published.warehouse_path, read_only=True)
    try:
        built = dict(warehouse.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = 'feeds'").fetchall())
        assert set(built) == {"feed_ncen_cases", "feed_ncen_items", "feed_ncen_vehicles", "feed_ncen_persons",
                              "feed_cen_items", "feed_ntc_vehicles", "feed_ntc_persons", "feed_psw_indicators"}
        recorded = dict(snapshot.execute("select table_name, n_rows from meta.table_rows").fetchall())
        for table in built:
            n = warehouse.execute(f"select count(*) from feeds.{table}").fetchone()[0]
            assert snapshot.execute(f"select count(*) from feeds.{table}").fetchone()[0] == n > 0, table
            assert recorded[f"feeds.{table}"] == n
        marts = {t for (t,) in snapshot.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()}
        assert marts <= set(recorded) and "fct_cases" in marts  # marts keep their bare names
    finally:
        snapshot.close()
        warehouse.close()


def test_the_code_location_has_the_feeds_outside_the_refresh_job(home):
    import dagster as dg

    from antismuggling.definitions import build_definitions
    from antismuggling.feeds.dagster_defs import _started_by, feed_asset_key, feed_job_name

    settings = load_settings()
    defs = build_definitions(settings)
    graph = defs.resolve_asset_graph()
    published_parents = graph.get(dg.AssetKey(["published", "marts"])).parent_keys
    assert {dg.AssetKey(["feeds", "feed_ncen_cases"]), dg.AssetKey(["feeds", "feed_psw_indicators"])} <= published_parents
    config = load_feeds_config(settings)
    for feed in FEEDS:
        key = feed_asset_key(feed)
        assert graph.get(key).parent_keys == {dg.AssetKey(["published", "marts"])}
        job = defs.resolve_job_def(feed_job_name(feed))
        nodes = {n.name for n in job.nodes}  # the delivery and its checks
        assert key.to_python_identifier() in nodes and all(n.startswith(key.to_python_identifier()) for n in nodes)
        schedule = defs.resolve_schedule_def(f"{feed_job_name(feed)}_schedule")
        assert (schedule.cron_schedule, schedule.execution_timezone) == (config.feed(feed).schedule, "Asia/Karachi")
    refresh = defs.resolve_job_def("refresh")
    selected = refresh.asset_layer.selected_asset_keys
    assert dg.AssetKey(["published", "marts"]) in selected
    assert not [k for k in selected if k.path[0] == "deliveries"]
    assert not [n.name for n in refresh.nodes if n.name.startswith("deliveries")]  # nor their checks

    class Run:
        run_id = "abc"
        tags = {"dagster/schedule_name": "feed_ncen_schedule"}

    class Context:
        run = Run()

    assert _started_by(Context()) == "dagster:schedule feed_ncen_schedule run abc"
    Run.tags = {}
    assert _started_by(Context()) == "dagster:run abc"


@pytest.mark.parametrize("cron", ["0 3 * * *", "0 4 * * 1", "30 3 * * *", "0 5 1 * *", "*/15 * * * *",
                                  "30 2 * * Mon-Fri", "0 0 29 2 *", "0 6 1,15 * 0", "5 1-3/2 * Jan,Jul *"])
def test_next_delivery_is_when_the_dagster_schedule_fires(cron):
    from dagster._utils.schedules import cron_string_iterator

    for start in (datetime(2026, 11, 30, 21, 59, tzinfo=timezone.utc), datetime(2027, 2, 27, 23, 0, tzinfo=timezone.utc),
                  datetime(2026, 12, 31, 22, 30, tzinfo=timezone.utc)):
        fires = cron_string_iterator(start.timestamp(), cron.replace("Mon-Fri", "1-5").replace("Jan,Jul", "1,7"),
                                     "Asia/Karachi")
        expected = next(t for t in fires if t > start)
        assert next_fire(cron, "Asia/Karachi", start) == expected, (cron, start)


def test_schedules_are_described_as_people_say_them():
    from antismuggling.feeds.schedule import describe

    assert describe("0 3 * * *", "Asia/Karachi") == "daily 03:00 PKT"
    assert describe("30 3 * * *", "Asia/Karachi") == "daily 03:30 PKT"
    assert describe("0 4 * * 1", "Asia/Karachi") == "Mondays 04:00 PKT"
    assert describe("0 5 1 * *", "Asia/Karachi") == "day 1 of the month 05:00 PKT"
    assert describe("*/15 * * * *", "UTC") == "*/15 * * * * (UTC)"


# --------------------------------------------------------------------------- command line


def test_feeds_run_list_history_key_and_verify_on_the_command_line(published, tmp_path):
    home = published.home
    first = cli("feeds", "run", "ntc", home=home)
    folder = Path(first.stdout.strip().splitlines()[-1])  # the last line of stdout: the delivery folder
    assert folder.parent == home / "feeds" / "outbox" / "ntc" / "local" and (folder / "manifest.json.asc").is_file()
    assert re.search(r"ntc -> local: seq 1 full I=\d+ U=0 D=0", first.stderr)
    again = cli("feeds", "run", "ntc", home=home)
    assert "seq 2 delta I=0 U=0 D=0" in again.stderr  # nothing changed: a zero-row delivery
    second = Path(again.stdout.strip().splitlines()[-1])

    listed = {r["feed"]: r for r in csv_rows(cli("feeds", "list", "--format", "csv", home=home).stdout)}
    assert list(listed) == list(FEEDS)
    assert listed["ntc"]["personal data"] == "nominal" and listed["cen"]["personal data"] == "none"
    assert listed["ntc"]["last delivery"].startswith("local: seq 2 delivered")
    assert listed["psw"]["mode"] == "full" and listed["psw"]["schedule"] == "0 5 1 * * (Asia/Karachi)"

    history = csv_rows(cli("feeds", "history", "ntc", "--format", "csv", home=home).stdout)
    assert [(h["seq"], h["mode"], h["status"]) for h in history] == [("2", "delta", "delivered"), ("1", "full", "delivered")]
    assert history[0]["manifest sha256"] == hashlib.sha256((second / "manifest.json").read_bytes()).hexdigest()
    assert history[0]["started by"].startswith("cli:") and (history[0]["I"], history[0]["U"], history[0]["D"]) == ("0", "0", "0")

    key = tmp_path / "producer.asc"
    cli("feeds", "key", "export", "--out", str(key), home=home)
    assert key.read_text() == cli("feeds", "key", "export", home=home).stdout
    assert key.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")

    # what a partner runs: the folder and the key, nothing of ours (an empty data directory)
    partner = tmp_path / "partner-home"
    ok = cli("feeds", "verify", str(folder), "--key", str(key), home=partner)
    assert ok.stdout.startswith(f"OK {folder}: feed ntc destination local seq 1 full") and not partner.exists()
    assert cli("feeds", "verify", str(second), home=home).stdout.startswith("OK ")  # the installation's own key
    tampered = tmp_path / "tampered"
    shutil.copytree(folder, tampered)
    data = bytearray((tampered / "vehicles.csv").read_bytes())
    position = data.index(b"\r\n") + 5
    data[position] = ord("0") if data[position] != ord("0") else ord("1")
    (tampered / "vehicles.csv").write_bytes(bytes(data))
    refused = cli("feeds", "verify", str(tampered), "--key", str(key), home=partner, check=False)
    assert refused.returncode == 1 and refused.stdout.startswith(f"FAILED {tampered}")
    assert "vehicles.csv: SHA-256" in refused.stdout and not partner.exists()
    nokey = cli("feeds", "verify", str(folder), home=partner, check=False)
    assert nokey.returncode == 1 and "has no feed-signing key" in nokey.stderr and not (partner / "feeds").exists()


def test_a_feed_that_cannot_run_or_deliver_is_one_error_line_and_exit_1(published, tmp_path):
    from sshd_server import free_port

    home = published.home
    unknown = cli("feeds", "run", "nosuch", home=home, check=False)
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("error:") and "no feed 'nosuch'" in unknown.stderr

    bad = tmp_path / "bad.toml"
    bad.write_text('[feeds.mine]\npartner = "x"\npersonal_data = "none"\nmode = "delta"\nschedule = "0 1 * * *"\n'
                   '[feeds.mine.entities.items]\nmodel = "marts.fct_seizure_items"\nkey = ["item_ref"]\n'
                   'columns = ["item_ref", "description"]\n')
    refused = cli("feeds", "run", "cen", home=home, check=False, env={FEEDS_CONFIG_ENV: str(bad)})
    assert refused.returncode == 1 and "column 'description'" in refused.stderr and refused.stdout == ""

    down = tmp_path / "down.toml"
    down.write_text(f"""
[destinations.partner]
type = "sftp"
host = "127.0.0.1"
port = {free_port()}
user = "intake"
key_file = "{tmp_path / 'id_ed25519'}"
host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
retries = 2
backoff_seconds = 0
timeout_seconds = 2
[feeds.ntc]
destinations = ["local", "partner"]
""")
    failed = cli("feeds", "run", "ntc", "--destination", "partner", home=home, check=False, env={FEEDS_CONFIG_ENV: str(down)})
    assert failed.returncode == 1 and failed.stdout == ""
    error = failed.stderr.strip().splitlines()[-1]  # after the progress lines (retries), one error line
    assert error.startswith("error: ntc -> partner:") and "unreachable after 2 attempt(s)" in error
    (attempt,) = feed_history(published, "ntc", "partner")
    assert attempt.status == "failed"
    with Ledger(ledger_path(published)) as ledger:
        assert ledger.last_delivered("ntc", "partner") is None and ledger.holdings("ntc", "partner") == {}


# --------------------------------------------------------------------------- audit trail


def test_every_delivery_is_in_the_audit_trail(published):
    deliveries = {(d.feed, d.destination, d.seq, d.status): d for d in feed_history(published)}
    rows = audit(published, "feed_delivery") + audit(published, "feed_delivery_failed")
    audited = {}
    for row in rows:
        fields = dict(part.split("=", 1) for part in row["detail"].split(" ") if "=" in part)
        audited[(fields["feed"], fields["destination"], int(fields["seq"]),
                 "delivered" if row["action"] == "feed_delivery" else "failed")] = (row, fields)
    assert set(deliveries) <= set(audited)
    for key, delivery in deliveries.items():
        row, fields = audited[key]
        assert row["username"] == delivery.started_by and row["username"].startswith("cli:")
        assert row["target"] == f"{delivery.feed}/{delivery.destination}/{delivery.folder}"
        assert fields["mode"] == delivery.mode
        assert (int(fields["I"]), int(fields["U"]), int(fields["D"])) == (delivery.rows_i, delivery.rows_u, delivery.rows_d)
        if delivery.status == "delivered":
            assert fields["manifest_sha256"] == delivery.manifest_sha256 and row["n_rows"] == delivery.rows_i + delivery.rows_u + delivery.rows_d
        else:
            assert "unreachable" in row["detail"]
    with Ledger(ledger_path(published)) as ledger:
        assert ledger.unaudited() == []


def test_a_delivery_whose_audit_row_could_not_be_written_is_audited_by_the_next_run(published, tmp_path, monkeypatch):
    settings = Settings(home=tmp_path / "home", ops_url="sqlite:///unused.db")
    snapshot = tmp_path / "snapshot.duckdb"
    shutil.copy(current_snapshot_path(published), snapshot)

    def locked(self, *args, **kwargs):
        raise RuntimeError("database is locked")

    try:
        with monkeypatch.context() as patched:
            patched.setattr(UserStore, "audit", locked)
            messages = []
            first = run_feed(settings, "psw", snapshot=snapshot, started_by="test", log=messages.append)
        assert first.ok and any("could not write the audit trail" in m for m in messages)
        assert audit(settings, "feed_delivery") == []
        with Ledger(ledger_path(settings)) as ledger:
            assert [d.seq for d in ledger.unaudited()] == [1]
        run_feed(settings, "psw", snapshot=snapshot, started_by="schedule")
        rows = audit(settings, "feed_delivery")
        assert sorted((r["username"], r["detail"].split(" ")[2]) for r in rows) == [("schedule", "seq=2"), ("test", "seq=1")]
        with Ledger(ledger_path(settings)) as ledger:
            assert ledger.unaudited() == []
    finally:
        kill_agent(settings.home / "feeds" / "gnupg")


# --------------------------------------------------------------------------- dashboard


CNIC = re.compile(r"\b\d{5}-?\d{7}-?\d\b")


@pytest.mark.parametrize("role", ["dg", "admin"])
def test_the_partner_feeds_page_shows_dg_and_admin_every_feed_and_what_it_carries(published, role):
    if not feed_history(published, "cen"):
        run_feed(published, "cen", started_by="test")
    at = open_app(role)
    at.switch_page("views/feeds.py").run()
    assert_clean(at)
    assert [t.value for t in at.title] == ["Partner feeds"]
    overview = at.dataframe[0].value
    assert list(overview["Feed"]) == list(FEEDS)
    assert set(overview["Partner"]) >= {"National Targeting Center", "Anti-Narcotics Force", "Federal Investigation Agency"}
    shown = overview.set_index("Feed")
    assert shown.loc["cen", "Personal data"] == "none (non-nominal)" and shown.loc["ncen", "Personal data"] == "nominal"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d · seq 2", shown.loc["ntc", "Last delivery"])
    assert shown.loc["lea-fia", "Last delivery"] == "never"
    assert (shown.loc["psw", "Deliveries"], shown.loc["cen", "Deliveries"]) == (
        "full, day 1 of the month 05:00 PKT", "delta, Mondays 04:00 PKT")
    assert re.fullmatch(r"\d{4}-\d\d-01 05:00 PKT", shown.loc["psw", "Next delivery"])
    assert shown.loc["ntc", "Failures (30 days)"] >= 1 and shown.loc["cen", "Failures (30 days)"] == 0
    failures = at.dataframe[1].value
    assert set(failures["Feed"]) == {"ntc"} and failures["Error"].str.contains("unreachable").all()

    assert "Last delivery: seq" in texts(at.markdown) or "Not delivered yet." in texts(at.markdown)
    columns = at.dataframe[2].value  # the first feed, ncen: every file's columns
    assert set(columns["File"]) == {"cases.csv", "items.csv", "vehicles.csv", "persons.csv"}
    persons = columns[columns["File"] == "persons.csv"]
    assert list(persons["Column"][:3]) == ["op", "feed_seq", "case_person_id"] and "cnic" in set(persons["Column"])
    at.selectbox(key="partner_feeds_feed").select("cen").run()
    assert_clean(at)
    cen = at.dataframe[2].value
    assert {"case_ref", "item_ref", "commodity_group", "transport_mode"} <= set(cen["Column"])
    assert not {"case_id", "item_id", "cnic", "full_name", "registration_no"} & set(cen["Column"])
    assert "keyed reference" in cen.set_index("Column").loc["case_ref", "What it holds"]
    assert "Never carries: CNIC" in texts(at.caption)

    assert "Last delivery: seq 1 (full, I " in texts(at.markdown)
    deliveries = at.dataframe[3].value
    assert {"ntc", "cen"} <= set(deliveries["Feed"]) and {"delivered", "failed"} <= set(deliveries["Status"])
    # the page shows feed metadata, never a feed's rows
    assert not [text for _, text in displayed_text(at) if CNIC.search(text)]


@pytest.mark.parametrize("role", ["analyst", "formation_officer"])
def test_the_partner_feeds_page_is_not_for_analysts_or_formation_officers(published, role):
    formation = ("CE-X",) if role == "formation_officer" else ()
    at = open_app(role, formation)
    with pytest.raises(ValueError, match="Known pages"):
        at.switch_page("views/feeds.py")
    assert "Partner feeds" not in texts(at.title)


def test_the_partner_feeds_page_run_on_its_own_refuses_an_anonymous_session(published):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from apptest_helpers import APP

    st.cache_data.clear()
    at = AppTest.from_file(str(APP.parent / "views" / "feeds.py"), default_timeout=120).run()
    assert not at.exception and "Director General and administrators" in texts(at.error)
    assert not at.dataframe
