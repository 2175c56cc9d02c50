"""Who is calling, and the guards every request passes (issue 12).

* The API authenticates by `Authorization: Bearer <token>` only. The dashboard's cookie is a session value
  of its own (never the token), read by the dashboard's GET pages only, so no other origin can make a
  browser write with it (CSRF); the dashboard's own forms (sign-in, sign-out) check the Origin header.
* A body sent to a write of the API must say `Content-Type: application/json` (a form or text/plain body
  from another origin is refused with 415 before it is read).
* Every response carries `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and
  `Cache-Control: no-store`; the dashboard's pages a Content-Security-Policy allowing nothing from elsewhere.
* Bodies over the limit get 413. Tokens are never logged: they travel in a header, never in a URL. The one
  credential that must travel in a URL, a calendar link's secret (calendar programs send no header), is read
  only by `/feeds/…` and masked in the access log (`RedactFeedSecrets`).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from obligations.application import tokens
from obligations.application.tokens import Principal
from obligations.interfaces.http.problems import HttpProblem

COOKIE = "obligations_session"
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
WRITES = {b"POST", b"PUT", b"PATCH", b"DELETE"}


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def same_origin(request: Request) -> bool:
    """A form posted from the dashboard itself: its Origin (without one, its Referer) names this server."""
    origin = request.headers.get("origin")
    if origin is None:
        origin = request.headers.get("referer")
        if not origin:
            return True  # not a browser's cross-site form: browsers send Origin with every POST
    if origin == "null":
        return False
    return origin.split("://", 1)[-1].split("/", 1)[0] == request.headers.get("host", "")


def authenticate(request: Request) -> Principal:
    token = token_of(request)
    principal = tokens.verify(request.app.state.engine, token) if token else None
    if principal is None:
        raise HttpProblem(
            401,
            "unauthorized",
            "Authentication required",
            "a valid API token is required (Authorization: Bearer <token>)",
            {"WWW-Authenticate": "Bearer"},
        )
    return principal


def forbid(principal: Principal, what: str) -> HttpProblem:
    return HttpProblem(403, "forbidden", "Outside your role", f"role {principal.role!r} may not {what}")


def can_read(principal: Principal, agreement_id: str | None = None) -> None:
    if not principal.can_read(agreement_id):
        raise forbid(principal, "read this" if agreement_id else "read the portfolio")


def can_write(principal: Principal) -> None:
    if not principal.can_write:
        raise forbid(principal, "record facts")


def is_admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise forbid(principal, "manage tokens")


class BodyLimit:
    """413 for a body over `limit` bytes, by Content-Length or by counting a streamed body."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge
            return message

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracking)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = (
            b'{"type":"https://obligations.example/problems/too-large","title":"Request body too large",'
            b'"status":413,"detail":"the body is over '
            + str(self.limit).encode()
            + b' bytes","instance":"'
            + scope["path"].encode().replace(b'"', b"")
            + b'"}'
        )
        headers: list[Any] = [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class Guards:
    """Security headers on every response; 415 for a write of the API whose body is not JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = dict(scope["headers"])
        if scope["method"].encode() in WRITES and path.startswith("/v1/") and _has_body(headers):
            media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if media != b"application/json":
                await _refuse_media(scope, send)
                return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if not path.startswith(("/ui/static/", "/docs-assets/")):  # files of the package: cacheable
                    extra.append((b"cache-control", b"no-store"))
                if path.startswith("/ui"):
                    extra.append((b"content-security-policy", CSP.encode()))
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    return b"transfer-encoding" in headers or (length is not None and length.strip() not in (b"", b"0"))


async def _refuse_media(scope: Scope, send: Send) -> None:
    body = (
        b'{"type":"https://obligations.example/problems/unsupported-media-type","title":"Unsupported media type",'
        b'"status":415,"detail":"a request body of the API must be JSON, sent with Content-Type: application/json"}'
    )
    headers: list[Any] = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 415, "headers": headers})
    await send({"type": "http.response.body", "body": body})


FEED_SECRET = re.compile(r"(/feeds/)[^/?#\s\".]+")  # a secret has no dot: ".ics" stays


class RedactFeedSecrets(logging.Filter):
    """Masks calendar links' secrets in log records (uvicorn's access log prints every path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(FEED_SECRET.sub(r"\1…", a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = FEED_SECRET.sub(r"\1…", record.msg)
        return True


def redact_feed_secrets() -> None:
    """Installs `RedactFeedSecrets` on uvicorn's access and error loggers, once per process."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedSecrets) for f in logger.filters):
            logger.addFilter(RedactFeedSecrets())
