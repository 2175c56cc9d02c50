"""Dated items: an agreement's payments, clocks, obligations, grounds and vesting tranches for every as-of date.

A status report depends on the as-of date D in two ways: through the facts dated on or before D, and
through comparisons of D with dates (due dates, deadlines, vesting dates). `dated_items` removes the
first by computing the report at every *checkpoint* (each fact date and each date on which something
appears without a fact: a resignation taking effect, a cure period's consequence), and merging the
checkpoints where an item is unchanged into one item valid over `[valid_from, valid_to)`. What is left
is the second kind, computed at query time from the item's dates by `visible` and `item_status`, so an
item never goes stale because a day passed. `report_items` gives the same view straight from a report:
the read models are tested against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from obligations.domain.facts import Fact
from obligations.rules.calendar import add_days
from obligations.rules.corrections import resolve
from obligations.rules.grounds import cure_clocks, good_cause_grounds, good_reason_grounds
from obligations.rules.history import fact_ids
from obligations.rules.item import Item, clock_json, item_status, obligation_json, payment_json, visible
from obligations.rules.report import Derivation, derive
from obligations.rules.report_parts import vesting_basis
from obligations.rules.vesting import count, schedule
from obligations.terms.agreement_terms import Terms

FAR = date(2999, 12, 31)
ENDING_TYPES = ("EmploymentTerminatedByCompany", "EmploymentEndedOther", "ResignationNoticeGiven")
# Facts that change no item while employed (they change the vacation, bonus or price sections, or the COBRA
# tier, which is read only when a trigger has occurred): their dates are not checkpoints before an ending.
INERT = {"SalaryPaid", "VacationTaken", "BonusDetermined", "BonusPaid", "ClosingPriceRecorded", "HealthCoverageChanged"}


# -- from one report ---------------------------------------------------------------------------------


def report_items(d: Derivation) -> list[Item]:
    """The items of one report, with their dates and the facts they rest on (as the rules name them)."""
    h = d.h
    out: list[Item] = list(d.items)
    if d.emp.ending is None:  # grounds are evaluated while employed
        coc = d.emp.first_coc_while_employed.date if d.emp.first_coc_while_employed else None
        for cause, grounds in ((True, good_cause_grounds(h, h.as_of)), (False, good_reason_grounds(h, h.as_of, coc))):
            for ground in grounds:
                out.append(
                    Item(
                        "ground",
                        ground.id,
                        None,
                        "Company" if cause else "Employee",
                        None,
                        ground.since,
                        None,
                        (h.terms.agreement.good_cause if cause else h.terms.agreement.good_reason).clause,
                        fact_ids=ground.facts,
                        detail={"why": ground.why, "ground": "good_cause" if cause else "good_reason"},
                        interpretations=ground.interpretations,
                    )
                )
    out += _tranches(d)
    return out


def _tranches(d: Derivation) -> list[Item]:
    h, vs = d.h, d.vesting
    accel = d.accel[0] if d.accel and vs.accelerated else None
    accel_any = d.accel[0] if d.accel else None
    forfeit = d.emp.ending.date if d.emp.ending and not d.accel else None
    start_ids = tuple(fact_ids(h.start_fact, h.of("OptionsGranted")))
    end_ids = tuple(vesting_basis(h, d.emp, d.accel))
    out = []
    v = h.terms.agreement.vesting
    for t in schedule(v, h.start):
        fixed = None
        if accel_any is not None and t.date > accel_any:
            continue  # vests in the acceleration tranche instead
        if forfeit is not None and t.date > forfeit:
            fixed = "forfeited"
        out.append(
            Item(
                "vesting",
                f"installment_{t.installment}",
                "Company",
                "Employee",
                _count(t.amount),
                t.date,
                None,
                v.clause,
                fixed_status=fixed,
                fact_ids=end_ids if fixed else start_ids,
                detail={"why": f"{v.clause} {t.label}" + (f"; forfeited: employment ended {forfeit}" if fixed else "")},
            )
        )
    if accel is not None:
        out.append(
            Item(
                "vesting",
                "acceleration",
                "Company",
                "Employee",
                _count(vs.accelerated),
                accel,
                None,
                v.clause,
                fixed_status="vested",
                fact_ids=end_ids,
                detail={"why": f"{v.clause} full acceleration on {accel} ({d.accel[1] if d.accel else ''})"},
            )
        )
    return out


def _count(value: Fraction) -> str:
    return str(count(value))


# -- over every as-of date ----------------------------------------------------------------------------


def _derived_dates(d: Derivation) -> set[date]:
    """Dates after the checkpoint on which the report changes without a fact being dated there."""
    h, emp = d.h, d.emp
    out: set[date] = set()
    if emp.pending is not None:
        out |= {emp.pending.effective, add_days(emp.pending.effective, 1)}
    if emp.ending is None:
        for kind in ("neglect_cure_period", "breach_cure_period"):
            out |= {c.ground_from for c in cure_clocks(h, kind)}
        coc = emp.first_coc_while_employed.date if emp.first_coc_while_employed else None
        out |= {g.since for g in good_cause_grounds(h, FAR)}
        lapse = h.terms.i.gr_lapse_days
        for g in good_reason_grounds(h, FAR, coc, lapse=False):
            out.add(g.since)
            if lapse >= 0:  # I-12 alternative: the ground is gone the day after it lapses
                out.add(add_days(g.since, lapse + 1))
    return {x for x in out if x > h.as_of}


def dated_items(terms: Terms, facts: Sequence[Fact]) -> list[Item]:
    """Every item of every report of the agreement, each with the as-of range over which it holds."""
    facts = resolve(facts)
    starts = [f.date for f in facts if f.type == "EmploymentStarted"]
    if not starts:
        return []
    first = min(starts)
    endings = [f.date for f in facts if f.type in ENDING_TYPES]
    inert_until = min(endings) if endings else FAR
    pending = sorted({f.date for f in facts if f.date >= first and not (f.type in INERT and f.date < inert_until)})
    last: list[Derivation] = []

    def at(day: date) -> tuple[list[Item], set[date]]:
        d = derive(terms, facts, day, full=False)
        last[:] = [d]
        return report_items(d), _derived_dates(d)

    out = merge_checkpoints(first, pending, at)
    if last:  # a clock's cure is known only after the clock closed: take it from the last history
        cured = {
            c.notice.data.notice_id: c.cured_on
            for k in ("neglect_cure_period", "breach_cure_period")
            for c in cure_clocks(last[0].h, k)
        }
        out = [replace(i, cured_on=cured.get(i.detail["notice_id"])) if "notice_id" in i.detail else i for i in out]
    return sorted(out, key=lambda i: (i.valid_from, i.kind, i.item_id))


def merge_checkpoints(
    first: date,
    dates: list[date],
    at: Callable[[date], tuple[list[Item], set[date]]],
    needed: Callable[[date], bool] | None = None,
) -> list[Item]:
    """The items computed at each checkpoint (`at(day)` gives them and the later dates on which they change
    without a fact), merged where unchanged into items valid over [valid_from, valid_to). A fact date that
    `needed` says cannot change what the last checkpoint derived is passed over."""
    pending = dates if dates and dates[0] == first else [first, *dates]
    done: set[date] = set()
    asked: set[date] = set()  # the dates `at` named
    current: dict[tuple[str, str], tuple[date, Item]] = {}  # key -> (valid from, the item as last seen)
    out: list[Item] = []
    while pending:
        day = pending.pop(0)
        if day in done:
            continue
        done.add(day)
        if needed is not None and day != first and day not in asked and not needed(day):
            continue
        items, later = at(day)
        asked |= later
        extra = {x for x in later if x > day} - done
        if extra:
            pending = sorted(set(pending) | extra)
        seen: dict[tuple[str, str], tuple[date, Item]] = {}
        for item in items:
            prev = current.pop(item.key, None)
            if prev is not None and prev[1].same_shape(item):
                seen[item.key] = (prev[0], item)  # settled dates as now known
            else:
                if prev is not None:
                    out.append(replace(prev[1], valid_from=prev[0], valid_to=day))
                seen[item.key] = (day, item)
        out += [replace(item, valid_from=since, valid_to=day) for since, item in current.values()]
        current = seen
    out += [replace(item, valid_from=since) for since, item in current.values()]
    return out


# -- one comparable view, from a report or from items -----------------------------------------------------


PAYMENT_KEYS = ("id", "amount", "due_date", "status", "paid_on", "paid_late")
CLOCK_KEYS = ("clock", "notice_id", "started", "deadline", "clause")
OBLIGATION_KEYS = ("id", "owed_by", "owed_to", "due_date", "clause", "status", "fulfilled_on")


def _only(x: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: x[k] for k in keys if k in x}


def report_view(report: dict[str, Any]) -> dict[str, Any]:
    """The machine-contract content of a report's dated sections (free text left out)."""
    o = report["options"]
    g = report["grounds"]
    return {
        "payments": sorted((_only(p, PAYMENT_KEYS) for p in report["payments"]), key=lambda p: p["id"]),
        "open_clocks": sorted(
            (_only(c, CLOCK_KEYS) for c in report["open_clocks"]), key=lambda c: (c["clock"], c.get("notice_id") or "")
        ),
        "obligations": sorted((_only(x, OBLIGATION_KEYS) for x in report["obligations"]), key=lambda x: x["id"]),
        "grounds": sorted((g["good_cause_available"] or []) + (g["good_reason_available"] or [])),
        "vesting": {k: str(o[k]) for k in ("vested", "unvested", "forfeited", "accelerated")},
    }


def items_view(items: Iterable[Item], as_of: date) -> dict[str, Any]:
    """The same view computed from dated items valid on `as_of`."""
    shown = [i for i in items if visible(i, as_of)]
    payments, clocks, obligations, grounds = [], [], [], []
    totals = {"vested": Fraction(0), "unvested": Fraction(0), "forfeited": Fraction(0), "accelerated": Fraction(0)}
    for i in shown:
        status = item_status(i, as_of)
        if i.kind == "payment":
            payments.append(_only(payment_json(i, as_of), PAYMENT_KEYS))
        elif i.kind == "clock":
            clocks.append(_only(clock_json(i), CLOCK_KEYS))
        elif i.kind == "obligation":
            obligations.append(_only(obligation_json(i, as_of), OBLIGATION_KEYS))
        elif i.kind == "ground":
            grounds.append(i.item_id)
        else:
            amount = Fraction(Decimal(i.amount or "0"))
            totals[status] += amount
            if i.item_id == "acceleration":
                totals["accelerated"] += amount
    return {
        "payments": sorted(payments, key=lambda p: p["id"]),
        "open_clocks": sorted(clocks, key=lambda c: (c["clock"], c.get("notice_id") or "")),
        "obligations": sorted(obligations, key=lambda x: x["id"]),
        "grounds": sorted(grounds),
        "vesting": {k: str(count(v)) for k, v in totals.items()},
    }
