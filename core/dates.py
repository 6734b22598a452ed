"""The one date field of every form and date filter: what a typed date is, the message when it
is none, and how a date is shown in a field.

Every form that takes a date reads it with :func:`read_date` (or :func:`date_into`), so a date
is accepted, refused and explained the same way everywhere, whatever the browser's language:

* accepted: ``17.05.2026`` and ``7.5.2026`` (typed, and what the calendar of the field writes),
  ``2026-05-17`` (links, bookmarks and old query strings): :func:`core.validation.check_date`;
* refused with one message naming the field: anything else, including a two-digit year
  (``1.1.26``), a day that does not exist (``31.02.2026``, ``00.01.2026``) and a year outside
  1900–2100.

A field shows a date as ``dd.mm.åååå`` (:func:`show_date`); what the user typed comes back
unchanged next to its error (:func:`shown_date`). The template side is the macro ``date`` in
``templates/admin/_org_skjema.html`` with its calendar ``core/static/datepicker.js``.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date

from core.i18n import _
from core.validation import OUT_OF_RANGE, check_date


def date_message(label: str, problem: str) -> str:
    """The message for a field labelled ``label`` whose text is no date (``problem`` from
    :func:`core.validation.check_date`)."""
    if problem == OUT_OF_RANGE:
        return _("«%(field)s» må være en dato mellom 01.01.1900 og 31.12.2100.") % {"field": label}
    return _("«%(field)s» må være en dato som finnes, skrevet dd.mm.åååå, for eksempel 17.05.2026.") % {
        "field": label
    }


def read_date(text: str | None, label: str, *, missing: str = "") -> tuple[date | None, str]:
    """``(date, "")`` for a date; ``(None, "")`` for an empty field (or ``(None, missing)`` when
    the field must be filled in and ``missing`` says so); ``(None, message)`` otherwise."""
    typed = (text or "").strip()
    if not typed:
        return None, missing
    checked = check_date(typed)
    if isinstance(checked, date):
        return checked, ""
    return None, date_message(label, checked)


def date_into(
    errors: MutableMapping[str, str], key: str, text: str | None, label: str, *, missing: str = ""
) -> date | None:
    """:func:`read_date`, with its message (if any) put in ``errors[key]``."""
    parsed, message = read_date(text, label, missing=missing)
    if message:
        errors[key] = message
    return parsed


def show_date(value: date | None) -> str:
    """A date as a field shows it: ``17.05.2026`` (``""`` for none)."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}" if value else ""


def shown_date(text: str | None) -> str:
    """What a date field shows for ``text``: a date as ``dd.mm.åååå`` (so an ISO date from a link
    shows the Norwegian way), anything else exactly as typed (next to its error)."""
    typed = (text or "").strip()
    checked = check_date(typed) if typed else None
    return show_date(checked) if isinstance(checked, date) else typed
