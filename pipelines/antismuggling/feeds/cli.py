"""``antismuggling feeds``: list, run, history, verify, key export (contract: feeds.md).

Progress and messages go to standard error; standard output holds only the result: the
table of ``list`` / ``history``, the verdict of ``verify``, the key of ``key export``, and for
``run`` the delivery folders, the local one last (the last line of standard output is the
path of the delivery folder). A feed that cannot run or a destination that failed is one
``error:`` line and exit 1; nothing is then recorded as delivered for what failed.

``feeds verify DIR --key FILE`` needs nothing but the folder and the public key: it reads no
configuration and no data directory (what a partner runs). Without ``--key`` it checks
against this installation's own signing key.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

feeds_app = typer.Typer(
    help="Partner feeds: list them, deliver one now, see past deliveries, verify a delivery, export the key.",
    no_args_is_help=True,
)
key_app = typer.Typer(help="The installation's feed-signing key.", no_args_is_help=True)
feeds_app.add_typer(key_app, name="key")

err = Console(stderr=True)


def _fail(message: str) -> None:
    from antismuggling.cli import fail  # the one error line of the CLI (secrets and markup escaped)

    fail(message)


def _settings():
    from antismuggling.config import load_settings

    return load_settings()


def _actor() -> str:
    from antismuggling.cli import _cli_actor

    return _cli_actor()


def _config(settings):
    from antismuggling.feeds.config import FeedsConfigError, load_feeds_config

    try:
        return load_feeds_config(settings)
    except FeedsConfigError as exc:
        _fail(f"feeds configuration: {exc}")


def _pkt(utc_text: str | None) -> str:
    """``2026-11-30T22:00:05Z`` -> ``2026-12-01 03:00 PKT``."""
    if not utc_text:
        return ""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    moment = datetime.fromisoformat(utc_text.replace("Z", "+00:00"))
    return f"{moment.astimezone(ZoneInfo('Asia/Karachi')):%Y-%m-%d %H:%M} PKT"


def _rows(by_op: dict[str, int]) -> str:
    return f"I={by_op.get('I', 0)} U={by_op.get('U', 0)} D={by_op.get('D', 0)}"


def _print_table(headers: tuple[str, ...], rows: list[tuple], fmt: str) -> None:
    if fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return
    from rich.table import Column, Table

    table = Table(*(Column(h, overflow="fold") for h in headers))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    Console(width=max(Console().width, 160)).print(table)


@feeds_app.command("list")
def feeds_list(
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
) -> None:
    """Every feed: partner, personal-data class, mode, schedule, destinations, last delivery."""
    from antismuggling.feeds import list_feeds
    from antismuggling.feeds.schedule import next_fire

    if fmt not in ("table", "csv"):
        _fail(f"--format must be table or csv, not {fmt!r}")
    settings = _settings()
    config = _config(settings)
    rows = []
    for summary in list_feeds(settings, config):
        feed = summary.feed
        last = []
        for name in feed.destinations:
            attempt = summary.last[name]
            delivered = summary.last_delivered[name]
            if attempt is None:
                last.append(f"{name}: never")
                continue
            text = f"{name}: seq {attempt.seq} {attempt.status} {_pkt(attempt.finished_at or attempt.created_at)}"
            if attempt.status != "delivered" and delivered is not None:
                text += f" (last delivered seq {delivered.seq} {_pkt(delivered.finished_at)})"
            last.append(text)
        upcoming = next_fire(feed.schedule, feed.timezone) if feed.enabled else None
        rows.append((
            feed.id, feed.partner, feed.personal_data, feed.mode, f"{feed.schedule} ({feed.timezone})",
            ", ".join(feed.destinations), "yes" if feed.enabled else "no", "; ".join(last),
            f"{upcoming:%Y-%m-%d %H:%M} {upcoming.tzname()}" if upcoming else "",
        ))
    _print_table(("feed", "partner", "personal data", "mode", "schedule", "destinations", "enabled",
                  "last delivery", "next delivery"), rows, fmt)


@feeds_app.command("run")
def feeds_run(
    feed: Annotated[str, typer.Argument(help="Feed id: ncen, cen, ntc, psw, lea-anf, lea-fia or a site's own.")],
    destination: Annotated[str | None, typer.Option("--destination", help="Only this destination of the feed.")] = None,
    full: Annotated[bool, typer.Option("--full", help="A full delivery (only I rows), replacing what the partner holds.")] = False,
) -> None:
    """Build and deliver one feed now from the current published snapshot."""
    from antismuggling.feeds import FeedDeliveryError, FeedError, FeedsConfigError, run_feed
    from antismuggling.feeds.signing import SigningError

    settings = _settings()
    config = _config(settings)

    def log(message: str) -> None:
        err.print(message, highlight=False, markup=False, soft_wrap=True)

    try:
        result = run_feed(settings, feed, destination=destination, full=full, started_by=_actor(),
                          config=config, log=log)
    except FeedDeliveryError as exc:
        for d in exc.result.deliveries:
            if d.ok:
                err.print(f"{d.feed} -> {d.destination}: delivered seq {d.seq} at {d.location}", highlight=False)
        _fail(str(exc))
    except (FeedError, FeedsConfigError, SigningError) as exc:
        _fail(str(exc))
    local = result.local_folder
    for d in result.deliveries:  # the local drop folder's path last
        if d.folder != local:
            print(d.location)
    if local is not None:
        print(local)


@feeds_app.command("history")
def feeds_history(
    feed: Annotated[str | None, typer.Argument(help="Only this feed.")] = None,
    destination: Annotated[str | None, typer.Option("--destination", help="Only this destination.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many, newest first.")] = 100,
    fmt: Annotated[str, typer.Option("--format", help="table or csv.")] = "table",
) -> None:
    """Past deliveries, newest first: seq, destination, mode, rows by op, manifest SHA-256, status."""
    from antismuggling.feeds import feed_history

    if fmt not in ("table", "csv"):
        _fail(f"--format must be table or csv, not {fmt!r}")
    settings = _settings()
    deliveries = feed_history(settings, feed, destination, limit)
    if not deliveries and fmt == "table":
        err.print("no delivery yet" + (f" of feed {feed}" if feed else ""), highlight=False)
        return
    rows = [
        (d.feed, d.destination, d.seq, d.mode, d.status, _pkt(d.created_at), d.rows_i, d.rows_u, d.rows_d,
         d.manifest_sha256 or "", d.started_by or "", d.folder or "", d.error or "")
        for d in deliveries
    ]
    _print_table(("feed", "destination", "seq", "mode", "status", "created", "I", "U", "D", "manifest sha256",
                  "started by", "folder", "error"), rows, fmt)


@feeds_app.command("verify")
def feeds_verify(
    folder: Annotated[Path, typer.Argument(help="A delivery folder (<seq>-<UTC stamp>).")],
    key: Annotated[Path | None, typer.Option("--key", help="The producer's public key (ASCII-armoured); "
                                             "default: this installation's signing key.")] = None,
) -> None:
    """Check a delivery: the manifest's signature, every file's size, SHA-256 and rows. Exit 0 only when all hold."""
    from antismuggling.feeds.verify import verify_delivery

    if key is None:
        public_key = _installation_key()
        problems = verify_delivery(folder, public_key=public_key)
    else:
        if not key.is_file():
            _fail(f"--key {key}: no such file")
        problems = verify_delivery(folder, key)
    summary = _manifest_summary(folder)
    if problems:
        print(f"FAILED {folder}{': ' + summary if summary else ''}")
        for problem in problems:
            print(f"  - {problem}")
        raise typer.Exit(1)
    print(f"OK {folder}: {summary}")


def _installation_key() -> str:
    from antismuggling.feeds.config import feeds_dir
    from antismuggling.feeds.runner import export_public_key
    from antismuggling.feeds.signing import FINGERPRINT_FILE, SigningError

    settings = _settings()
    if not (feeds_dir(settings) / FINGERPRINT_FILE).is_file():
        _fail(f"no --key given and {settings.home} has no feed-signing key: pass the producer's public key with --key")
    try:
        return export_public_key(settings)
    except SigningError as exc:
        _fail(str(exc))


def _manifest_summary(folder: Path) -> str:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        files = ", ".join(f"{f['name']} {f['rows']} rows ({_rows(f.get('rows_by_op') or {})})" for f in manifest["files"])
        return (f"feed {manifest['feed']} destination {manifest['destination']} seq {manifest['seq']} "
                f"{manifest['mode']}, signing key {manifest.get('signing_key') or 'not named'}; {files}")
    except Exception:  # noqa: BLE001 - a manifest that cannot be read is among the problems already
        return ""


@key_app.command("export")
def key_export(
    out: Annotated[Path | None, typer.Option("--out", dir_okay=False, help="Write the key to this file instead of standard output.")] = None,
) -> None:
    """The public feed-signing key, ASCII-armoured (created on first use)."""
    from antismuggling.feeds.runner import export_public_key
    from antismuggling.feeds.signing import SigningError

    settings = _settings()
    try:
        armored = export_public_key(settings, out)
    except SigningError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"cannot write {out}: {exc.strerror or exc}")
    if out is None:
        sys.stdout.write(armored)
    else:
        err.print(f"wrote the feed-signing public key to {out}", highlight=False)
