"""``ARKIV_ONBOARDING_FRISTDAGER`` (default 5): each step's deadline is this many working days
before the form's start date (for an *avgang*: the last working day). An invalid value stops the
app at start (:func:`validate`, called by the ``startup`` hook)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import date

from core.settings import ConfigError
from core.workdays import working_days_before

VARIABLE = "ARKIV_ONBOARDING_FRISTDAGER"
DEFAULT = 5
MAXIMUM = 60


def deadline_days(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    raw = env.get(VARIABLE, "").strip()
    if not raw:
        return DEFAULT
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{VARIABLE} må være et heltall, ikke «{raw}».") from None
    if not 0 <= value <= MAXIMUM:
        raise ConfigError(f"{VARIABLE} må være mellom 0 og {MAXIMUM}, ikke {value}.")
    return value


def validate(environ: Mapping[str, str] | None = None) -> None:
    deadline_days(environ)


def deadline(key_date: date | None) -> date | None:
    """A step's due date: working days before the form's key date (None without one)."""
    return working_days_before(key_date, deadline_days()) if key_date else None
