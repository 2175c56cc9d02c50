"""Commands for the HTTP service: `serve` and `tokens create|revoke|list`."""

from __future__ import annotations

import os

import click

from obligations.application import tokens
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
    if not tokens.revoke(build(settings, create=False).log.engine, name, clock_from_environment()()):
        raise click.BadParameter(f"no active token named {name!r}", param_hint="--name")
    click.echo(f"token {name!r} revoked", err=True)


@token_commands.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def token_list(settings: Settings, as_json: bool) -> None:
    """Token names, roles and dates (never the tokens)."""
    rows = tokens.listing(build(settings, create=False).log.engine)
    if as_json:
        dump(rows)
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else "active"
        click.echo(f"{r['name']}\t{r['role']}\t{r['agreement_id'] or '-'}\t{r['created_at']}\t{state}")
