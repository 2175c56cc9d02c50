"""Import rate vs a plain SQLAlchemy Core executemany floor, and in-process status latency (SQLite)."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, create_engine, insert

from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.input import SubmittedFact, parse_fact

CONFIG = Path(__file__).resolve().parents[1] / "config"


def life(rng: random.Random) -> list[dict[str, Any]]:
    """About 20 valid facts: hire, onboarding, payroll, a cured neglect notice, a change of salary, an exit."""
    s = date(2004, 12, 13) + timedelta(days=rng.randrange(0, 700))

    def ev(t: str, d: date, **data: Any) -> dict[str, Any]:
        return {"type": t, "date": d.isoformat(), "data": data}

    out = [
        ev("OfferAccepted", s - timedelta(days=10), offer_date=(s - timedelta(days=10)).isoformat(), signed_by=["a"]),
        ev("EmploymentStarted", s, start_date=s.isoformat(), annual_base_salary="200000", options=220000),
        ev("HealthCoverageChanged", s, tier="employee_plus_dependents", dependents=2),
        ev("ConfidentialityAgreementExecuted", s, version="standard-2004"),
        ev("ArbitrationAgreementExecuted", s),
        ev("OptionsGranted", s, grant_date=s.isoformat(), quantity=220000),
        ev("I9Submitted", s + timedelta(days=rng.randrange(0, 5)), documentation_satisfactory=True),
        ev("BonusProgramFinalized", s + timedelta(days=rng.randrange(5, 40))),
    ]
    for k in range(8):
        end = s + timedelta(days=14 * k + 13)
        out.append(ev("SalaryPaid", end + timedelta(days=5), period_start=(end - timedelta(days=13)).isoformat(),
                      period_end=end.isoformat(), amount="7671.23"))
    n = s + timedelta(days=130)
    out.append(ev("NeglectNoticeReceived", n, notice_id="N1", sent_date=n.isoformat(), duties_specified="x",
                  cure_demanded=True))
    out.append(ev("NeglectCured", n + timedelta(days=rng.randrange(1, 30)), notice_id="N1"))
    out.append(ev("SalaryChanged", s + timedelta(days=200), new_annual_rate=str(rng.choice([185000, 179000])),
                  amendment=None))
    out.append(ev("EmploymentTerminatedByCompany", s + timedelta(days=300 + rng.randrange(0, 400)),
                  stated_ground="without_cause"))
    return out


def portfolio(n: int, seed: int) -> list[list[SubmittedFact]]:
    rng = random.Random(seed)
    return [[parse_fact(e) for e in life(rng)] for _ in range(n)]


def bench_import(agreements: list[list[SubmittedFact]], folder: Path) -> tuple[float, int, Obligations]:
    service = Obligations(open_log(f"sqlite:///{folder / 'events.db'}", folder), CONFIG)
    total = sum(len(a) for a in agreements)
    t0 = time.perf_counter()
    for n, facts in enumerate(agreements):
        service.record(f"a{n}", facts, "bench", terms="valence-2004")
    return time.perf_counter() - t0, total, service


def bench_floor(rows: int, folder: Path) -> float:
    engine = create_engine(f"sqlite:///{folder / 'floor.db'}")
    table = Table("rows", MetaData(), Column("id", Integer, primary_key=True), Column("originator_id", String(36)),
                  Column("version", Integer), Column("topic", String(200)), Column("state", LargeBinary))
    table.metadata.create_all(engine)
    payload = [{"originator_id": f"{n // 20:036d}", "version": n % 20, "topic": "obligations.domain:Fact",
                "state": b'{"date":"2005-01-01","data":{"amount":"7671.23"},"recorded_by":"bench"}' * 2}
               for n in range(rows)]
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(table), payload)
    return time.perf_counter() - t0


def bench_status(service: Obligations, agreement: str, dates: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    _, _, facts = service.facts_of(agreement)
    first = min(f.date for f in facts if f.type == "EmploymentStarted")
    days = [first + timedelta(days=rng.randrange(0, 2000)) for _ in range(dates)]
    service.status(agreement, [days[0]])  # warm caches once
    out = []
    for d in days:
        t0 = time.perf_counter()
        service.status(agreement, [d])
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--dates", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    data = portfolio(args.agreements, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seconds, total, service = bench_import(data, folder)
        floor = bench_floor(total, folder)
        rate, floor_rate = total / seconds, total / floor
        print(f"import   {args.agreements} agreements, {total} facts: {seconds:.2f} s = {rate:,.0f} facts/s")
        print(f"floor    SQLAlchemy Core executemany of {total} rows into a fresh SQLite file: {floor:.3f} s = "
              f"{floor_rate:,.0f} rows/s")
        print(f"ratio    import / floor = {rate / floor_rate:.3f} (aim >= 0.100)")
        latencies = bench_status(service, "a0", args.dates, args.seed)
        print(f"status   one agreement ({len(data[0])} facts), one date, in process, {args.dates} dates: "
              f"p50 {statistics.median(latencies):.2f} ms, p95 {pct(latencies, 95):.2f} ms (aim p95 < 10 ms)")


if __name__ == "__main__":
    main()
