"""Commands for reminders and calendars: `alerts run|pending|sent|expired|test|replan` and `calendar`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from obligations.alerts import service
from obligations.alerts.calendar import feed
from obligations.alerts.channels import DeliveryFailed, new_secret
from obligations.alerts.message import test_message
from obligations.alerts.outbox import count, instant, listing
from obligations.alerts.policy import load_policy
from obligations.application import portfolio
from obligations.bootstrap import build, build_alerts
from obligations.domain.errors import ObligationsError
from obligations.interfaces import render
from obligations.interfaces.params import ISO_DATE, dump, shifted, today
from obligations.settings import Settings, clock_from_environment, log_to_stderr


@click.group()
def alerts() -> None:
    """Reminders before deadlines and escalations after them: the outbox, its dispatcher and channels."""


@alerts.command("run")
@click.option("--once", is_flag=True, help="One tick (catch up, then dispatch what is due), then exit.")
@click.option("--tick", "tick_seconds", type=click.FloatRange(min=0.05), help="Seconds between ticks (default: policy)")
@click.pass_obj
def alerts_run(settings: Settings, once: bool, tick_seconds: float | None) -> None:
    """The alert service: every tick, catch the read models and the outbox up, then deliver what is due.

    Logs go to standard error; the log channel writes to standard output unless it names a file.
    SIGTERM or SIGINT stops it after the current tick."""
    log_to_stderr()
    a = build_alerts(settings)
    if not once:
        service.run(a.obligations.projector, a.dispatcher, tick_seconds or a.policy.dispatch.tick_seconds)
        return
    try:
        with a.dispatcher.lock():
            tally = service.tick(a.obligations.projector, a.dispatcher, log_tally=False)
    finally:
        a.dispatcher.close()
    if tally is None:
        raise ObligationsError("the dispatch failed (see the log above)")
    click.echo(str(tally), err=True)


def _listing(settings: Settings, states: tuple[str, ...], title: str, as_json: bool, agreement: str | None,
             limit: int | None) -> None:  # fmt: skip
    engine = build(settings, create=False).log.engine
    rows = listing(engine, states, limit, agreement)
    if as_json:
        dump(rows)
        return
    total = count(engine, states, agreement) if limit is not None and len(rows) == limit else len(rows)
    render.outbox(title, rows, total)


def _listing_options(f: click.decorators.FC) -> click.decorators.FC:
    f = click.option("--limit", type=click.IntRange(1), help="At most this many rows.")(f)
    f = click.option("--agreement", help="Only this agreement's reminders.")(f)
    return click.option("--json", "as_json", is_flag=True)(f)


@alerts.command("pending")
@_listing_options
@click.pass_obj
def alerts_pending(settings: Settings, as_json: bool, agreement: str | None, limit: int | None) -> None:
    """Reminders still to send (pending or being delivered), by planned time."""
    _listing(settings, ("pending", "claimed"), "Pending reminders", as_json, agreement, limit)


@alerts.command("sent")
@_listing_options
@click.pass_obj
def alerts_sent(settings: Settings, as_json: bool, agreement: str | None, limit: int | None) -> None:
    """Reminders delivered, newest first, with each delivery (channel, time, result)."""
    _listing(settings, ("sent",), "Sent reminders", as_json, agreement, limit)


@alerts.command("expired")
@_listing_options
@click.pass_obj
def alerts_expired(settings: Settings, as_json: bool, agreement: str | None, limit: int | None) -> None:
    """Reminders that could not be delivered in time (see dispatch.expire_after_hours), and withdrawn ones."""
    _listing(settings, ("expired", "withdrawn"), "Expired and withdrawn reminders", as_json, agreement, limit)


@alerts.command("test")
@click.option("--channel", required=True, help="A channel named in config/alerts.toml.")
@click.option("--to", "recipients", multiple=True, help="An address (email channels); repeatable.")
@click.pass_obj
def alerts_test(settings: Settings, channel: str, recipients: tuple[str, ...]) -> None:
    """Send a test message through one channel; exit 1 if it is not accepted."""
    a = build_alerts(settings)
    try:
        sender = a.dispatcher.senders.get(channel)
        if sender is None:
            raise click.BadParameter(f"no channel {channel!r} (configured: {', '.join(a.dispatcher.senders)})")
        if not recipients:
            recipients = tuple(x for addrs in a.policy.recipients.companies.values() for x in addrs)
        result = sender.send(test_message(channel, instant(clock_from_environment()())), recipients)
    except DeliveryFailed as exc:
        raise ObligationsError(f"channel {channel}: {exc}") from exc
    finally:
        a.dispatcher.close()
    click.echo(f"{channel}: {result}", err=True)


@alerts.command("secret")
def alerts_secret() -> None:
    """Print a new webhook secret (Standard Webhooks: whsec_ and 32 random bytes in base64), for secret_env."""
    click.echo(new_secret())


@alerts.command("replan")
@click.pass_obj
def alerts_replan(settings: Settings) -> None:
    """Plan the outbox again from the read models (after changing config/alerts.toml)."""
    n = build(settings).projector.replan()
    click.echo(f"replanned the reminders of {n} agreement(s)")


@click.command("calendar")
@click.argument("agreement_id", required=False)
@click.option("--ics", is_flag=True, help="Write an iCalendar file (default: a table).")
@click.option("--company", help="A portfolio feed of this company's agreements.")
@click.option("--from", "start", type=ISO_DATE, help="First date (portfolio default: 90 days before the as-of date).")
@click.option("--to", "end", type=ISO_DATE, help="Last date (portfolio default: a year after the as-of date).")
@click.option("--as-of", "as_of", type=ISO_DATE, help="Items as known for this day (default: today).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file, not stdout.")
@click.pass_obj
def calendar(settings: Settings, agreement_id: str | None, ics: bool, company: str | None, start: date | None,
             end: date | None, as_of: date | None, out: Path | None) -> None:  # fmt: skip
    """Dated items (due dates, deadlines, vesting dates) as a calendar of one agreement or of the portfolio."""
    day = as_of or today()
    obligations = build(settings, create=False)
    engine = obligations.log.engine
    if agreement_id:
        obligations.agreement(agreement_id)  # an unknown agreement is an error, not an empty feed
    else:
        start, end = start or shifted(day, -90), end or shifted(day, 365)
    entries = portfolio.dated_runs(engine, day, agreement_id, company, start, end)
    name = f"obligations: {agreement_id or company or 'portfolio'}"
    names = portfolio.employee_names(engine, day, {item.detail["agreement_id"] for _, item, _ in entries})
    if not ics:
        render.calendar(name, entries, day, names)
        return
    data = feed(name, entries, load_policy(settings.config_dir), day, clock_from_environment()(), names)
    if out:
        out.write_bytes(data)
        click.echo(f"wrote {len(entries)} event(s) to {out}", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
