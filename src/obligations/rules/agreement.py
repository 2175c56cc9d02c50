"""The rules of an agreement of either form of terms: the letter form (Valence's sections, `rules.report`
and its modules) or the provisions form (typed blocks, `rules.provisions`). The application calls these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from obligations.domain.errors import InvalidFactError
from obligations.domain.facts import Fact
from obligations.rules import explain as letter_explain
from obligations.rules import items as letter_items
from obligations.rules import report as letter_report
from obligations.rules import validation as letter_validation
from obligations.rules.item import Item
from obligations.rules.provisions import audit as provisions_audit
from obligations.rules.provisions import report as provisions_report
from obligations.rules.provisions import validation as provisions_validation
from obligations.terms.agreement_terms import Terms
from obligations.terms.provisions import ProvisionTerms

AnyTerms = Terms | ProvisionTerms


def status_report(terms: AnyTerms, facts: Iterable[Fact], as_of: date) -> dict[str, Any]:
    if isinstance(terms, ProvisionTerms):
        return provisions_report.status_report(terms, facts, as_of)
    return letter_report.status_report(terms, facts, as_of)


def check_history(
    terms: AnyTerms, existing: Sequence[Fact], new: Sequence[Fact], lines: dict[str, int | None]
) -> list[InvalidFactError]:
    if isinstance(terms, ProvisionTerms):
        return provisions_validation.check_history(terms, existing, new, lines)
    return letter_validation.check_history(terms, existing, new, lines)


def dated_items(terms: AnyTerms, facts: Sequence[Fact]) -> list[Item]:
    if isinstance(terms, ProvisionTerms):
        return provisions_audit.dated_items(terms, facts)
    return letter_items.dated_items(terms, facts)


def explain_item(
    terms: AnyTerms, facts: Sequence[Fact], as_of: date, item_id: str, terms_source: str = "terms"
) -> dict[str, Any]:
    if isinstance(terms, ProvisionTerms):
        return provisions_audit.explain_item(terms, facts, as_of, item_id)
    return letter_explain.explain_item(terms, facts, as_of, item_id, terms_source)


def report_diff(terms: AnyTerms, before: dict[str, Any], after: dict[str, Any], existing: Sequence[Fact],
                supposed: Sequence[Fact], day: date) -> list[dict[str, Any]]:  # fmt: skip
    if isinstance(terms, ProvisionTerms):
        return provisions_audit.report_diff(before, after)
    paid = (letter_explain.paid_amounts(existing, day), letter_explain.paid_amounts(supposed, day))
    return letter_explain.report_diff(before, after, paid)
