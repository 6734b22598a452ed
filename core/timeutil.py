"""Time in the municipality's zone (Europe/Oslo); stored timestamps are UTC-aware."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")


def now() -> datetime:
    """The current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Oslo."""
    return datetime.now(OSLO).date()
