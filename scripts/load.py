"""Load on `obligations serve --workers 2` over PostgreSQL: concurrent httpx clients mixing writes and reads.

A fresh database; a recorder token; `--agreements` agreements hired through the API; then `--requests`
requests from `--clients` threads: writes (an ExpenseSubmitted with a unique id and an Idempotency-Key;
some sent twice, as a client retrying after a lost answer would) and status reads at random dates. Then
every acknowledged fact is checked to be in the log exactly once. Prints throughput and latency
p50/p95/p99 per kind, beside the floor of the same clients calling GET /health. Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
ADMIN = os.environ.get("OBLIGATIONS_LOAD_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
OBLIGATIONS = str(Path(sys.executable).parent / "obligations")


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 1 else values[0] * 1000


def start(url: str, port: int) -> subprocess.Popen[bytes]:
    cmd = [
        OBLIGATIONS,
        "--database",
        url,
        "--config-dir",
        str(ROOT / "config"),
        "serve",
        "--workers",
        "2",
        "--port",
        str(port),
    ]
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"obligations-load-{port}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit(f"the server did not start (log: {log.name})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--agreements", type=int, default=40)
    parser.add_argument("--writes", type=float, default=0.3, help="share of requests that record a fact")
    parser.add_argument("--port", type=int, default=8791)
    args = parser.parse_args()
    name = f"obligations_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    proc = None
    try:
        token = subprocess.run(
            [
                OBLIGATIONS,
                "--database",
                url,
                "--config-dir",
                str(ROOT / "config"),
                "tokens",
                "create",
                "--name",
                "load",
                "--role",
                "recorder",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        proc = start(url, args.port)
        run(args, f"http://127.0.0.1:{args.port}", token, proc)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(30)
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(args: argparse.Namespace, base: str, token: str, proc: subprocess.Popen[bytes]) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    local = threading.local()

    def client() -> httpx.Client:
        if not hasattr(local, "c"):
            local.c = httpx.Client(base_url=base, headers=headers, timeout=60)
        return local.c

    ids = [f"load-{n:04d}" for n in range(args.agreements)]
    hire = {
        "type": "EmploymentStarted",
        "date": "2004-12-13",
        "data": {"start_date": "2004-12-13", "annual_base_salary": "200000", "options": 220000},
    }
    with ThreadPoolExecutor(args.clients) as pool:
        list(
            pool.map(
                lambda a: (
                    client()
                    .post(f"/v1/agreements/{a}/facts", json={"facts": [hire], "terms": "valence-2004"})
                    .raise_for_status()
                ),
                ids,
            )
        )
        floor = timed(pool, [lambda: client().get("/health") for _ in range(args.requests)])
    rng = random.Random(1)
    acked: list[tuple[str, str]] = []
    lock = threading.Lock()

    def write() -> httpx.Response:
        agreement, expense = rng.choice(ids), uuid.uuid4().hex[:12]
        fact = {
            "type": "ExpenseSubmitted",
            "date": "2005-01-10",
            "data": {"expense_id": expense, "amount": "12.50", "incurred_date": "2005-01-05", "documented": True},
        }
        h = {"Idempotency-Key": f"exp-{expense}"}
        r = client().post(f"/v1/agreements/{agreement}/facts", json=fact, headers=h)
        if rng.random() < 0.1:  # a retry after a lost answer: must not append again
            r = client().post(f"/v1/agreements/{agreement}/facts", json=fact, headers=h)
        if r.status_code == 201:
            with lock:
                acked.append((agreement, expense))
        return r

    def read() -> httpx.Response:
        day = f"{rng.randint(2005, 2009)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        return client().get(f"/v1/agreements/{rng.choice(ids)}/status", params={"as_of": day})

    kinds = ["write" if rng.random() < args.writes else "read" for _ in range(args.requests)]
    with ThreadPoolExecutor(args.clients) as pool:
        began = time.perf_counter()
        results = list(pool.map(lambda k: _timed_call(write if k == "write" else read), kinds))
        elapsed = time.perf_counter() - began
    report(args, kinds, results, elapsed, floor, acked, ids, client)


def _timed_call(fn: Any) -> tuple[float, int]:
    t = time.perf_counter()
    r = fn()
    return time.perf_counter() - t, r.status_code


def timed(pool: ThreadPoolExecutor, calls: list[Any]) -> tuple[float, list[float]]:
    began = time.perf_counter()
    lat = [x[0] for x in pool.map(lambda f: _timed_call(f), calls)]
    return time.perf_counter() - began, lat


def report(
    args: argparse.Namespace,
    kinds: list[str],
    results: list[tuple[float, int]],
    elapsed: float,
    floor: tuple[float, list[float]],
    acked: list[tuple[str, str]],
    ids: list[str],
    client: Any,
) -> None:
    statuses = Counter(s for _, s in results)
    print(
        f"{args.requests} requests from {args.clients} clients against `serve --workers 2` on PostgreSQL in "
        f"{elapsed:.1f} s; statuses {dict(statuses)}"
    )
    for kind, aim in (("write", 100), ("read", 50)):
        lat = [t for (t, _), k in zip(results, kinds, strict=True) if k == kind]
        if not lat:
            continue
        print(
            f"  {kind}s: {len(lat)} = {len(lat) / elapsed:,.0f}/s; latency p50 {pct(lat, 50):.1f} ms, "
            f"p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms (aim p95 < {aim} ms)"
        )
    seconds, lat = floor
    print(
        f"  floor, GET /health from the same clients: {len(lat) / seconds:,.0f}/s; p50 {pct(lat, 50):.1f} ms, "
        f"p95 {pct(lat, 95):.1f} ms"
    )
    found: Counter[tuple[str, str]] = Counter()
    for agreement in ids:
        for h in client().get(f"/v1/agreements/{agreement}/history").json():
            if h["type"] == "ExpenseSubmitted":
                found[(agreement, h["data"]["expense_id"])] += 1
    missing = [a for a in acked if found[a] == 0]
    doubled = [a for a, n in found.items() if n > 1]
    print(
        f"  check: {len(acked)} acknowledged facts; in the log exactly once: {sum(found[a] == 1 for a in acked)}; "
        f"missing {len(missing)}; twice or more {len(doubled)}; "
        f"unacknowledged but stored {len(set(found) - set(acked))}"
    )
    if missing or doubled:
        raise SystemExit("FAILED: acknowledged facts must be in the log exactly once")


if __name__ == "__main__":
    main()
