"""Slack and Microsoft Teams channels (issue 14): a reminder posted in the shape each incoming webhook expects,
checked by a local receiver that refuses what the real one would; the webhook URL is a secret, never logged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import CONFIG, ev, first_day, submitted
from obligations.alerts import chat
from obligations.alerts.channels import ChannelConfigError, ChatSender
from obligations.alerts.outbox import listing
from obligations.alerts.policy import ChatChannel, Dispatch, PartyRoute, Policy
from obligations.bootstrap import build_alerts
from obligations.settings import Settings
from receivers import ChatReceiver, FakeClock, at, slack_problems, teams_problems

DOC = {
    "type": "obligations.reminder",
    "key": "k1",
    "headline": "payment lump sum 5 1a of $100,000.00 due 2006-10-07 (in 3 days)",
    "agreement_id": "dean & <co>",
    "employee": {"name": "<!channel> Dean"},
    "kind": "payment",
    "item_id": "lump_sum_5_1a",
    "due_date": "2006-10-07",
    "amount": "100000.00",
    "clause": "§5.1(a)",
    "owed_by": "Company",
    "owed_to": "Employee",
    "why": "Termination without Good Cause on 2006-10-02 <b>",
}


def test_the_bodies_have_the_shapes_and_escape_what_a_name_could_abuse() -> None:
    body = chat.slack(DOC, "https://obligations.example.com/")
    assert slack_problems(body) == []
    text = json.dumps(body)
    assert "<!channel>" not in text and "&lt;!channel&gt; Dean" in text  # no mention from a recorded name
    fields = [f["text"] for f in body["blocks"][1]["fields"]]
    assert "*Amount*\n$100,000.00" in fields and "*Due*\n2006-10-07" in fields and "*Clause*\n§5.1(a)" in fields
    button = body["blocks"][3]["elements"][0]
    assert button["url"] == "https://obligations.example.com/ui/agreements/dean%20%26%20%3Cco%3E?as_of=2006-10-07"
    card = chat.teams(DOC, None)
    assert teams_problems(card) == [] and "actions" not in card["attachments"][0]["content"]
    facts = card["attachments"][0]["content"]["body"][1]["facts"]
    assert {"title": "Amount", "value": "$100,000.00"} in facts
    vesting = chat.slack({**DOC, "kind": "vesting", "amount": "13750", "headline": "x" * 400}, None)
    assert slack_problems(vesting) == [] and len(vesting["blocks"][0]["text"]["text"]) == 150
    assert "*Amount*\n13,750 options" in [f["text"] for f in vesting["blocks"][1]["fields"]]


@pytest.mark.parametrize("kind", ["slack", "teams"])
def test_a_reminder_reaches_the_chat_once_and_names_the_item_date_amount_clause_and_link(
    kind: str, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    receiver = ChatReceiver(kind)
    monkeypatch.setenv("CHAT_URL", receiver.url)
    policy = Policy(
        channels={"chat": ChatChannel(type=kind, url_env="CHAT_URL", dashboard_url="https://obl.example")},
        parties={"Company": PartyRoute(channels=("chat",)), "Employee": PartyRoute(channels=("chat",))},
        dispatch=Dispatch(backoff_seconds=30),
    )
    clock = FakeClock(at("2004-12-01T12:00:00"))
    a = build_alerts(Settings(database_url=database_url, config_dir=CONFIG, workdir=tmp_path), clock, policy)
    try:
        events = first_day(ev("PersonDetailsRecorded", "2004-12-13", name="Dean Smith"))
        a.obligations.record("dean", submitted(events), "test", terms="valence-2004")
        clock.now = at("2004-12-15T15:00:00")
        assert a.dispatcher.run_once().sent == 1
        assert a.dispatcher.run_once().claimed == 0  # exactly once
        assert receiver.refused == [] and len(receiver.bodies) == 1
        text = json.dumps(receiver.bodies[0], ensure_ascii=False)
        assert "submit i9" in text.lower() and "2004-12-16" in text and "§8" in text and "Dean Smith" in text
        assert "https://obl.example/ui/agreements/dean?as_of=2004-12-16" in text
        row = listing(a.obligations.log.engine, ("sent",))[0]
        result = row["deliveries"][0]["result"]
        assert result == ("HTTP 200" if kind == "slack" else "HTTP 202") and receiver.url not in json.dumps(row)
    finally:
        a.dispatcher.close()
        receiver.close()


def test_a_refused_post_fails_naming_the_channel_not_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    receiver = ChatReceiver("teams")  # a Teams receiver given a Slack body: refused, as a wrong URL would be
    monkeypatch.setenv("CHAT_URL", receiver.url)
    sender = ChatSender("team-chat", ChatChannel(type="slack", url_env="CHAT_URL"))
    from obligations.alerts.channels import DeliveryFailed
    from obligations.alerts.message import render

    payload: dict[str, Any] = {k: v for k, v in DOC.items() if k not in ("type", "key", "headline")}
    payload |= {"company_id": "valence", "offset_days": -3, "send_on": "2006-10-04", "time_zone": "UTC",
                "fact_ids": []}  # fmt: skip
    message = render("k1", payload, "2006-10-04T09:00:00+00:00", False, "2006-10-04T09:00:00+00:00")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            sender.send(message, ())
        assert "slack channel team-chat: HTTP 400" in str(failed.value) and receiver.url not in str(failed.value)
    finally:
        sender.close()
        receiver.close()
    monkeypatch.delenv("CHAT_URL")
    with pytest.raises(ChannelConfigError, match="CHAT_URL"):
        ChatSender("c", ChatChannel(type="slack", url_env="CHAT_URL"))
    monkeypatch.setenv("CHAT_URL", "http://hooks.slack.example/services/x")
    with pytest.raises(ChannelConfigError, match="https"):
        ChatSender("c", ChatChannel(type="slack", url_env="CHAT_URL"))
