"""The composition root: the only place that wires the store, the configuration, the service and the alerts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from obligations.alerts.channels import open_senders
from obligations.alerts.dispatcher import Dispatcher
from obligations.alerts.outbox import OutboxPlanner
from obligations.alerts.policy import Policy, load_policy
from obligations.application.service import Obligations
from obligations.application.store import open_log
from obligations.domain.errors import StoreError
from obligations.settings import Settings, clock_from_environment


def build(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    policy: Policy | None = None,
    create: bool = True,
) -> Obligations:
    """The service over the configured store; the projector plans the reminder outbox in its batches.
    `create=False` (the read commands): a SQLite file that does not exist is an error, not a new empty store."""
    clock = clock or clock_from_environment()
    policy = policy or load_policy(settings.config_dir)
    try:
        log = open_log(settings.database_url, settings.workdir, create, settings.cipher_key, settings.lock_timeout_ms)
    except Exception as exc:  # the driver's own error types vary; name the store and the cause
        if isinstance(exc, StoreError) or type(exc).__module__.startswith("obligations"):
            raise
        raise StoreError(f"cannot open the event store {settings.database_url}: {exc}") from exc
    planner = OutboxPlanner(policy, settings.config_dir, clock)
    return Obligations(log, settings.config_dir, clock, projection_hook=planner)


@dataclass
class Alerts:
    obligations: Obligations
    dispatcher: Dispatcher
    policy: Policy
    channel_errors: dict[str, str]  # channels whose configuration cannot work: their deliveries fail, others go


def build_alerts(
    settings: Settings, clock: Callable[[], datetime] | None = None, policy: Policy | None = None
) -> Alerts:
    """The service plus a dispatcher over the policy's channels (opened and checked here: a channel whose
    configuration cannot work is logged, and its deliveries fail until it is fixed; the others go on)."""
    clock = clock or clock_from_environment()
    policy = policy or load_policy(settings.config_dir)
    obligations = build(settings, clock, policy)
    senders, errors = open_senders(dict(policy.channels), time.time)  # webhook-timestamp: the real wall clock
    for error in errors.values():
        logging.getLogger("obligations.alerts").error("configuration: %s", error)
    return Alerts(
        obligations, Dispatcher(obligations.log.engine, policy, senders, clock, obligations.person), policy, errors
    )
