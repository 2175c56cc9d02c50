"""The long-running alert service: APScheduler 3 is only the clock that wakes the projector and the dispatcher.

Nothing of value lives in APScheduler (notes/dependencies.md): its job is an in-memory interval whose
missed runs are coalesced into one; every reminder and its state live in the outbox, so a restart loses
nothing and a run that falls due while the process is down happens on the first tick after it starts.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler

from obligations.alerts.dispatcher import Dispatcher, Tally
from obligations.application.projections import Projector, ProjectorBusy

log = logging.getLogger("obligations.alerts")


def tick(projector: Projector, dispatcher: Dispatcher, log_tally: bool = True) -> Tally | None:
    """Bring the read models and the outbox up to date (unless another projector is at it), then dispatch;
    the tally is logged unless the caller reports it itself (`alerts run --once`)."""
    try:
        projector.catch_up(wait=False)
    except ProjectorBusy:
        log.info("another projector is running; dispatching from the outbox as it stands")
    except Exception:  # a failed catch-up must not stop reminders already planned
        log.exception("projector catch-up failed; dispatching from the outbox as it stands")
    try:
        tally = dispatcher.run_once()
    except Exception:
        log.exception("dispatch failed; next tick retries")
        return None
    if log_tally and (tally.claimed or tally.expired):
        log.info("dispatch: %s", tally)
    return tally


def run(
    projector: Projector,
    dispatcher: Dispatcher,
    tick_seconds: float,
    stop: threading.Event | None = None,
    on_start: Callable[[], None] | None = None,
) -> None:
    """Tick every `tick_seconds` until SIGTERM or SIGINT (or `stop`), then finish the tick and exit."""
    stop = stop or threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current tick", signal.Signals(signum).name)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    scheduler = BackgroundScheduler(timezone=UTC)
    scheduler.add_job(
        tick,
        "interval",
        args=(projector, dispatcher),
        seconds=tick_seconds,
        next_run_time=datetime.now(UTC),
        id="tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    with dispatcher.lock():
        scheduler.start()
        log.info("alerts service started: %s, tick %ss", dispatcher.name, tick_seconds)
        if on_start:
            on_start()
        stop.wait()
        scheduler.shutdown(wait=True)
    dispatcher.close()
    log.info("alerts service stopped")
