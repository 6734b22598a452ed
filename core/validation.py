"""Parsing what people type or click: database ids, dates and text. One rule each, for every
route, form, service and command.

* An **id** is ASCII digits only (no sign, no spaces inside, no ``²`` or other Unicode digits)
  whose value fits a PostgreSQL ``integer`` column: 1 … 2³¹−1. Anything else is "no id".
* A **date** is ``17.05.2026`` (typed by hand, the Norwegian way) or ``2026-05-17`` (from an
  ``<input type="date">``, links and the command line), from 01.01.1900 to 31.12.2100. A date
  outside that range is "no date": the field shows its usual error instead of a query with
  year 1 or 9999 (which PostgreSQL refuses, and ``date + 1 day`` overflows).
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

_DATE_NO = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


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


def parse_date(value: str | None) -> date | None:
    """``17.05.2026`` or ``2026-05-17`` from 1900 to 2100; None when it is neither, no real
    date, or outside that range.

    >>> parse_date("17.05.2026"), parse_date("01.01.0001"), parse_date("9999-12-31")
    (datetime.date(2026, 5, 17), None, None)
    """
    if value is None:
        return None
    text = value.strip()
    match = _DATE_NO.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            parsed = date(year, month, day)
        elif _DATE_ISO.match(text):
            parsed = date.fromisoformat(text)
        else:
            return None
    except ValueError:
        return None
    return parsed if MIN_DATE <= parsed <= MAX_DATE else None


def has_nul(text: str) -> bool:
    """Whether ``text`` holds a NUL character, which no text field may hold."""
    return "\x00" in text
