"""Helpers the admin modules share: access checks, paging, input parsing, write locking, and the
lookups of one unit, one person and the units' leaders."""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from piccolo.columns.base import Column
from piccolo.columns.combination import Where
from piccolo.query.methods.count import Count
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString
from piccolo.table import Table

from core.auth.user import User
from core.errors import Forbidden, ValidationFailed
from core.i18n import _
from core.request_connection import raw_rows
from core.tables import Leadership, Person, Unit
from core.validation import parse_date as parse_date
from core.validation import parse_id as parse_id

PAGE_SIZE = 50

# One advisory lock key per area. On PostgreSQL a write transaction takes the key first, so a
# check-then-write (uniqueness, cycles, overlaps) is as atomic as SQLite's IMMEDIATE transaction.
LOCK_UNITS = 7_301_001
LOCK_PEOPLE = 7_301_002
LOCK_DEPUTIES = 7_301_003


def can_maintain(user: User) -> bool:
    """Administrator or Fellestjenesten/Arkiv: may maintain the organisation and read the log."""
    return user.is_admin or user.is_archive


def require_maintainer(user: User) -> None:
    if not can_maintain(user):
        raise Forbidden(
            _(
                "Bare administratorer og Fellestjenesten/Arkiv kan vedlikeholde enheter, personer og stedfortredere."
            )
        )


@dataclass(frozen=True)
class Page:
    """One page (``PAGE_SIZE`` rows) of a list, numbered from 1."""

    items: list[dict[str, Any]]
    number: int
    total: int
    size: int = PAGE_SIZE
    more: bool = False
    """``total`` is a floor: the list was counted only up to a cap ("over 200 treff")."""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_index(self) -> int:
        """1-based position of the first row on this page (0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


async def fetch_page(
    select: Select[Any], count: Count | int, number: int | None, *, more: bool = False
) -> Page:
    """Run ``count`` (or take the total the caller counted) and one page of ``select`` (which
    must already be ordered). ``more``: the total is a floor, counted up to a cap."""
    total = count if isinstance(count, int) else int(await count)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    number = min(max(1, number or 1), pages)
    rows: list[dict[str, Any]] = await select.limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)
    if more:  # the last page stops at the cap, as the caption says
        rows = rows[: max(0, total - (number - 1) * PAGE_SIZE)]
    return Page(items=rows, number=number, total=total, more=more)


async def raw_page(
    table: type[Table],
    select: QueryString,
    count: QueryString | int,
    number: int | None,
    size: int = PAGE_SIZE,
    cap: int | None = None,
) -> Page:
    """One page of composed SQL ``select`` (already ordered, without LIMIT) and the total from
    ``count`` (one row with column ``n``; or the total, counted elsewhere), run on ``table``'s
    engine.

    With ``cap``, ``count`` must count at most ``cap + 1`` rows (see
    :func:`core.archive.queries.common.capped_count`); more than ``cap`` gives ``total=cap``,
    ``more=True``, and pages up to the cap."""
    if isinstance(count, int):
        total = count
    else:
        counted = await raw_rows(table, count)
        total = int(counted[0]["n"]) if counted else 0
    more = cap is not None and total > cap
    if cap is not None and more:
        total = cap
    pages = max(1, math.ceil(total / size))
    number = min(max(1, number or 1), pages)
    rows = await raw_rows(table, QueryString("{} LIMIT {} OFFSET {}", select, size, (number - 1) * size))
    if more:
        rows = rows[: max(0, total - (number - 1) * size)]
    return Page(items=rows, number=number, total=total, size=size, more=more)


def in_list(column_sql: str, values: list[Any] | tuple[Any, ...] | frozenset[Any] | set[Any]) -> QueryString:
    """``column IN (...)`` with bound values; always false for no values."""
    items = sorted(values, key=str)
    if not items:
        return QueryString("1 = 0")
    placeholders = ", ".join("{}" for _ in items)
    return QueryString(f"{column_sql} IN ({placeholders})", *items)


CODE = re.compile(r"[A-Za-z0-9_]{1,32}")
"""What :func:`codes_sql` writes into SQL: one of the app's own code constants (a Noark code, a
task state): letters, digits and ``_``."""


def codes_sql(column_sql: str, codes: Sequence[str]) -> str:
    """``column IN ('R', 'F', 'G')`` as text, the codes written out, for the app's own code
    constants (never input: anything but letters, digits and ``_`` is refused). The condition
    of a partial index then matches the statement's on SQLite too, which compares the text and
    does not look at bound values; PostgreSQL matches both. Always false for no codes."""
    if not codes:
        return "1 = 0"
    for code in codes:
        if not CODE.fullmatch(code):
            raise ValueError(f"Not a code: {code!r}")
    return f"{column_sql} IN ({', '.join(repr(code) for code in codes)})"


def codes_in(column_sql: str, codes: Sequence[str]) -> QueryString:
    """:func:`codes_sql` as a composable condition."""
    return QueryString(codes_sql(column_sql, codes))


def contains(column: Column, text: str) -> Where:
    """Case-insensitive "contains" (ILIKE on PostgreSQL; LIKE, ASCII-insensitive, on SQLite)."""
    pattern = f"%{text}%"
    if column._meta.engine_type in ("postgres", "cockroach"):
        return column.ilike(pattern)
    return column.like(pattern)


async def serialize_writes(table: type[Table], key: int) -> None:
    """Inside a write transaction: queue behind other writers of the same area (PostgreSQL)."""
    if table._meta.db.engine_type == "postgres":
        await table.raw("SELECT pg_advisory_xact_lock({})", key)


def is_unique_violation(exc: BaseException) -> bool:
    """A unique constraint failed (asyncpg or sqlite3), e.g. two people saving at once."""
    name = type(exc).__name__
    return name == "UniqueViolationError" or (name == "IntegrityError" and "UNIQUE" in str(exc).upper())


def text(data: Mapping[str, Any], key: str) -> str:
    """A form value as stripped text ('' when missing)."""
    value = data.get(key, "")
    return value.strip() if isinstance(value, str) else ""


@asynccontextmanager
async def unique_guard(field: str, message: str) -> AsyncIterator[None]:
    """Turn a unique-constraint failure (a concurrent save won) into a field error."""
    try:
        yield
    except Exception as exc:
        if is_unique_violation(exc):
            raise ValidationFailed({field: message}) from exc
        raise


# --- list filters and lookups the units, people and deputies modules share ------------------

STATUS_ACTIVE = "aktive"
STATUS_INACTIVE = "deaktiverte"
STATUS_ALL = "alle"
STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ALL)
"""The status filter of the unit and people lists."""


def status_where(column: Any, status: str) -> Any:
    """The condition on an ``active`` column for a list status (None: no condition)."""
    if status == STATUS_INACTIVE:
        return column.eq(False)
    if status == STATUS_ALL:
        return None
    return column.eq(True)


def person_label(row: Mapping[str, Any] | None) -> str:
    """``Name (INITIALS)`` for the hendelseslogg, ``–`` for nobody."""
    return f"{row['name']} ({row['initials']})" if row else "–"


async def person_by_id(person_id: int) -> dict[str, Any] | None:
    """id, name, initials, active and unit of one person, or None."""
    row: dict[str, Any] | None = (
        await Person.select(Person.id, Person.name, Person.initials, Person.active, Person.unit)
        .where(Person.id == person_id)
        .first()
    )
    return row


async def unit_by_id(unit_id: int) -> dict[str, Any] | None:
    """id, code, name, parent and active of one unit, or None."""
    row: dict[str, Any] | None = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.parent, Unit.active)
        .where(Unit.id == unit_id)
        .first()
    )
    return row


async def leaders_for(unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    """unit id → {person, name, initials} of its leader, for every unit that has one."""
    if not unit_ids:
        return {}
    rows = await Leadership.select(
        Leadership.unit,
        Leadership.person,
        Leadership.person.name.as_alias("name"),
        Leadership.person.initials.as_alias("initials"),
    ).where(Leadership.unit.is_in(unit_ids))
    return {r["unit"]: r for r in rows}
