"""Access control in the dashboard, with Streamlit's AppTest over marts published by the real
pipeline: nothing renders before sign-in, lockout, each role's pages, a formation officer's
scope on every page, an analyst's masked identities and audited reveal, look-ups and audit
trail, and search boxes fed quotes and comments."""

from __future__ import annotations

import re
import time

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from antismuggling.access.scope import person_secret, person_token
from antismuggling.access.store import UserStore
from antismuggling.config import load_settings
from apptest_helpers import (
    APP,
    NOT_AFTER_TODAY,
    TEST_PASSWORD,
    assert_clean,
    count,
    metric,
    open_app,
    sign_in,
    snapshot_scalar,
    snapshot_sql,
    texts,
    user_for,
)

DATA_PAGES = ("overview", "formation", "commodities", "routes", "officers", "vehicles", "offenders", "data_quality")
SIGN_IN_TITLE = "Anti-Smuggling Analytics"
CNIC = re.compile(r"\b\d{5}-?\d{7}-?\d\b")
HOSTILE_INPUTS = (
    "' OR '1'='1",
    "'; DROP TABLE marts.fct_cases; --",
    "35202-1234567-1' --",
    '" OR ""="',
    "/* comment */ 1=1",
    "%' UNION SELECT cnic FROM marts.dim_offenders --",
    "\\'; select 1; --",
)


def _audit(action: str | None = None) -> pd.DataFrame:
    rows = UserStore.from_settings(load_settings()).audit_rows(limit=10_000, action=action)
    return pd.DataFrame(rows, columns=["seq", "at_utc", "username", "action", "target", "n_rows", "detail", "client"])


def _shows_nothing(at: AppTest) -> None:
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.get("download_button")


@pytest.fixture(scope="module")
def formation(published_settings) -> str:
    """The officer's formation: one with cases, vehicles and people, not the busiest."""
    return snapshot_scalar(
        published_settings,
        "select formation_code from marts.fct_cases group by 1 order by count(*) desc, 1 limit 1 offset 2",
    )


# --------------------------------------------------------------------------- signing in


@pytest.mark.parametrize("page", DATA_PAGES + ("audit", "users"))
def test_no_page_renders_for_an_anonymous_session(published_settings, page):
    st.cache_data.clear()
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert_clean(at)
    at.switch_page(f"views/{page}.py").run()
    assert_clean(at)
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert at.text_input(key="_sign_in_password")
    _shows_nothing(at)


@pytest.mark.parametrize("page", DATA_PAGES)
def test_a_page_script_run_on_its_own_refuses_an_anonymous_session(published_settings, page):
    st.cache_data.clear()
    at = AppTest.from_file(str(APP.parent / "views" / f"{page}.py"), default_timeout=120).run()
    assert not at.exception
    assert "Sign in" in texts(at.error)
    _shows_nothing(at)


def test_six_wrong_passwords_lock_the_account(published_settings):
    username = user_for("analyst")
    UserStore.from_settings(load_settings()).unlock(username, actor="test")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    messages = []
    for _ in range(6):
        sign_in(at, username, "Wrong-Password-123!")
        messages.append(texts(at.warning))
    # the fifth failure locks the account; the sixth attempt is refused as locked
    assert messages[:5] == ["Wrong user ID or password."] * 5
    assert "locked" in messages[5]
    # the right password is refused while locked
    sign_in(at, username, TEST_PASSWORD)
    assert "locked" in texts(at.warning)
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    audit = _audit()
    mine = audit[audit["username"] == username]
    assert (mine["action"] == "login_failed").sum() >= 5
    assert (mine["action"] == "lockout").sum() >= 1
    assert (mine["action"] == "login_refused_locked").sum() >= 2  # the sixth try and the right password
    # nothing typed as a password reaches the audit trail
    assert not audit.astype(str).apply(lambda col: col.str.contains("Wrong-Password|Harbour-Kestrel")).any().any()
    UserStore.from_settings(load_settings()).unlock(username, actor="test")


def test_an_idle_session_expires(published_settings, monkeypatch):
    monkeypatch.setenv("ANTISMUGGLING_SESSION_IDLE_MINUTES", "2")
    at = open_app("dg")
    at.session_state["_auth_last_activity"] = time.monotonic() - 60  # one idle minute: still signed in
    at.run()
    assert metric(at, "Live cases")
    at.session_state["_auth_last_activity"] = time.monotonic() - 121
    at.run()
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert "expired after 2 minutes" in texts(at.warning)
    _shows_nothing(at)
    assert (_audit("session_expired")["username"] == "test.dg").any()


def test_a_disabled_account_is_signed_out_on_its_next_click(published_settings):
    store = UserStore.from_settings(load_settings())
    username = user_for("dg")
    at = open_app("dg")
    assert metric(at, "Live cases")
    store.disable(username, actor="test")
    try:
        at.run()
        assert [t.value for t in at.title] == [SIGN_IN_TITLE]
        assert "no longer active" in texts(at.warning)
        _shows_nothing(at)
    finally:
        store.enable(username, actor="test")


def test_each_role_gets_its_pages(published_settings):
    """Each role's navigation holds only its pages (AppTest refuses to open any other)."""
    admin = open_app("admin")
    assert [t.value for t in admin.title] == ["Audit log"]
    assert not admin.metric and not admin.get("plotly_chart")
    for page in DATA_PAGES:
        with pytest.raises(ValueError, match="Known pages"):
            admin.switch_page(f"views/{page}.py")
    admin.switch_page("views/users.py").run()
    assert_clean(admin)
    assert any("test.admin" in set(d.value["User"]) for d in admin.dataframe)

    for role in ("analyst", "formation_officer"):
        reader = open_app(role, ("CE-X",) if role == "formation_officer" else ())
        if role == "formation_officer":  # a formation without cases in the marts
            assert "hold no case of your formation" in texts(reader.info)
            assert not reader.metric
        for page in ("audit", "users"):
            with pytest.raises(ValueError, match="Known pages"):
                reader.switch_page(f"views/{page}.py")

    dg = open_app("dg", page="audit")
    assert [t.value for t in dg.title] == ["Audit log"]
    log = dg.dataframe[0].value
    assert {"login"} <= set(log["Action"])
    with pytest.raises(ValueError, match="Known pages"):
        dg.switch_page("views/users.py")


# --------------------------------------------------------------------------- formation officer


def _formation_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if "formation" in c.lower() and df[c].dtype == object]


def test_a_formation_officer_sees_only_their_formation_on_every_page(published_settings, formation):
    others = set(snapshot_sql(published_settings, "select distinct formation_code from marts.fct_cases")["formation_code"])
    others.discard(formation)
    at = open_app("formation_officer", (formation,))
    assert at.multiselect(key="overview_formations").options == [
        o for o in at.multiselect(key="overview_formations").options if o.startswith(formation)
    ]
    live_cases = snapshot_scalar(
        published_settings,
        f"select count(*) from marts.fct_cases where formation_code = ? and {NOT_AFTER_TODAY}",
        [formation],
    )
    assert count(metric(at, "Live cases")) == live_cases
    for page in DATA_PAGES:
        if page != "overview":
            at.switch_page(f"views/{page}.py").run()
        assert_clean(at)
        for frame in at.dataframe:
            df = frame.value
            for column in _formation_columns(df):
                shown = {str(v).split(" · ")[0] for v in df[column].dropna() if str(v) and str(v) != "(none)"}
                assert not shown & others, f"{page}: {column} shows {shown & others}"
        page_text = texts(at.markdown) + texts(at.caption) + texts(at.subheader)
        for other in others:
            assert f"{other} ·" not in page_text, f"{page} names {other}"


def test_a_formation_officer_cannot_widen_the_scope_through_the_url(published_settings, formation):
    other = snapshot_scalar(
        published_settings, "select formation_code from marts.fct_cases where formation_code <> ? limit 1", [formation]
    )
    at = open_app("formation_officer", (formation,), query_params={"formation": other})
    live_cases = count(metric(at, "Live cases"))
    assert live_cases == count(metric(open_app("formation_officer", (formation,)), "Live cases"))
    at.switch_page("views/formation.py").run()
    assert_clean(at)
    assert other not in texts(at.subheader)


def test_look_ups_stop_at_the_formation(published_settings, formation):
    vehicle = snapshot_sql(
        published_settings,
        "select registration_no from marts.dim_vehicles d where registration_no is not null and not exists "
        "(select 1 from marts.mart_vehicle_recidivism v where v.vehicle_key = d.vehicle_key and v.formation_code = ?) "
        "order by n_seizures desc limit 1",
        [formation],
    ).iloc[0]["registration_no"]
    person = snapshot_sql(
        published_settings,
        "select cnic from marts.dim_offenders o where not exists (select 1 from marts.fct_case_persons p "
        "where p.offender_key = o.offender_key and p.formation_code = ?) order by n_cases desc limit 1",
        [formation],
    ).iloc[0]["cnic"]
    officer = open_app("formation_officer", (formation,), page="vehicles")
    officer.text_input(key="vehicles_query").input(vehicle).run()
    assert_clean(officer)
    assert "No seized vehicle" in texts(officer.info)
    officer.switch_page("views/offenders.py").run()
    officer.text_input(key="offenders_query").input(person).run()
    assert_clean(officer)
    assert "No person" in texts(officer.info)

    dg = open_app("dg", page="vehicles")
    dg.text_input(key="vehicles_query").input(vehicle).run()
    assert f"Vehicle {vehicle}" in texts(dg.subheader)
    lookups = _audit("vehicle_lookup")
    assert {"test.formationofficer." + formation.lower(), "test.dg"} <= set(lookups[lookups["target"] == vehicle]["username"])


# --------------------------------------------------------------------------- analyst


def test_an_analyst_sees_masked_identities_and_reveals_one_on_record(published_settings):
    person = snapshot_sql(
        published_settings,
        "select offender_key, cnic from marts.dim_offenders where is_repeat_offender and n_co_offenders > 0 "
        "order by n_cases desc, cnic limit 1",
    ).iloc[0]
    at = open_app("analyst", page="offenders")
    for frame in at.dataframe:  # the repeat-offender list
        assert not frame.value.astype(str).apply(lambda col: col.str.contains(CNIC)).any().any()
    at.text_input(key="offenders_query").input(person["cnic"].replace("-", "")).run()
    assert_clean(at)
    masked = f"{person['cnic'][:5]}-*******-{person['cnic'][-1]}"
    assert f"CNIC {masked}" in texts(at.subheader)
    for frame in at.dataframe:
        assert not frame.value.astype(str).apply(lambda col: col.str.contains(CNIC)).any().any()

    at.button(key="offenders_reveal").click().run()
    assert_clean(at)
    assert f"CNIC {person['cnic']}" in texts(at.subheader)
    co_offenders = [f.value for f in at.dataframe if "Shared" in f.value.columns][0]
    assert not co_offenders["CNIC"].astype(str).str.contains(CNIC).any()  # only the revealed person
    reveals = _audit("reveal")
    row = reveals[(reveals["username"] == "test.analyst") & (reveals["target"] == masked)]
    token = person_token(person_secret(load_settings().access_dir), person["offender_key"])
    assert len(row) >= 1 and row.iloc[0]["detail"] == f"person {token}"
    lookups = _audit("cnic_lookup")
    assert ((lookups["target"] == masked) & (lookups["detail"] == f"person {token}")).any()
    # neither the marts' md5 key (a masked CNIC narrows it to 10^7 guesses) nor a CNIC is in the log
    assert not _audit().astype(str).apply(lambda col: col.str.contains(person["offender_key"])).any().any()
    assert not lookups["target"].astype(str).str.contains(CNIC).any()  # the audit trail holds no CNIC


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("typed", HOSTILE_INPUTS)
def test_search_boxes_take_quotes_and_comments_as_text(published_settings, typed):
    cases_before = snapshot_scalar(published_settings, "select count(*) from marts.fct_cases")
    at = open_app("dg", page="vehicles")
    at.text_input(key="vehicles_query").input(typed).run()
    assert_clean(at)
    assert not any(d.value is not None and len(d.value) for d in at.dataframe)
    at.switch_page("views/offenders.py").run()
    at.text_input(key="offenders_query").input(typed).run()
    assert_clean(at)
    assert not at.metric
    at.switch_page("views/commodities.py").run()
    assert_clean(at)
    audit = open_app("dg", page="audit")
    audit.text_input(key="audit_user").input(typed).run()
    assert_clean(audit)
    assert snapshot_scalar(published_settings, "select count(*) from marts.fct_cases") == cases_before


# --------------------------------------------------------------------------- downloads


def _draw_a_download_button() -> None:
    """An app that keeps the download recorder a page would give its download buttons."""
    import streamlit as st

    from dashboard import auth

    st.session_state["record_download"] = auth.download_recorder()


def test_a_download_asked_for_after_the_session_ended_is_refused(published_settings, monkeypatch):
    from antismuggling.access.roles import Principal
    from dashboard import auth

    username = user_for("analyst")
    store = UserStore.from_settings(load_settings())
    at = AppTest.from_function(_draw_a_download_button, default_timeout=60)
    at.session_state["_auth_principal"] = store.active_principal(username)
    at.run()
    record = at.session_state["record_download"]

    record(target="routes.csv", n_rows=12, detail="routes")  # built while the session is alive
    downloads = _audit("download")
    assert ((downloads["username"] == username) & (downloads["target"] == "routes.csv") & (downloads["n_rows"] == 12)).any()

    started = time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: started + 31 * 60)  # past the 30-minute idle limit
    with pytest.raises(PermissionError):
        record(target="late.csv", n_rows=1, detail="late")
    monkeypatch.undo()

    store.disable(username, actor="test")
    try:
        with pytest.raises(PermissionError):
            record(target="after-disable.csv", n_rows=1, detail="after disable")
    finally:
        store.enable(username, actor="test")
    store.set_role(username, "formation_officer", ("CE-X",), actor="test")
    try:
        with pytest.raises(PermissionError):  # the scope the table was drawn for is gone
            record(target="after-role-change.csv", n_rows=1, detail="after role change")
    finally:
        store.set_role(username, "analyst", (), actor="test")
    assert not set(_audit("download")["target"]) & {"late.csv", "after-disable.csv", "after-role-change.csv"}
    assert isinstance(at.session_state["_auth_principal"], Principal)
