"""Lists that remember, per person: the sort chosen last, and what came in since the last visit.

A list with a sort (*Til fordeling*, *Egne restanser*, the list behind a count of *Restanser i
egen enhet*, *Restanseoppfølging*, *Mottatte oppgaver*) calls :func:`open_list` with the
``sorter`` of the request, if any:

- **An explicit, allowed sort** is used and remembered (one row per person and list in
  ``core_list_preference``, :class:`core.tables.ListPreference`); the change is written to the
  hendelseslogg (``person.list_sort_changed``), as a change of language is.
- **No sort in the request**: the one remembered, when it is still allowed, else the list's
  default.
- **A sort that is not allowed** (a typo, an old bookmark): the list's default, and nothing is
  remembered. Never an error.

A list without a sort (*Mine journalposter* and its front-page card, which share one key) asks
only for the visit: :func:`since_last_visit`.

With ``seen`` the call also records the visit, for the mark «Ny» (items that came into the list
since the person's previous visit; shown first with the sort «Nye først»). A *visit* is a run of
views of the list less than :data:`VISIT_GAP` apart: during it the marks stay put (paging,
sorting, acting on rows), and the next visit marks what came after its last view. The time of
the last view is written at most every :data:`TOUCH` (as the session store does,
:mod:`core.sessions`), so a busy list costs one indexed read per request and a small write now
and then; the first visit marks what came in the last :data:`FIRST_VISIT_DAYS` days (as *Mine
journalposter* counts posts distributed "lately"). Because the time is written at most every
:data:`TOUCH`, an item that came in up to that long before the end of a visit may be marked at
the next one: the mark errs towards showing. The times of views are not written to the
hendelseslogg: they are not a change anyone made (like a session's activity).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.querystring import QueryString

from core import audit
from core.admin.common import in_list
from core.auth.user import User
from core.db import writing
from core.request_connection import raw_rows
from core.tables import ListPreference
from core.timeutil import now

VISIT_GAP = timedelta(minutes=30)
"""Views of a list closer together than this are one visit (the marks «Ny» stay)."""
TOUCH = timedelta(minutes=5)
"""The time of the last view is written at most this often."""
FIRST_VISIT_DAYS = 7
"""On a person's first visit to a list, what came in during these days is marked «Ny»."""
ACTION = "person.list_sort_changed"


@dataclass(frozen=True)
class ListView:
    """What a list shows for one request: its sort, and since when an item is «Ny» (None: the
    list does not mark; see :func:`open_list`)."""

    sort: str
    new_since: datetime | None = None


def _aware(value: Any) -> datetime | None:
    """A stored time as an aware datetime (Piccolo reads both databases' columns as datetime)."""
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def visit_times(
    seen_at: datetime | None, new_since: datetime | None, at: datetime
) -> tuple[datetime | None, datetime | None, bool]:
    """The rule of visits (module docstring): from the stored last view and mark time, at ``at``,
    the ``(seen_at, new_since)`` to keep and whether they must be written."""
    if seen_at is None:
        return at, at - timedelta(days=FIRST_VISIT_DAYS), True
    if at - seen_at >= VISIT_GAP:
        return at, seen_at, True  # a new visit: mark what came after the last one
    if at - seen_at >= TOUCH:
        return at, new_since, True  # the same visit goes on
    return seen_at, new_since, False


async def open_list(
    user: User,
    key: str,
    sort: str | None,
    sorts: Collection[str],
    default: str,
    *,
    seen: bool = False,
    seen_key: str | None = None,
) -> ListView:
    """The sort of the list ``key`` for ``user`` (the request's ``sort`` when allowed, else the
    one remembered, else ``default``), remembering an explicit one; with ``seen`` (or a
    ``seen_key``: a list whose visits count apart, as each queue of *Til fordeling* while the
    sort is that of all queues) also the visit, and the time after which an item is «Ny».

    One indexed read (both keys in one statement) and, when something changed, one write."""
    mark_key = seen_key or (key if seen else None)
    keys = [key] if mark_key in (None, key) else [key, mark_key]
    # Raw SQL: read on every list page, and Piccolo's query builder cost twice the statement.
    rows = await raw_rows(
        ListPreference,
        QueryString(
            "SELECT list_key, sort, seen_at, new_since FROM core_list_preference WHERE person = {} AND {}",
            user.person_id,
            in_list("list_key", keys),
        ),
        generic_plan=True,
    )
    stored = {str(row["list_key"]): row for row in rows}
    remembered = str(stored.get(key, {}).get("sort") or "")
    current = remembered if remembered in sorts else default
    chosen, store_sort = current, False
    if sort:
        chosen = sort if sort in sorts else default
        store_sort = sort in sorts and sort != current
    at = now()
    new_since: datetime | None = None
    marks: tuple[datetime | None, datetime | None, bool] | None = None
    if mark_key is not None:
        row = stored.get(mark_key, {})
        marks = visit_times(_aware(row.get("seen_at")), _aware(row.get("new_since")), at)
        new_since = marks[1]
    if store_sort or (marks is not None and marks[2]):
        async with writing(ListPreference):
            if store_sort:
                await _upsert(user.person_id, key, {ListPreference.sort: chosen})
                await audit.record(
                    actor_id=user.person_id,
                    action=ACTION,
                    object_type="person",
                    object_id=user.person_id,
                    summary=f"{key}: {chosen}",
                    details={"liste": key, "fra": current, "til": chosen},
                )
            if marks is not None and marks[2] and mark_key is not None:
                await _upsert(
                    user.person_id,
                    mark_key,
                    {ListPreference.seen_at: marks[0], ListPreference.new_since: marks[1]},
                )
    return ListView(chosen, new_since)


async def since_last_visit(user: User, key: str) -> datetime:
    """For a list without a sort (*Mine journalposter*): record the visit and give the time
    after which an item is new to ``user`` (:func:`open_list` with ``seen``)."""
    view = await open_list(user, key, None, (), "", seen=True)
    assert view.new_since is not None  # always set with seen
    return view.new_since


async def _upsert(person_id: int, key: str, values: dict[Any, Any]) -> None:
    """Insert the person's row of the list, or change only ``values`` of the existing one (a
    concurrent request that writes the other columns keeps what it wrote)."""
    row = ListPreference(
        person=person_id, list_key=key, **{column._meta.name: v for column, v in values.items()}
    )
    await ListPreference.insert(row).on_conflict(
        target=(ListPreference.person, ListPreference.list_key), action="DO UPDATE", values=list(values)
    )
