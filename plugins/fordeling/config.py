"""The plugin's own setting, read from the environment like core's ``ARKIV_*`` settings.

``ARKIV_FORDELING_PURREDAGER`` (default 1): the daily reminder goes to a unit whose queue holds
journal posts that have waited at least this many whole working days. An invalid value stops
the app at start (:func:`validate`, called by the ``startup`` hook) with a Norwegian
message naming the variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from core.settings import ConfigError

NUDGE_DAYS_VARIABLE = "ARKIV_FORDELING_PURREDAGER"
DEFAULT_NUDGE_DAYS = 1
MAX_NUDGE_DAYS = 60


def nudge_days(environ: Mapping[str, str] | None = None) -> int:
    """Working days a post may wait in a queue before the acting leader is reminded."""
    env = os.environ if environ is None else environ
    raw = env.get(NUDGE_DAYS_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_NUDGE_DAYS
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{NUDGE_DAYS_VARIABLE} må være et heltall, ikke «{raw}».") from None
    if not 0 <= value <= MAX_NUDGE_DAYS:
        raise ConfigError(f"{NUDGE_DAYS_VARIABLE} må være mellom 0 og {MAX_NUDGE_DAYS}, ikke {value}.")
    return value


def validate(environ: Mapping[str, str] | None = None) -> None:
    nudge_days(environ)
