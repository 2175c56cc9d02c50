"""Read terms and company files from config/, naming the file, the key and the reason on any error."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from obligations.domain.errors import TermsError
from obligations.domain.values import ID_RULE, is_valid_id
from obligations.terms.agreement_terms import Terms, TermsFile
from obligations.terms.models import Company
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], raw: dict[str, Any], file: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        key = ".".join(str(p) for p in first["loc"]) or None
        reason = "unknown key (misspelt?)" if first["type"] == "extra_forbidden" else first["msg"]
        raise TermsError(file, key, reason) from None


def parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TermsError(file, None, f"not valid TOML: {exc}") from None


def load_company(config_dir: Path, company_id: str) -> Company:
    if not is_valid_id(company_id):
        raise TermsError("terms", "company", f"company id {company_id[:80]!r}: {ID_RULE}")
    path = config_dir / "companies" / f"{company_id}.toml"
    if not path.is_file():
        raise TermsError(str(path), None, f"no company file for company {company_id!r}")
    company = _validate(Company, parse_toml(path.read_text(), str(path)), str(path))
    if company.company_id != company_id:
        raise TermsError(str(path), "company_id", f"must be {company_id!r}, the file's name")
    return company


AnyTerms = Terms | ProvisionTerms


def terms_from_text(text: str, file: str, config_dir: Path) -> AnyTerms:
    """A terms file of the letter form (Valence's sections) or, with `form = "provisions"`, of the
    provisions form (typed blocks, `terms.provisions`)."""
    raw = parse_toml(text, file)
    form = raw.get("form")
    if form is not None and form != "provisions":
        raise TermsError(
            file, "form", f"unknown form {str(form)[:40]!r}: 'provisions', or no form key for the letter form"
        )
    terms_file: TermsFile | ProvisionsFile = (
        _validate(ProvisionsFile, raw, file) if form else _validate(TermsFile, raw, file)
    )
    path = Path(file)
    if path.parent == config_dir / "agreements" and path.stem != terms_file.key:
        raise TermsError(file, "key", f"must be {path.stem!r}, the file's name")
    company = load_company(config_dir, terms_file.company)
    if isinstance(terms_file, ProvisionsFile):
        return ProvisionTerms(agreement=terms_file, company=company)
    return Terms(agreement=terms_file, company=company)


def resolve_terms(key_or_path: str, config_dir: Path, allow_path: bool = True) -> tuple[str, str, str]:
    """(terms key, TOML text, file name) for a key under config/agreements/ or, when `allow_path` (the
    command line, on the operator's own disk), a path to a TOML file. Over HTTP only a key is accepted: a
    key is an id (no '/', no '..'), so nothing outside config/agreements/ can be named."""
    by_key = config_dir / "agreements" / f"{key_or_path}.toml"
    if is_valid_id(key_or_path) and by_key.is_file():
        path = by_key
    elif allow_path:
        path = Path(key_or_path)
    else:
        known = sorted(p.stem for p in (config_dir / "agreements").glob("*.toml"))
        raise TermsError("terms", None, f"unknown terms key {key_or_path[:80]!r} (known keys: {', '.join(known)})")
    if not path.is_file() or path.suffix != ".toml":
        known = sorted(p.stem for p in (config_dir / "agreements").glob("*.toml"))
        raise TermsError(key_or_path, None, f"unknown terms key or file (known keys: {', '.join(known)})")
    text = path.read_text()
    if path == by_key:
        return key_or_path, text, str(path)  # named after its key (terms_from_text checks)
    key = str(parse_toml(text, str(path)).get("key", path.stem))
    return key, text, str(path)
