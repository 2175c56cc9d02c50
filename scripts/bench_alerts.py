"""Alert figures on SQLite, each beside a baseline measured in the same run. Not a test.

1. Planning: a synthetic portfolio recorded with the clock before its first fact, so every reminder of its
   years is planned; the projector's rebuild with the outbox planner beside the same rebuild without it.
2. Dispatch: `--reminders` due reminders delivered to the log channel (a file) and to a local webhook
   receiver (another process), beside the floor of writing the same lines to a file and of POSTing the same
   bodies from as many threads with the same client.
3. Delay: reminders whose send times fall over the next half minute, delivered by `obligations alerts run`
   with the default tick; the delay from each one's send time to its delivery, beside the tick + 1 s aim.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, insert, select, update

from obligations import synthetic
from obligations.alerts.outbox import instant
from obligations.alerts.policy import Dispatch, LogChannel, PartyRoute, Policy, WebhookChannel
from obligations.application import tables
from obligations.application.projections import Projector
from obligations.bootstrap import build_alerts
from obligations.domain.input import parse_portfolio_lines
from obligations.settings import Settings

PAST = datetime(2004, 1, 1, tzinfo=UTC)
FUTURE = datetime(2030, 1, 1, tzinfo=UTC)
o = tables.outbox.c


def _receiver(port: multiprocessing.Queue[int]) -> None:  # type: ignore[type-arg]
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port.put(server.server_address[1])
    server.serve_forever()


def setup(work: Path, agreements: int, url: str) -> tuple[Path, float, float, float, int]:
    synthetic.write(work, agreements, seed=5)
    config = work / "config"
    settings = Settings(database_url=url, config_dir=config, workdir=work)
    a = build_alerts(settings, clock=lambda: PAST, policy=Policy())
    groups = parse_portfolio_lines((work / "portfolio.jsonl").read_text().splitlines())
    a.obligations.record_portfolio(groups, "bench", None)
    projector = a.obligations.projector
    with a.obligations.log.engine.begin() as conn:
        conn.execute(delete(tables.outbox))  # plan from scratch: every reminder inserted
    started = time.perf_counter()
    projector.rebuild()
    with_plan = time.perf_counter() - started
    bare = Projector(a.obligations.log, a.obligations.projection_inputs)
    started = time.perf_counter()
    bare.rebuild()
    without = time.perf_counter() - started
    with a.obligations.log.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(tables.outbox)).scalar_one()
    # The usual case: history imported after planning began, so its reminders are before the floor.
    m = tables.alert_meta.c
    with a.obligations.log.engine.begin() as conn:
        conn.execute(update(tables.alert_meta).where(m.name == "floor").values(value=instant(FUTURE)))
        saved = [dict(r._mapping) for r in conn.execute(select(tables.outbox))]
        conn.execute(delete(tables.outbox))
    later = build_alerts(settings, clock=lambda: FUTURE, policy=Policy()).obligations.projector
    started = time.perf_counter()
    later.rebuild()
    past_floor = time.perf_counter() - started
    with a.obligations.log.engine.begin() as conn:
        conn.execute(update(tables.alert_meta).where(m.name == "floor").values(value=instant(PAST)))
        conn.execute(delete(tables.outbox))
        conn.execute(insert(tables.outbox), saved)
    return config, with_plan, without, past_floor, int(n)


def reset(settings: Settings) -> None:
    a = build_alerts(settings, clock=lambda: FUTURE, policy=Policy())
    with a.obligations.log.engine.begin() as conn:
        conn.execute(delete(tables.deliveries))
        conn.execute(
            update(tables.outbox).values(
                state="pending",
                attempts=0,
                next_attempt_at=o.send_at,
                sent_at=None,
                late=False,
                lease_until=None,
                claim_token=None,
            )  # fmt: skip
        )


def dispatch(settings: Settings, policy: Policy, limit: int) -> tuple[int, float]:
    reset(settings)
    a = build_alerts(settings, clock=lambda: FUTURE, policy=policy)
    started = time.perf_counter()
    tally = a.dispatcher.run_once(limit=limit)
    elapsed = time.perf_counter() - started
    a.dispatcher.close()
    return tally.sent, elapsed


def documents(settings: Settings, limit: int) -> list[bytes]:
    a = build_alerts(settings, policy=Policy())
    with a.obligations.log.engine.connect() as conn:
        rows = conn.execute(select(o.key, o.payload).limit(limit)).all()
    return [json.dumps({"key": k, **json.loads(p)}, sort_keys=True).encode() for k, p in rows]


def floor_log(docs: list[bytes], path: Path) -> float:
    started = time.perf_counter()
    with open(path, "ab") as out:
        for d in docs:
            out.write(d + b"\n")
            out.flush()
    return time.perf_counter() - started


def floor_http(docs: list[bytes], url: str, threads: int) -> float:
    client = httpx.Client(limits=httpx.Limits(max_connections=64))
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda d: client.post(url, content=d, headers={"Content-Type": "application/json"}), docs))
    elapsed = time.perf_counter() - started
    client.close()
    return elapsed


def delay(settings: Settings, config: Path, count: int, spread: float) -> list[float]:
    """Reminders due over the next `spread` seconds, delivered by the service with the default tick."""
    reset(settings)
    a = build_alerts(settings, policy=Policy())
    now = datetime.now(UTC)
    with a.obligations.log.engine.begin() as conn:
        keys = [k for (k,) in conn.execute(select(o.key).order_by(o.key).limit(count))]
        conn.execute(update(tables.outbox).where(o.key.not_in(keys)).values(state="sent"))
        for n, key in enumerate(keys):
            at = instant(now + timedelta(seconds=2 + spread * n / count))
            conn.execute(update(tables.outbox).where(o.key == key).values(send_at=at, next_attempt_at=at))
    out = config.parent / "delay.jsonl"
    (config / "alerts.toml").write_text(f'[channels.log]\ntype = "log"\npath = "{out}"\n')
    cmd = [str(Path(sys.executable).parent / "obligations"), "--database", settings.database_url, "--config-dir",
           str(config), "alerts", "run"]  # fmt: skip
    proc = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + spread + 60
    while time.monotonic() < deadline:
        with a.obligations.log.engine.connect() as conn:
            left = conn.execute(select(func.count()).where(o.key.in_(keys), o.state != "sent")).scalar_one()
        if not left:
            break
        time.sleep(0.5)
    proc.terminate()
    proc.wait(30)
    with a.obligations.log.engine.connect() as conn:
        rows = conn.execute(select(o.send_at, o.sent_at).where(o.key.in_(keys), o.state == "sent")).all()
    return [(datetime.fromisoformat(s) - datetime.fromisoformat(p)).total_seconds() for p, s in rows]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agreements", type=int, default=360)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--delay-reminders", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-alerts-", dir=os.environ.get("OBLIGATIONS_BENCH_DIR")))
    url = f"sqlite:///{work / 'events.db'}"
    settings_config, with_plan, without, past_floor, planned = setup(work, args.agreements, url)
    settings = Settings(database_url=url, config_dir=settings_config, workdir=work)
    print(f"planned {planned:,} reminders for {args.agreements} agreements (clock before the first fact)")
    print(f"  rebuild with the outbox planner {with_plan:.2f} s; without it {without:.2f} s "
          f"(planning adds {100 * (with_plan - without) / without:.0f}%); with the whole history before the "
          f"outbox's floor (nothing to plan) {past_floor:.2f} s")  # fmt: skip
    limit = min(args.reminders, planned)
    log_path = work / "reminders.jsonl"
    threads = Dispatch().threads
    forever = Dispatch(expire_after_hours=10**6)  # the clock is years past the send times: deliver, not expire
    log_policy = Policy(channels={"log": LogChannel(type="log", path=str(log_path))}, dispatch=forever)
    sent, secs = dispatch(settings, log_policy, limit)
    docs = documents(settings, limit)
    floor = floor_log(docs, work / "floor.jsonl")
    print(f"log channel: {sent:,} reminders in {secs:.2f} s = {sent / secs:,.0f}/s (aim >= 500/s); "
          f"floor, the same lines written and flushed: {len(docs) / floor:,.0f}/s")  # fmt: skip
    port: multiprocessing.Queue[int] = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=_receiver, args=(port,), daemon=True)
    receiver.start()
    hook = f"http://127.0.0.1:{port.get(timeout=10)}/hook"
    hook_policy = Policy(
        channels={"hook": WebhookChannel(type="webhook", url=hook, unsigned=True)},
        parties={"Company": PartyRoute(channels=("hook",)), "Employee": PartyRoute()},
        dispatch=forever,
    )
    sent, secs = dispatch(settings, hook_policy, limit)
    floor = floor_http(docs, hook, threads)
    print(f"webhook: {sent:,} reminders in {secs:.2f} s = {sent / secs:,.0f}/s; "
          f"floor, the same POSTs from {threads} threads: {len(docs) / floor:,.0f}/s")  # fmt: skip
    receiver.terminate()
    tick = Dispatch().tick_seconds
    delays = delay(settings, settings_config, args.delay_reminders, 30.0)
    print(f"delay from send time to delivery, `alerts run` with the default tick {tick:g} s, {len(delays)} "
          f"reminders over 30 s: p50 {pct(delays, 50):.2f} s, p95 {pct(delays, 95):.2f} s, max {max(delays):.2f} s "
          f"(aim: within tick + 1 s = {tick + 1:g} s)")  # fmt: skip


if __name__ == "__main__":
    main()
