"""Portfolio figures on SQLite and PostgreSQL, each beside a baseline measured in the same run. Not a test.

For each backend and portfolio size: import rate (one transaction, validated); rebuild rate of the read
models beside a plain batched SQLAlchemy insert of as many rows (the floor) into the same database; the
rebuild's peak memory (a child process, so nothing else counts); the lag after one `record` until the read
models show it; `due` over 30 days and over a year, p50/p95; one agreement's `status`, p50/p95.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Date, Integer, MetaData, String, Table, Text, create_engine, insert, select, text

from obligations import synthetic
from obligations.application import portfolio, tables
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.input import parse_fact, parse_portfolio_lines
from obligations.rules.agreement import readable_types

PG_ADMIN = os.environ.get("OBLIGATIONS_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

REBUILD_CHILD = """
import json, resource, sys, time
from pathlib import Path
from obligations.application.service import Obligations
from obligations.application.store import open_log
url, config = sys.argv[1], Path(sys.argv[2])
svc = Obligations(open_log(url, config.parent), config)
t0 = time.perf_counter()
n = svc.projector.rebuild()
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"events": n, "seconds": seconds, "peak_mb": peak, "worker_mb": workers}))
"""


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def new_pg_database() -> tuple[str, Any]:
    import psycopg

    name = f"obligations_bench_{uuid.uuid4().hex[:8]}"
    admin = PG_ADMIN.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"{PG_ADMIN.rpartition('/')[0]}/{name}", drop


def floor_rate(url: str, rows: int) -> float:
    """Plain SQLAlchemy Core: executemany in batches of 2,000 rows, one commit each, a table like rm_items."""
    engine = create_engine(url)
    table = Table(
        "bench_floor",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("agreement_id", String(200)),
        Column("kind", String(16)),
        Column("item_id", String(200)),
        Column("due_date", Date),
        Column("valid_from", Date),
        Column("fact_ids", Text),
        Column("detail", Text),
    )
    table.metadata.drop_all(engine)
    table.metadata.create_all(engine)
    day = date(2006, 1, 1)
    batch = [
        {
            "agreement_id": f"c{n:06d}-a1",
            "kind": "payment",
            "item_id": "lump_sum_5_1a",
            "due_date": day,
            "valid_from": day,
            "fact_ids": '["x#1"]',
            "detail": '{"why": "§5.1(a) lump sum, due T + 5"}',
        }
        for n in range(2000)
    ]
    t0 = time.perf_counter()
    done = 0
    while done < rows:
        with engine.begin() as conn:
            conn.execute(insert(table), batch[: min(2000, rows - done)])
        done += min(2000, rows - done)
    seconds = time.perf_counter() - t0
    table.metadata.drop_all(engine)
    engine.dispose()
    return rows / seconds


def run(backend: str, size: int, seed: int, work: Path, share: float = 0.0) -> None:
    label = f"{backend:8} {size:>7,} agreements" + (f" ({share:.0%} composite terms)" if share else "")
    out = work / f"pf-{size}-{share}"
    counts = synthetic.write(out, size, seed, provisions_share=share)
    config = out / "config"
    drop = None
    if backend == "sqlite":
        url = f"sqlite:///{work / f'{backend}-{size}.db'}"
    else:
        url, drop = new_pg_database()
    try:
        svc = Obligations(open_log(url, work), config)
        t0 = time.perf_counter()
        with (out / "portfolio.jsonl").open() as handle:
            n_agreements, n_facts = svc.record_portfolio(parse_portfolio_lines(handle), "bench", project=False)
        seconds = time.perf_counter() - t0
        print(
            f"{label}  import: {n_facts:,} facts in {seconds:,.1f} s = {n_facts / seconds:,.0f} facts/s "
            f"(one transaction, every fact validated against its history)",
            flush=True,
        )
        child = subprocess.run(
            [sys.executable, "-c", REBUILD_CHILD, url, str(config)], capture_output=True, text=True, check=True
        )
        r = json.loads(child.stdout)
        rows = svc.projector.status()["rows"]
        floor = floor_rate(url, rows)
        rate = r["events"] / r["seconds"]
        print(
            f"{label}  rebuild: {r['events']:,} events in {r['seconds']:,.1f} s = {rate:,.0f} facts/s "
            f"-> {rows:,} rows = {rows / r['seconds']:,.0f} rows/s; floor (batched Core insert of {rows:,} rows) "
            f"{floor:,.0f} rows/s; aim >= 5,000 facts/s on SQLite",
            flush=True,
        )
        print(
            f"{label}  rebuild peak memory: projector process RSS {r['peak_mb']:,.0f} MB, largest worker "
            f"{r['worker_mb']:,.0f} MB (aim < 500 MB)",
            flush=True,
        )
        lag(svc, label, seed)
        due_latency(svc, label, seed)
        status_latency(svc, label, seed)
        svc.log.engine.dispose()
    finally:
        if drop:
            drop()
    _ = counts


def lag(svc: Obligations, label: str, seed: int) -> None:
    """Record one fact (an expense) and time until the read models show it: the save, then the catch-up."""
    rng = random.Random(seed)
    with svc.log.engine.connect() as conn:
        ids = [a for (a,) in conn.execute(select(tables.streams.c.name).where(tables.streams.c.kind == "agreement"))]
    saves, catchups = [], []
    for k in range(20):
        agreement = rng.choice(ids)
        _, terms, facts = svc.facts_of(agreement)
        while "ExpenseSubmitted" not in readable_types(terms):  # a provisions-form agreement without [expenses]
            agreement = rng.choice(ids)
            _, terms, facts = svc.facts_of(agreement)
        last = max(f.date for f in facts)
        start = min(f.date for f in facts if f.type == "EmploymentStarted")
        fact = parse_fact(
            {
                "type": "ExpenseSubmitted",
                "date": last.isoformat(),
                "data": {
                    "expense_id": f"BENCH{k}",
                    "amount": "10.00",
                    "incurred_date": start.isoformat(),
                    "documented": True,
                },
            }
        )
        projector, svc.projector = svc.projector, _NoCatchUp()  # type: ignore[assignment]
        t0 = time.perf_counter()
        svc.record(agreement, [fact], "bench")
        t1 = time.perf_counter()
        svc.projector = projector
        projector.catch_up()
        t2 = time.perf_counter()
        saves.append((t1 - t0) * 1000)
        catchups.append((t2 - t1) * 1000)
        assert any(i.item_id == f"expense_BENCH{k}" for i in portfolio.agreement_items(svc.log.engine, agreement, last))
    total = [a + b for a, b in zip(saves, catchups, strict=True)]
    print(
        f"{label}  lag after one record until the read models show it: p50 {statistics.median(total):.1f} ms, "
        f"p95 {pct(total, 95):.1f} ms (save p50 {statistics.median(saves):.1f} ms + catch-up p50 "
        f"{statistics.median(catchups):.1f} ms)",
        flush=True,
    )


class _NoCatchUp:
    def catch_up(self, **_: Any) -> int:
        return 0


def due_latency(svc: Obligations, label: str, seed: int) -> None:
    rng = random.Random(seed)
    for days, name in ((30, "30 days"), (365, "a year")):
        times, sizes = [], []
        for _ in range(40):
            start = synthetic.FIRST + timedelta(days=rng.randrange(365, 365 * 9))
            t0 = time.perf_counter()
            rows = portfolio.due(svc.log.engine, start, start + timedelta(days=days - 1), start)
            times.append((time.perf_counter() - t0) * 1000)
            sizes.append(len(rows))
        print(
            f"{label}  due over {name}: p50 {statistics.median(times):.1f} ms, p95 {pct(times, 95):.1f} ms "
            f"({statistics.median(sizes):,.0f} items per answer, median)"
            + ("; aim p95 < 50 ms at 100,000" if days == 30 else ""),
            flush=True,
        )


def status_latency(svc: Obligations, label: str, seed: int) -> None:
    rng = random.Random(seed)
    with svc.log.engine.connect() as conn:
        agreement = conn.execute(text("SELECT name FROM rm_streams WHERE kind = 'agreement' LIMIT 1")).scalar_one()
    _, _, facts = svc.facts_of(agreement)
    first = min(f.date for f in facts if f.type == "EmploymentStarted")
    svc.status(agreement, [first])
    times = []
    for _ in range(100):
        day = first + timedelta(days=rng.randrange(0, 2000))
        t0 = time.perf_counter()
        svc.status(agreement, [day])
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"{label}  status of one agreement ({len(facts)} facts), one date, from the log: "
        f"p50 {statistics.median(times):.2f} ms, p95 {pct(times, 95):.2f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="Portfolio sizes, comma-separated.")
    parser.add_argument("--postgres-sizes", default="10000", help="Sizes also run on PostgreSQL ('' for none).")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--provisions-share",
        type=float,
        default=0.0,
        help="Share of companies on the composite terms (composite-executive.toml), the others on Valence's.",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("OBLIGATIONS_BENCH_DIR")) as tmp:
        work = Path(tmp)
        for size in [int(s) for s in args.sizes.split(",") if s]:
            run("sqlite", size, args.seed, work, args.provisions_share)
            if str(size) in args.postgres_sizes.split(","):
                run("postgres", size, args.seed, work, args.provisions_share)


if __name__ == "__main__":
    main()
