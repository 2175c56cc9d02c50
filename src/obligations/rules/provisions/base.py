"""The history of a provisions-form agreement as of a day, its end of employment and its named quantities."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from obligations.domain.facts import Fact
from obligations.rules.calendar import next_payday_after
from obligations.rules.change_of_control import PRONG_FACTS, ChangeOfControl, Definition, Prong, prong_changes
from obligations.rules.corrections import resolve
from obligations.rules.days import BusinessCalendar, Roll, add_duration, company_calendar, fiscal_year, roll
from obligations.rules.formulas import DateContext, date_value
from obligations.rules.history import index_facts
from obligations.terms.expressions import Duration, anchors_of, parse_date, parse_duration
from obligations.terms.provisions import Obligation, ProvisionTerms


@dataclass(frozen=True)
class End:
    """How and when employment ended (`date`: the last day employed), from which facts."""

    kind: str  # an Event of terms.provisions, or "other"
    date: date
    facts: tuple[str, ...]
    words: str
    notice: dt.date | None = None  # a resignation's notice date
    grounds: tuple[str, ...] = ()  # the Cause or Good Reason grounds it is for
    claim_rejected: bool = False  # stated for Cause without a ground: a termination without Cause
    reason: str | None = None  # an end other than by the parties: EmploymentEndedOther's reason


@dataclass
class PHistory:
    terms: ProvisionTerms
    as_of: date
    facts: list[Fact]
    _by_type: dict[str, list[Fact]] = field(default_factory=dict)
    # The days after as_of on which a comparison of the derivation with as_of turns: with the facts' dates,
    # the only days on which the report's items may change (what dated items derive at).
    turns: set[date] = field(default_factory=set)
    # The fact types the derivation read (`of`): a later fact of another type cannot change what it derived.
    read: set[str] = field(default_factory=set)
    memo: dict[str, object] = field(default_factory=dict)  # what one derivation asks for more than once
    # Results of pure computations (no facts read, no as-of compared) keyed by all they depend on: shared by the
    # derivations of one agreement's dated items.
    pure: dict[object, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.start_fact = index_facts(self.facts, self._by_type, self.as_of)
        self.start: date = self.start_fact.data.start_date
        self.calendar: BusinessCalendar = company_calendar(self.terms.company)

    @classmethod
    def build(
        cls, terms: ProvisionTerms, facts: Iterable[Fact], as_of: date, pure: dict[object, object] | None = None
    ) -> PHistory:
        h = cls(terms, as_of, [f for f in resolve(facts) if f.date <= as_of])
        if pure is not None:
            h.pure = pure
        return h

    def reached(self, day: date) -> bool:
        """Whether `day` is on or before as_of; a later day is noted in `turns`."""
        if day > self.as_of:
            self.turns.add(day)
            return False
        return True

    def within(self, first: date, last: date) -> bool:
        """Whether as_of is in [first, last] (the turns: first, and the day after last)."""
        return self.reached(first) and not self.reached(last + timedelta(days=1))

    def of(self, *types: str) -> list[Fact]:
        if len(types) == 1:
            self.read.add(types[0])
            return self._by_type.get(types[0], [])
        self.read.update(types)
        return [f for f in self.facts if f.type in types]

    # -- days ----------------------------------------------------------------------------------------

    def notice_date(self, fact: Fact) -> date:
        """I-10: a written notice takes effect on receipt (the fact's date) or, with [days] notices =
        "dispatch", on the day it was sent."""
        if self.terms.agreement.days.notices == "dispatch":
            sent: date = fact.data.sent_date
            return sent
        return fact.date

    def duration(self, text: str) -> Duration:
        """A duration of the file; plain "days" are business days when the agreement counts so ([days])."""
        d = parse_duration(text)
        if d.unit == "calendar_days" and "calendar" not in text and self.terms.agreement.days.count == "business":
            return Duration(d.n, "business_days")
        return d

    def add(self, anchor: date, text: str, times: int = 1) -> date:
        d = self.duration(text)
        return add_duration(anchor, Duration(d.n * times, d.unit), self.calendar, self.terms.agreement.days.feb29)

    def payday(self, day: date, strictly_after: bool) -> date:
        p = self.terms.company.payroll
        base = day if strictly_after else day - timedelta(days=1)
        return next_payday_after(base, p.first_period_start, p.period_days, p.payday_days_after_period_end)

    def date_of(
        self,
        text: str,
        anchors: Mapping[str, date | None],
        convention: Roll | None = None,
        names: Mapping[str, str] | None = None,
    ) -> tuple[date | None, str]:
        """A date expression of the file, rolled by `convention` (by default the agreement's [days] roll); its
        words call the anchors as `names` says (a package's `names`)."""
        key = ("date_of", text, tuple(anchors.items()), convention, tuple(names.items()) if names else ())
        if key not in self.pure:
            self.pure[key] = self._date_of(text, anchors, convention, names)
        found = self.pure[key]
        assert isinstance(found, tuple)
        return found

    def _date_of(
        self, text: str, anchors: Mapping[str, date | None], convention: Roll | None, names: Mapping[str, str] | None
    ) -> tuple[date | None, str]:
        ctx = DateContext(anchors, self.calendar, self.payday, self.terms.agreement.days.feb29, names or {})
        day, words = date_value(parse_date(text), ctx)
        if day is None:
            return None, words
        how = convention or self.terms.agreement.days.roll
        rolled = roll(day, how, self.calendar)
        if rolled != day:
            words += f" ({self.calendar.closed_reason(day)}), moved {how} to {rolled}"
        return rolled, words

    @property
    def accepted(self) -> Fact | None:
        """The offer's acceptance (OfferAccepted), when recorded."""
        found = self.of("OfferAccepted")
        return found[0] if found else None

    def basis(self, *expressions: str | None) -> tuple[str, ...]:
        """The facts date expressions that count from the employment rest on: the acceptance of the offer when
        they count from it and it is recorded, otherwise the start."""
        parsed = [parse_date(x) for x in expressions if x]
        if self.accepted is not None and any("acceptance_date" in anchors_of(e) for e in parsed):
            return (self.accepted.id,)
        return (self.start_fact.id,)

    def window_facts(self, *edges: str | None) -> tuple[str, ...]:
        """The facts the edges of a window rest on: the start, when they count from it."""
        parsed = [parse_date(x) for x in edges if x]
        return (self.start_fact.id,) if any(anchors_of(e) & {"start_date", "effective_date"} for e in parsed) else ()

    # -- money ---------------------------------------------------------------------------------------

    def rate_on(self, day: date) -> Decimal:
        rate = Decimal(self.start_fact.data.annual_base_salary)
        for f in self.of("SalaryChanged"):
            if f.date <= day:
                rate = Decimal(f.data.new_annual_rate)
        return rate

    def quantities(self, end: End | None) -> dict[str, Decimal | Fraction | None]:
        """The named quantities of amount formulas (terms.expressions.AMOUNT_QUANTITIES) on these facts."""
        pct = self.terms.agreement.bonus.target_pct_of_base_salary if self.terms.agreement.bonus else None
        start_rate = Decimal(self.start_fact.data.annual_base_salary)
        out: dict[str, Decimal | Fraction | None] = {
            "base_salary_at_start": start_rate,
            "target_bonus_at_start": start_rate * pct / 100 if pct is not None else None,
        }
        if end is None:
            return out
        t = end.date
        rate = self.rate_on(t)
        year_start, year_end = self.fiscal_year(t)
        employed_from = max(year_start, self.start)
        days_in_year = (year_end - year_start).days + 1
        worked = (t - employed_from).days + 1
        months = _completed_months(employed_from, t)
        prior = self.fiscal_year(year_start - timedelta(days=1))
        bonuses = [f for f in self.of("BonusPaid") if prior[0] <= f.date <= prior[1]]
        out.update(
            base_salary_at_termination=rate,
            base_salary_before_cut=max(
                [start_rate, *(Decimal(f.data.new_annual_rate) for f in self.of("SalaryChanged") if f.date <= t)]
            ),
            target_bonus=rate * pct / 100 if pct is not None else None,
            prior_year_bonus=sum((Decimal(f.data.amount) for f in bonuses), Decimal(0)) if bonuses else None,
            base_salary_paid_in_year=self._paid_between(employed_from, t),
            proration=Fraction(worked, days_in_year),
            completed_months_proration=Fraction(months, 12),
            remaining_term_months=self._remaining_months(t),
        )
        return out

    def _paid_between(self, first: date, last: date) -> Fraction:
        """The salary of the days first..last, each day at its rate / 365, summed by the runs of one rate."""
        if last < first:
            return Fraction(0)
        changes = sorted({f.date for f in self.of("SalaryChanged") if first < f.date <= last})
        total, edges = Fraction(0), [first, *changes, last + timedelta(days=1)]
        for a, b in zip(edges, edges[1:], strict=False):
            total += Fraction(self.rate_on(a)) * (b - a).days / 365
        return total

    def fiscal_year(self, day: date) -> tuple[date, date]:
        """The first and last day of the fiscal year holding `day` ([days] fiscal_year_end)."""
        return fiscal_year(self.terms.agreement.days.fiscal_year_end, day)

    def _remaining_months(self, t: date) -> Decimal | None:
        term = self.terms.agreement.term
        if term.kind != "fixed" or term.length is None:
            return None
        end = self.add(self.start, term.length)
        return Decimal(max(0, _completed_months(t, end)))


def _completed_months(first: date, last: date) -> int:
    months = (last.year - first.year) * 12 + last.month - first.month
    if last.day < first.day:
        months -= 1
    return max(0, months)


def employment_end(h: PHistory) -> tuple[End | None, End | None]:
    """(the end on or before as_of, a resignation pending after it): the first end by date wins."""
    ends: list[End] = []
    conditions = {o.stated_as: o for o in h.terms.agreement.obligations if o.stated_as}
    for f in h.of("EmploymentTerminatedByCompany"):
        if f.data.stated_ground == "without_cause":
            ends.append(End("termination_without_cause", f.date, (f.id,), f"termination without cause on {f.date}"))
        elif f.data.stated_ground in conditions:
            ends.append(_offer_condition(h, f, conditions[f.data.stated_ground]))
        else:
            ends.append(_for_cause(h, f))
    for f in h.of("PositionEliminated"):
        ends.append(End("position_eliminated", f.date, (f.id,), f"position eliminated on {f.date}"))
    for f in h.of("EmploymentEndedOther"):
        kind = f.data.reason if f.data.reason in ("death", "disability") else "other"
        ends.append(End(kind, f.date, (f.id,), f"employment ended ({f.data.reason}) on {f.date}", reason=f.data.reason))
    pending = None
    for f in h.of("ResignationNoticeGiven"):
        n = h.notice_date(f)  # I-10
        effective, how = _resignation_effective(h, f, n)
        kind, reason, basis, grounds = _good_reason(h, f, n, effective)
        gr = h.terms.agreement.good_reason
        if kind == "resignation_for_good_reason" and gr is not None and gr.resignation_notice:
            least = h.add(n, gr.resignation_notice)
            asked = f.data.requested_effective_date is not None  # a date asked for: short_notice decides
            short = gr.short_notice
            if effective < least and short == "accept" and asked:
                how += f", shorter than the {gr.resignation_notice} notice, accepted (I-11)"
            elif effective < least and (short in ("extend", "accept") or (short == "lose_good_reason" and not asked)):
                effective, how = least, f"{how}, extended to the {gr.resignation_notice} notice ({gr.clause})"
                kind, reason, basis, grounds = _good_reason(h, f, n, effective)
            elif effective < least:
                kind, basis, grounds = "resignation", (), ()
                reason = f"; less than the {gr.resignation_notice} notice a Good Reason resignation needs ({gr.clause})"
        # withdrawn, with the Company's consent, by the day it takes effect
        withdrawn = [w for w in h.of("ResignationNoticeWithdrawn") if f.date <= w.date <= effective]
        if any(w.data.company_consented for w in withdrawn):
            continue
        words = f"{kind.replace('_', ' ')}: notice {n}, effective {effective} ({how}){reason}"
        end = End(kind, effective, (f.id, *basis), words, n, grounds)
        if h.reached(effective):
            ends.append(end)
        elif pending is None:
            pending = end
    resignations = [e for e in ends if e.notice is not None] + ([pending] if pending else [])
    ends.sort(key=lambda e: e.date)
    first = ends[0] if ends else None
    if first is not None and pending is not None and pending.date > first.date:
        pending = None
    if first is not None and first.kind in DISCHARGES:
        first = _during_notice(h, first, resignations)
    return first, pending


DISCHARGES = ("termination_without_cause", "termination_for_cause", "position_eliminated", "offer_condition_failure")


def _during_notice(h: PHistory, end: End, resignations: list[End]) -> End:
    """I-32: a Company termination while a Good Reason resignation's notice runs is one without Cause, when
    [good_reason] termination_during_notice says so; it rests on the resignation's facts too."""
    gr = h.terms.agreement.good_reason
    if gr is None or gr.termination_during_notice != "without_cause":
        return end
    running = next(
        (
            r
            for r in resignations
            if r.kind == "resignation_for_good_reason" and r.notice and r.notice <= end.date < r.date
        ),
        None,
    )
    if running is None:
        return end
    words = (f"the Company ended the employment on {end.date} during the notice period of the Good Reason "
             f"resignation noticed {running.notice} ({gr.clause}): a termination without Cause (I-32)")  # fmt: skip
    return End("termination_without_cause", end.date, (end.facts[0], *running.facts), words)


def _offer_condition(h: PHistory, f: Fact, o: Obligation) -> End:
    """I-26: a termination stating a condition of the offer (`[[obligations]] stated_as`): an
    offer_condition_failure when the obligation was not fulfilled by its due date, else a rejected claim."""
    from obligations.rules.provisions.report import fulfilling  # the obligations read this module's history

    due, _ = h.date_of(o.due or "start_date", anchors(h, None, None))
    tried = [x for x in h.of(o.fulfilled_by) if x.date <= f.date] if o.fulfilled_by else []
    done = fulfilling(h, o, None) if o.fulfilled_by else fulfilled_on(h, o.id)
    met = done is not None and done.date <= f.date and due is not None and done.date <= due
    facts = (f.id, h.start_fact.id, *(x.id for x in tried))
    if not met:
        words = (f"the Company ended the employment on {f.date} because the condition of the offer ({o.clause}: "
                 f"{o.description}) failed: not met by {due} (I-26)")  # fmt: skip
        if o.failure_ends_as == "termination_without_cause":
            return End("termination_without_cause", f.date, facts, words + ", a termination without Cause")
        return End("offer_condition_failure", f.date, facts, words)
    words = (
        f"the Company ended the employment on {f.date} citing the condition of the offer ({o.clause}), met "
        f"on {done.date if done else due}: the claim is unsupported, a termination without Cause (I-14, I-26)"
    )
    return End("termination_without_cause", f.date, facts, words, claim_rejected=True)


def _for_cause(h: PHistory, f: Fact) -> End:
    """A termination stated for Cause (family 6): one when a Cause ground of the terms is available on its
    date; without one, a termination without Cause unless the terms keep it as stated."""
    cause = h.terms.agreement.cause
    words = f"termination for cause on {f.date}"
    if cause is None:
        return End("termination_for_cause", f.date, (f.id,), words)
    from obligations.rules.provisions.grounds import cause_states  # the grounds read this module's history

    states = cause_states(h)
    named = f.data.stated_ground != "for_cause"  # a ground named by the letter's words: that ground alone
    if named:
        states = [s for s in states if s.ground.stated_as == f.data.stated_ground]
    held = [s for s in states if s.available_on(f.date)]
    if held:
        why = "; ".join(s.why for s in held)
        facts = (f.id, *(x for s in held for x in s.facts))
        return End("termination_for_cause", f.date, facts, f"{words}: {why}", grounds=tuple(s.ground.id for s in held))
    none = f"stated for Cause on {f.date}, but no Cause ground of the terms ({cause.clause}) was available that day"
    detail = "; ".join(s.why for s in states)
    if cause.unsupported == "as_stated":  # I-14 alternative: disputed only; a named ground stays named
        stated = tuple(s.ground.id for s in states) if named else ()
        return End(
            "termination_for_cause", f.date, (f.id,), f"{none} (kept as stated, flagged): {detail}", grounds=stated
        )
    facts = (f.id,) if named else (f.id, *(x for s in states for x in s.facts))
    words = f"{none}: a termination without Cause: {detail}"
    return End("termination_without_cause", f.date, facts, words, claim_rejected=True)


def _good_reason(h: PHistory, f: Fact, n: date, effective: date) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """Whether a resignation is for Good Reason: it claims a ground and, when the terms have a Good Reason
    process ([good_reason] with [[grounds]]), that ground's process allows it (notice, no cure, in time)."""
    claimed = list(f.data.good_reason_grounds_claimed)
    gr = h.terms.agreement.good_reason
    if gr is not None and gr.assessed == "deemed":
        return _deemed(h, n, effective)
    if not claimed:
        return "resignation", "", (), ()
    if h.terms.agreement.good_reason is None:
        return "resignation_for_good_reason", f"; claims {', '.join(claimed)}", (), tuple(claimed)
    from obligations.rules.provisions.grounds import ground_states  # the process reads this module's history

    states = {s.ground.id: s for s in ground_states(h)}
    ok = [states[g] for g in claimed if g in states and states[g].available(n, effective)]
    if ok:
        return "resignation_for_good_reason", f"; for Good Reason: {ok[0].why}", ok[0].facts, (ok[0].ground.id,)
    why = "; ".join(states[g].why for g in claimed if g in states) or "no such ground in the terms"
    return "resignation", f"; claims {', '.join(claimed)} but not for Good Reason: {why}", (), ()


def _deemed(h: PHistory, n: date, effective: date) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    """I-11: for Good Reason when any ground is available on the day the notice is received, claimed or not."""
    from obligations.rules.provisions.grounds import ground_states  # the process reads this module's history

    ok = sorted((s for s in ground_states(h) if s.available(n, effective)), key=lambda s: s.ground.id)
    if not ok:
        return "resignation", "; no Good Reason ground available on the notice's day", (), ()
    facts = tuple(dict.fromkeys(x for s in ok for x in s.facts))
    why = "; ".join(s.why for s in ok)
    return (
        "resignation_for_good_reason",
        f"; deemed for Good Reason (I-11): {why}",
        facts,
        tuple(s.ground.id for s in ok),
    )


def _resignation_effective(h: PHistory, f: Fact, n: date) -> tuple[date, str]:
    if f.data.requested_effective_date is not None:
        return f.data.requested_effective_date, "the date the notice asks for"
    notice = h.terms.agreement.term.notice_by_employee
    if notice:
        return h.add(n, notice), f"notice {n} + {notice} ({h.terms.agreement.term.clause})"
    return n, "on notice: the terms give no notice period"


@dataclass(frozen=True)
class Coc:
    """The first Change of Control: its day, the facts it rests on and how it came about."""

    date: date
    facts: tuple[str, ...]
    words: str


def changes_of_control(h: PHistory) -> list[ChangeOfControl]:
    """Every Change of Control in the facts: each prong met (`prongs`), or each determination recorded
    (`by_fact`, named by the plan)."""
    c = h.terms.agreement.change_of_control
    if c is not None and c.definition == "prongs":
        return prong_changes(h.of(*PRONG_FACTS), provisions_definition(h))
    plan = (c.plan if c else None) or "determined"
    return [
        ChangeOfControl(f.date, plan, f"Change of Control determined {f.date}", (f.id,))
        for f in h.of("ChangeOfControlDetermined")
    ]


def change_of_control(h: PHistory) -> Coc | None:
    """The first Change of Control since the start (one before it is not this agreement's): a determination
    recorded (`by_fact`), or the first prong met (`prongs`)."""
    if "coc" not in h.memo:
        first = min((c for c in changes_of_control(h) if c.date >= h.start), key=lambda x: x.date, default=None)
        h.memo["coc"] = Coc(first.date, first.facts, first.why) if first else None
    found = h.memo["coc"]
    assert found is None or isinstance(found, Coc)
    return found


def provisions_definition(h: PHistory) -> Definition:
    c = h.terms.agreement.change_of_control
    assert c is not None
    return Definition(
        Prong(c.merger.id or "merger", c.merger.clause, c.merger.shareholders_retain_less_than_pct)
        if c.merger
        else None,
        Prong(c.asset_sale.id or "asset_sale", c.asset_sale.clause, c.asset_sale.substantially_all_fraction)
        if c.asset_sale
        else None,
        Prong(
            c.beneficial_ownership.id or "beneficial_ownership",
            c.beneficial_ownership.clause,
            c.beneficial_ownership.more_than_pct,
        )
        if c.beneficial_ownership
        else None,
        Prong(c.liquidation.id or "liquidation", c.liquidation.clause) if c.liquidation else None,
        tuple(h.terms.company.change_of_control.excluded_persons),
    )


def anchors(h: PHistory, end: End | None, coc: Coc | None, **more: date | None) -> dict[str, date | None]:
    out: dict[str, date | None] = {
        "start_date": h.start,
        "effective_date": h.start,
        "acceptance_date": h.accepted.date if h.accepted else h.start,
        "termination_date": end.date if end else None,
        "change_of_control_date": coc.date if coc else None,
        "fiscal_year_end": h.fiscal_year(end.date)[1] if end else None,
    }
    out.update(more)
    return out


def fulfilled_on(h: PHistory, obligation: str) -> Fact | None:
    return next((f for f in h.of("ObligationFulfilled") if f.data.obligation == obligation), None)
