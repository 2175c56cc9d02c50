"""Catalogue §8 validation: a new fact must keep the whole history valid (pure; raises InvalidFactError)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from obligations.domain.errors import InvalidFactError, NotStartedError
from obligations.domain.facts import ALLOWED_AFTER_TERMINATION, ENDING_TYPES, PROVISIONS_FACT_TYPES, Fact
from obligations.rules.corrections import check_targets, resolution, resolve
from obligations.rules.employment import EmploymentState, employment_state
from obligations.rules.history import History
from obligations.rules.report import status_report
from obligations.terms.agreement_terms import Terms

NOTICE_OF_CURE = {"NeglectCured": "NeglectNoticeReceived", "BreachCured": "BreachNoticeReceived"}


def check_fact(terms: Terms, before: Sequence[Fact], fact: Fact, everything: Sequence[Fact]) -> None:
    """`before`: the facts that precede `fact` in effective order; `everything`: the whole merged history."""
    t = fact.type
    if fact.is_company_fact:
        return
    _check_letter_vocabulary(terms, fact)
    check_shape(fact)
    starts = [f for f in everything if f.type == "EmploymentStarted"]
    if t == "EmploymentStarted":
        _check_start(terms, fact, starts)
        return
    if t in ("OfferAccepted", "PersonDetailsRecorded"):  # any time: before the start and after the end too
        return
    check_started(before, starts, fact)
    h = History.build(terms, before, fact.date)
    emp = employment_state(h)
    _check_after_end(fact, emp)
    if t == "ResignationNoticeGiven":
        check_requested_date(fact)
        if emp.pending is not None:
            raise InvalidFactError(
                f"a resignation notice of {emp.pending.notice_date} is already pending (effective "
                f"{emp.pending.effective}); record ResignationNoticeWithdrawn first",
                field="type",
            )
    if t == "ResignationNoticeWithdrawn" and emp.pending is None:
        raise InvalidFactError("no resignation notice is pending on that date", field="type")
    _check_references(h, fact)


def check_started(before: Sequence[Fact], starts: Sequence[Fact], fact: Fact) -> None:
    """Only OfferAccepted (and the person's details) may precede EmploymentStarted (both forms)."""
    if any(f.type == "EmploymentStarted" for f in before):
        return
    if starts:
        raise InvalidFactError(
            f"{fact.type} dated {fact.date} is before EmploymentStarted ({starts[0].date}); only "
            f"OfferAccepted may precede it (catalogue §8)",
            field="date",
        )
    raise InvalidFactError(
        f"no EmploymentStarted recorded for this agreement; record it before {fact.type} (catalogue §8)", field="type"
    )


def check_requested_date(fact: Fact) -> None:
    """A resignation notice asks for no date before its own (both forms)."""
    asked = fact.data.requested_effective_date
    if asked is not None and asked < fact.date:
        raise InvalidFactError(
            f"requested_effective_date {asked} is before the notice date {fact.date} (catalogue §8)",
            field="data.requested_effective_date",
        )


def _check_letter_vocabulary(terms: Terms, fact: Fact) -> None:
    """The letter form reads only its own facts, grounds and stated grounds."""
    if fact.type in PROVISIONS_FACT_TYPES:
        raise InvalidFactError(
            f"{fact.type} is read by terms of the provisions form; terms {terms.agreement.key} (the letter form) "
            "have no provision that reads it",
            field="type",
        )
    gc, gr = terms.agreement.good_cause, terms.agreement.good_reason
    if fact.type == "EmploymentTerminatedByCompany" and fact.data.stated_ground == "for_cause":
        raise InvalidFactError(
            "for_cause is for terms of the provisions form; under the letter name the Good Cause ground: "
            f"{_either([g.stated_as for g in gc.grounds])} ({gc.clause})",
            field="data.stated_ground",
        )
    if fact.type == "ResignationNoticeGiven":
        known = [g.id for g in gr.grounds]
        unknown = [g for g in fact.data.good_reason_grounds_claimed if g not in known]
        if unknown:
            raise InvalidFactError(
                f"unknown Good Reason ground(s) {', '.join(unknown)}: the letter's are {', '.join(known)}",
                field="data.good_reason_grounds_claimed",
            )


def _either(words: list[str]) -> str:
    """'a, b or c'."""
    return " or ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


def check_shape(fact: Fact) -> None:
    """What one fact must say of itself, whatever the form of the terms."""
    x = fact.data
    if fact.type == "SalaryPaid" and x.period_end < x.period_start:
        raise InvalidFactError("period_end is before period_start", field="data.period_end")
    if fact.type == "VacationTaken" and x.to < x.from_:
        raise InvalidFactError("'to' is before 'from'", field="data.to")
    if fact.type == "CarrierContinuationDecision" and not x.allowed and x.cobra_monthly_premium is None:
        raise InvalidFactError("required when allowed is false", field="data.cobra_monthly_premium")


def _check_start(terms: Terms, fact: Fact, starts: list[Fact]) -> None:
    if len(starts) > 1:
        raise InvalidFactError("a second EmploymentStarted: one per agreement (catalogue §8)", field="type")
    if fact.data.start_date != fact.date:
        raise InvalidFactError(
            f"start_date {fact.data.start_date} must equal the fact's date {fact.date}", field="data.start_date"
        )
    promised = terms.agreement.options.quantity
    if fact.data.options != promised:
        raise InvalidFactError(
            f"options must be {promised}, the options granted in the terms ({terms.agreement.options.clause})",
            field="data.options",
        )
    salary = terms.agreement.salary
    if fact.data.annual_base_salary != salary.annual_base_salary:
        raise InvalidFactError(
            f"annual_base_salary must be {salary.annual_base_salary}, the base salary of the terms ({salary.clause}); "
            "a later change is a SalaryChanged",
            field="data.annual_base_salary",
        )


def _check_after_end(fact: Fact, emp: EmploymentState) -> None:
    ending = emp.ending
    if ending is None:
        return
    td = ending.date
    if fact.type in ENDING_TYPES or fact.type in ("ResignationNoticeGiven", "ResignationNoticeWithdrawn"):
        raise InvalidFactError(f"employment already ended on {td} ({ending.type})", field="type")
    if fact.date > td and fact.type not in ALLOWED_AFTER_TERMINATION:
        raise InvalidFactError(
            f"{fact.type} dated {fact.date} is after the Termination Date {td}; after it only "
            f"{', '.join(sorted(ALLOWED_AFTER_TERMINATION))} are accepted (catalogue §8)",
            field="date",
        )
    if fact.type == "ExpenseSubmitted":
        check_incurred_by_end(fact, td)


def check_incurred_by_end(fact: Fact, td: date) -> None:
    """An expense submitted after the end must have been incurred by the end (both forms)."""
    if fact.data.incurred_date > td:
        raise InvalidFactError(
            f"an expense submitted after the Termination Date {td} must have been incurred on or before it "
            "(catalogue §8)",
            field="data.incurred_date",
        )


def check_expense_reference(of: Callable[..., list[Fact]], fact: Fact) -> None:
    """An expense id is submitted once, and reimbursed only once submitted (both forms)."""
    x, t = fact.data, fact.type
    if t == "ExpenseSubmitted" and any(f.data.expense_id == x.expense_id for f in of("ExpenseSubmitted")):
        raise InvalidFactError(f"expense_id {x.expense_id!r} was already submitted", field="data.expense_id")
    if t == "ExpenseReimbursed" and not any(f.data.expense_id == x.expense_id for f in of("ExpenseSubmitted")):
        raise InvalidFactError(
            f"no ExpenseSubmitted with expense_id {x.expense_id!r} on or before {fact.date}", field="data.expense_id"
        )


def check_notice_reference(of: Callable[..., list[Fact]], fact: Fact) -> None:
    """A written notice's id is used once in an agreement, and a cure names a notice of its kind recorded
    before it; an indemnification matter is claimed once, and a version of the Confidentiality Agreement
    amended once (both forms)."""
    x, t = fact.data, fact.type
    if t in ("NeglectNoticeReceived", "BreachNoticeReceived"):
        used = {f.data.notice_id for f in of("NeglectNoticeReceived", "BreachNoticeReceived")}
        if x.notice_id in used:
            raise InvalidFactError(
                f"notice_id {x.notice_id!r} is already used in this agreement", field="data.notice_id"
            )
    if t in NOTICE_OF_CURE:
        known = {f.data.notice_id for f in of(NOTICE_OF_CURE[t])}
        if x.notice_id not in known:
            raise InvalidFactError(
                f"no {NOTICE_OF_CURE[t]} with notice_id {x.notice_id!r} recorded on or before {fact.date}",
                field="data.notice_id",
            )
    if t == "IndemnificationClaimMade" and any(f.data.matter_id == x.matter_id for f in of("IndemnificationClaimMade")):
        raise InvalidFactError(f"matter_id {x.matter_id!r} is already claimed", field="data.matter_id")
    if t == "ConfidentialityAgreementAmended":  # signing it is owed once per version (…_confidentiality_agreement_<v>)
        earlier = next((f for f in of(t) if f.data.version == x.version), None)
        if earlier is not None:
            raise InvalidFactError(
                f"version {x.version!r} of the Confidentiality Agreement is already recorded as amended on "
                f"{earlier.date}: one amendment per version",
                field="data.version",
            )


def check_payment_reference(payments: Callable[[], list[str]], fact: Fact) -> None:
    """A payment is made against a payment the report of its day lists (both forms; `payments` gives their
    ids)."""
    if fact.type == "PaymentMade":
        ids = payments()
        if fact.data.obligation not in ids:
            raise InvalidFactError(
                f"no payment {fact.data.obligation!r} exists as of {fact.date} (payments then: "
                f"{', '.join(ids) or 'none'})",
                field="data.obligation",
            )


def _check_references(h: History, fact: Fact) -> None:
    check_notice_reference(h.of, fact)
    check_expense_reference(h.of, fact)
    check_payment_reference(lambda: [p["id"] for p in status_report(h.terms, h.facts, fact.date)["payments"]], fact)


def check_history(
    terms: Terms, existing: Sequence[Fact], new: Sequence[Fact], lines: dict[str, int | None]
) -> list[InvalidFactError]:
    """The letter form's checks (check_fact) over the history the new facts leave (walk_history)."""
    return walk_history(existing, new, lines, lambda before, fact, merged: check_fact(terms, before, fact, merged))


FactCheck = Callable[[Sequence[Fact], Fact, Sequence[Fact]], None]


def walk_history(
    existing: Sequence[Fact], new: Sequence[Fact], lines: dict[str, int | None], check: FactCheck
) -> list[InvalidFactError]:
    """Check every new fact, and every recorded fact a backdated new one precedes, in effective order.

    Corrections are checked as the history they leave: a replacement as a new fact in its original's
    place, a retraction by every fact from the retracted one's date on (a cure whose notice is retracted
    is refused). `existing` and `new` are as recorded, corrections included."""
    errors = check_targets(existing, new, lines)
    if errors:
        return errors
    before = resolution(existing)[0]  # may hold an unreadable fact: the new facts may retract it
    merged = resolve([*existing, *new])  # refused if one remains in effect
    known = {f.id for f in before}
    kept = {f.id for f in merged}
    new_ids = {f.id for f in new}
    changed = [f.sort_key for f in merged if f.id not in known] + [f.sort_key for f in before if f.id not in kept]
    first_new = min(changed, default=None)
    for index, fact in enumerate(merged):
        if first_new is None or fact.sort_key < first_new:
            continue
        try:
            check(merged[:index], fact, merged)
        except NotStartedError as exc:
            errors.append(InvalidFactError(str(exc), field="date", line=lines.get(fact.id)))
        except InvalidFactError as exc:
            if fact.id in new_ids:
                line = lines.get(fact.id)
                if fact.corrects is not None:  # a replacement: name the field inside the correction
                    exc = InvalidFactError(
                        f"the replacement of {fact.corrects}: {exc.rule}",
                        field=f"data.replacement.{exc.field or 'type'}",
                    )
                errors.append(exc.at_line(line) if line is not None else exc)
            else:
                errors.append(
                    InvalidFactError(
                        f"the new facts would make recorded fact {fact.id} ({fact.type} dated {fact.date}) invalid: "
                        f"{exc.rule}",
                        field=exc.field,
                    )
                )
    return errors
