"""`antismuggling users` and `antismuggling audit` as an administrator runs them (in process, real files)."""

import csv
import getpass

import pytest
from typer.testing import CliRunner

from access_helpers import use_cheap_argon2
from antismuggling.access.store import UserStore
from antismuggling.cli import app
from antismuggling.config import load_settings

PASSWORD = "Gr33n-Lantern-Kx"
OTHER_PASSWORD = "Bl4ck-Canary-Qz!"
ACTOR = f"cli:{getpass.getuser()}"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    use_cheap_argon2(monkeypatch)


def run(*args: str, stdin: str | None = None, code: int = 0):
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exit_code == code, f"{args} exited {result.exit_code}:\n{result.output}"
    return result


def one_line(text: str) -> str:
    """Output with rich's line wrapping undone."""
    return " ".join(text.split())


def store() -> UserStore:
    return UserStore.from_settings(load_settings())


def add_alice(*extra: str):
    return run("users", "add", "alice", "--role", "formation_officer", "--formation", "lhr", "--name", "Alice Khan",
               "--password-stdin", *extra, stdin=PASSWORD + "\n")


def test_add_with_password_stdin_creates_a_user_who_can_sign_in(home):
    result = add_alice()
    assert "added alice as formation_officer" in result.stderr
    assert PASSWORD not in result.output
    user = store().get("alice")
    assert (user.role, user.formations, user.display_name) == ("formation_officer", ("LHR",), "Alice Khan")
    assert store().authenticate("alice", PASSWORD).ok
    assert (home / "access" / "users.db").is_file()


def test_add_prompts_twice_without_echoing_the_password(home):
    result = run("users", "add", "dg.office", "--role", "dg", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert PASSWORD not in result.output
    assert "Repeat for confirmation" in result.output
    assert store().authenticate("dg.office", PASSWORD).ok


def test_weak_password_is_refused_with_the_reasons(home):
    result = run("users", "add", "bob", "--role", "dg", "--password-stdin", stdin="bob12345\n", code=1)
    message = result.stderr.strip()
    assert "\n" not in message
    assert message.startswith("error: password is too weak") and "at least 12 characters" in message
    assert "bob12345" not in result.output
    assert store().get("bob") is None


def test_formation_officer_without_formation_fails_before_asking_for_a_password(home):
    result = run("users", "add", "omar", "--role", "formation_officer", code=1)
    assert "a formation_officer needs at least one formation" in one_line(result.stderr)
    assert "Password" not in result.output
    assert store().list_users() == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "eve", "--role", "boss", "--password-stdin"), "unknown role 'boss'"),
        (("users", "add", "x", "--role", "dg", "--password-stdin"), "invalid username 'x'"),
        (("users", "disable", "ghost"), "no user named 'ghost'"),
        (("users", "reset-password", "ghost", "--password-stdin"), "no user named 'ghost'"),
        (("users", "set-role", "ghost", "dg"), "no user named 'ghost'"),
    ],
)
def test_refused_requests_exit_1_with_a_clear_message(home, args, message):
    result = run(*args, stdin=PASSWORD + "\n", code=1)
    assert message in one_line(result.stderr)


def test_existing_username_is_refused_before_asking_for_a_password(home):
    add_alice()
    result = run("users", "add", "Alice", "--role", "dg", code=1)
    assert "user 'alice' already exists" in result.stderr
    assert "Password" not in result.output


def test_oidc_only_user_needs_no_password(home):
    run("users", "add", "dg.office", "--role", "dg", "--oidc-subject", "dg@customs.gov.pk", "--no-password")
    assert store().principal_for_oidc("dg@customs.gov.pk").username == "dg.office"
    result = run("users", "add", "dg.deputy", "--role", "dg", "--no-password", code=2)
    assert "--no-password needs --oidc-subject" in one_line(result.stderr)


def test_list_shows_users_and_never_a_password(home):
    add_alice()
    run("users", "add", "dg.office", "--role", "dg", "--oidc-subject", "dg@customs.gov.pk", "--no-password")
    table = run("users", "list").stdout
    assert "alice" in table and "dg.office" in table and "LHR" in table and "active" in table
    rows = list(csv.DictReader(run("users", "list", "--format", "csv").stdout.splitlines()))
    assert [(r["username"], r["role"], r["formations"], r["status"], r["sign_in"]) for r in rows] == [
        ("alice", "formation_officer", "LHR", "active", "password"),
        ("dg.office", "dg", "", "active", "oidc dg@customs.gov.pk"),
    ]
    for output in (table, str(rows)):
        assert PASSWORD not in output and "argon2" not in output


def test_set_role_disable_enable_and_reset_password(home):
    add_alice()
    run("users", "set-role", "alice", "formation_officer", "--formation", "khi", "--formation", "QTA")
    assert store().get("alice").formations == ("KHI", "QTA")
    result = run("users", "set-role", "alice", "analyst", "--formation", "KHI", code=1)
    assert "only a formation_officer has formations" in one_line(result.stderr)
    run("users", "set-role", "alice", "analyst")
    assert store().get("alice").role == "analyst"

    run("users", "disable", "alice")
    assert store().authenticate("alice", PASSWORD).reason == "disabled"
    assert "disabled" in run("users", "list", "--format", "csv").stdout
    run("users", "enable", "alice")

    result = run("users", "reset-password", "alice", "--password-stdin", stdin="weak\n", code=1)
    assert "password is too weak" in result.stderr
    run("users", "reset-password", "alice", "--password-stdin", stdin=OTHER_PASSWORD + "\n")
    assert store().authenticate("alice", PASSWORD).reason == "bad_credentials"
    assert store().authenticate("alice", OTHER_PASSWORD).ok


def test_unlock_lifts_a_lockout(home):
    add_alice()
    for _ in range(5):
        store().authenticate("alice", OTHER_PASSWORD)
    assert "locked until" in run("users", "list", "--format", "csv").stdout
    assert store().authenticate("alice", PASSWORD).reason == "locked"
    run("users", "unlock", "alice")
    assert store().authenticate("alice", PASSWORD).ok


def test_audit_export_writes_the_actions_with_the_cli_actor(home, tmp_path):
    add_alice()
    run("users", "set-role", "alice", "dg")
    run("users", "disable", "alice")
    run("users", "enable", "alice")
    run("users", "unlock", "alice")
    run("users", "reset-password", "alice", "--password-stdin", stdin=OTHER_PASSWORD + "\n")
    store().authenticate("alice", OTHER_PASSWORD, client="10.0.0.7")

    out = tmp_path / "audit.csv"
    result = run("audit", "export", "--out", str(out))
    assert "wrote 7 audit rows" in one_line(result.stderr)
    rows = list(csv.DictReader(out.open()))
    assert [(r["username"], r["action"], r["target"]) for r in rows] == [
        *((ACTOR, action, "alice") for action in
          ("user_add", "user_set_role", "user_disable", "user_enable", "user_unlock", "user_reset_password")),
        ("alice", "login", ""),
    ]
    assert PASSWORD not in out.read_text() and OTHER_PASSWORD not in out.read_text()
    # The export is audited itself, after the rows it wrote.
    assert store().audit_rows(limit=1)[0] | {"seq": 0, "at_utc": ""} == {
        "seq": 0, "at_utc": "", "username": ACTOR, "action": "audit_export", "target": str(out), "n_rows": 7,
        "detail": None, "client": None,
    }


def test_audit_export_since_a_day(home, tmp_path):
    add_alice()
    out = tmp_path / "audit.csv"
    result = run("audit", "export", "--out", str(out), "--since", "2999-01-01")
    assert "wrote 0 audit rows" in one_line(result.stderr)
    assert out.read_text().splitlines() == ["seq,at_utc,username,action,target,n_rows,detail,client"]
    run("audit", "export", "--out", str(out), "--since", "01/01/2020", code=2)
