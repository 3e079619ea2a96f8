"""The local user store, the dashboard's sign-in sessions and the audit trail: one SQLite file
(``Settings.users_db_path``) readable only by its owner.

Every method opens its own short-lived connection, so one ``UserStore`` can be shared by the
dashboard's threads and by several processes (WAL mode, a busy timeout, write transactions that
take the lock up front). Passwords and hashes never reach the audit trail, a log or an exception.

A dashboard session (:meth:`UserStore.start_session`) is a random token the browser keeps in
an HttpOnly cookie; the store keeps only its SHA-256 (``sessions.token_hash``), so a copy of
the file signs nobody in. A session ends when its user signs out, stays idle longer than
``ANTISMUGGLING_SESSION_IDLE_MINUTES``, is disabled, gets another role or formations, or has
their password reset (:meth:`UserStore.check_session`).
"""

import csv
import hashlib
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO

from antismuggling.access import policy
from antismuggling.access.errors import (
    AccessError,
    InvalidUserError,
    UnknownUserError,
    UserExistsError,
    WeakPasswordError,
)
from antismuggling.access.passwords import (
    check_strength,
    hash_password,
    needs_rehash,
    require_strength,
    verify_against_dummy,
    verify_password,
)
from antismuggling.access.roles import ROLES, Principal
from antismuggling.config import Settings
from antismuggling.spreadsheet import spreadsheet_safe

__all__ = [
    "AUDIT_COLUMNS",
    "AccessError",
    "AuthResult",
    "SessionCheck",
    "InvalidUserError",
    "UnknownUserError",
    "UserExistsError",
    "UserRecord",
    "UserStore",
    "WeakPasswordError",
    "normalise_role",
    "normalise_username",
    "session_token_hash",
]

USERNAME_RE = re.compile(r"[a-z][a-z0-9._-]{2,31}")
FORMATION_RE = re.compile(r"[A-Z0-9_-]{1,16}")
BUSY_TIMEOUT_MS = 5000
SCHEMA_VERSION = 3  # 2: the index that counts an address's failed sign-ins; 3: sessions
AUDIT_COLUMNS = ("seq", "at_utc", "username", "action", "target", "n_rows", "detail", "client")

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)
_SCHEMA = (
    f"""
    CREATE TABLE IF NOT EXISTS users (
        username            TEXT PRIMARY KEY COLLATE NOCASE,
        display_name        TEXT,
        role                TEXT NOT NULL CHECK (role IN ({_ROLE_LIST})),
        formations          TEXT NOT NULL DEFAULT '',      -- comma-separated upper-case formation codes
        oidc_subject        TEXT UNIQUE COLLATE NOCASE,    -- e-mail or subject of an OIDC sign-in
        password_hash       TEXT,                          -- NULL: signs in through OIDC only
        disabled            INTEGER NOT NULL DEFAULT 0,
        failed_attempts     INTEGER NOT NULL DEFAULT 0,
        locked_until        TEXT,                          -- UTC ISO-8601
        created_at          TEXT,
        updated_at          TEXT,
        password_changed_at TEXT,
        last_login_at       TEXT,
        CHECK (password_hash IS NOT NULL OR oidc_subject IS NOT NULL)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS audit_log (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        at_utc   TEXT NOT NULL,
        username TEXT,
        action   TEXT NOT NULL,
        target   TEXT,
        n_rows   INTEGER,
        detail   TEXT,
        client   TEXT
    )
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END
    """,
    # Every sign-in counts an address's recent failures (see UserStore.authenticate).
    """
    CREATE INDEX IF NOT EXISTS audit_log_client_action ON audit_log (client, action, at_utc)
    """,
    # Dashboard sessions: the browser holds the token, the store only its hash.
    """
    CREATE TABLE IF NOT EXISTS sessions (
        token_hash     TEXT PRIMARY KEY,              -- sha256 hex of the cookie's token
        username       TEXT NOT NULL COLLATE NOCASE,
        fingerprint    TEXT NOT NULL,                 -- role, formations and password change at the start
        created_at     TEXT NOT NULL,                 -- UTC ISO-8601
        last_seen_at   TEXT NOT NULL,
        revoked_at     TEXT,
        revoked_reason TEXT,                          -- logout, expired, disabled, role_changed, ...
        client         TEXT
    )
    """,
    """
    CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username, revoked_at)
    """,
)
# The audit rows that count as a failed sign-in from an address (the address throttle).
FAILED_SIGN_IN = "login_failed"
# A session's last_seen_at is written at most this often: a page run costs a read, not a write.
SESSION_TOUCH_SECONDS = 60
# Ended sessions (and ones idle this long) are deleted when a new one starts; the audit log keeps the history.
SESSION_KEEP_DAYS = 7


@dataclass(frozen=True)
class UserRecord:
    """A user as listed: everything but the password hash."""

    username: str
    display_name: str | None
    role: str
    formations: tuple[str, ...]
    disabled: bool
    locked_until: datetime | None
    failed_attempts: int
    last_login_at: datetime | None
    has_password: bool
    oidc_subject: str | None

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and _utc(now) < self.locked_until

    def status(self, now: datetime | None = None) -> str:
        """``active``, ``disabled`` or ``locked until <UTC time>``, as user lists show it."""
        if self.disabled:
            return "disabled"
        if self.is_locked(now):
            return f"locked until {self.locked_until:%Y-%m-%d %H:%M} UTC"
        return "active"


@dataclass(frozen=True)
class AuthResult:
    """Outcome of a password sign-in; ``reason`` is ok, bad_credentials, locked, disabled or
    throttled (too many failures from the client's address)."""

    ok: bool
    principal: Principal | None
    reason: str


@dataclass(frozen=True)
class SessionCheck:
    """Outcome of :meth:`UserStore.check_session`: the session's user (fresh from the store)
    when it is live; else None and why: ``unknown`` (no such token), ``revoked`` (ended
    before), ``expired`` (idle too long, ended now), ``inactive`` (user disabled or gone),
    ``changed`` (role, formations or password changed since it started). ``ended_as`` says
    how a session that had ended already ended (``logout``, ``expired``, ``disabled``,
    ``role_changed``, ``password_reset``, …)."""

    principal: Principal | None
    reason: str
    ended_as: str | None = None

    @property
    def ok(self) -> bool:
        return self.principal is not None


def session_token_hash(token: str) -> str:
    """What the store keeps of a session token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_username(username: str) -> str:
    """The stored form of a username (lower case), or InvalidUserError saying what is wrong with it."""
    name = username.strip().lower()
    if not USERNAME_RE.fullmatch(name):
        raise InvalidUserError(
            f"invalid username {username!r}: 3 to 32 characters, a letter first, then letters, digits, '.', '_' or '-'"
        )
    return name


def normalise_role(role: str, formations: Iterable[str] = ()) -> tuple[str, tuple[str, ...]]:
    """The role and its sorted upper-case formation codes, or InvalidUserError if they do not go together."""
    role = role.strip().lower()
    if role not in ROLES:
        raise InvalidUserError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
    codes = tuple(sorted({code.strip().upper() for code in formations}))
    invalid = [code for code in codes if not FORMATION_RE.fullmatch(code)]
    if invalid:
        raise InvalidUserError(
            f"invalid formation code {', '.join(map(repr, invalid))}: 1 to 16 of A-Z, 0-9, '_' and '-'"
        )
    if role == "formation_officer" and not codes:
        raise InvalidUserError("a formation_officer needs at least one formation")
    if role != "formation_officer" and codes:
        raise InvalidUserError(f"only a formation_officer has formations; role {role} takes none")
    return role, codes


class UserStore:
    """Users, their sign-in state and the append-only audit trail, in one SQLite file."""

    def __init__(self, path: Path, lockout_minutes: int = policy.DEFAULT_LOCKOUT_MINUTES) -> None:
        if lockout_minutes < 1:
            raise ValueError(f"lockout_minutes must be at least 1, not {lockout_minutes}")
        self.path = Path(path)
        self.lockout = timedelta(minutes=lockout_minutes)
        self._create()

    @classmethod
    def from_settings(cls, settings: Settings) -> "UserStore":
        """The store of ``settings.home``, with the lockout of ANTISMUGGLING_LOCKOUT_MINUTES (ValueError if invalid)."""
        return cls(settings.users_db_path, lockout_minutes=policy.lockout_minutes())

    # ------------------------------------------------------------------ connections

    def _create(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, mode=0o700)
        except FileExistsError:
            pass  # an existing directory is left as it is; the file below is private either way
        else:
            os.chmod(self.path.parent, 0o700)  # mkdir's mode is filtered by the umask
        # Create the file private before SQLite opens it; SQLite gives its -wal and -shm files the same mode.
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)
        with closing(self._connect()) as con:
            if con.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
                return  # already set up: opening the store costs no write
            con.execute("PRAGMA journal_mode = WAL")  # persistent; readers never wait for the writer
        with self._transaction() as con:
            for statement in _SCHEMA:
                con.execute(statement)
            con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, isolation_level=None)  # transactions are explicit
        con.row_factory = sqlite3.Row
        con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        return con

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; IMMEDIATE takes the write lock first, so read-then-update cannot interleave."""
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # ------------------------------------------------------------------ users

    def add_user(
        self,
        username: str,
        role: str,
        password: str | None,
        formations: Iterable[str] = (),
        display_name: str | None = None,
        oidc_subject: str | None = None,
        *,
        actor: str,
    ) -> None:
        """Add a user who signs in with ``password``, through OIDC as ``oidc_subject``, or both."""
        name = normalise_username(username)
        role, codes = normalise_role(role, formations)
        subject = (oidc_subject or "").strip() or None
        if password is None and subject is None:
            raise InvalidUserError(f"user {name!r} needs a password or an OIDC subject to sign in with")
        password_hash = None
        if password is not None:
            require_strength(password, name)
            password_hash = hash_password(password)  # before the transaction: hashing is slow
        now = _iso(_utc(None))
        with self._transaction() as con:
            if con.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
                raise UserExistsError(f"user {name!r} already exists")
            owner = subject and con.execute("SELECT username FROM users WHERE oidc_subject = ?", (subject,)).fetchone()
            if owner:
                raise UserExistsError(f"OIDC subject {subject!r} already belongs to user {owner['username']!r}")
            con.execute(
                "INSERT INTO users (username, display_name, role, formations, oidc_subject, password_hash,"
                " created_at, updated_at, password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, (display_name or "").strip() or None, role, ",".join(codes), subject, password_hash,
                 now, now, now if password_hash else None),
            )
            sign_in = "+".join(method for method, used in (("password", password_hash), ("oidc", subject)) if used)
            _append_audit(con, actor, "user_add", target=name,
                          detail=f"role {role}; formations {_codes_text(codes)}; sign-in {sign_in}")

    def list_users(self) -> list[UserRecord]:
        with closing(self._connect()) as con:
            return [_record(row) for row in con.execute("SELECT * FROM users ORDER BY username")]

    def get(self, username: str) -> UserRecord | None:
        with closing(self._connect()) as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username.strip(),)).fetchone()
        return _record(row) if row else None

    def active_principal(self, username: str) -> Principal | None:
        """The principal of an enabled user, not audited: for re-checking a signed-in session on each page run."""
        with closing(self._connect()) as con:
            row = con.execute("SELECT * FROM users WHERE username = ? AND NOT disabled", (username.strip(),)).fetchone()
        return _principal(row) if row else None

    def disable(self, username: str, *, actor: str) -> None:
        """Disable the account; its sessions end at once."""
        self._modify(username, actor, "user_disable", {"disabled": 1}, end_sessions="disabled")

    def enable(self, username: str, *, actor: str) -> None:
        self._modify(username, actor, "user_enable", {"disabled": 0})

    def unlock(self, username: str, *, actor: str) -> None:
        self._modify(username, actor, "user_unlock", {"failed_attempts": 0, "locked_until": None})

    def reset_password(self, username: str, new_password: str, *, actor: str) -> None:
        """Set a new password (strength-checked) and clear failed attempts and any lock; the
        user's sessions end (whoever knew the old password must not stay signed in)."""
        require_strength(new_password, username.strip().lower())
        self._modify(
            username,
            actor,
            "user_reset_password",
            {
                "password_hash": hash_password(new_password),
                "password_changed_at": _iso(_utc(None)),
                "failed_attempts": 0,
                "locked_until": None,
            },
            end_sessions="password_reset",
        )

    def set_role(self, username: str, role: str, formations: Iterable[str] = (), *, actor: str) -> None:
        """Change the role and formations; when they change, the user's sessions end."""
        role, codes = normalise_role(role, formations)
        self._modify(
            username,
            actor,
            "user_set_role",
            {"role": role, "formations": ",".join(codes)},
            describe=lambda before: (
                f"role {before['role']} -> {role}; "
                f"formations {_codes_text(_split_codes(before['formations']))} -> {_codes_text(codes)}"
            ),
            end_sessions=lambda before: (
                "role_changed" if (before["role"], before["formations"]) != (role, ",".join(codes)) else None
            ),
        )

    def _modify(
        self,
        username: str,
        actor: str,
        action: str,
        changes: dict[str, object],
        describe: Callable[[sqlite3.Row], str] | None = None,
        end_sessions: str | Callable[[sqlite3.Row], str | None] | None = None,
    ) -> None:
        """Apply ``changes`` to one user and audit them as ``action`` by ``actor``; then end the
        user's sessions for the reason ``end_sessions`` gives (a text, or one worked out from the
        row before the change; None: they go on)."""
        with self._transaction() as con:
            before = con.execute("SELECT * FROM users WHERE username = ?", (username.strip(),)).fetchone()
            if before is None:
                raise UnknownUserError(f"no user named {username.strip()!r}")
            assignments = ", ".join(f"{column} = ?" for column in changes)
            con.execute(
                f"UPDATE users SET {assignments}, updated_at = ? WHERE username = ?",
                (*changes.values(), _iso(_utc(None)), before["username"]),
            )
            _append_audit(con, actor, action, target=before["username"], detail=describe(before) if describe else None)
            reason = end_sessions(before) if callable(end_sessions) else end_sessions
            if reason:
                _end_user_sessions(con, before["username"], reason, _utc(None))

    # ------------------------------------------------------------------ sign-in

    def authenticate(
        self, username: str, password: str, *, client: str = "", now: datetime | None = None
    ) -> AuthResult:
        """Check a password sign-in, count failures, lock after too many, and audit the outcome.

        ``client`` is the address the attempt comes from: after MAX_FAILED_ATTEMPTS_PER_ADDRESS
        failed sign-ins from it (over any accounts, known or not) within the lockout window,
        its attempts are refused unchecked until the oldest of them is out of the window. An
        empty ``client`` (the command line) is not throttled.
        """
        at = _utc(now)
        name = username.strip().lower()
        # Verification runs inside the write transaction: concurrent attempts on one account are
        # counted one after another. Argon2 takes ~50 ms, a fair price for exact lockout counts.
        with self._transaction() as con:
            if client and self._address_failures(con, client, at) >= policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS:
                # Refused before the password is looked at, whoever the account: a guesser
                # spreading attempts over many accounts learns nothing more from this address.
                _append_audit(con, _recordable(username), "login_refused_throttled",
                              detail=f"{policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS} or more failed sign-ins from this "
                              f"address in {self._lockout_text()}", client=client, at=at)
                return AuthResult(False, None, "throttled")
            result = self._authenticate(con, name, username, password, client, at)
            if not result.ok and client and self._address_failures(con, client, at) == policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS:
                _append_audit(con, None, "address_throttled",
                              detail=f"{policy.MAX_FAILED_ATTEMPTS_PER_ADDRESS} failed sign-ins from this address in "
                              f"{self._lockout_text()}; further attempts refused", client=client, at=at)
            return result

    def _address_failures(self, con: sqlite3.Connection, client: str, at: datetime) -> int:
        """Failed sign-ins from ``client`` within the lockout window before ``at``."""
        return con.execute(
            "SELECT count(*) FROM audit_log WHERE client = ? AND action = ? AND at_utc > ? AND at_utc <= ?",
            (client, FAILED_SIGN_IN, _iso(at - self.lockout), _iso(at)),
        ).fetchone()[0]

    def _lockout_text(self) -> str:
        return f"{self.lockout.total_seconds() / 60:.0f} minutes"

    def _authenticate(
        self, con: sqlite3.Connection, name: str, username: str, password: str, client: str, at: datetime
    ) -> AuthResult:
        row = con.execute("SELECT * FROM users WHERE username = ?", (name,)).fetchone()
        if row is None:
            verify_against_dummy(password)  # as slow as a wrong password: no telling who exists
            _append_audit(con, _recordable(username), FAILED_SIGN_IN, detail="unknown user", client=client, at=at)
            return AuthResult(False, None, "bad_credentials")

        name = row["username"]
        failed = row["failed_attempts"]
        locked_until = _parse_time(row["locked_until"])
        if locked_until is not None and at >= locked_until:  # the lock has run out: a fresh set of attempts
            con.execute("UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", (name,))
            failed, locked_until = 0, None

        if row["disabled"]:
            # Same answer whether the password is right or not; only a wrong one is counted.
            password_ok = _password_matches(row["password_hash"], password)
            _append_audit(con, name, "login_refused_disabled",
                          detail=None if password_ok else "wrong password", client=client, at=at)
            if not password_ok and locked_until is None:
                self._count_failure(con, name, failed, at, client)
            return AuthResult(False, None, "disabled")

        if locked_until is not None:
            _append_audit(con, name, "login_refused_locked", detail=f"locked until {_iso(locked_until)}",
                          client=client, at=at)
            return AuthResult(False, None, "locked")

        if not _password_matches(row["password_hash"], password):
            _append_audit(con, name, FAILED_SIGN_IN,
                          detail=f"wrong password ({failed + 1} of {policy.MAX_FAILED_ATTEMPTS})",
                          client=client, at=at)
            self._count_failure(con, name, failed, at, client)
            return AuthResult(False, None, "bad_credentials")

        password_hash = row["password_hash"]
        if needs_rehash(password_hash):  # parameters were raised since: upgrade while we have the password
            password_hash = hash_password(password)
        con.execute(
            "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ?, password_hash = ?"
            " WHERE username = ?",
            (_iso(at), password_hash, name),
        )
        _append_audit(con, name, "login", detail="password", client=client, at=at)
        return AuthResult(True, _principal(row), "ok")

    def _count_failure(self, con: sqlite3.Connection, name: str, failed_before: int, at: datetime, client: str) -> None:
        """One more failed attempt; the MAX_FAILED_ATTEMPTS-th in a row locks the account (audited once)."""
        failed = failed_before + 1
        locked_until = at + self.lockout if failed >= policy.MAX_FAILED_ATTEMPTS else None
        con.execute(
            "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
            (failed, _iso(locked_until) if locked_until else None, name),
        )
        if locked_until is not None:
            _append_audit(con, name, "lockout",
                          detail=f"{failed} failed sign-ins in a row; locked until {_iso(locked_until)}",
                          client=client, at=at)

    def principal_for_oidc(self, subject: str, *, client: str = "") -> Principal | None:
        """The enabled user an OIDC sign-in as ``subject`` maps to, audited; call once per sign-in, not per page run."""
        subject = subject.strip()
        with self._transaction() as con:
            row = con.execute("SELECT * FROM users WHERE oidc_subject = ?", (subject,)).fetchone() if subject else None
            if row is None:
                _append_audit(con, None, "login_failed", target=subject, detail="oidc: no user has this subject",
                              client=client)
                return None
            if row["disabled"]:
                _append_audit(con, row["username"], "login_refused_disabled", detail="oidc", client=client)
                return None
            con.execute("UPDATE users SET last_login_at = ? WHERE username = ?", (_iso(_utc(None)), row["username"]))
            _append_audit(con, row["username"], "login", detail="oidc", client=client)
            return _principal(row)

    # ------------------------------------------------------------------ sessions

    def start_session(self, username: str, *, client: str = "", now: datetime | None = None) -> str:
        """A new session for an enabled user, just signed in: returns its token (for the browser's
        cookie; the store keeps only :func:`session_token_hash` of it). UnknownUserError when the
        user is gone or disabled."""
        at = _utc(now)
        token = secrets.token_urlsafe(32)
        with self._transaction() as con:
            row = con.execute("SELECT * FROM users WHERE username = ? AND NOT disabled", (username.strip(),)).fetchone()
            if row is None:
                raise UnknownUserError(f"no enabled user named {username.strip()!r}")
            con.execute(
                "DELETE FROM sessions WHERE coalesce(revoked_at, last_seen_at) < ?",
                (_iso(at - timedelta(days=SESSION_KEEP_DAYS)),),
            )
            con.execute(
                "INSERT INTO sessions (token_hash, username, fingerprint, created_at, last_seen_at, client)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session_token_hash(token), row["username"], _fingerprint(row), _iso(at), _iso(at), client or None),
            )
        return token

    def check_session(
        self,
        token_hash: str,
        *,
        idle_minutes: int | None = None,
        client: str = "",
        now: datetime | None = None,
    ) -> SessionCheck:
        """Is the session of ``token_hash`` live? Call on every page run: it reads, and writes only
        to note activity (at most every SESSION_TOUCH_SECONDS) or to end the session. Idle longer
        than ``idle_minutes`` (ANTISMUGGLING_SESSION_IDLE_MINUTES by default), it ends, audited once
        as ``session_expired``; a disabled or changed user's session ends too, unaudited (the
        change was)."""
        at = _utc(now)
        idle = timedelta(minutes=policy.session_idle_minutes() if idle_minutes is None else idle_minutes)
        with closing(self._connect()) as con:
            session = con.execute("SELECT * FROM sessions WHERE token_hash = ?", (token_hash,)).fetchone()
            user = session and con.execute(
                "SELECT * FROM users WHERE username = ?", (session["username"],)
            ).fetchone()
        if session is None:
            return SessionCheck(None, "unknown")
        if session["revoked_at"] is not None:
            return SessionCheck(None, "revoked", session["revoked_reason"])
        if user is None or user["disabled"]:
            reason = "inactive"
        elif _fingerprint(user) != session["fingerprint"]:
            reason = "changed"
        elif at - _parse_time(session["last_seen_at"]) > idle:
            reason = "expired"
        else:
            if at - _parse_time(session["last_seen_at"]) >= timedelta(seconds=SESSION_TOUCH_SECONDS):
                with self._transaction() as con:
                    con.execute(
                        "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ? AND revoked_at IS NULL"
                        " AND last_seen_at < ?",
                        (_iso(at), token_hash, _iso(at)),
                    )
            return SessionCheck(_principal(user), "ok")
        with self._transaction() as con:
            ended = _end_session(con, token_hash, reason, at)
            if ended and reason == "expired":  # not ended by another run at the same moment
                _append_audit(con, session["username"], "session_expired",
                              detail=f"idle for more than {idle.total_seconds() / 60:.0f} minutes",
                              client=client or session["client"], at=at)
        return SessionCheck(None, reason)

    def end_session(self, token_hash: str, *, reason: str = "logout", now: datetime | None = None) -> bool:
        """End one session (sign-out); False when it had ended already or never existed."""
        with self._transaction() as con:
            return _end_session(con, token_hash, reason, _utc(now))

    def live_sessions(self, username: str) -> int:
        """How many sessions of ``username`` have not been ended (idle ones included until checked)."""
        with closing(self._connect()) as con:
            return con.execute(
                "SELECT count(*) FROM sessions WHERE username = ? AND revoked_at IS NULL", (username.strip(),)
            ).fetchone()[0]

    # ------------------------------------------------------------------ audit trail

    def audit(
        self,
        username: str | None,
        action: str,
        *,
        target: str | None = None,
        n_rows: int | None = None,
        detail: str | None = None,
        client: str | None = None,
    ) -> None:
        """Append one row to the audit trail (e.g. a page view or an export by ``username``)."""
        with self._transaction() as con:
            _append_audit(con, username, action, target=target, n_rows=n_rows, detail=detail, client=client)

    def audit_rows(
        self,
        limit: int = 5000,
        username: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
    ) -> list[dict]:
        """Audit rows, newest first, optionally of one user, one action, and from ``since`` (UTC) on."""
        where, params = _audit_filter(username=username, action=action, since=since)
        with closing(self._connect()) as con:
            rows = con.execute(
                f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log{where} ORDER BY seq DESC LIMIT ?", (*params, limit)
            )
            return [dict(row) for row in rows]

    def export_audit_csv(self, destination: str | os.PathLike | IO[str], *, since: date | datetime | None = None) -> int:
        """Write the audit trail (oldest first) as CSV to a path or an open text file; returns the rows written."""
        where, params = _audit_filter(since=since)
        with closing(self._connect()) as con:
            rows = con.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log{where} ORDER BY seq", params)
            if isinstance(destination, (str, os.PathLike)):
                with open(destination, "w", newline="", encoding="utf-8") as fh:
                    return _write_audit_csv(rows, fh)
            return _write_audit_csv(rows, destination)


# ---------------------------------------------------------------------- helpers


def _utc(moment: datetime | None) -> datetime:
    """``moment`` (now if None) in UTC; a naive datetime is taken to be UTC already."""
    if moment is None:
        return datetime.now(UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _split_codes(text: str) -> tuple[str, ...]:
    return tuple(code for code in text.split(",") if code)


def _codes_text(codes: tuple[str, ...]) -> str:
    return ",".join(codes) or "none"


def _recordable(username: str) -> str | None:
    """The name typed at sign-in as the audit log may record it: it may be a password typed into
    the wrong box, so anything that is not a username, or would pass as a password, is not."""
    name = username.strip().lower()
    return name if USERNAME_RE.fullmatch(name) and check_strength(username.strip(), "") else None


def _password_matches(password_hash: str | None, password: str) -> bool:
    if password_hash is None:  # an OIDC-only user: take the same time, and fail
        return verify_against_dummy(password)
    return verify_password(password_hash, password)


def _fingerprint(user: sqlite3.Row) -> str:
    """What a session holds of its user when it starts: any change to it ends the session."""
    return f"{user['role']}|{user['formations']}|{user['password_changed_at'] or ''}"


def _end_session(con: sqlite3.Connection, token_hash: str, reason: str, at: datetime) -> bool:
    return con.execute(
        "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE token_hash = ? AND revoked_at IS NULL",
        (_iso(at), reason, token_hash),
    ).rowcount == 1


def _end_user_sessions(con: sqlite3.Connection, username: str, reason: str, at: datetime) -> int:
    return con.execute(
        "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE username = ? AND revoked_at IS NULL",
        (_iso(at), reason, username),
    ).rowcount


def _principal(row: sqlite3.Row) -> Principal:
    return Principal(
        username=row["username"],
        role=row["role"],
        formations=_split_codes(row["formations"]),
        display_name=row["display_name"] or row["username"],
    )


def _record(row: sqlite3.Row) -> UserRecord:
    return UserRecord(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        formations=_split_codes(row["formations"]),
        disabled=bool(row["disabled"]),
        locked_until=_parse_time(row["locked_until"]),
        failed_attempts=row["failed_attempts"],
        last_login_at=_parse_time(row["last_login_at"]),
        has_password=row["password_hash"] is not None,
        oidc_subject=row["oidc_subject"],
    )


def _append_audit(
    con: sqlite3.Connection,
    username: str | None,
    action: str,
    *,
    target: str | None = None,
    n_rows: int | None = None,
    detail: str | None = None,
    client: str | None = None,
    at: datetime | None = None,
) -> None:
    if not action:
        raise ValueError("an audit row needs an action")
    con.execute(
        "INSERT INTO audit_log (at_utc, username, action, target, n_rows, detail, client)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_iso(_utc(at)), username, action, target, n_rows, detail, client or None),
    )


def _audit_filter(
    username: str | None = None, action: str | None = None, since: date | datetime | None = None
) -> tuple[str, list]:
    conditions, params = [], []
    if username is not None:
        conditions.append("username = ? COLLATE NOCASE")
        params.append(username)
    if action is not None:
        conditions.append("action = ?")
        params.append(action)
    if since is not None:
        # at_utc is ISO text in UTC, so text order is time order; a date compares as its midnight.
        conditions.append("at_utc >= ?")
        params.append(_iso(_utc(since)) if isinstance(since, datetime) else since.isoformat())
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), params


def _write_audit_csv(rows: Iterable[sqlite3.Row], fh: IO[str]) -> int:
    writer = csv.writer(fh)
    writer.writerow(AUDIT_COLUMNS)
    written = 0
    for row in rows:
        writer.writerow([spreadsheet_safe(value) for value in row])
        written += 1
    return written
