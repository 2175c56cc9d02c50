"""Commands that question the log without changing it: what-if, explain, and the audit export."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from obligations.bootstrap import build
from obligations.domain.errors import InvalidFactError, InvalidInputError
from obligations.domain.input import SubmittedFact, loads_exact, parse_fact
from obligations.interfaces import render
from obligations.interfaces.export import history_csv
from obligations.interfaces.params import ISO_DATE, dump, known_at_option, today
from obligations.settings import Settings


def _by_option(message: str) -> str:
    """A batch's 'line N' is the N-th --fact here (and only that: 'deadline 2005-…' stays as it is)."""
    return re.sub(r"\bline (\d+)", r"--fact \1", message)


def parse_what_if_facts(raw: Sequence[str]) -> list[SubmittedFact]:
    """Each --fact is one JSON fact {"type", "date", "data"}; errors name the option by its position."""
    facts, errors = [], []
    for number, text in enumerate(raw, start=1):
        try:
            facts.append(parse_fact(loads_exact(text), number))
        except json.JSONDecodeError as exc:
            errors.append(InvalidFactError(f"corrupt JSON: {exc.msg} at column {exc.colno}", line=number))
        except InvalidFactError as exc:
            errors.append(exc)
    if errors:
        raise InvalidInputError("; ".join(_by_option(e.describe()) for e in errors))
    return facts


@click.command("what-if")
@click.argument("agreement_id")
@click.option("--as-of", "as_of", type=ISO_DATE, multiple=True, help="End of this day; repeatable (default: today).")
@click.option(
    "--fact",
    "raw_facts",
    multiple=True,
    required=True,
    help='A fact as if recorded now: \'{"type": …, "date": "YYYY-MM-DD", "data": {…}}\'; repeatable.',
)
@click.option("--json", "as_json", is_flag=True, help="The reports, actual and supposed, and the diff.")
@click.pass_obj
def what_if(
    settings: Settings, agreement_id: str, as_of: Sequence[Any], raw_facts: Sequence[str], as_json: bool
) -> None:
    """The report as it would be if these facts were recorded, and what changes. Nothing is stored or sent."""
    facts = parse_what_if_facts(raw_facts)
    service = build(settings, create=False)
    try:
        answers = service.what_if(agreement_id, list(as_of) or [today()], facts, "what-if")
    except InvalidInputError as exc:
        raise InvalidInputError(_by_option(str(exc))) from None
    if as_json:
        dump(answers[0] if len(answers) == 1 else answers)
    else:
        for answer in answers:
            render.what_if(agreement_id, answer)


@click.command()
@click.argument("agreement_id")
@click.argument("item_id")
@click.option("--as-of", "as_of", type=ISO_DATE, help="End of this day (default: today).")
@known_at_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def explain(
    settings: Settings, agreement_id: str, item_id: str, as_of: Any, known_at: datetime | None, as_json: bool
) -> None:
    """How one item came to be: clauses, interpretations, facts and arithmetic.

    ITEM_ID is a payment or obligation id (lump_sum_5_1a, submit_i9), a clock (i9_submission,
    neglect_cure_period:N1), a ground (5.4(f)), `vested` or a tranche (installment_3), or a report section."""
    answer = build(settings, create=False).explain(agreement_id, item_id, as_of or today(), known_at)
    dump(answer) if as_json else render.explanation(answer)


def history_output(rows: list[dict[str, Any]], fmt: str, out: Path | None, title: str) -> None:
    if fmt == "table":
        if out is not None:
            raise click.UsageError("--out goes with --format csv or json")
        render.history(title, rows)
        return
    if fmt == "json":
        text = json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
    else:
        text = history_csv(rows, None if title.startswith("company ") else title)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(rows)} fact(s) to {out}", err=True)
