"""RFC 9457 problem documents: every error of the API, with the field and the rule where there is one."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import InterfaceError as StoreInterfaceError
from eventsourcing.persistence import OperationalError as StoreOperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from obligations.application.idempotency import IdempotencyConflict, IdempotencyInProgress
from obligations.domain.errors import (
    InvalidFactError,
    InvalidFactsError,
    InvalidInputError,
    NotStartedError,
    ObligationsError,
    ReadModelsBehindError,
    StoreError,
    TermsError,
    UnknownAgreementError,
    UnreadableFactError,
    VersionMismatchError,
)

MEDIA = "application/problem+json"
BASE = "https://obligations.example/problems/"


class ProblemError(BaseModel):
    field: str | None = None
    rule: str
    line: int | None = None


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemError] | None = None


class HttpProblem(Exception):
    def __init__(self, status: int, slug: str, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail, self.headers = status, slug, title, detail, headers or {}


def document(
    path: str, status: int, slug: str, title: str, detail: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": BASE + slug, "title": title, "status": status, "detail": safe(detail), "instance": safe(path)
    }  # fmt: skip
    if errors is not None:
        body["errors"] = [{k: safe(v) if isinstance(v, str) else v for k, v in e.items()} for e in errors]
    return body


def problem(
    request: Request,
    status: int,
    slug: str,
    title: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = document(request.url.path, status, slug, title, detail, errors)
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def of_error(path: str, exc: ObligationsError) -> dict[str, Any]:
    """The problem document of one of our errors (the table below says which status)."""
    for kind, status, slug, title in TABLE:
        if isinstance(exc, kind):
            errors = _fact_errors(exc) if isinstance(exc, InvalidInputError) else None
            return document(path, status, slug, title, str(exc), errors)
    return document(path, 500, "internal", "Internal error", str(exc))


def _fact_errors(exc: InvalidInputError) -> list[dict[str, Any]] | None:
    if isinstance(exc, InvalidFactsError):
        return [{"field": e.field, "rule": e.rule, "line": e.line} for e in exc.errors]
    if isinstance(exc, InvalidFactError):
        return [{"field": exc.field, "rule": exc.rule, "line": exc.line}]
    if isinstance(exc, TermsError):
        return [{"field": exc.key, "rule": exc.reason, "line": None}]
    return None


# (exception type, status, slug, title), first match wins
TABLE: list[tuple[type[Exception], int, str, str]] = [
    (UnknownAgreementError, 404, "unknown-agreement", "No such agreement"),
    (VersionMismatchError, 412, "version-mismatch", "The agreement changed (If-Match)"),
    (IdempotencyConflict, 422, "idempotency-key-reused", "Idempotency-Key reused with another request"),
    (IdempotencyInProgress, 409, "idempotency-in-progress", "A request with this key is in progress"),
    (NotStartedError, 422, "not-started", "Employment had not begun"),
    (InvalidFactsError, 422, "invalid-facts", "Facts refused; nothing was recorded"),
    (InvalidFactError, 422, "invalid-fact", "Fact refused; nothing was recorded"),
    (TermsError, 422, "invalid-terms", "Terms refused"),
    (InvalidInputError, 422, "invalid-input", "Invalid input; nothing was recorded"),
    (UnreadableFactError, 409, "unreadable-fact", "A stored fact of this agreement cannot be read back"),
    (ReadModelsBehindError, 503, "read-models-behind", "Recorded, but the read models are behind"),
    (StoreError, 503, "store-unavailable", "The event store failed"),
]
RETRY_AFTER = "5"  # seconds: a busy or unreachable store is worth retrying soon


def safe(text: str) -> str:
    """Text that encodes as UTF-8 whatever the input held (a lone surrogate is shown escaped)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def install(app: FastAPI) -> None:
    @app.exception_handler(HttpProblem)
    async def _http_problem(request: Request, exc: HttpProblem) -> JSONResponse:
        return problem(request, exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers)

    @app.exception_handler(ObligationsError)
    async def _ours(request: Request, exc: ObligationsError) -> JSONResponse:
        body = of_error(request.url.path, exc)
        headers = {"Retry-After": RETRY_AFTER} if body["status"] == 503 else None
        return JSONResponse(body, status_code=body["status"], media_type=MEDIA, headers=headers)

    @app.exception_handler(OperationalError)
    @app.exception_handler(StoreOperationalError)
    @app.exception_handler(StoreInterfaceError)
    async def _store_busy(request: Request, exc: Exception) -> JSONResponse:
        # A locked SQLite file, a lock timeout, a refused or dropped connection: retry later, nothing recorded.
        detail = "the event store is busy or unreachable; nothing was recorded by this request; retry later"
        return problem(request, 503, "store-unavailable", "The event store failed", detail,
                       headers={"Retry-After": RETRY_AFTER})  # fmt: skip

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"field": ".".join(str(p) for p in e["loc"]), "rule": e["msg"], "line": None} for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['rule']}" for e in errors)
        return problem(request, 422, "validation", "Invalid request", detail, errors)

    @app.exception_handler(StarletteHTTPException)
    async def _starlette(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        slug = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        return problem(
            request, exc.status_code, slug, str(exc.detail), str(exc.detail), headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        return problem(request, 500, "internal", "Internal error", type(exc).__name__)
