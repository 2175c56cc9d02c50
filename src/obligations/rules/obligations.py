"""The `obligations` section: onboarding and continuing duties with a deadline or none (catalogue §4)."""

from __future__ import annotations

from datetime import date

from obligations.domain.facts import Fact
from obligations.rules.calendar import add_days
from obligations.rules.clocks import hire_basis, hire_date
from obligations.rules.employment import i9_deadline
from obligations.rules.history import History, fact_ids
from obligations.rules.item import Item
from obligations.rules.report_parts import first_day_close
from obligations.terms.expressions import cardinal


def _item(
    h: History,
    oid: str,
    owed_by: str,
    owed_to: str,
    due: date | None,
    clause: str,
    why: str,
    done: Fact | None,
    basis: list[str] | None = None,
    interpretations: tuple[str, ...] = (),
) -> Item:
    if done is not None:
        why += f" Done {done.date}{' (late)' if due is not None and done.date > due else ''}."
    return Item(
        "obligation",
        oid,
        owed_by,
        owed_to,
        None,
        due,
        None,
        clause,
        fulfilled_on=done.date if done is not None else None,
        fact_ids=tuple(fact_ids(h.start_fact if basis is None else basis, done)),
        detail={"why": why},
        interpretations=interpretations,
    )


def obligations(h: History) -> list[Item]:
    a, s = h.terms.agreement, h.start
    i9 = i9_deadline(h)
    i9_done = next((f for f in h.of("I9Submitted") if f.data.documentation_satisfactory), None)
    ca_done = next(iter(h.of("ConfidentialityAgreementExecuted")), None)
    grant = next(iter(h.of("OptionsGranted")), None)
    hire = hire_date(h)
    bonus_due = add_days(hire, a.bonus.program_finalization_days)
    arb_days = h.terms.i.arbitration_agreement_due_days
    arb_due = add_days(s, arb_days) if arb_days >= 0 else None
    grant_why = f"Due on the first day {s} [I-24]."
    if grant is not None:
        grant_why += _grant_check(h, grant)
    items = [
        _item(
            h,
            "submit_i9",
            "Employee",
            "Company",
            i9,
            a.onboarding.clause,
            f"No later than {cardinal(a.onboarding.i9_days_after_start)} days after employment begins: {s} + "
            f"{a.onboarding.i9_days_after_start} = {i9} [I-26].",
            i9_done,
            interpretations=("I-26",),
        ),
        _item(
            h,
            "execute_confidentiality_agreement",
            "Employee",
            "Company",
            s,
            a.onboarding.clause,
            f"Condition of employment; due on the first day {s} [I-28].",
            ca_done,
            interpretations=("I-28",),
        ),
        _item(
            h,
            "grant_stock_options",
            "Company",
            "Employee",
            s,
            a.options.clause,
            grant_why,
            grant,
            interpretations=("I-24",),
        ),  # fmt: skip
        _item(
            h,
            "finalize_bonus_program",
            "Company",
            "Employee",
            bonus_due,
            a.bonus.clause,
            f"Within {a.bonus.program_finalization_days} days of the date of hire: {hire} + "
            f"{a.bonus.program_finalization_days} = {bonus_due} [I-25].",
            next(iter(h.of("BonusProgramFinalized")), None),
            hire_basis(h),
            ("I-25",),
        ),
        _item(
            h,
            "execute_arbitration_agreement",
            "Company and Employee",
            "each other",
            arb_due,
            a.dispute_resolution.clause,
            "No deadline [I-29]." if arb_due is None else f"Due {s} + {arb_days} = {arb_due} [I-29].",
            next(iter(h.of("ArbitrationAgreementExecuted")), None),
            interpretations=("I-29",),
        ),
    ]
    for amended in h.of("ConfidentialityAgreementAmended"):
        v = amended.data.version
        done = next((f for f in h.of("ConfidentialityAgreementExecuted") if f.data.version == v), None)
        items.append(
            _item(
                h,
                f"execute_amended_confidentiality_agreement_{v}",
                "Employee",
                "Company",
                None,
                a.onboarding.clause,
                f"The Company amended the Confidentiality Agreement ({v}, {amended.date}); signing it is "
                f"a condition of continued employment, with no deadline [I-28].",
                done,
                [amended.id],
                ("I-28",),
            )
        )
    for claim in h.of("IndemnificationClaimMade"):
        items.append(
            _item(
                h,
                f"indemnify_{claim.data.matter_id}",
                "Company",
                "Employee",
                None,
                a.section_5_1.clause,
                f"Indemnification for acts and decisions as {a.position.title}: claim "
                f"'{claim.data.matter}' made {claim.date}; no deadline; scope from the bylaws, "
                f"agreements and law ({a.section_5_1.indemnification_clauses}, I-41).",
                None,
                [claim.id],
                ("I-41",),
            )
        )
    return items


def _grant_check(h: History, grant: Fact) -> str:
    notes, o = [], h.terms.agreement.options
    close = first_day_close(h)
    price = grant.data.exercise_price
    if price is not None and close is not None and price != close[0]:
        notes.append(
            f" FLAG: recorded exercise price {price} differs from the first-day close {close[0]} ({o.price_clause})."
        )
    if grant.data.quantity != h.terms.agreement.options.quantity:
        notes.append(
            f" FLAG: {grant.data.quantity:,} options granted, the letter promises {o.quantity:,} ({o.quantity_clause})."
        )
    if grant.data.grant_date > h.start:
        notes.append(
            " Granted after the first day at the first-day price: possibly a discounted option (IRC section 409A), "
            "outside the tracker (I-24)."
        )
    return "".join(notes)
