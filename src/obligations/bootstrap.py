"""The composition root: the only place that wires the store, the configuration and the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.errors import StoreError
from obligations.settings import Settings


def build(settings: Settings, clock: Callable[[], datetime] | None = None) -> Obligations:
    try:
        log = open_log(settings.database_url, settings.workdir)
    except Exception as exc:  # the driver's own error types vary; name the store and the cause
        if isinstance(exc, StoreError) or type(exc).__module__.startswith("obligations"):
            raise
        raise StoreError(f"cannot open the event store {settings.database_url}: {exc}") from exc
    return Obligations(log, settings.config_dir, clock)
