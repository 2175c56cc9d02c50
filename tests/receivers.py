"""Real local receivers for the alert channels: an HTTP webhook server and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class FakeClock:
    """An injected clock that moves only when told."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def at(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Hit:
    key: str
    body: dict[str, Any]
    signature_ok: bool
    status: int
    raw: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


HOOK_SECRET = "whsec_" + base64.b64encode(b"a test secret of thirty-two b.").decode()


def verified(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    """What a receiver does: the Standard Webhooks verifier (the standardwebhooks package) over the raw body."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


@dataclass
class WebhookReceiver:
    """Answers each POST with `respond(key, n)` -> (status, delay seconds); n counts the key's requests from 1."""

    secret: str = HOOK_SECRET
    respond: Callable[[str, int], tuple[int, float]] = lambda key, n: (204, 0.0)
    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        receiver = self
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers.get("Idempotency-Key", "")
                with lock:
                    n = receiver.counts[key] = receiver.counts.get(key, 0) + 1
                status, delay = receiver.respond(key, n)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    return  # the client gave up (timeout): not a delivery
                sig = verified(receiver.secret, body, dict(self.headers))
                with lock:
                    receiver.hits.append(Hit(key, json.loads(body), sig, status, body, dict(self.headers)))

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[Hit]:
        return [h for h in self.hits if 200 <= h.status < 300]

    def first_hit(self, timeout: float = 10.0) -> Hit:
        """The first request received. The receiver records a request just after answering it, so a sender
        can see its answer a moment before the record exists: wait for it."""
        deadline = time.monotonic() + timeout
        while not self.hits and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.hits[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    """An aiosmtpd handler that keeps the messages; `refuse` answers the first N DATA commands with 451."""

    def __init__(self, refuse: int = 0) -> None:
        self.refuse = refuse
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 try again later"
        self.messages.append(message_from_bytes(envelope.content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_server(sink: SmtpSink, **options: Any) -> Controller:
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    return controller


def slack_problems(body: Any) -> list[str]:
    """What Slack's incoming webhook would refuse (`invalid_blocks`, `no_text`): the Block Kit limits we use."""
    out: list[str] = []
    if not isinstance(body, dict) or set(body) - {"text", "blocks"}:
        return ["a JSON object of text and blocks"]
    if not isinstance(body.get("text"), str) or not body["text"].strip():
        out.append("no_text")
    blocks = body.get("blocks", [])
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        return [*out, "blocks: 1 to 50"]
    for n, b in enumerate(blocks):
        kind = b.get("type")
        if kind == "header":
            t = b.get("text", {})
            if t.get("type") != "plain_text" or not 0 < len(t.get("text", "")) <= 150:
                out.append(f"blocks[{n}]: header is plain_text of 1 to 150 characters")
        elif kind == "section":
            fields, text = b.get("fields"), b.get("text")
            if fields is None and text is None:
                out.append(f"blocks[{n}]: a section needs text or fields")
            for f in fields or []:
                if f.get("type") not in ("mrkdwn", "plain_text") or not 0 < len(f.get("text", "")) <= 2000:
                    out.append(f"blocks[{n}]: a field is text of 1 to 2000 characters")
            if fields is not None and len(fields) > 10:
                out.append(f"blocks[{n}]: at most 10 fields")
            if text is not None and not 0 < len(text.get("text", "")) <= 3000:
                out.append(f"blocks[{n}]: section text of 1 to 3000 characters")
        elif kind == "actions":
            for e in b.get("elements", []):
                if e.get("type") != "button" or e.get("text", {}).get("type") != "plain_text":
                    out.append(f"blocks[{n}]: a button with plain_text")
                elif not str(e.get("url", "")).startswith(("http://", "https://")) or len(e["url"]) > 3000:
                    out.append(f"blocks[{n}]: a button's url")
        elif kind == "context":
            if not 1 <= len(b.get("elements", [])) <= 10:
                out.append(f"blocks[{n}]: context of 1 to 10 elements")
        else:
            out.append(f"blocks[{n}]: unknown block type {kind!r}")
    return out


def teams_problems(body: Any) -> list[str]:
    """What a Teams Workflows webhook would refuse: a message with one Adaptive Card attachment."""
    if not isinstance(body, dict) or body.get("type") != "message":
        return ['type must be "message"']
    attachments = body.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["one attachment"]
    a = attachments[0]
    card = a.get("content", {})
    out = []
    if a.get("contentType") != "application/vnd.microsoft.card.adaptive":
        out.append("contentType of an adaptive card")
    if card.get("type") != "AdaptiveCard" or card.get("version") not in ("1.2", "1.3", "1.4", "1.5"):
        out.append("an AdaptiveCard of version 1.2 to 1.5")
    for n, e in enumerate(card.get("body", [])):
        if e.get("type") == "TextBlock":
            if not isinstance(e.get("text"), str) or not e["text"]:
                out.append(f"body[{n}]: a TextBlock's text")
        elif e.get("type") == "FactSet":
            if not all(isinstance(f.get("title"), str) and isinstance(f.get("value"), str) for f in e.get("facts", [])):
                out.append(f"body[{n}]: facts of title and value strings")
        else:
            out.append(f"body[{n}]: unexpected element {e.get('type')!r}")
    for act in card.get("actions", []):
        if act.get("type") != "Action.OpenUrl" or not str(act.get("url", "")).startswith(("http://", "https://")):
            out.append("an action opens a URL")
    return out


@dataclass
class ChatReceiver:
    """A local stand-in for a Slack or Teams incoming webhook: checks the payload's shape and answers 400 with
    the problems (as Slack answers `invalid_blocks`), else 200 "ok" (Slack) or 202 (Teams)."""

    kind: str  # "slack" | "teams"
    bodies: list[Any] = field(default_factory=list)
    refused: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                check = slack_problems if receiver.kind == "slack" else teams_problems
                problems = check(body) if self.headers.get("Content-Type") == "application/json" else ["JSON only"]
                status, answer = (400, "; ".join(problems)) if problems else (
                    (200, "ok") if receiver.kind == "slack" else (202, ""))  # fmt: skip
                (receiver.refused if problems else receiver.bodies).append(problems or body)
                data = answer.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/services/T000/B000/XXXX"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def served(app: Any) -> Iterator[str]:
    """The ASGI app on a real uvicorn server on a free loopback port, for as long as the block runs: its base URL."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(10)
