"""Record facts and answer questions about agreements: the use cases every interface calls."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, PersistenceError, StoredEvent
from sqlalchemy import Engine, create_engine, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from obligations.application import portfolio, tables
from obligations.application.projections import BatchHook, Failed, Projector, rows_of
from obligations.application.store import EventLog, decode_state
from obligations.domain import aggregates
from obligations.domain.aggregates import Agreement, Company, FactRecorded, agreement_uuid, company_uuid
from obligations.domain.errors import (
    InvalidFactError,
    InvalidFactsError,
    InvalidInputError,
    ReadModelsBehindError,
    StoreError,
    UnknownAgreementError,
    VersionMismatchError,
)
from obligations.domain.facts import (
    COMPANY_FACT_TYPES,
    CORRECTION_TYPES,
    FACT_TYPES,
    PERSON_FIELDS,
    Fact,
    Unreadable,
    data_as_json,
)
from obligations.domain.input import SubmittedFact, checked_id, checked_line, parse_data
from obligations.domain.names import matches
from obligations.domain.values import is_valid_id
from obligations.rules.agreement import (
    AnyTerms,
    check_history,
    employment_status,
    explain_item,
    payment_balances,
    readable_types,
    report_diff,
    status_report,
)
from obligations.rules.corrections import Fate, resolution
from obligations.rules.corrections import known_at as known_at_of
from obligations.rules.person import person_as_of
from obligations.terms.loader import resolve_terms, terms_from_text

OPENED_TOPIC = "obligations.domain.aggregates:Agreement.Opened"
RETRIES = 20
LOAD_CHUNK = 200  # agreements whose streams the projector reads in one query
TERMS_CACHE = 256  # parsed terms kept (LRU): a portfolio has one terms file per company or so


@dataclass(frozen=True)
class Recorded:
    agreement_id: str
    agreement_facts: int
    company_facts: int
    created: bool
    version: int = 0  # the agreement stream's version after the write (its ETag)
    company: str = ""
    affects: tuple[str, ...] = ()  # with company facts: every agreement of the company they reach


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
        self._terms_cache: OrderedDict[tuple[str, str | None], tuple[AnyTerms, tuple[int, ...], tuple[Path, ...]]] = (
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
        terms_path: bool = True,
        in_transaction: Callable[[Any, Recorded], None] | None = None,
    ) -> Recorded:
        """All or nothing: every fact is checked against the history before any is appended. With
        `expected_version`, nothing is appended unless the agreement's stream is at that version.
        `terms_path`: whether `terms` may be a path to a TOML file (the command line) or only a key (HTTP).
        `in_transaction(session, recorded)` runs in the transaction that saves the facts (an idempotency key)."""
        recorded_by, source = _who_and_source(recorded_by, source)
        for attempt in range(RETRIES):
            try:
                return self._record_once(
                    agreement_id, facts, recorded_by, terms, source, expected_version, terms_path, in_transaction
                )
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
        terms_path: bool = True,
        in_transaction: Callable[[Any, Recorded], None] | None = None,
    ) -> Recorded:
        agreement, created = self._agreement_for_write(agreement_id, terms_arg, terms_path)
        found = 0 if created else int(agreement.version)
        if expected_version is not None and found != expected_version:
            raise VersionMismatchError(f"agreement {agreement_id} is at version {found}, not {expected_version}")
        company_id = self._terms(agreement).agreement.company
        company = self._company(company_id)
        result = replace(
            self._prepare(agreement, created, company, facts, recorded_by, source), version=int(agreement.version)
        )
        if result.company_facts:  # a company fact reaches every agreement of the company: say which
            members = sorted({*self.company_agreements(company_id), agreement_id})
            result = replace(result, company=company_id, affects=tuple(members))
        with self.log.recorder.transaction(commit=True) as session:  # type: ignore[attr-defined]
            self.log.save(agreement, company)
            if in_transaction is not None:
                in_transaction(session, result)
        self._read_your_writes(f"{len(facts)} fact(s) for agreement {agreement_id}")
        return result

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
        pending = self.checked(terms, existing, facts, recorded_by, source, stamp)
        for fact in pending:
            target: Agreement | Company = company if _in_company_stream(fact) else agreement
            target.trigger_event(
                aggregates.event_class(fact.type),
                date=fact.date.isoformat(),
                data=data_as_json(fact.data),
                recorded_at=stamp.isoformat(),
                recorded_by=recorded_by,
                source=fact.source,
                batch_position=fact.order[1],
            )
        n_company = sum(1 for f in pending if _in_company_stream(f))
        return Recorded(agreement.agreement_id, len(pending) - n_company, n_company, created)

    @staticmethod
    def checked(
        terms: AnyTerms,
        existing: Sequence[Fact],
        facts: Sequence[SubmittedFact],
        recorded_by: str,
        source: str | None,
        stamp: datetime,
        prefix: str = "new",
    ) -> list[Fact]:
        """The submitted facts as they would be recorded at `stamp`, checked against the history (raises
        InvalidFactsError naming every refused line). A correction without a date is dated `stamp`'s day."""
        pending: list[Fact] = []
        lines: dict[str, int | None] = {}
        for position, sub in enumerate(facts):
            fid = f"{prefix}#{position + 1}"
            day = sub.date or stamp.date()
            pending.append(
                Fact(fid, sub.type, day, sub.data, stamp, recorded_by, sub.source or source, (stamp, position))
            )
            lines[fid] = sub.line if sub.line is not None else (position + 1 if len(facts) > 1 else None)
        errors = check_history(terms, existing, pending, lines)
        if errors:
            raise InvalidFactsError(errors)
        return pending

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
        recorded_by, source = _who_and_source(recorded_by, source)
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

    def catch_up(self, what: str) -> None:
        """Bring the read models up to date after `what` was recorded (a write replayed after a crash)."""
        self._read_your_writes(what)

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

    def _agreement_for_write(
        self, agreement_id: str, terms_arg: str | None, terms_path: bool = True
    ) -> tuple[Agreement, bool]:
        existing = self._get(agreement_uuid(agreement_id))
        if existing is not None:
            if terms_arg is not None:
                key, _, _ = resolve_terms(terms_arg, self.config_dir, terms_path)
                if key != existing.terms_key:
                    raise InvalidInputError(
                        f"agreement {agreement_id} already uses terms {existing.terms_key!r}, not {key!r}"
                    )
            return existing, False
        checked_id(agreement_id, field="agreement")
        if terms_arg is None:
            raise UnknownAgreementError(f"unknown agreement {agreement_id!r}: give --terms KEY_OR_PATH to create it")
        key, text, file = resolve_terms(terms_arg, self.config_dir, terms_path)
        by_key = is_valid_id(terms_arg) and (self.config_dir / "agreements" / f"{terms_arg}.toml").is_file()
        terms = self._terms_of(key, None if by_key else text, (text, file))
        return Agreement(
            agreement_id=agreement_id,
            company_id=terms.agreement.company,
            terms_key=key,
            terms_toml=None if by_key else text,
        ), True

    def _company(self, company_id: str) -> Company:
        return self._get(company_uuid(company_id)) or Company(company_id=company_id)

    def _get(self, uid: Any) -> Any:
        """The aggregate at its last version, every event read through the mapper. A fact event that fails
        to decode does not stop it: it is kept as an unreadable fact (shown, retractable), and the
        aggregate's version counts it, so a write appends after it."""
        recorder: Any = self.log.recorder
        aggregate: Any = None
        for stored in recorder.select_events(uid):
            try:
                event = self.log.mapper.to_domain_event(stored)
            except Exception as exc:
                if aggregate is None:
                    raise StoreError(f"stream {uid}: its opening event cannot be read ({exc})") from exc
                aggregate.facts.append(_undecodable(stored, exc))
                aggregate._version = stored.originator_version
                continue
            aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
        return aggregate

    # -- reading --------------------------------------------------------------------------------

    def exists(self, agreement_id: str) -> bool:
        return self._get(agreement_uuid(agreement_id)) is not None

    def agreement(self, agreement_id: str) -> Agreement:
        found = self._get(agreement_uuid(agreement_id))
        if found is None:
            raise UnknownAgreementError(f"unknown agreement {agreement_id!r}")
        return found  # type: ignore[no-any-return]

    def _terms(self, agreement: Agreement) -> AnyTerms:
        return self._terms_of(agreement.terms_key, agreement.terms_toml)

    def _terms_of(self, key: str, toml: str | None, resolved: tuple[str, str] | None = None) -> AnyTerms:
        """Parsed once per file version: an entry is checked against its two files' modification times.
        `toml` is the text stored with an agreement (terms given by path), None for terms by key;
        `resolved` the (text, file name) already read, used on a miss."""
        cache_key = (key, toml)
        entry = self._terms_cache.get(cache_key)
        if entry is not None and entry[1] == _stamps(entry[2]):
            self._terms_cache.move_to_end(cache_key)
            return entry[0]
        if toml is not None:
            text, file = toml, resolved[1] if resolved else f"stored terms {key}"
            paths: tuple[Path, ...] = ()
        else:
            text, file = resolved or resolve_terms(key, self.config_dir, allow_path=False)[1:]
            paths = (Path(file),)
        terms = terms_from_text(text, file, self.config_dir)
        paths += (self.config_dir / "companies" / f"{terms.agreement.company}.toml",)
        self._terms_cache[cache_key] = (terms, _stamps(paths), paths)
        if len(self._terms_cache) > TERMS_CACHE:
            self._terms_cache.popitem(last=False)
        return terms

    def _facts(self, agreement: Agreement | None, company: Company | None) -> list[Fact]:
        out = [_fact(agreement.agreement_id, e) for e in agreement.facts] if agreement is not None else []
        if company is not None:
            out += [_fact(f"company:{company.company_id}", e) for e in company.facts]
        return sorted(out, key=lambda f: f.sort_key)

    def facts_of(self, agreement_id: str, known_at: datetime | None = None) -> tuple[Agreement, AnyTerms, list[Fact]]:
        """The agreement, its terms and its and its company's facts as recorded (corrections included, not
        applied: the rules apply them), limited to those recorded at or before `known_at` when given."""
        agreement = self.agreement(agreement_id)
        terms = self._terms(agreement)
        company = self._get(company_uuid(agreement.company_id))
        facts = self._facts(agreement, company)
        if known_at is not None:
            if not any(f.recorded_at <= known_at and f.id.startswith(f"{agreement_id}#") for f in facts):
                raise UnknownAgreementError(
                    f"nothing was recorded for agreement {agreement_id!r} at or before {known_at.isoformat()}"
                )
            facts = known_at_of(facts, known_at)
        return agreement, terms, facts

    def projection_inputs(self, agreement_ids: list[str]) -> Iterator[tuple[str, AnyTerms, list[Fact]] | Failed]:
        """For the projector: each agreement's terms and facts, read as stored events (no aggregate is
        rebuilt). The streams are read LOAD_CHUNK agreements to a query, and each company stream once per
        call."""
        companies: dict[str, list[Fact] | Exception] = {}
        for n in range(0, len(agreement_ids), LOAD_CHUNK):
            part = agreement_ids[n : n + LOAD_CHUNK]
            stored = self._select_streams([agreement_uuid(a) for a in part])  # a database error raises
            streams: dict[str, tuple[dict[str, Any] | None, list[Fact]] | Exception] = {}
            for agreement_id in part:
                try:
                    streams[agreement_id] = _read_stream(self.log, stored.get(agreement_uuid(agreement_id), []),
                                                         agreement_id)  # fmt: skip
                except Exception as exc:  # a stream that cannot be read
                    streams[agreement_id] = exc
            wanted = {s[0]["company_id"] for s in streams.values() if not isinstance(s, Exception) and s[0]}
            new = sorted(wanted - companies.keys())
            stored = self._select_streams([company_uuid(c) for c in new])
            for company_id in new:
                try:
                    companies[company_id] = _read_stream(
                        self.log, stored.get(company_uuid(company_id), []), f"company:{company_id}"
                    )[1]
                except Exception as exc:  # every agreement of the company is quarantined with this error
                    companies[company_id] = exc
            for agreement_id in part:
                try:
                    yield self._projection_input(agreement_id, streams[agreement_id], companies)
                except (SQLAlchemyError, PersistenceError):
                    raise  # the database itself failed: the batch fails and is retried, nothing is quarantined
                except Exception as exc:  # a terms file that no longer loads, a stream that cannot be read
                    yield Failed.of(agreement_id, exc)

    def _select_streams(self, uids: list[UUID]) -> dict[UUID, list[StoredEvent]]:
        """The stored events of some streams in one query, each stream in version order."""
        out: dict[UUID, list[StoredEvent]] = {}
        if not uids:
            return out
        recorder: Any = self.log.recorder
        t = recorder.events_record_cls.__table__
        query = (
            select(t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
            .where(t.c.originator_id.in_(uids))
            .order_by(t.c.originator_id, t.c.originator_version)
        )
        with recorder.transaction(commit=False) as session:
            for uid, version, topic, state in session.execute(query):
                state = bytes(state) if isinstance(state, memoryview) else state
                out.setdefault(uid, []).append(StoredEvent(uid, version, topic, state))
        return out

    def _projection_input(
        self,
        agreement_id: str,
        stream: tuple[dict[str, Any] | None, list[Fact]] | Exception,
        companies: dict[str, list[Fact] | Exception],
    ) -> tuple[str, AnyTerms, list[Fact]]:
        if isinstance(stream, Exception):
            raise stream
        opened, facts = stream
        if opened is None:
            raise UnknownAgreementError(f"unknown agreement {agreement_id!r}")
        company_facts = companies[opened["company_id"]]
        if isinstance(company_facts, Exception):
            raise company_facts
        agreement = Agreement.__new__(Agreement)  # only what _terms reads
        agreement.terms_key, agreement.terms_toml = opened["terms_key"], opened.get("terms_toml")
        merged = sorted([*facts, *company_facts], key=lambda f: f.sort_key)
        return agreement_id, self._terms(agreement), merged

    def status(
        self, agreement_id: str, as_of: Sequence[date], known_at: datetime | None = None
    ) -> list[dict[str, Any]]:
        return self.versioned_status(agreement_id, as_of, known_at)[1]

    def versioned_status(
        self, agreement_id: str, as_of: Sequence[date], known_at: datetime | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """The reports and the agreement stream's version they were computed at (one read of the stream).
        With `known_at`: the reports as they would have been computed then, from the facts recorded by then."""
        agreement, terms, facts = self.facts_of(agreement_id, known_at)
        return int(agreement.version), [status_report(terms, facts, day) for day in as_of]

    def recordable_types(self, agreement_id: str) -> list[str]:
        """The fact types the agreement's terms read (a recording form offers these; corrections apart)."""
        return readable_types(self.facts_of(agreement_id)[1])

    def history(self, agreement_id: str, known_at: datetime | None = None) -> list[dict[str, Any]]:
        """Every recorded fact, originals and corrections alike, in effective order, each with its fate."""
        _, _, facts = self.facts_of(agreement_id, known_at)
        return history_rows(facts)

    def company_agreements(self, company_id: str) -> list[str]:
        """The agreements of a company (from the read model of streams), sorted."""
        streams = tables.streams.c
        with self.log.engine.connect() as conn:
            members = conn.execute(
                select(streams.name).where(streams.company_id == company_id, streams.kind == "agreement")
            ).scalars()
            return sorted(members)

    def company_history(self, company_id: str, known_at: datetime | None = None) -> list[dict[str, Any]]:
        """A company's facts and the facts of all its agreements, for an audit: one row per recorded fact."""
        rows: list[dict[str, Any]] = []
        company = self._get(company_uuid(company_id))
        if company is None:
            raise InvalidInputError(f"unknown company {company_id!r}")
        company_facts = known_at_of(self._facts(company=company, agreement=None), known_at)
        for row in history_rows(company_facts):
            rows.append({"agreement": None, **row})
        for agreement_id in self.company_agreements(company_id):
            agreement = self.agreement(agreement_id)
            own = known_at_of(self._facts(agreement, None), known_at)
            fates = resolution([*own, *company_facts])[1]
            rows += [{"agreement": agreement_id, **row} for row in history_rows(own, fates)]
        return sorted(rows, key=lambda r: (r["recorded_at"], r["agreement"] or "", r["id"]))

    def what_if(
        self, agreement_id: str, as_of: Sequence[date], facts: Sequence[SubmittedFact], asked_by: str
    ) -> list[dict[str, Any]]:
        """The reports as they would be if `facts` were recorded now, and what that changes. The facts are
        checked as a real recording would check them; nothing is stored and nothing is sent."""
        _, terms, existing = self.facts_of(agreement_id)
        stamp = max([self.clock(), *(f.recorded_at for f in existing)])
        hypothetical = self.checked(terms, existing, facts, asked_by, "what-if", stamp, prefix="what-if")
        supposed = [*existing, *hypothetical]
        # A company fact would reach every agreement of the company (as a recording would): each is compared.
        shared = [f for f in hypothetical if _in_company_stream(f)]
        company_id = terms.agreement.company
        others = [a for a in self.company_agreements(company_id) if a != agreement_id] if shared else []
        theirs = []
        for other in others:
            _, other_terms, other_existing = self.facts_of(other)
            theirs.append((other, other_terms, other_existing, [*other_existing, *shared]))
        out = []
        for day in as_of:
            actual, changed = status_report(terms, existing, day), status_report(terms, supposed, day)
            diff = report_diff(terms, actual, changed, existing, supposed, day)
            answer: dict[str, Any] = {"as_of": day.isoformat(), "diff": diff, "actual": actual, "what_if": changed}
            if shared:
                answer["company"] = company_id
                answer["other_agreements"] = [
                    {
                        "agreement": other,
                        "diff": report_diff(
                            other_terms, status_report(other_terms, before, day),
                            status_report(other_terms, after, day), before, after, day,
                        ),
                    }
                    for other, other_terms, before, after in theirs
                ]  # fmt: skip
            out.append(answer)
        return out

    def explain(self, agreement_id: str, item_id: str, as_of: date, known_at: datetime | None = None) -> dict[str, Any]:
        """How one item of the report came to be: clauses, interpretations, facts and arithmetic."""
        agreement, terms, facts = self.facts_of(agreement_id, known_at)
        where = (
            f"terms stored with agreement {agreement_id} (key {agreement.terms_key})"
            if agreement.terms_toml is not None
            else f"agreements/{agreement.terms_key}.toml in the configuration folder"
        )
        out = explain_item(terms, facts, as_of, item_id, where)
        return {"agreement": agreement_id, "terms": agreement.terms_key, **out}

    def items_as_known_at(self, known_at: datetime, company: str | None = None) -> Engine:
        """A scratch read model (in memory) of every agreement as known at `known_at`: the portfolio queries
        run on it unchanged. Built by replaying the log, so it costs a rebuild of the agreements asked for."""
        engine = create_engine("sqlite://", poolclass=StaticPool)
        tables.metadata.create_all(engine)
        jobs = []
        for loaded in self.projection_inputs(self.agreement_ids()):
            if isinstance(loaded, Failed):
                continue  # quarantined (projections status lists it): it has no rows to show
            agreement_id, terms, facts = loaded
            if company is not None and terms.agreement.company != company:
                continue
            facts = known_at_of(facts, known_at)
            if any(f.id.startswith(f"{agreement_id}#") for f in facts):
                jobs.append((agreement_id, terms.agreement.company, terms, facts))
        rows = rows_of(jobs)
        if rows:
            with engine.begin() as conn:
                conn.execute(insert(tables.items), rows)
        return engine

    def agreement_ids(self) -> list[str]:
        return [state["agreement_id"] for state in self._opened_agreements()]

    def _opened_agreements(self) -> list[dict[str, Any]]:
        """Each agreement's opening state (agreement_id, company_id, terms_key), in the order they were opened."""
        states: list[dict[str, Any]] = []
        start: int | None = None
        while True:
            page = self.log.recorder.select_notifications(start=start, limit=500, topics=[OPENED_TOPIC])
            if not page:
                return states
            states += [decode_state(self.log, n.state) for n in page]
            start = page[-1].id + 1

    def agreements(
        self,
        today: date,
        company: str | None = None,
        status: str | None = None,
        search: str | None = None,
        overdue_only: bool = False,
    ) -> list[dict[str, Any]]:
        """Every agreement with its company, terms, who the employee is, the employment status on `today` and
        how many payments and obligations are overdue then (the read model's `overdue`); only those of
        `company`, of employment `status`, with something overdue, or whose id, name, work email, title,
        department or manager contains `search` (any case), when given. An agreement whose facts or terms cannot
        be read is listed with employment status `unreadable` and the reason (`error`)."""
        late: dict[str, int] = {}
        for item in portfolio.overdue(self.log.engine, today, company):
            if item["kind"] in ("payment", "obligation"):
                late[item["agreement"]] = late.get(item["agreement"], 0) + 1
        opened = {
            state["agreement_id"]: state
            for state in self._opened_agreements()
            if company is None or state["company_id"] == company
        }
        rows = []
        for loaded in self.projection_inputs(list(opened)):  # the streams read many to a query
            agreement_id = loaded.agreement_id if isinstance(loaded, Failed) else loaded[0]
            state = opened[agreement_id]
            row: dict[str, Any] = {"agreement": agreement_id, "company": state["company_id"],
                                   "terms": state["terms_key"]}  # fmt: skip
            error = loaded.error if isinstance(loaded, Failed) else None
            if not isinstance(loaded, Failed):
                _, terms, facts = loaded
                try:
                    person = person_as_of(facts, today)
                    status_on, termination_date = employment_status(terms, facts, today)
                except Exception as exc:  # e.g. an unreadable fact in effect
                    error = str(exc)
            if error is not None:  # an agreement that cannot be read is listed as such and holds up no other
                row |= {"facts": None, **dict.fromkeys(PERSON_FIELDS), "employment_status": "unreadable",
                        "termination_date": None, "error": error[:500]}  # fmt: skip
            else:
                row |= {"facts": len(facts), **{field: person[field] for field in PERSON_FIELDS},
                        "employment_status": status_on, "termination_date": termination_date}  # fmt: skip
            row["overdue"] = late.get(agreement_id, 0)
            if status is not None and row["employment_status"] != status:
                continue
            if overdue_only and not row["overdue"]:
                continue
            if search and not matches([row[k] for k in ("agreement", *PERSON_FIELDS)], search):
                continue
            rows.append(row)
        return rows

    def payment_balances(self, agreement_id: str, report: dict[str, Any], day: date) -> dict[str, dict[str, str]]:
        """Paid and outstanding per payment of `report` (the agreement's report as of `day`)."""
        _, _, facts = self.facts_of(agreement_id)
        return payment_balances(report, facts, day)

    def person(self, agreement_id: str, day: date) -> dict[str, Any]:
        """Who the employee of an agreement is on `day` (`rules.person`): every field None when unrecorded."""
        _, _, facts = self.facts_of(agreement_id)
        return person_as_of(facts, day)


def history_rows(facts: Sequence[Fact], fates: Mapping[str, Fate] | None = None) -> list[dict[str, Any]]:
    """The audit view of recorded facts: what was recorded, when, by whom, from what, and what became of it."""
    if fates is None:
        fates = resolution(facts)[1]
    rows = []
    for f in sorted(facts, key=lambda f: f.sort_key):
        row: dict[str, Any] = {
            "id": f.id,
            "type": f.type,
            "date": f.date.isoformat(),
            "data": data_as_json(f.data),
            "recorded_at": f.recorded_at.isoformat(),
            "recorded_by": f.recorded_by,
            "source": f.source,
            "stream": "company" if f.id.startswith("company:") else "agreement",
        }
        fate = fates.get(f.id)
        if f.type in CORRECTION_TYPES:
            row["state"] = "correction"
            row["corrects"] = getattr(f.data, "fact_id", None)
        elif fate is None:
            row["state"] = "in_effect"
        else:
            row["state"] = fate.state
            row[f"{fate.state}_by"] = fate.by.id
        if f.type == "FactCorrected":
            fate = fates.get(f.id)
            if fate is not None:  # a correction corrected or retracted in its turn
                row["state"] = f"correction_{fate.state}"
                row[f"{fate.state}_by"] = fate.by.id
        rows.append(row)
    return rows


def _who_and_source(recorded_by: str, source: str | None) -> tuple[str, str | None]:
    """Who records and from what document: one line of text each, like any stored string."""
    by = checked_line(recorded_by, "by", "who records the facts")
    if not by.strip():
        raise InvalidFactError("who records the facts must not be empty", field="by")
    return by, None if source is None else checked_line(source, "source", "a document reference")


def _in_company_stream(fact: Fact) -> bool:
    """Company facts, and corrections of company facts, go to the company's stream."""
    if fact.type in CORRECTION_TYPES:
        return str(fact.data.fact_id).startswith("company:")
    return fact.type in COMPANY_FACT_TYPES


def _read_stream(log: EventLog, stored: Iterable[StoredEvent], name: str) -> tuple[dict[str, Any] | None, list[Fact]]:
    """A stream's opening state and its facts; a fact whose state cannot be decoded is kept as unreadable."""
    opened: dict[str, Any] | None = None
    facts: list[Fact] = []
    for event in stored:
        fact_type = event.topic.rpartition(":")[2]
        try:
            state = decode_state(log, event.state)
        except Exception as exc:
            if fact_type.endswith(".Opened"):
                raise StoreError(f"stream {name}: its opening event cannot be read ({exc})") from exc
            facts.append(_fact(name, _undecodable(event, exc)))
            continue
        if fact_type.endswith(".Opened"):
            opened = state
            continue
        facts.append(_to_fact(name, event.originator_version, fact_type, state))
    return opened, facts


def _stamps(paths: tuple[Path, ...]) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


def _fact(stream: str, e: FactRecorded) -> Fact:
    return _to_fact(stream, e.originator_version, type(e).__name__, vars(e))


def _to_fact(stream: str, version: int, fact_type: str, fields: Mapping[str, Any]) -> Fact:
    """A stored fact event (an event object's fields, or a decoded stored state) as a rules `Fact`. Data that
    no longer reads back (a value an older version accepted) is kept as `Unreadable`, never raised here:
    the fact can still be listed, retracted and corrected."""
    if "unreadable" in fields:
        return Fact(f"{stream}#{version}", fact_type, date.min, Unreadable(None, fields["unreadable"]),
                    EARLIEST, "?", None, (EARLIEST, version))  # fmt: skip
    recorded_at = datetime.fromisoformat(fields["recorded_at"])
    data: Any
    try:
        data = parse_data(fact_type, fields["data"]) if fact_type in FACT_TYPES else None
        if data is None:
            data = Unreadable(fields["data"], f"unknown fact type {fact_type!r}")
    except InvalidFactError as exc:
        data = Unreadable(fields["data"], exc.describe())
    return Fact(
        f"{stream}#{version}",
        fact_type,
        date.fromisoformat(fields["date"]),
        data,
        recorded_at,
        fields["recorded_by"],
        fields["source"],
        (recorded_at, fields["batch_position"]),
    )


EARLIEST = datetime.min.replace(tzinfo=UTC)


def _undecodable(stored: Any, exc: Exception) -> Any:
    """A stand-in for a stored fact event whose state cannot be decoded: its version and type are known."""
    event = object.__new__(aggregates.event_class(_type_of(stored.topic)))
    reason = f"its stored state cannot be decoded ({type(exc).__name__})"
    object.__setattr__(event, "__dict__", {"originator_version": stored.originator_version, "unreadable": reason})
    return event


def _type_of(topic: str) -> str:
    name = topic.rpartition(":")[2]
    try:
        aggregates.event_class(name)
        return name
    except KeyError:
        return "FactRecorded"
