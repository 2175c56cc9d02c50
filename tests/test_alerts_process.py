"""The alert service as a process: SIGKILL mid-batch and restart, two dispatchers on PostgreSQL, SIGTERM.

A synthetic portfolio is recorded with the clock at 2004-01-01 (so every reminder of its ten years is
planned) and dispatched with the clock in 2030 (so every one is due), to a real local webhook receiver.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from obligations.application import tables
from obligations.interfaces.cli import main
from obligations.synthetic import write
from receivers import HOOK_SECRET, WebhookReceiver

PAST = "2004-01-01T00:00:00+00:00"
FUTURE = "2030-01-01T00:00:00+00:00"


def portfolio(tmp: Path, url: str, hook: WebhookReceiver, agreements: int, lease: float) -> Path:
    write(tmp, agreements, seed=11)
    config = tmp / "config"
    (config / "alerts.toml").write_text(
        f"""
[channels.hook]
type = "webhook"
url = "{hook.url}"
secret_env = "HOOK_SECRET"
timeout_seconds = 5

[parties.Company]
channels = ["hook"]

[dispatch]
tick_seconds = 0.1
batch = 25
threads = 4
lease_seconds = {lease}
expire_after_hours = 300000
"""
    )
    env = {"OBLIGATIONS_NOW": PAST, "HOOK_SECRET": HOOK_SECRET}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["--database", url, "--config-dir", str(config), "import", str(tmp / "portfolio.jsonl")]) == 0
    return config


STARTS = iter(range(10**6))


def service(url: str, config: Path, *args: str) -> subprocess.Popen[bytes]:
    """Each process's clock starts a minute after the previous one's: time moves on across restarts."""
    now = datetime.fromisoformat(FUTURE) + timedelta(minutes=next(STARTS))
    env = {**os.environ, "OBLIGATIONS_NOW": now.isoformat(), "HOOK_SECRET": HOOK_SECRET}
    cmd = [str(Path(sys.executable).parent / "obligations"), "--database", url, "--config-dir", str(config)]
    return subprocess.Popen([*cmd, "alerts", "run", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def outbox(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    o = tables.outbox.c
    with engine.connect() as conn:
        states = dict(conn.execute(select(o.state, func.count()).group_by(o.state)).all())
        sent = {k for (k,) in conn.execute(select(o.key).where(o.state == "sent"))}
        all_keys = {k for (k,) in conn.execute(select(o.key))}
        d = tables.deliveries.c
        dispatchers = {n for (n,) in conn.execute(select(d.dispatcher).where(d.ok.is_(True)).distinct())}
    engine.dispose()
    return {"states": states, "sent": sent, "keys": all_keys, "dispatchers": dispatchers}


def wait_for(condition: Any, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_mid_batch_many_times_loses_nothing_and_sends_each_key_once_after_dedup(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}" if backend == "sqlite" else request.getfixturevalue("postgres_url")
    hook = WebhookReceiver(respond=lambda key, n: (204, 0.004))
    try:
        config = portfolio(tmp_path, url, hook, agreements=14, lease=1.0)
        planned = outbox(url)["keys"]
        assert len(planned) > 300
        rng = random.Random(7)
        kills = 0
        while kills < 6 and len({h.key for h in hook.delivered()}) < len(planned) * 0.8:
            seen = len(hook.hits)
            proc = service(url, config)
            target = seen + rng.randint(15, 50)  # three rounds stay below the 80% that ends the loop
            wait_for(lambda target=target: len(hook.hits) >= target, 30)  # type: ignore[misc]
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            kills += 1
        assert kills >= 3
        # The next process starts a minute later: the dead dispatchers' leases (1 s) have run out on PostgreSQL;
        # SQLite releases them when the file lock is taken.
        proc = service(url, config, "--once")
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        final = outbox(url)
        assert final["states"] == {"sent": len(planned)}, final["states"]
        delivered = Counter(h.key for h in hook.delivered())
        assert set(delivered) == planned == final["sent"], "every due reminder reached the receiver"
        assert all(h.signature_ok for h in hook.delivered())
        assert sum(delivered.values()) >= len(planned)  # at least once; duplicates carry the same key
    finally:
        hook.close()


@pytest.mark.postgres
def test_two_dispatchers_on_postgresql_never_hold_the_same_row(tmp_path: Path, postgres_url: str) -> None:
    hook = WebhookReceiver(respond=lambda key, n: (204, 0.002))
    try:
        config = portfolio(tmp_path, postgres_url, hook, agreements=8, lease=300)
        planned = outbox(postgres_url)["keys"]
        procs = [service(postgres_url, config), service(postgres_url, config)]
        assert wait_for(lambda: len(outbox(postgres_url)["sent"]) == len(planned), 90)
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            _, err = p.communicate(timeout=30)
            assert p.returncode == 0, err.decode()
        delivered = Counter(h.key for h in hook.delivered())
        assert set(delivered) == planned
        assert max(delivered.values()) == 1, "a row claimed by both would have been delivered twice"
        assert len(outbox(postgres_url)["dispatchers"]) == 2, "both dispatchers did part of the work"
    finally:
        hook.close()


def test_sigterm_stops_cleanly_and_a_second_sqlite_dispatcher_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    hook = WebhookReceiver()
    try:
        config = portfolio(tmp_path, url, hook, agreements=2, lease=300)
        proc = service(url, config)
        assert wait_for(lambda: len(outbox(url)["sent"]) == len(outbox(url)["keys"]), 60)
        second = service(url, config, "--once")
        _, err2 = second.communicate(timeout=60)
        assert second.returncode == 1 and b"another dispatcher is running" in err2
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert b"signal SIGTERM" in err and b"alerts service stopped" in err
    finally:
        hook.close()
