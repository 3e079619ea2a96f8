"""Partner feeds end to end: real refreshes, real gpg, a real sshd; no mocks.

One module fixture builds the world: a generated store with hostile rows added (CNICs in
every spelling, names, plates, chassis and engine numbers, free text everywhere a person can
type), fully refreshed by the real pipeline, and a published snapshot holding ``marts`` and
``feeds`` (publish copies schema ``feeds`` beside the marts). A second fixture edits the store (an offence changes, an item is deleted, a
person renamed, another hostile case typed) and refreshes incrementally: the end-to-end test.

The delta property runs over random edit sequences applied to copies of the snapshot's feed
tables: applying every delivered delta in seq order to the first full delivery must give
exactly what a full delivery gives now, for every feed.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from antismuggling.config import Settings, next_snapshot_path
from antismuggling.feeds import (
    FeedDeliveryError, export_public_key, feed_history, list_feeds, load_feeds_config, run_feed, verify_delivery,
)
from antismuggling.feeds.checks import contract_check, personal_data_check, row_count_check
from antismuggling.feeds.config import FEEDS_CONFIG_ENV
from antismuggling.feeds.files import read_rows
from antismuggling.feeds.ledger import Ledger
from antismuggling.feeds.refs import RefHasher
from antismuggling.feeds.runner import FAULT_ENV, ledger_path
from antismuggling.feeds.signing import kill_agent, temporary_keyring

from sshd_server import SshServer, SshUnavailable

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
FEEDS = ("ncen", "cen", "ntc", "psw", "lea-anf", "lea-fia")
NON_NOMINAL = ("cen", "psw")
CASES = 600
SEED = 11
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

if shutil.which("gpg") is None and not os.access("/usr/bin/gpg", os.X_OK):
    pytest.skip("gpg is not installed (.ci/run installs gnupg)", allow_module_level=True)


# ---------------------------------------------------------------------------------------------
# The hostile store


def _insert(db: sqlite3.Connection, table: str, row: dict) -> None:
    from antismuggling.store.schema import column_names

    columns = column_names(table)
    row = {"created_at": NOW, "updated_at": NOW, **row}
    db.execute(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})",
               [row.get(c) for c in columns])


def hostile_values(tag: str) -> dict:
    """What people typed where they should not have: CNICs in every spelling, names, numbers."""
    n = {"A": 1, "B": 2}[tag]
    cnic = f"3520{n}-123456{n}-{n}"
    digits = cnic.replace("-", "")
    return {
        "cnics": [cnic, digits, f"{digits[:5]} {digits[5:12]} {digits[12]}", f" {cnic} ",
                  f"{digits[:5]}-{digits[5:]}", f"{digits[:5]}.{digits[5:12]}.{digits[12]}"],
        "names": [f"Gulzaman{tag} Khanzada", f"Sherafzal{tag} Durrani", f"Zarmina{tag} Bibi"],
        "passports": [f"AB{n}234567", f"P 1234567{n}"],
        "plates": [f"LEX-{n}234", f"lex {n}234", f"QAX{n}234"],
        "chassis": [f"NZE141-90{n}2345", f"nze 141 90{n}2345"],
        "engines": [f"1NZ-FE {n}567890", f"1nz{n}567890"],
        "case_no": f"HOS-2026-99{n}001",
        "fir_no": f"FIR {n}23/2026 PS Saddar",
    }


def add_hostile_case(store: Path, tag: str) -> dict:
    """Two cases (one of an unknown formation) where every free-text field holds personal data."""
    values = hostile_values(tag)
    cnic = values["cnics"][0]
    db = sqlite3.connect(store)
    try:
        formation = db.execute("select formation_code from formations order by formation_code limit 1").fetchone()[0]
        top = {t: db.execute(f"select max({k}) from {t}").fetchone()[0] for t, k in (
            ("cases", "case_id"), ("seizure_items", "item_id"), ("case_vehicles", "case_vehicle_id"),
            ("case_persons", "case_person_id"), ("locations", "location_id"))}
        location_id = top["locations"] + 1
        _insert(db, "locations", {"location_id": location_id, "name": values["names"][0], "kind": cnic,
                                  "district": values["names"][1], "province": "Punjab", "country": values["names"][2]})
        free = f"{values['names'][0]} s/o {values['names'][1]} CNIC {cnic} in {values['plates'][0]} passport {values['passports'][0]}"
        for i, formation_code in enumerate((formation, values["plates"][0])):
            case_id = top["cases"] + 1 + i
            _insert(db, "cases", {
                "case_id": case_id, "case_no": values["case_no"] if i == 0 else values["case_no"] + "X",
                "formation_code": formation_code, "seizure_at": "2026-10-20 06:00:00",
                "seizure_location_id": location_id, "origin_location_id": location_id,
                "destination_location_id": location_id, "route_via": free,
                "detection_method": cnic if i else "INTELLIGENCE", "offence_nature": "NARCOTICS" if i == 0 else values["names"][2],
                "legal_sections": free, "status": "SEIZED", "fir_no": values["fir_no"], "remarks": free,
            })
            for j, hs in enumerate(("1302.11", cnic, values["plates"][1])):
                _insert(db, "seizure_items", {
                    "item_id": top["seizure_items"] + 1 + 3 * i + j, "case_id": case_id, "hs_code": hs,
                    "description": free, "quantity": 12.5, "unit": values["cnics"][j % 6],
                    "value_pkr": 1_000_000, "origin_country": values["names"][0], "concealment": free,
                })
            for j in range(2):
                _insert(db, "case_vehicles", {
                    "case_vehicle_id": top["case_vehicles"] + 1 + 2 * i + j, "case_id": case_id,
                    "registration_no": values["plates"][j + i], "chassis_no": values["chassis"][j],
                    "engine_no": values["engines"][j], "make": values["names"][0], "model": free,
                    "colour": cnic, "model_year": 2010, "vehicle_type": "CAR" if j == 0 else values["plates"][0],
                    "involvement": "CONVEYANCE", "confiscated_u_s_157": 0, "value_pkr": 500_000,
                })
            for j, spelled in enumerate(values["cnics"]):
                _insert(db, "case_persons", {
                    "case_person_id": top["case_persons"] + 1 + 6 * i + j, "case_id": case_id, "cnic": spelled,
                    "passport_no": values["passports"][j % 2], "full_name": values["names"][j % 3],
                    "father_name": values["names"][(j + 1) % 3], "gender": "M" if j % 2 else values["names"][2],
                    "date_of_birth": "1990-05-17", "nationality": cnic if j == 3 else "PK",
                    "home_district": values["names"][1], "role": "DRIVER", "custody_status": "ARRESTED",
                })
        db.commit()
    finally:
        db.close()
    return values


def hostile_forms(values: dict) -> list[str]:
    """Every hostile value, normalised (upper case, letters and digits only)."""
    raw = [*values["cnics"], *values["names"], *values["passports"], *values["plates"], *values["chassis"],
           *values["engines"], values["case_no"], values["fir_no"]]
    return sorted({re.sub(r"[^A-Z0-9]", "", v.upper()) for v in raw})


# ---------------------------------------------------------------------------------------------
# Snapshots with the feeds schema


def snapshot_with_feeds(settings: Settings, keep_as: Path) -> Path:
    """A private copy at ``keep_as`` of the current published snapshot (publish prunes old
    snapshots), which publish gave schema feeds: every feed table of the build warehouse."""
    from antismuggling.publish import current_snapshot_path

    current = current_snapshot_path(settings)
    shutil.copy(current, keep_as)
    con = duckdb.connect(str(keep_as), read_only=True)
    try:
        con.execute(f"attach '{next_snapshot_path(settings.warehouse_path)}' as wh (read_only)")
        tables = ("select table_name from information_schema.tables where table_catalog = ? "
                  "and table_schema = 'feeds' and table_type = 'BASE TABLE' order by 1")
        published = [t for (t,) in con.execute(tables, [keep_as.stem]).fetchall()]
        assert published and published == [t for (t,) in con.execute(tables, ["wh"]).fetchall()]
        con.execute("detach wh")
    finally:
        con.close()
    return keep_as


@dataclass
class World:
    root: Path
    settings: Settings
    store: Path
    snapshot: Path
    hostile: dict


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    from antismuggling.refresh import run_refresh
    from antismuggling.store.generate import generate_store

    root = tmp_path_factory.mktemp("feeds")
    store = root / "ops.db"
    generate_store(f"sqlite:///{store}", CASES, SEED, progress=False)
    hostile = add_hostile_case(store, "A")
    settings = Settings(home=root / "home", ops_url=f"sqlite:///{store}")
    outcome = run_refresh(settings, full=True)
    assert outcome.success, outcome.error
    return World(root, settings, store, snapshot_with_feeds(settings, root / "snapshot-a.duckdb"), hostile)


@dataclass
class Edited:
    snapshot: Path
    moved_case: int
    moved_children: dict[str, list[int]]
    deleted_item: int
    hostile: dict


@pytest.fixture(scope="module")
def edited(world) -> Edited:
    """The store edited by hand, then an incremental refresh: the end-to-end change."""
    from antismuggling.refresh import run_refresh

    db = sqlite3.connect(world.store)
    try:
        case_id = db.execute("""
            select c.case_id from cases c
            where c.offence_nature = 'NARCOTICS' and c.deleted_at is null
              and exists (select 1 from seizure_items i where i.case_id = c.case_id and i.deleted_at is null)
              and exists (select 1 from case_persons p where p.case_id = c.case_id and p.deleted_at is null)
            order by c.case_id limit 1""").fetchone()[0]
        children = {
            table: [r[0] for r in db.execute(
                f"select {key} from {table} where case_id = ? and deleted_at is null order by 1", (case_id,))]
            for table, key in (("seizure_items", "item_id"), ("case_vehicles", "case_vehicle_id"),
                               ("case_persons", "case_person_id"))
        }
        db.execute("update cases set offence_nature = 'CURRENCY', updated_at = ? where case_id = ?", (NOW, case_id))
        deleted_item = db.execute(
            "select item_id from seizure_items where deleted_at is null and case_id <> ? order by item_id limit 1",
            (case_id,)).fetchone()[0]
        db.execute("update seizure_items set deleted_at = ?, updated_at = ? where item_id = ?", (NOW, NOW, deleted_item))
        db.execute("update case_persons set full_name = 'Renamed Person', updated_at = ? where case_person_id = "
                   "(select min(case_person_id) from case_persons where deleted_at is null)", (NOW,))
        db.commit()
    finally:
        db.close()
    hostile = add_hostile_case(world.store, "B")
    outcome = run_refresh(world.settings, full=False)
    assert outcome.success, outcome.error
    return Edited(snapshot_with_feeds(world.settings, world.root / "snapshot-b.duckdb"), case_id, children,
                  deleted_item, hostile)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A data directory of its own for the feeds (ledger, outbox, signing key)."""
    monkeypatch.delenv(FEEDS_CONFIG_ENV, raising=False)
    monkeypatch.delenv(FAULT_ENV, raising=False)
    settings = Settings(home=tmp_path / "home", ops_url="sqlite:///unused.db")
    yield settings
    kill_agent(settings.home / "feeds" / "gnupg")


def configure(settings: Settings, text: str):
    path = settings.home / "feeds" / "feeds.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return load_feeds_config(settings)


AUDIT = """
[destinations.audit]
type = "local"
path = "{path}"
""" + "".join(f'[feeds.{f}]\ndestinations = ["local", "audit"]\n' for f in FEEDS)


# ---------------------------------------------------------------------------------------------
# Reading deliveries the way a partner does


def delivery_folders(base: Path) -> list[Path]:
    return sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")) if base.is_dir() else []


def read_delivery(folder: Path) -> tuple[dict, dict[str, tuple[list[str], list[dict]]]]:
    manifest = json.loads((folder / "manifest.json").read_text())
    files = {}
    for entry in manifest["files"]:
        header, rows = read_rows(folder / entry["name"], entry["format"])
        files[entry["entity"]] = (entry["key"], [dict(zip(header, r)) for r in rows])
    return manifest, files


def partner_state(folders: list[Path], *, chain: bool = True) -> dict[str, dict[tuple, dict]]:
    """Apply the deliveries in seq order, as the contract says a partner does.

    ``chain``: the folders are every delivery from the first (seq 1, 2, ... without a gap);
    otherwise one full delivery on its own."""
    state: dict[str, dict[tuple, dict]] = {}
    previous = None
    for folder in folders:
        manifest, files = read_delivery(folder)
        assert folder.name.startswith(f"{manifest['seq']:06d}-")
        if chain:
            assert manifest["previous_seq"] == previous, folder
            assert manifest["seq"] == (previous or 0) + 1, f"seq gap before {folder.name}"
        if previous is None:
            assert manifest["mode"] == "full"
        for entity, (key, rows) in files.items():
            table = {} if manifest["mode"] == "full" else state.setdefault(entity, {})
            for row in rows:
                assert row["feed_seq"] == str(manifest["seq"])
                k = tuple(row[c] for c in key)
                body = {c: v for c, v in row.items() if c not in ("op", "feed_seq")}
                if row["op"] == "I":
                    assert k not in table, f"{folder.name} {entity}: I for a key the partner holds: {k}"
                    table[k] = body
                elif row["op"] == "U":
                    assert k in table, f"{folder.name} {entity}: U for a key the partner lacks: {k}"
                    table[k] = body
                else:
                    assert row["op"] == "D" and manifest["mode"] == "delta"
                    assert k in table, f"{folder.name} {entity}: D for a key the partner lacks: {k}"
                    assert all(v is None for c, v in body.items() if c not in key), "a D row carries only its key"
                    del table[k]
            state[entity] = table
        previous = manifest["seq"]
    return state


def assert_deltas_reproduce_full(settings: Settings, feed: str, dest: str = "local", audit: Path | None = None):
    base = settings.home / "feeds" / "outbox" / feed / dest
    state = partner_state(delivery_folders(base))
    full = partner_state(delivery_folders(audit / feed / "audit")[-1:], chain=False) if audit else None
    if full is not None:
        assert state == full, f"{feed}: the deltas applied to the first full delivery differ from a full delivery"
    return state


def outbox(settings: Settings, feed: str, dest: str = "local") -> Path:
    return settings.home / "feeds" / "outbox" / feed / dest


# ---------------------------------------------------------------------------------------------
# The tests


def test_feeds_models_are_published_with_contracts_and_counts(world, home):
    config = load_feeds_config(home)
    for feed_id in FEEDS:
        feed = config.feed(feed_id)
        assert contract_check(home, feed, world.snapshot) == []
        problems, counts = row_count_check(home, feed, world.snapshot)
        assert problems == [] and all(n > 0 for n in counts.values()), (feed_id, problems, counts)


def test_every_feed_delivers_a_signed_verifiable_folder(world, home):
    key_file = home.home / "public.asc"
    for feed in FEEDS:
        result = run_feed(home, feed, snapshot=world.snapshot, started_by="test")
        (delivery,) = result.deliveries
        assert delivery.ok and delivery.seq == 1 and delivery.mode == "full" and delivery.rows_by_op["I"] > 0
        folder = result.local_folder
        assert folder.parent == outbox(home, feed) and re.fullmatch(r"000001-\d{8}T\d{6}Z", folder.name)
        manifest = json.loads((folder / "manifest.json").read_text())
        for field in ("feed", "destination", "seq", "previous_seq", "mode", "created_at", "snapshot",
                      "source_watermark", "schema_version", "producer", "files"):
            assert field in manifest
        assert manifest["producer"]["name"] == "antismuggling" and manifest["source_watermark"]
        assert (folder / "manifest.json.asc").read_text().startswith("-----BEGIN PGP SIGNATURE-----")
        for entry in manifest["files"]:
            assert entry["name"] == f"{entry['entity']}.csv" and entry["columns"][:2] == [
                {"name": "op", "type": "VARCHAR"}, {"name": "feed_seq", "type": "BIGINT"}]
            raw = (folder / entry["name"]).read_bytes()
            assert b"\r\n" in raw and not raw.startswith(b"\xef\xbb\xbf")
        export_public_key(home, key_file)
        assert verify_delivery(folder, key_file) == []
        assert verify_delivery(folder, settings=home) == []
    history = feed_history(home)
    assert len(history) == len(FEEDS) and {h.status for h in history} == {"delivered"}
    summaries = {s.feed.id: s for s in list_feeds(home)}
    assert all(summaries[f].last_delivered["local"].seq == 1 for f in FEEDS)
    for entry in history:
        folder = outbox(home, entry.feed) / entry.folder
        assert entry.manifest_sha256 == hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
        assert entry.started_by == "test" and entry.rows_by_op["I"] > 0
    # nothing changed: a zero-row delivery, so the partner knows the feed is alive
    again = run_feed(home, "ncen", snapshot=world.snapshot).deliveries[0]
    assert (again.seq, again.mode, again.rows_by_op) == (2, "delta", {"I": 0, "U": 0, "D": 0})
    assert verify_delivery(again.folder, key_file) == []
    assert all(len(rows) == 0 for _, rows in read_delivery(again.folder)[1].values())
    assert json.loads((again.folder / "manifest.json").read_text())["previous_seq"] == 1


def test_personal_data_never_leaves_in_cen_or_psw(world, home):
    forms = hostile_forms(world.hostile)
    for feed in NON_NOMINAL:
        folder = run_feed(home, feed, snapshot=world.snapshot).local_folder
        for entity, (_key, rows) in read_delivery(folder)[1].items():
            for row in rows:
                assert "case_id" not in row and "item_id" not in row
                for column, value in row.items():
                    if value is None:
                        continue
                    flat = re.sub(r"[^A-Z0-9]", "", value.upper())
                    leaked = [f for f in forms if f in flat]
                    assert not leaked, f"{feed}/{entity}.{column} carries hostile data"
                    assert not re.search(r"\d{5}\D?\d{7}\D?\d", value), f"{feed}/{entity}.{column}: CNIC-shaped"
        assert personal_data_check(home, load_feeds_config(home), load_feeds_config(home).feed(feed), world.snapshot) == []
    # the hostile case did go out, coded
    _, files = read_delivery(delivery_folders(outbox(home, "cen"))[-1])
    con = duckdb.connect(str(world.snapshot), read_only=True)
    n_items = con.execute("select count(*) from marts.fct_seizure_items").fetchone()[0]
    con.close()
    assert len(files["items"][1]) == n_items
    kinds = {r["seizure_place_kind"] for r in files["items"][1]}
    assert "OTHER" in kinds and not any(k and "3520" in k for k in kinds)
    # ... while the nominal feed carries it as it must (the data really is there)
    ncen = run_feed(home, "ncen", snapshot=world.snapshot).local_folder
    persons = read_delivery(ncen)[1]["persons"][1]
    assert {"35201-1234561-1"} <= {p["cnic"] for p in persons}


def test_the_value_scan_fails_a_non_nominal_feed_whose_columns_look_harmless(world, home):
    config = configure(home, """
[feeds.units]
partner = "A partner abroad"
personal_data = "none"
mode = "delta"
schedule = "0 1 * * *"
[feeds.units.entities.items]
model = "marts.fct_seizure_items"
key = ["item_ref"]
columns = ["item_ref", "hs6", "unit"]
""")
    with pytest.raises(FeedDeliveryError) as excinfo:
        run_feed(home, "units", snapshot=world.snapshot, config=config)
    message = str(excinfo.value)
    assert "personal data" in message and "column unit" in message and "CNIC-shaped" in message
    assert "35201" not in message  # findings never repeat the value
    assert delivery_folders(outbox(home, "units")) == [] and not list(outbox(home, "units").glob(".tmp-*"))
    (attempt,) = feed_history(home, "units")
    assert attempt.status == "failed"
    with Ledger(ledger_path(home)) as ledger:
        assert ledger.holdings("units", "local") == {}


def test_mandate_feeds_carry_only_their_offence(world, home):
    for feed, offence in (("lea-anf", "NARCOTICS"), ("lea-fia", "CURRENCY")):
        folder = run_feed(home, feed, snapshot=world.snapshot).local_folder
        _, files = read_delivery(folder)
        assert set(files) == {"cases", "items", "vehicles", "persons"}
        for entity, (_key, rows) in files.items():
            assert rows and {r["offence_nature"] for r in rows} == {offence}, (feed, entity)


def _random_edits(snapshot: Path, rng: random.Random, round_no: int, n: int = 6) -> None:
    con = duckdb.connect(str(snapshot))
    try:
        tables = {
            "feed_ncen_cases": ["case_id"], "feed_ncen_items": ["item_id"], "feed_ncen_vehicles": ["case_vehicle_id"],
            "feed_ncen_persons": ["case_person_id"], "feed_cen_items": ["item_id"],
            "feed_ntc_vehicles": ["vehicle_key"], "feed_ntc_persons": ["offender_key"],
            "feed_psw_indicators": ["seizure_month", "hs_code", "commodity_group", "origin_country", "seizure_location_id"],
        }
        for i in range(n):
            table = rng.choice(sorted(tables))
            key = tables[table]
            types = dict(con.execute("select column_name, data_type from information_schema.columns "
                                     "where table_schema = 'feeds' and table_name = ?", [table]).fetchall())
            count = con.execute(f"select count(*) from feeds.{table}").fetchone()[0]
            if not count:
                continue
            row = con.execute(f"select {', '.join(key)} from feeds.{table} order by all limit 1 offset ?",
                              [rng.randrange(count)]).fetchone()
            where = " and ".join(f"{k} is not distinct from ?" for k in key)
            op = rng.choice(["update", "update", "delete", "insert", "move"])
            if op == "update":
                numeric = [c for c, t in types.items() if c not in key and (t.startswith("DECIMAL") or t == "BIGINT")]
                column = rng.choice(numeric)
                con.execute(f"update feeds.{table} set {column} = coalesce({column}, 0) + 1 where {where}", list(row))
            elif op == "delete":
                con.execute(f"delete from feeds.{table} where {where}", list(row))
            elif op == "insert":
                tag = f"{round_no}{i}{rng.randrange(10**6)}"
                if table == "feed_psw_indicators":
                    replace = f"date '1990-01-01' + {int(tag) % 20000} as seizure_month"
                elif types[key[0]] == "BIGINT":
                    replace = f"(select max({key[0]}) from feeds.{table}) + {1 + rng.randrange(1000)} as {key[0]}"
                else:
                    replace = f"'NEW{tag}' as {key[0]}"
                con.execute(f"insert into feeds.{table} select * replace ({replace}) from feeds.{table} where {where}",
                            list(row))
            elif table.startswith("feed_ncen_"):
                case_id = con.execute(f"select case_id from feeds.{table} where {where}", list(row)).fetchone()[0]
                now = con.execute("select offence_nature from feeds.feed_ncen_cases where case_id = ?", [case_id]).fetchone()
                target = "CURRENCY" if now and now[0] == "NARCOTICS" else "NARCOTICS"
                for t in ("feed_ncen_cases", "feed_ncen_items", "feed_ncen_vehicles", "feed_ncen_persons"):
                    con.execute(f"update feeds.{t} set offence_nature = ? where case_id = ?", [target, case_id])
    finally:
        con.close()


def expected_state(settings: Settings, config, feed_id: str, snapshot: Path) -> dict[str, dict[tuple, dict]]:
    """What a full delivery of the feed from ``snapshot`` holds now (as a partner reads CSV)."""
    from antismuggling.feeds.runner import connect_snapshot, read_entity

    feed = config.feed(feed_id)
    refs = None if feed.nominal else RefHasher.for_feeds_dir(settings.home / "feeds")
    con = connect_snapshot(snapshot)
    try:
        state = {}
        for entity in feed.entities:
            data = read_entity(con, feed, entity, refs)
            names = [c for c, _ in data.columns]
            index = [names.index(k) for k in entity.key]
            state[entity.name] = {
                tuple(values[i] for i in index): {c: (v if v != "" else None) for c, v in zip(names, values)}
                for values in data.rows.values()
            }
        return state
    finally:
        con.close()


@pytest.mark.parametrize("seed", [3, 8])
def test_deltas_applied_in_seq_order_reproduce_the_full_delivery(world, home, tmp_path, seed):
    snapshot = tmp_path / "snapshot.duckdb"
    shutil.copy(world.snapshot, snapshot)
    audit = tmp_path / "audit"
    config = configure(home, AUDIT.format(path=audit))
    rng = random.Random(seed)
    for round_no, n_edits in enumerate((None, 10, 0, 10)):
        if n_edits is not None:
            _random_edits(snapshot, rng, round_no, n=n_edits)
        for feed in FEEDS:
            result = run_feed(home, feed, destination="local", snapshot=snapshot, config=config).deliveries[0]
            if n_edits == 0 and feed != "psw":
                assert result.rows_by_op == {"I": 0, "U": 0, "D": 0}
            state = partner_state(delivery_folders(outbox(home, feed)))
            assert state == expected_state(home, config, feed, snapshot), f"{feed} after round {round_no}"
    for feed in FEEDS:  # and the same as what a full delivery now holds, file for file
        run_feed(home, feed, destination="audit", full=True, snapshot=snapshot, config=config)
        assert_deltas_reproduce_full(home, feed, audit=audit)
    last = {f: json.loads((delivery_folders(outbox(home, f))[-1] / "manifest.json").read_text()) for f in FEEDS}
    assert last["psw"]["mode"] == "full" and last["ncen"]["mode"] == "delta" and last["ncen"]["seq"] == 4
    changed = [f for f in FEEDS if f != "psw" and any(
        sum(e["rows_by_op"].values()) for folder in delivery_folders(outbox(home, f))[1:]
        for e in json.loads((folder / "manifest.json").read_text())["files"])]
    assert len(changed) >= 3, "the random edits should have produced deltas in several feeds"


def test_verify_rejects_tampering_and_another_key(world, home, tmp_path):
    folder = run_feed(home, "cen", snapshot=world.snapshot).local_folder
    key = tmp_path / "ours.asc"
    export_public_key(home, key)
    assert key.read_text().startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
    assert verify_delivery(folder, key) == []

    def copy(name):
        target = tmp_path / name
        shutil.copytree(folder, target)
        return target

    flipped = copy("flipped")
    data = bytearray((flipped / "items.csv").read_bytes())
    data[-3] = ord("7") if data[-3] != ord("7") else ord("8")
    (flipped / "items.csv").write_bytes(bytes(data))
    assert any("items.csv: SHA-256" in p for p in verify_delivery(flipped, key))

    manifest_changed = copy("manifest")
    text = (manifest_changed / "manifest.json").read_text().replace('"mode": "full"', '"mode": "delta"')
    (manifest_changed / "manifest.json").write_text(text)
    assert any("signature" in p for p in verify_delivery(manifest_changed, key))

    missing = copy("missing")
    (missing / "items.csv").unlink()
    assert "items.csv is missing" in verify_delivery(missing, key)

    extra = copy("extra")
    (extra / "notes.txt").write_text("hello")
    assert any("notes.txt" in p for p in verify_delivery(extra, key))

    fewer_rows = copy("fewer")
    lines = (fewer_rows / "items.csv").read_bytes().split(b"\r\n")
    (fewer_rows / "items.csv").write_bytes(b"\r\n".join(lines[:-2] + [b""]))
    problems = verify_delivery(fewer_rows, key)
    assert any("bytes" in p for p in problems) and any("data rows" in p for p in problems)

    with temporary_keyring() as (_gnupghome, gpg):
        other = gpg.gen_key(gpg.gen_key_input(key_type="EDDSA", key_curve="ed25519", key_usage="sign",
                                              name_real="Someone Else", name_email="else@example.org",
                                              expire_date=0, no_protection=True))
        resigned = copy("resigned")
        (resigned / "manifest.json.asc").unlink()
        with (resigned / "manifest.json").open("rb") as fh:
            gpg.sign_file(fh, keyid=other.fingerprint, detach=True, output=str(resigned / "manifest.json.asc"))
        other_key = tmp_path / "other.asc"
        other_key.write_text(gpg.export_keys(other.fingerprint))
    problems = verify_delivery(resigned, key)
    assert problems and "another key" in problems[0]
    assert verify_delivery(resigned, other_key) == []  # it is a good signature, just not ours
    assert any("another key" in p for p in verify_delivery(folder, other_key))
    assert "no public key was given" in verify_delivery(folder)[0]


def test_encrypted_to_the_partner_and_parquet(world, home, tmp_path):
    with temporary_keyring() as (partner_home, partner):
        pkey = partner.gen_key(partner.gen_key_input(key_type="RSA", key_length=3072, name_real="n-CEN intake",
                                                     name_email="intake@ncen.example", expire_date=0,
                                                     no_protection=True))
        (tmp_path / "partner.asc").write_text(partner.export_keys(pkey.fingerprint))
        config = configure(home, f"""
[destinations.ncen-secure]
type = "local"
path = "{tmp_path / 'secure'}"
encrypt_to = "{tmp_path / 'partner.asc'}"
[feeds.ntc]
destinations = ["ncen-secure"]
format = "parquet"
""")
        result = run_feed(home, "ntc", snapshot=world.snapshot, config=config)
        folder = result.deliveries[0].folder
        assert folder.parent == tmp_path / "secure" / "ntc" / "ncen-secure"
        names = sorted(p.name for p in folder.iterdir())
        assert names == ["manifest.json", "manifest.json.asc", "persons.parquet.gpg", "vehicles.parquet.gpg"]
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["encryption"]["recipient"] == pkey.fingerprint
        assert verify_delivery(folder, settings=home) == []
        clear = tmp_path / "clear"
        clear.mkdir()
        for entry in manifest["files"]:
            with (folder / entry["name"]).open("rb") as fh:
                assert partner.decrypt_file(fh, output=str(clear / entry["plaintext_name"])).ok
    assert verify_delivery(folder, settings=home, decrypted_dir=clear) == []
    header, rows = read_rows(clear / "vehicles.parquet", "parquet")
    assert header[:3] == ["op", "feed_seq", "vehicle_key"] and rows and {r[0] for r in rows} == {"I"}


def _run_in_subprocess(settings: Settings, feed: str, snapshot: Path, fault: str) -> int:
    """``run_feed`` in a child process that dies (``os._exit``) at the named point."""
    code = ("import sys; from pathlib import Path; from antismuggling.config import Settings; "
            "from antismuggling.feeds import run_feed; "
            "run_feed(Settings(home=Path(sys.argv[1]), ops_url='x'), sys.argv[2], snapshot=Path(sys.argv[3]))")
    env = {k: v for k, v in os.environ.items() if k != FEEDS_CONFIG_ENV}
    env[FAULT_ENV] = fault
    return subprocess.run([sys.executable, "-c", code, str(settings.home), feed, str(snapshot)], env=env,
                          capture_output=True, text=True, timeout=120).returncode


@pytest.mark.parametrize("fault", ["files_written", "pending_recorded", "renamed"])
def test_a_crash_leaves_no_half_delivery_and_loses_no_change(world, home, tmp_path, fault):
    snapshot = tmp_path / "snapshot.duckdb"
    shutil.copy(world.snapshot, snapshot)
    audit = tmp_path / "audit"
    config = configure(home, AUDIT.format(path=audit))
    run_feed(home, "ntc", destination="local", snapshot=snapshot, config=config)
    (home.home / "feeds" / "feeds.toml").unlink()  # the crashing run uses the defaults (local only)
    _random_edits(snapshot, random.Random(5), 1, n=0)
    con = duckdb.connect(str(snapshot))
    con.execute("update feeds.feed_ntc_vehicles set n_seizures = n_seizures + 100")
    con.execute("delete from feeds.feed_ntc_persons where offender_key = (select min(offender_key) from feeds.feed_ntc_persons)")
    con.close()

    assert _run_in_subprocess(home, "ntc", snapshot, fault) == 70
    base = outbox(home, "ntc")
    finals = delivery_folders(base)
    if fault == "renamed":
        assert len(finals) == 2  # complete and in place, but the ledger never heard of it
    else:
        assert len(finals) == 1 and list(base.glob(".tmp-*"))
    with Ledger(ledger_path(home)) as ledger:
        assert ledger.last_delivered("ntc", "local").seq == 1
        assert len(ledger.pending("ntc")) == (0 if fault == "files_written" else 1)

    config = configure(home, AUDIT.format(path=audit))
    result = run_feed(home, "ntc", destination="local", snapshot=snapshot, config=config).deliveries[0]
    run_feed(home, "ntc", destination="audit", full=True, snapshot=snapshot, config=config)
    assert not list(base.glob(".tmp-*")) and not (base / ".aside").exists()
    for folder in delivery_folders(base):
        assert verify_delivery(folder, settings=home) == []
    if fault == "renamed":
        # adopted: the crashed run's delivery counts, and this run has nothing left to send
        assert (result.seq, result.rows_by_op) == (3, {"I": 0, "U": 0, "D": 0})
        statuses = [h.status for h in reversed(feed_history(home, "ntc", "local"))]
        assert statuses == ["delivered", "delivered", "delivered"]
    else:
        assert result.seq == 2 and result.rows_by_op["U"] > 0 and result.rows_by_op["D"] == 1
    state = assert_deltas_reproduce_full(home, "ntc", audit=audit)
    assert state["vehicles"]


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    try:
        server = SshServer(tmp_path_factory.mktemp("sshd")).start()
    except SshUnavailable as exc:
        if IN_CI:
            raise
        pytest.skip(f"{exc}; .ci/run installs openssh-server")
    yield server
    server.stop()


def sftp_config(settings: Settings, server: SshServer, remote: Path, audit: Path, host_key: str | None = None):
    remote.mkdir(parents=True, exist_ok=True)
    return configure(settings, f"""
[destinations.partner]
type = "sftp"
host = "127.0.0.1"
port = {server.port}
user = "{server.user}"
key_file = "{server.client_key}"
host_key = "{host_key or server.host_key_line}"
remote_dir = "{remote}"
retries = 3
backoff_seconds = 0.05
timeout_seconds = 5
[destinations.audit]
type = "local"
path = "{audit}"
[feeds.ntc]
destinations = ["partner", "audit"]
""")


def test_sftp_delivery_arrives_and_a_wrong_host_key_is_refused(world, home, tmp_path, sshd):
    remote, audit = tmp_path / "remote", tmp_path / "audit"
    impostor = sftp_config(home, sshd, remote, audit, host_key=sshd.other_host_key_line())
    with pytest.raises(FeedDeliveryError) as excinfo:
        run_feed(home, "ntc", destination="partner", snapshot=world.snapshot, config=impostor)
    assert "not the pinned" in str(excinfo.value) and "refused" in str(excinfo.value)
    assert not (remote / "ntc").exists() or delivery_folders(remote / "ntc" / "partner") == []
    assert [h.status for h in feed_history(home, "ntc", "partner")] == ["failed"]

    config = sftp_config(home, sshd, remote, audit)
    result = run_feed(home, "ntc", destination="partner", snapshot=world.snapshot, config=config).deliveries[0]
    assert result.ok and result.seq == 1 and result.location.startswith("sftp://")
    (arrived,) = delivery_folders(remote / "ntc" / "partner")
    assert arrived.name == result.folder.name and not list((remote / "ntc" / "partner").glob(".tmp-*"))
    assert verify_delivery(arrived, settings=home) == []
    assert result.folder.parent == home.home / "feeds" / "spool" / "ntc" / "partner"  # the copy kept


def test_sftp_server_down_then_back_sends_what_was_missed_once(world, home, tmp_path, sshd):
    remote, audit = tmp_path / "remote", tmp_path / "audit"
    config = sftp_config(home, sshd, remote, audit)
    snapshot = tmp_path / "snapshot.duckdb"
    shutil.copy(world.snapshot, snapshot)
    run_feed(home, "ntc", destination="partner", snapshot=snapshot, config=config)

    def edit(sql):
        con = duckdb.connect(str(snapshot))
        con.execute(sql)
        con.close()

    edit("update feeds.feed_ntc_vehicles set n_seizures = n_seizures + 1 "
         "where vehicle_key = (select min(vehicle_key) from feeds.feed_ntc_vehicles)")
    sshd.stop()
    try:
        with pytest.raises(FeedDeliveryError) as excinfo:
            run_feed(home, "ntc", destination="partner", snapshot=snapshot, config=config)
        assert "unreachable" in str(excinfo.value) and f"127.0.0.1:{sshd.port}" in str(excinfo.value)
        with Ledger(ledger_path(home)) as ledger:
            assert ledger.last_delivered("ntc", "partner").seq == 1 and ledger.pending("ntc") == []
        edit("delete from feeds.feed_ntc_persons where offender_key = (select max(offender_key) from feeds.feed_ntc_persons)")
    finally:
        sshd.start()
    result = run_feed(home, "ntc", destination="partner", snapshot=snapshot, config=config).deliveries[0]
    assert (result.seq, result.previous_seq) == (2, 1)
    assert result.rows_by_entity["vehicles"]["U"] == 1 and result.rows_by_entity["persons"]["D"] == 1
    arrived = delivery_folders(remote / "ntc" / "partner")
    assert [f.name[:6] for f in arrived] == ["000001", "000002"]  # the missed changes once, nothing twice
    run_feed(home, "ntc", destination="audit", full=True, snapshot=snapshot, config=config)
    assert partner_state(arrived) == partner_state(delivery_folders(audit / "ntc" / "audit")[-1:], chain=False)
    statuses = [h.status for h in reversed(feed_history(home, "ntc", "partner"))]
    assert statuses == ["delivered", "failed", "delivered"]


@pytest.mark.parametrize("fault", ["renamed", "uploaded"])
def test_an_sftp_delivery_interrupted_is_resolved_against_the_server(world, home, tmp_path, sshd, fault):
    remote, audit = tmp_path / "remote", tmp_path / "audit"
    config = sftp_config(home, sshd, remote, audit)  # also the site file the child process reads
    snapshot = tmp_path / "snapshot.duckdb"
    shutil.copy(world.snapshot, snapshot)
    run_feed(home, "ntc", destination="partner", snapshot=snapshot, config=config)
    con = duckdb.connect(str(snapshot))
    con.execute("update feeds.feed_ntc_persons set n_vehicles = n_vehicles + 1")
    con.close()
    assert _run_in_subprocess(home, "ntc", snapshot, fault) == 70
    arrived = delivery_folders(remote / "ntc" / "partner")
    assert len(arrived) == (2 if fault == "uploaded" else 1)
    result = run_feed(home, "ntc", destination="partner", snapshot=snapshot, config=config).deliveries[0]
    arrived = delivery_folders(remote / "ntc" / "partner")
    if fault == "uploaded":  # on the server, so adopted: nothing is sent twice
        assert result.seq == 3 and result.rows_by_op == {"I": 0, "U": 0, "D": 0}
    else:  # never reached the server: abandoned, and its changes go now under the same seq
        assert result.seq == 2 and result.rows_by_op["U"] > 0
        assert [h.status for h in reversed(feed_history(home, "ntc", "partner"))] == ["delivered", "abandoned", "delivered"]
    assert [f.name[:6] for f in arrived] == [f"{i:06d}" for i in range(1, len(arrived) + 1)]
    assert not list((remote / "ntc" / "partner").glob(".tmp-*"))
    run_feed(home, "ntc", destination="audit", full=True, snapshot=snapshot, config=config)
    assert partner_state(arrived) == partner_state(delivery_folders(audit / "ntc" / "audit")[-1:], chain=False)


def test_dagster_assets_checks_and_schedules(world, home):
    import dagster as dg
    from antismuggling.defs.resources import WarehouseResource
    from antismuggling.feeds.dagster_defs import build_feed_definitions, feed_job_name

    published = home.home / "published"
    published.mkdir(parents=True)
    shutil.copy(world.snapshot, published / "snapshot-feeds.duckdb")
    (published / "CURRENT").write_text("snapshot-feeds.duckdb\n")
    defs = dg.Definitions.merge(
        build_feed_definitions(home), dg.Definitions(assets=[dg.AssetSpec(dg.AssetKey(["published", "marts"]))]),
    ).with_resources({"warehouse": WarehouseResource.from_settings(home)})
    repo = defs.get_repository_def()
    schedules = {s.name: s for s in repo.schedule_defs}
    assert {feed_job_name(f) + "_schedule" for f in FEEDS} <= set(schedules)
    cen = schedules["feed_cen_schedule"]
    assert (cen.cron_schedule, cen.execution_timezone) == ("0 4 * * 1", "Asia/Karachi")
    when = datetime(2026, 11, 29, 23, 0, tzinfo=timezone.utc)
    (request,) = cen.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=when)).run_requests
    assert request.run_key == f"cen:{when.isoformat()}"
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def(feed_job_name("cen")).execute_in_process(instance=instance, raise_on_error=False)
    assert result.success
    checks = {e.event_specific_data.check_name: e.event_specific_data.passed
              for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    assert checks == {"contract": True, "row_counts": True, "personal_data": True}
    assert feed_history(home, "cen")[0].started_by.startswith("dagster:")


def test_end_to_end_a_refresh_moves_a_case_between_mandates(world, edited, home, tmp_path):
    audit = tmp_path / "audit"
    config = configure(home, AUDIT.format(path=audit))
    for feed in FEEDS:
        run_feed(home, feed, destination="local", snapshot=world.snapshot, config=config)
    for feed in FEEDS:
        run_feed(home, feed, destination="local", snapshot=edited.snapshot, config=config)
        run_feed(home, feed, destination="audit", full=True, snapshot=edited.snapshot, config=config)
        assert_deltas_reproduce_full(home, feed, audit=audit)
    case = str(edited.moved_case)
    children = {"items": edited.moved_children["seizure_items"], "vehicles": edited.moved_children["case_vehicles"],
                "persons": edited.moved_children["case_persons"]}
    _, anf = read_delivery(delivery_folders(outbox(home, "lea-anf"))[-1])
    _, fia = read_delivery(delivery_folders(outbox(home, "lea-fia"))[-1])
    assert {(r["op"], r["case_id"]) for r in anf["cases"][1] if r["case_id"] == case} == {("D", case)}
    assert {(r["op"], r["case_id"], r["offence_nature"]) for r in fia["cases"][1] if r["case_id"] == case} == {
        ("I", case, "CURRENCY")}
    keys = {"items": "item_id", "vehicles": "case_vehicle_id", "persons": "case_person_id"}
    for entity, ids in children.items():
        wanted = {str(i) for i in ids}
        assert {r[keys[entity]] for r in anf[entity][1] if r["op"] == "D"} >= wanted, entity
        assert {r[keys[entity]] for r in fia[entity][1] if r["op"] == "I"} >= wanted, entity
    _, ncen = read_delivery(delivery_folders(outbox(home, "ncen"))[-1])
    assert ("U", case) in {(r["op"], r["case_id"]) for r in ncen["cases"][1]}
    assert ("D", str(edited.deleted_item)) in {(r["op"], r["item_id"]) for r in ncen["items"][1]}
    assert "Renamed Person" in {r["full_name"] for r in ncen["persons"][1] if r["op"] == "U"}
    _, cen = read_delivery(delivery_folders(outbox(home, "cen"))[-1])
    gone = RefHasher.for_feeds_dir(home.home / "feeds").ref("item_id", str(edited.deleted_item))
    assert ("D", gone) in {(r["op"], r["item_ref"]) for r in cen["items"][1]}
    forms = hostile_forms(world.hostile) + hostile_forms(edited.hostile)
    for feed in NON_NOMINAL:
        for folder in delivery_folders(outbox(home, feed)):
            for _entity, (_key, rows) in read_delivery(folder)[1].items():
                for row in rows:
                    for value in row.values():
                        flat = re.sub(r"[^A-Z0-9]", "", (value or "").upper())
                        assert not [f for f in forms if f in flat]


def test_a_keyring_deep_in_the_file_system_still_signs(tmp_path):
    """gpg-agent's sockets live in the keyring folder and must fit in 108 bytes: a data
    directory with a long path signs through a short private link to it."""
    from antismuggling.feeds.signing import Signer, kill_agent, short_home

    feeds_dir = tmp_path / ("a-long-folder-name-" * 4) / "feeds"
    signer = Signer(feeds_dir)
    assert len(str(signer.home)) > 100 and len(str(short_home(signer.home))) < 100
    data = tmp_path / "data.txt"
    data.write_text("x")
    try:
        signature = signer.sign_detached(data)
        assert signature.exists() and signer.fingerprint
        assert short_home(signer.home).resolve() == signer.home.resolve()
    finally:
        kill_agent(signer.home)
