"""iCalendar feeds of dated items (RFC 5545, built with the `icalendar` library).

One all-day event per dated item (a payment's or obligation's due date, a clock's deadline, a vesting
date) with the clause, the status and the `why` in its description, and a VALARM at each lead time of the
reminder policy (at the policy's local send time). The UID names the agreement and the item, not the date:
a re-imported feed updates an event whose date moved instead of adding a second one, and SEQUENCE counts
the item's revisions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from obligations.alerts.message import NOUNS
from obligations.alerts.policy import Policy
from obligations.domain.names import money, options
from obligations.rules.item import Item, item_status

PRODID = "-//obligations//reminders and deadlines//EN"
SETTLED = {"paid", "fulfilled", "fulfilled_late", "vested", "cancelled", "forfeited"}


def _plain(text: str) -> str:
    """One line of printable text (names come from users: no line breaks or controls in a property)."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def uid(agreement_id: str, item: Item) -> str:
    return _plain(f"{agreement_id}/{item.kind}/{item.item_id}@obligations").replace(" ", "_")


def summary(agreement_id: str, item: Item, status: str, employee: str | None = None) -> str:
    name = item.item_id.split(":")[0].replace("_", " ")
    what = f"{NOUNS.get(item.kind, item.kind)} {name}"
    if item.amount and item.kind == "payment":
        what += f" {money(item.amount)}"
    elif item.amount and item.kind == "vesting":
        what += f" ({options(item.amount)})"
    mark = "✓ " if status in SETTLED else ""
    who = f" ({_plain(employee)})" if employee else ""
    return f"{mark}{agreement_id}{who}: {what}"


def description(agreement_id: str, company: str, item: Item, status: str, as_of: date) -> str:
    lines = [
        f"Agreement {agreement_id} (company {company})",
        f"Status as of {as_of}: {status}",
        f"Owed by {item.owed_by or '-'} to {item.owed_to or '-'}",
        f"Clause: {item.clause}",
        f"Why: {item.detail.get('why', '')}",
    ]
    if item.started:
        lines.insert(2, f"Started {item.started}")
    if item.fact_ids:
        lines.append(f"Facts: {', '.join(item.fact_ids)}")
    return "\n".join(lines)


def feed(
    name: str,
    entries: Iterable[tuple[str, Item, int]],
    policy: Policy,
    as_of: date,
    stamp: datetime,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The calendar of (company, item, revision) entries; the item's detail carries its agreement id. `names`:
    the employee's name by agreement id, shown beside it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _plain(name))
    for company, item, revision in entries:
        cal.add_component(_event(company, item, revision, policy, as_of, stamp, names or {}))
    return bytes(cal.to_ical())


def _event(
    company: str, item: Item, revision: int, policy: Policy, as_of: date, stamp: datetime, names: Mapping[str, str]
) -> Event:
    assert item.due_date is not None
    agreement_id = str(item.detail["agreement_id"])
    status = item_status(item, as_of)
    title = summary(agreement_id, item, status, names.get(agreement_id))
    event = Event()
    event.add("uid", uid(agreement_id, item))
    event.add("dtstamp", stamp)
    event.add("sequence", revision)
    event.add("dtstart", item.due_date)
    event.add("dtend", item.due_date + timedelta(days=1))
    event.add("summary", title)
    event.add("description", description(agreement_id, company, item, status, as_of))
    event.add("categories", [item.kind])
    event.add("transp", "TRANSPARENT")
    kind_policy = policy.for_item(item.kind, item.item_id)
    if kind_policy is not None and status not in SETTLED:
        at = policy.schedule.send_time
        for lead in sorted(set(kind_policy.lead_days), reverse=True):
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{'Today' if lead == 0 else f'In {lead} day(s)'}: {title}")
            alarm.add("trigger", timedelta(days=-lead, hours=at.hour, minutes=at.minute))
            event.add_component(alarm)
    return event
