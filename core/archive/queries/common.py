"""Helpers the read-side queries share: raw SQL composition, paging, text matching, values.

Queries that need subqueries, ``CASE`` or ``UNION`` are written as SQL that runs unchanged on
SQLite and PostgreSQL, composed from :class:`~piccolo.querystring.QueryString` pieces so every
value is a bound parameter. Lists are paged in SQL (``LIMIT``/``OFFSET`` plus a ``COUNT``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from piccolo.querystring import QueryString

from core.admin.common import PAGE_SIZE, Page, codes_in, in_list, raw_page
from core.archive.tables import Saksmappe
from core.request_connection import raw_rows

__all__ = [
    "PAGE_SIZE",
    "Page",
    "QueryString",
    "as_date",
    "as_datetime",
    "codes_in",
    "contains",
    "in_list",
    "run",
]


def engine_type() -> str:
    return str(Saksmappe._meta.db.engine_type)


async def run(query: QueryString, *, generic_plan: bool = False) -> list[dict[str, Any]]:
    """Run composed SQL; rows as dicts. ``generic_plan``: the statement reads rows by their
    keys (:func:`core.request_connection.raw_rows`)."""
    return await raw_rows(Saksmappe, query, generic_plan=generic_plan)


async def run_page(
    select: QueryString,
    count: QueryString | int,
    number: int | None,
    size: int = PAGE_SIZE,
    cap: int | None = None,
) -> Page:
    """One page of ``select`` (already ordered, without LIMIT) and the total from ``count``
    (a query returning one row with column ``n``, or the total itself when the caller knows
    it): :func:`core.admin.common.raw_page`."""
    return await raw_page(Saksmappe, select, count, number, size, cap)


def capped_count(rows: QueryString, cap: int) -> QueryString:
    """``SELECT COUNT(*) AS n`` of at most ``cap + 1`` rows of ``rows``: a big hit list is not
    counted to the end (the page says "over <cap>")."""
    return QueryString("SELECT COUNT(*) AS n FROM (SELECT 1 AS x FROM ({}) alle LIMIT {}) del", rows, cap + 1)


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards in ``text`` escaped (``ESCAPE '\\'``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains(column_sql: str, text: str) -> QueryString:
    """Case-insensitive "contains" on a column (ILIKE on PostgreSQL; LIKE on SQLite, which
    ignores case for ASCII letters)."""
    operator = "ILIKE" if engine_type() in ("postgres", "cockroach") else "LIKE"
    return QueryString(f"{column_sql} {operator} {{}} ESCAPE '\\'", like_pattern(text))


def as_date(value: Any) -> date | None:
    """A date from a raw row (SQLite returns text for computed columns)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def as_bool(value: Any) -> bool:
    return bool(value) and value not in ("0", "false", "f")
