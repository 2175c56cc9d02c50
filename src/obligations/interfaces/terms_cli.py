"""`obligations terms check|show`: tools for the people who write terms files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from obligations.domain.errors import InvalidInputError
from obligations.settings import Settings
from obligations.terms.agreement_terms import Terms
from obligations.terms.check import check_text
from obligations.terms.describe import describe, describe_provisions
from obligations.terms.loader import resolve_terms, terms_from_text


@click.group("terms")
def terms_commands() -> None:
    """Check a terms file, or say in plain words what it makes each side owe."""


@terms_commands.command("check")
@click.argument("files", nargs=-1, required=True, metavar="FILE_OR_KEY...")
@click.option("--strict", is_flag=True, help="Exit 2 on warnings too.")
@click.pass_obj
def check(settings: Settings, files: tuple[str, ...], strict: bool) -> None:
    """Every error (file, key path, rule) and warning (a provision left to a default) of each terms file and
    its company file. Exit 2 when a file has an error (or, with --strict, a warning)."""
    failed = False
    for name in files:
        try:
            _, text, file = resolve_terms(name, settings.config_dir)
        except InvalidInputError as exc:
            click.echo(f"error: {exc}")
            failed = True
            continue
        terms, findings = check_text(text, file, settings.config_dir)
        for finding in findings:
            click.echo(str(finding))
        errors = sum(f.level == "error" for f in findings)
        warnings = len(findings) - errors
        click.echo(f"{file}: {'does not load' if terms is None else 'loads'}; {errors} error(s), {warnings} warning(s)")
        failed = failed or errors > 0 or (strict and warnings > 0)
    if failed:
        raise click.exceptions.Exit(2)


@terms_commands.command("show")
@click.argument("key_or_file")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(settings: Settings, key_or_file: str, as_json: bool) -> None:
    """What the agreement makes each side owe and when: one line per provision, with its clause."""
    key, text, file = resolve_terms(key_or_file, settings.config_dir)
    terms = terms_from_text(text, file, settings.config_dir)
    provisions = describe(terms) if isinstance(terms, Terms) else describe_provisions(terms)
    if as_json:
        click.echo(json.dumps([p.__dict__ for p in provisions], indent=2, ensure_ascii=False))
        return
    click.echo(f"{terms.agreement.title} ({key}, {Path(file).name})")
    width = max(len(p.clause) for p in provisions)
    for p in provisions:
        click.echo(f"{p.clause:<{width}}  {p.owed_by:<8}  {p.words}")
