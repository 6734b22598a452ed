"""Translations (Babel): bokmål is the source language, nynorsk a complete catalogue.

Message ids are the bokmål texts. The catalogue ``core/locales/nn/LC_MESSAGES/messages.po`` is
compiled in memory at start (no build step), and the current language lives in a context
variable set per request. ``make i18n`` extracts new strings; a test fails when a string in
the code has no nynorsk translation.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from core.timeutil import OSLO

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk"}

_language: ContextVar[str] = ContextVar("language", default="nb")


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue for ``language`` (bokmål: identity)."""
    po = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == "nb" or not po.is_file():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def set_language(language: str) -> None:
    _language.set(language if language in LANGUAGE_NAMES else "nb")


def current_language() -> str:
    return _language.get()


def gettext(message: str) -> str:
    return translations(_language.get()).ugettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_language.get()).ungettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name
    """Mark a string for extraction; translate it later with ``_()`` where it is shown."""
    return message


DATE_FORMAT = "dd.MM.yyyy"
DATETIME_FORMAT = "dd.MM.yyyy HH:mm"
"""The formats lists use. They are the same in bokmål and nynorsk, so :func:`format_dato`,
:func:`format_tidspunkt` and :func:`format_tall` write them directly: a list of 50 rows shows
hundreds of dates and numbers, and Babel's formatting (a locale lookup and a pattern per
value) was a tenth of such a page's time. Other formats go through Babel; a test compares
both ways."""


def format_dato(value: date | datetime | None, fmt: str = DATE_FORMAT) -> str:
    """Norwegian date (default ``17.05.2026``)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(OSLO).date() if value.tzinfo else value.date()
    if fmt == DATE_FORMAT:
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    return format_date(value, fmt, locale=_language.get())


def format_tidspunkt(value: datetime | None, fmt: str = DATETIME_FORMAT) -> str:
    """Norwegian date and time in Oslo time (``17.05.2026 14:05``)."""
    if value is None:
        return ""
    if fmt == DATETIME_FORMAT and value.tzinfo is not None:
        local = value.astimezone(OSLO)
        return f"{local.day:02d}.{local.month:02d}.{local.year:04d} {local.hour:02d}:{local.minute:02d}"
    return format_datetime(value, fmt, tzinfo=OSLO, locale=_language.get())


def format_tall(value: float | int | None) -> str:
    """Norwegian number: ``1 234 567`` (non-breaking space), decimal comma."""
    if value is None:
        return ""
    if type(value) is int:
        return f"{value:,}".replace(",", "\u00a0")
    return format_decimal(value, locale=_language.get())
