"""Record facts and answer questions about agreements: the use cases every interface calls."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from obligations.application.projections import BatchHook, Projector
from obligations.application.store import EventLog
from obligations.domain import aggregates
from obligations.domain.aggregates import Agreement, Company, FactRecorded, agreement_uuid, company_uuid
from obligations.domain.errors import (
    InvalidFactsError,
    InvalidInputError,
    ReadModelsBehindError,
    StoreError,
    UnknownAgreementError,
    VersionMismatchError,
)
from obligations.domain.facts import COMPANY_FACT_TYPES, Fact, data_as_json
from obligations.domain.input import SubmittedFact, parse_data
from obligations.rules.report import status_report
from obligations.rules.validation import check_history
from obligations.terms.agreement_terms import Terms
from obligations.terms.loader import resolve_terms, terms_from_text

OPENED_TOPIC = "obligations.domain.aggregates:Agreement.Opened"
RETRIES = 20
TERMS_CACHE = 256  # parsed terms kept (LRU): a portfolio has one terms file per company or so


@dataclass(frozen=True)
class Recorded:
    agreement_id: str
    agreement_facts: int
    company_facts: int
    created: bool
    version: int = 0  # the agreement stream's version after the write (its ETag)


class Obligations:
    """The service layer. `clock` gives the recording time; it is injected so tests control it."""

    def __init__(
        self,
        log: EventLog,
        config_dir: Path,
        clock: Callable[[], datetime] | None = None,
        projection_hook: BatchHook | None = None,
    ) -> None:
        self.log = log
        self.config_dir = config_dir
        self.clock = clock or (lambda: datetime.now(UTC))
        self._last_stamp = datetime.min.replace(tzinfo=UTC)
        self._terms_cache: OrderedDict[tuple[str, str | None], tuple[Terms, tuple[int, ...], tuple[Path, ...]]] = (
            OrderedDict()
        )
        self.projector = Projector(log, self.projection_inputs, hook=projection_hook)
        self.on_wait: Callable[[], None] | None = None  # told when a write waits for another projector

    # -- writing --------------------------------------------------------------------------------

    def record(
        self,
        agreement_id: str,
        facts: Sequence[SubmittedFact],
        recorded_by: str,
        terms: str | None = None,
        source: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """All or nothing: every fact is checked against the history before any is appended. With
        `expected_version`, nothing is appended unless the agreement's stream is at that version."""
        for attempt in range(RETRIES):
            try:
                return self._record_once(agreement_id, facts, recorded_by, terms, source, expected_version)
            except IntegrityError:
                time.sleep(0.005 * (attempt + 1))  # another writer appended first: reload and re-check
        raise StoreError(f"agreement {agreement_id}: {RETRIES} concurrent writes in a row; nothing recorded")

    def _record_once(
        self,
        agreement_id: str,
        facts: Sequence[SubmittedFact],
        recorded_by: str,
        terms_arg: str | None,
        source: str | None,
        expected_version: int | None = None,
    ) -> Recorded:
        agreement, created = self._agreement_for_write(agreement_id, terms_arg)
        found = 0 if created else int(agreement.version)
        if expected_version is not None and found != expected_version:
            raise VersionMismatchError(f"agreement {agreement_id} is at version {found}, not {expected_version}")
        company = self._company(self._terms(agreement).agreement.company)
        result = self._prepare(agreement, created, company, facts, recorded_by, source)
        self.log.save(agreement, company)
        self._read_your_writes(f"{len(facts)} fact(s) for agreement {agreement_id}")
        return replace(result, version=int(agreement.version))

    def _prepare(
        self,
        agreement: Agreement,
        created: bool,
        company: Company,
        facts: Sequence[SubmittedFact],
        recorded_by: str,
        source: str | None,
    ) -> Recorded:
        """Check the facts against the whole history and trigger their events; saving is the caller's."""
        terms = self._terms(agreement)
        existing = self._facts(agreement, company)
        stamp = self._stamp()
        pending: list[tuple[Agreement | Company, Fact, SubmittedFact]] = []
        lines: dict[str, int | None] = {}
        for position, sub in enumerate(facts):
            target: Agreement | Company = company if sub.type in COMPANY_FACT_TYPES else agreement
            fid = f"new#{position}"
            fact = Fact(fid, sub.type, sub.date, sub.data, stamp, recorded_by, sub.source or source, (stamp, position))
            pending.append((target, fact, sub))
            lines[fid] = sub.line if sub.line is not None else (position + 1 if len(facts) > 1 else None)
        errors = check_history(terms, existing, [p[1] for p in pending], lines)
        if errors:
            raise InvalidFactsError(errors)
        for target, fact, sub in pending:
            target.trigger_event(
                aggregates.event_class(sub.type),
                date=sub.date.isoformat(),
                data=data_as_json(sub.data),
                recorded_at=stamp.isoformat(),
                recorded_by=recorded_by,
                source=fact.source,
                batch_position=fact.order[1],
            )
        n_company = sum(1 for p in pending if isinstance(p[0], Company))
        return Recorded(agreement.agreement_id, len(pending) - n_company, n_company, created)

    def record_portfolio(
        self,
        groups: Iterable[tuple[str, str | None, Sequence[SubmittedFact]]],
        recorded_by: str,
        source: str | None = None,
        chunk: int = 500,
        progress: Callable[[int, int], None] | None = None,
        project: bool = True,
    ) -> tuple[int, int]:
        """Many agreements in ONE transaction, saved in chunks so memory stays flat: all or nothing.

        Returns (agreements, facts). On PostgreSQL the event table stays locked until the commit."""
        agreements: dict[str, Agreement] = {}
        companies: dict[str, Company] = {}
        n_agreements = n_facts = 0
        with self.log.recorder.transaction(commit=True):  # type: ignore[attr-defined]
            for agreement_id, terms_arg, facts in groups:
                agreement = agreements.get(agreement_id)
                created = False
                if agreement is None:
                    agreement, created = self._agreement_for_write(agreement_id, terms_arg)
                    agreements[agreement_id] = agreement
                company_id = self._terms(agreement).agreement.company
                company = companies.get(company_id) or self._company(company_id)
                companies[company_id] = company
                done = self._prepare(agreement, created, company, facts, recorded_by, source)
                n_facts += done.agreement_facts + done.company_facts
                n_agreements += 1
                if len(agreements) >= chunk:
                    self._save_all(agreements, companies)
                    if progress:
                        progress(n_agreements, n_facts)
            self._save_all(agreements, companies)
        if project:  # read your writes; a bench times the two apart
            self._read_your_writes(f"{n_facts} fact(s) for {n_agreements} agreement(s)")
        return n_agreements, n_facts

    def _read_your_writes(self, what: str) -> None:
        try:
            self.projector.catch_up(on_wait=self.on_wait)
        except Exception as exc:  # the facts are stored: say so, and how to finish
            raise ReadModelsBehindError(
                f"recorded {what}, but the read models could not be brought up to date ({exc}); "
                "fix the cause and run `obligations projections catch-up`"
            ) from exc

    def _save_all(self, agreements: dict[str, Agreement], companies: dict[str, Company]) -> None:
        self.log.save(*agreements.values(), *companies.values())
        agreements.clear()  # companies stay: later agreements of the same company build on them

    def _stamp(self) -> datetime:
        """Recording time, strictly increasing within this process (same-day order is recording order)."""
        now = self.clock()
        if now <= self._last_stamp:
            now = self._last_stamp + timedelta(microseconds=1)
        self._last_stamp = now
        return now

    def _agreement_for_write(self, agreement_id: str, terms_arg: str | None) -> tuple[Agreement, bool]:
        existing = self._get(agreement_uuid(agreement_id))
        if existing is not None:
            if terms_arg is not None:
                key, _, _ = resolve_terms(terms_arg, self.config_dir)
                if key != existing.terms_key:
                    raise InvalidInputError(
                        f"agreement {agreement_id} already uses terms {existing.terms_key!r}, not {key!r}"
                    )
            return existing, False
        if terms_arg is None:
            raise UnknownAgreementError(f"unknown agreement {agreement_id!r}: give --terms KEY_OR_PATH to create it")
        key, text, file = resolve_terms(terms_arg, self.config_dir)
        terms = terms_from_text(text, file, self.config_dir)
        by_key = (self.config_dir / "agreements" / f"{terms_arg}.toml").is_file()
        return Agreement(
            agreement_id=agreement_id,
            company_id=terms.agreement.company,
            terms_key=key,
            terms_toml=None if by_key else text,
        ), True

    def _company(self, company_id: str) -> Company:
        return self._get(company_uuid(company_id)) or Company(company_id=company_id)

    def _get(self, uid: Any) -> Any:
        try:
            return self.log.repository.get(uid)
        except AggregateNotFoundError:
            return None

    # -- reading --------------------------------------------------------------------------------

    def exists(self, agreement_id: str) -> bool:
        return self._get(agreement_uuid(agreement_id)) is not None

    def agreement(self, agreement_id: str) -> Agreement:
        found = self._get(agreement_uuid(agreement_id))
        if found is None:
            raise UnknownAgreementError(f"unknown agreement {agreement_id!r}")
        return found  # type: ignore[no-any-return]

    def _terms(self, agreement: Agreement) -> Terms:
        """Parsed once per file version: an entry is checked against its two files' modification times."""
        cache_key = (agreement.terms_key, agreement.terms_toml)
        entry = self._terms_cache.get(cache_key)
        if entry is not None and entry[1] == _stamps(entry[2]):
            self._terms_cache.move_to_end(cache_key)
            return entry[0]
        if agreement.terms_toml is not None:
            text, file = agreement.terms_toml, f"stored terms {agreement.terms_key}"
            paths: tuple[Path, ...] = ()
        else:
            _, text, file = resolve_terms(agreement.terms_key, self.config_dir)
            paths = (Path(file),)
        terms = terms_from_text(text, file, self.config_dir)
        paths += (self.config_dir / "companies" / f"{terms.agreement.company}.toml",)
        self._terms_cache[cache_key] = (terms, _stamps(paths), paths)
        if len(self._terms_cache) > TERMS_CACHE:
            self._terms_cache.popitem(last=False)
        return terms

    def _facts(self, agreement: Agreement, company: Company | None) -> list[Fact]:
        out = [_fact(agreement.agreement_id, e) for e in agreement.facts]
        if company is not None:
            out += [_fact(f"company:{company.company_id}", e) for e in company.facts]
        return sorted(out, key=lambda f: f.sort_key)

    def facts_of(self, agreement_id: str) -> tuple[Agreement, Terms, list[Fact]]:
        agreement = self.agreement(agreement_id)
        terms = self._terms(agreement)
        company = self._get(company_uuid(agreement.company_id))
        return agreement, terms, self._facts(agreement, company)

    def projection_inputs(self, agreement_ids: list[str]) -> Iterator[tuple[str, Terms, list[Fact]]]:
        """For the projector: each agreement's terms and facts, read as stored events (no aggregate is
        rebuilt); each company stream is read once per call."""
        companies: dict[str, list[Fact]] = {}
        for agreement_id in agreement_ids:
            opened, facts = self._stream(agreement_uuid(agreement_id), agreement_id)
            if opened is None:
                raise UnknownAgreementError(f"unknown agreement {agreement_id!r}")
            company_id = opened["company_id"]
            if company_id not in companies:
                companies[company_id] = self._stream(company_uuid(company_id), f"company:{company_id}")[1]
            agreement = Agreement.__new__(Agreement)  # only what _terms reads
            agreement.terms_key, agreement.terms_toml = opened["terms_key"], opened.get("terms_toml")
            merged = sorted([*facts, *companies[company_id]], key=lambda f: f.sort_key)
            yield agreement_id, self._terms(agreement), merged

    def _stream(self, uid: Any, name: str) -> tuple[dict[str, Any] | None, list[Fact]]:
        recorder: Any = self.log.recorder
        decode = self.log.mapper.transcoder.decode
        opened: dict[str, Any] | None = None
        facts: list[Fact] = []
        for stored in recorder.select_events(uid):
            state = decode(stored.state)
            fact_type = stored.topic.rpartition(":")[2]
            if fact_type.endswith(".Opened"):
                opened = state
                continue
            facts.append(_to_fact(name, stored.originator_version, fact_type, state))
        return opened, facts

    def status(self, agreement_id: str, as_of: Sequence[date]) -> list[dict[str, Any]]:
        return self.versioned_status(agreement_id, as_of)[1]

    def versioned_status(self, agreement_id: str, as_of: Sequence[date]) -> tuple[int, list[dict[str, Any]]]:
        """The reports and the agreement stream's version they were computed at (one read of the stream)."""
        agreement, terms, facts = self.facts_of(agreement_id)
        return int(agreement.version), [status_report(terms, facts, day) for day in as_of]

    def history(self, agreement_id: str) -> list[dict[str, Any]]:
        _, _, facts = self.facts_of(agreement_id)
        return [
            {
                "id": f.id,
                "type": f.type,
                "date": f.date.isoformat(),
                "data": data_as_json(f.data),
                "recorded_at": f.recorded_at.isoformat(),
                "recorded_by": f.recorded_by,
                "source": f.source,
                "stream": "company" if f.is_company_fact else "agreement",
            }
            for f in facts
        ]

    def agreement_ids(self) -> list[str]:
        ids: list[str] = []
        start: int | None = None
        while True:
            page = self.log.recorder.select_notifications(start=start, limit=500, topics=[OPENED_TOPIC])
            if not page:
                return ids
            ids += [json.loads(n.state)["agreement_id"] for n in page]
            start = page[-1].id + 1

    def agreements(self, today: date) -> list[dict[str, Any]]:
        rows = []
        for agreement_id in self.agreement_ids():
            agreement, terms, facts = self.facts_of(agreement_id)
            row: dict[str, Any] = {
                "agreement": agreement_id,
                "company": agreement.company_id,
                "terms": agreement.terms_key,
                "facts": len(facts),
            }
            try:
                employment = status_report(terms, facts, today)["employment"]
                row["employment_status"] = employment["status"]
                row["termination_date"] = employment.get("termination_date")
            except InvalidInputError:
                row["employment_status"] = "not_started"
                row["termination_date"] = None
            rows.append(row)
        return rows


def _stamps(paths: tuple[Path, ...]) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


def _fact(stream: str, e: FactRecorded) -> Fact:
    return _to_fact(stream, e.originator_version, type(e).__name__, vars(e))


def _to_fact(stream: str, version: int, fact_type: str, fields: Mapping[str, Any]) -> Fact:
    """A stored fact event (an event object's fields, or a decoded stored state) as a rules `Fact`."""
    recorded_at = datetime.fromisoformat(fields["recorded_at"])
    return Fact(
        f"{stream}#{version}",
        fact_type,
        date.fromisoformat(fields["date"]),
        parse_data(fact_type, fields["data"]),
        recorded_at,
        fields["recorded_by"],
        fields["source"],
        (recorded_at, fields["batch_position"]),
    )
