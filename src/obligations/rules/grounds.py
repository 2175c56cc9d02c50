"""The letter's Good Cause and Good Reason grounds available on a date, and the two cure clocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.domain.facts import CHANGE_OF_CONTROL_TYPES, Fact
from obligations.rules.calendar import add_days
from obligations.rules.history import Ground, History, is_valid_amendment
from obligations.terms.models import CauseGround, ReasonGround


@dataclass(frozen=True)
class CureClock:
    """A notice's cure period: notice day 0, last cure day `deadline`, consequence from deadline + 1."""

    kind: str  # "neglect_cure_period" | "breach_cure_period"
    notice: Fact
    started: date
    deadline: date
    cured_on: date | None  # the first cure recorded, whenever
    cure_ids: tuple[str, ...] = ()  # the cure facts recorded for the notice

    @property
    def cured_in_time(self) -> bool:
        return self.cured_on is not None and self.cured_on <= self.deadline

    @property
    def ground_from(self) -> date:
        return add_days(self.deadline, 1)


NOTICES = {"neglect_cure_period": ("NeglectNoticeReceived", "NeglectCured"),
           "breach_cure_period": ("BreachNoticeReceived", "BreachCured")}  # fmt: skip


def cure_periods(
    of: Callable[[str], list[Fact]], kind: str, started: Callable[[Fact], date], last_day: Callable[[date], date]
) -> list[CureClock]:
    """Each written notice's cure period, in either form of terms: a neglect notice must specify the neglect
    and demand a cure; a breach notice, a material breach (I-15). Notice day 0, last cure day `last_day`."""
    notice_type, cure_type = NOTICES[kind]
    clocks = []
    for notice in of(notice_type):
        if kind == "neglect_cure_period" and not (notice.data.cure_demanded and notice.data.duties_specified.strip()):
            continue
        if kind == "breach_cure_period" and not notice.data.material:
            continue
        day = started(notice)
        cures = [c for c in of(cure_type) if c.data.notice_id == notice.data.notice_id]
        first = min((c.date for c in cures), default=None)
        clocks.append(CureClock(kind, notice, day, last_day(day), first, tuple(c.id for c in cures)))
    return clocks


def cure_clocks(h: History, kind: str) -> list[CureClock]:
    neglect = kind == "neglect_cure_period"
    days = h.terms.agreement.good_cause.neglect_cure_days if neglect else h.terms.agreement.good_reason.breach_cure_days
    return cure_periods(h.of, kind, h.notice_date, lambda day: add_days(day, days))


def _cure_ground(h: History, clock: CureClock, ground_id: str, day: date) -> Ground | None:
    if clock.cured_in_time or clock.ground_from > day:
        return None
    if clock.cured_on is not None and clock.cured_on <= day and h.terms.i.late_cure_removes_ground:
        return None  # I-14 alternative
    party = "employee" if clock.kind == "neglect_cure_period" else "Company"
    return Ground(
        ground_id,
        clock.ground_from,
        (
            f"{ground_id} available since {clock.ground_from} (written notice received {clock.started}; not cured "
            f"by the {party} by {clock.started} + {(clock.deadline - clock.started).days} days = {clock.deadline})"
        ),
        (clock.notice.id, *clock.cure_ids),
    )


def _is_conviction_ground(h: History, c: Fact) -> bool:
    """A conviction ground (I-16)."""
    x, i = c.data, h.terms.i
    theft = x.theft_embezzlement_misappropriation
    limb_i = theft and x.company_property
    limb_ii = (x.offense_class == "felony" and theft) or (
        x.moral_turpitude and (x.offense_class == "felony" or not i.moral_turpitude_felony_only)
    )
    return (limb_i and limb_ii) if i.gc_a_conjunctive else (limb_i or limb_ii)


def _first_uncured(h: History, g: CauseGround | ReasonGround, kind: str, day: date) -> Ground | None:
    """The ground arises when a notice's cure period ends uncured (the first such notice's)."""
    return next((x for c in cure_clocks(h, kind) if (x := _cure_ground(h, c, g.id, day))), None)


def _conviction(h: History, g: CauseGround, day: date) -> Ground | None:
    c = next((c for c in h.of_until(day, "ConvictionEntered") if _is_conviction_ground(h, c)), None)
    if c is None:
        return None
    return Ground(g.id, c.date, f"{g.id} conviction ({c.data.plea}, {c.data.offense_class}) entered {c.date}", (c.id,))


def _policy(h: History, g: CauseGround, day: date) -> Ground | None:
    p = next((p for p in h.of_until(day, "PolicyViolationFound") if p.data.willful), None)
    if p is None:
        return None
    return Ground(g.id, p.date, f"{g.id} wilful failure to abide by policy '{p.data.policy}' found {p.date}", (p.id,))


CAUSE_RULES: dict[str, Callable[[History, CauseGround, date], Ground | None]] = {
    "conviction": _conviction,
    "uncured_neglect": lambda h, g, day: _first_uncured(h, g, "neglect_cure_period", day),
    "wilful_policy_violation": _policy,
}


def good_cause_grounds(h: History, day: date) -> list[Ground]:
    """The Good Cause grounds of the terms available on `day`: one rule per kind of ground."""
    found = [CAUSE_RULES[g.kind](h, g, day) for g in h.terms.agreement.good_cause.grounds]
    return sorted((g for g in found if g is not None), key=lambda g: g.id)


@dataclass(frozen=True)
class SalaryCut:
    since: date
    base: Decimal
    rate: Decimal
    basis: tuple[Fact, ...]  # the facts that set the baseline, and the cut


def first_salary_cut(
    timeline: list[tuple[date, Decimal, Fact]], threshold: Decimal, baseline: str, agreed_excluded: bool
) -> SalaryCut | None:
    """I-13, both forms: the first rate more than `threshold` (a fraction) below the baseline (`original`: the
    start's rate, `peak`: the highest since, `previous`: the rate before), computed exactly; a cut agreed in a
    signed amendment is the new baseline when `agreed_excluded`."""
    base_rate = previous = timeline[0][1]
    basis: list[Fact] = [timeline[0][2]]
    for since, rate, fact in timeline[1:]:
        agreed = fact.type == "SalaryChanged" and is_valid_amendment(fact.data.amendment)
        if agreed and agreed_excluded:
            base_rate = previous = rate
            basis = [fact]
            continue
        base = previous if baseline == "previous" else base_rate
        if base > 0 and (base - rate) / base > threshold:
            return SalaryCut(since, base, rate, (*basis, fact))
        if baseline == "peak" and rate > base_rate:
            base_rate = rate
            basis = [fact]
        elif baseline == "previous":
            basis = [fact]
        previous = rate
    return None


def _salary_cut_ground(h: History, day: date, gid: str) -> Ground | None:
    """I-13: a cut of more than the threshold from the baseline, computed exactly."""
    i = h.terms.i
    cut = first_salary_cut(
        [t for t in h.salary_timeline() if t[0] <= day], i.salary_cut_threshold, i.salary_cut_baseline,
        i.agreed_cut_excluded,
    )  # fmt: skip
    if cut is None:
        return None
    base, rate, since = cut.base, cut.rate, cut.since
    return Ground(
        gid,
        since,
        (
            f"{gid} base salary reduced from ${base:,} to ${rate:,} on {since}: "
            f"({base} − {rate}) / {base} = {((base - rate) / base * 100).quantize(Decimal('0.01'))}% "
            f"> {i.salary_cut_threshold * 100}% [I-13]"
        ),
        tuple(f.id for f in cut.basis),
        ("I-13",),
    )


def relocated(f: Fact) -> bool:
    """I-30, both forms: a WorkLocationChanged outside the work location the employee did not agree to."""
    return not f.data.in_austin_tx and not f.data.employee_agreed


def diminished(f: Fact, reporting_line: bool) -> bool:
    """Both forms: duties inconsistent with the position or substantially diminished, not agreed in a signed
    amendment; with `reporting_line` (I-38), a reporting line away from the Chairman/CEO/President."""
    if f.type == "DutiesChanged":
        x = f.data
        return bool(
            (x.inconsistent_with_position or x.substantial_diminution) and not x.employee_agreed_in_signed_amendment
        )
    return reporting_line and not f.data.new_manager_holds_ceo_chair_president


def benefits_cut(f: Fact, first_coc: date) -> bool:
    """I-31, both forms: compensation or benefits cut below their level before the first Change of Control."""
    x = f.data
    return (
        f.date >= first_coc
        and (x.below_pre_coc_level or x.substantially_diminishes_overall_benefits)
        and not x.equitable_arrangement_approved_by_employee
    )


def _relocation(h: History, g: ReasonGround, day: date, first_coc: date | None) -> Ground | None:
    where = h.terms.agreement.position.work_location
    for f in h.of_until(day, "WorkLocationChanged"):
        if relocated(f):
            why = (
                f"{g.id} principal work location moved to {f.data.new_location} (outside {where}) without agreement "
                f"{f.date} [I-30]"
            )
            return Ground(g.id, f.date, why, (f.id,), ("I-30",))
    return None


def _diminution(h: History, g: ReasonGround, day: date, first_coc: date | None) -> Ground | None:
    for f in h.of_until(day, "DutiesChanged", "ReportingLineChanged"):
        if f.type == "DutiesChanged":
            text = f"{g.id} duties changed ({f.data.description}) {f.date}"
        else:
            text = (
                f"{g.id} reporting line moved to {f.data.new_manager}, not the Chairman/CEO/President, {f.date} [I-38]"
            )
        if diminished(f, h.terms.i.reporting_line_change_is_diminution):
            return Ground(g.id, f.date, text, (f.id,), () if f.type == "DutiesChanged" else ("I-38",))
    return None


def _coc_ids(h: History, first_coc: date) -> tuple[str, ...]:
    return tuple(c.id for c in h.of(*CHANGE_OF_CONTROL_TYPES) if c.date == first_coc)


def _benefits(h: History, g: ReasonGround, day: date, first_coc: date | None) -> Ground | None:
    if first_coc is None or first_coc > day:
        return None
    for f in h.of_until(day, "CompensationOrBenefitsChanged"):
        if benefits_cut(f, first_coc):
            why = f"{g.id} after the Change of Control of {first_coc}: {f.data.description} ({f.date}) [I-31]"
            return Ground(g.id, f.date, why, (*_coc_ids(h, first_coc), f.id), ("I-31",))
    return None


def _change_of_control(h: History, g: ReasonGround, day: date, first_coc: date | None) -> Ground | None:
    if first_coc is None or first_coc > day or not h.terms.i.good_reason_e_enabled:
        return None
    why = f"{g.id} a Change of Control occurred {first_coc} [I-31]"
    return Ground(g.id, first_coc, why, _coc_ids(h, first_coc), ("I-31",))


REASON_RULES: dict[str, Callable[[History, ReasonGround, date, date | None], Ground | None]] = {
    "relocation": _relocation,
    "diminution": _diminution,
    "salary_reduction": lambda h, g, day, _: _salary_cut_ground(h, day, g.id),
    "benefits_after_change_of_control": _benefits,
    "change_of_control": _change_of_control,
    "uncured_breach": lambda h, g, day, _: _first_uncured(h, g, "breach_cure_period", day),
}


def good_reason_grounds(h: History, day: date, first_coc: date | None, lapse: bool = True) -> list[Ground]:
    """The Good Reason grounds of the terms available on `day` while employed: one rule per kind of ground;
    `first_coc` is the first CoC while employed (or None). With `lapse=False`, grounds that lapsed under I-12
    are kept (their dates are still wanted)."""
    i = h.terms.i
    found = [REASON_RULES[g.kind](h, g, day, first_coc) for g in h.terms.agreement.good_reason.grounds]
    grounds = sorted((g for g in found if g is not None), key=lambda g: g.id)
    if lapse and i.gr_lapse_days >= 0:  # I-12 alternative: a ground lapses
        grounds = [g for g in grounds if add_days(g.since, i.gr_lapse_days) >= day]
    return grounds
