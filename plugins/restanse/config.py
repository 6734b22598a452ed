"""The plugin's own setting, read from the environment like core's ``ARKIV_*`` settings.

``ARKIV_RESTANSE_TERSKEL`` (default 30): a handler with this many restanser *or more* is marked
in *Restanseoppfølging* and gets the monthly mail (the customer's text says both "30 eller mer"
and "over 30"; the app uses "30 eller flere"). An invalid value stops the app at start
(:func:`validate`, called by the ``startup`` hook) with a Norwegian message naming the
variable.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from core.settings import ConfigError

THRESHOLD_VARIABLE = "ARKIV_RESTANSE_TERSKEL"
DEFAULT_THRESHOLD = 30
MAX_THRESHOLD = 100_000


def threshold(environ: Mapping[str, str] | None = None) -> int:
    """Restanser a handler may have before being marked: marked at ``threshold()`` or more."""
    env = os.environ if environ is None else environ
    raw = env.get(THRESHOLD_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{THRESHOLD_VARIABLE} må være et heltall, ikke «{raw}».") from None
    if not 1 <= value <= MAX_THRESHOLD:
        raise ConfigError(f"{THRESHOLD_VARIABLE} må være mellom 1 og {MAX_THRESHOLD}, ikke {value}.")
    return value


def validate(environ: Mapping[str, str] | None = None) -> None:
    threshold(environ)
