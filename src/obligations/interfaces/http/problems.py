"""RFC 9457 problem documents: every error of the API, with the field and the rule where there is one."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
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
    body: dict[str, Any] = {"type": BASE + slug, "title": title, "status": status, "detail": detail, "instance": path}
    if errors is not None:
        body["errors"] = errors
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
    (ReadModelsBehindError, 503, "read-models-behind", "Recorded, but the read models are behind"),
    (StoreError, 503, "store-unavailable", "The event store failed"),
]


def install(app: FastAPI) -> None:
    @app.exception_handler(HttpProblem)
    async def _http_problem(request: Request, exc: HttpProblem) -> JSONResponse:
        return problem(request, exc.status, exc.slug, exc.title, exc.detail, headers=exc.headers)

    @app.exception_handler(ObligationsError)
    async def _ours(request: Request, exc: ObligationsError) -> JSONResponse:
        body = of_error(request.url.path, exc)
        return JSONResponse(body, status_code=body["status"], media_type=MEDIA)

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
