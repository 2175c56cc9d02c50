"""Real local receivers for the alert channels: an HTTP webhook server and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Callable
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
