"""The local user store: password hashing and strength, lockout, the audit trail, and PII masking."""

import io
import sqlite3
import stat
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta

import duckdb
import pytest
from argon2 import PasswordHasher

from antismuggling.access import passwords, policy
from antismuggling.access.passwords import check_strength, hash_password, needs_rehash, verify_password
from antismuggling.access.roles import (
    ROLE_DESCRIPTIONS,
    ROLES,
    Principal,
    cnic_mask_sql,
    mask_cnic,
    mask_name,
    mask_text,
    name_mask_sql,
    text_mask_sql,
)
from antismuggling.access.store import (
    InvalidUserError,
    UnknownUserError,
    UserExistsError,
    UserRecord,
    UserStore,
    WeakPasswordError,
)
from antismuggling.config import Settings
from access_helpers import use_cheap_argon2

PASSWORD = "Gr33n-Lantern-Kx"
OTHER_PASSWORD = "Bl4ck-Canary-Qz!"
ADMIN = "root.admin"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path, monkeypatch) -> UserStore:
    use_cheap_argon2(monkeypatch)
    return UserStore(tmp_path / "access" / "users.db", lockout_minutes=15)


@pytest.fixture
def alice(store) -> str:
    store.add_user("alice", "formation_officer", PASSWORD, formations=("lhr",), display_name="Alice Khan", actor=ADMIN)
    return "alice"


def actions(store: UserStore, **filters) -> list[str]:
    """Audit actions, oldest first."""
    return [row["action"] for row in reversed(store.audit_rows(**filters))]


def fail_logins(store: UserStore, username: str, times: int, at: datetime) -> list[str]:
    return [store.authenticate(username, "Wrong-Password-99", now=at).reason for _ in range(times)]


# ---------------------------------------------------------------- passwords


def test_hash_is_argon2id_and_verifies_only_the_right_password():
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, OTHER_PASSWORD)


@pytest.mark.parametrize(
    "garbage",
    [None, "", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$", "$argon2id$v=19$m=1,t=1,p=1$AAAA$BBBB", "$2b$12$abc"],
)
def test_verify_never_raises_on_a_bad_hash(garbage):
    assert verify_password(garbage, PASSWORD) is False


def test_needs_rehash_only_for_weaker_parameters():
    assert not needs_rehash(hash_password(PASSWORD))
    assert needs_rehash(PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD))


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Sh0rt-pass", "at least 12 characters"),
        ("alllowercaseletters", "at least 3 of"),
        ("x9!Alice.Khan#", "must not contain the username"),
        ("Pakistan@123", "commonly used"),
        ("password123!", "commonly used"),
        ("CUSTOMS@1234", "commonly used"),
        ("!!!!!!!!!!!!!!", "single character repeated"),
    ],
)
def test_each_strength_rule_fires(password, problem):
    problems = check_strength(password, "alice.khan")
    assert any(problem in p for p in problems), problems


def test_strong_password_has_no_problems():
    assert check_strength(PASSWORD, "alice") == []


# ---------------------------------------------------------------- users


def test_add_and_list_users_without_hashes(store, alice):
    store.add_user("Dg.Office", "dg", None, oidc_subject="dg@customs.gov.pk", actor=ADMIN)
    users = {u.username: u for u in store.list_users()}
    assert set(users) == {"alice", "dg.office"}
    assert users["alice"] == UserRecord(
        username="alice", display_name="Alice Khan", role="formation_officer", formations=("LHR",), disabled=False,
        locked_until=None, failed_attempts=0, last_login_at=None, has_password=True, oidc_subject=None,
    )
    assert users["dg.office"].has_password is False and users["dg.office"].oidc_subject == "dg@customs.gov.pk"
    assert not any("hash" in f.name for f in fields(UserRecord))
    assert store.get("ALICE").username == "alice"
    assert store.get("nobody") is None


def test_formations_are_upper_cased_and_sorted(store):
    store.add_user("omar", "formation_officer", PASSWORD, formations=["qta", " khi ", "QTA"], actor=ADMIN)
    assert store.get("omar").formations == ("KHI", "QTA")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"username": "al"}, InvalidUserError, "invalid username"),
        ({"username": "9lives"}, InvalidUserError, "invalid username"),
        ({"username": "bob smith"}, InvalidUserError, "invalid username"),
        ({"role": "superuser"}, InvalidUserError, "unknown role 'superuser'"),
        ({"role": "formation_officer", "formations": ()}, InvalidUserError, "needs at least one formation"),
        ({"role": "dg", "formations": ("LHR",)}, InvalidUserError, "only a formation_officer has formations"),
        ({"formations": ("LHR,KHI",)}, InvalidUserError, "invalid formation code"),
        ({"password": None}, InvalidUserError, "needs a password or an OIDC subject"),
        ({"password": "short"}, WeakPasswordError, "at least 12 characters"),
    ],
)
def test_add_user_refuses_invalid_input_clearly(store, kwargs, error, message):
    args = {"username": "bob", "role": "formation_officer", "password": PASSWORD, "formations": ("LHR",), **kwargs}
    with pytest.raises(error, match=message):
        store.add_user(**args, actor=ADMIN)
    assert store.list_users() == []


def test_weak_password_error_lists_every_problem_and_not_the_password(store):
    with pytest.raises(WeakPasswordError) as caught:
        store.add_user("bob", "dg", "bobbobbob", actor=ADMIN)
    assert len(caught.value.problems) == 3  # length, classes, contains the username
    assert "bobbobbob" not in str(caught.value)


def test_duplicate_username_or_oidc_subject_is_refused(store, alice):
    with pytest.raises(UserExistsError, match="already exists"):
        store.add_user("ALICE", "dg", OTHER_PASSWORD, actor=ADMIN)
    store.add_user("dg.office", "dg", None, oidc_subject="dg@customs.gov.pk", actor=ADMIN)
    with pytest.raises(UserExistsError, match="already belongs to user 'dg.office'"):
        store.add_user("dg.deputy", "dg", None, oidc_subject="DG@customs.gov.pk", actor=ADMIN)


def test_set_role_validates_and_changes_role(store, alice):
    with pytest.raises(InvalidUserError, match="needs at least one formation"):
        store.set_role("alice", "formation_officer", (), actor=ADMIN)
    store.set_role("alice", "analyst", actor=ADMIN)
    assert (store.get("alice").role, store.get("alice").formations) == ("analyst", ())
    with pytest.raises(UnknownUserError, match="no user named 'ghost'"):
        store.set_role("ghost", "dg", actor=ADMIN)


@pytest.mark.parametrize("change", ["disable", "enable", "unlock"])
def test_changing_an_unknown_user_is_refused(store, change):
    with pytest.raises(UnknownUserError):
        getattr(store, change)("ghost", actor=ADMIN)
    with pytest.raises(UnknownUserError):
        store.reset_password("ghost", OTHER_PASSWORD, actor=ADMIN)


def test_principal_properties_follow_the_role():
    def principal(role: str) -> Principal:
        return Principal("u", role, ("LHR",) if role == "formation_officer" else (), "U")

    assert set(ROLE_DESCRIPTIONS) == set(ROLES)
    assert [r for r in ROLES if principal(r).sees_data] == ["dg", "analyst", "formation_officer"]
    assert [r for r in ROLES if principal(r).is_scoped] == ["formation_officer"]
    assert [r for r in ROLES if principal(r).masks_pii] == ["analyst"]
    assert [r for r in ROLES if principal(r).can_view_audit] == ["dg", "admin"]
    assert [r for r in ROLES if principal(r).can_manage_users] == ["admin"]


# ---------------------------------------------------------------- sign-in and lockout


def test_right_password_signs_in_with_the_principal(store, alice):
    result = store.authenticate("Alice ", PASSWORD, client="10.0.0.7", now=T0)
    assert result.ok and result.reason == "ok"
    assert result.principal == Principal("alice", "formation_officer", ("LHR",), "Alice Khan")
    assert store.get("alice").last_login_at == T0
    assert store.audit_rows(limit=1)[0] | {"seq": None} == {
        "seq": None, "at_utc": T0.isoformat(), "username": "alice", "action": "login", "target": None,
        "n_rows": None, "detail": "password", "client": "10.0.0.7",
    }


def test_unknown_user_and_wrong_password_are_indistinguishable(store, alice, monkeypatch):
    dummy_checks = []
    real_dummy = passwords.verify_against_dummy
    monkeypatch.setattr("antismuggling.access.store.verify_against_dummy",
                        lambda pw: dummy_checks.append(1) or real_dummy(pw))
    unknown = store.authenticate("mallory", PASSWORD, now=T0)
    wrong = store.authenticate("alice", OTHER_PASSWORD, now=T0)
    assert unknown == wrong
    assert (unknown.ok, unknown.principal, unknown.reason) == (False, None, "bad_credentials")
    assert dummy_checks == [1]  # the unknown user cost a full argon2 verification too
    assert actions(store) == ["user_add", "login_failed", "login_failed"]


def test_four_failures_then_success_resets_the_count(store, alice):
    assert fail_logins(store, "alice", 4, T0) == ["bad_credentials"] * 4
    assert store.get("alice").failed_attempts == 4
    assert store.authenticate("alice", PASSWORD, now=T0).ok
    assert store.get("alice").failed_attempts == 0
    assert fail_logins(store, "alice", 4, T0) == ["bad_credentials"] * 4  # a fresh count: still not locked
    assert store.authenticate("alice", PASSWORD, now=T0).ok


def test_fifth_failure_locks_until_the_lock_runs_out(store, alice):
    assert fail_logins(store, "alice", 5, T0) == ["bad_credentials"] * 5
    record = store.get("alice")
    assert record.locked_until == T0 + timedelta(minutes=15) and record.is_locked(T0)
    assert actions(store)[-2:] == ["login_failed", "lockout"]

    assert store.authenticate("alice", PASSWORD, now=T0 + timedelta(minutes=14)).reason == "locked"
    assert fail_logins(store, "alice", 1, T0 + timedelta(minutes=14)) == ["locked"]
    assert actions(store)[-2:] == ["login_refused_locked", "login_refused_locked"]
    assert actions(store).count("lockout") == 1

    after = T0 + timedelta(minutes=15)
    result = store.authenticate("alice", PASSWORD, now=after)
    assert result.ok
    assert (store.get("alice").failed_attempts, store.get("alice").locked_until) == (0, None)


def test_a_wrong_password_after_the_lock_runs_out_starts_a_fresh_count(store, alice):
    fail_logins(store, "alice", 5, T0)
    assert fail_logins(store, "alice", 1, T0 + timedelta(minutes=20)) == ["bad_credentials"]
    assert store.get("alice").failed_attempts == 1 and store.get("alice").locked_until is None


def test_lockout_minutes_is_the_constructor_setting(tmp_path, monkeypatch):
    use_cheap_argon2(monkeypatch)
    store = UserStore(tmp_path / "users.db", lockout_minutes=2)
    store.add_user("alice", "dg", PASSWORD, actor=ADMIN)
    fail_logins(store, "alice", 5, T0)
    assert store.authenticate("alice", PASSWORD, now=T0 + timedelta(seconds=119)).reason == "locked"
    assert store.authenticate("alice", PASSWORD, now=T0 + timedelta(minutes=2)).ok


@pytest.mark.parametrize("clear", ["unlock", "reset_password"])
def test_unlock_and_reset_password_lift_the_lock(store, alice, clear):
    fail_logins(store, "alice", 5, T0)
    if clear == "unlock":
        store.unlock("alice", actor=ADMIN)
        password = PASSWORD
    else:
        store.reset_password("alice", OTHER_PASSWORD, actor=ADMIN)
        password = OTHER_PASSWORD
    assert (store.get("alice").failed_attempts, store.get("alice").locked_until) == (0, None)
    assert store.authenticate("alice", password, now=T0 + timedelta(minutes=1)).ok


def test_reset_password_replaces_the_old_one_and_checks_strength(store, alice):
    with pytest.raises(WeakPasswordError, match="must not contain the username"):
        store.reset_password("alice", "Alice-1234567", actor=ADMIN)
    store.reset_password("alice", OTHER_PASSWORD, actor=ADMIN)
    assert store.authenticate("alice", PASSWORD).reason == "bad_credentials"
    assert store.authenticate("alice", OTHER_PASSWORD).ok


def test_disabled_user_is_refused_whatever_the_password(store, alice):
    store.disable("alice", actor=ADMIN)
    assert store.authenticate("alice", PASSWORD, now=T0).reason == "disabled"
    assert store.get("alice").failed_attempts == 0  # the right password is not a failure
    assert store.authenticate("alice", OTHER_PASSWORD, now=T0).reason == "disabled"
    assert store.get("alice").failed_attempts == 1  # a wrong one is
    assert store.active_principal("alice") is None
    store.enable("alice", actor=ADMIN)
    assert store.authenticate("alice", PASSWORD, now=T0).ok
    assert store.active_principal("alice").role == "formation_officer"


def test_oidc_only_user_cannot_sign_in_with_a_password(store):
    store.add_user("dg.office", "dg", None, oidc_subject="dg@customs.gov.pk", actor=ADMIN)
    assert store.authenticate("dg.office", "", now=T0).reason == "bad_credentials"


def test_principal_for_oidc_maps_enabled_users_only(store):
    store.add_user("dg.office", "dg", None, oidc_subject="dg@customs.gov.pk", display_name="DG", actor=ADMIN)
    assert store.principal_for_oidc("DG@customs.gov.pk") == Principal("dg.office", "dg", (), "DG")
    assert store.get("dg.office").last_login_at is not None
    assert store.principal_for_oidc("someone@else.pk") is None
    store.disable("dg.office", actor=ADMIN)
    assert store.principal_for_oidc("dg@customs.gov.pk") is None
    rows = list(reversed(store.audit_rows(action=None)))[-4:]
    assert [(r["action"], r["detail"]) for r in rows] == [
        ("login", "oidc"),
        ("login_failed", "oidc: no user has this subject"),
        ("user_disable", None),
        ("login_refused_disabled", "oidc"),
    ]


def test_sign_in_upgrades_a_hash_made_with_weaker_parameters(tmp_path):
    store = UserStore(tmp_path / "users.db")  # the real parameters: the upgrade is to them
    store.add_user("alice", "dg", PASSWORD, actor=ADMIN)
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE users SET password_hash = ? WHERE username = 'alice'", (weak,))
    assert store.authenticate("alice", PASSWORD).ok
    with sqlite3.connect(store.path) as con:
        upgraded = con.execute("SELECT password_hash FROM users WHERE username = 'alice'").fetchone()[0]
    assert upgraded != weak and not needs_rehash(upgraded) and verify_password(upgraded, PASSWORD)


# ---------------------------------------------------------------- audit trail


def test_every_user_change_is_audited_with_actor_and_target(store, alice):
    store.set_role("alice", "dg", actor=ADMIN)
    store.disable("alice", actor=ADMIN)
    store.enable("alice", actor=ADMIN)
    store.unlock("alice", actor=ADMIN)
    store.reset_password("alice", OTHER_PASSWORD, actor=ADMIN)
    rows = list(reversed(store.audit_rows()))
    assert [(r["username"], r["action"], r["target"]) for r in rows] == [
        (ADMIN, action, "alice")
        for action in ("user_add", "user_set_role", "user_disable", "user_enable", "user_unlock", "user_reset_password")
    ]
    assert rows[1]["detail"] == "role formation_officer -> dg; formations LHR -> none"


def test_audit_log_is_append_only(store, alice):
    store.audit("alice", "export", target="fct_cases", n_rows=120)
    with sqlite3.connect(store.path) as con:
        for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                con.execute(statement)
    assert actions(store) == ["user_add", "export"]


def test_audit_rows_filter_newest_first(store, alice):
    store.audit("alice", "page_view", target="Overview", client="10.0.0.7")
    store.audit("alice", "export", target="fct_cases", n_rows=42)
    store.audit("bob", "export", target="fct_cases", n_rows=7)
    assert [r["n_rows"] for r in store.audit_rows(action="export")] == [7, 42]
    assert [r["action"] for r in store.audit_rows(username="ALICE")] == ["export", "page_view"]
    assert len(store.audit_rows(limit=2)) == 2
    assert store.audit_rows(since=date(2999, 1, 1)) == []
    assert len(store.audit_rows(since=datetime.now(UTC) - timedelta(minutes=5))) == 4


def test_export_audit_csv_to_a_path_and_a_file(store, alice, tmp_path):
    store.audit("alice", "search", detail="=HYPERLINK(\"http://evil\")")
    buffer = io.StringIO()
    assert store.export_audit_csv(buffer) == 2
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "seq,at_utc,username,action,target,n_rows,detail,client"
    assert ",user_add,alice," in lines[1]
    assert "'=HYPERLINK" in lines[2]  # a spreadsheet shows it as text instead of running it
    out = tmp_path / "audit.csv"
    assert store.export_audit_csv(out, since=date(2999, 1, 1)) == 0
    assert out.read_text().splitlines() == [lines[0]]


def test_no_password_or_hash_ever_reaches_the_audit_trail(store, alice):
    store.authenticate("alice", OTHER_PASSWORD)
    store.authenticate(PASSWORD, PASSWORD)  # a password typed into the username box
    store.authenticate(OTHER_PASSWORD, PASSWORD)
    store.authenticate("Alice", PASSWORD)
    store.reset_password("alice", OTHER_PASSWORD, actor=ADMIN)
    with pytest.raises(WeakPasswordError):
        store.reset_password("alice", "weakpass", actor=ADMIN)
    with sqlite3.connect(store.path) as con:
        audit_text = repr(con.execute("SELECT * FROM audit_log").fetchall()).lower()
        hashes = [h for (h,) in con.execute("SELECT password_hash FROM users")]
    assert "login_failed" in audit_text and "user_reset_password" in audit_text
    for secret in (PASSWORD, OTHER_PASSWORD, "weakpass", "$argon2", *hashes):
        assert secret.lower() not in audit_text


def test_a_failed_sign_in_records_an_unknown_name_only_if_it_cannot_be_a_password(store):
    store.authenticate("mallory", PASSWORD)
    store.authenticate("Mallory.Ahmed-2024", PASSWORD)  # a valid username, but also a valid password
    assert [(r["username"], r["detail"]) for r in store.audit_rows()] == [
        (None, "unknown user"),
        ("mallory", "unknown user"),
    ]


# ---------------------------------------------------------------- file, settings, policy


def test_store_file_and_directory_are_private(store, alice):
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        wal = store.path.with_name(store.path.name + "-wal")
        assert wal.exists() and stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_users_db_lives_outside_what_readers_open(tmp_path):
    settings = Settings(home=tmp_path, ops_url="sqlite:///x")
    assert settings.users_db_path == tmp_path / "access" / "users.db"
    for shared in (settings.published_dir, settings.warehouse_dir):
        assert not settings.users_db_path.is_relative_to(shared)


def test_from_settings_reads_the_lockout_override(tmp_path, monkeypatch):
    monkeypatch.setenv(policy.LOCKOUT_MINUTES_ENV, "3")
    store = UserStore.from_settings(Settings(home=tmp_path, ops_url="sqlite:///x"))
    assert store.path == tmp_path / "access" / "users.db" and store.lockout == timedelta(minutes=3)


@pytest.mark.parametrize(("value", "expected"), [(None, 30), ("", 30), ("45", 45), (" 5 ", 5)])
def test_session_idle_minutes(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv(policy.SESSION_IDLE_MINUTES_ENV, raising=False)
    else:
        monkeypatch.setenv(policy.SESSION_IDLE_MINUTES_ENV, value)
    assert policy.session_idle_minutes() == expected


@pytest.mark.parametrize("value", ["0", "-5", "ten", "1.5"])
def test_invalid_minutes_are_refused_clearly(monkeypatch, value):
    monkeypatch.setenv(policy.SESSION_IDLE_MINUTES_ENV, value)
    monkeypatch.setenv(policy.LOCKOUT_MINUTES_ENV, value)
    with pytest.raises(ValueError, match=policy.SESSION_IDLE_MINUTES_ENV):
        policy.session_idle_minutes()
    with pytest.raises(ValueError, match=policy.LOCKOUT_MINUTES_ENV):
        policy.lockout_minutes()


# ---------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3520212345671", "35202-*******-1"),
        ("35202-1234567-1", "35202-*******-1"),
        (" 35202 1234567 1 ", "35202-*******-1"),
        ("35202-123456-1", "*****"),
        ("N/A", "*****"),
        ("٣٥٢٠٢١٢٣٤٥٦٧١", "*****"),  # Arabic-Indic digits are not a CNIC
        ("", ""),
        (None, None),
    ],
)
def test_mask_cnic(value, expected):
    assert mask_cnic(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Muhammad Ali Khan", "M******* A** K***"),
        ("Gul  Bibi", "G**  B***"),
        ("محمد علی", "م*** ع**"),
        ("A", "A"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_name(value, expected):
    assert mask_name(value) == expected


def test_mask_text_masks_every_cnic_in_free_text():
    text = "accused 35202-1234567-1 and 4210112345678, phone 0300-1234567, ref 12345"
    assert mask_text(text) == "accused 35202-*******-1 and 42101-*******-8, phone 0300-1234567, ref 12345"


TRICKY = [
    None, "", " ", "  ", "a", "ab", "N/A", "-", "0000000000000", "3520212345671", "35202-1234567-1",
    " 35202-1234567-1 ", "35202 1234567 1", "35202-12345671", "35202-123456-1", "352021234567123",
    "35202--1234567-1", "Muhammad Ali Khan", "Muhammad  Ali   Khan ", " leading", "trailing ",
    "Zoë Ångström", "محمد علی خان", "José", "Jose\u0301", "名前 テスト", "tab\tname", "O'Brien",
    "two 3520212345671 cnics 42101-1234567-9.", "3520212345671,4210112345678", "٣٥٢٠٢١٢٣٤٥٦٧١",
    "new\nline\t ", "x\t",
]


def test_sql_masks_agree_with_python_masks():
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, \"weird col\" VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(TRICKY)))
    column = '"weird col"'
    rows = con.execute(
        f"SELECT {cnic_mask_sql(column)}, {name_mask_sql(column)}, {text_mask_sql(column)} FROM t ORDER BY i"
    ).fetchall()
    expected = [(mask_cnic(v), mask_name(v), mask_text(v)) for v in TRICKY]
    mismatches = [(v, got, want) for v, got, want in zip(TRICKY, rows, expected, strict=True) if got != want]
    assert mismatches == []
