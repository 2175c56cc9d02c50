"""Channels that deliver a reminder: a JSON-lines log, email over SMTP, signed webhooks, and Slack and
Microsoft Teams incoming webhooks (`alerts.chat` says what they post).

A channel either returns a short result ("250 accepted", "HTTP 204") or raises `DeliveryFailed`; the
dispatcher records both and retries a failure. Channels are shared by the dispatcher's threads.

A channel's configuration is checked when it is opened (issue 12): SMTP login without STARTTLS needs
`allow_plaintext_auth = true`, a login needs its password's variable set, a webhook needs its secret unless
`unsigned = true`. A channel that fails the check is a `BrokenSender`: its deliveries fail (and are retried,
so nothing is lost) with the configuration error, and every other channel works.

Webhooks follow the Standard Webhooks specification (https://www.standardwebhooks.com): `webhook-id` (the
reminder's idempotency key, the same on every retry), `webhook-timestamp` (seconds since the epoch, the
wall clock of the sending) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with
the secret `whsec_<base64>`; a receiver verifies with any Standard Webhooks library and refuses stale
timestamps, so a captured delivery cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import smtplib
import ssl
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from standardwebhooks import Webhook

from obligations.alerts import chat
from obligations.alerts.message import Message
from obligations.alerts.policy import Channel, ChatChannel, LogChannel, SmtpChannel, WebhookChannel
from obligations.domain.errors import ObligationsError

KEY_HEADER = "Idempotency-Key"
SECRET_PREFIX = "whsec_"


class DeliveryFailed(ObligationsError):
    """A channel could not deliver; the message says why (refused, HTTP status, timeout)."""


class ChannelConfigError(ObligationsError):
    """A channel's configuration cannot work (a secret unset, a login in clear): that channel only."""


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


def header_value(text: str) -> str:
    """One line: CR, LF and other control characters become spaces (no header can be injected or broken)."""
    return "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)


class SmtpSender:
    """One SMTP session per message: STARTTLS and login when configured; a plain-text and an HTML part."""

    def __init__(self, name: str, config: SmtpChannel) -> None:
        self.name = name
        self.config = config
        self.password: str | None = None
        if config.username:
            if not config.starttls and not config.allow_plaintext_auth:
                raise ChannelConfigError(
                    f"channel {name}: username without starttls would send the password in clear; "
                    "set starttls = true (or allow_plaintext_auth = true on a trusted link)"
                )
            if not config.password_env:
                raise ChannelConfigError(f"channel {name}: username is set but password_env is not")
            self.password = os.environ.get(config.password_env)
            if not self.password:
                raise ChannelConfigError(
                    f"channel {name}: environment variable {config.password_env} (the password) is unset"
                )

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        if not recipients:
            raise DeliveryFailed(f"channel {self.name}: no recipient address configured for this party")
        c = self.config
        mail = EmailMessage()
        mail["Subject"] = header_value(message.subject)
        mail["From"] = header_value(c.sender)
        mail["To"] = header_value(", ".join(recipients))
        mail["Message-ID"] = make_msgid(idstring=message.key[:32], domain="obligations.local")
        mail["X-Obligations-Key"] = header_value(message.key)
        mail.set_content(message.text)
        mail.add_alternative(message.html, subtype="html")
        try:
            with smtplib.SMTP(c.host, c.port, timeout=c.timeout_seconds) as smtp:
                if c.starttls:
                    smtp.starttls(context=ssl.create_default_context(cafile=c.ca_file))
                if c.username and self.password:
                    smtp.login(c.username, self.password)
                refused = smtp.send_message(mail)
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            raise DeliveryFailed(f"SMTP {c.host}:{c.port}: {type(exc).__name__}: {exc}") from exc
        if refused:
            raise DeliveryFailed(f"SMTP {c.host}:{c.port} refused {sorted(refused)}")
        return f"SMTP {c.host}:{c.port} accepted for {len(recipients)} recipient(s)"

    def close(self) -> None:
        return None


def redacted(url: str) -> str:
    """A URL as it may be logged or stored: no user or password, no query value (an api_key=...)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    netloc = ("***@" if parts.username or parts.password else "") + host + (f":{parts.port}" if parts.port else "")
    query = urlencode([(k, "***") for k, _ in parse_qsl(parts.query, keep_blank_values=True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def webhook_secret(name: str, value: str | None, variable: str) -> Webhook:
    if not value:
        raise ChannelConfigError(f"channel {name}: environment variable {variable} (the secret) is unset")
    raw = value.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if not value.startswith(SECRET_PREFIX) or not 24 <= len(key) <= 64:
        raise ChannelConfigError(
            f"channel {name}: {variable} must be a Standard Webhooks secret, whsec_ and the base64 of 24 to 64 "
            "random bytes (`obligations alerts secret` makes one)"
        )
    return Webhook(value)


class WebhookSender:
    """HTTP POST of the reminder document, signed by the Standard Webhooks scheme (see the module's doc)."""

    def __init__(self, name: str, config: WebhookChannel, wall: Callable[[], float]) -> None:
        self.name = name
        self.config = config
        self.wall = wall  # the real wall clock (epoch seconds) for webhook-timestamp, injected by the composition root
        self.shown = redacted(config.url)
        self.signer: Webhook | None = None
        if config.secret_env:
            self.signer = webhook_secret(name, os.environ.get(config.secret_env), config.secret_env)
        elif not config.unsigned:
            raise ChannelConfigError(
                f"channel {name}: no secret_env, so deliveries could not be verified; set secret_env "
                "(or unsigned = true to send unsigned on purpose)"
            )
        self.client = httpx.Client(timeout=config.timeout_seconds, limits=httpx.Limits(max_connections=64))

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        body = json.dumps({**message.document, "channel": self.name}, sort_keys=True)
        headers = {"Content-Type": "application/json", KEY_HEADER: message.key, "User-Agent": "obligations-alerts"}
        if self.signer is not None:
            now = datetime.fromtimestamp(int(self.wall()), UTC)  # transport time: the wall clock, not the tracker's
            headers["webhook-id"] = message.key
            headers["webhook-timestamp"] = str(int(now.timestamp()))
            headers["webhook-signature"] = self.signer.sign(message.key, now, body)
        try:
            response = self.client.post(self.config.url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"POST {self.shown}: {type(exc).__name__}: {self._scrub(str(exc))}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"POST {self.shown}: HTTP {response.status_code}")
        return f"HTTP {response.status_code}"

    def _scrub(self, text: str) -> str:
        return text.replace(self.config.url, self.shown)

    def close(self) -> None:
        self.client.close()


class ChatSender:
    """A post to a Slack or Teams incoming webhook, in the body each expects. The URL (a secret: whoever holds
    it posts to the channel) comes from the environment and is never logged or stored: results and errors name
    the channel."""

    def __init__(self, name: str, config: ChatChannel) -> None:
        self.name, self.config = name, config
        url = os.environ.get(config.url_env, "")
        if not url:
            raise ChannelConfigError(
                f"channel {name}: environment variable {config.url_env} (the webhook URL) is unset"
            )
        if not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise ChannelConfigError(f"channel {name}: {config.url_env} must be an https:// URL")
        self.url = url
        self.format = chat.slack if config.type == "slack" else chat.teams
        self.client = httpx.Client(timeout=config.timeout_seconds)

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        body = json.dumps(self.format(message.document, self.config.dashboard_url))
        headers = {"Content-Type": "application/json", "User-Agent": "obligations-alerts"}
        try:
            response = self.client.post(self.url, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{self.config.type} channel {self.name}: {type(exc).__name__}") from None
        if not 200 <= response.status_code < 300:
            said = response.text[:200].replace(self.url, "***")
            raise DeliveryFailed(f"{self.config.type} channel {self.name}: HTTP {response.status_code} {said}".strip())
        return f"HTTP {response.status_code}"

    def close(self) -> None:
        self.client.close()


class BrokenSender:
    """A channel whose configuration failed its check: every delivery fails with that error (and is retried,
    so a fixed configuration delivers them), and no other channel is held up."""

    def __init__(self, name: str, error: str) -> None:
        self.name, self.error = name, error

    def send(self, message: Message, recipients: tuple[str, ...]) -> str:
        raise DeliveryFailed(self.error)

    def close(self) -> None:
        return None


def open_sender(name: str, config: Channel, wall: Callable[[], float]) -> Sender:
    """The channel's sender; raises ChannelConfigError when its configuration cannot work."""
    if isinstance(config, LogChannel):
        return LogSender(name, config)
    if isinstance(config, SmtpChannel):
        return SmtpSender(name, config)
    if isinstance(config, ChatChannel):
        return ChatSender(name, config)
    return WebhookSender(name, config, wall)


def open_senders(channels: dict[str, Channel], wall: Callable[[], float]) -> tuple[dict[str, Sender], dict[str, str]]:
    """Every channel's sender, and the configuration error of each one that failed (a BrokenSender)."""
    senders: dict[str, Sender] = {}
    errors: dict[str, str] = {}
    for name, config in channels.items():
        try:
            senders[name] = open_sender(name, config, wall)
        except (ChannelConfigError, OSError) as exc:
            errors[name] = str(exc)
            senders[name] = BrokenSender(name, str(exc))
    return senders, errors


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()
