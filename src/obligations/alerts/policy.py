"""The reminder policy, from config/alerts.toml: lead times and escalations per kind of item, parties and
their channels and recipients, the local time of day reminders go out, and the dispatcher's limits.

The letter says nothing about reminders (catalogue §6.1): everything here is configuration, with the
catalogue's suggested defaults (7 and 1 days before, and on the day) plus escalations 1 and 7 days after.
"""

from __future__ import annotations

import fnmatch
import tomllib
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from obligations.domain.errors import TermsError

Party = Literal["Company", "Employee"]
Notify = Literal["owed_by", "owed_to", "Company", "Employee"]
Days = Annotated[int, Field(ge=0, le=3650)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KindPolicy(Strict):
    lead_days: tuple[Days, ...] = (7, 1, 0)  # days before the date; 0 is the day itself
    escalate_days: tuple[Days, ...] = (1, 7)  # days after the date, sent only while the item is still open
    notify: tuple[Notify, ...] = ("owed_by", "Company")

    def offsets(self) -> list[int]:
        return sorted({-d for d in self.lead_days} | {d for d in self.escalate_days if d > 0})


def _kinds() -> dict[str, KindPolicy]:
    return {
        "payment": KindPolicy(),
        "obligation": KindPolicy(),
        "clock": KindPolicy(escalate_days=(1,)),  # the day after a cure deadline: the ground has arisen
        "vesting": KindPolicy(escalate_days=(), notify=("owed_to", "Company")),
        "ground": KindPolicy(lead_days=(), escalate_days=()),
    }


def _items() -> dict[str, KindPolicy]:
    # These clocks share their deadline with an obligation (`submit_i9`, `finalize_bonus_program`), which
    # knows when it is met: the obligation is reminded, the clock is not.
    none = KindPolicy(lead_days=(), escalate_days=())
    return {"clock:i9_submission": none, "clock:bonus_program_finalization": none}


class LogChannel(Strict):
    type: Literal["log"]
    path: str = "-"  # "-" is standard output; otherwise a file, appended to


class SmtpChannel(Strict):
    type: Literal["smtp"]
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    starttls: bool = False
    ca_file: str | None = None  # trust this CA for STARTTLS (default: the system's)
    username: str | None = None
    password_env: str | None = None  # the name of the environment variable holding the password
    allow_plaintext_auth: bool = False  # log in without STARTTLS (the password in clear): only when set
    sender: str
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 10


class WebhookChannel(Strict):
    type: Literal["webhook"]
    url: str
    secret_env: str | None = None  # the environment variable holding the Standard Webhooks secret (whsec_...)
    unsigned: bool = False  # deliver without a signature: only when set, never for want of a secret
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 5


class ChatChannel(Strict):
    """A Slack or Microsoft Teams incoming webhook: its URL is a secret, so it is read from an environment
    variable, never from this file."""

    type: Literal["slack", "teams"]
    url_env: str  # the environment variable holding the incoming webhook's URL (https)
    dashboard_url: str | None = None  # where the dashboard is reached: each message links to the agreement's page
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 5


Channel = Annotated[LogChannel | SmtpChannel | WebhookChannel | ChatChannel, Field(discriminator="type")]


class PartyRoute(Strict):
    channels: tuple[str, ...] = ()


class Recipients(Strict):
    companies: dict[str, tuple[str, ...]] = {}  # company id -> HR addresses
    agreements: dict[str, tuple[str, ...]] = {}  # agreement id -> the employee's addresses


class Schedule(Strict):
    send_time: time = time(9, 0)  # local time, in the company's time zone (its companies/*.toml)


class Dispatch(Strict):
    tick_seconds: Annotated[float, Field(gt=0, le=3600)] = 10
    batch: Annotated[int, Field(ge=1, le=10_000)] = 200
    threads: Annotated[int, Field(ge=1, le=256)] = 16
    lease_seconds: Annotated[float, Field(gt=0)] = 300
    late_after_minutes: Annotated[float, Field(ge=0)] = 60  # delivered later than this after its time: marked late
    expire_after_hours: Annotated[float, Field(gt=0)] = 14 * 24  # not delivered by then: expired and reported
    backoff_seconds: Annotated[float, Field(gt=0)] = 30  # first retry; doubles per failure
    backoff_max_seconds: Annotated[float, Field(gt=0)] = 3600


def _channels() -> dict[str, Channel]:
    return {"log": LogChannel(type="log")}


def _parties() -> dict[Party, PartyRoute]:
    return {"Company": PartyRoute(channels=("log",)), "Employee": PartyRoute()}


class Policy(Strict):
    kinds: dict[str, KindPolicy] = Field(default_factory=_kinds)
    items: dict[str, KindPolicy] = Field(default_factory=_items)  # "kind:item" globs, first match wins
    channels: dict[str, Channel] = Field(default_factory=_channels)
    parties: dict[Party, PartyRoute] = Field(default_factory=_parties)
    recipients: Recipients = Recipients()
    schedule: Schedule = Schedule()
    dispatch: Dispatch = Dispatch()

    def for_item(self, kind: str, item_id: str) -> KindPolicy | None:
        names = (f"{kind}:{item_id}", f"{kind}:{item_id.split(':')[0]}")  # a cure clock without its notice id
        for pattern, policy in self.items.items():
            if any(fnmatch.fnmatchcase(name, pattern) for name in names):
                return policy
        return self.kinds.get(kind)

    def parties_for(self, kind: str, item_id: str, owed_by: str | None, owed_to: str | None) -> list[Party]:
        policy = self.for_item(kind, item_id)
        out: list[Party] = []
        for who in policy.notify if policy else ():
            party = owed_by if who == "owed_by" else owed_to if who == "owed_to" else who
            if party in ("Company", "Employee") and party not in out:
                out.append(party)  # type: ignore[arg-type]
        return out


def load_policy(config_dir: Path) -> Policy:
    """config/alerts.toml, merged over the defaults kind by kind; the defaults when the file is absent."""
    path = config_dir / "alerts.toml"
    if not path.is_file():
        return Policy()
    try:
        raw = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise TermsError(str(path), None, f"not valid TOML: {exc}") from None
    given = raw.get("kinds", {})
    if isinstance(given, dict):  # field by field over the defaults of each kind
        defaults = {k: v.model_dump() for k, v in _kinds().items()}
        raw["kinds"] = {
            **defaults,
            **{k: {**defaults.get(k, {}), **v} if isinstance(v, dict) else v for k, v in given.items()},
        }
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or None
        reason = "unknown key (misspelt?)" if first["type"] == "extra_forbidden" else first["msg"]
        raise TermsError(str(path), key, reason) from None
    for party, route in policy.parties.items():
        for name in route.channels:
            if name not in policy.channels:
                raise TermsError(str(path), f"parties.{party}.channels", f"no channel named {name!r}")
    return policy
