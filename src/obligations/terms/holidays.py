"""Public holiday calendars by country and subdivision (the holidays package), cached per year."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holiday_data


@lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str | None, year: int) -> dict[date, str]:
    found = holiday_data.country_holidays(country, subdiv=subdivision, years=year)
    return {d: str(name) for d, name in found.items()}


def holiday_calendar_problem(country: str, subdivision: str | None) -> str | None:
    """Why no holiday calendar exists for this country and subdivision, or None."""
    if country not in holiday_data.list_supported_countries():
        return f"unknown country {country!r}: an ISO 3166 code the holidays package knows, such as US, GB or DE"
    try:
        holiday_data.country_holidays(country, subdiv=subdivision, years=2000)
    except Exception as exc:  # the package names what is wrong with an unknown subdivision in its own error
        return f"country {country!r} has no subdivision {subdivision!r} ({exc})"
    return None
