"""Dashboard pages (Jinja2, server-rendered) behind the API tokens: a login form sets a cookie.

The pages only arrange what the service and the read models answer (reports, dated items, history); the
vesting chart's coordinates are layout, not rules.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from obligations.application import feeds, portfolio, tokens
from obligations.application.projections import quarantine_list
from obligations.application.service import Obligations
from obligations.application.tokens import Principal
from obligations.domain.errors import InvalidInputError, UnknownAgreementError, UnreadableFactError
from obligations.domain.facts import FACT_TYPES
from obligations.domain.names import EMPLOYMENT_STATUSES, amount_of, money, person_line
from obligations.domain.values import count_str, parse_iso_date
from obligations.interfaces.http.security import COOKIE, same_origin, token_of
from obligations.interfaces.params import shifted
from obligations.interfaces.web.forms import short

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["words"] = lambda s: str(s or "").replace("_", " ")
templates.env.filters["money"] = money
templates.env.filters["amount_of"] = amount_of
templates.env.filters["person"] = person_line
templates.env.filters["short"] = short
templates.env.filters["count"] = lambda n: count_str(n) if n is not None else ""


def _caller(request: Request) -> Principal | None:
    """The signed-in person of a page: the session cookie, or a bearer token (a script reading a page)."""
    token = token_of(request)
    if token:
        return tokens.verify(request.app.state.engine, token)
    session = request.cookies.get(COOKIE)
    if not session or len(session) > 200:
        return None
    return tokens.session_principal(request.app.state.engine, session, _now(request))


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.clock()
    return now


def _as_of(request: Request, value: str | None) -> date:
    if value:
        try:
            return parse_iso_date(value)
        except ValueError:
            raise InvalidInputError(f"as_of {value!r}: expected a date YYYY-MM-DD") from None
    today: date = request.app.state.clock().astimezone(UTC).date()
    return today


def _staff(request: Request) -> Principal | Response:
    """The signed-in caller of a portfolio page; else where to go: the sign-in page, or an employee's own
    agreement (the only page an employee may read)."""
    caller = _caller(request)
    if caller is None:
        return _login()
    if caller.role == "employee":
        return RedirectResponse(f"/ui/agreements/{caller.agreement_id}", status_code=303)
    return caller


def _csrf(request: Request) -> str:
    """The form token of the signed-in caller: a hash of their session (or bearer token), which a page of
    another site cannot read, so a form it forges cannot carry it."""
    secret = token_of(request) or request.cookies.get(COOKIE) or ""
    return tokens.digest("csrf:" + secret)


def _form_ok(request: Request, sent: str | None) -> bool:
    """A dashboard write: from this origin, carrying the caller's form token."""
    return same_origin(request) and sent is not None and hmac.compare_digest(sent, _csrf(request))


def may_link(caller: Principal, agreement_id: str) -> bool:
    """Who may make and revoke calendar links of an agreement: admins and recorders, and its employee."""
    return caller.role in ("admin", "recorder") or (caller.role == "employee" and caller.agreement_id == agreement_id)


def _may_revoke(caller: Principal, link: dict[str, Any]) -> bool:
    """Admins and recorders: every link; an employee: the links of their own agreement."""
    if caller.role in ("admin", "recorder"):
        return True
    return bool(link["agreement_id"]) and may_link(caller, str(link["agreement_id"]))


def _login() -> RedirectResponse:
    return RedirectResponse("/ui/login", status_code=303)


def _message(request: Request, caller: Principal | None, title: str, text: str, status: int) -> Response:
    context = {"caller": caller, "title": title, "text": text}
    return templates.TemplateResponse(request, "message.html", context, status_code=status)


def _cross_site(request: Request) -> Response:
    text = "This form was sent from another site; nothing was done."
    return templates.TemplateResponse(
        request, "message.html", {"caller": None, "title": "Refused", "text": text}, status_code=403
    )


def install(app: FastAPI) -> None:
    app.mount("/ui/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    @app.get("/ui/login", response_class=HTMLResponse, include_in_schema=False)
    def login_form(request: Request) -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": None})

    @app.post("/ui/login", response_class=HTMLResponse, include_in_schema=False)
    def login(request: Request, token: Annotated[str, Form(max_length=200)]) -> Response:
        if not same_origin(request):
            return _cross_site(request)
        principal = tokens.verify(request.app.state.engine, token.strip())
        if principal is None:
            return templates.TemplateResponse(
                request, "login.html", {"error": "That token is not valid."}, status_code=401
            )
        target = f"/ui/agreements/{principal.agreement_id}" if principal.role == "employee" else "/ui/"
        response = RedirectResponse(target, status_code=303)
        session = tokens.open_session(request.app.state.engine, principal, _now(request))
        response.set_cookie(
            COOKIE,
            session,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=tokens.SESSION_HOURS * 3600,
            path="/ui",
        )
        return response

    @app.post("/ui/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        if not same_origin(request):
            return _cross_site(request)
        session = request.cookies.get(COOKIE)
        if session and len(session) <= 200:
            tokens.close_session(request.app.state.engine, session, _now(request))
        response = _login()
        response.delete_cookie(COOKIE, path="/ui")
        return response

    @app.get("/ui/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, as_of: Annotated[str | None, Query()] = None) -> Response:
        caller = _staff(request)
        if isinstance(caller, Response):
            return caller
        day = _as_of(request, as_of)
        engine = request.app.state.engine
        due = [
            r
            for r in portfolio.due(engine, day, shifted(day, 30), day, kinds=("payment", "obligation", "vesting"))
            if r["status"] not in ("paid", "fulfilled", "fulfilled_late", "vested")
        ]
        clocks = [r for r in portfolio.due(engine, day, shifted(day, 3650), day, kinds=("clock",))]
        with engine.connect() as conn:
            quarantined = quarantine_list(conn)
        context = {
            "caller": caller,
            "as_of": day,
            "quarantined": quarantined,
            "due": due,
            "overdue": portfolio.overdue(engine, day),
            "clocks": clocks,
        }
        return templates.TemplateResponse(request, "portfolio.html", context)

    @app.get("/ui/people", response_class=HTMLResponse, include_in_schema=False)
    def people(
        request: Request,
        as_of: Annotated[str | None, Query()] = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
        company: Annotated[str | None, Query(max_length=200)] = None,
        status: Annotated[str | None, Query()] = None,
        overdue: Annotated[str | None, Query()] = None,
    ) -> Response:
        """Every agreement's employee, with filters: a search (name, email, title, department, manager or
        id), the company, the employment status, something overdue."""
        caller = _staff(request)
        if isinstance(caller, Response):
            return caller
        day = _as_of(request, as_of)
        if status and status not in EMPLOYMENT_STATUSES:
            raise InvalidInputError(f"status {status!r}: expected one of {', '.join(EMPLOYMENT_STATUSES)}")
        service: Obligations = request.app.state.service
        rows = service.agreements(day, company or None, status or None, q or None, overdue_only=overdue == "1")
        context = {
            "caller": caller,
            "as_of": day,
            "rows": rows,
            "filters": {"q": q or "", "company": company or "", "status": status or "", "overdue": overdue == "1"},
            "companies": portfolio.companies(request.app.state.engine),
            "statuses": EMPLOYMENT_STATUSES,
        }
        return templates.TemplateResponse(request, "people.html", context)

    @app.post("/ui/agreements/{agreement_id}/calendar-links", include_in_schema=False)
    def make_link(request: Request, agreement_id: str, csrf: Annotated[str | None, Form()] = None) -> Response:
        """A calendar subscription link of this agreement, shown once (`obligations feeds create`)."""
        caller = _caller(request)
        if caller is None:
            return _login()
        if not _form_ok(request, csrf):
            return _cross_site(request)
        if not may_link(caller, agreement_id):
            return _message(request, caller, "Not yours", "Your token may not make links for this agreement.", 403)
        try:
            request.app.state.service.agreement(agreement_id)
        except UnknownAgreementError:
            return _message(request, caller, "Not found", f"No agreement {agreement_id!r}.", 404)
        return _link_made(request, caller, agreement_id, None)

    @app.post("/ui/calendar-links", include_in_schema=False)
    def make_wide_link(
        request: Request,
        company: Annotated[str, Form(max_length=200)] = "",
        csrf: Annotated[str | None, Form()] = None,
    ) -> Response:
        """A calendar link of one company's agreements, or of every agreement (company left empty): admins
        and recorders only (`obligations feeds create --company`)."""
        caller = _caller(request)
        if caller is None:
            return _login()
        if not _form_ok(request, csrf):
            return _cross_site(request)
        if caller.role not in ("admin", "recorder"):
            return _message(request, caller, "Not allowed", "Only admins and recorders make company links.", 403)
        if company and company not in portfolio.companies(request.app.state.engine):
            return _message(request, caller, "Not found", f"No company {company[:80]!r}.", 404)
        return _link_made(request, caller, None, company or None)

    @app.get("/ui/calendar-links", response_class=HTMLResponse, include_in_schema=False)
    def links(request: Request) -> Response:
        """The calendar links the caller may revoke (an employee: those of their own agreement)."""
        caller = _caller(request)
        if caller is None:
            return _login()
        rows = [r for r in feeds.listing(request.app.state.engine) if _may_revoke(caller, r)]
        wide = caller.role in ("admin", "recorder")
        companies = portfolio.companies(request.app.state.engine) if wide else []
        context = {"caller": caller, "rows": rows, "csrf": _csrf(request), "wide": wide, "companies": companies}
        return templates.TemplateResponse(request, "calendar_links.html", context)

    @app.post("/ui/calendar-links/revoke", include_in_schema=False)
    def revoke_link(
        request: Request, name: Annotated[str, Form(max_length=100)], csrf: Annotated[str | None, Form()] = None
    ) -> Response:
        caller = _caller(request)
        if caller is None:
            return _login()
        if not _form_ok(request, csrf):
            return _cross_site(request)
        engine = request.app.state.engine
        found = next((r for r in feeds.listing(engine) if r["name"] == name and not r["revoked_at"]), None)
        if found is None or not _may_revoke(caller, found):
            return _message(request, caller, "Not found", "No active calendar link of yours has that name.", 404)
        feeds.revoke(engine, name, _now(request))
        return RedirectResponse("/ui/calendar-links", status_code=303)

    @app.get("/ui/agreements/{agreement_id}", response_class=HTMLResponse, include_in_schema=False)
    def agreement(
        request: Request,
        agreement_id: str,
        as_of: Annotated[str | None, Query()] = None,
        recorded: Annotated[str | None, Query(max_length=100)] = None,
        reached: Annotated[int | None, Query(ge=0)] = None,
    ) -> Response:
        caller = _caller(request)
        if caller is None:
            return _login()
        if not caller.can_read(agreement_id):
            return _message(request, caller, "Not yours", "Your token may not read this agreement.", 403)
        day = _as_of(request, as_of)
        service: Obligations = request.app.state.service
        try:
            service.agreement(agreement_id)
        except UnknownAgreementError:
            return _message(request, caller, "Not found", f"No agreement {agreement_id!r}.", 404)
        context = {
            "caller": caller,
            "as_of": day,
            "agreement_id": agreement_id,
            "csrf": _csrf(request) if may_link(caller, agreement_id) else None,
            "can_record": caller.can_write,
            "recorded": _recorded_note(recorded, reached),
            **_agreement_view(service, request.app.state.engine, agreement_id, day),
        }
        return templates.TemplateResponse(request, "agreement.html", context)


def _recorded_note(fact_type: str | None, reached: int | None) -> str | None:
    """The banner after a recording from the dashboard (the redirect names the type; anything else: none)."""
    if fact_type not in FACT_TYPES:
        return None
    words = {"FactCorrected": "The correction was recorded", "FactRetracted": "The retraction was recorded"}
    note = words.get(str(fact_type), f"{fact_type} was recorded")
    if reached:
        note += f"; as a company fact it reaches {reached} agreement{'s' if reached != 1 else ''} of the company"
    return note + "."


def _link_made(request: Request, caller: Principal, agreement_id: str | None, company: str | None) -> Response:
    """A new calendar link, shown once."""
    now = _now(request)
    shows = agreement_id or (f"company {company}" if company else "every agreement")
    name = f"{caller.name[:40]} · {shows[:48]} · {now:%Y-%m-%d} · {secrets.token_hex(3)}"
    secret = feeds.create(request.app.state.engine, name, agreement_id, company, now)
    url = f"{str(request.base_url).rstrip('/')}/feeds/{secret}.ics"
    context = {"caller": caller, "agreement_id": agreement_id, "shows": shows, "url": url, "name": name,
               "webcal": "webcal://" + url.split("://", 1)[1]}  # fmt: skip
    return templates.TemplateResponse(request, "calendar_link.html", context, status_code=201)


def _fact_note(h: dict[str, Any]) -> str:
    """Who recorded a fact, and what a correction did to it (the history's words, nothing computed)."""
    note = f"{h['id']}, recorded by {h['recorded_by']} on {h['recorded_at'][:10]}"
    if h["state"] in ("retracted", "corrected"):
        note += f"; {h['state']} by {h[h['state'] + '_by']}"
    if "corrects" in h:
        verb = "corrects" if h["type"] == "FactCorrected" else "retracts"
        note += f"; {verb} {h['corrects']}: {h['data'].get('reason', '')}"
    return note


def correctable(row: dict[str, Any]) -> bool:
    """A history row whose fact is in effect (an original, or a correction's replacement): it may be corrected
    or retracted. Retractions, and facts already corrected or retracted, may not."""
    return bool(row["state"] == "in_effect" or (row["type"] == "FactCorrected" and row["state"] == "correction"))


def _agreement_view(service: Obligations, engine: Any, agreement_id: str, day: date) -> dict[str, Any]:
    history = service.history(agreement_id)
    report: dict[str, Any] | None = None
    note: str | None = None
    try:
        report = service.status(agreement_id, [day])[0]
    except (InvalidInputError, UnreadableFactError) as exc:  # not started, or quarantined: say so, show the history
        note = str(exc)
    runs = portfolio.dated_runs(engine, day, agreement_id, keep_forfeited=True, falling_due=False)
    timeline = [
        {
            "date": h["date"],
            "kind": "fact",
            "label": h["type"],
            "detail": _fact_note(h),
            "future": h["date"] > day.isoformat(),
            "void": h["state"] in ("retracted", "corrected"),
            "fact_id": h["id"],
            "correctable": correctable(h),
        }
        for h in history
    ]
    timeline += [
        {
            "date": i.due_date.isoformat(),
            "kind": i.kind,
            "label": i.item_id.replace("_", " "),
            "detail": i.detail.get("why", ""),
            "future": i.due_date > day,
        }
        for _, i, _ in runs
        if i.due_date is not None and i.kind != "vesting"
    ]
    timeline.sort(key=lambda t: (t["date"], t["kind"] != "fact"))
    balances = service.payment_balances(agreement_id, report, day) if report else {}
    return {
        "report": report,
        "note": note,
        "timeline": timeline,
        "chart": vesting_chart(runs, day),
        "balances": balances,
    }


def vesting_chart(runs: list[tuple[str, Any, int]], day: date) -> dict[str, Any] | None:
    """Bars of cumulative options by vesting date, coloured by state as of `day`, a line at `day`, and axes:
    options (0 to the total, in quarters) up the side, years along the bottom."""
    tranches = sorted((i for _, i, _ in runs if i.kind == "vesting" and i.due_date), key=lambda i: i.due_date)
    if not tranches:
        return None
    total = sum(Decimal(i.amount or 0) for i in tranches) or 1
    first, last = tranches[0].due_date, max(tranches[-1].due_date, day)
    span = max((last - first).days, 1)
    width, height, left, right, bottom, top = 640, 240, 64, 16, 40, 12
    plot_w, plot_h = width - left - right - 10, height - bottom - top

    def x_of(d: date) -> float:
        return float(round(left + (d - first).days / span * plot_w, 1))

    bars, cumulative = [], Decimal(0)
    for i in tranches:
        cumulative += Decimal(i.amount or 0)
        state = i.fixed_status or ("vested" if i.due_date <= day else "unvested")
        if i.item_id == "acceleration":
            state = "accelerated"
        h = float(cumulative / total) * plot_h
        bars.append(
            {
                "x": x_of(i.due_date),
                "y": round(height - bottom - h, 1),
                "h": round(h, 1),
                "state": state,
                "label": f"{i.due_date}: {count_str(i.amount or 0)} ({state}), {count_str(cumulative)} cumulative",
            }
        )
    y_ticks = [
        {
            "y": round(height - bottom - q / 4 * plot_h, 1),
            "label": count_str((Decimal(total) * q / 4).quantize(Decimal(1))),
        }
        for q in range(5)
    ]
    x_ticks = [
        {"x": x_of(date(year, 1, 1)), "label": str(year)}
        for year in range(first.year + 1, last.year + 1)
        if (date(year, 1, 1) - first).days / span > 0.04 and (last - date(year, 1, 1)).days / span > 0.04
    ]
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "marker": x_of(min(max(day, first), last)),
        "base": height - bottom,
        "top": top,
        "left": left,
        "right": width - right,
        "first": first,
        "first_x": x_of(first),
        "last": last,
        "last_x": x_of(last),
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
    }
