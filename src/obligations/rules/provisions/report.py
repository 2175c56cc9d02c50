"""The status report of a provisions-form agreement as of the end of a day: typed items first, JSON at the
edge. Sections (docs/report.md): employment, term, grants, packages (one per package id), release,
payments, open_clocks, obligations, covenants, unknown."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obligations.domain.facts import Fact
from obligations.domain.values import money_str
from obligations.rules.change_of_control import change_of_control_report
from obligations.rules.health import (
    HealthPlan,
    HealthTrigger,
    cobra_items,
    coverage_months,
    health_section,
    no_health_section,
)
from obligations.rules.item import Item, clock_json, clock_name, item_status, obligation_json, payment_json, visible
from obligations.rules.payments import reimbursements
from obligations.rules.provisions.base import (
    End,
    PHistory,
    anchors,
    change_of_control,
    changes_of_control,
    employment_end,
    fulfilled_on,
)
from obligations.rules.provisions.equity import GrantState, grant_states, made, tranche_items
from obligations.rules.provisions.grounds import (
    CauseState,
    GroundState,
    cause_section,
    cause_states,
    ground_section,
    ground_states,
    notice_cure_periods,
)
from obligations.rules.provisions.money import final_salary, package_payments, pay_in_lieu
from obligations.rules.provisions.packages import Fired, ReleaseState, Waiting, fired_packages, release_state
from obligations.rules.report import SECTIONS
from obligations.rules.sections import (
    Section,
    VacationPlan,
    bonus_target,
    dispute_resolution,
    exercise_price,
    vacation,
)
from obligations.rules.vesting import count
from obligations.terms.expressions import anchors_of, parse_date
from obligations.terms.provisions import CauseGround, Ground, Obligation, Package, ProvisionTerms


@dataclass(frozen=True)
class PDerivation:
    h: PHistory
    end: End | None
    pending: End | None
    fired: list[Fired]
    waiting: list[Waiting]
    release: ReleaseState | None
    grants: list[GrantState]
    grounds: list[GroundState]
    causes: list[CauseState]
    items: list[Item]
    sections: dict[str, Any]


@dataclass
class Part:
    """A part of a derivation as computed on `day`: the fact types it read, the later days its comparisons
    with the as-of date turn on (PHistory.read, .turns), and what it gave."""

    day: date
    read: frozenset[str]
    turns: frozenset[date]
    value: Any


@dataclass
class Reuse:
    """The parts of an agreement's last derivation, for the next one of its dated items (a later as-of date):
    a part is taken again when no fact of a type it read is dated after its day, up to the new as-of date, no
    day its comparisons turn on is reached, and the parts it was computed from were taken again too."""

    types_on: dict[date, set[str]]  # the fact types of each fact date (corrections applied)
    parts: dict[str, Part] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.days = sorted(self.types_on)

    def fresh(self, part: Part, as_of: date) -> bool:
        if part.turns and min(part.turns) <= as_of:
            return False
        since = self.days[bisect_right(self.days, part.day) : bisect_right(self.days, as_of)]
        return not any(self.types_on[day] & part.read for day in since)


def _part(h: PHistory, reuse: Reuse | None, redone: set[str], name: str, after: tuple[str, ...], compute: Any) -> Any:
    """`compute()`, or the value of the last derivation's part `name` when `reuse` says it still holds and
    none of the parts it is computed `after` was computed again; its reads and turns count for h either way."""
    if reuse is None:
        return compute()
    part = reuse.parts.get(name)
    if part is not None and not redone.intersection(after) and reuse.fresh(part, h.as_of):
        h.read |= part.read
        h.turns |= part.turns
        return part.value
    outer_read, outer_turns = h.read, h.turns
    h.read, h.turns = set(), set()
    try:
        value = compute()
        reuse.parts[name] = Part(h.as_of, frozenset(h.read), frozenset(h.turns), value)
    finally:
        h.read, h.turns = outer_read | h.read, outer_turns | h.turns
    redone.add(name)
    return value


def derive(
    terms: ProvisionTerms,
    facts: Iterable[Fact],
    as_of: date,
    full: bool = True,
    pure: dict[object, object] | None = None,
    reuse: Reuse | None = None,
) -> PDerivation:
    """The report as of the end of `as_of`: its typed items and, with `full`, its sections (dated items read
    the items alone, share `pure` (PHistory.pure) and take again the parts of the last derivation that
    `reuse` says still hold)."""
    h = PHistory.build(terms, facts, as_of, pure)
    redone: set[str] = set()
    end, pending, coc, fired, waiting, release, dates, values = _part(h, reuse, redone, "state", (), lambda: _state(h))
    catalogue = terms.agreement.report.vocabulary == "catalogue"

    def money() -> tuple[list[Item], date | None]:
        items: list[Item] = []
        for f in fired:
            items += package_payments(h, f, end, release, dates, values)
        in_lieu = pay_in_lieu(h, end) if end is not None else None
        items = _offsets(fired, items, in_lieu)
        last_payment = max((i.due_date for i in items if i.due_date), default=None)
        if end is not None:
            items += [x for x in (final_salary(h, end), in_lieu) if x is not None]
        cobra = [f for f in fired if f.package.health and f.package.health.cobra_clause]  # the letter's COBRA path
        for n, f in enumerate(cobra):
            plan = health_plan(h, f)
            if plan is not None and end is not None:  # a second package's premiums are named by it
                premiums = cobra_items(h, plan, health_trigger(f), end.date)
                items += [replace(i, item_id=f"{f.package.id}:{i.item_id}") for i in premiums] if n else premiums
        items = [_breached(h, i) for i in items]
        if terms.agreement.expenses is not None:
            x = terms.agreement.expenses
            items += reimbursements(h, x.clause, x.reimbursement_due_days, x.prompt_days)
        return items, last_payment

    paid, last_payment = _part(h, reuse, redone, "money", ("state",), money)
    dates = {**dates, "last_payment_date": last_payment or (end.date if end else None)}

    def equity() -> tuple[list[GrantState], list[Item]]:
        grants = grant_states(h, end, fired, waiting, release)
        shown = terms.agreement.report
        items: list[Item] = []
        # the grant a catalogue-vocabulary report shows as its options: tranches as the letter names them
        for g in grants:
            items += tranche_items(g, bare=catalogue and shown.options == g.grant.id, pure=h.pure)
        return grants, items

    grants, vesting = _part(h, reuse, redone, "equity", ("state",), equity)
    clocks = _part(
        h, reuse, redone, "clocks", ("state", "money", "equity"),
        lambda: _clocks(h, end, pending, release, fired, grants, dates),
    )  # fmt: skip

    def grounds_part() -> tuple[list[GroundState], list[CauseState], list[Item]]:
        grounds, causes = ground_states(h), cause_states(h)
        items = [] if end is not None else (
            _ground_clocks(h, grounds) + _cause_clocks(h, causes) + _ground_items(h, grounds, causes)
        )  # fmt: skip
        return grounds, causes, items

    grounds, causes, held = _part(h, reuse, redone, "grounds", ("state",), grounds_part)
    duties: list[Item] = []
    for o in terms.agreement.obligations:  # a part each: a fact fulfilling one leaves the others as they were
        after = ("state", "money") if _counts_from_payments(o) else ("state",)
        duties += _part(h, reuse, redone, f"obligation:{o.id}", after, lambda o=o: _duties(h, o, dates))
    items = [*paid, *vesting, *clocks, *held, *duties]
    if catalogue:
        items = [_as_catalogue_clock(terms, i) for i in items]
    d = PDerivation(h, end, pending, fired, waiting, release, grants, grounds, causes, items, {})
    return replace(d, sections=_sections(d, dates)) if full else d


def _state(h: PHistory) -> tuple[Any, ...]:
    """What every other part of a derivation is computed from: the end of the employment (and a pending
    resignation), the change of control, the packages fired or waiting, the release, the dates the terms'
    expressions count from, and the named quantities."""
    end, pending = employment_end(h)
    coc = change_of_control(h)
    fired, waiting = fired_packages(h, end, coc)
    release = release_state(h, end) if end and any(f.package.release for f in fired) else None
    dates = anchors(
        h,
        end,
        coc,
        release_delivered_date=release.delivered if release else None,
        release_signed_date=release.signed if release else None,
        release_effective_date=release.effective if release else None,
    )
    return end, pending, coc, fired, waiting, release, dates, h.quantities(end)


IN_LIEU = "pay_in_lieu_of_notice"


def _offsets(fired: list[Fired], items: list[Item], in_lieu: Item | None) -> list[Item]:
    """A package offset by others that fired too (or by the pay in lieu of notice, `pay_in_lieu_of_notice`)
    pays their total less (family 4): the reduction comes off its last payment first, then the one before; a
    payment reduced to nothing is cancelled."""
    gross: dict[str, Decimal] = {}
    basis: dict[str, tuple[str, ...]] = {}
    for i in [*items, *([in_lieu] if in_lieu else [])]:
        if i.kind == "payment" and not i.cancelled and (i.detail.get("package") or i is in_lieu):
            pkg = i.detail.get("package") or IN_LIEU
            gross[pkg] = gross.get(pkg, Decimal(0)) + Decimal(i.amount or 0)
            basis[pkg] = tuple(dict.fromkeys((*basis.get(pkg, ()), *i.fact_ids)))
    out = list(items)
    for f in fired:
        sources = [q for q in f.package.offset_by if gross.get(q)]
        if not sources:
            continue
        total = sum((gross[q] for q in sources), Decimal(0))
        words = " + ".join(f"${money_str(gross[q])} under {q}" for q in sources)
        left = total
        mine = [n for n, i in enumerate(out) if i.kind == "payment" and i.detail.get("package") == f.package.id]
        for n in sorted(mine, key=lambda n: (out[n].due_date or date.max, n), reverse=True):
            i = out[n]
            if left <= 0 or i.cancelled:
                continue
            cut = min(Decimal(i.amount or 0), left)
            left -= cut
            rest = Decimal(i.amount or 0) - cut
            why = f"{i.detail['why']} Offset ({f.package.clause}): reduced by ${money_str(cut)} of {words}"
            why += f" = ${money_str(total)}" if len(sources) > 1 else ""
            why += ": nothing left to pay." if rest == 0 else f", ${money_str(rest)} left."
            ids = tuple(dict.fromkeys((*i.fact_ids, *(x for q in sources for x in basis[q]))))
            out[n] = replace(
                i, amount=money_str(rest), cancelled=rest == 0, fact_ids=ids, detail={**i.detail, "why": why}
            )
    return out


def _breached(h: PHistory, item: Item) -> Item:
    """A payment of a package conditioned on a covenant stops once a breach of it is found."""
    package = item.detail.get("package")
    for c in h.terms.agreement.covenants:
        for f in h.of("CovenantBreachFound"):
            hit = f.data.covenant == c.id and package in c.condition_of and item.paid_on is None
            if hit and (item.due_date is None or item.due_date >= f.date):
                why = item.detail["why"] + f" Stopped: breach of {c.id} ({c.clause}) found {f.date}."
                return replace(
                    item, cancelled=True, fact_ids=(*item.fact_ids, f.id), detail={**item.detail, "why": why}
                )
    return item


def _clock(
    cid: str, by: str, to: str, started: date, deadline: date, clause: str, why: str, facts: Sequence[str]
) -> Item:
    return Item("clock", cid, by, to, None, deadline, started, clause, fact_ids=tuple(facts), detail={"why": why})


def _clocks(
    h: PHistory,
    end: End | None,
    pending: End | None,
    release: ReleaseState | None,
    fired: list[Fired],
    grants: list[GrantState],
    dates: dict[str, date | None],
) -> list[Item]:
    a, out = h.terms.agreement, []
    term = a.term
    if term.kind == "fixed" and term.length and end is None:
        last = h.add(h.start, term.length)
        out.append(
            _clock(
                "fixed_term",
                "Company",
                "Employee",
                h.start,
                last,
                term.clause,
                f"{term.clause}: a fixed term of {term.length} from {h.start}: expires {last}",
                [h.start_fact.id],
            )
        )
    if term.kind == "evergreen" and term.length and term.renewal and end is None:
        out += _renewal(h)
    for f in h.of("NoticeOfTerminationGiven"):
        period = term.notice_by_company if f.data.by == "company" else term.notice_by_employee
        deadline = f.data.effective_date or (h.add(f.date, period) if period else f.date)
        who = "Company" if f.data.by == "company" else "Employee"
        words = f"{term.clause}: {'non-renewal ' if f.data.non_renewal else ''}notice by the {who} {f.date}" + (
            f" with {period} notice" if period else ""
        )
        if end is None or not h.reached(end.date):
            out.append(
                _clock(
                    f"notice_period:{f.id.split('#')[-1]}",
                    who,
                    "Employee" if who == "Company" else "Company",
                    f.date,
                    deadline,
                    term.clause,
                    f"{words}: ends {deadline}",
                    [f.id],
                )
            )
    if pending is not None:
        out.append(
            _clock(
                "resignation_notice",
                "Employee",
                "Company",
                pending.notice or h.start,
                pending.date,
                a.good_reason.clause
                if a.good_reason and pending.kind == "resignation_for_good_reason"
                else term.clause,
                pending.words,
                pending.facts,
            )
        )
    if release is not None and end is not None:
        r = a.release
        assert r is not None
        if release.delivered is None and release.delivery_deadline and release.status not in ("lapsed", "revoked"):
            out.append(
                _clock(
                    "release_delivery",
                    "Company",
                    "Employee",
                    end.date,
                    release.delivery_deadline,
                    r.clause,
                    release.words,
                    end.facts,
                )
            )
        if release.signed is None and release.signature_deadline and release.status not in ("lapsed", "revoked"):
            out.append(
                _clock(
                    "release_consideration",
                    "Employee",
                    "Company",
                    release.delivered or end.date,
                    release.signature_deadline,
                    r.clause,
                    release.words,
                    release.facts or end.facts,
                )
            )
        if release.signed and release.revocation_deadline and release.status == "revocable":
            out.append(
                _clock(
                    "release_revocation",
                    "Employee",
                    "Company",
                    release.signed,
                    release.revocation_deadline,
                    r.clause,
                    release.words,
                    release.facts,
                )
            )
    for pkg in fired:
        health = pkg.package.health
        plan = health_plan(h, pkg)
        if plan is not None and health is not None and health.cobra_clause:  # the letter's path (I-20)
            t, last = pkg.hit.fires, coverage_months(plan, pkg.hit.fires)[-1][2]
            words = f"{health.clause}: {health.months} months following {t}: through {last} (I-19, I-20)"
            out.append(_clock(f"health_continuation:{pkg.package.id}", "Company", "Employee", t, last, health.clause,
                              words, pkg.hit.facts))  # fmt: skip
        elif health and end is not None:
            stop = next((x for x in h.of("NewCoverageObtained") if x.date > end.date), None)
            last = h.add(end.date, f"{health.months} months")
            last = min(last, stop.date) if stop else last
            words = f"{health.clause}: {health.months} months of health continuation after {end.date}: to {last}" + (
                f" (new coverage from {stop.date})" if stop else ""
            )
            out.append(
                _clock(
                    f"health_continuation:{pkg.package.id}",
                    "Company",
                    "Employee",
                    end.date,
                    last,
                    health.clause,
                    words,
                    pkg.hit.facts,
                )
            )
    fired_ids = {f.package.id for f in fired}
    for package in a.packages:
        if package.window_clock and end is None and package.id not in fired_ids:
            opens, closes, facts = package_window(h, package, end)
            if opens is not None and closes is not None:
                words = f"{package.clause}: the window of package {package.id}: {opens}..{closes}"
                out.append(_clock(f"{package.id}_window", "Company", "Employee", opens, closes, package.clause, words,
                                  facts))  # fmt: skip
    if end is None:
        out += _obligation_clocks(h, dates)
    for g in grants:
        if g.exercise_window_end and end is not None and g.grant.kind == "options":
            words = (
                f"{g.grant.clause}: vested options of {g.grant.id} exercisable for {g.grant.exercise_window} after "
                f"employment ended {end.date}: to {g.exercise_window_end}"
            )
            out.append(
                _clock(
                    f"exercise_window:{g.grant.id}",
                    "Employee",
                    "Company",
                    end.date,
                    g.exercise_window_end,
                    g.grant.clause,
                    words,
                    end.facts,
                )
            )
    for c in a.covenants:
        if end is None:
            continue
        start, words = h.date_of(c.runs_from, dates)
        if start is None:
            continue
        last = h.add(start, c.period)
        out.append(
            _clock(
                f"covenant:{c.id}",
                "Employee",
                "Company",
                start,
                last,
                c.clause,
                f"{c.clause}: {c.kind.replace('_', ' ')} for {c.period} from {words}: to {last}",
                end.facts,
            )
        )
    return out


def _ground_clocks(h: PHistory, grounds: list[GroundState]) -> list[Item]:
    """The Good Reason process while employed: the employee's notice, the Company's cure, the resignation."""
    gr = h.terms.agreement.good_reason
    out: list[Item] = []
    if gr is None:
        return out
    for s in grounds:
        gid, facts = s.ground.id, s.facts
        if s.arose and s.notice is None and s.notice_by:
            out.append(_clock(f"good_reason_notice:{gid}", "Employee", "Company", s.arose, s.notice_by, gr.clause,
                              s.why, facts))  # fmt: skip
        if s.notice and s.cured is None and s.cure_by:
            out.append(_clock(f"good_reason_cure:{gid}", "Company", "Employee", s.notice, s.cure_by, gr.clause,
                              s.why, facts))  # fmt: skip
        if s.available_from and s.available_until:
            out.append(_clock(f"good_reason_resignation:{gid}", "Employee", "Company", s.available_from,
                              s.available_until, gr.clause, s.why, facts))  # fmt: skip
    return out + _cure_period_clocks(h, [g for g in h.terms.agreement.grounds if g.kind == "uncured_breach"])


def _ground_items(h: PHistory, grounds: list[GroundState], causes: list[CauseState]) -> list[Item]:
    """While employed, each Cause or Good Reason ground available on the day, dated from when it is (what the
    portfolio lists as available, as the letter form's dated items do)."""
    a = h.terms.agreement
    cause = "good_cause" if a.report.vocabulary == "catalogue" else "cause"
    out = [
        Item("ground", c.ground.id, None, "Company", None, c.available_from, None,
             a.cause.clause if a.cause else c.ground.clause, fact_ids=c.facts, detail={"why": c.why, "ground": cause})
        for c in causes
        if c.available_from is not None and h.reached(c.available_from)
    ]  # fmt: skip
    return out + [
        Item("ground", g.ground.id, None, "Employee", None, g.available_from or g.arose, None,
             a.good_reason.clause if a.good_reason else g.ground.clause, fact_ids=g.facts,
             detail={"why": g.why, "ground": "good_reason"})
        for g in grounds
        if _available(h, g)
    ]  # fmt: skip


def _available(h: PHistory, g: GroundState) -> bool:
    """Whether a resignation noticed and taking effect on as_of may be for the ground (GroundState.available)."""
    if g.available_from is None:
        return False
    last = min((x for x in (g.notice_until, g.available_until) if x is not None), default=None)
    return h.within(g.available_from, last) if last is not None else h.reached(g.available_from)


def _cause_clocks(h: PHistory, causes: list[CauseState]) -> list[Item]:
    """While employed, the employee's cure period after the Company's written notice of a Cause ground."""
    out = [
        _clock(f"cause_cure:{s.ground.id}", "Employee", "Company", s.arose, s.cure_by, s.ground.clause, s.why, s.facts)
        for s in causes
        if s.ground.kind == "uncured_notice" and s.arose and s.cure_by and s.cured is None
    ]
    return out + _cure_period_clocks(h, [g for g in h.terms.agreement.cause_grounds if g.kind == "uncured_neglect"])


def cured_by_notice(h: PHistory) -> list[Ground | CauseGround]:
    """The grounds whose written notices open a cure period: the Company's breaches, then the employee's
    neglect."""
    a = h.terms.agreement
    out: list[Ground | CauseGround] = [x for x in a.grounds if x.kind == "uncured_breach"]
    return out + [x for x in a.cause_grounds if x.kind == "uncured_neglect"]


def notice_cures(h: PHistory) -> dict[str, date | None]:
    """Each notice's cure-period clock (by its item id) and the day it was cured, on the history's facts: a
    dated clock item learns its cure from the facts as now known, once the clock has closed."""
    return {
        f"{c.kind}:{c.notice.data.notice_id}": c.cured_on for g in cured_by_notice(h) for c in notice_cure_periods(h, g)
    }


def _cure_period_clocks(h: PHistory, grounds: Sequence[Ground | CauseGround]) -> list[Item]:
    """The cure period of each written notice a ground with one reads (the letter's `neglect_cure_period` and
    `breach_cure_period`, named by the notice's id), until it is cured."""
    out = []
    for g in grounds:
        for c in notice_cure_periods(h, g):
            if c.cured_on is not None and h.reached(c.cured_on):
                continue
            by, to = ("Employee", "Company") if c.kind == "neglect_cure_period" else ("Company", "Employee")
            why = f"{g.clause}: the {by} may cure within {g.cure} of the written notice of {c.started}: by {c.deadline}"
            item = _clock(f"{c.kind}:{c.notice.data.notice_id}", by, to, c.started, c.deadline, g.clause, why,
                          [c.notice.id, *c.cure_ids])  # fmt: skip
            out.append(replace(item, detail={"notice_id": c.notice.data.notice_id, **item.detail}))
    return out


def _renewal(h: PHistory) -> list[Item]:
    """The next deadline to give notice of non-renewal: that of the first term end whose deadline has not
    passed (the clock runs from the day after the previous deadline)."""
    term = h.terms.agreement.term
    assert term.length and term.renewal
    first_end = h.add(h.start, term.length)

    def deadline(k: int) -> tuple[date, date]:
        end = h.add(first_end, term.renewal or "", k) if k else first_end
        return end, h.add(end, term.non_renewal_notice, -1) if term.non_renewal_notice else end

    k = 0
    while deadline(k)[1] < h.as_of:
        k += 1
    end, last_day = deadline(k)
    h.reached(last_day + timedelta(days=1))  # the next term's deadline from the day after this one
    begun = h.start if k == 0 else deadline(k - 1)[1] + timedelta(days=1)
    words = f"{term.clause}: the term ending {end} renews for {term.renewal}"
    if term.non_renewal_notice:
        words += f" unless either side gives notice of non-renewal {term.non_renewal_notice} before it, by {last_day}"
    return [_clock("non_renewal_notice", "Company", "Employee", begun, last_day, term.clause, words, [h.start_fact.id])]


def _obligation_clocks(h: PHistory, dates: dict[str, date | None]) -> list[Item]:
    """The obligations that run as clocks ([[obligations]] clock) while employed: from when each arises to its
    due date, until it is fulfilled; resting on the start and the facts that may fulfil it."""
    out = []
    for o in h.terms.agreement.obligations:
        if o.clock is None or o.due is None:
            continue
        due, words = h.date_of(o.due, dates)
        arises = h.date_of(o.arises, dates)[0] if o.arises else h.start
        if due is None or arises is None:
            continue
        done = fulfilled_on(h, o.id) if o.fulfilled_by is None else fulfilling(h, o, None)
        if done is not None:
            continue
        tried = [f.id for f in h.of(o.fulfilled_by)] if o.fulfilled_by else []
        why = f"{o.clause}: {o.description}: due {words}"
        basis = h.basis(o.due, o.arises)
        out.append(_clock(o.clock, o.owed_by, o.owed_to, arises, due, o.clause, why, [*basis, *tried]))
    return out


def _duties(h: PHistory, o: Obligation, dates: dict[str, date | None]) -> list[Item]:
    """The items of one [[obligations]] block: one, none before it arises, or one per fact of `for_each`."""
    if o.for_each is not None:
        return [_obligation(h, o, None, "no date stated", arising) for arising in h.of(o.for_each)]
    due, words = (None, "no date stated") if o.due is None else h.date_of(o.due, dates)
    needs = anchors_of(parse_date(o.due)) if o.due else set()
    if o.due is not None and due is None and needs - {"start_date", "effective_date"}:
        return []  # it arises only with what it is counted from (a termination, a release ...)
    if o.arises is not None:
        arises, _ = h.date_of(o.arises, dates)
        if arises is None or not h.reached(arises):
            return []
    return [_obligation(h, o, due, words)]


def _counts_from_payments(o: Obligation) -> bool:
    """Whether the obligation's dates count from the last payment (the part of the payments is then read)."""
    return any("last_payment_date" in anchors_of(parse_date(x)) for x in (o.due, o.arises) if x)


def _obligation(h: PHistory, o: Obligation, due: date | None, words: str, arising: Fact | None = None) -> Item:
    done = fulfilled_on(h, o.id) if o.fulfilled_by is None else fulfilling(h, o, arising)
    kind = "condition precedent" if o.condition_precedent else "obligation"
    what = o.description + (f" ({o.for_each} {arising.id} of {arising.date})" if arising else "")
    why = f"{o.clause}: {kind} of the {o.owed_by}: {what}; due {words}" + (f"; fulfilled {done.date}" if done else "")
    key = getattr(arising.data, o.for_each_key or "", "") if arising else ""
    return Item(
        "obligation",
        f"{o.id}_{key}" if arising else o.id,
        o.owed_by,
        o.owed_to,
        None,
        due,
        None,
        o.clause,
        fulfilled_on=done.date if done else None,
        fact_ids=((arising.id,) if arising else h.basis(o.due, o.arises)) + ((done.id,) if done else ()),
        detail={"why": why + ".", "condition_precedent": o.condition_precedent},
    )


def fulfilling(h: PHistory, o: Obligation, arising: Fact | None) -> Fact | None:
    """The first fact of `fulfilled_by` with the values of `fulfilled_when` (and, for an obligation owed per
    fact, the `matching` fields of the fact it arose from)."""
    assert o.fulfilled_by is not None
    for f in h.of(o.fulfilled_by):
        wanted = dict(o.fulfilled_when)
        if arising is not None:
            wanted |= {name: getattr(arising.data, name) for name in o.matching}
        if all(getattr(f.data, name) == value for name, value in wanted.items()):
            return f
    return None


def _sections(d: PDerivation, dates: dict[str, date | None]) -> dict[str, Any]:
    h, a = d.h, d.h.terms.agreement
    as_of = h.as_of
    prices = _prices(d)
    shown = [i for i in d.items if visible(i, as_of)]
    catalogue = a.report.vocabulary == "catalogue"
    pay, clock = (payment_json, catalogue_clock) if catalogue else (_payment, _clock_json)
    return {
        "as_of": as_of.isoformat(),
        "form": "provisions",
        "employment": catalogue_employment(d) if catalogue else _employment(d),
        "term": {
            "kind": a.term.kind,
            "clause": a.term.clause,
            "length": a.term.length,
            "notice_by_company": a.term.notice_by_company,
            "notice_by_employee": a.term.notice_by_employee,
        },
        "grants": [g.section() | _priced(prices.get(g.grant.id)) for g in d.grants],
        "packages": {p.id: _package(d, p.id) for p in a.packages},
        "release": _release(d),
        "grounds": catalogue_grounds(d) if catalogue else [ground_section(g) for g in d.grounds],
        "cause_grounds": [cause_section(c) for c in d.causes],
        "payments": [pay(i, as_of) for i in shown if i.kind == "payment"],
        "open_clocks": [clock(i) for i in _clock_order(shown, catalogue) if i.kind == "clock"],
        "obligations": [obligation_json(i, as_of) for i in shown if i.kind == "obligation"],
        "covenants": [_clock_json(i) for i in d.items if i.kind == "clock" and i.item_id.startswith("covenant:")],
        "unknown": list(a.unknown),
    } | _optional(d, prices)


# The clocks of the provisions form named in the catalogue §10 vocabulary, and the catalogue's order of clocks
# starting on the same day.
CATALOGUE_CLOCKS = {
    "health_continuation": "health_continuation_period",
    "resignation_notice": "resignation_notice_period",
}
CLOCK_ORDER = ["i9_submission", "bonus_program_finalization", "section_5_1_window", "neglect_cure_period",
               "breach_cure_period", "resignation_notice_period", "health_continuation_period"]  # fmt: skip


def _as_catalogue_clock(terms: ProvisionTerms, i: Item) -> Item:
    """In the catalogue vocabulary, a clock item is named as the catalogue names it (the read models, reminders
    and calendars then list the letter's `resignation_notice_period` and `health_continuation_period`) and owed
    as the letter's §10 clocks are: the resignation's notice period by the Company, which owes the employment
    through it."""
    if i.kind != "clock":
        return i
    name = clock_name(i)
    if name == "resignation_notice":
        return replace(i, item_id=CATALOGUE_CLOCKS[name], owed_by="Company", owed_to="Employee")
    if name == "health_continuation" and i.item_id == f"{name}:{terms.agreement.report.health}":
        return replace(i, item_id=CATALOGUE_CLOCKS[name])
    return i


def catalogue_clock(i: Item) -> dict[str, Any]:
    out = clock_json(i)
    out["clock"] = CATALOGUE_CLOCKS.get(out["clock"], out["clock"])
    return out


def _clock_order(items: list[Item], catalogue: bool) -> list[Item]:
    """In the catalogue vocabulary, clocks by the day they started, then in the catalogue's order."""
    if not catalogue:
        return items

    def rank(i: Item) -> tuple[date, int]:
        name = catalogue_clock(i)["clock"] if i.kind == "clock" else ""
        return (i.started or i.due_date or date.min, CLOCK_ORDER.index(name) if name in CLOCK_ORDER else 99)

    return sorted(items, key=rank)


# The end's event in the catalogue §10 vocabulary (`termination_type`): "Good Cause" is the letter's word for Cause.
CATALOGUE_TYPES = {
    "termination_without_cause": "termination_without_good_cause",
    "position_eliminated": "termination_without_good_cause",
    "termination_for_cause": "termination_for_good_cause",
    "resignation": "resignation_without_good_reason",
    "resignation_for_good_reason": "resignation_for_good_reason",
    "death": "ended_other",
    "disability": "ended_other",
    "other": "ended_other",
    "offer_condition_failure": "offer_condition_failure",
}


def employment_section(terms: ProvisionTerms, facts: Iterable[Fact], as_of: date) -> dict[str, Any]:
    """The report's employment section alone, without deriving the rest of the report (a list of agreements
    shows no more)."""
    h = PHistory.build(terms, facts, as_of)
    end, pending = employment_end(h)
    d = PDerivation(h, end, pending, [], [], None, [], [], [], [], {})
    return catalogue_employment(d) if terms.agreement.report.vocabulary == "catalogue" else _employment(d)


def _employment(d: PDerivation) -> dict[str, Any]:
    h = d.h
    return {
        "status": "ended" if d.end else "resignation_pending" if d.pending else "employed",
        "start_date": h.start.isoformat(),
        "termination_date": d.end.date.isoformat() if d.end else None,
        "how": d.end.kind if d.end else None,
        "why": d.end.words if d.end else (d.pending.words if d.pending else f"employed since {h.start}"),
        "fact_ids": [h.start_fact.id, *(d.end.facts if d.end else ())],
    }


def catalogue_employment(d: PDerivation) -> dict[str, Any]:
    """The employment section in the catalogue §10 vocabulary ([report] vocabulary = "catalogue")."""
    e, p, h = d.end, d.pending, d.h
    if e is not None:
        kind = CATALOGUE_TYPES[e.kind]
        out: dict[str, Any] = {"status": "terminated", "termination_date": e.date.isoformat(), "termination_type": kind}
        if kind == "ended_other":
            out["end_reason"] = e.reason
        return out | {
            "for_good_cause": e.kind == "termination_for_cause",
            "for_good_reason": e.kind == "resignation_for_good_reason",
            "grounds": list(e.grounds),
            "good_cause_claim_rejected": e.claim_rejected,
            "why": e.words,
            "fact_ids": list(e.facts),
        }
    if p is not None:
        return {
            "status": "resignation_notice_period",
            "pending_termination_date": p.date.isoformat(),
            "pending_termination_type": CATALOGUE_TYPES[p.kind],
            "grounds": list(p.grounds),
            "why": p.words + " Employee remains employed until the end of the effective date.",
            "fact_ids": list(p.facts),
        }
    return {"status": "active", "why": f"employed since {h.start}", "fact_ids": [h.start_fact.id]}


def catalogue_options(d: PDerivation, gid: str, price: str | None) -> dict[str, Any]:
    """The catalogue §10 `options` section of the grant `[report] options` names: its counts, and the next
    vesting event (the next tranche, or the acceleration a pending resignation's day would bring)."""
    g = next(x for x in d.grants if x.grant.id == gid)
    h = d.h

    def n(x: Fraction | None) -> int | str | None:
        return None if x is None else count(x)

    nxt: dict[str, Any] | None = None
    if d.end is None and g.accelerated_on is None:
        upcoming = next((t for t in g.tranches if t.date > h.as_of and t.amount), None)
        if upcoming is not None:
            nxt = {"date": upcoming.date.isoformat(), "amount": count(upcoming.amount), "kind": "scheduled"}
        p = d.pending
        if p is not None and (upcoming is None or p.date < upcoming.date):
            then = derive(h.terms, h.facts, p.date)  # the report on the resignation's day
            later = next(x for x in then.grants if x.grant.id == gid)
            nxt = None
            if later.accelerated_on == p.date:  # even with nothing left to vest (the catalogue's amount 0)
                amount = count(later.accelerated or Fraction(0))
                nxt = {"date": p.date.isoformat(), "amount": amount, "kind": "acceleration"}
    basis = [h.start_fact.id, *(f.id for f in made(h, g.grant))]
    if g.accelerated_on is not None:
        basis += g.acceleration_facts
    elif d.end is not None:
        basis += d.end.facts
    elif d.pending is not None:
        basis += d.pending.facts
    return {
        "granted": n(g.granted),
        "exercise_price": price,
        "vested": n(g.vested),
        "unvested": n(g.unvested),
        "forfeited": n(g.forfeited),
        "accelerated": n(g.accelerated),
        "acceleration_date": g.accelerated_on.isoformat() if g.accelerated_on and g.accelerated else None,
        "next_vesting": nxt,
        "why": g.why,
        "fact_ids": list(dict.fromkeys(basis)),
    }


def package_window(h: PHistory, package: Package, end: End | None) -> tuple[date | None, date | None, list[str]]:
    """The window of a package's first trigger with one: its first and last day, and the facts they rest on."""
    triggers = {t.id: t for t in h.terms.agreement.triggers}
    windowed = next((triggers[t] for t in package.triggers if triggers[t].on_or_after or triggers[t].before), None)
    if windowed is None:
        return None, None, []
    dates = anchors(h, end, change_of_control(h))
    first = h.date_of(windowed.on_or_after, dates)[0] if windowed.on_or_after else None
    before = h.date_of(windowed.before, dates)[0] if windowed.before else None
    facts = list(h.window_facts(windowed.on_or_after, windowed.before))
    last = before if before is None or windowed.window_inclusive_end else before - timedelta(days=1)
    return first, last, facts


def catalogue_grounds(d: PDerivation) -> dict[str, Any]:
    """The catalogue §10 `grounds` section: the Cause and Good Reason grounds available on the day while
    employed, the facts of each, and the notices whose cure periods still run."""
    h = d.h
    if d.end is not None:
        return {
            "good_cause_available": None,
            "good_reason_available": None,
            "why": f"Employment ended {d.end.date}; grounds are only evaluated while employed.",
            "fact_ids": list(d.end.facts),
        }
    day = h.as_of
    causes = sorted((c for c in d.causes if c.available_on(day)), key=lambda c: c.ground.id)
    reasons = sorted((g for g in d.grounds if g.available(day, day)), key=lambda g: g.ground.id)
    held = [(c.ground.id, c.facts, c.why) for c in causes] + [(g.ground.id, g.facts, g.why) for g in reasons]
    basis = list(dict.fromkeys(x for _, facts, _ in held for x in facts))
    why = [w for _, _, w in held] or ["No Good Cause or Good Reason ground available."]
    for g in cured_by_notice(h):  # the Company's breaches, then the employee's neglect (the catalogue's order)
        for c in notice_cure_periods(h, g):
            if c.ground_from > day and not (c.cured_on and c.cured_on <= day):
                why.append(f"Notice {c.notice.data.notice_id} received {c.started}: cure period runs to {c.deadline}; "
                           f"{g.id} cannot arise before {c.ground_from}.")  # fmt: skip
                basis = list(dict.fromkeys([*basis, c.notice.id]))
    return {
        "good_cause_available": [c.ground.id for c in causes],
        "good_reason_available": [g.ground.id for g in reasons],
        "why": " ".join(why),
        "fact_ids": basis,
        "ground_facts": {gid: list(facts) for gid, facts, _ in held},
    }


def catalogue_package(d: PDerivation, pid: str) -> dict[str, Any]:
    """A package's section in the catalogue's shape (the letter's `section_5_1`): the window its triggers share
    (the first trigger's with one), whether it fired, on what and on which day."""
    h = d.h
    package = next(p for p in h.terms.agreement.packages if p.id == pid)
    start, end, window_facts = package_window(h, package, d.end)
    f = next((x for x in d.fired if x.package.id == pid), None)
    why = f"{package.clause} window {start}..{end}."
    if f is not None:
        why += f" First qualifying event: {f.hit.words}, on {f.hit.fires}."
    else:
        why += " No qualifying event inside the window" + (" yet." if end is None or h.as_of <= end else ".")
    return {
        "window_start": start.isoformat() if start else None,
        "window_end": end.isoformat() if end else None,
        "triggered": f is not None,
        "trigger": CATALOGUE_TYPES.get(f.hit.event, f.hit.event) if f else None,
        "termination_date": f.hit.fires.isoformat() if f else None,
        "why": why,
        "fact_ids": list(dict.fromkeys([*window_facts, *(f.hit.facts if f else ())])),
    }


def _prices(d: PDerivation) -> dict[str, Section]:
    """The exercise price of each options grant priced at a closing price (I-24), by grant id."""
    closes = d.h.of("ClosingPriceRecorded")
    out = {}
    for g in d.grants:
        x = g.grant
        if x.exercise_price == "closing_price":
            day = g.grant_date or d.h.start
            words = "the closing price on the grant date"
            out[x.id] = exercise_price(x.clause, words, day, closes, x.price_non_trading_day, d.h.start_fact)
    return out


def _priced(price: Section | None) -> dict[str, Any]:
    return {"exercise_price": price.json["exercise_price"]} if price and price.json else {}


def health_plan(h: PHistory, f: Fired) -> HealthPlan | None:
    x = f.package.health
    if x is None:
        return None
    days = h.terms.agreement.days
    return HealthPlan(
        x.clause, x.cobra_clause or x.clause, x.months, days.feb29, x.employee_contribution, x.cobra_admin_fee_included
    )


def health_trigger(f: Fired) -> HealthTrigger:
    return HealthTrigger(f.hit.fires, f.hit.facts, f.hit.event.replace("_", " "))


def _health(d: PDerivation, pid: str) -> Section:
    """The catalogue §10 health_continuation section of the package `[report] health` names."""
    f = next((x for x in d.fired if x.package.id == pid), None)
    plan = health_plan(d.h, f) if f else None
    if f is None or plan is None:
        clause = next(p.clause for p in d.h.terms.agreement.packages if p.id == pid)
        return no_health_section(f"{clause}: health continuation arises only when package {pid} fires; it has not.")
    return health_section(d.h, plan, health_trigger(f), d.end.date if d.end else None)


def _optional(d: PDerivation, prices: dict[str, Section]) -> dict[str, Any]:
    """The sections of the blocks an agreement may have (docs/report.md): `exercise_price` (with [report]
    options), `vacation`, `bonus_target` (with [bonus] payments_per_year), `dispute_resolution`."""
    h, a, out = d.h, d.h.terms.agreement, {}
    if a.report.options is not None:
        out["exercise_price"] = prices[a.report.options].json
    if a.vacation is not None:
        v = a.vacation
        plan = VacationPlan(
            v.clause, v.weeks_per_year, v.hours_per_year, v.accrual_period_days, v.periods_per_year, v.cap_hours
        )
        last = min(h.as_of, d.end.date) if d.end else h.as_of
        basis: list[Fact | str] = [h.start_fact, *(d.end.facts if d.end else ())]
        out["vacation"] = vacation(plan, h.start, last, d.end is not None, basis, h.of("VacationTaken")).json
    b = a.bonus
    if b is not None and b.payments_per_year is not None and b.target_pct_of_base_salary is not None:
        day = min(h.as_of, d.end.date) if d.end else h.as_of
        rate_fact = ([h.start_fact] + [f for f in h.of("SalaryChanged") if f.date <= day])[-1]
        section = bonus_target(b.clause, b.target_pct_of_base_salary, b.payments_per_year, h.rate_on(day), rate_fact)
        out["bonus_target"] = section.json
    if a.change_of_control is not None:
        end = d.end.date if d.end else None
        out["change_of_control"] = change_of_control_report(changes_of_control(h), h.start, end).json
    if a.report.options is not None and a.report.vocabulary == "catalogue":
        price = prices[a.report.options].json
        out["options"] = catalogue_options(d, a.report.options, price["exercise_price"] if price else None)
    if a.report.health is not None:
        out["health_continuation"] = _health(d, a.report.health).json
    for pid in a.report.sections:
        out[pid] = catalogue_package(d, pid)
    if a.dispute_resolution is not None:
        r = a.dispute_resolution
        out["dispute_resolution"] = dispute_resolution(r.clause, r.forum, h.of("DisputeRaised")).json
    return out


def _package(d: PDerivation, pid: str) -> dict[str, Any]:
    f = next((x for x in d.fired if x.package.id == pid), None)
    w = next(
        (
            x
            for x in d.waiting
            if any(t == x.trigger for t in next(p for p in d.h.terms.agreement.packages if p.id == pid).triggers)
        ),
        None,
    )
    return {
        "fired": f is not None,
        "trigger": f.hit.trigger if f else None,
        "event": f.hit.event if f else None,
        "event_date": f.hit.event_date.isoformat() if f else None,
        "fired_on": f.hit.fires.isoformat() if f else None,
        "waiting_until": w.until.isoformat() if (w and not f and w.until >= d.h.as_of) else None,
        "why": f.hit.words if f else (w.words if w else "no trigger of this package has occurred"),
        "fact_ids": list(f.hit.facts) if f else [],
    }


def _release(d: PDerivation) -> dict[str, Any] | None:
    r = d.release
    if r is None:
        return None
    return {
        "status": r.status,
        "delivered": _s(r.delivered),
        "signature_deadline": _s(r.signature_deadline),
        "signed": _s(r.signed),
        "effective": _s(r.effective),
        "outer_deadline": _s(r.outer_deadline),
        "why": r.words,
        "fact_ids": list(r.facts),
    }


def _s(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _payment(i: Item, as_of: date) -> dict[str, Any]:
    status = item_status(i, as_of)
    out = {
        "id": i.item_id,
        "payer": i.owed_by,
        "payee": i.owed_to,
        "amount": i.amount,
        "due_date": _s(i.due_date),
        "status": status,
        "clause": i.clause,
        "why": i.detail["why"],
        "fact_ids": list(i.fact_ids),
    }
    if status == "paid":
        out.update(paid_on=_s(i.paid_on), paid_late=bool(i.due_date and i.paid_on and i.paid_on > i.due_date))
    for key in ("package", "installment", "not_before", "coverage_month"):
        if i.detail.get(key) is not None:
            out[key] = i.detail[key]
    return out


def _clock_json(i: Item) -> dict[str, Any]:
    return {
        "clock": i.item_id,
        "owed_by": i.owed_by,
        "started": _s(i.started),
        "deadline": _s(i.due_date),
        "clause": i.clause,
        "why": i.detail["why"],
        "fact_ids": list(i.fact_ids),
    }


def status_report(terms: ProvisionTerms, facts: Iterable[Fact], as_of: date) -> dict[str, Any]:
    """The report as of the end of `as_of`: every section of docs/report.md, or, in the catalogue vocabulary,
    only the catalogue §10 sections (in its order) and the package sections [report] sections names."""
    sections = derive(terms, facts, as_of).sections
    if terms.agreement.report.vocabulary != "catalogue":
        return sections
    keys = ["as_of", *SECTIONS, *terms.agreement.report.sections]
    return {k: sections[k] for k in dict.fromkeys(keys) if k in sections}
