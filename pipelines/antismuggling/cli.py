"""The ``antismuggling`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from antismuggling.config import load_settings

app = typer.Typer(
    name="antismuggling",
    help="Analytics warehouse and dashboard of the customs anti-smuggling system.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
reference_app = typer.Typer(help="Reference data loaded into the warehouse.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")

err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


@app.command()
def generate(
    cases: Annotated[int, typer.Option("--cases", min=1, help="Number of seizure cases.")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same store.")] = 1,
    out: Annotated[str | None, typer.Option("--out", help="Store URL (sqlite:///path or postgresql://…); default: ANTISMUGGLING_OPS_URL.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Drop and recreate the tables if the store already has data.")] = False,
) -> None:
    """Write a demo operational store that follows the source contract."""
    from antismuggling.store.generate import generate_store
    from antismuggling.store.schema import StoreNotEmptyError

    url = out or load_settings().ops_url
    try:
        summary = generate_store(url, cases, seed, replace=replace, progress=True)
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
    err.print(f"[green]published[/] {outcome.published} (run {outcome.run_id})")


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement over the published marts.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Run one read-only SQL statement against the published marts and print the result."""
    import duckdb

    from antismuggling.publish import NothingPublishedError
    from antismuggling.query import QueryRefused, format_csv, format_json, run_query

    if fmt not in ("csv", "json"):
        fail(f"--format must be csv or json, not {fmt!r}", code=2)
    try:
        columns, rows = run_query(load_settings(), sql)
    except QueryRefused as exc:
        fail(f"refused: {exc}", code=3)
    except NothingPublishedError as exc:
        fail(str(exc))
    except duckdb.Error as exc:
        fail(f"query failed: {exc}")
    sys.stdout.write(format_csv(columns, rows) if fmt == "csv" else format_json(columns, rows))


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
) -> None:
    """Create the demo store if missing, run a full refresh, serve the dashboard and the Dagster UI."""
    from antismuggling.serve import run_demo

    try:
        run_demo(load_settings(), cases=cases, seed=seed)
    except RuntimeError as exc:
        fail(str(exc))


def _redacted(url: str) -> str:
    from antismuggling.store.urls import redact_url

    return redact_url(url)


if __name__ == "__main__":
    app()
