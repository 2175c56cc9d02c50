"""Read models: equal to every agreement's status at many as-of dates, exactly once through kills and races."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from obligations import synthetic
from obligations.application import portfolio, projections, tables
from obligations.application import service as service_module
from obligations.application.projections import REBUILD_BATCH, item_from_row, rows_of
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.interfaces.cli import main
from obligations.rules.agreement import status_report
from obligations.rules.item import decides, item_status
from obligations.rules.items import items_view, report_view

CLI = [sys.executable, "-c", "import sys; from obligations.interfaces.cli import main; sys.exit(main())"]


def generated(tmp_path: Path, agreements: int, seed: int, years: int = 3) -> Path:
    out = tmp_path / "portfolio"
    synthetic.write(out, agreements, seed, years=years)
    return out


def cli(db: str, pf: Path, *args: str) -> int:
    return main(["--database", db, "--config-dir", str(pf / "config"), *args])


def spawn(db: str, pf: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "--database", db, "--config-dir", str(pf / "config"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def service(db: str, pf: Path) -> Obligations:
    return Obligations(open_log(db, pf), pf / "config")


def dump(svc: Obligations) -> list[tuple[Any, ...]]:
    """Every read-model row but its surrogate key, sorted: two projections are equal when their dumps are."""
    cols = [c for c in tables.items.c if c.name != "row_id"]
    with svc.log.engine.connect() as conn:
        rows = conn.execute(select(*cols)).all()
    return sorted((tuple(r) for r in rows), key=repr)


def check_against_reports(svc: Obligations, rng: random.Random, per_agreement: int) -> int:
    """Compare the read models with a fresh status report per agreement at fact dates, item dates ±1 and
    random dates; returns the number of comparisons."""
    compared = 0
    with svc.log.engine.connect() as conn:
        ids = [r for (r,) in conn.execute(select(tables.streams.c.name).where(tables.streams.c.kind == "agreement"))]
    for agreement_id in ids:
        _, terms, facts = svc.facts_of(agreement_id)
        start = min(f.date for f in facts if f.type == "EmploymentStarted")
        items = portfolio.agreement_items(svc.log.engine, agreement_id, date(2999, 1, 1))
        days = {f.date for f in facts if f.date >= start}
        days |= {d + timedelta(days=k) for i in items if (d := i.due_date) for k in (-1, 0, 1)}
        days |= {start + timedelta(days=rng.randrange(0, 2000)) for _ in range(10)}
        candidates = sorted(d for d in days if d >= start)
        chosen = rng.sample(candidates, min(per_agreement, len(candidates)))
        for day in chosen:
            expected = report_view(svc.status(agreement_id, [day])[0])
            actual = items_view(portfolio.agreement_items(svc.log.engine, agreement_id, day), day)
            assert actual == expected, f"{agreement_id} as of {day}"
            compared += 1
    return compared


def test_read_models_equal_every_status_report(database_url: str, tmp_path: Path) -> None:
    pf = generated(tmp_path, 60, seed=11)
    assert cli(database_url, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(database_url, pf)
    assert svc.projector.status()["lag"] == 0
    assert check_against_reports(svc, random.Random(5), per_agreement=25) > 1000
    before = dump(svc)
    svc.projector.rebuild()
    assert dump(svc) == before


def test_company_fact_reprojects_every_agreement_of_the_company(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 1, seed=1)
    lines = [json.loads(x) for x in (pf / "portfolio.jsonl").read_text().splitlines()]
    company = lines[0]["agreement"].split("-")[0]
    second = [dict(x, agreement=f"{company}-b") for x in lines if x["type"] != "MergerConsummated"]
    both = pf / "both.jsonl"
    both.write_text("".join(json.dumps(x) + "\n" for x in [*lines, *second]))
    assert cli(db, pf, "import", str(both)) == 0
    start = date.fromisoformat(next(x["date"] for x in lines if x["type"] == "EmploymentStarted"))
    merger = start + timedelta(days=100)
    # no ending before the merger in either copy? the generator's first life may have ended: skip then
    svc = service(db, pf)
    emp = svc.status(f"{company}-b", [merger])[0]["employment"]
    if emp["status"] != "active":
        pytest.skip("generated life ended before the merger date")
    capsys.readouterr()
    data = json.dumps({"counterparty": "X", "company_shareholders_voting_pct_after": "40"})
    code = cli(db, pf, "record", f"{company}-b", "MergerConsummated", "--date", merger.isoformat(), "--data", data)
    assert code == 0, capsys.readouterr().err
    rows = portfolio.vesting_calendar(svc.log.engine, merger, merger, merger + timedelta(days=1))
    accelerated = {r["agreement"] for r in rows if r["item"] == "acceleration"}
    assert f"{company}-b" in accelerated
    check_against_reports(svc, random.Random(1), per_agreement=40)


def test_read_your_writes_and_overdue(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 1, seed=2)
    lines = [json.loads(x) for x in (pf / "portfolio.jsonl").read_text().splitlines()]
    agreement = lines[0]["agreement"]
    start = date.fromisoformat(next(x["date"] for x in lines if x["type"] == "EmploymentStarted"))
    keep = [x for x in lines if x["type"] in ("OfferAccepted", "EmploymentStarted", "HealthCoverageChanged")]
    path = pf / "one.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in keep))
    assert cli(db, pf, "import", str(path)) == 0
    capsys.readouterr()
    # I-9 due start + 3; on day 4 it is overdue, on day 3 it is due, not overdue (both sides of the boundary)
    i9_due = start + timedelta(days=3)
    assert cli(db, pf, "overdue", "--as-of", i9_due.isoformat(), "--json") == 0
    assert "submit_i9" not in [r["item"] for r in json.loads(capsys.readouterr().out)]
    day4 = (i9_due + timedelta(days=1)).isoformat()
    assert cli(db, pf, "overdue", "--as-of", day4, "--json") == 0
    late = {r["item"]: r for r in json.loads(capsys.readouterr().out)}
    assert late["submit_i9"]["status"] == "overdue" and late["submit_i9"]["days"] == -1
    data = '{"documentation_satisfactory": true}'
    assert cli(db, pf, "record", agreement, "I9Submitted", "--date", day4, "--data", data) == 0
    capsys.readouterr()
    assert cli(db, pf, "overdue", "--as-of", day4, "--json") == 0
    assert "submit_i9" not in [r["item"] for r in json.loads(capsys.readouterr().out)]
    # the day before it was recorded as done, it still was overdue: statuses come from dates
    assert cli(db, pf, "due", "--from", i9_due.isoformat(), "--to", i9_due.isoformat(), "--as-of", day4, "--json") == 0
    rows = {r["item"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["submit_i9"]["status"] == "fulfilled_late" and rows["submit_i9"]["fulfilled_on"] == day4


def test_due_filters_and_bad_window(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 30, seed=4)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    capsys.readouterr()
    args = ["due", "--from", "2005-01-01", "--to", "2008-12-31", "--as-of", "2006-06-30", "--json"]
    assert cli(db, pf, *args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert all("2005-01-01" <= r["date"] <= "2008-12-31" for r in rows)
    assert cli(db, pf, *args, "--kind", "payment", "--owed-by", "Company") == 0
    pay = json.loads(capsys.readouterr().out)
    assert pay and {(r["kind"], r["owed_by"]) for r in pay} == {("payment", "Company")}
    company = rows[0]["company"]
    assert cli(db, pf, *args, "--company", company) == 0
    assert {r["company"] for r in json.loads(capsys.readouterr().out)} == {company}
    assert cli(db, pf, "due", "--from", "2006-01-02", "--to", "2006-01-01") == 2
    assert "--to" in capsys.readouterr().err


def _ranges(trace: Path) -> list[tuple[int, int]]:
    if not trace.exists():
        return []
    return [(int(a), int(b)) for _, a, b in (line.split() for line in trace.read_text().splitlines())]


class Gate:
    """The projector's trace file as a FIFO: a projector reports each committed batch by opening it, and blocks
    there until the test lets it through. A barrier, not a guess about timing: `allow(n)` lets n more reports
    through, `open_all()` every one; `lines` holds what was reported."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path, self.closed, self.all = path, False, False
        self.lines: list[str] = []
        self.permits = threading.Semaphore(0)
        self.changed = threading.Condition()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            if not self.all:
                self.permits.acquire()
            if self.closed:
                return
            with open(self.path) as fifo:  # blocks until a projector opens it to report a batch
                got = fifo.read().splitlines()
            with self.changed:
                self.lines += got
                self.changed.notify_all()

    def allow(self, n: int = 1) -> None:
        for _ in range(n):
            self.permits.release()

    def open_all(self) -> None:
        self.all = True
        self.permits.release()

    def wait_lines(self, n: int, timeout: float = 120) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.lines) >= n, timeout)

    def ranges(self) -> list[tuple[int, int]]:
        with self.changed:
            return [(int(a), int(b)) for _, a, b in (line.split() for line in self.lines)]

    def close(self) -> None:
        self.closed = True
        self.permits.release()
        with suppress(OSError):  # wake a reader blocked in open(): a writer that writes nothing
            os.close(os.open(self.path, os.O_WRONLY | os.O_NONBLOCK))
        self.thread.join(10)


def _disjoint(ranges: list[tuple[int, int]]) -> None:
    ordered = sorted(ranges)
    for (_, b1), (a2, _) in zip(ordered, ordered[1:], strict=False):
        assert a2 > b1, f"a position was applied twice: {ordered}"


def _reset(svc: Obligations) -> None:
    with svc.log.engine.begin() as conn:
        conn.execute(tables.items.delete())
        conn.execute(tables.streams.delete())
        conn.execute(text("UPDATE projection_positions SET position = 0"))


def test_projector_killed_mid_batch_resumes_exactly(database_url: str, tmp_path: Path) -> None:
    pf = generated(tmp_path, 40, seed=21)
    assert cli(database_url, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(database_url, pf)
    reference = dump(svc)
    head = svc.projector.max_position()
    _reset(svc)
    rng = random.Random(3)
    reported: list[tuple[int, int]] = []
    for k in range(8):
        gate = Gate(tmp_path / f"trace{k}")
        trace = {"OBLIGATIONS_PROJECTOR_TRACE": str(gate.path)}
        proc = spawn(database_url, pf, "projections", "catch-up", "--batch", "2", env=trace)
        n = rng.randint(1, 3)
        gate.allow(n)
        assert gate.wait_lines(n), proc.stderr.read() if proc.poll() is not None and proc.stderr else "no report"
        time.sleep(rng.uniform(0, 0.05))  # in its next batch, or blocked after committing it: both a crash
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        gate.close()
        reported += gate.ranges()
    assert 0 < svc.projector.position() < head  # killed eight times in the middle, never finished
    assert cli(database_url, pf, "projections", "catch-up") == 0
    _disjoint(reported)
    assert svc.projector.position() == head
    assert dump(svc) == reference


def test_two_projectors_one_works_one_waits(database_url: str, tmp_path: Path) -> None:
    """The first projector is held at a barrier (its trace, a FIFO) after its first batch, holding the lock: the
    impatient one is refused and the second waits, whatever the machine's speed."""
    pf = generated(tmp_path, 25, seed=31)
    assert cli(database_url, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(database_url, pf)
    reference, head = dump(svc), svc.projector.max_position()
    _reset(svc)
    gate = Gate(tmp_path / "trace")
    env = {"OBLIGATIONS_PROJECTOR_TRACE": str(gate.path)}
    first = spawn(database_url, pf, "projections", "catch-up", "--batch", "4", env=env)
    gate.allow(1)
    assert gate.wait_lines(1)
    impatient = spawn(database_url, pf, "projections", "catch-up", "--no-wait")
    _, err3 = impatient.communicate(timeout=120)
    assert impatient.returncode == 1 and "another projector is running" in err3
    second = spawn(database_url, pf, "projections", "catch-up", "--batch", "4", env=env)
    said: list[str] = []
    waiting = threading.Event()

    def listen() -> None:
        assert second.stderr is not None
        for line in second.stderr:
            said.append(line)
            if "waiting for another projector" in line:
                waiting.set()

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert waiting.wait(120), "".join(said)
    gate.open_all()
    out1, err1 = first.communicate(timeout=300)
    second.wait(300)
    listener.join(30)
    out2 = second.stdout.read() if second.stdout else ""
    gate.close()
    assert first.returncode == 0 and second.returncode == 0, err1 + "".join(said)
    pids = {line.split()[0] for line in gate.lines}
    assert len(pids) == 1 or "applied 0 event(s)" in out2  # the second found nothing left to do
    ranges = gate.ranges()
    _disjoint(ranges)
    assert min(a for a, _ in ranges) == 1 and max(b for _, b in ranges) == head
    assert dump(svc) == reference


def test_fact_recorded_during_a_rebuild_is_not_lost(database_url: str, tmp_path: Path) -> None:
    pf = generated(tmp_path, 25, seed=41)
    assert cli(database_url, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(database_url, pf)
    trace = tmp_path / "trace"
    rebuild = spawn(
        database_url, pf, "projections", "rebuild", "--batch", "4", env={"OBLIGATIONS_PROJECTOR_TRACE": str(trace)}
    )
    deadline = time.monotonic() + 60
    while not _ranges(trace) and time.monotonic() < deadline:
        time.sleep(0.05)
    with svc.log.engine.connect() as conn:
        agreement = conn.execute(
            select(tables.streams.c.name).where(tables.streams.c.kind == "agreement").limit(1)
        ).scalar_one()
    _, _, facts = svc.facts_of(agreement)
    start = min(f.date for f in facts if f.type == "EmploymentStarted")
    end = max(f.date for f in facts)
    data = json.dumps(
        {"expense_id": "LATE1", "amount": "12.34", "incurred_date": start.isoformat(), "documented": True}
    )
    record = spawn(database_url, pf, "record", agreement, "ExpenseSubmitted", "--date", end.isoformat(), "--data", data)
    out, err = record.communicate(timeout=300)
    assert record.returncode == 0, err
    _, rerr = rebuild.communicate(timeout=300)
    assert rebuild.returncode == 0, rerr
    assert svc.projector.status()["lag"] == 0
    rows = portfolio.agreement_items(svc.log.engine, agreement, end)
    assert "expense_LATE1" in {i.item_id for i in rows}


def test_projections_status_cli(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 3, seed=5)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    capsys.readouterr()
    assert cli(db, pf, "projections", "status", "--json") == 0
    s = json.loads(capsys.readouterr().out)
    assert s["lag"] == 0 and s["position"] == s["head"] > 0 and s["agreements"] == 3


def test_portfolio_import_is_all_or_nothing(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 12, seed=6)
    lines = (pf / "portfolio.jsonl").read_text().splitlines()
    bad = json.loads(lines[-1])
    bad["date"] = "2004-02-30"
    broken = pf / "broken.jsonl"
    broken.write_text("\n".join([*lines[:-1], json.dumps(bad)]) + "\n")
    assert cli(db, pf, "import", str(broken)) == 2
    err = capsys.readouterr().err
    assert f"line {len(lines)}" in err and "date" in err and "nothing was recorded" in err
    svc = service(db, pf)
    assert svc.projector.max_position() == 0
    split = pf / "split.jsonl"
    first = json.loads(lines[0])["agreement"]
    other = next(x for x in lines if json.loads(x)["agreement"] != first)
    split.write_text("\n".join([lines[0], other, lines[1]]) + "\n")  # an agreement's lines apart: accepted
    assert json.loads(lines[1])["agreement"] == first
    assert cli(db, pf, "import", str(split)) == 0
    assert "recorded 3 fact(s) for 2 agreement(s)" in capsys.readouterr().out


def test_sql_visibility_and_statuses_equal_the_rules(database_url: str, tmp_path: Path) -> None:
    """The portfolio queries filter and label in SQL; `rules.items.visible`/`item_status` are the reference."""
    pf = generated(tmp_path, 40, seed=51)
    assert cli(database_url, pf, "import", str(pf / "portfolio.jsonl")) == 0
    engine = service(database_url, pf).log.engine
    with engine.connect() as conn:
        ids = [r for (r,) in conn.execute(select(tables.streams.c.name).where(tables.streams.c.kind == "agreement"))]
    with engine.connect() as conn:
        runs = [
            replace(item_from_row(r), detail={"agreement": r.agreement_id}) for r in conn.execute(select(tables.items))
        ]
    rng = random.Random(9)
    statuses: set[str] = set()
    for _ in range(25):
        day = synthetic.FIRST + timedelta(days=rng.randrange(0, 365 * 4))
        lo, hi = day - timedelta(days=400), day + timedelta(days=400)
        late: set[tuple[str, str, str]] = set()
        for agreement in ids:
            for i in portfolio.agreement_items(engine, agreement, day):
                if item_status(i, day) == "overdue" or i.kind == "ground":
                    late.add((agreement, i.kind, i.item_id))
        # The window: each item as the run valid on its own due date shows it (the planner's rule).
        expected: dict[tuple[str, str, str], str] = {}
        for i in runs:
            due = i.due_date
            if i.kind not in portfolio.DUE_KINDS or due is None or not lo <= due <= hi:
                continue
            if (
                decides(i.kind, i.valid_from, i.valid_to, due, due)
                and not i.cancelled
                and i.fixed_status != "forfeited"
            ):
                expected[(i.detail["agreement"], i.kind, i.item_id)] = item_status(i, day)
        got = {(r["agreement"], r["kind"], r["item"]): r["status"] for r in portfolio.due(engine, lo, hi, day)}
        assert got == expected, day
        assert {(r["agreement"], r["kind"], r["item"]) for r in portfolio.overdue(engine, day)} == late, day
        statuses |= set(got.values())
    assert {"paid", "overdue", "not_yet_due", "fulfilled", "vested", "unvested", "running", "expired"} <= statuses


def test_changed_read_model_schema_is_rebuilt_from_the_log(tmp_path: Path, capsys: Any) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 3, seed=8)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(db, pf)
    before = dump(svc)
    with svc.log.engine.begin() as conn:
        conn.execute(text("UPDATE read_model_schema SET version = 1"))
        conn.execute(text("DROP INDEX rm_items_company_due"))
        conn.execute(text("ALTER TABLE rm_items DROP COLUMN why"))  # an older layout
    capsys.readouterr()
    assert cli(db, pf, "projections", "catch-up") == 0
    assert "applied" in capsys.readouterr().out
    assert dump(service(db, pf)) == before


def test_a_broken_terms_file_quarantines_its_agreements_and_holds_up_no_other(
    database_url: str, tmp_path: Path, capsys: Any
) -> None:
    db = database_url
    pf = generated(tmp_path, 12, seed=12)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(db, pf)
    companies = sorted(p.stem for p in (pf / "config" / "companies").glob("*.toml"))
    broken, fine = companies[0], companies[-1]
    _reset(svc)  # the projector has everything still to do
    terms_file = pf / "config" / "agreements" / f"gen-{broken}.toml"
    good = terms_file.read_text()
    terms_file.write_text(good.replace("[salary]", "[salary]\nbogus = 1", 1))
    agreement_id = f"{fine}-a1"
    _, _, facts = svc.facts_of(agreement_id)
    day = max(f.date for f in facts).isoformat()
    incurred = min(f.date for f in facts if f.type == "EmploymentStarted").isoformat()
    data = json.dumps({"expense_id": "X9", "amount": "5.00", "incurred_date": incurred, "documented": True})
    capsys.readouterr()
    assert cli(db, pf, "record", agreement_id, "ExpenseSubmitted", "--date", day, "--data", data) == 0
    status = svc.projector.status()
    assert status["lag"] == 0
    quarantined = {q["agreement"]: q for q in status["quarantined"]}
    assert quarantined and all(a.startswith(f"{broken}-") for a in quarantined)
    assert all("salary.bogus" in q["error"] and q["fact_id"] is None for q in quarantined.values())
    items = portfolio.agreement_items(svc.log.engine, agreement_id, date.fromisoformat(day))
    assert "expense_X9" in {i.item_id for i in items}
    assert cli(db, pf, "projections", "status") == 0
    assert f"{broken}-a1" in capsys.readouterr().out
    terms_file.write_text(good)
    assert cli(db, pf, "projections", "catch-up") == 0
    assert svc.projector.status()["quarantined"] == []
    caught_up = dump(svc)
    svc.projector.rebuild()
    assert dump(svc) == caught_up


def test_worker_processes_and_this_process_project_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 90, seed=61)
    monkeypatch.setenv("OBLIGATIONS_PROJECTOR_WORKERS", "0")
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    alone = dump(service(db, pf))
    monkeypatch.setenv("OBLIGATIONS_PROJECTOR_WORKERS", "2")
    monkeypatch.setattr(projections, "AHEAD", 1)  # two chunks in flight: rows are written while others compute
    svc = service(db, pf)
    assert svc.projector.workers == 2
    svc.projector.rebuild()  # one batch of 90 agreements: five chunks of 20, two in flight at a time
    assert svc.projector._pool is None  # shut down after the run
    assert dump(svc) == alone


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def test_workers_die_with_a_killed_projector(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'e.db'}"
    pf = generated(tmp_path, 120, seed=71)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    _reset(service(db, pf))
    proc = spawn(db, pf, "projections", "catch-up", env={"OBLIGATIONS_PROJECTOR_WORKERS": "2"})
    deadline, workers = time.monotonic() + 60, []
    while not workers and proc.poll() is None and time.monotonic() < deadline:
        workers = _children(proc.pid)
        time.sleep(0.01)
    if not workers:
        pytest.skip("the catch-up finished before its workers could be seen")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(1.0)
    alive = [w for w in workers if Path(f"/proc/{w}").exists() and "Z" not in Path(f"/proc/{w}/stat").read_text()]
    assert alive == [], f"workers outlived the projector: {alive}"
    assert cli(db, pf, "projections", "catch-up") == 0


def test_streams_read_many_to_a_query_give_the_rows_of_each_agreement_read_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projector reads the streams of LOAD_CHUNK agreements (and their companies) in one query: with
    chunks of 7, a company's agreements and its merger fall on both sides of a chunk's edge, and every row is
    still the one computed from that agreement's facts read through its aggregate."""
    db = f"sqlite:///{tmp_path / 'c.db'}"
    pf = generated(tmp_path, 40, seed=71)
    monkeypatch.setenv("OBLIGATIONS_PROJECTOR_WORKERS", "0")
    monkeypatch.setattr(service_module, "LOAD_CHUNK", 7)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    svc = service(db, pf)
    svc.projector.rebuild()
    with svc.log.engine.connect() as conn:
        s = tables.streams.c
        ids = [a for (a,) in conn.execute(select(s.name).where(s.kind == "agreement").order_by(s.name))]
    companies = {svc.facts_of(a)[1].agreement.company for a in ids}
    assert len(ids) == 40 and len(companies) > 6
    assert any(f.type == "MergerConsummated" for a in ids for f in svc.facts_of(a)[2])
    jobs = [(a, terms.agreement.company, terms, facts) for a in ids for _, terms, facts in [svc.facts_of(a)]]
    names = [c.name for c in tables.items.c if c.name != "row_id"]
    alone = sorted((tuple(row[k] for k in names) for row in rows_of(jobs)), key=repr)
    assert dump(svc) == alone


def test_a_rebuild_takes_larger_batches_than_a_catch_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild applies REBUILD_BATCH events to a transaction unless told otherwise, and leaves the projector's
    own batch size (a catch-up's) as it was; the rows do not depend on the batches."""
    db = f"sqlite:///{tmp_path / 'b.db'}"
    pf = generated(tmp_path, 30, seed=81)
    assert cli(db, pf, "import", str(pf / "portfolio.jsonl")) == 0
    trace = tmp_path / "trace"
    monkeypatch.setenv("OBLIGATIONS_PROJECTOR_TRACE", str(trace))
    svc = service(db, pf)
    before = dump(svc)
    events = svc.projector.max_position()
    assert 100 < events < REBUILD_BATCH
    svc.projector.batch_size = 100
    svc.projector.rebuild()
    assert _ranges(trace) == [(1, events)]
    assert svc.projector.batch_size == 100 and dump(svc) == before
    trace.unlink()
    svc.projector.rebuild(batch=100)
    assert len(_ranges(trace)) == -(-events // 100)
    assert dump(svc) == before


def test_the_list_of_agreements_reads_the_streams_many_to_a_query_and_each_status_as_its_report_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`agreements` reads the streams LOAD_CHUNK to a query and derives only the employment section; each row
    is what the agreement's whole status report says, in both vocabularies, before the start and after the
    end. An agreement whose terms file no longer loads is listed as unreadable and holds up no other."""
    monkeypatch.setattr(service_module, "LOAD_CHUNK", 7)
    out = tmp_path / "portfolio"
    synthetic.write(out, 40, 91, years=3, provisions_share=0.5)
    db = f"sqlite:///{tmp_path / 'l.db'}"
    assert cli(db, out, "import", str(out / "portfolio.jsonl")) == 0
    svc = service(db, out)
    forms = set()
    for day in (date(2003, 6, 1), date(2005, 6, 1), date(2009, 1, 1)):
        rows = {r["agreement"]: r for r in svc.agreements(day)}
        assert len(rows) == 40
        for agreement_id, row in rows.items():
            agreement, terms, facts = svc.facts_of(agreement_id)
            employment = status_report(terms, facts, day)["employment"]
            forms.add(terms.agreement.report.vocabulary if hasattr(terms.agreement, "report") else "letter")
            assert (row["employment_status"], row["termination_date"]) == (
                employment["status"],
                employment.get("termination_date"),
            ), f"{agreement_id} as of {day}"
            assert (row["company"], row["terms"], row["facts"]) == (
                agreement.company_id,
                agreement.terms_key,
                len(facts),
            )
    assert {"catalogue", "provisions"} <= forms
    statuses = {r["employment_status"] for r in svc.agreements(date(2005, 6, 1))}
    assert {"not_started", "active"} <= statuses
    broken = next(iter(rows.values()))
    terms_file = out / "config" / "agreements" / f"{broken['terms']}.toml"
    terms_file.write_text(terms_file.read_text().replace("[salary]", "[salary]\nbogus = 1", 1))
    rows = {r["agreement"]: r for r in svc.agreements(date(2009, 1, 1))}
    assert rows[broken["agreement"]]["employment_status"] == "unreadable"
    assert "salary.bogus" in rows[broken["agreement"]]["error"]
    assert sum(r["employment_status"] == "unreadable" for r in rows.values()) < 40
