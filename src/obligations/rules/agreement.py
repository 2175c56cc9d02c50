"""The rules of an agreement of either form of terms: the letter form (Valence's sections, `rules.report`
and its modules) or the provisions form (typed blocks, `rules.provisions`). The application calls these."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from obligations.domain.errors import InvalidFactError, NotStartedError
from obligations.domain.facts import AGREEMENT_FACT_TYPES, COMPANY_FACT_TYPES, PROVISIONS_FACT_TYPES, Fact
from obligations.rules import explain as letter_explain
from obligations.rules import items as letter_items
from obligations.rules import report as letter_report
from obligations.rules import validation as letter_validation
from obligations.rules.corrections import resolve
from obligations.rules.item import Item, status_by_due
from obligations.rules.person import person_as_of
from obligations.rules.provisions import audit as provisions_audit
from obligations.rules.provisions import report as provisions_report
from obligations.rules.provisions import validation as provisions_validation
from obligations.terms.agreement_terms import Terms
from obligations.terms.provisions import ProvisionTerms

AnyTerms = Terms | ProvisionTerms


def readable_types(terms: AnyTerms) -> list[str]:
    """The fact types (not corrections) a recording under these terms may carry: the others are refused as
    facts no provision reads. In the order of the catalogue (agreement facts, then company facts)."""
    if isinstance(terms, ProvisionTerms):
        read = provisions_validation.readable_types(terms)
    else:
        read = (frozenset(AGREEMENT_FACT_TYPES) | frozenset(COMPANY_FACT_TYPES)) - PROVISIONS_FACT_TYPES
    return [t for t in (*AGREEMENT_FACT_TYPES, *COMPANY_FACT_TYPES) if t in read]


def status_report(terms: AnyTerms, facts: Iterable[Fact], as_of: date) -> dict[str, Any]:
    """The report as of the end of `as_of`; before the first day of employment, `not_started_report`. With a
    PersonDetailsRecorded fact, `person`: who the employee is on that day (`rules.person`)."""
    facts = list(facts)
    try:
        report = _started_report(terms, facts, as_of)
    except NotStartedError:
        report = not_started_report(terms, facts, as_of)
    if any(f.type == "PersonDetailsRecorded" for f in facts):  # who the employee is: only where recorded
        report["person"] = person_as_of(facts, as_of)
    return report


def employment_status(terms: AnyTerms, facts: Iterable[Fact], as_of: date) -> tuple[str, str | None]:
    """The status and termination date of the report's employment section as of `as_of` (what a list of
    agreements shows); in the provisions form without deriving the rest of the report."""
    facts = list(facts)
    if isinstance(terms, ProvisionTerms):
        try:
            employment = provisions_report.employment_section(terms, facts, as_of)
        except NotStartedError:
            return "not_started", None
    else:
        employment = status_report(terms, facts, as_of)["employment"]
    return employment["status"], employment.get("termination_date")


def _started_report(terms: AnyTerms, facts: list[Fact], as_of: date) -> dict[str, Any]:
    if isinstance(terms, ProvisionTerms):
        return provisions_report.status_report(terms, facts, as_of)
    return letter_report.status_report(terms, facts, as_of)


def not_started_report(terms: AnyTerms, facts: list[Fact], as_of: date) -> dict[str, Any]:
    """A report as of a day before employment began: it says so, and lists what the recorded first day
    already makes each side owe (the duties an accepted offer creates: the I-9, the grant, the first-day
    agreements …), each with its due date and its status as of `as_of`; nothing is settled yet."""
    known = resolve(facts)
    starts = sorted((f for f in known if f.type == "EmploymentStarted"), key=lambda f: f.date)
    offers = [f for f in known if f.type == "OfferAccepted" and f.date <= as_of]
    start = starts[0] if starts else None
    words = ["Employment has not started"]
    fact_ids = [f.id for f in offers]
    if start is not None:
        words.append(f": it begins on {start.date} ({start.type} {start.id})")
        fact_ids.append(start.id)
    else:
        words.append(": no EmploymentStarted is recorded")
    if offers:
        words.append(f"; the offer was accepted on {offers[-1].date} ({offers[-1].id})")
    first: dict[str, Any] = _started_report(terms, facts, start.date) if start is not None else {}
    owed = [_as_of(x, as_of, "fulfilled_on") for x in first.get("obligations", [])]
    payments = [_as_of(x, as_of, "paid_on") for x in first.get("payments", []) if x.get("status") != "cancelled"]
    if start is not None:
        words.append(
            f". What the first day makes each side owe ({len(owed)} obligation(s)) is listed with its due date."
            if owed
            else ". The first day makes nothing due yet."
        )
    else:
        words.append(": the duties that begin with employment are dated from its first day.")
    report: dict[str, Any] = {"as_of": as_of.isoformat()}
    if isinstance(terms, ProvisionTerms):
        report["form"] = "provisions"
    report["employment"] = {
        "status": "not_started",
        "start_date": start.date.isoformat() if start is not None else None,
        "offer_accepted_on": offers[-1].date.isoformat() if offers else None,
        "why": "".join(words),
        "fact_ids": fact_ids,
    }
    report |= {"payments": payments, "open_clocks": [], "obligations": owed}
    return report


def _as_of(entry: dict[str, Any], as_of: date, settled: str) -> dict[str, Any]:
    """An entry of the first day's report as it stands on an earlier day: open, its status by its due date."""
    out = {k: v for k, v in entry.items() if k not in (settled, "paid_late", "fulfilled_late")}
    due = out.get("due_date")
    out["status"] = status_by_due(date.fromisoformat(due) if due else None, as_of)
    return out


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
        return provisions_audit.explain_item(terms, facts, as_of, item_id, terms_source)
    return letter_explain.explain_item(terms, facts, as_of, item_id, terms_source)


def payment_balances(report: dict[str, Any], facts: Sequence[Fact], as_of: date) -> dict[str, dict[str, str]]:
    """Per payment of the report: how much was paid against it by `as_of` (PaymentMade, ExpenseReimbursed)
    and how much is outstanding (the amount less what was paid, never below zero; none for a cancelled one).
    Exact Decimal arithmetic on the report's amounts: nothing is rounded here."""
    paid = letter_explain.paid_amounts(facts, as_of)
    out: dict[str, dict[str, str]] = {}
    for p in report.get("payments") or []:
        if p.get("amount") is None:
            continue
        done = paid.get(p["id"], Decimal(0))
        owed = Decimal(0) if p.get("status") == "cancelled" else max(Decimal(p["amount"]) - done, Decimal(0))
        out[p["id"]] = {"paid": f"{done:.2f}", "outstanding": f"{owed:.2f}"}
    return out


def report_diff(terms: AnyTerms, before: dict[str, Any], after: dict[str, Any], existing: Sequence[Fact],
                supposed: Sequence[Fact], day: date) -> list[dict[str, Any]]:  # fmt: skip
    if isinstance(terms, ProvisionTerms) and terms.agreement.report.vocabulary != "catalogue":
        return provisions_audit.report_diff(before, after)
    # the letter's report, or one written in its vocabulary ([report] vocabulary = "catalogue")
    paid = (letter_explain.paid_amounts(existing, day), letter_explain.paid_amounts(supposed, day))
    return letter_explain.report_diff(before, after, paid)
