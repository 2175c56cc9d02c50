"""Validation of the facts of a provisions-form agreement: the same walk over the history as the letter's
(rules.validation.walk_history), with the checks its kinds of provision need."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from obligations.domain.errors import InvalidFactError
from obligations.domain.facts import ALLOWED_AFTER_TERMINATION, PROVISIONS_FACT_TYPES, SHARED_FACT_TYPES, Fact
from obligations.rules.change_of_control import PRONG_FACTS
from obligations.rules.provisions.base import PHistory, employment_end
from obligations.rules.provisions.report import derive
from obligations.rules.validation import (
    check_expense_reference,
    check_incurred_by_end,
    check_notice_reference,
    check_payment_reference,
    check_requested_date,
    check_shape,
    check_started,
    walk_history,
)
from obligations.terms.provisions import COBRA_FACTS, FACTS_OF_BLOCKS, GROUND_FACTS, ProvisionsFile, ProvisionTerms

# After the end: the letter's (catalogue §8, those these terms read) and the provisions form's own.
AFTER_END = ALLOWED_AFTER_TERMINATION | frozenset(
    {
        "PaymentMade",
        "SalaryPaid",
        "BonusDetermined",
        "BonusPaid",
        "ExpenseSubmitted",
        "ExpenseReimbursed",
        "ReleaseDelivered",
        "ReleaseSigned",
        "ReleaseRevoked",
        "ObligationFulfilled",
        "OptionsExercised",
        "CovenantBreachFound",
        "NewCoverageObtained",
        "SpecifiedEmployeeDetermined",
        "NoticeOfTerminationGiven",
    }
)
ENDINGS = ("EmploymentTerminatedByCompany", "EmploymentEndedOther", "PositionEliminated", "ResignationNoticeGiven")


_READABLE: dict[int, tuple[ProvisionTerms, frozenset[str]]] = {}  # by the terms object (kept, so its id stays its own)


def readable_types(terms: ProvisionTerms) -> frozenset[str]:
    """The fact types these terms read (check_fact refuses the others): the shared and provisions types, and
    the letter's change-of-control facts when the definition is the prongs. Computed once per terms object
    (an import checks every fact with it)."""
    found = _READABLE.get(id(terms))
    if found is not None and found[0] is terms:
        return found[1]
    if len(_READABLE) >= 1024:
        _READABLE.clear()
    types = _readable_types(terms)
    _READABLE[id(terms)] = (terms, types)
    return types


def _readable_types(terms: ProvisionTerms) -> frozenset[str]:
    a = terms.agreement
    coc = a.change_of_control
    prongs = frozenset(PRONG_FACTS) if coc is not None and coc.definition == "prongs" else frozenset()
    duties = {t for o in a.obligations for t in (o.fulfilled_by, o.for_each) if t is not None}
    read = {t for t, block in FACTS_OF_BLOCKS.items() if getattr(a, block) is not None} | duties
    if any(p.health is not None and p.health.cobra_clause is not None for p in a.packages):
        read |= set(COBRA_FACTS)
    read |= {g.made_by for g in a.grants}
    kinds = [g.kind for g in a.grounds] + [c.kind for c in a.cause_grounds]
    read |= {t for kind in kinds for t in GROUND_FACTS.get(kind, ())}
    if any(g.kind == "duties_diminution" and g.reporting_line for g in a.grounds):
        read.add("ReportingLineChanged")
    unread = set() if any(g.made_by == "GrantMade" for g in a.grants) else {"GrantMade"}  # made by OptionsGranted
    return (SHARED_FACT_TYPES - FACTS_OF_BLOCKS.keys()) | (PROVISIONS_FACT_TYPES - unread) | prongs | read


def _reader(fact_type: str) -> str:
    """Which provision of the provisions form would read a letter fact (docs/terms.md), as a hint."""
    kinds = [k for k, types in GROUND_FACTS.items() if fact_type in types]
    if kinds:
        return f" (a ground of kind {' or '.join(kinds)} would)"
    if fact_type in FACTS_OF_BLOCKS:
        return f" (the [{FACTS_OF_BLOCKS[fact_type]}] block would)"
    if fact_type in COBRA_FACTS:
        return " (a package's health with cobra_clause would)"
    return ""


def check_history(
    terms: ProvisionTerms, existing: Sequence[Fact], new: Sequence[Fact], lines: dict[str, int | None]
) -> list[InvalidFactError]:
    return walk_history(existing, new, lines, lambda before, fact, merged: check_fact(terms, before, fact, merged))


def check_fact(terms: ProvisionTerms, before: Sequence[Fact], fact: Fact, everything: Sequence[Fact]) -> None:
    t, x = fact.type, fact.data
    if t not in readable_types(terms):
        lead = f"{t} is a fact of the letter form; " if t not in PROVISIONS_FACT_TYPES else f"{t}: "
        hint = " (their grants are made by OptionsGranted: [[grants]] made_by)" if t == "GrantMade" else _reader(t)
        raise InvalidFactError(
            f"{lead}terms {terms.agreement.key} (the provisions form) have no provision that reads it{hint}",
            field="type",
        )
    check_shape(fact)
    if fact.is_company_fact:
        return
    starts = [f for f in everything if f.type == "EmploymentStarted"]
    if t == "EmploymentStarted":
        _check_start(terms, fact, starts)
        return
    if t in ("OfferAccepted", "PersonDetailsRecorded"):  # any time: before the start and after the end too
        return
    started = any(f.type == "EmploymentStarted" for f in before)
    if t == "ObligationFulfilled" and not started:
        precedent = {o.id for o in terms.agreement.obligations if o.condition_precedent}
        if x.obligation in precedent and not any(
            f.type == "ObligationFulfilled" and f.data.obligation == x.obligation for f in before
        ):
            return  # a condition precedent is met before the start
    check_started(before, starts, fact)
    h = PHistory.build(terms, before, fact.date)
    end, pending = employment_end(h)
    if end is not None:
        if t in ENDINGS:
            raise InvalidFactError(f"employment already ended on {end.date} ({end.kind})", field="type")
        if fact.date > end.date and t not in AFTER_END:
            raise InvalidFactError(
                f"{t} dated {fact.date} is after the Termination Date {end.date}; after it only "
                f"{', '.join(sorted(AFTER_END & readable_types(terms)))} are accepted",
                field="date",
            )
    if end is not None and t == "ExpenseSubmitted":
        check_incurred_by_end(fact, end.date)
    if t == "ResignationNoticeGiven":
        check_requested_date(fact)
    if t == "ResignationNoticeWithdrawn" and pending is None:
        raise InvalidFactError("no resignation notice is pending on that date", field="type")
    if t == "ResignationNoticeGiven" and pending is not None:
        raise InvalidFactError(f"a resignation ({pending.words}) is already pending", field="type")
    a = terms.agreement
    grounds = ["without_cause", "for_cause", *(g.stated_as for g in a.cause_grounds if g.stated_as)]
    grounds += [o.stated_as for o in a.obligations if o.stated_as]
    if t == "EmploymentTerminatedByCompany" and x.stated_ground not in grounds:
        raise InvalidFactError(
            f"stated_ground must be {', '.join(grounds)} for these terms (the grounds and conditions they name)",
            field="data.stated_ground",
        )
    _check_references(terms, h, fact)


def _check_start(terms: ProvisionTerms, fact: Fact, starts: list[Fact]) -> None:
    if len(starts) > 1:
        raise InvalidFactError("a second EmploymentStarted: one per agreement", field="type")
    if fact.data.start_date != fact.date:
        raise InvalidFactError(
            f"start_date {fact.data.start_date} must equal the fact's date {fact.date}", field="data.start_date"
        )
    salary = terms.agreement.salary
    if salary.annual_base_salary is not None and fact.data.annual_base_salary != salary.annual_base_salary:
        raise InvalidFactError(
            f"annual_base_salary must be {salary.annual_base_salary}, the base salary of the terms ({salary.clause})",
            field="data.annual_base_salary",
        )


def _check_references(terms: ProvisionTerms, h: PHistory, fact: Fact) -> None:
    a, t, x = terms.agreement, fact.type, fact.data
    check_notice_reference(h.of, fact)
    check_expense_reference(h.of, fact)
    check_payment_reference(lambda: _payment_ids(terms, h), fact)
    for o in a.obligations:  # an obligation owed per fact is named by the fact's key: one fact per key
        if o.for_each == t and o.for_each_key is not None:
            key = getattr(x, o.for_each_key)
            if any(getattr(f.data, o.for_each_key) == key for f in h.of(t)):
                raise InvalidFactError(
                    f"a {t} with {o.for_each_key} {key!r} is already recorded: obligation {o.id} is owed once per "
                    f"{o.for_each_key} ({o.id}_{key})",
                    field=f"data.{o.for_each_key}",
                )
    if t == "ObligationFulfilled" and x.obligation not in {o.id for o in a.obligations}:
        known = ", ".join(o.id for o in a.obligations) or "none"
        raise InvalidFactError(
            f"unknown obligation {x.obligation!r} (the terms' obligations: {known})", field="data.obligation"
        )
    if t == "ObligationFulfilled" and any(f.data.obligation == x.obligation for f in h.of("ObligationFulfilled")):
        raise InvalidFactError(f"obligation {x.obligation} is already fulfilled", field="data.obligation")
    grants = {g.id: g for g in a.grants}
    if t in ("GrantMade", "OptionsExercised") and x.grant not in grants:
        raise InvalidFactError(
            f"unknown grant {x.grant!r} (the terms' grants: {', '.join(grants) or 'none'})", field="data.grant"
        )
    if t == "GrantMade":
        g = grants[x.grant]
        if any(f.data.grant == x.grant for f in h.of("GrantMade")):
            raise InvalidFactError(f"grant {x.grant} is already recorded as made", field="data.grant")
        if g.quantity is not None and x.quantity != g.quantity:
            raise InvalidFactError(
                f"quantity must be {g.quantity}, the grant's quantity in the terms ({g.clause})", field="data.quantity"
            )
        if g.vesting is not None:
            try:
                g.schedule_for(Decimal(x.quantity))
            except ValueError as exc:
                raise InvalidFactError(
                    f"the grant's schedule cannot vest {x.quantity}: {exc}", field="data.quantity"
                ) from None
    grounds = {g.id: g for g in a.grounds}
    named = {
        "GoodReasonConditionArose": [x.ground] if t == "GoodReasonConditionArose" else [],
        "GoodReasonConditionCured": [x.ground] if t == "GoodReasonConditionCured" else [],
        "GoodReasonNoticeGiven": list(x.grounds) if t == "GoodReasonNoticeGiven" else [],
        "ResignationNoticeGiven": list(x.good_reason_grounds_claimed)
        if t == "ResignationNoticeGiven" and grounds
        else [],
    }.get(t, [])
    unknown = [g for g in named if g not in grounds]
    if unknown:
        field = {"GoodReasonNoticeGiven": "data.grounds", "ResignationNoticeGiven": "data.good_reason_grounds_claimed"}
        raise InvalidFactError(
            f"unknown Good Reason ground(s) {', '.join(unknown)} (the terms' grounds: {', '.join(grounds) or 'none'})",
            field=field.get(t, "data.ground"),
        )
    if t == "GoodReasonConditionArose" and grounds[x.ground].kind != "recorded":
        raise InvalidFactError(
            f"ground {x.ground} is a {grounds[x.ground].kind}: the facts it reads make it arise, not this one",
            field="data.ground",
        )
    _check_cause_fact(a, t, x)
    if t == "CovenantBreachFound" and x.covenant not in {c.id for c in a.covenants}:
        raise InvalidFactError(f"unknown covenant {x.covenant!r}", field="data.covenant")
    if t in ("ReleaseDelivered", "ReleaseSigned", "ReleaseRevoked") and a.release is None:
        raise InvalidFactError(f"{t}: the terms have no [release] block", field="type")
    if t == "ReleaseRevoked" and not h.of("ReleaseSigned"):
        raise InvalidFactError("no signed release to revoke", field="type")
    if t == "ReleaseSigned" and h.of("ReleaseSigned"):
        raise InvalidFactError("the release is already signed", field="type")


def _payment_ids(terms: ProvisionTerms, h: PHistory) -> list[str]:
    """The payments of the report of h's day (its payments section lists every payment item)."""
    return [i.item_id for i in derive(terms, h.facts, h.as_of, full=False).items if i.kind == "payment"]


CAUSE_FACTS = {
    "CauseConditionArose": "recorded",
    "CauseNoticeGiven": "uncured_notice",
    "CauseConditionCured": "uncured_notice",
}


def _check_cause_fact(a: ProvisionsFile, t: str, x: Any) -> None:
    """The Cause facts name grounds of the terms' [[cause_grounds]] of the kind they are read by."""
    if t not in CAUSE_FACTS:
        return
    if a.cause is None:
        raise InvalidFactError(f"{t}: the terms have no [cause] block", field="type")
    grounds = {g.id: g for g in a.cause_grounds}
    named = list(x.grounds) if t == "CauseNoticeGiven" else [x.ground]
    field = "data.grounds" if t == "CauseNoticeGiven" else "data.ground"
    unknown = [g for g in named if g not in grounds]
    if unknown:
        raise InvalidFactError(
            f"unknown Cause ground(s) {', '.join(unknown)} (the terms' Cause grounds: {', '.join(grounds)})",
            field=field,
        )
    wrong = [g for g in named if grounds[g].kind != CAUSE_FACTS[t]]
    if wrong:
        raise InvalidFactError(
            f"Cause ground(s) {', '.join(wrong)} are not {CAUSE_FACTS[t]} grounds: {t} is not read for them",
            field=field,
        )
