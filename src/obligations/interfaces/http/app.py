"""The HTTP API (FastAPI): what the CLI does, for other systems. Parse, check the caller, call one use case.

Writes take `Idempotency-Key` (the same key and body replay the first response) and `If-Match` (the
agreement's stream version, its ETag: a stale one gets 412 and nothing is appended). Errors are RFC 9457
problem documents (`problems.py`); the caller's token name is recorded as `recorded_by`.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from obligations.alerts.calendar import feed
from obligations.alerts.policy import load_policy
from obligations.application import feeds, idempotency, portfolio, tables, tokens
from obligations.application.service import Obligations
from obligations.application.tokens import Principal
from obligations.bootstrap import build
from obligations.domain.errors import InvalidInputError, ObligationsError, ReadModelsBehindError, StoreError
from obligations.domain.facts import PERSON_FIELDS
from obligations.domain.input import loads_exact, parse_fact
from obligations.domain.names import matches
from obligations.domain.values import ID_MAX, ID_PATTERN, ID_RULE, parse_instant
from obligations.interfaces.export import history_csv
from obligations.interfaces.http import problems
from obligations.interfaces.http.security import (
    BodyLimit,
    Guards,
    authenticate,
    can_read,
    can_write,
    is_admin,
    redact_feed_secrets,
)
from obligations.interfaces.params import shifted
from obligations.interfaces.web.pages import install as install_pages
from obligations.interfaces.web.recording import install as install_recording
from obligations.settings import Settings, clock_from_environment

MAX_BODY = 1_048_576
Caller = Annotated[Principal, Depends(authenticate)]
AsOf = Annotated[date | None, Query(description="End of this day (default: today, UTC)")]
KnownAt = Annotated[
    str | None,
    Query(
        max_length=64,
        description="Knowledge time: the answer from the facts recorded up to this ISO instant (a date: its end, UTC)",
    ),
]
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for an audit export")]
ERRORS: dict[int | str, dict[str, Any]] = {
    s: {"model": problems.Problem, "content": {problems.MEDIA: {}}}
    for s in (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503)
}


class FactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str
    date: str | None = Field(None, description="Required but for FactRetracted/FactCorrected (default: today)")
    data: dict[str, Any] = {}
    source: str | None = None


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: list[date] = Field(default_factory=list, max_length=50, description="End of these days (default: today)")
    facts: list[dict[str, Any]] = Field(min_length=1, max_length=1_000, description="Facts as if recorded now")


class FactsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    facts: list[FactIn] = Field(min_length=1, max_length=10_000)
    terms: str | None = Field(None, description="Terms key, to create the agreement with these facts")
    source: str | None = None


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agreement_id: str = Field(min_length=1, max_length=ID_MAX, pattern=ID_PATTERN, description=ID_RULE)
    terms: str = Field(
        min_length=1, max_length=ID_MAX, pattern=ID_PATTERN, description="a key under config/agreements/"
    )


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["admin", "recorder", "viewer", "employee"]
    agreement_id: str | None = None


class Recorded(BaseModel):
    agreement_id: str
    created: bool
    agreement_facts: int
    company_facts: int
    version: int
    affects: list[str] = Field(default_factory=list, description="With company facts: every agreement they reach")


def create_app(
    settings: Settings | None = None, clock: Callable[[], datetime] | None = None, max_body: int | None = None
) -> FastAPI:
    settings = settings or Settings.load()
    clock = clock or clock_from_environment()
    # FastAPIOffline: /docs and /redoc with their scripts and styles served from the package (/docs-assets), so
    # they work on a machine without internet (FastAPI's own pages load them from a CDN).
    app = FastAPIOffline(title="obligations", version="1", description=__doc__, responses=ERRORS,
                         static_url="/docs-assets")  # fmt: skip
    service = build(settings, clock)
    app.state.service, app.state.engine, app.state.clock = service, service.log.engine, clock
    app.state.settings = settings
    problems.install(app)
    app.add_middleware(BodyLimit, limit=max_body or int(os.environ.get("OBLIGATIONS_HTTP_MAX_BODY", MAX_BODY)))
    app.add_middleware(Guards)
    redact_feed_secrets()
    _routes(app, service, settings, clock)
    install_pages(app)
    install_recording(app)
    return app


def factory() -> FastAPI:
    """For `uvicorn --factory` (several workers): settings from the environment."""
    return create_app()


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(value: str | None) -> int | None:
    if value is None:
        return None
    raw = value.strip().removeprefix("W/").strip('"')
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        raise InvalidInputError(f"If-Match {value!r}: expected the agreement's ETag, a quoted version number")
    return int(raw)


def _routes(app: FastAPI, service: Obligations, settings: Settings, clock: Callable[[], datetime]) -> None:
    engine = service.log.engine
    replays = threading.BoundedSemaphore(1)

    def today(as_of: date | None) -> date:
        return as_of or clock().astimezone(UTC).date()

    @app.get("/health", tags=["service"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", tags=["service"], responses={503: ERRORS[401]})
    def ready() -> JSONResponse:
        """`ready`; `degraded` (still 200) when agreements are quarantined, with the list; 503 if the store fails."""
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            status = service.projector.status()
        except Exception as exc:  # the store is down: not ready, and say why
            return JSONResponse(
                {"status": "unavailable", "detail": type(exc).__name__}, status_code=503, headers={"Retry-After": "5"}
            )
        quarantined = [{k: q[k] for k in ("agreement", "fact_id", "since")} for q in status["quarantined"]]
        body: dict[str, Any] = {"status": "degraded" if quarantined else "ready", "projection_lag": status["lag"]}
        if quarantined:
            body["quarantined"] = quarantined
        return JSONResponse(body)

    @app.get("/v1/agreements", tags=["agreements"])
    def agreements(caller: Caller, as_of: AsOf = None, search: Annotated[str | None, Query(max_length=200)] = None
                   ) -> list[dict[str, Any]]:  # fmt: skip
        """Every agreement the caller may read, with who the employee is on `as_of` (default: today) where
        recorded; `search`: only those whose id, name, work email, title, department or manager contain it."""
        s = tables.streams.c
        with engine.connect() as conn:
            rows = conn.execute(select(s.name, s.company_id, s.terms_key).where(s.kind == "agreement").order_by(s.name))
            out = [{"agreement_id": r.name, "company": r.company_id, "terms": r.terms_key} for r in rows]
        out = [r for r in out if caller.can_read(r["agreement_id"])]
        people = portfolio.people(engine, today(as_of), [r["agreement_id"] for r in out])
        for r in out:
            r.update(people.get(r["agreement_id"], dict.fromkeys(PERSON_FIELDS)))
        if search:
            out = [r for r in out if matches([r[k] for k in ("agreement_id", *PERSON_FIELDS)], search)]
        return out

    @app.post("/v1/agreements", tags=["agreements"], status_code=201)
    def create(body: AgreementIn, caller: Caller, response: Response) -> Recorded:
        can_write(caller)
        if service.exists(body.agreement_id):
            raise InvalidInputError(f"agreement {body.agreement_id!r} exists")
        r = service.record(body.agreement_id, [], caller.name, terms=body.terms, terms_path=False)
        response.headers["ETag"] = _etag(r.version)
        response.headers["Location"] = f"/v1/agreements/{body.agreement_id}"
        return Recorded(
            agreement_id=r.agreement_id, created=True, agreement_facts=0, company_facts=0, version=r.version
        )

    @app.post(
        "/v1/agreements/{agreement_id}/facts",
        tags=["agreements"],
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"anyOf": [FactsIn.model_json_schema(), FactIn.model_json_schema()]}}
                },
            }
        },
    )
    async def record(
        agreement_id: str,
        request: Request,
        caller: Caller,
        idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
        if_match: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        """One fact or a batch (`{"facts": [...]}`), all or nothing."""
        can_write(caller)
        raw = await request.body()
        expected = _if_match(if_match)
        # The database and rules work runs in a worker thread: reads keep flowing during a large write.
        status, body, headers = await run_in_threadpool(
            _record_once, service, engine, agreement_id, raw, caller, expected, idempotency_key, request.url.path
        )
        if status >= 400:
            return JSONResponse(body, status_code=status, media_type=problems.MEDIA, headers=headers)
        return JSONResponse(body, status_code=status, headers=headers)

    @app.get("/v1/agreements/{agreement_id}/status", tags=["agreements"])
    def status(
        agreement_id: str, caller: Caller, response: Response, as_of: AsOf = None, as_known_at: KnownAt = None
    ) -> dict[str, Any]:
        """The catalogue §10 report, identical to `obligations status --json` (`--as-known-at` too)."""
        can_read(caller, agreement_id)
        version, reports = service.versioned_status(agreement_id, [today(as_of)], _known(as_known_at))
        if as_known_at is None:
            response.headers["ETag"] = _etag(version)
        return reports[0]

    @app.get("/v1/agreements/{agreement_id}/history", tags=["agreements"], response_model=list[dict[str, Any]])
    def history(agreement_id: str, caller: Caller, as_known_at: KnownAt = None, format: Format = "json") -> Response:
        """Every recorded fact, originals and corrections, with who recorded it, when, from what, and its fate."""
        can_read(caller, agreement_id)
        version = int(service.agreement(agreement_id).version)
        rows = service.history(agreement_id, _known(as_known_at))
        return _export(rows, format, agreement_id, {"ETag": _etag(version)} if as_known_at is None else {})

    @app.get("/v1/companies/{company_id}/history", tags=["agreements"], response_model=list[dict[str, Any]])
    def company_history(
        company_id: str, caller: Caller, as_known_at: KnownAt = None, format: Format = "json"
    ) -> Response:
        """The audit export of a company: its facts and every fact of its agreements, in recording order."""
        can_read(caller)
        return _export(service.company_history(company_id, _known(as_known_at)), format, None, {})

    @app.post("/v1/agreements/{agreement_id}/what-if", tags=["agreements"])
    def what_if(agreement_id: str, body: WhatIfIn, caller: Caller) -> list[dict[str, Any]]:
        """The reports as they would be if these facts were recorded, and the diff. Nothing is stored or sent."""
        can_read(caller, agreement_id)
        facts = [parse_fact(item, n + 1 if len(body.facts) > 1 else None) for n, item in enumerate(body.facts)]
        return service.what_if(agreement_id, body.as_of or [today(None)], facts, caller.name)

    @app.get("/v1/agreements/{agreement_id}/explain/{item_id}", tags=["agreements"])
    def explain(
        agreement_id: str, item_id: str, caller: Caller, as_of: AsOf = None, as_known_at: KnownAt = None
    ) -> dict[str, Any]:
        """How one item came to be: clauses, interpretations, facts and arithmetic (`obligations explain`)."""
        can_read(caller, agreement_id)
        return service.explain(agreement_id, item_id, today(as_of), _known(as_known_at))

    def calendar(
        title: str, agreement_id: str | None, company: str | None, as_of: date | None, start: date | None = None,
        end: date | None = None
    ) -> bytes:  # fmt: skip
        """An agreement's dated items (all of them), or a company's or the portfolio's in a window (default:
        90 days back, a year ahead), as iCalendar."""
        day = today(as_of)
        if agreement_id is None:
            start, end = start or shifted(day, -90), end or shifted(day, 365)
        entries = portfolio.dated_runs(engine, day, agreement_id, company, start, end)
        names = portfolio.employee_names(engine, day, {item.detail["agreement_id"] for _, item, _ in entries})
        return feed(title, entries, load_policy(settings.config_dir), day, clock(), names)

    @app.get("/v1/agreements/{agreement_id}/calendar.ics", tags=["calendars"], response_class=Response)
    def agreement_calendar(agreement_id: str, caller: Caller, as_of: AsOf = None) -> Response:
        can_read(caller, agreement_id)
        service.agreement(agreement_id)
        return Response(calendar(f"obligations: {agreement_id}", agreement_id, None, as_of), media_type="text/calendar")

    @app.get("/v1/portfolio/calendar.ics", tags=["calendars"], response_class=Response)
    def portfolio_calendar(
        caller: Caller,
        as_of: AsOf = None,
        company: str | None = None,
        start: Annotated[date | None, Query(alias="from")] = None,
        end: Annotated[date | None, Query(alias="to")] = None,
    ) -> Response:
        can_read(caller)
        data = calendar(f"obligations: {company or 'portfolio'}", None, company, as_of, start, end)
        return Response(data, media_type="text/calendar")

    @app.get("/feeds/{secret}.ics", tags=["calendars"], response_class=Response, responses={404: ERRORS[404]})
    def subscribed_calendar(secret: str, as_of: AsOf = None) -> Response:
        """A calendar subscription: the link's secret is the only credential (calendar programs send no header).
        `obligations feeds create` makes one for an agreement, a company or every agreement; revoked, unknown
        and malformed links are all 404."""
        found = feeds.scope(engine, secret)
        if found is None:
            raise problems.HttpProblem(404, "unknown-feed", "No such calendar feed",
                                       "no such calendar feed (revoked, or never made)",
                                       {"Referrer-Policy": "no-referrer"})  # fmt: skip
        data = calendar(found.title, found.agreement_id, found.company_id, as_of)
        headers = {"Cache-Control": "private, max-age=300", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}
        return Response(data, media_type="text/calendar", headers=headers)

    @app.get("/v1/portfolio/due", tags=["portfolio"])
    def due(
        caller: Caller,
        start: Annotated[date, Query(alias="from")],
        end: Annotated[date, Query(alias="to")],
        as_of: AsOf = None,
        company: str | None = None,
        kind: Annotated[list[Literal["payment", "clock", "obligation", "vesting"]] | None, Query()] = None,
        owed_by: Literal["Company", "Employee"] | None = None,
        as_known_at: KnownAt = None,
    ) -> list[dict[str, Any]]:
        can_read(caller)
        known = _known(as_known_at)
        if known is None:
            return portfolio.due(engine, start, end, today(as_of), company, kind or portfolio.DUE_KINDS, owed_by)
        # A replay of the whole log: one at a time per process, so a few requests cannot exhaust the server.
        if not replays.acquire(blocking=False):
            raise problems.HttpProblem(
                429, "busy", "A replay is running", "one as_known_at portfolio replay at a time; retry shortly",
                {"Retry-After": "10"},
            )  # fmt: skip
        try:
            models = service.items_as_known_at(known, company)
            return portfolio.due(models, start, end, today(as_of), company, kind or portfolio.DUE_KINDS, owed_by)
        finally:
            replays.release()

    @app.get("/v1/portfolio/overdue", tags=["portfolio"])
    def overdue(caller: Caller, as_of: AsOf = None, company: str | None = None) -> list[dict[str, Any]]:
        can_read(caller)
        return portfolio.overdue(engine, today(as_of), company)

    @app.get("/v1/portfolio/vesting-calendar", tags=["portfolio"])
    def vesting(
        caller: Caller,
        start: Annotated[date, Query(alias="from")],
        end: Annotated[date, Query(alias="to")],
        as_of: AsOf = None,
        company: str | None = None,
    ) -> list[dict[str, Any]]:
        can_read(caller)
        return portfolio.vesting_calendar(engine, start, end, today(as_of), company)

    @app.get("/v1/tokens", tags=["tokens"])
    def token_list(caller: Caller) -> list[dict[str, Any]]:
        is_admin(caller)
        return tokens.listing(engine)

    @app.post("/v1/tokens", tags=["tokens"], status_code=201)
    def token_create(body: TokenIn, caller: Caller) -> dict[str, Any]:
        is_admin(caller)
        if body.agreement_id is not None:
            service.agreement(body.agreement_id)
        token = tokens.create(engine, body.name, body.role, body.agreement_id, clock())
        return {"name": body.name, "role": body.role, "agreement_id": body.agreement_id, "token": token}

    @app.delete("/v1/tokens/{name}", tags=["tokens"], status_code=204, response_class=Response)
    def token_revoke(name: str, caller: Caller) -> Response:
        is_admin(caller)
        if not tokens.revoke(engine, name, clock()):
            raise problems.HttpProblem(404, "unknown-token", "No such token", f"no active token named {name!r}")
        return Response(status_code=204)


def _known(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise InvalidInputError(f"as_known_at: {exc}") from None


def _export(rows: list[dict[str, Any]], fmt: str, agreement: str | None, headers: dict[str, str]) -> Response:
    if fmt == "csv":
        return Response(history_csv(rows, agreement), media_type="text/csv; charset=utf-8", headers=headers)
    return JSONResponse(rows, headers=headers)


def _record_once(
    service: Obligations,
    engine: Any,
    agreement_id: str,
    raw: bytes,
    caller: Principal,
    expected: int | None,
    key: str | None,
    path: str,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """The write, and with an Idempotency-Key its answer, in ONE transaction with the facts: a crash leaves
    both or neither, so a retry after a crash can never record the batch twice."""
    digest = idempotency.request_hash("POST", path, raw) if key else None
    if key and digest:
        stored = idempotency.replay(engine, caller.name, key, digest)
        if stored is not None:
            if stored.status < 300:  # recorded: the first request may have died before its catch-up
                service.catch_up(f"the facts of Idempotency-Key {key[:80]!r}")
            return stored.status, stored.body, {"Idempotent-Replayed": "true"}
    try:
        facts, terms, source = _parsed(raw)
        remember = (
            idempotency.remembering(caller.name, key, digest, service.clock(), _created) if key and digest else None
        )
        r = service.record(
            agreement_id, facts, caller.name, terms, source, expected_version=expected, terms_path=False,
            in_transaction=remember,
        )  # fmt: skip
    except (idempotency.IdempotencyRace, IntegrityError):
        if not key or not digest:
            raise
        stored = idempotency.replay(engine, caller.name, key, digest)
        if stored is None:
            raise
        return stored.status, stored.body, {"Idempotent-Replayed": "true"}
    except ObligationsError as exc:
        if not key or not digest or isinstance(exc, StoreError | ReadModelsBehindError):
            raise
        body = problems.of_error(path, exc)  # a refusal is answered the same way on a retry
        idempotency.remember_refusal(engine, caller.name, key, digest, body["status"], body, service.clock())
        return body["status"], body, {}
    status, out = _created(r)
    return status, out, {"ETag": _etag(r.version)}


def _created(r: Any) -> tuple[int, dict[str, Any]]:
    """The answer to a write that recorded its facts (kept with them for an Idempotency-Key)."""
    return 201, {
        "agreement_id": r.agreement_id,
        "created": r.created,
        "agreement_facts": r.agreement_facts,
        "company_facts": r.company_facts,
        "version": r.version,
        "affects": list(r.affects),
    }


def _parsed(raw: bytes) -> tuple[list[Any], str | None, str | None]:
    try:
        body = loads_exact(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInputError(f"body: not valid JSON ({exc})") from None
    if isinstance(body, dict) and "facts" in body:
        extra = sorted(set(body) - {"facts", "terms", "source"})
        if extra:
            raise InvalidInputError(f"body: unknown key {extra[0][:80]!r} (allowed: facts, terms, source)")
        items, terms, source = body["facts"], body.get("terms"), body.get("source")
        if not isinstance(items, list) or not items:
            raise InvalidInputError("facts: a non-empty array of facts")
    else:
        items, terms, source = [body], None, None
    if terms is not None and not isinstance(terms, str) or source is not None and not isinstance(source, str):
        raise InvalidInputError("terms, source: strings")
    facts = [parse_fact(item, n + 1 if len(items) > 1 else None) for n, item in enumerate(items)]
    return facts, terms, source
