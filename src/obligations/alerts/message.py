"""What a reminder says: one document per reminder, rendered as JSON, plain text and HTML."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from obligations.domain.names import money, options

NOUNS = {
    "payment": "payment",
    "obligation": "obligation",
    "clock": "deadline",
    "vesting": "vesting date",
    "ground": "ground",
}


@dataclass(frozen=True)
class Message:
    key: str
    subject: str
    text: str
    html: str
    document: dict[str, Any]  # the webhook body and the log line


def _when(offset: int, kind: str) -> str:
    """`offset` days from the due date to the day the reminder speaks of (negative: before the date)."""
    if offset < 0:
        return f"in {-offset} day{'s' if offset != -1 else ''}"
    if offset == 0:
        return "today"
    if kind == "clock":
        return f"{offset} day{'s' if offset != 1 else ''} ago, without a cure"
    return f"{offset} day{'s' if offset != 1 else ''} ago, still open"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def headline(payload: dict[str, Any], sent_on: date | None = None) -> str:
    """What the reminder is about and when, counted from `sent_on` (the local day it goes out; default: the
    day it was planned for). A reminder that goes out after its planned day says so and counts from the day
    it is sent: never "in 1 day" for a date already passed."""
    kind, offset = payload["kind"], int(payload["offset_days"])
    due = date.fromisoformat(payload["due_date"])
    planned = date.fromisoformat(payload["send_on"]) if payload.get("send_on") else due + timedelta(days=offset)
    sent_on = sent_on or planned
    days = (sent_on - due).days
    name = payload["item_id"].split(":")[0].replace("_", " ")
    amount = payload.get("amount")
    what = f"{NOUNS.get(kind, kind)} {name}"
    if amount and kind == "payment":
        what += f" of {money(amount)}"
    elif amount and kind == "vesting":
        what += f" ({options(amount)})"
    prefix = "OVERDUE: " if days > 0 else ""
    head = f"{prefix}{what} {'was due' if days > 0 else 'due'} {payload['due_date']} ({_when(days, kind)}"
    if sent_on > planned:
        head += f"; reminder {_days((sent_on - planned).days)} late, planned for {planned}"
    return head + ")"


def _local_day(now: str, zone: str | None) -> date | None:
    try:
        return datetime.fromisoformat(now).astimezone(ZoneInfo(zone or "UTC")).date()
    except (ValueError, KeyError, ZoneInfoNotFoundError):
        return None


def render(key: str, payload: dict[str, Any], send_at: str, late: bool, now: str) -> Message:
    head = headline(payload, _local_day(now, payload.get("time_zone")) if late else None)
    employee = payload.get("employee") or {}
    who = f" ({employee['name']})" if employee.get("name") else ""
    subject = f"[obligations] {'LATE ' if late else ''}{payload['agreement_id']}{who}: {head}"
    lines = [
        head,
        "",
        f"Agreement: {payload['agreement_id']} (company {payload['company_id']})",
        *([f"Employee: {', '.join(employee[k] for k in ('name', 'title') if employee.get(k))}"] if who else []),
        f"Owed by {payload.get('owed_by') or '-'} to {payload.get('owed_to') or '-'}",
        f"Clause: {payload['clause']}",
        f"Why: {payload['why']}",
        f"Facts: {', '.join(payload.get('fact_ids') or []) or '-'}",
        f"Planned for {send_at} ({payload['send_on']} local, {payload['time_zone']})",
    ]
    if late:
        lines.append(f"LATE: sent {now}, after its planned time {send_at}")
    lines += ["", f"Reminder key: {key}"]
    text = "\n".join(lines) + "\n"
    body = "".join(f"<p>{html.escape(line)}</p>" if line else "" for line in lines[2:])
    page = (
        '<!doctype html><html><body style="font-family:system-ui,sans-serif;max-width:40em">'
        f'<h2 style="font-size:1.1em">{html.escape(head)}</h2>{body}</body></html>'
    )
    document = {
        "type": "obligations.reminder",
        "key": key,
        "headline": head,
        "send_at": send_at,
        "late": late,
        "sent_at": now,
        **payload,
    }
    return Message(key, subject, text, page, document)


def test_message(channel: str, now: str) -> Message:
    head = f"test message from obligations to channel {channel!r}"
    doc = {"type": "obligations.test", "key": f"test-{now}", "headline": head, "sent_at": now, "channel": channel}
    text = f"{head}\nSent {now}. Reminders to this channel will look like this one, with the item, its due date, "
    text += "the clause and the why.\n"
    return Message(doc["key"], f"[obligations] {head}", text, f"<p>{html.escape(text)}</p>", doc)
