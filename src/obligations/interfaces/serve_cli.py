"""Commands for the HTTP service: `serve`, `tokens create|revoke|list` and `feeds create|revoke|list`."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from sqlalchemy import Engine

from obligations.application import feeds, tokens
from obligations.bootstrap import build
from obligations.interfaces.params import dump
from obligations.settings import Settings, clock_from_environment


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option("--max-body", type=click.IntRange(1024), default=1_048_576, show_default=True, help="Bytes; larger: 413.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int, max_body: int) -> None:
    """The HTTP API and the dashboard (uvicorn). The OpenAPI document is at /openapi.json, the docs at /docs."""
    import uvicorn

    build(settings)  # create the schema once, before the workers start
    os.environ["OBLIGATIONS_DATABASE_URL"] = settings.database_url
    os.environ["OBLIGATIONS_CONFIG_DIR"] = str(settings.config_dir.resolve())
    os.environ["OBLIGATIONS_HTTP_MAX_BODY"] = str(max_body)
    uvicorn.run("obligations.interfaces.http.app:factory", factory=True, host=host, port=port, workers=workers,
                log_level="info")  # fmt: skip


@click.group("tokens")
def token_commands() -> None:
    """API tokens: roles admin, recorder, viewer, employee (one agreement). Only a hash is stored."""


@token_commands.command("create")
@click.option("--name", required=True, help="Recorded as `recorded_by` on every fact written with the token.")
@click.option("--role", required=True, type=click.Choice(tokens.ROLES))
@click.option("--agreement", "agreement_id", help="The employee's own agreement (role employee only).")
@click.pass_obj
def token_create(settings: Settings, name: str, role: str, agreement_id: str | None) -> None:
    """Create a token and print it once: it cannot be shown again."""
    service = build(settings)
    if agreement_id is not None:
        service.agreement(agreement_id)
    token = tokens.create(service.log.engine, name, role, agreement_id, clock_from_environment()())
    click.echo(token)
    click.echo(f"token {name!r} ({role}) created; keep it now, only its hash is stored", err=True)


@token_commands.command("revoke")
@click.option("--name", required=True)
@click.pass_obj
def token_revoke(settings: Settings, name: str) -> None:
    """Revoke a token: it is refused (401) from the next request on."""
    _revoke(settings, tokens.revoke, name, "token")


@token_commands.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def token_list(settings: Settings, as_json: bool) -> None:
    """Token names, roles and dates (never the tokens)."""
    _listing(tokens.listing(build(settings, create=False).log.engine), as_json,
             lambda r: f"{r['role']}\t{r['agreement_id'] or '-'}")  # fmt: skip


@click.group("feeds")
def feed_commands() -> None:
    """Calendar subscription links: a URL a calendar program subscribes to, read-only, revocable."""


@feed_commands.command("create")
@click.option("--name", required=True, help="Whose link this is (to revoke it by).")
@click.option("--agreement", "agreement_id", help="One agreement's calendar (an employee's own).")
@click.option("--company", "company_id", help="The calendar of a company's agreements.")
@click.option("--base-url", envvar="OBLIGATIONS_PUBLIC_URL", default="http://127.0.0.1:8000", show_default=True,
              help="Where `serve` is reached from the calendar programs (env OBLIGATIONS_PUBLIC_URL).")  # fmt: skip
@click.pass_obj
def feed_create(settings: Settings, name: str, agreement_id: str | None, company_id: str | None, base_url: str) -> None:
    """Create a link and print its URL once (only a hash is stored). Without --agreement or --company, the
    link shows every agreement's calendar: give it only to those who may see them all."""
    if not base_url.startswith(("https://", "http://")) or any(ch.isspace() for ch in base_url):
        raise click.BadParameter("an http(s) URL such as https://obligations.example.com", param_hint="--base-url")
    service = build(settings)
    if agreement_id is not None:
        service.agreement(agreement_id)
    if company_id is not None and not service.company_agreements(company_id):
        raise click.BadParameter(f"no agreement of company {company_id!r} is recorded", param_hint="--company")
    secret = feeds.create(service.log.engine, name, agreement_id, company_id, clock_from_environment()())
    click.echo(f"{base_url.rstrip('/')}/feeds/{secret}.ics")
    scope = (
        f"agreement {agreement_id}" if agreement_id else f"company {company_id}" if company_id else "every agreement"
    )
    click.echo(f"feed link {name!r} ({scope}) created: the URL is shown once and is the only key to it; "
               "anyone holding it reads the calendar until `obligations feeds revoke`", err=True)  # fmt: skip


@feed_commands.command("revoke")
@click.option("--name", required=True)
@click.pass_obj
def feed_revoke(settings: Settings, name: str) -> None:
    """Revoke a link: its URL answers 404 from the next request on."""
    _revoke(settings, feeds.revoke, name, "feed link")


@feed_commands.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def feed_list(settings: Settings, as_json: bool) -> None:
    """Link names, scopes and dates (never the URLs)."""

    def scope(r: dict[str, Any]) -> str:
        return str(r["agreement_id"] or (f"company {r['company_id']}" if r["company_id"] else "every agreement"))

    _listing(feeds.listing(build(settings, create=False).log.engine), as_json, scope)


def _revoke(settings: Settings, revoke: Callable[[Engine, str, datetime], bool], name: str, what: str) -> None:
    if not revoke(build(settings, create=False).log.engine, name, clock_from_environment()()):
        raise click.BadParameter(f"no active {what} named {name!r}", param_hint="--name")
    click.echo(f"{what} {name!r} revoked", err=True)


def _listing(rows: list[dict[str, Any]], as_json: bool, scope: Callable[[dict[str, Any]], str]) -> None:
    """Names, scopes and dates, one per line (never a secret: only its hash is stored)."""
    if as_json:
        dump(rows)
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
        click.echo(f"{r['name']}\t{scope(r)}\t{r['created_at']}\t{state}")
