"""How employment stands on a date: notice periods, the Termination Date, its type (§5 I-11, I-14, I-26, I-32-34)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from obligations.domain.facts import Fact
from obligations.rules.calendar import add_days
from obligations.rules.change_of_control import ChangeOfControl, changes_of_control
from obligations.rules.days import add_duration, company_calendar
from obligations.rules.grounds import good_cause_grounds, good_reason_grounds
from obligations.rules.history import History, fact_ids
from obligations.terms.expressions import Duration


@dataclass(frozen=True)
class Resignation:
    notice: Fact
    notice_date: date
    requested: date | None
    effective: date
    for_good_reason: bool
    grounds: list[str]
    extended: bool
    why: str
    ground_facts: tuple[str, ...] = ()
    interpretations: tuple[str, ...] = ()  # the I-nn its why applies

    @property
    def basis(self) -> list[str]:
        return fact_ids(self.notice, self.ground_facts)


@dataclass(frozen=True)
class Ending:
    """The end of employment: the Termination Date and its type (catalogue §10 `employment`)."""

    date: date
    type: str
    fact: Fact
    discharge: bool  # a Company termination (I-22 final pay)
    for_good_cause: bool = False
    for_good_reason: bool = False
    grounds: list[str] = field(default_factory=list)
    good_cause_claim_rejected: bool = False
    why: str = ""
    end_reason: str | None = None
    facts: tuple[str, ...] = ()  # what else the ending's type rests on (the grounds)
    interpretations: tuple[str, ...] = ()  # the I-nn its why applies

    @property
    def basis(self) -> list[str]:
        return fact_ids(self.fact, self.facts)

    @property
    def accelerates(self) -> bool:
        return self.type in ("termination_without_good_cause", "resignation_for_good_reason")


def _first_coc_on_or_before(cocs: list[ChangeOfControl], start: date, day: date) -> date | None:
    return next((c.date for c in cocs if start <= c.date <= day), None)


def classify_resignation(h: History, notice: Fact, cocs: list[ChangeOfControl]) -> Resignation:
    """I-11: Good Reason iff a ground is available on the date the notice is received ('deemed')."""
    i, gr = h.terms.i, h.terms.agreement.good_reason
    days = gr.resignation_notice_days
    n = h.notice_date(notice)
    found = good_reason_grounds(h, n, _first_coc_on_or_before(cocs, h.start, n))
    if i.gr_requires_claim:
        found = [g for g in found if g.id in notice.data.good_reason_grounds_claimed]
    available = [g.id for g in found]
    ground_facts = tuple(fact_ids(*(g.facts for g in found)))
    requested = notice.data.requested_effective_date
    minimum = add_days(n, days)
    if available and not (i.gr_short_notice == "lose_good_reason" and (requested or n) < minimum):
        effective = requested or minimum
        extended = False
        if i.gr_short_notice == "extend" and effective < minimum:
            effective, extended = minimum, True
        why = (
            f"Resignation notice received {n} while Good Reason ground(s) {', '.join(available)} were "
            f"available ({gr.clause} 'deemed to have resigned for Good Reason'); {days} days advance written notice: "
            f"{n} + {days} = {minimum}; effective {effective}"
        )
        if extended:
            why += f" (requested earlier date {requested} extended to the {days}-day minimum, I-11)"
        why += "."

        return Resignation(notice, n, requested, effective, True, available, extended, why, ground_facts,
                           ("I-11",) if extended else ())  # fmt: skip
    effective = requested or n
    why = (
        f"Resignation notice received {n} with no Good Reason ground available on that date: an at-will "
        f"resignation without Good Reason, effective on the requested date {effective} "
        f"({h.terms.agreement.onboarding.at_will_clause}, I-33)."
    )
    return Resignation(notice, n, requested, effective, False, [], False, why, interpretations=("I-33",))


def _resignation_ending(h: History, r: Resignation) -> Ending:
    kind = "resignation_for_good_reason" if r.for_good_reason else "resignation_without_good_reason"
    return Ending(
        r.effective,
        kind,
        r.notice,
        False,
        False,
        r.for_good_reason,
        r.grounds,
        False,
        r.why + f" [{h.terms.agreement.good_reason.clause}, I-11]",
        facts=r.ground_facts,
        interpretations=tuple(dict.fromkeys((*r.interpretations, "I-11"))),
    )


def classify_termination(h: History, f: Fact, pending: Resignation | None) -> Ending:
    i, t, stated = h.terms.i, f.date, f.data.stated_ground
    a = h.terms.agreement
    if pending and pending.for_good_reason:  # I-32
        return Ending(
            t,
            "termination_without_good_cause",
            f,
            True,
            why=(
                f"The Company ended the employment on {t} during the Good Reason notice period of the resignation "
                f"noticed {pending.notice_date}: the Company's date is the Termination Date and it is a termination "
                f"for other than Good Cause (I-32)."
            ),
            facts=tuple(pending.basis),
            interpretations=("I-32",),
        )
    if stated == "without_cause":
        return Ending(
            t,
            "termination_without_good_cause",
            f,
            True,
            why=f"The Company terminated the employment on {t} without cause ({a.onboarding.at_will_clause} at will).",
        )
    if stated == "offer_condition_failure_i9":
        i9_failed = not any(
            x.data.documentation_satisfactory and x.date <= i9_deadline(h) for x in h.of_until(t, "I9Submitted")
        )
        i9_facts = (h.start_fact.id, *(x.id for x in h.of_until(t, "I9Submitted")))
        if i9_failed and i.i9_termination_class == "offer_condition_failure":
            return Ending(
                t,
                "offer_condition_failure",
                f,
                True,
                why=(
                    f"The Company ended the employment on {t} because the {a.onboarding.clause} I-9 condition failed "
                    f"(no satisfactory I-9 by {i9_deadline(h)}): no acceleration, no {a.section_5_1.clause} (I-26)."
                ),
                facts=i9_facts,
                interpretations=("I-26",),
            )
        rejected = not i9_failed
        return Ending(
            t,
            "termination_without_good_cause",
            f,
            True,
            good_cause_claim_rejected=rejected,
            why=(
                f"The Company ended the employment on {t} citing the I-9 condition; "
                + (
                    "the I-9 was submitted in time, so the claim is unsupported: termination for other than Good "
                    "Cause (I-14, I-26)."
                    if rejected
                    else "configured as a termination for other than Good Cause (I-26)."
                )
            ),
            facts=i9_facts,
            interpretations=("I-14", "I-26") if rejected else ("I-26",),
        )
    named = next((g for g in a.good_cause.grounds if g.stated_as == stated), None)
    ground_id = named.id if named else "(unnamed)"  # for_cause: refused for the letter (validation)
    available = {g.id: g for g in good_cause_grounds(h, t)}
    if ground_id in available or not i.reclassify_unsupported_good_cause:
        why = (
            f"The Company terminated the employment on {t} for Good Cause {ground_id}: {available[ground_id].why}."
            if ground_id in available
            else f"The Company terminated the employment on {t} stating Good Cause {ground_id}, which is not "
            f"available on that date; recorded as disputed only (I-14 alternative)."
        )
        facts = available[ground_id].facts if ground_id in available else ()
        used = available[ground_id].interpretations if ground_id in available else ("I-14",)
        return Ending(t, "termination_for_good_cause", f, True, True, False, [ground_id], why=why, facts=facts,
                      interpretations=used)  # fmt: skip
    return Ending(
        t,
        "termination_without_good_cause",
        f,
        True,
        good_cause_claim_rejected=True,
        why=(
            f"The Company terminated the employment on {t} stating Good Cause {ground_id}, but that ground is not "
            f"available on the Termination Date, so it is a termination for other than Good Cause (I-14)."
        ),
        interpretations=("I-14",),
    )


def i9_deadline(h: History) -> date:
    days = h.terms.agreement.onboarding.i9_days_after_start
    if h.terms.i.i9_day_count == "business":
        return add_duration(h.start, Duration(days, "business_days"), company_calendar(h.terms.company))
    return add_days(h.start, days)


@dataclass(frozen=True)
class EmploymentState:
    pending: Resignation | None  # a resignation notice period running on as_of
    ending: Ending | None  # the end, when the Termination Date is on or before as_of
    cocs: list[ChangeOfControl]
    first_coc_while_employed: ChangeOfControl | None


def employment_state(h: History) -> EmploymentState:
    """Walk the ending facts in order (same-day facts in recording order, I-36)."""
    cocs = changes_of_control(h)
    pending: Resignation | None = None
    ending: Ending | None = None
    for f in h.of(
        "ResignationNoticeGiven", "ResignationNoticeWithdrawn", "EmploymentTerminatedByCompany", "EmploymentEndedOther"
    ):
        if pending and pending.effective < f.date:
            break
        if f.type == "ResignationNoticeGiven":
            pending = classify_resignation(h, f, cocs)
            if pending.effective <= f.date:  # effective the day it is given
                break
        elif f.type == "ResignationNoticeWithdrawn":
            if f.data.company_consented:
                pending = None
        elif f.type == "EmploymentTerminatedByCompany":
            ending, pending = classify_termination(h, f, pending), None
            break
        else:
            ending, pending = (
                Ending(
                    f.date,
                    "ended_other",
                    f,
                    False,
                    end_reason=f.data.reason,
                    why=(
                        f"Employment ended on {f.date} ({f.data.reason}); the letter is silent: prorated salary only, "
                        f"no acceleration, no {h.terms.agreement.section_5_1.clause} (I-34)."
                    ),
                    interpretations=("I-34",),
                ),
                None,
            )
            break
    if ending is None and pending is not None and pending.effective <= h.as_of:
        ending, pending = _resignation_ending(h, pending), None
    end = ending.date if ending else None
    first = next((c for c in cocs if h.start <= c.date and (end is None or c.date <= end)), None)
    return EmploymentState(pending, ending, cocs, first)
