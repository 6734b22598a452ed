"""Time in the municipality's zone (Europe/Oslo); stored timestamps are UTC-aware."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Oslo."""
    return datetime.now(OSLO).date()


def oslo_date(value: datetime) -> date:
    """The date in Oslo of a stored timestamp (a naive one is taken as UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(OSLO).date()


def months_back(day: date, months: int = 1) -> date:
    """The same day ``months`` months earlier, clamped to the end of that month
    (31.03 -> 28./29.02)."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
