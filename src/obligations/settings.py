"""Settings from the environment and the command line: where the store and the configuration are."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from obligations.domain.errors import InvalidInputError

DEFAULT_DATABASE = "sqlite:///var/obligations.db"


def default_config_dir() -> Path:
    """OBLIGATIONS_CONFIG_DIR, else ./config, else the repository's config/ beside src/."""
    env = os.environ.get("OBLIGATIONS_CONFIG_DIR")
    if env:
        return Path(env)
    local = Path.cwd() / "config"
    if (local / "agreements").is_dir():
        return local
    return Path(__file__).resolve().parents[2] / "config"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    database_url: str
    config_dir: Path
    workdir: Path
    cipher_key: str | None = None  # OBLIGATIONS_CIPHER_KEY: AES-GCM for the stored events (base64, 16/24/32 bytes)
    lock_timeout_ms: int = 30_000  # OBLIGATIONS_LOCK_TIMEOUT_MS: how long a write waits for a locked store

    @classmethod
    def load(cls, database: str | None = None, config_dir: str | None = None) -> Settings:
        url = database or os.environ.get("OBLIGATIONS_DATABASE_URL") or DEFAULT_DATABASE
        return cls(
            database_url=url,
            config_dir=Path(config_dir) if config_dir else default_config_dir(),
            workdir=Path.cwd(),
            cipher_key=os.environ.get("OBLIGATIONS_CIPHER_KEY") or None,
            lock_timeout_ms=_milliseconds(os.environ.get("OBLIGATIONS_LOCK_TIMEOUT_MS")),
        )


def _milliseconds(value: str | None) -> int:
    if value is None or not value.strip():
        return 30_000
    if not value.strip().isascii() or not value.strip().isdigit() or not 1 <= int(value) <= 600_000:
        raise InvalidInputError(f"OBLIGATIONS_LOCK_TIMEOUT_MS={value!r}: milliseconds, 1 to 600000")
    return int(value)


def clock_from_environment() -> Callable[[], datetime]:
    """The wall clock; OBLIGATIONS_NOW (an ISO instant) starts it at that instant instead, from which it runs
    on in real time: how tests and demos put a whole process, and its children, at another date."""
    start = os.environ.get("OBLIGATIONS_NOW")
    if not start:
        return lambda: datetime.now(UTC)
    try:
        origin = datetime.fromisoformat(start)
    except ValueError:
        raise InvalidInputError(
            f"OBLIGATIONS_NOW={start!r}: expected an ISO-8601 instant such as 2005-03-01T09:00:00+00:00"
        ) from None
    if origin.tzinfo is None:
        origin = origin.replace(tzinfo=UTC)
    began = time.monotonic()
    return lambda: origin + timedelta(seconds=time.monotonic() - began)


class ClockFormatter(logging.Formatter):
    """Log lines stamped with the process's clock (`clock_from_environment`: OBLIGATIONS_NOW when set), in
    UTC with milliseconds, so a demo or test put at another date logs that date."""

    def __init__(self, fmt: str, clock: Callable[[], datetime]) -> None:
        super().__init__(fmt)
        self.clock = clock
        self.offset = clock() - datetime.now(UTC)  # the shift from the wall clock, fixed at start

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        stamp = datetime.fromtimestamp(record.created, UTC) + self.offset
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


def log_to_stderr(level: int = logging.INFO) -> None:
    """Log to standard error, stamped by the process's clock (unless logging is configured already)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ClockFormatter(LOG_FORMAT, clock_from_environment()))
    logging.basicConfig(level=level, handlers=[handler])
