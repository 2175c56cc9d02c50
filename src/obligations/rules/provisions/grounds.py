"""Good Reason grounds as typed conditions and the Good Reason process (family 5): when each ground's
condition arose, whether notice came in time, whether the Company cured it, and the window in which a
resignation is for Good Reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from obligations.domain.facts import Fact
from obligations.rules.grounds import CureClock, benefits_cut, cure_periods, diminished, first_salary_cut, relocated
from obligations.rules.provisions.base import Coc, PHistory, change_of_control
from obligations.terms.provisions import CauseGround, Ground, conviction_words


@dataclass(frozen=True)
class GroundState:
    ground: Ground
    arose: date | None
    notice: date | None  # the notice naming it, if given in time
    cured: date | None
    available_from: date | None  # the day after the cure period ended uncured
    available_until: date | None  # the last day a resignation may take effect for it
    facts: tuple[str, ...]
    why: str
    notice_by: date | None = None
    cure_by: date | None = None
    notice_until: date | None = None  # [good_reason] lapse: the last day a notice may rely on it (I-12)

    def available(self, notice_day: date, effective: date) -> bool:
        """A resignation noticed on `notice_day` and effective on `effective` is for this ground (no
        `available_until` once available: no deadline)."""
        if self.available_from is None or (self.notice_until is not None and notice_day > self.notice_until):
            return False
        return self.available_from <= notice_day and (self.available_until is None or effective <= self.available_until)


def _salary_cut(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    timeline = [(h.start, Decimal(h.start_fact.data.annual_base_salary), h.start_fact)]
    timeline += [(f.date, Decimal(f.data.new_annual_rate), f) for f in h.of("SalaryChanged")]
    threshold = (g.threshold_pct or Decimal(0)) / 100
    baseline = "original" if g.baseline == "start" else g.baseline
    cut = first_salary_cut(timeline, threshold, baseline, g.agreed_cut_resets_baseline)
    if cut is None:
        return None, [], f"no cut of more than {g.threshold_pct}% from the {g.baseline} salary"
    pct = (cut.base - cut.rate) / cut.base * 100
    words = (
        f"salary cut on {cut.since} from ${cut.base:,} ({g.baseline}) to ${cut.rate:,}: {pct:.2f}% > {g.threshold_pct}%"
    )
    return cut.since, list(cut.basis), words


def _recorded(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    found = [f for f in h.of("GoodReasonConditionArose") if f.data.ground == g.id]
    if not found:
        return None, [], "no condition recorded"
    return found[0].date, found[:1], f"condition recorded on {found[0].date}"


def _relocation(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    limit = g.more_than_miles or Decimal(0)
    for f in h.of("WorkplaceRelocated"):
        x = f.data
        if x.distance_miles > limit and not x.employee_agreed:
            return f.date, [f], f"workplace moved {x.distance_miles} miles to {x.new_location} on {f.date} (> {limit})"
    return None, [], f"no relocation of more than {limit} miles without the employee's agreement"


def _diminution(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    for f in h.of("DutiesChanged", "ReportingLineChanged") if g.reporting_line else h.of("DutiesChanged"):
        if diminished(f, g.reporting_line):
            if f.type == "ReportingLineChanged":
                return f.date, [f], f"reporting line moved to {f.data.new_manager} on {f.date} (I-38)"
            return f.date, [f], f"duties diminished on {f.date}: {f.data.description}"
    return None, [], "no diminution of duties without a signed amendment"


def _work_location(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    f = next((f for f in h.of("WorkLocationChanged") if relocated(f)), None)
    if f is None:
        return None, [], "no move of the principal place of work outside the work location without agreement"
    return f.date, [f], f"principal place of work moved to {f.data.new_location} on {f.date} without agreement"


def _first_coc(h: PHistory) -> Coc | None:
    coc = change_of_control(h)
    return coc if coc is not None and h.reached(coc.date) else None


def _benefits(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    coc = _first_coc(h)
    f = next((f for f in h.of("CompensationOrBenefitsChanged") if coc and benefits_cut(f, coc.date)), None)
    if coc is None or f is None:
        return None, [], "no cut of compensation or benefits below their level before a Change of Control"
    facts = [x for x in h.facts if x.id in coc.facts] + [f]
    return f.date, facts, f"after the Change of Control of {coc.date}: {f.data.description} ({f.date})"


def _coc(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    coc = _first_coc(h)
    if coc is None:
        return None, [], "no Change of Control"
    return coc.date, [x for x in h.facts if x.id in coc.facts], f"a Change of Control occurred {coc.date}"


def notice_cure_periods(h: PHistory, g: Ground | CauseGround) -> list[CureClock]:
    """The cure periods of the written notices a ground with a cure period reads (notice day 0)."""
    assert g.cure is not None
    kind = "breach_cure_period" if g.kind == "uncured_breach" else "neglect_cure_period"
    cure = g.cure
    return cure_periods(h.of, kind, h.notice_date, lambda day: h.add(day, cure))


def _uncured_breach(h: PHistory, g: Ground) -> tuple[date | None, list[Fact], str]:
    for c in notice_cure_periods(h, g):
        if g.late_cure_removes and c.cured_on is not None and h.reached(c.cured_on):
            continue  # I-14 alternative: cured, if late
        if not c.cured_in_time and h.reached(c.ground_from):
            cures = [x for x in h.facts if x.id in c.cure_ids]
            words = (f"written notice of a material breach received {c.started}, not cured by the Company within "
                     f"{g.cure} (by {c.deadline}): from {c.ground_from}")  # fmt: skip
            return c.ground_from, [c.notice, *cures], words
    return None, [], "no written notice of a material breach left uncured"


# How each kind of Good Reason ground's condition arises: (the day, the facts, the words).
CONDITIONS: dict[str, Callable[[PHistory, Ground], tuple[date | None, list[Fact], str]]] = {
    "salary_reduction": _salary_cut,
    "relocation": _relocation,
    "work_location": _work_location,
    "duties_diminution": _diminution,
    "benefits_after_change_of_control": _benefits,
    "change_of_control": _coc,
    "uncured_breach": _uncured_breach,
    "recorded": _recorded,
}


def ground_states(h: PHistory) -> list[GroundState]:
    gr = h.terms.agreement.good_reason
    if gr is None:
        return []
    out = []
    for g in h.terms.agreement.grounds:
        arose, basis, words = CONDITIONS[g.kind](h, g)
        out.append(_process(h, g, arose, basis, f"{g.clause} {g.id}: {words}"))
    return out


def _process(h: PHistory, g: Ground, arose: date | None, basis: list[Fact], words: str) -> GroundState:
    """The steps of [good_reason] a ground goes through once its condition arose; a step the terms leave out
    is not required."""
    gr = h.terms.agreement.good_reason
    assert gr is not None
    if arose is None:
        return GroundState(g, None, None, None, None, None, (), words)
    facts = tuple(f.id for f in basis)
    notice_by = h.add(arose, gr.notice_within) if gr.notice_within else None
    notices = [f for f in h.of("GoodReasonNoticeGiven") if g.id in f.data.grounds and arose <= f.date]
    notice_f = next((f for f in notices if notice_by is None or f.date <= notice_by), None)
    if notice_by is not None:
        words += f"; notice due within {gr.notice_within} ({gr.clause}), by {notice_by}"
        if notice_f is None:
            return GroundState(g, arose, None, None, None, None, facts, words + "; no notice in time", notice_by)
    if notice_f is not None:
        words += f"; notice {notice_f.date}"
        facts += (notice_f.id,)
    cure_by = None
    start = arose
    if gr.cure:
        if notice_f is None:  # the cure period runs from a notice, which has not come
            return GroundState(g, arose, None, None, None, None, facts, words + "; awaiting the employee's notice")
        cure_by = h.add(notice_f.date, gr.cure)
        cures = [f for f in h.of("GoodReasonConditionCured") if f.data.ground == g.id]
        cured_f = next((f for f in cures if notice_f.date <= f.date <= cure_by), None)
        words += f"; the Company may cure within {gr.cure}, by {cure_by}"
        if cured_f is not None:
            return GroundState(g, arose, notice_f.date, cured_f.date, None, None, (*facts, cured_f.id),
                               words + f"; cured {cured_f.date}: no Good Reason", notice_by, cure_by)  # fmt: skip
        start = cure_by + timedelta(days=1)
        words += "; not cured"
    after = cure_by or (notice_f.date if notice_f else arose)  # the cure period's end, or the notice, or the condition
    ends = [h.add(after, gr.resign_within)] if gr.resign_within else []
    ends += [h.add(arose, gr.resign_by)] if gr.resign_by else []
    until = min(ends, default=None)
    words += f": Good Reason from {start}" + (
        f"; the resignation must take effect by {until}" if until else "; no deadline for the resignation"
    )
    notice = notice_f.date if notice_f else None
    lapses = h.add(start, gr.lapse) if gr.lapse else None
    if lapses is not None:
        words += f"; a resignation may rely on it if noticed by {lapses} ({gr.lapse}, I-12)"
    return GroundState(g, arose, notice, None, start, until, facts, words, notice_by, cure_by, lapses)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _section(ground: Ground | CauseGround, why: str, facts: tuple[str, ...], **dates: date | None) -> dict[str, object]:
    """A ground's section: its id, kind and clause, its dates, the why and the facts."""
    return {
        "id": ground.id,
        "kind": ground.kind,
        "clause": ground.clause,
        **{k: _iso(v) for k, v in dates.items()},
        "why": why,
        "fact_ids": list(facts),
    }


def ground_section(s: GroundState) -> dict[str, object]:
    return _section(s.ground, s.why, s.facts, arose=s.arose, notice=s.notice, cured=s.cured,
                    available_from=s.available_from, available_until=s.available_until)  # fmt: skip


# -- Cause (family 6) ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CauseState:
    """A Cause ground as of a day: when its condition arose (a recorded one) or the Company's notice named it
    (one with a cure period), the last day to cure it, the cure, and the day it is available from."""

    ground: CauseGround
    arose: date | None
    cure_by: date | None
    cured: date | None
    available_from: date | None
    facts: tuple[str, ...]
    why: str

    def available_on(self, day: date) -> bool:
        return self.available_from is not None and self.available_from <= day


def cause_states(h: PHistory) -> list[CauseState]:
    """Each Cause ground of the terms as of the history's day: one rule per kind."""
    return [CAUSE_KINDS[g.kind](h, g) for g in h.terms.agreement.cause_grounds]


def _found_cause(g: CauseGround, f: Fact | None, words: str, none: str) -> CauseState:
    if f is None:
        return CauseState(g, None, None, None, None, (), f"{g.clause} {g.id}: {none}")
    return CauseState(g, f.date, None, None, f.date, (f.id,), f"{g.clause} {g.id}: {words}: Cause from that day")


def conviction_is(x: Any, kind: str) -> bool:
    """Whether a conviction (ConvictionEntered) is of a kind of terms.provisions.ConvictionKind (I-16)."""
    theft = x.theft_embezzlement_misappropriation
    felony = x.offense_class == "felony"
    kinds: dict[str, bool] = {
        "felony": felony,
        "moral_turpitude": x.moral_turpitude,
        "felony_involving_moral_turpitude": felony and x.moral_turpitude,
        "misdemeanor": True,
        "theft_of_company_property": theft and x.company_property,
        "felony_involving_theft": felony and theft,
    }
    return kinds[kind]


def _conviction_cause(h: PHistory, g: CauseGround) -> CauseState:
    def counts(x: Any) -> bool:
        return any(
            conviction_is(x, e) if isinstance(e, str) else all(conviction_is(x, k) for k in e) for e in g.convictions
        )

    f = next((f for f in h.of("ConvictionEntered") if counts(f.data)), None)
    words = f"conviction ({f.data.plea}, {f.data.offense_class}) entered {f.date}" if f else ""
    return _found_cause(g, f, words, f"no conviction of the kind it names ({conviction_words(g.convictions)})")


def _policy_cause(h: PHistory, g: CauseGround) -> CauseState:
    f = next((f for f in h.of("PolicyViolationFound") if f.data.willful or not g.wilful_only), None)
    words = (
        f"{'wilful ' if f and f.data.willful else ''}violation of policy '{f.data.policy}' found {f.date}" if f else ""
    )
    return _found_cause(g, f, words, "no " + ("wilful " if g.wilful_only else "") + "policy violation found")


def _recorded_cause(h: PHistory, g: CauseGround) -> CauseState:
    found = next((f for f in h.of("CauseConditionArose") if f.data.ground == g.id), None)
    return _found_cause(g, found, f"condition recorded on {found.date}" if found else "", "no condition recorded")


def _uncured_cause(h: PHistory, g: CauseGround) -> CauseState:
    """The first notice naming the ground whose cure period ends uncured makes it available the day after;
    a notice cured in time leaves it unavailable (a later notice starts a new cure period)."""
    assert g.cure is not None
    cures = [f for f in h.of("CauseConditionCured") if f.data.ground == g.id]
    words, last = f"{g.clause} {g.id}", None
    for notice in (f for f in h.of("CauseNoticeGiven") if g.id in f.data.grounds):
        cure_by = h.add(notice.date, g.cure)
        words += f"; written notice {notice.date}: the employee may cure within {g.cure}, by {cure_by}"
        cured = next((c for c in cures if notice.date <= c.date <= cure_by), None)
        if cured is not None:
            words += f"; cured {cured.date}"
            last = CauseState(g, notice.date, cure_by, cured.date, None, (notice.id, cured.id), words)
            continue
        start = cure_by + timedelta(days=1)
        return CauseState(
            g, notice.date, cure_by, None, start, (notice.id,), words + f"; if not cured, Cause from {start}"
        )
    return last or CauseState(g, None, None, None, None, (), words + ": no written notice naming it")


def _uncured_neglect(h: PHistory, g: CauseGround) -> CauseState:
    """The letter's neglect (I-14): the first written notice specifying the neglect and demanding a cure that
    the employee does not cure in time makes the ground available the day after its cure period."""
    words, last = f"{g.clause} {g.id}", None
    for c in notice_cure_periods(h, g):
        words += f"; written notice {c.started}: the employee may cure within {g.cure}, by {c.deadline}"
        if c.cured_in_time or (g.late_cure_removes and c.cured_on is not None):
            words += f"; cured {c.cured_on}" + ("" if c.cured_in_time else ", late, which removes the ground (I-14)")
            last = CauseState(g, c.started, c.deadline, c.cured_on, None, (c.notice.id, *c.cure_ids), words)
            continue
        return CauseState(g, c.started, c.deadline, None, c.ground_from, (c.notice.id, *c.cure_ids),
                          words + f"; if not cured, Cause from {c.ground_from}")  # fmt: skip
    return last or CauseState(g, None, None, None, None, (), words + ": no written notice of neglect")


def cause_section(s: CauseState) -> dict[str, object]:
    return _section(s.ground, s.why, s.facts, arose=s.arose, cure_by=s.cure_by, cured=s.cured,
                    available_from=s.available_from)  # fmt: skip


CAUSE_KINDS: dict[str, Callable[[PHistory, CauseGround], CauseState]] = {
    "recorded": _recorded_cause,
    "uncured_notice": _uncured_cause,
    "uncured_neglect": _uncured_neglect,
    "conviction": _conviction_cause,
    "policy_violation": _policy_cause,
}
