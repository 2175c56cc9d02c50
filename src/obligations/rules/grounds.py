"""§5.2 Good Cause and §5.4 Good Reason grounds available on a date, and the two cure clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from obligations.domain.facts import CHANGE_OF_CONTROL_TYPES, Fact
from obligations.rules.calendar import add_days
from obligations.rules.history import Ground, History, is_valid_amendment


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


def cure_clocks(h: History, kind: str) -> list[CureClock]:
    neglect = kind == "neglect_cure_period"
    notice_type, cure_type = (
        ("NeglectNoticeReceived", "NeglectCured") if neglect else ("BreachNoticeReceived", "BreachCured")
    )
    days = h.terms.agreement.good_cause.neglect_cure_days if neglect else h.terms.agreement.good_reason.breach_cure_days
    clocks = []
    for notice in h.of(notice_type):
        # §5.2(b): the notice must specify the neglect and demand a cure; §5.4(f): a material breach (I-15).
        if neglect and not (notice.data.cure_demanded and notice.data.duties_specified.strip()):
            continue
        if not neglect and not notice.data.material:
            continue
        started = h.notice_date(notice)
        cures = [c for c in h.of(cure_type) if c.data.notice_id == notice.data.notice_id]
        first = min((c.date for c in cures), default=None)
        clocks.append(CureClock(kind, notice, started, add_days(started, days), first, tuple(c.id for c in cures)))
    return clocks


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
    """§5.2(a), I-16."""
    x, i = c.data, h.terms.i
    theft = x.theft_embezzlement_misappropriation
    limb_i = theft and x.company_property
    limb_ii = (x.offense_class == "felony" and theft) or (
        x.moral_turpitude and (x.offense_class == "felony" or not i.moral_turpitude_felony_only)
    )
    return (limb_i and limb_ii) if i.gc_a_conjunctive else (limb_i or limb_ii)


def good_cause_grounds(h: History, day: date) -> list[Ground]:
    found: dict[str, Ground] = {}
    for c in h.of_until(day, "ConvictionEntered"):
        if "5.2(a)" not in found and _is_conviction_ground(h, c):
            found["5.2(a)"] = Ground(
                "5.2(a)", c.date, f"5.2(a) conviction ({c.data.plea}, {c.data.offense_class}) entered {c.date}", (c.id,)
            )
    for clock in cure_clocks(h, "neglect_cure_period"):
        g = _cure_ground(h, clock, "5.2(b)", day)
        if g and "5.2(b)" not in found:
            found["5.2(b)"] = g
    for p in h.of_until(day, "PolicyViolationFound"):
        if p.data.willful and "5.2(c)" not in found:
            found["5.2(c)"] = Ground(
                "5.2(c)", p.date, f"5.2(c) wilful failure to abide by policy '{p.data.policy}' found {p.date}", (p.id,)
            )
    return sorted(found.values(), key=lambda g: g.id)


def _salary_cut_ground(h: History, day: date) -> Ground | None:
    """§5.4(c), I-13: a cut of more than the threshold from the baseline, computed exactly."""
    i = h.terms.i
    timeline = [t for t in h.salary_timeline() if t[0] <= day]
    baseline = timeline[0][1]
    previous = baseline
    basis = [timeline[0][2].id]  # the facts that set the baseline
    for since, rate, fact in timeline[1:]:
        agreed = fact.type == "SalaryChanged" and is_valid_amendment(fact.data.amendment)
        if agreed and i.agreed_cut_excluded:
            baseline = previous = rate  # I-13(3): an agreed cut resets the baseline
            basis = [fact.id]
            continue
        base = previous if i.salary_cut_baseline == "previous" else baseline
        if base > 0 and (base - rate) / base > i.salary_cut_threshold:
            return Ground(
                "5.4(c)",
                since,
                (
                    f"5.4(c) base salary reduced from ${base:,} to ${rate:,} on {since}: "
                    f"({base} − {rate}) / {base} = {((base - rate) / base * 100).quantize(Decimal('0.01'))}% "
                    f"> {i.salary_cut_threshold * 100}% [I-13]"
                ),
                (*basis, fact.id),
            )
        if i.salary_cut_baseline == "peak" and rate > baseline:
            baseline = rate
            basis = [fact.id]
        elif i.salary_cut_baseline == "previous":
            basis = [fact.id]
        previous = rate
    return None


def good_reason_grounds(h: History, day: date, first_coc: date | None, lapse: bool = True) -> list[Ground]:
    """Grounds available on `day` while employed; `first_coc` is the first CoC while employed (or None).
    With `lapse=False`, grounds that lapsed under I-12 are kept (their dates are still wanted)."""
    i = h.terms.i
    found: dict[str, Ground] = {}
    for f in h.of_until(day, "WorkLocationChanged"):
        if not f.data.in_austin_tx and not f.data.employee_agreed:
            found.setdefault(
                "5.4(a)",
                Ground(
                    "5.4(a)",
                    f.date,
                    f"5.4(a) principal work location moved to "
                    f"{f.data.new_location} (outside Austin, Texas) without agreement {f.date} [I-30]",
                    (f.id,),
                ),
            )
    for f in h.of_until(day, "DutiesChanged", "ReportingLineChanged"):
        if f.type == "DutiesChanged":
            hit = (
                f.data.inconsistent_with_position or f.data.substantial_diminution
            ) and not f.data.employee_agreed_in_signed_amendment
            text = f"5.4(b) duties changed ({f.data.description}) {f.date}"
        else:
            hit = i.reporting_line_change_is_diminution and not f.data.new_manager_holds_ceo_chair_president
            text = (
                f"5.4(b) reporting line moved to {f.data.new_manager}, not the Chairman/CEO/President, {f.date} [I-38]"
            )
        if hit:
            found.setdefault("5.4(b)", Ground("5.4(b)", f.date, text, (f.id,)))
    cut = _salary_cut_ground(h, day)
    if cut:
        found["5.4(c)"] = cut
    if first_coc is not None and first_coc <= day:
        coc_ids = tuple(c.id for c in h.of(*CHANGE_OF_CONTROL_TYPES) if c.date == first_coc)
        for f in h.of_until(day, "CompensationOrBenefitsChanged"):
            x = f.data
            if (
                f.date >= first_coc
                and (x.below_pre_coc_level or x.substantially_diminishes_overall_benefits)
                and not x.equitable_arrangement_approved_by_employee
            ):
                found.setdefault(
                    "5.4(d)",
                    Ground(
                        "5.4(d)",
                        f.date,
                        f"5.4(d) after the Change of Control of {first_coc}: {x.description} ({f.date}) [I-31]",
                        (*coc_ids, f.id),
                    ),
                )
        if i.good_reason_e_enabled:
            found["5.4(e)"] = Ground(
                "5.4(e)", first_coc, f"5.4(e) a Change of Control occurred {first_coc} [I-31]", coc_ids
            )
    for clock in cure_clocks(h, "breach_cure_period"):
        g = _cure_ground(h, clock, "5.4(f)", day)
        if g and "5.4(f)" not in found:
            found["5.4(f)"] = g
    grounds = sorted(found.values(), key=lambda g: g.id)
    if lapse and i.gr_lapse_days >= 0:  # I-12 alternative: a ground lapses
        grounds = [g for g in grounds if add_days(g.since, i.gr_lapse_days) >= day]
    return grounds
