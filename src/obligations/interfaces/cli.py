"""The command line, a stable contract: exit 0 on success, 2 on invalid input or usage, 1 on other failures."""

from __future__ import annotations

import base64
import getpass
import json
import os
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress

from obligations.application import portfolio
from obligations.application.projections import REBUILD_BATCH
from obligations.bootstrap import build
from obligations.domain.errors import InvalidInputError, ObligationsError
from obligations.domain.input import (
    loads_exact,
    parse_csv,
    parse_fact,
    parse_json_lines,
    parse_portfolio_csv,
    parse_portfolio_lines,
)
from obligations.domain.names import EMPLOYMENT_STATUSES
from obligations.interfaces import render
from obligations.interfaces.alerts_cli import alerts, calendar
from obligations.interfaces.audit_cli import explain, history_output, what_if
from obligations.interfaces.fact_types import all_types, lookup
from obligations.interfaces.grouping import grouped_by_agreement
from obligations.interfaces.params import ISO_DATE, dump, known_at_option, shifted, today
from obligations.interfaces.serve_cli import feed_commands, serve, token_commands
from obligations.interfaces.terms_cli import terms_commands
from obligations.settings import Settings


def _who(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER", "unknown")


class ByJob(click.Group):
    """A command group whose --help lists the commands grouped by job, in the order of the day's work."""

    JOBS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Record facts", ("record", "import", "types", "what-if")),
        ("Ask about one agreement", ("status", "explain", "history")),
        ("Ask across agreements", ("agreements", "due", "overdue", "vesting-calendar", "calendar", "feeds")),
        ("Reminders", ("alerts",)),
        ("Terms files", ("terms",)),
        ("Run and administer", ("serve", "tokens", "projections", "cipher-key")),
    )

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        listed: set[str] = set()
        width = formatter.width - 6 - max(len(n) for n in self.commands)
        for title, names in self.JOBS:
            rows = [(n, self.commands[n].get_short_help_str(width)) for n in names if n in self.commands]
            listed |= {n for n, _ in rows}
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)
        rest = [(n, c.get_short_help_str(width)) for n, c in sorted(self.commands.items()) if n not in listed]
        if rest:
            with formatter.section("Other"):
                formatter.write_dl(rest)


@click.group(cls=ByJob, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database",
    metavar="URL",
    help="Event store (default: $OBLIGATIONS_DATABASE_URL or "
    "sqlite:///var/obligations.db under the working directory).",
)
@click.option("--config-dir", metavar="DIR", help="Folder with agreements/ and companies/ (default: ./config).")
@click.pass_context
def cli(ctx: click.Context, database: str | None, config_dir: str | None) -> None:
    """Track what an employment agreement makes each side owe, and when.

    Start with `obligations types` (the facts you can record) and `obligations status ID`; the README of the
    repository and docs/ (terms.md, report.md, events.md) say the rest."""
    ctx.obj = Settings.load(database, config_dir)


@cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option(
    "--agreement",
    "agreement_id",
    help='Agreement id. Without it the file is a portfolio: every line names its "agreement" (and "terms").',
)
@click.option("--terms", help="Terms key under config/agreements/ or a TOML path (required for a new agreement).")
@click.option("--by", help="Who records the facts (default: the OS user).")
@click.option("--source", help="Document reference kept with every fact of the file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    help="jsonl (one JSON fact per line) or csv (one fact per row, a column per field); default: by the name.",
)
@click.pass_obj
def import_cmd(
    settings: Settings,
    file: Path,
    agreement_id: str | None,
    terms: str | None,
    by: str | None,
    source: str | None,
    fmt: str | None,
) -> None:
    """Record a file of facts (JSON lines, or CSV from a spreadsheet), all or nothing; the read models are
    current when it returns."""
    service = build(settings)
    service.on_wait = _waiting
    csv_file = fmt == "csv" or (fmt is None and file.suffix.lower() == ".csv")
    if agreement_id is None:
        if terms is not None:
            raise click.UsageError("--terms goes with --agreement; a portfolio file names terms on its lines")
        try:
            with click.open_file(str(file), encoding="utf-8-sig") as handle:  # a byte-order mark is allowed
                parse = parse_portfolio_csv if csv_file else parse_portfolio_lines
                groups = parse(handle, grouped_by_agreement)  # an agreement's lines anywhere in the file
                n_agreements, n_facts = service.record_portfolio(groups, _who(by), source)
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInputError(f"cannot read {file}: {exc}") from None
        if not n_agreements:
            raise InvalidInputError(f"{file}: no facts in the file")
        click.echo(f"recorded {n_facts} fact(s) for {n_agreements} agreement(s)")
        return
    try:
        if str(file) == "-":
            text = sys.stdin.read().removeprefix("\ufeff")
        else:
            with open(file, encoding="utf-8-sig", newline="" if csv_file else None) as handle:
                text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {file}: {exc}") from None
    facts = parse_csv(text, agreement_id) if csv_file else parse_json_lines(text)
    if not facts:
        raise InvalidInputError(f"{file}: no facts in the file")
    result = service.record(agreement_id, facts, _who(by), terms, source)
    click.echo(
        f"{'created' if result.created else 'updated'} agreement {agreement_id}: recorded "
        f"{result.agreement_facts} agreement fact(s) and {result.company_facts} company fact(s)"
    )
    if result.company_facts:
        click.echo(reach(result))


def _waiting() -> None:
    click.echo("waiting for another projector to finish…", err=True)


@cli.command()
@click.argument("agreement_id")
@click.argument("fact_type")
@click.option(
    "--date",
    "effective",
    type=ISO_DATE,
    help="Date the fact took legal effect (for FactRetracted/FactCorrected: optional, the day recorded).",
)
@click.option("--data", "data", default="{}", help="The fact's data as a JSON object.")
@click.option("--terms", help="Terms key or path, to create the agreement with this fact.")
@click.option("--by", help="Who records the fact (default: the OS user).")
@click.option("--source", help="Document reference.")
@click.pass_obj
def record(
    settings: Settings,
    agreement_id: str,
    fact_type: str,
    effective: date | None,
    data: str,
    terms: str | None,
    by: str | None,
    source: str | None,
) -> None:
    """Record one fact."""
    try:
        payload = loads_exact(data)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"field data: corrupt JSON: {exc.msg} at column {exc.colno}") from None
    obj: dict[str, Any] = {"type": fact_type, "data": payload}
    if effective is not None:
        obj["date"] = effective.isoformat()
    fact = parse_fact(obj)
    service = build(settings)
    service.on_wait = _waiting
    result = service.record(agreement_id, [fact], _who(by), terms, source)
    click.echo(f"recorded {fact_type} dated {fact.date or today()} for agreement {agreement_id}")
    if result.company_facts:
        click.echo(reach(result))


@cli.command()
@click.argument("agreement_id")
@click.option("--as-of", "as_of", type=ISO_DATE, multiple=True, help="End of this day (default: today); repeatable.")
@known_at_option
@click.option(
    "--json", "as_json", is_flag=True, help="The report as JSON (docs/report.md; an array for several dates)."
)
@click.pass_obj
def status(
    settings: Settings, agreement_id: str, as_of: Sequence[date], known_at: datetime | None, as_json: bool
) -> None:
    """Everything owed under an agreement as of one or more dates (as known now, or at --as-known-at)."""
    reports = build(settings, create=False).status(agreement_id, list(as_of) or [today()], known_at)
    if as_json:
        dump(reports[0] if len(reports) == 1 else reports)
    else:
        for report in reports:
            render.status(agreement_id, report)


@cli.command()
@click.argument("agreement_id", required=False)
@click.option("--company", help="Every fact of the company and of all its agreements (instead of one agreement).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write the export to this file.")
@known_at_option
@click.pass_obj
def history(
    settings: Settings,
    agreement_id: str | None,
    company: str | None,
    fmt: str,
    as_json: bool,
    out: Path | None,
    known_at: datetime | None,
) -> None:
    """Every recorded fact, originals and corrections, with recorded time, who, source and what became of it."""
    if (agreement_id is None) == (company is None):
        raise click.UsageError("give an AGREEMENT_ID or --company C (one of them)")
    service = build(settings, create=False)
    if company is not None:
        rows, title = service.company_history(company, known_at), f"company {company}"
    else:
        assert agreement_id is not None
        rows, title = service.history(agreement_id, known_at), agreement_id
    history_output(rows, "json" if as_json else fmt, out, title)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--as-of", "as_of", type=ISO_DATE, help="Employment status as of this day (default: today).")
@click.option("--company", help="Only the agreements of this company.")
@click.option("--status", "status_", type=click.Choice(EMPLOYMENT_STATUSES), help="Only this employment status.")
@click.option("--search", help="Only agreements whose id, name, work email, title, department or manager contain this.")
@click.option("--overdue", "overdue_only", is_flag=True, help="Only agreements with a payment or obligation overdue.")
@click.pass_obj
def agreements(
    settings: Settings,
    as_json: bool,
    as_of: date | None,
    company: str | None,
    status_: str | None,
    search: str | None,
    overdue_only: bool,
) -> None:
    """Every agreement with its employee, company, terms, employment status and what is overdue."""
    day = as_of or today()
    service = build(settings, create=False)
    rows = service.agreements(day, company=company, status=status_, search=search, overdue_only=overdue_only)
    dump(rows) if as_json else render.agreements(rows, day)


@cli.group()
def projections() -> None:
    """The read models: where they stand, catching up, rebuilding."""


@projections.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def projections_status(settings: Settings, as_json: bool) -> None:
    """Position applied, the log's head and the lag between them."""
    s = build(settings, create=False).projector.status()
    dump(s) if as_json else render.projection_status(s)


@projections.command("catch-up")
@click.option("--wait/--no-wait", default=True, help="Wait for a running projector, or exit 1 at once.")
@click.option("--batch", type=click.IntRange(1, 100_000), default=2000, show_default=True)
@click.pass_obj
def projections_catch_up(settings: Settings, wait: bool, batch: int) -> None:
    """Apply the events recorded since the last position."""
    projector = build(settings).projector
    projector.batch_size = batch
    applied = projector.catch_up(wait=wait, on_wait=_waiting, retry_all=True)
    click.echo(f"applied {applied} event(s); position {projector.position()}")


@projections.command("rebuild")
@click.option("--batch", type=click.IntRange(1, 100_000), default=REBUILD_BATCH, show_default=True)
@click.pass_obj
def projections_rebuild(settings: Settings, batch: int) -> None:
    """Drop the read models and apply the whole log again, with a progress bar."""
    projector = build(settings).projector
    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("rebuilding", total=max(projector.max_position(), 1))

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        applied = projector.rebuild(on_wait=_waiting, progress=step, batch=batch)
    click.echo(f"rebuilt from {applied} event(s); position {projector.position()}")


def _portfolio_options(f: Any) -> Any:
    f = click.option("--json", "as_json", is_flag=True)(f)
    f = click.option("--company", help="Only this company's agreements.")(f)
    f = click.option("--as-of", "as_of", type=ISO_DATE, help="Reports as of this day (default: today).")(f)
    return f


def reach(result: Any) -> str:
    """What a company fact reaches: every agreement of its company."""
    names = ", ".join(result.affects)
    return (
        f"a company fact of company {result.company}: it applies to all {len(result.affects)} agreement(s) of the "
        f"company ({names}), and their reports and reminders change with it"
    )


WINDOW_DAYS = 30


def _window(start: date | None, end: date | None, day: date) -> tuple[date, date]:
    """--from defaults to the as-of day, --to to 30 days after --from."""
    start = start or day
    end = end or shifted(start, WINDOW_DAYS)
    if end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    return start, end


def _window_options(f: Any) -> Any:
    f = click.option("--to", "end", type=ISO_DATE, help="Last day (default: --from + 30 days).")(f)
    f = click.option("--from", "start", type=ISO_DATE, help="First day (default: the as-of day).")(f)
    return f


@cli.command()
@_window_options
@click.option("--kind", "kinds", type=click.Choice(portfolio.DUE_KINDS), multiple=True)
@click.option("--owed-by", type=click.Choice(["Company", "Employee"]))
@known_at_option
@_portfolio_options
@click.pass_obj
def due(
    settings: Settings,
    start: date | None,
    end: date | None,
    kinds: Sequence[str],
    owed_by: str | None,
    known_at: datetime | None,
    as_json: bool,
    company: str | None,
    as_of: date | None,
) -> None:
    """What falls due between two dates (default: the next 30 days), across all agreements, by date.

    On what is known now: each item as the report on its own due date shows it (a payment that a recorded
    resignation makes due next week is listed today), with its status as of --as-of. With --as-known-at, as
    the log stood then (replayed into a scratch read model: slower)."""
    day = as_of or today()
    start, end = _window(start, end, day)
    service = build(settings, create=False)
    rows = portfolio.due(
        service.items_as_known_at(known_at, company) if known_at else service.log.engine,
        start,
        end,
        day,
        company,
        kinds or ("payment", "clock", "obligation", "vesting"),
        owed_by,
    )
    dump(rows) if as_json else render.portfolio_items(f"Due {start} .. {end}", rows, day)


@cli.command()
@_portfolio_options
@click.pass_obj
def overdue(settings: Settings, as_json: bool, company: str | None, as_of: date | None) -> None:
    """Unpaid payments and unfulfilled obligations past due, and grounds an expired clock made available."""
    day = as_of or today()
    rows = portfolio.overdue(build(settings, create=False).log.engine, day, company)
    dump(rows) if as_json else render.portfolio_items("Overdue", rows, day)


@cli.command("vesting-calendar")
@_window_options
@_portfolio_options
@click.pass_obj
def vesting_calendar(
    settings: Settings, start: date | None, end: date | None, as_json: bool, company: str | None, as_of: date | None
) -> None:
    """Option tranches by date across agreements (default: the next 30 days), on what is known now."""
    day = as_of or today()
    start, end = _window(start, end, day)
    rows = portfolio.vesting_calendar(build(settings, create=False).log.engine, start, end, day, company)
    dump(rows) if as_json else render.portfolio_items(f"Vesting {start} .. {end}", rows, day)


@cli.command("types")
@click.argument("fact_type", required=False)
@click.option("--json", "as_json", is_flag=True)
def fact_types(fact_type: str | None, as_json: bool) -> None:
    """Every fact type with its fields, types and an example (FACT_TYPE: one of them, in full)."""
    if fact_type is None:
        rows = all_types()
        dump(rows) if as_json else render.fact_types(rows)
        return
    one = lookup(fact_type)
    dump(one) if as_json else render.fact_type(one)


@cli.command("cipher-key")
def cipher_key() -> None:
    """Print a new key for OBLIGATIONS_CIPHER_KEY (AES-256-GCM of the stored events; keep it like a password)."""
    click.echo(base64.b64encode(os.urandom(32)).decode())


cli.add_command(what_if)
cli.add_command(explain)
cli.add_command(alerts)
cli.add_command(calendar)
cli.add_command(serve)
cli.add_command(token_commands)
cli.add_command(feed_commands)
cli.add_command(terms_commands)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (console script and tests alike)."""
    try:
        rc = cli.main(args=list(argv) if argv is not None else None, prog_name="obligations", standalone_mode=False)
        return rc if isinstance(rc, int) else 0  # a command's click.exceptions.Exit(code) comes back as its code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return 2 if isinstance(exc, click.UsageError) else exc.exit_code
    except InvalidInputError as exc:
        click.echo(f"error: {exc}\nnothing was recorded." if _is_write(argv) else f"error: {exc}", err=True)
        return 2
    except ObligationsError as exc:
        click.echo(f"error: {exc}", err=True)
        return 1
    except Exception as exc:  # a failure of ours or of the store: say so, traceback only on request
        if os.environ.get("OBLIGATIONS_DEBUG"):
            raise
        click.echo(f"error: {type(exc).__name__}: {exc} (set OBLIGATIONS_DEBUG=1 for a traceback)", err=True)
        return 1


def _is_write(argv: Sequence[str] | None) -> bool:
    args = list(argv) if argv is not None else sys.argv[1:]
    return any(a in ("import", "record") for a in args)
