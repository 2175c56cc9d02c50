"""Channels that deliver a reminder: a JSON-lines log, email over SMTP, and signed webhooks.

A channel either returns a short result ("250 accepted", "HTTP 204") or raises `DeliveryFailed`; the
dispatcher records both and retries a failure. Channels are shared by the dispatcher's threads.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import smtplib
import ssl
import sys
import threading
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import httpx

from obligations.alerts.message import Message
from obligations.alerts.policy import Channel, LogChannel, SmtpChannel, WebhookChannel
from obligations.domain.errors import ObligationsError

SIGNATURE_HEADER = "X-Obligations-Signature"
KEY_HEADER = "Idempotency-Key"


class DeliveryFailed(ObligationsError):
    """A channel could not deliver; the message says why (refused, HTTP status, timeout)."""


class Sender(Protocol):
    name: str

    def send(self, message: Message, recipients: tuple[str, ...]) -> str: ...

    def close(self) -> None: ...


class LogSender:
    """JSON lines, one per reminder, on standard output or appended to a file (flushed per line)."""

    def __init__(self, name: str, config: LogChannel) -> None:
        self.name = name
        self.path = config.path
        self._lock = threading.Lock()
        self._file = None if config.path == "-" else open(config.path, "a", encoding="utf-8")  # noqa: SIM115

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        line = json.dumps({**message.document, "channel": self.name}, ensure_ascii=False, sort_keys=True)
        with self._lock:
            out = self._file or sys.stdout
            out.write(line + "\n")
            out.flush()
        return f"logged to {self.path if self._file else 'stdout'}"

    def close(self) -> None:
        if self._file:
            self._file.close()


class SmtpSender:
    """One SMTP session per message: STARTTLS and login when configured; a plain-text and an HTML part."""

    def __init__(self, name: str, config: SmtpChannel) -> None:
        self.name = name
        self.config = config

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        if not recipients:
            raise DeliveryFailed(f"channel {self.name}: no recipient address configured for this party")
        c = self.config
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = c.sender
        mail["To"] = ", ".join(recipients)
        mail["Message-ID"] = make_msgid(idstring=message.key[:32], domain="obligations.local")
        mail["X-Obligations-Key"] = message.key
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        try:
            with smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds) as smtp:
                if c.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=c.ca_file))
                if c.username:
                    smtp.login(c.username, os.environ.get(c.password_env or "", ""))
                refused = smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"SMTP {c.host}:{c.port}: {type(exc).__name__}: {exc}") from exc
        if refused:
            raise DeliveryFailed(f"SMTP {c.host}:{c.port} refused {sorted(refused)}")
        return f"SMTP {c.host}:{c.port} accepted for {len(recipients)} recipient(s)"

    def close(self) -> None:
        return None


class WebhookSender:
    """HTTP POST of the reminder document, signed: X-Obligations-Signature: sha256=HMAC(secret, body)."""

    def __init__(self, name: str, config: WebhookChannel) -> None:
        self.name = name
        self.config = config
        secret = os.environ.get(config.secret_env) if config.secret_env else None
        if config.secret_env and not secret:
            raise ObligationsError(f"channel {name}: environment variable {config.secret_env} (the secret) is unset")
        self.secret = secret.encode() if secret else None
        self.client = httpx.Client(timeout=config.timeout_seconds, limits=httpx.Limits(max_connections=64))

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        body = json.dumps({**message.document, "channel": self.name}, ensure_ascii=False, sort_keys=True).encode()
        headers = {"Content-Type": "application/json", KEY_HEADER: message.key, "User-Agent": "obligations-alerts"}
        if self.secret:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        try:
            response = self.client.post(self.config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"POST {self.config.url}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"POST {self.config.url}: HTTP {response.status_code}")
        return f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()


def sign(secret: bytes, body: bytes) -> str:
    """The signature header's value for a body (receivers verify with the same function or its equivalent)."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def open_sender(name: str, config: Channel) -> Sender:
    if isinstance(config, LogChannel):
        return LogSender(name, config)
    if isinstance(config, SmtpChannel):
        return SmtpSender(name, config)
    return WebhookSender(name, config)
