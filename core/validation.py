"""Parsing what people type or click: database ids and dates. One rule each, for every route,
form, service and command.

* An **id** is ASCII digits only (no sign, no spaces inside, no ``²`` or other Unicode digits)
  whose value fits a PostgreSQL ``integer`` column: 1 … 2³¹−1. Anything else is "no id".
* A **date** is ``17.05.2026`` (typed by hand, the Norwegian way) or ``2026-05-17`` (from an
  ``<input type="date">``, links and the command line).
"""

from __future__ import annotations

import re
from datetime import date

MAX_ID = 2**31 - 1
"""The largest value of an ``integer`` column (PostgreSQL) and of every id in the app."""

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


def parse_date(value: str | None) -> date | None:
    """``17.05.2026`` or ``2026-05-17``; None when it is neither or no real date."""
    if value is None:
        return None
    text = value.strip()
    match = _DATE_NO.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if _DATE_ISO.match(text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None
