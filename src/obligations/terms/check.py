"""`obligations terms check`: every problem of a terms file and its company file, not just the first.

Errors name the file, the key path and the rule (the file does not load). Warnings name a provision that is
ambiguous until a setting decides it (in the spirit of Catala's AbortOnRound): a setting left to its default
is decided by the catalogue, not by the file, so the author is told which default applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from obligations.domain.errors import TermsError
from obligations.terms.agreement_terms import Terms, TermsFile
from obligations.terms.interpretations import HOME, Interpretations
from obligations.terms.loader import (
    AnyTerms,
    gather_settings,
    parse_toml,
    setting_key,
    terms_from_text,
    unknown_key,
)
from obligations.terms.models import Company
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

# Settings whose absence leaves a boundary of the agreement to a default: the warning says what it decides.
AMBIGUOUS: dict[str, str] = {
    "window_inclusive_end": "whether the last day of the §5.1 window is inside it",
    "month_end": "where a month added to the 29th-31st lands",
    "feb29_anniversary": "the anniversary of a 29 February",
    "day_count": "whether days are calendar or business days",
    "roll_contract_dates": "whether a contractual date on a weekend moves",
    "notice_effective": "whether a notice counts from its dispatch or its receipt",
    "window_test_date": "which date is tested against the §5.1 window",
    "i9_day_count": "whether the I-9's three days are calendar or business days",
    "proration_basis": "the days of the year a proration divides by",
    "arbitration_agreement_due_days": "whether the arbitration agreement has a deadline",
    "expense_reimbursement_due_days": "whether an expense reimbursement has a deadline",
}
NO_DEADLINE = {
    "arbitration_agreement_due_days": "the arbitration agreement (§7) has no deadline",
    "expense_reimbursement_due_days": "expense reimbursements (§6) have no due date",
}


@dataclass(frozen=True)
class Finding:
    level: Literal["error", "warning"]
    file: str
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{self.level}: {where}: {self.message}"


def _errors(model: type[BaseModel], raw: dict[str, Any], file: str) -> list[Finding]:
    try:
        model.model_validate(raw)
    except ValidationError as exc:
        out = []
        for e in exc.errors():
            loc = [str(p) for p in e["loc"]]
            reason = unknown_key(model, loc) if e["type"] == "extra_forbidden" else e["msg"]
            out.append(Finding("error", file, setting_key(loc, raw.get("settings_in")), reason))
        return out
    return []


def check_text(text: str, file: str, config_dir: Path) -> tuple[AnyTerms | None, list[Finding]]:
    """The terms (None when they do not load) and every finding, errors first."""
    try:
        raw = parse_toml(text, file)
    except TermsError as exc:
        return None, [Finding("error", file, None, exc.reason)]
    provisions = raw.get("form") == "provisions"
    if not provisions:
        try:
            raw = gather_settings(raw, file)
        except TermsError as exc:
            return None, [Finding("error", file, exc.key, exc.reason)]
    findings = _errors(ProvisionsFile if provisions else TermsFile, raw, file)
    company_id = raw.get("company")
    if isinstance(company_id, str):
        path = config_dir / "companies" / f"{company_id}.toml"
        if path.is_file():
            try:
                findings += _errors(Company, parse_toml(path.read_text(encoding="utf-8"), str(path)), str(path))
            except TermsError as exc:
                findings.append(Finding("error", str(path), None, exc.reason))
    terms = None
    if not findings:
        try:
            terms = terms_from_text(text, file, config_dir)
        except TermsError as exc:
            findings.append(Finding("error", exc.file, exc.key, exc.reason))
    if isinstance(terms, Terms):
        findings += warnings(raw, terms, file)
    elif isinstance(terms, ProvisionTerms):
        findings += provision_warnings(terms, file)
    return terms, findings


def provision_warnings(terms: ProvisionTerms, file: str) -> list[Finding]:
    """What a provisions file leaves to a default or open: the reader should know before relying on it."""
    a, out = terms.agreement, []
    for t in a.triggers:
        if t.change_of_control is not None:
            out.append(
                Finding(
                    "warning",
                    file,
                    f"triggers.{t.id}.change_of_control",
                    "the window's edges are "
                    "counted inclusive (a termination exactly "
                    f"{t.change_of_control.before} before or {t.change_of_control.after} after the Change "
                    "of Control is inside it); say so in the clause or adjust the durations",
                )
            )
    for p in a.packages:
        for n, x in enumerate(p.accelerations):
            if x.kind == "months" and x.order is None:
                out.append(
                    Finding(
                        "warning",
                        file,
                        f"packages.{p.id}.accelerations.{n}.order",
                        "a partial "
                        "acceleration without an order: the soonest tranches are taken (Carta's reading "
                        "of OCF#538); set order = soonest, last or pro_rata",
                    )
                )
        for pay in p.payments:
            if not (pay.due or pay.within or pay.first):
                out.append(
                    Finding(
                        "warning",
                        file,
                        f"packages.{p.id}.payments.{pay.id}",
                        "no date: the payment is shown with no due date and no reminder is sent",
                    )
                )
    for o in a.obligations:
        if o.due is None:
            out.append(
                Finding(
                    "warning",
                    file,
                    f"obligations.{o.id}.due",
                    "a deadline with no end: shown as open with no due date, no reminder is sent",
                )
            )
    for g in a.grants:
        if g.vesting is None:
            out.append(
                Finding(
                    "warning",
                    file,
                    f"grants.{g.id}.vesting",
                    "no schedule: what is vested is not known (only a full acceleration is)",
                )
            )
    out += [Finding("warning", file, "unknown", u) for u in a.unknown]
    if not terms.company.final_pay.law:
        out.append(
            Finding(
                "warning", f"companies/{terms.company.company_id}.toml", "final_pay.law", "no final-pay law configured"
            )
        )
    return out


def warnings(raw: dict[str, Any], terms: Terms, file: str) -> list[Finding]:
    out = []
    stated = terms.agreement.settings_in
    defaults = Interpretations()
    for name, decides in AMBIGUOUS.items():
        if name not in stated:
            value = getattr(defaults, name)
            described = Interpretations.model_fields[name].description
            out.append(
                Finding(
                    "warning",
                    file,
                    f"{HOME[name]}.{name}",
                    f"not set: {decides} is decided by the catalogue default {value!r} ({described})",
                )
            )
    for name, words in NO_DEADLINE.items():
        if getattr(terms.i, name) < 0:
            where = f"{stated.get(name, HOME[name])}.{name}"
            out.append(Finding("warning", file, where, f"-1: {words}; no reminder will be sent"))
    company_file = f"companies/{terms.company.company_id}.toml"
    if not terms.company.final_pay.law:
        out.append(
            Finding(
                "warning",
                company_file,
                "final_pay.law",
                "no final-pay law: the final salary's due date "
                "follows I-22's default timing and its citation says the law is not configured",
            )
        )
    return out
