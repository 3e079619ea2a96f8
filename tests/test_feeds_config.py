"""Partner feeds: the configuration, the personal-data rules and the keyed references (no snapshot needed)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from antismuggling.config import Settings
from antismuggling.feeds.config import (
    BUILTIN_FEEDS, FEEDS_CONFIG_ENV, FeedsConfigError, load_feeds_config,
)
from antismuggling.feeds.contracts import feed_model_contracts
from antismuggling.feeds.personal_data import (
    NON_NOMINAL, KnownIdentifiers, forbidden_reason, scan_rows, scan_value,
)
from antismuggling.feeds.refs import RefHasher

CONTRACT_FEEDS = {
    # feed: (partner word, personal data, mode, schedule, entities)
    "ncen": ("n-CEN", "nominal", "delta", "0 3 * * *", ["cases", "items", "vehicles", "persons"]),
    "cen": ("CEN", "none", "delta", "0 4 * * 1", ["items"]),
    "ntc": ("Targeting", "nominal", "delta", "30 3 * * *", ["vehicles", "persons"]),
    "psw": ("Single Window", "none", "full", "0 5 1 * *", ["indicators"]),
    "lea-anf": ("Narcotics", "nominal", "delta", "0 3 * * *", ["cases", "items", "vehicles", "persons"]),
    "lea-fia": ("Investigation", "nominal", "delta", "0 3 * * *", ["cases", "items", "vehicles", "persons"]),
}


@pytest.fixture
def settings(tmp_path, monkeypatch) -> Settings:
    monkeypatch.delenv(FEEDS_CONFIG_ENV, raising=False)
    return Settings(home=tmp_path / "home", ops_url="sqlite:///unused.db")


def site(settings: Settings, text: str) -> Path:
    path = settings.home / "feeds" / "feeds.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_are_the_contract_feeds(settings):
    config = load_feeds_config(settings)
    assert set(BUILTIN_FEEDS) <= set(config.feeds)
    for feed_id, (partner, personal, mode, cron, entities) in CONTRACT_FEEDS.items():
        feed = config.feed(feed_id)
        assert partner in feed.partner
        assert (feed.personal_data, feed.mode, feed.schedule, feed.timezone) == (personal, mode, cron, "Asia/Karachi")
        assert [e.name for e in feed.entities] == entities
        assert feed.format == "csv" and feed.destinations == ("local",) and feed.enabled
    assert config.feed("lea-anf").filter == (("offence_nature", ("NARCOTICS",)),)
    assert config.feed("lea-fia").filter == (("offence_nature", ("CURRENCY",)),)
    assert config.destination("local").path == settings.home / "feeds" / "outbox"
    # non-nominal feeds deliver keyed references, never the ids
    cen = config.feed("cen").entity("items")
    assert cen.key == ("item_ref",) and "case_ref" in cen.columns
    assert not {"case_id", "item_id"} & set(cen.columns)


def test_every_feed_model_has_an_enforced_typed_contract_and_a_key():
    contracts = feed_model_contracts()
    assert set(contracts) == {
        "feed_ncen_cases", "feed_ncen_items", "feed_ncen_vehicles", "feed_ncen_persons", "feed_cen_items",
        "feed_ntc_vehicles", "feed_ntc_persons", "feed_psw_indicators",
    }
    for contract in contracts.values():
        assert contract.key and set(contract.key) <= set(contract.column_names)
        assert all(data_type for _, data_type in contract.columns)
        assert contract.personal_data in ("nominal", "none")
    for name in ("feed_cen_items", "feed_psw_indicators"):
        delivered = [c for c in contracts[name].column_names if c not in ("case_id", "item_id")]
        assert [c for c in delivered if forbidden_reason(c, NON_NOMINAL)] == []


def test_site_file_changes_schedule_destinations_format_and_enabled(settings):
    site(settings, """
[destinations.ncen-sftp]
type = "sftp"
host = "sftp.ncen.example"
user = "pkcustoms"
key_file = "/etc/antismuggling/ncen_ed25519"
host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKdwtU+hL4AhCrxVQTbE9UzA1J2mhhn0jHJnMRMSt5/a"
remote_dir = "/incoming"

[feeds.ncen]
schedule = "30 2 * * *"
destinations = ["local", "ncen-sftp"]
format = "parquet"

[feeds.psw]
enabled = false
""")
    config = load_feeds_config(settings)
    ncen = config.feed("ncen")
    assert (ncen.schedule, ncen.destinations, ncen.format) == ("30 2 * * *", ("local", "ncen-sftp"), "parquet")
    assert ncen.partner.startswith("National Customs")  # untouched keys keep their defaults
    assert config.feed("psw").enabled is False
    sftp = config.destination("ncen-sftp")
    assert (sftp.type, sftp.port, sftp.remote_dir, sftp.retries) == ("sftp", 22, "/incoming", 3)


def test_site_file_from_the_environment(settings, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere.toml"
    path.write_text('[feeds.cen]\nschedule = "15 4 * * 2"\n')
    monkeypatch.setenv(FEEDS_CONFIG_ENV, str(path))
    assert load_feeds_config(settings).feed("cen").schedule == "15 4 * * 2"
    monkeypatch.setenv(FEEDS_CONFIG_ENV, str(tmp_path / "missing.toml"))
    with pytest.raises(FeedsConfigError, match="does not exist"):
        load_feeds_config(settings)


def test_a_site_feed_of_its_own(settings):
    site(settings, """
[feeds.lea-customs-banned]
partner = "Provincial excise"
personal_data = "nominal"
mode = "delta"
schedule = "0 6 * * *"
filter = { offence_nature = ["BANNED_GOODS"] }
[feeds.lea-customs-banned.entities]
cases = { model = "feed_ncen_cases" }

[feeds.routes]
partner = "Planning cell"
personal_data = "none"
mode = "full"
schedule = "0 7 1 * *"
[feeds.routes.entities.flows]
model = "marts.mart_route_flows"
key = ["seizure_month", "origin_location_id", "seizure_location_id", "destination_location_id"]
columns = ["seizure_month", "origin_location_id", "seizure_location_id", "destination_location_id", "n_cases", "total_value_pkr", "top_hs2"]
""")
    config = load_feeds_config(settings)
    assert config.feed("lea-customs-banned").filter == (("offence_nature", ("BANNED_GOODS",)),)
    flows = config.feed("routes").entity("flows")
    assert flows.relation == "marts.mart_route_flows" and flows.key[0] == "seizure_month"


@pytest.mark.parametrize("column", ["case_no", "full_name", "cnic", "registration_no", "chassis_no_raw",
                                    "description", "date_of_birth", "latest_case_no", "officer_id", "case_id"])
def test_a_non_nominal_feed_asking_for_a_forbidden_column_is_refused_naming_it(settings, column):
    site(settings, f"""
[feeds.leaky]
partner = "Somebody abroad"
personal_data = "none"
mode = "delta"
schedule = "0 1 * * *"
[feeds.leaky.entities.items]
model = "feed_ncen_items"
key = ["item_ref"]
columns = ["item_ref", "hs6", "{column}"]
""")
    with pytest.raises(FeedsConfigError) as excinfo:
        load_feeds_config(settings)
    assert f"'{column}'" in str(excinfo.value) and "leaky" in str(excinfo.value)


def test_a_non_nominal_feed_over_a_nominal_model_without_columns_is_refused(settings):
    site(settings, """
[feeds.everything]
partner = "Somebody abroad"
personal_data = "none"
mode = "full"
schedule = "0 1 * * *"
[feeds.everything.entities]
persons = { model = "feed_ncen_persons" }
""")
    with pytest.raises(FeedsConfigError, match="column 'case_person_id' is personal"):
        load_feeds_config(settings)


@pytest.mark.parametrize("text, message", [
    ('[feeds.ncen]\npersonal_data = "none"\n', "fixed by the feeds contract"),
    ('[feeds.lea-anf]\nfilter = { offence_nature = ["SMUGGLING"] }\n', "not filter"),
    ('[feeds.cen]\ndestinations = ["partner-x"]\n', "destination 'partner-x' is not defined"),
    ('[feeds.cen]\nschedule = "every monday"\n', "not a five-field cron"),
    ('[feeds.cen]\ntimezone = "Mars/Olympus"\n', "unknown time zone"),
    ('[feeds.cen]\nformat = "xlsx"\n', "format must be one of"),
    ('[destinations.p]\ntype = "sftp"\nhost = "h"\nuser = "u"\nkey_file = "k"\n', "needs host_key"),
    ('[feeds.x]\npartner = "p"\npersonal_data = "none"\nmode = "delta"\nschedule = "0 1 * * *"\n'
     '[feeds.x.entities]\nitems = { model = "feed_cen_items", columns = ["item_ref", "nonexistent"] }\n',
     "'nonexistent' is not in the contract"),
    ('[feeds]\nwhatever = 1\n', "must be a table"),
])
def test_bad_site_configuration_is_refused(settings, text, message):
    site(settings, text)
    with pytest.raises(FeedsConfigError, match=message):
        load_feeds_config(settings)


def test_forbidden_columns_are_defined_once_for_non_nominal_feeds():
    for column in ("cnic", "passport_no", "full_name", "father_name", "date_of_birth", "home_district",
                   "registration_no", "chassis_no", "engine_no", "case_no", "fir_no", "officer_id", "remarks",
                   "route_via", "description", "concealment", "registration_nos_typed", "officer_full_name"):
        assert forbidden_reason(column, "none"), column
        assert forbidden_reason(column, "nominal") is None
    for column in ("case_ref", "item_ref", "hs_code", "concealment_category", "commodity_group", "n_offenders",
                   "offender_age_bands", "seizure_location_id", "route_origin_country", "value_pkr"):
        assert forbidden_reason(column, "none") is None, column


@pytest.mark.parametrize("value", [
    "35202-1234567-1", "3520212345671", "35202 1234567 1", " 35202-1234567-1 ", "35202-12345671",
    "35202.1234567.1", "CNIC 35202-1234567-1 of the driver",
])
def test_cnic_shaped_values_are_found_in_every_spelling(value):
    assert "CNIC-shaped number" in scan_value(value, None)


def test_scan_finds_passports_plates_and_known_names_and_numbers():
    known = KnownIdentifiers()
    known.add_name("Gul Zaman Khan")
    known.add_name("Inayatullah")
    known.add_identifier("NZE141-9012345")
    known.add_identifier("PSH-2024-000123")
    assert "passport-shaped number" in scan_value("AB1234567", known)
    assert "registration-plate-shaped number" in scan_value("LEA-1234", known)
    assert "registration-plate-shaped number" in scan_value("seen with lea 1234 at Surab", known)
    assert any("person name" in h for h in scan_value("driver gul  zaman-khan fled", known))
    assert any("person name" in h for h in scan_value("INAYATULLAH", known))
    assert any("known from the store" in h for h in scan_value("nze141 9012345", known))
    assert any("known from the store" in h for h in scan_value("psh-2024-000123", known))
    # the codes the non-nominal feeds carry are clean
    ref = RefHasher(b"k" * 32).ref("case_id", 12345)
    # a formation code of the store is reference data, even when shaped like a plate
    assert scan_value("CE-KHI2", known)
    known.reference_codes.add("CE-KHI2")
    assert scan_value("CE-KHI2", known) == []
    for clean in (ref, "VEHICLE_CONCEALMENT", "OTHER_REVENUE", "851713", "II-PSH", "18-24;25-34;unknown",
                  "AF;PK", "2024-01-31", "subheading", "KG", "M;unknown", "Khan"):
        assert scan_value(clean, known) == [], clean


def test_refs_are_keyed_stable_and_never_cnic_shaped(tmp_path):
    refs = RefHasher.for_feeds_dir(tmp_path / "feeds")
    secret = tmp_path / "feeds" / "ref.secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    again = RefHasher.for_feeds_dir(tmp_path / "feeds")
    other = RefHasher(os.urandom(32))
    values = [refs.ref("case_id", i) for i in range(2000)]
    assert values == [again.ref("case_id", i) for i in range(2000)]
    assert values[0] != other.ref("case_id", 0) and values[0] != refs.ref("item_id", 0)
    assert len(set(values)) == 2000
    assert all(len(v) == 52 and scan_value(v, None) == [] for v in values)


def test_a_keyed_reference_spelling_a_name_by_chance_is_not_personal_data():
    """Base32 refs have letters between digits: over 100k items one spells a short name of the
    store ("...ALI2KHAN..."); that must not fail the delivery, while any other value in a
    reference column, or the same letters in another column, are findings."""
    known = KnownIdentifiers()
    known.add_name("Ali Khan")
    by_chance = "QWERTY2ALI3KHAN4" + "A" * 36  # 52 characters of A-Z and 2-7, as RefHasher writes
    refs = RefHasher(os.urandom(32))
    assert any("person name" in h for h in scan_value(by_chance, known))  # the letter scan alone would fire
    header = ["item_ref", "case_ref", "commodity_group"]
    rows = [[by_chance, refs.ref("case_id", 1), "DRUGS"], ["Ali Khan", "35202-1234567-1", by_chance]]
    findings = {(f.row, f.column, f.kind) for f in scan_rows("items.csv", header, rows, set(header), known)}
    assert not [f for f in findings if f[0] == 1], findings  # refs as refs: clean
    assert {(2, "item_ref", "not a keyed reference (case_ref / item_ref hold only HMAC-SHA256 references)"),
            (2, "item_ref", "person name known from the store"), (2, "case_ref", "CNIC-shaped number"),
            (2, "commodity_group", "person name known from the store")} <= findings
