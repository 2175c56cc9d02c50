"""What a reminder looks like in a chat: the body a Slack incoming webhook and a Microsoft Teams incoming
webhook (a Workflows "post to a channel when a webhook request is received") each expect.

* Slack (https://api.slack.com/messaging/webhooks, Block Kit): `text` (the notification and fallback) and
  `blocks`: a header (plain text, at most 150 characters), a section of fields (item, due date, amount,
  clause, agreement and employee), the why, and a link to the dashboard. Text in mrkdwn escapes `&`, `<` and
  `>` (Slack's three control characters), so a name cannot make a link or a mention.
* Teams: a `message` with one attachment, an Adaptive Card 1.4 (`application/vnd.microsoft.card.adaptive`):
  a bold title, a FactSet, the why, and an `Action.OpenUrl` to the dashboard.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from obligations.domain.names import amount_of, named

SLACK_HEADER_MAX = 150
SLACK_TEXT_MAX = 3000  # a section's text, and each field's at most 2000
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"


def link(dashboard_url: str | None, doc: dict[str, Any]) -> str | None:
    """The agreement's page in the dashboard, as of the due date; None without a dashboard URL."""
    if not dashboard_url or not doc.get("agreement_id"):
        return None
    agreement = quote(str(doc["agreement_id"]), safe="")
    as_of = f"?as_of={quote(str(doc['due_date']))}" if doc.get("due_date") else ""
    return f"{dashboard_url.rstrip('/')}/ui/agreements/{agreement}{as_of}"


def facts(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) lines of a reminder, in the order a reader scans them."""
    employee = (doc.get("employee") or {}).get("name")
    agreement = str(doc.get("agreement_id", ""))
    rows = [
        ("Item", named(str(doc.get("item_id", "")))),
        ("Due", str(doc.get("due_date", ""))),
        ("Amount", amount_of(str(doc.get("kind", "")), doc.get("amount"))),
        ("Clause", str(doc.get("clause") or "")),
        ("Agreement", f"{agreement} ({employee})" if employee else agreement),
        ("Owed by", f"{doc.get('owed_by') or '-'} to {doc.get('owed_to') or '-'}"),
    ]
    return [(label, value) for label, value in rows if value]


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack(doc: dict[str, Any], dashboard_url: str | None) -> dict[str, Any]:
    head = str(doc.get("headline", ""))
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(head, SLACK_HEADER_MAX), "emoji": False}},
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _cut(f"*{label}*\n{_mrkdwn(value)}", 2000)} for label, value in facts(doc)
            ],
        },  # fmt: skip
    ]
    if doc.get("why"):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _cut(_mrkdwn(str(doc["why"])),
                                                                                   SLACK_TEXT_MAX)}})  # fmt: skip
    url = link(dashboard_url, doc)
    if url:
        button = {"type": "button", "text": {"type": "plain_text", "text": "Open in obligations"}, "url": url}
        blocks.append({"type": "actions", "elements": [button]})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _mrkdwn(f"Reminder {doc.get('key')}")}]})
    return {"text": _mrkdwn(head), "blocks": blocks}


def teams(doc: dict[str, Any], dashboard_url: str | None) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": str(doc.get("headline", "")), "weight": "Bolder", "size": "Medium",
         "wrap": True},
        {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in facts(doc)]},
    ]  # fmt: skip
    if doc.get("why"):
        body.append({"type": "TextBlock", "text": str(doc["why"]), "wrap": True, "isSubtle": True})
    card: dict[str, Any] = {"$schema": CARD_SCHEMA, "type": "AdaptiveCard", "version": "1.4", "body": body}
    url = link(dashboard_url, doc)
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open in obligations", "url": url}]
    return {
        "type": "message",
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
                         "content": card}],
    }  # fmt: skip
