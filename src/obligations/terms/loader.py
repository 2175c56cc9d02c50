"""Read terms and company files from config/, naming the file, the key and the reason on any error."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, TypeVar

import tomli
from pydantic import BaseModel, ValidationError

from obligations.domain.errors import TermsError
from obligations.domain.values import ID_RULE, is_valid_id
from obligations.terms.agreement_terms import Terms, TermsFile
from obligations.terms.interpretations import HOME, SETTINGS_ONLY, Interpretations
from obligations.terms.models import Company
from obligations.terms.provisions import ProvisionsFile, ProvisionTerms

M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], raw: dict[str, Any], file: str) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = [str(p) for p in first["loc"]]
        reason = unknown_key(model, loc) if first["type"] == "extra_forbidden" else first["msg"]
        raise TermsError(file, setting_key(loc, raw.get("settings_in")), reason) from None


def setting_key(loc: list[str], settings_in: object) -> str | None:
    """The key path of an error; an interpretation's in the block where the file set it."""
    if len(loc) >= 2 and loc[0] == "interpretations" and isinstance(settings_in, dict):
        return ".".join([settings_in.get(loc[1], "interpretations"), *loc[1:]])
    return ".".join(loc) or None


def _names(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    out: set[str] = set()
    if model in seen:
        return out
    seen.add(model)
    for name, info in model.model_fields.items():
        out.add(name)
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            for inner in (arg, *getattr(arg, "__args__", ())):
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    out |= _names(inner, seen)
    return out


def unknown_key(model: type[BaseModel], loc: list[str]) -> str:
    """'unknown key', with the closest names the terms language knows."""
    close = difflib.get_close_matches(loc[-1], sorted(_names(model, set()) | set(HOME)), n=2, cutoff=0.8)
    return "unknown key (misspelt?)" + (f"; did you mean {' or '.join(close)}?" if close else "")


def parse_toml(text: str, file: str) -> dict[str, Any]:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
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


def gather_settings(raw: dict[str, Any], file: str) -> dict[str, Any]:
    """A letter-form file with each interpretation taken from the block it belongs to (`HOME`) into
    `interpretations`, and `settings_in` saying where each was set. A setting in another block, or set
    twice, is refused naming the key."""
    out = dict(raw)
    flat = raw.get("interpretations", {})
    merged: dict[str, Any] = dict(flat) if isinstance(flat, dict) else flat
    where = {name: "interpretations" for name in merged} if isinstance(merged, dict) else {}
    for block, value in raw.items():
        if block == "interpretations" or not isinstance(value, dict):
            continue
        named = [k for k in value if k in HOME]
        for name in named:
            home, meaning = HOME[name], Interpretations.model_fields[name].description
            if block != home:
                raise TermsError(file, f"{block}.{name}", f"a setting of [{home}] ({meaning}), not of [{block}]")
            if name in where:
                raise TermsError(file, f"{block}.{name}", f"also set in [{where[name]}]: set it once")
            if isinstance(merged, dict):
                merged[name] = value[name]
            where[name] = block
        rest = {k: v for k, v in value.items() if k not in HOME}
        if block in SETTINGS_ONLY:
            if rest:
                known = ", ".join(n for n, h in HOME.items() if h == block)
                raise TermsError(file, f"{block}.{next(iter(rest))}", f"unknown setting (those of [{block}]: {known})")
            del out[block]
        elif named:
            out[block] = rest
    out["interpretations"] = merged
    out["settings_in"] = where
    return out


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
        _validate(ProvisionsFile, raw, file) if form else _validate(TermsFile, gather_settings(raw, file), file)
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
