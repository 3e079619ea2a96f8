"""The ``antismuggling`` command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from antismuggling.config import load_settings
from antismuggling.feeds.cli import feeds_app

if TYPE_CHECKING:
    from antismuggling.access.store import UserRecord, UserStore

app = typer.Typer(
    name="antismuggling",
    help="Analytics warehouse and dashboard of the customs anti-smuggling system.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reference_app = typer.Typer(help="Reference data loaded into the warehouse.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")
users_app = typer.Typer(help="Dashboard users: add, list, disable, unlock, change roles.", no_args_is_help=True)
app.add_typer(users_app, name="users")
audit_app = typer.Typer(help="The audit trail of sign-ins, user changes and data access.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(feeds_app, name="feeds")

err = Console(stderr=True)


@app.callback()
def main() -> None:
    """Runs before every command: what this process writes is private, and no error shows a password."""
    from antismuggling.config import keep_files_private, secure_home

    keep_files_private()  # inherited by every process started from here: dbt, the demo's servers
    sys.excepthook = _excepthook_without_secrets
    try:
        settings = load_settings()
    except (ValueError, OSError) as exc:
        fail(str(exc), code=2)
    exposed = secure_home(settings.home)
    if exposed:
        err.print(f"[bold yellow]warning:[/] {_terminal_safe(exposed.describe(settings.home))}", highlight=False, soft_wrap=True)


def _excepthook_without_secrets(kind, exc, tb) -> None:
    """An unexpected error's traceback, with store passwords hidden (drivers quote whole DSNs)."""
    import traceback

    sys.stderr.write(_terminal_safe("".join(traceback.format_exception(kind, exc, tb))))


def _terminal_safe(text: str) -> str:
    """``text`` (an error quoting data or a driver) with no store password and no terminal
    control character; newlines stay."""
    from antismuggling.query import escape_controls
    from antismuggling.store.urls import redact_secrets

    try:
        urls = [load_settings().ops_url]
    except Exception:  # an invalid configuration: the generic patterns still apply
        urls = []
    return "\n".join(escape_controls(line) for line in redact_secrets(text, urls).split("\n"))


def fail(message: str, code: int = 1) -> None:
    from rich.markup import escape

    message = escape(_terminal_safe(message))  # and "[...]" in the data is no markup
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)  # a long message stays one line
    raise typer.Exit(code)


UntilOption = Annotated[
    datetime | None,
    typer.Option(
        "--until", formats=["%Y-%m-%d"], show_default=False,
        help="The day the store runs up to (YYYY-MM-DD): every timestamp is before 00:00 UTC of it. "
        "Default: today (UTC), the day it is generated; pin it for a reproducible store.",
    ),
]


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@app.command()
def generate(
    cases: Annotated[int, typer.Option("--cases", min=1, help="Number of seizure cases.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same store.")] = 1,
    out: Annotated[str | None, typer.Option("--out", help="Store URL (sqlite:///path or postgresql://…); default: ANTISMUGGLING_OPS_URL.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Drop and recreate the tables if the store already has data.")] = False,
    until: UntilOption = None,
) -> None:
    """Write a demo operational store that follows the source contract.

    The store runs up to the day it is generated, like a live service: every timestamp is before
    00:00 UTC of --until (default today), so the latest entries are yesterday's. The same --seed,
    --cases and --until give the same store.
    """
    from antismuggling.store.generate import generate_store, today_utc
    from antismuggling.store.schema import StoreNotEmptyError

    url = out or load_settings().ops_url
    try:
        summary = generate_store(url, cases, seed, as_of=_day(until) or today_utc(), replace=replace, progress=True)
    except (ValueError, StoreNotEmptyError) as exc:
        fail(str(exc))
    err.print(f"wrote {summary.describe()}", highlight=False)


@app.command()
def refresh(
    full: Annotated[bool, typer.Option("--full", help="Reload every source table instead of only the changes.")] = False,
) -> None:
    """Load, validate, build and publish the marts once; non-zero exit on failure."""
    from antismuggling.refresh import RefreshError, run_refresh

    settings = load_settings()
    err.print(f"refreshing from {_redacted(settings.ops_url)} into {settings.home} ({'full' if full else 'incremental'})")
    try:
        outcome = run_refresh(settings, full=full)
    except RefreshError as exc:
        fail(str(exc))
    if not outcome.success:
        where = ", ".join(outcome.failed_steps) or "an unknown step"
        consequence = (
            f"The marts were published ({outcome.published.name}) before the failure; see the check above."
            if outcome.published
            else "The last published marts are unchanged."
        )
        fail(f"refresh failed at {where}: {outcome.error}\n{consequence}")
    if outcome.up_to_date is not None:
        current = outcome.up_to_date
        err.print(
            f"[green]up to date[/]: the store has nothing new since {current.snapshot.name} "
            f"(published {current.published_at:%Y-%m-%d %H:%M} UTC); nothing was rebuilt"
        )
        return
    err.print(f"[green]published[/] {outcome.published} (run {outcome.run_id})")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement over the published marts.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Run one read-only SQL statement against the published marts and print the result."""
    import duckdb

    from antismuggling.publish import NothingPublishedError
    from antismuggling.query import QueryRefused, QueryTimedOut, open_query, write_csv, write_json

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}", code=2)
    write = write_csv if fmt == "csv" else write_json
    try:
        with open_query(load_settings(), sql) as (columns, rows):
            write(columns, rows, sys.stdout)
    except QueryRefused as exc:
        fail(f"refused: {exc}", code=3)
    except (NothingPublishedError, QueryTimedOut, ValueError) as exc:
        fail(str(exc))
    except duckdb.Error as exc:
        fail(f"query failed: {exc}")


@reference_app.command("load-hs")
def load_hs(
    file: Annotated[Path, typer.Argument(help="CSV with columns section,hscode,description,parent,level.")],
) -> None:
    """Load an HS nomenclature CSV; the next refresh classifies items against it."""
    from antismuggling.reference import ReferenceFileError, load_hs_nomenclature
    from antismuggling.refresh import RefreshError, refresh_lock

    settings = load_settings()
    try:
        with refresh_lock(settings):
            result = load_hs_nomenclature(settings.warehouse_path, file)
    except (ReferenceFileError, RefreshError) as exc:
        fail(str(exc))
    levels = ", ".join(f"{n} at level {lvl}" for lvl, n in result.by_level.items())
    skipped = f"; skipped {result.skipped_totals} grand-total row(s)" if result.skipped_totals else ""
    err.print(f"loaded {result.rows} HS codes ({levels}){skipped}; run `antismuggling refresh` to apply them")


@app.command()
def demo(
    cases: Annotated[int, typer.Option("--cases", min=1, help="Cases in the demo store, if it must be created.")] = 20_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    allow_remote: Annotated[
        bool, typer.Option("--allow-remote", help="Let ANTISMUGGLING_BIND be an address other machines reach.")
    ] = False,
    until: UntilOption = None,
) -> None:
    """Create the demo store if missing, run a full refresh, serve the dashboard and the Dagster UI (read-only).

    Prints one line per step, then the addresses; the servers' and the refresh's output goes to
    <home>/logs/demo.log. Ctrl+C stops everything. A store created here runs up to --until
    (default today), like a live service.
    """
    from antismuggling.serve import DemoInterrupted, run_demo

    try:
        run_demo(load_settings(), cases=cases, seed=seed, allow_remote=allow_remote, until=_day(until))
    except DemoInterrupted as stop:
        raise typer.Exit(stop.exit_code) from None
    except RuntimeError as exc:
        fail(str(exc))


UsernameArgument = Annotated[str, typer.Argument(help="The user's username.")]
FormationsOption = Annotated[
    list[str] | None,
    typer.Option("--formation", help="Formation code the user may see (repeat for several); formation_officer only."),
]
PasswordStdinOption = Annotated[
    bool,
    typer.Option("--password-stdin", help="Read the password from one line of standard input (for scripts) instead of prompting."),
]


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="3 to 32 characters: a letter, then letters, digits, '.', '_' or '-'.")],
    role: Annotated[str, typer.Option("--role", help="dg, analyst, formation_officer or admin.")],
    formation: FormationsOption = None,
    name: Annotated[str | None, typer.Option("--name", help="Display name.")] = None,
    oidc_subject: Annotated[str | None, typer.Option("--oidc-subject", help="E-mail (or subject) the user signs in with through OIDC.")] = None,
    password_stdin: PasswordStdinOption = False,
    no_password: Annotated[bool, typer.Option("--no-password", help="No password: OIDC sign-in only (needs --oidc-subject).")] = False,
) -> None:
    """Add a dashboard user. The password is asked for twice and never shown."""
    from antismuggling.access.errors import AccessError, UserExistsError
    from antismuggling.access.store import normalise_role, normalise_username

    if no_password and password_stdin:
        fail("--no-password and --password-stdin exclude each other", code=2)
    if no_password and not oidc_subject:
        fail("--no-password needs --oidc-subject: the user must have some way to sign in", code=2)
    store = _user_store()
    try:
        # Check all but the password first, so nobody types a password for a user that is refused anyway.
        role, _ = normalise_role(role, formation or ())
        username = normalise_username(username)
        if store.get(username) is not None:
            raise UserExistsError(f"user {username!r} already exists")
        password = None if no_password else _new_password(password_stdin)
        store.add_user(username, role, password, formation or (), name, oidc_subject, actor=_cli_actor())
    except AccessError as exc:
        fail(str(exc))
    err.print(f"added {username} as {role}", highlight=False)


@users_app.command("list")
def users_list(
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
) -> None:
    """List the users with their role, formations and sign-in state (never a password)."""
    import csv

    if fmt not in ("table", "csv"):
        fail(f"--format must be table or csv, not {fmt!r}", code=2)
    users = _user_store().list_users()
    now = datetime.now().astimezone()
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(("username", "display_name", "role", "formations", "status", "last_login_utc", "sign_in"))
        for user in users:
            last_login = user.last_login_at.isoformat() if user.last_login_at else ""
            writer.writerow((user.username, user.display_name or "", user.role, ",".join(user.formations),
                             user.status(now), last_login, _sign_in_methods(user)))
        return
    if not users:
        err.print("no users yet; add one with `antismuggling users add`")
        return

    from rich.table import Column, Table

    headers = ("username", "name", "role", "formations", "status", "last login", "sign-in")
    table = Table(*(Column(header, overflow="fold") for header in headers))  # fold, never cut a name short
    for user in users:
        last_login = f"{user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "never"
        table.add_row(user.username, user.display_name or "", user.role, ", ".join(user.formations),
                      user.status(now), last_login, _sign_in_methods(user))
    Console().print(table)


@users_app.command("disable")
def users_disable(username: UsernameArgument) -> None:
    """Stop a user from signing in; their audit history stays."""
    store = _user_store()
    _apply_user_change(lambda actor: store.disable(username, actor=actor), f"disabled {username}")


@users_app.command("enable")
def users_enable(username: UsernameArgument) -> None:
    """Let a disabled user sign in again."""
    store = _user_store()
    _apply_user_change(lambda actor: store.enable(username, actor=actor), f"enabled {username}")


@users_app.command("unlock")
def users_unlock(username: UsernameArgument) -> None:
    """Lift a lockout after too many failed sign-ins."""
    store = _user_store()
    _apply_user_change(lambda actor: store.unlock(username, actor=actor), f"unlocked {username}")


@users_app.command("reset-password")
def users_reset_password(username: UsernameArgument, password_stdin: PasswordStdinOption = False) -> None:
    """Give a user a new password (asked for twice); also lifts any lockout."""
    store = _user_store()
    if store.get(username) is None:
        fail(f"no user named {username!r}")
    password = _new_password(password_stdin)
    _apply_user_change(
        lambda actor: store.reset_password(username, password, actor=actor), f"new password set for {username}"
    )


@users_app.command("set-role")
def users_set_role(
    username: UsernameArgument,
    role: Annotated[str, typer.Argument(help="dg, analyst, formation_officer or admin.")],
    formation: FormationsOption = None,
) -> None:
    """Change a user's role (and formations, for a formation_officer)."""
    store = _user_store()
    _apply_user_change(
        lambda actor: store.set_role(username, role, formation or (), actor=actor), f"{username} is now {role}"
    )


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", dir_okay=False, help="CSV file to write.")],
    since: Annotated[
        datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="Only rows from this UTC day on (YYYY-MM-DD).")
    ] = None,
) -> None:
    """Write the audit trail to a CSV file, oldest row first."""
    store = _user_store()
    since_day = since.date() if since else None
    try:
        written = store.export_audit_csv(out, since=since_day)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    store.audit(_cli_actor(), "audit_export", target=str(out), n_rows=written,
                detail=f"since {since_day}" if since_day else None)
    err.print(f"wrote {written} audit rows to {out}", highlight=False)


def _user_store() -> UserStore:
    from antismuggling.access.store import UserStore

    try:
        return UserStore.from_settings(load_settings())
    except ValueError as exc:  # an invalid ANTISMUGGLING_LOCKOUT_MINUTES
        fail(str(exc))


def _cli_actor() -> str:
    """Who ran the command, as recorded in the audit trail."""
    import getpass
    import os

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name and no passwd entry, as in some containers
        return f"cli:uid{os.getuid()}"


def _new_password(from_stdin: bool) -> str:
    if not from_stdin:
        return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    password = sys.stdin.readline().rstrip("\r\n")  # spaces may be part of the password
    if not password:
        fail("--password-stdin: no password on standard input")
    return password


def _apply_user_change(change: Callable[[str], None], done: str) -> None:
    """Run one user-store change as the CLI's actor; a refused change is a one-line error."""
    from antismuggling.access.errors import AccessError

    try:
        change(_cli_actor())
    except AccessError as exc:
        fail(str(exc))
    err.print(done, highlight=False)


def _sign_in_methods(user: UserRecord) -> str:
    methods = (["password"] if user.has_password else []) + ([f"oidc {user.oidc_subject}"] if user.oidc_subject else [])
    return " + ".join(methods)


def _redacted(url: str) -> str:
    from antismuggling.store.urls import redact_url

    return redact_url(url)


if __name__ == "__main__":
    app()
