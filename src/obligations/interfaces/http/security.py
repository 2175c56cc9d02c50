"""Who is calling: a bearer token (or the dashboard's cookie), checked against the stored hashes; and the
request-size guard. Tokens are never logged: they travel in a header or a cookie, never in a URL."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from obligations.application import tokens
from obligations.application.tokens import Principal
from obligations.interfaces.http.problems import HttpProblem

COOKIE = "obligations_token"


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


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
