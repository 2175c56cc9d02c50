"""Recording facts from the dashboard (issue 14): a form per fact type made from the fact models
(`web.forms`), a preview of what the fact would change (the service's what-if, nothing stored) before it is
recorded, and corrections and retractions of a fact from the agreement's timeline.

The same parser (`domain.input.parse_fact`) and the same all-or-nothing recording (`Obligations.record`) as
the API and the command line; a form carries the caller's form token and must come from this origin. A
recording is what was previewed: the record button sends a digest of the fact and of the preview, the
preview is made again on what is recorded then, and if anything differs the new preview is shown instead of
recording (someone else recorded meanwhile, or a field was edited after the preview).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from obligations.application import tokens
from obligations.application.service import Obligations
from obligations.application.tokens import Principal
from obligations.domain.errors import (
    InvalidFactError,
    InvalidFactsError,
    InvalidInputError,
    UnknownAgreementError,
    VersionMismatchError,
)
from obligations.domain.facts import COMPANY_FACT_TYPES, FACT_TYPES
from obligations.domain.input import parse_fact
from obligations.interfaces.fact_types import describe_type
from obligations.interfaces.web import forms
from obligations.interfaces.web.pages import _as_of, _caller, _csrf, _form_ok, _login, _message, correctable, templates

MODES = ("new", "correct", "retract")
OptionalText = Annotated[str | None, Query(max_length=200)]
MAX_FORM_FIELDS = 200


def _writer(request: Request, agreement_id: str) -> Principal | Response:
    """The signed-in recorder or admin of a recording page; else the page that says why not."""
    caller = _caller(request)
    if caller is None:
        return _login()
    if not caller.can_write:
        return _message(request, caller, "Not allowed", "Your role may read but not record facts.", 403)
    try:
        request.app.state.service.agreement(agreement_id)
    except UnknownAgreementError:
        return _message(request, caller, "Not found", f"No agreement {agreement_id!r}.", 404)
    return caller


def _target(service: Obligations, agreement_id: str, fact_id: str) -> dict[str, Any] | None:
    """The fact a correction or retraction names, as it stands: its type, date and data (a correction's
    replacement for a corrected fact)."""
    row = next((r for r in service.history(agreement_id) if r["id"] == fact_id), None)
    if row is None or not correctable(row):
        return None
    if row["type"] == "FactCorrected":
        rep = row["data"]["replacement"]
        return {"id": row["id"], "type": rep["type"], "date": rep["date"], "data": rep["data"], "row": row}
    data = row["data"] if "unreadable" not in row["data"] else row["data"].get("stored") or {}
    return {"id": row["id"], "type": row["type"], "date": row["date"], "data": data, "row": row}


def install(app: FastAPI) -> None:
    @app.get("/ui/agreements/{agreement_id}/record", response_class=HTMLResponse, include_in_schema=False)
    def record_form(
        request: Request,
        agreement_id: str,
        type: OptionalText = None,
        correct: OptionalText = None,
        retract: OptionalText = None,
        as_of: OptionalText = None,
    ) -> Response:
        caller = _writer(request, agreement_id)
        if isinstance(caller, Response):
            return caller
        service: Obligations = request.app.state.service
        day = _as_of(request, as_of)
        if correct or retract:
            mode, fact_id = ("correct", correct) if correct else ("retract", retract)
            target = _target(service, agreement_id, str(fact_id))
            if target is None:
                text = f"No fact {str(fact_id)[:80]!r} in effect on this agreement (corrected or retracted?)."
                return _message(request, caller, "Not found", text, 404)
            values = {"date": target["date"], **forms.values_of(target["data"])}
            form = _Form(mode, target["type"], target, values)
        else:
            chosen = type if type in service.recordable_types(agreement_id) else None
            if type and chosen is None:
                text = f"{type[:80]!r} is not a fact the terms of {agreement_id} read (`obligations types` lists all)."
                return _message(request, caller, "Unknown fact type", text, 404)
            form = _Form("new", chosen, None, {"date": day.isoformat()})
        return _page(request, caller, agreement_id, day, form)

    @app.post("/ui/agreements/{agreement_id}/record", response_class=HTMLResponse, include_in_schema=False)
    async def record(request: Request, agreement_id: str) -> Response:
        caller = _caller(request)
        if caller is None:
            return _login()
        try:
            sent = await request.form(max_fields=MAX_FORM_FIELDS, max_files=0)
        except Exception:  # a body that is not a form, or too many fields
            return _message(request, caller, "Refused", "The form could not be read; nothing was recorded.", 400)
        values = {k: v for k, v in sent.items() if isinstance(v, str)}
        if not _form_ok(request, values.get("csrf")):
            return _message(request, None, "Refused", "This form was sent from another site; nothing was done.", 403)
        checked = _writer(request, agreement_id)
        if isinstance(checked, Response):
            return checked
        return _submitted(request, checked, agreement_id, values)


def _submitted(request: Request, caller: Principal, agreement_id: str, values: dict[str, str]) -> Response:
    service: Obligations = request.app.state.service
    try:
        day = _as_of(request, values.get("as_of"))
    except InvalidInputError as exc:
        return _message(request, caller, "Refused", f"{exc}; nothing was recorded.", 422)
    mode = values.get("mode", "new")
    if mode not in MODES:
        return _message(request, caller, "Refused", "Unknown kind of recording; nothing was recorded.", 400)
    target = None
    if mode != "new":
        target = _target(service, agreement_id, values.get("target", ""))
        if target is None:
            text = "That fact is no longer in effect (corrected or retracted meanwhile); nothing was recorded."
            return _message(request, caller, "Not found", text, 404)
        fact_type = target["type"]
    else:
        fact_type = values.get("fact_type", "")
        if fact_type not in service.recordable_types(agreement_id):
            return _message(request, caller, "Unknown fact type", "Choose a fact type from the list.", 400)
    form = _Form(mode, fact_type, target, values)
    try:
        obj = _fact_object(form, values)
        fact = parse_fact(obj)
        version = int(service.agreement(agreement_id).version)
        preview = service.what_if(agreement_id, _days(fact.date, target, day), [fact], caller.name)
    except InvalidFactsError as exc:
        form.refused(exc.errors)
        return _page(request, caller, agreement_id, day, form, status=422)
    except InvalidFactError as exc:
        form.refused([exc])
        return _page(request, caller, agreement_id, day, form, status=422)
    except InvalidInputError as exc:
        form.errors.append(str(exc))
        return _page(request, caller, agreement_id, day, form, status=422)
    # what is recorded must be what was previewed: the fact, and the reports before and after it on each day
    digest = tokens.digest(json.dumps([obj, preview], sort_keys=True, default=str))
    for p in preview:  # the person section is not a change of the machine contract: shown apart
        before, after = p["actual"].get("person"), p["what_if"].get("person")
        p["person_change"] = (before, after) if before != after else None
    form.preview, form.previewed = preview, digest
    if values.get("action") != "record":
        return _page(request, caller, agreement_id, day, form)
    if values.get("previewed") != digest:
        form.notice = (
            "What this fact would change is not what you previewed (the form was edited, or something was recorded "
            "meanwhile): check the new preview below, then record."
        )
        return _page(request, caller, agreement_id, day, form, status=409)
    try:
        r = service.record(agreement_id, [fact], caller.name, expected_version=version, terms_path=False)
    except VersionMismatchError:
        form.notice = "Something was recorded on this agreement meanwhile: preview again before recording."
        form.preview, form.previewed = None, None
        return _page(request, caller, agreement_id, day, form, status=409)
    except InvalidInputError as exc:  # a company fact refused by the company's own history
        form.errors.append(str(exc))
        form.preview, form.previewed = None, None
        return _page(request, caller, agreement_id, day, form, status=422)
    query = {"as_of": day.isoformat(), "recorded": obj["type"], "reached": len(r.affects)}
    return RedirectResponse(f"/ui/agreements/{agreement_id}?{urlencode(query)}", status_code=303)


def _days(effective: date | None, target: dict[str, Any] | None, day: date) -> list[date]:
    """The days a preview compares: the fact's date (a correction's replacement date, a retracted fact's
    date) and the page's as-of day."""
    days = {day}
    if effective is not None:
        days.add(effective)
    if target is not None:
        days.add(date.fromisoformat(target["date"]))
    return sorted(days)


def _fact_object(form: _Form, values: dict[str, str]) -> dict[str, Any]:
    assert form.fact_type is not None
    source = {"source": values["source"].strip()} if values.get("source", "").strip() else {}
    if form.mode == "new":
        return forms.fact_from_form(form.fact_type, values)
    reason = values.get("reason", "").strip()
    assert form.target is not None
    if form.mode == "retract":
        return {"type": "FactRetracted", "data": {"fact_id": form.target["id"], "reason": reason}, **source}
    replacement = forms.fact_from_form(form.fact_type, values)
    if "date" not in replacement:
        raise InvalidFactError("required: the date the fact took effect", field="date")
    rep = {"type": form.fact_type, "date": replacement["date"], "data": replacement["data"]}
    return {"type": "FactCorrected", "data": {"fact_id": form.target["id"], "replacement": rep, "reason": reason},
            **source}  # fmt: skip


class _Form:
    """What a recording page shows: the mode, the fact type, the values sent, errors and the preview."""

    def __init__(self, mode: str, fact_type: str | None, target: dict[str, Any] | None, values: dict[str, str]):
        self.mode, self.fact_type, self.target, self.values = mode, fact_type, target, values
        self.errors: list[str] = []
        self.field_errors: dict[str, str] = {}
        self.preview: list[dict[str, Any]] | None = None
        self.previewed: str | None = None
        self.notice: str | None = None

    def refused(self, errors: list[InvalidFactError]) -> None:
        for e in errors:
            correction_own = self.mode != "new" and e.field in ("data.reason", "source")
            name = (
                e.field.removeprefix("data.")
                if correction_own and e.field
                else forms.form_error_field(e, self.mode == "correct")
            )
            if name is None or name in ("data.fact_id", "type", "data", "data.replacement", "fact_id"):
                self.errors.append(e.rule if name is None else f"{name.removeprefix('data.')}: {e.rule}")
            else:
                self.field_errors[name] = e.rule
                self.errors.append(f"{name.removeprefix('data.').replace('_', ' ')}: {e.rule}")


def _type_groups(names: list[str]) -> list[tuple[str, list[str]]]:
    company = [t for t in names if t in COMPANY_FACT_TYPES]
    return [("Facts of this agreement", [t for t in names if t not in COMPANY_FACT_TYPES]),
            ("Company facts: they reach every agreement of the company", company)]  # fmt: skip


def _page(
    request: Request, caller: Principal, agreement_id: str, day: date, form: _Form, status: int = 200
) -> Response:
    service: Obligations = request.app.state.service
    about = describe_type(form.fact_type) if form.fact_type else None
    context = {
        "caller": caller,
        "agreement_id": agreement_id,
        "as_of": day,
        "csrf": _csrf(request),
        "form": form,
        "about": about,
        "type_groups": _type_groups(service.recordable_types(agreement_id)) if form.mode == "new" else [],
        "fields": forms.fields_of(FACT_TYPES[form.fact_type], form.values, form.field_errors)
        if form.fact_type and form.mode != "retract"
        else [],
    }
    return templates.TemplateResponse(request, "record.html", context, status_code=status)
