"""Several grants, each on its own schedule; full, partial (N more months, in a stated order) and pro-rata
acceleration; vesting held open for a double trigger; forfeiture; post-termination exercise windows
(family 11). Counts are exact fractions: vested + unvested + forfeited = granted, per grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from obligations.domain.facts import Fact
from obligations.domain.values import count_str
from obligations.rules.item import Item
from obligations.rules.provisions.base import End, PHistory, anchors
from obligations.rules.provisions.packages import Fired, ReleaseState, Waiting
from obligations.rules.vesting import Tranche, count, schedule
from obligations.terms.models import Vesting
from obligations.terms.provisions import Acceleration, Grant


@dataclass(frozen=True)
class GrantState:
    grant: Grant
    granted: Fraction | None  # None: neither the terms nor a GrantMade fact give the number
    grant_date: date | None
    vested: Fraction | None  # None: not known (no schedule in the clauses at hand)
    unvested: Fraction | None
    forfeited: Fraction | None
    accelerated: Fraction | None
    exercised: Fraction
    accelerated_on: date | None
    forfeited_on: date | None
    exercise_window_end: date | None
    ended_on: date | None
    tranches: tuple[Tranche, ...]
    why: str
    facts: tuple[str, ...]
    acceleration_facts: tuple[str, ...] = ()  # the facts of the event that accelerated it

    def section(self) -> dict[str, Any]:
        def n(x: Fraction | None) -> int | str | None:
            return None if x is None else count(x)

        return {
            "id": self.grant.id,
            "kind": self.grant.kind,
            "clause": self.grant.clause,
            "grant_date": self.grant_date.isoformat() if self.grant_date else None,
            "granted": n(self.granted),
            "vested": n(self.vested),
            "unvested": n(self.unvested),
            "forfeited": n(self.forfeited),
            "accelerated": n(self.accelerated),
            "exercised": n(self.exercised),
            "accelerated_on": self.accelerated_on.isoformat() if self.accelerated_on else None,
            "forfeited_on": self.forfeited_on.isoformat() if self.forfeited_on else None,
            "exercise_window_end": self.exercise_window_end.isoformat() if self.exercise_window_end else None,
            "why": self.why,
            "fact_ids": list(self.facts),
        }


def grant_states(
    h: PHistory, end: End | None, fired: list[Fired], waiting: list[Waiting], release: ReleaseState | None
) -> list[GrantState]:
    return [_grant(h, g, end, fired, waiting, release) for g in h.terms.agreement.grants]


def made(h: PHistory, g: Grant) -> list[Fact]:
    """The facts recording the grant ([[grants]] made_by)."""
    return [f for f in h.of(g.made_by) if g.made_by == "OptionsGranted" or f.data.grant == g.id]


def _quantity(h: PHistory, g: Grant) -> tuple[Fraction | None, tuple[str, ...]]:
    made_facts = made(h, g)
    if g.quantity is not None:
        return Fraction(g.quantity), tuple(f.id for f in made_facts)
    if made_facts:
        return Fraction(made_facts[0].data.quantity), (made_facts[0].id,)
    return None, ()


def _plan(
    h: PHistory, g: Grant, granted: Fraction | None, grant_date: date | None
) -> tuple[Vesting | None, tuple[Tranche, ...]]:
    """The grant's vesting schedule for this many shares from this day (pure: shared across derivations)."""
    key = ("schedule", g.id, granted, grant_date)
    if key not in h.pure:
        v = g.schedule_for(Decimal(granted.numerator) / granted.denominator) if granted is not None else None
        h.pure[key] = (v, tuple(schedule(v, grant_date)) if v is not None and grant_date is not None else ())
    return cast(tuple[Vesting | None, tuple[Tranche, ...]], h.pure[key])


def _grant(
    h: PHistory, g: Grant, end: End | None, fired: list[Fired], waiting: list[Waiting], release: ReleaseState | None
) -> GrantState:
    granted, facts = _quantity(h, g)
    grant_date, _ = h.date_of(g.grant_date, anchors(h, None, None))
    exercised = sum((Fraction(f.data.quantity) for f in h.of("OptionsExercised") if f.data.grant == g.id), Fraction(0))
    window = h.add(end.date, g.exercise_window) if end and g.exercise_window else None
    v, plan = _plan(h, g, granted, grant_date)
    if granted is None or grant_date is None or v is None:
        return _unscheduled(h, g, granted, grant_date, exercised, window, end, fired, facts, release)
    stop = end.date if end else h.as_of
    accel, paused = _acceleration(h, g, fired, release)
    if accel is not None and not h.reached(accel[0]):  # the release takes effect later: until then nothing is forfeited
        paused = f"acceleration on {accel[0]}, when the release becomes effective"
    cutoff = min(stop, h.as_of, accel[0] if accel else stop)
    scheduled = sum((t.amount for t in plan if t.date <= cutoff), Fraction(0))
    why = (
        f"{g.clause}: {g.kind} grant {g.id} of {count_str(count(granted))} from {grant_date}: {v.installments} "
        f"installments of {v.period_length} {v.period_unit.lower()}; scheduled vested {count_str(count(scheduled))}"
    )
    accelerated = Fraction(0)
    accelerated_on = None
    accel_facts: tuple[str, ...] = ()
    if accel is not None and h.reached(accel[0]):
        accel_facts = accel[2]
        accelerated, words = _accelerated(h, v, plan, grant_date, accel[0], accel[1], granted, scheduled, cutoff)
        accelerated_on, why = accel[0], why + f"; {words}"
        facts += accel[2]
    vested = scheduled + accelerated
    forfeit_on = None if paused else _forfeiture(h, g, end, accel, waiting)
    if paused:
        why += f"; {paused}"
    forfeited = granted - vested if forfeit_on is not None and h.reached(forfeit_on) else Fraction(0)
    if forfeited:
        why += f"; the rest ({count_str(count(forfeited))}) forfeited on {forfeit_on}"
    elif end and forfeit_on and forfeit_on > h.as_of:
        why += f"; unvested held open until {forfeit_on} for a Change of Control"
    if end:
        facts += end.facts
    return GrantState(
        g,
        granted,
        grant_date,
        vested,
        granted - vested - forfeited,
        forfeited,
        accelerated,
        exercised,
        accelerated_on,
        forfeit_on if forfeited else None,
        window,
        end.date if end else None,
        plan,
        why + ".",
        facts,
        accel_facts,
    )


def _unscheduled(
    h: PHistory,
    g: Grant,
    granted: Fraction | None,
    grant_date: date | None,
    exercised: Fraction,
    window: date | None,
    end: End | None,
    fired: list[Fired],
    facts: tuple[str, ...],
    release: ReleaseState | None,
) -> GrantState:
    """A grant whose size or schedule the clauses at hand do not give: only a full acceleration is known."""
    why = f"{g.clause}: {g.kind} grant {g.id}: " + (
        "the number granted is not stated and no GrantMade is recorded"
        if granted is None
        else "the vesting schedule is not in the clauses at hand, so what is vested is not known"
    )
    accel, _ = _acceleration(h, g, fired, release)
    if granted is not None and accel is not None and accel[1].kind == "full" and h.reached(accel[0]):
        why += f"; full acceleration on {accel[0]} ({accel[1].clause}): all {count_str(count(granted))} are vested"
        return GrantState(
            g,
            granted,
            grant_date,
            granted,
            Fraction(0),
            Fraction(0),
            None,
            exercised,
            accel[0],
            None,
            window,
            end.date if end else None,
            (),
            why + ".",
            facts + accel[2],
        )
    return GrantState(
        g,
        granted,
        grant_date,
        None,
        None,
        None,
        None,
        exercised,
        None,
        None,
        window,
        end.date if end else None,
        (),
        why + ".",
        facts,
    )


def _acceleration(
    h: PHistory, g: Grant, fired: list[Fired], release: ReleaseState | None
) -> tuple[tuple[date, Acceleration, tuple[str, ...]] | None, str]:
    """The first acceleration of the grant, and why one is paused: a package that needs the release accelerates
    on the day the release becomes effective, and not at all when it lapses or is revoked (family 11)."""
    found, paused = [], ""
    for f in fired:
        for a in f.package.accelerations:
            if a.grants and g.id not in a.grants:
                continue
            if not f.package.release:
                found.append((f.hit.fires, a, f.hit.facts))
            elif release is not None and release.effective is not None:
                found.append((max(f.hit.fires, release.effective), a, (*f.hit.facts, *release.facts)))
            elif release is not None and release.status not in ("lapsed", "revoked"):
                paused = f"acceleration of package {f.package.id} paused until the release is effective"
    return (min(found, key=lambda x: x[0]) if found else None), paused


def _accelerated(
    h: PHistory,
    v: Vesting,
    plan: tuple[Tranche, ...],
    grant_date: date,
    on: date,
    a: Acceleration,
    granted: Fraction,
    scheduled: Fraction,
    base: date,
) -> tuple[Fraction, str]:
    remaining = [t for t in plan if t.amount and t.date > base]  # what had not vested when vesting stopped
    rest = granted - scheduled
    if a.kind == "full":
        return rest, f"full acceleration on {on} ({a.clause}): {count_str(count(rest))}"
    if a.kind == "pro_rata":
        total_months = (
            v.installments * v.period_length if v.period_unit == "MONTHS" else v.installments * v.period_length / 30
        )
        months = (on.year - grant_date.year) * 12 + on.month - grant_date.month - (1 if on.day < grant_date.day else 0)
        target = min(granted, granted * Fraction(max(0, months)) / Fraction(total_months))
        target = Fraction(int(target))  # whole shares, rounded down
        extra = max(Fraction(0), target - scheduled)
        return (
            extra,
            f"pro-rata acceleration on {on} ({a.clause}): installments deemed monthly, {months} of {total_months} "
            f"months → {count_str(count(target))} vested, {count_str(count(extra))} accelerated",
        )
    months = a.months or 0
    horizon = h.add(base, f"{months} months")
    soonest = sum((t.amount for t in remaining if t.date <= horizon), Fraction(0))
    order = a.order or "soonest"
    if order == "soonest":
        amount, which = soonest, f"the installments dated after {base} through {horizon}"
    elif order == "last":
        last_date = plan[-1].date if plan else on
        start = h.add(last_date, f"{months} months", -1)
        amount, which = (
            sum((t.amount for t in remaining if t.date > start), Fraction(0)),
            f"the installments of the last {months} months (after {start})",
        )
    else:
        left_months = max(1, (plan[-1].date.year - on.year) * 12 + plan[-1].date.month - on.month) if plan else 1
        amount, which = (
            rest * Fraction(min(months, left_months), left_months),
            f"{min(months, left_months)}/{left_months} of every remaining installment",
        )
    amount = Fraction(int(amount)) if v.allocation_type != "FRACTIONAL" else amount
    return (
        amount,
        f"{months} more months of vesting on {on} ({a.clause}), order {order}: {which} = {count_str(count(amount))}",
    )


def _forfeiture(h: PHistory, g: Grant, end: End | None, accel: Any, waiting: list[Waiting]) -> date | None:
    if end is None or not g.forfeit_unvested_on_termination:
        return None
    held = [w.until for w in waiting]
    if held and accel is None:
        return max(held) + (date.resolution)
    return end.date


def tranche_items(s: GrantState, bare: bool = False, pure: dict[object, object] | None = None) -> list[Item]:
    """The grant's tranches as dated items `<grant>:installment_<k>` (and `<grant>:acceleration`, ...), or
    with `bare` as the letter form names them (`installment_<k>`): the grant a catalogue-vocabulary report
    shows as its options section."""
    settled = (s.accelerated, s.accelerated_on, s.forfeited, s.forfeited_on, s.why if s.accelerated else None)
    # the schedule by identity: one tuple per grant, held in `pure` with it (hashing its tranches costs more)
    key = ("tranches", s.grant.id, bare, id(s.tranches), s.ended_on, s.facts, settled)
    if pure is not None and key in pure:
        return list(cast(list[Item], pure[key]))
    out = _tranche_items(s, bare)
    if pure is not None:
        pure[key] = out
    return list(out)


def _tranche_items(s: GrantState, bare: bool) -> list[Item]:
    prefix = "" if bare else f"{s.grant.id}:"
    out = []
    stop = min(x for x in (s.accelerated_on, s.ended_on) if x) if s.accelerated_on else None
    for t in s.tranches:
        if stop is not None and t.date > stop:
            continue
        fixed = None
        if s.ended_on is not None and t.date > s.ended_on:  # vesting stopped with the employment
            fixed = "forfeited" if s.forfeited_on is not None else "unvested"
        out.append(
            Item(
                "vesting",
                f"{prefix}installment_{t.installment}",
                "Company",
                "Employee",
                str(count(t.amount)),
                t.date,
                None,
                s.grant.clause,
                fixed_status=fixed,
                fact_ids=s.facts,
                detail={"why": f"{s.grant.clause} {s.grant.id}: {t.label}", "grant": s.grant.id},
            )
        )
    if s.accelerated and s.accelerated_on:
        out.append(_settled(s, f"{prefix}acceleration", s.accelerated, s.accelerated_on, "vested"))
        if s.forfeited and s.forfeited_on:  # what a partial acceleration left
            out.append(_settled(s, f"{prefix}forfeited", s.forfeited, s.forfeited_on, "forfeited"))
    return out


def _settled(s: GrantState, what: str, amount: Fraction, on: date, status: str) -> Item:
    """A tranche the end of employment settled: the acceleration, or what a partial acceleration left."""
    detail = {"why": s.why, "grant": s.grant.id}
    return Item("vesting", what, "Company", "Employee", str(count(amount)), on, None,
                s.grant.clause, fixed_status=status, fact_ids=s.facts, detail=detail)  # fmt: skip
