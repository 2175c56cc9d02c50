"""Triggers, packages that fire once, the release of claims that holds them (families 4, 5, 12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from obligations.rules.calendar import add_days
from obligations.rules.provisions.base import Coc, End, PHistory, anchors, fulfilled_on
from obligations.terms.provisions import Package, Trigger


@dataclass(frozen=True)
class Hit:
    """A trigger that occurred: the event, its date, the day the package fires (a termination in the window
    before a Change of Control fires on the Change of Control), the facts and the words."""

    trigger: str
    event: str
    event_date: date
    fires: date
    facts: tuple[str, ...]
    words: str
    window_facts: tuple[str, ...] = ()  # the facts of the dates its window is counted from (the start)


@dataclass(frozen=True)
class Waiting:
    """A termination that may still fire a double trigger if a Change of Control comes by `until`."""

    trigger: str
    until: date
    words: str


def trigger_hit(h: PHistory, t: Trigger, end: End | None, coc: Coc | None) -> Hit | Waiting | None:
    where = f"{t.id} ({t.clause})"
    dates = anchors(h, end, coc)
    # a window counted from the start rests on the start too
    start = h.window_facts(t.on_or_after, t.before)
    coc_first = coc is not None and (end is None or coc.date <= end.date)
    if coc is not None and coc_first and "change_of_control" in t.events and _in_window(h, t, coc.date, dates):
        return Hit(t.id, "change_of_control", coc.date, coc.date, coc.facts, f"{where}: {coc.words}", start)
    tested = end.notice if end is not None and end.notice and t.tested_on == "notice_date" else None  # I-05
    if end is None or end.kind not in t.events or not _in_window(h, t, tested or end.date, dates):
        return None
    if t.unless_fulfilled is not None:
        by, _ = h.date_of(t.unless_fulfilled.by, dates)
        done = fulfilled_on(h, t.unless_fulfilled.obligation)
        if by is not None and done is not None and done.date <= by:
            return None
    words = f"{where}: {end.words}"
    if t.change_of_control is None:
        return Hit(t.id, end.kind, end.date, end.date, end.facts, words, start)
    w = t.change_of_control
    if coc is None:
        until = h.add(end.date, w.before)
        if w.wait_for_change_of_control:  # kept after `until` too: the forfeiture dates from it
            return Waiting(t.id, until, f"{words}; waits for a Change of Control by {until} ({w.before} before it)")
        return None
    opens, closes = h.add(coc.date, w.before, -1), h.add(coc.date, w.after)
    if not opens <= end.date <= closes:
        return None
    fires = max(end.date, coc.date)
    words += f"; Change of Control {coc.date}, window {opens}..{closes} ({w.before} before, {w.after} after)"
    return Hit(t.id, end.kind, end.date, fires, (*end.facts, *coc.facts), words, start)


def _in_window(h: PHistory, t: Trigger, day: date, dates: dict[str, date | None]) -> bool:
    """The event's date satisfies the trigger's `on_or_after` and `before` (an edge with no date: not)."""
    if t.on_or_after is not None:
        edge, _ = h.date_of(t.on_or_after, dates)
        if edge is None or day < edge:
            return False
    if t.before is not None:
        edge, _ = h.date_of(t.before, dates)
        if edge is None or day > edge or (day == edge and not t.window_inclusive_end):  # I-04
            return False
    return True


@dataclass(frozen=True)
class Fired:
    package: Package
    hit: Hit


def fired_packages(h: PHistory, end: End | None, coc: Coc | None) -> tuple[list[Fired], list[Waiting]]:
    """Each package fires once, on its earliest trigger; a package another one that fired first excludes
    does not fire (ties: the file's order)."""
    triggers = {t.id: t for t in h.terms.agreement.triggers}
    candidates: list[tuple[date, int, Fired]] = []
    waiting: list[Waiting] = []
    for order, p in enumerate(h.terms.agreement.packages):
        hits = [trigger_hit(h, triggers[tid], end, coc) for tid in p.triggers]
        fired = sorted((x for x in hits if isinstance(x, Hit) and h.reached(x.fires)), key=lambda x: x.fires)
        waiting += [x for x in hits if isinstance(x, Waiting)]
        if fired:
            candidates.append((fired[0].fires, order, Fired(p, fired[0])))
    chosen: list[Fired] = []
    for _, _, f in sorted(candidates, key=lambda c: (c[0], c[1])):
        shut = any(f.package.id in c.package.excludes or c.package.id in f.package.excludes for c in chosen)
        if not shut:
            chosen.append(f)
    return chosen, waiting


@dataclass(frozen=True)
class ReleaseState:
    """The release of claims after a termination: its clocks and whether it is (or will be) effective."""

    status: str  # awaiting_delivery | awaiting_signature | revocable | effective | revoked | lapsed
    delivered: date | None
    delivery_deadline: date | None
    signature_deadline: date | None
    signed: date | None
    revocation_deadline: date | None
    effective: date | None  # known once signed and not revoked
    outer_deadline: date | None
    facts: tuple[str, ...]
    words: str


def release_state(h: PHistory, end: End) -> ReleaseState | None:
    r = h.terms.agreement.release
    if r is None:
        return None
    t = end.date
    delivered_f = next((f for f in h.of("ReleaseDelivered") if f.date >= t), None)
    signed_f = next((f for f in h.of("ReleaseSigned") if f.date >= t), None)
    delivered = delivered_f.date if delivered_f else None
    delivery_deadline = h.add(t, r.deliver_within) if r.deliver_within else None
    signature_deadline = h.add(delivered or t, r.consider) if r.consider else None
    outer = h.add(t, r.outer_deadline) if r.outer_deadline else None
    signed = signed_f.date if signed_f else None
    revoke_by = h.add(signed, r.revoke) if signed and r.revoke else None
    revoked_f = next((f for f in h.of("ReleaseRevoked") if signed and signed <= f.date), None)
    effective = None
    if signed and not revoked_f:
        day = r.effective_day_after_signing
        effective = (
            add_days(signed, day) if day is not None else add_days(h.add(signed, r.revoke), 1) if r.revoke else signed
        )
    facts = tuple(f.id for f in (delivered_f, signed_f, revoked_f) if f is not None)
    words = f"release ({r.clause}): termination {t}"
    words += (
        f"; delivered {delivered}"
        if delivered
        else f"; to be delivered by {delivery_deadline}"
        if delivery_deadline
        else ""
    )
    words += (
        f"; {r.consider} to consider it, until {signature_deadline}"
        if r.consider
        else "; no time to consider it is stated"
    )
    late = signed is not None and signature_deadline is not None and signed > signature_deadline
    beyond = effective is not None and outer is not None and effective > outer
    limits = [d for d in (signature_deadline, outer) if d is not None]
    if revoked_f is not None:
        status, effective = "revoked", None
        words += f"; signed {signed}, revoked {revoked_f.date}: the benefits it conditions are forfeited"
    elif late or beyond or (signed is None and limits and h.reached(min(limits) + timedelta(days=1))):
        why = "signed late" if late else "effective only after the outer deadline" if beyond else "not signed in time"
        status, effective = "lapsed", None
        words += f"; {why}: the benefits it conditions are forfeited"
    elif signed is None:
        status = "awaiting_signature" if delivered or delivery_deadline is None else "awaiting_delivery"
        words += "; not signed yet: the benefits it conditions are held"
    else:
        status = "effective" if effective is not None and h.reached(effective) else "revocable"
        words += f"; signed {signed}" + (f", revocable for {r.revoke} until {revoke_by}" if r.revoke else "")
        words += f", effective on {effective}"
    return ReleaseState(
        status, delivered, delivery_deadline, signature_deadline, signed, revoke_by, effective, outer, facts, words
    )
