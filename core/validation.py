"""Parsing what people type or click: database ids, dates and text. One rule each, for every
route, form, service and command.

* An **id** is ASCII digits only (no sign, no spaces inside, no ``²`` or other Unicode digits)
  whose value fits a PostgreSQL ``integer`` column: 1 … 2³¹−1. Anything else is "no id".
* A **date** is ``17.05.2026`` or ``7.5.2026`` (typed by hand, the Norwegian way: day and month
  of one or two digits, the year always four) or ``2026-05-17`` (ISO, from links, bookmarks, old
  query strings and the command line), ASCII digits only, from 01.01.1900 to 31.12.2100. A
  two-digit year (``1.1.26``) is no date: it would have to be guessed. A date outside the range
  is "no date" too: the field shows its error instead of a query with year 1 or 9999 (which
  PostgreSQL refuses, and ``date + 1 day`` overflows). :func:`date_problem` says which of the
  two is wrong; ``core.dates.read_date`` turns that into the one message every form shows.
* **Text** never holds a NUL character (``\x00``): PostgreSQL cannot store it in a text column.

``core.web.middleware.bounded_input_middleware`` applies the id and text rules to every request
(path, query string and form body) before a handler runs.
"""

from __future__ import annotations

import re
from datetime import date

MAX_ID = 2**31 - 1
"""The largest value of an ``integer`` column (PostgreSQL) and of every id in the app."""
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
"""The dates :func:`parse_date` accepts: a sane range for a municipal archive."""

_DATE_NO = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_DATE_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
NOT_A_DATE = "format"
""":func:`date_problem`: not written as a date, or no such day (31.02.2026, 00.01.2026)."""
OUT_OF_RANGE = "range"
""":func:`date_problem`: a real date, but outside :data:`MIN_DATE` … :data:`MAX_DATE`."""


def parse_id(value: str | None) -> int | None:
    """A database id from a form value, a query string or a path part; None when it is not one.

    >>> parse_id(" 42 "), parse_id("0"), parse_id("²"), parse_id("-1"), parse_id("2147483648")
    (42, None, None, None, None)
    """
    if value is None:
        return None
    text = value.strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def is_id(value: str | None) -> bool:
    """Whether ``value`` is a valid id (see :func:`parse_id`)."""
    return parse_id(value) is not None


def in_id_range(number: int) -> bool:
    """Whether an integer already parsed (a typed path or query parameter) may be an id."""
    return not isinstance(number, bool) and 1 <= number <= MAX_ID


def check_date(value: str | None) -> date | str:
    """The date in ``value`` (see the module's rule), or why it is none: :data:`NOT_A_DATE` or
    :data:`OUT_OF_RANGE`. Empty text is :data:`NOT_A_DATE` (callers decide whether a field may
    be empty before they ask).

    >>> check_date(" 7.5.2026 "), check_date("31.02.2026"), check_date("01.01.0001")
    (datetime.date(2026, 5, 7), 'format', 'range')
    """
    text = (value or "").strip()
    if len(text) > 10:
        return NOT_A_DATE
    if match := _DATE_NO.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _DATE_ISO.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        return NOT_A_DATE
    try:
        parsed = date(year, month, day)
    except ValueError:
        return NOT_A_DATE
    return parsed if MIN_DATE <= parsed <= MAX_DATE else OUT_OF_RANGE


def date_problem(value: str | None) -> str:
    """``""`` when ``value`` is a date by :func:`check_date`, else its problem."""
    checked = check_date(value)
    return "" if isinstance(checked, date) else checked


def parse_date(value: str | None) -> date | None:
    """``17.05.2026``, ``7.5.2026`` or ``2026-05-17`` from 1900 to 2100; None when it is none
    of these, no real date, or outside that range (:func:`check_date`).

    >>> parse_date("17.05.2026"), parse_date("01.01.0001"), parse_date("9999-12-31")
    (datetime.date(2026, 5, 17), None, None)
    """
    checked = check_date(value)
    return checked if isinstance(checked, date) else None


def has_nul(text: str) -> bool:
    """Whether ``text`` holds a NUL character, which no text field may hold."""
    return "\x00" in text
