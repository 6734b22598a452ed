"""Reads of tasks: the inbox *Mottatte oppgaver*, the sent tasks, one task, the menu count,
open tasks of a person and of people who have left, and who to mail.

Set-based SQL that runs unchanged on SQLite and PostgreSQL (every value a bound parameter);
lists are paged in SQL (:func:`core.admin.common.raw_page`). Names come in the same statement
(joins), never one query per row.

Whose tasks are in an inbox:

* **own**: tasks to the user; role tasks of the user's roles that nobody has taken; role tasks
  the user took;
* **as deputy**: tasks waiting for a leader the user deputises for today (a registered absence
  of a unit's current leader: ``User.authorities``), shown in a section of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from piccolo.querystring import QueryString

from core import memo
from core.admin.common import PAGE_SIZE, Page, codes_sql, in_list, raw_page
from core.auth.user import User
from core.request_connection import raw_rows
from core.tables import Person, PersonRole
from core.tasks.tables import ACTIVE, OPEN, Task

Row = dict[str, Any]

SORT_NEWEST = "nyeste"
SORT_OLDEST = "eldste"
SORT_DUE = "frist"
SORTS: dict[str, str] = {
    SORT_NEWEST: "t.created DESC, t.id DESC",
    SORT_OLDEST: "t.created ASC, t.id ASC",
    SORT_DUE: "(t.due IS NULL), t.due ASC, t.created ASC, t.id ASC",
}
"""Inbox orders (the ``sorter`` query value → SQL)."""

_ACTIVE_SQL = codes_sql("t.state", ACTIVE)
_COLUMNS = """
    t.id, t.kind, t.title, t.message, t.state, t.due, t.created, t.version, t.sender,
    t.receiver_person, t.receiver_role, t.taken_by, t.taken_at, t.object_type, t.object_id,
    s.name AS sender_name, r.name AS receiver_name, tb.name AS taken_by_name
"""
_JOINS = """
    FROM core_task t
    LEFT JOIN core_person s ON s.id = t.sender
    LEFT JOIN core_person r ON r.id = t.receiver_person
    LEFT JOIN core_person tb ON tb.id = t.taken_by
"""


async def _rows(query: QueryString, *, generic_plan: bool = False) -> list[Row]:
    return await raw_rows(Task, query, generic_plan=generic_plan)


def deputised_leaders(user: User) -> list[int]:
    """The leaders ``user`` acts for today as their registered deputy."""
    return sorted({a.on_behalf_of for a in user.authorities if a.on_behalf_of is not None})


def _own(user: User) -> QueryString:
    """The user's own tasks (any state): to them, taken by them, or open for one of their roles."""
    return QueryString(
        "(t.receiver_person = {} OR t.taken_by = {} OR (t.state = {} AND {}))",
        user.person_id,
        user.person_id,
        OPEN,
        in_list("t.receiver_role", sorted(user.roles)),
    )


def _deputy(user: User) -> QueryString:
    """Tasks waiting for a leader the user deputises for today."""
    leaders = deputised_leaders(user)
    return QueryString(
        "((t.taken_by IS NULL AND {}) OR {})",
        in_list("t.receiver_person", leaders),
        in_list("t.taken_by", leaders),
    )


def _kind(kind: str | None) -> QueryString:
    return QueryString("t.kind = {}", kind) if kind else QueryString("1 = 1")


async def inbox(
    user: User,
    *,
    kind: str | None = None,
    sort: str = SORT_NEWEST,
    page: int | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """The user's own open tasks (open or taken), filtered by kind, in ``sort`` order; pages of
    ``size`` rows."""
    where = QueryString(f"{_ACTIVE_SQL} AND {{}} AND {{}}", _own(user), _kind(kind))
    order = SORTS.get(sort, SORTS[SORT_NEWEST])
    return await raw_page(
        Task,
        QueryString(f"SELECT {_COLUMNS} {_JOINS} WHERE {{}} ORDER BY {order}", where),
        QueryString("SELECT COUNT(*) AS n FROM core_task t WHERE {}", where),
        page,
        size,
    )


async def deputy_inbox(
    user: User, *, kind: str | None = None, sort: str = SORT_NEWEST, page: int | None = None
) -> Page:
    """Open tasks of the leaders the user deputises for today, by leader (``holder_name``),
    then in ``sort`` order. Empty when the user deputises for nobody."""
    where = QueryString(f"{_ACTIVE_SQL} AND {{}} AND {{}}", _deputy(user), _kind(kind))
    order = SORTS.get(sort, SORTS[SORT_NEWEST])
    return await raw_page(
        Task,
        QueryString(
            f"SELECT {_COLUMNS}, COALESCE(t.taken_by, t.receiver_person) AS holder, "
            f"COALESCE(tb.name, r.name) AS holder_name {_JOINS} WHERE {{}} "
            f"ORDER BY COALESCE(tb.name, r.name), COALESCE(t.taken_by, t.receiver_person), {order}",
            where,
        ),
        QueryString("SELECT COUNT(*) AS n FROM core_task t WHERE {}", where),
        page,
    )


@dataclass(frozen=True)
class InboxCount:
    """Open tasks in the user's inbox: their own, and those they see as a deputy."""

    own: int = 0
    deputy: int = 0

    @property
    def total(self) -> int:
        return self.own + self.deputy


async def inbox_count(user: User) -> InboxCount:
    """The counts behind the menu badge, in one statement."""
    own = _own(user)
    rows = await _rows(
        QueryString(
            "SELECT COUNT(*) AS total, COALESCE(SUM(CASE WHEN {} THEN 1 ELSE 0 END), 0) AS own "  # noqa: S608 - constants
            f"FROM core_task t WHERE {_ACTIVE_SQL} AND ({{}} OR {{}})",
            own,
            own,
            _deputy(user),
        ),
        generic_plan=True,  # one person's open tasks, by the receiver and taker indexes
    )
    total, mine = int(rows[0]["total"] or 0), int(rows[0]["own"] or 0)
    return InboxCount(own=mine, deputy=total - mine)


@dataclass(frozen=True)
class KindSummary:
    """What waits of one kind of task for a user: in their own inbox (``own``), for the leaders
    they deputise for today (``deputy``), how many of those are past their frist (``overdue``),
    and the first few, the earliest frist first (``first``)."""

    own: int = 0
    deputy: int = 0
    overdue: int = 0
    first: list[Row] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.own + self.deputy


async def kind_summary(user: User, kind: str, day: date, size: int) -> KindSummary:
    """The open tasks of ``kind`` the user may act on (own and, as deputy today, their leaders'):
    the counts from window aggregates over all of them, and the first ``size`` rows in
    :data:`SORT_DUE` order, in one statement; the inbox filtered to ``kind`` lists the same
    tasks (own, then the section "Som stedfortreder")."""
    own = _own(user)
    rows = await _rows(
        QueryString(
            f"SELECT {_COLUMNS}, COUNT(*) OVER () AS n_total, "
            "SUM(CASE WHEN {} THEN 1 ELSE 0 END) OVER () AS n_own, "
            "SUM(CASE WHEN t.due IS NOT NULL AND t.due < {} THEN 1 ELSE 0 END) OVER () AS n_overdue "
            f"{_JOINS} WHERE {_ACTIVE_SQL} AND ({{}} OR {{}}) AND {{}} ORDER BY {SORTS[SORT_DUE]} LIMIT {{}}",
            own,
            day,
            own,
            _deputy(user),
            _kind(kind),
            size,
        )
    )
    if not rows:
        return KindSummary()
    total, mine = int(rows[0]["n_total"] or 0), int(rows[0]["n_own"] or 0)
    return KindSummary(own=mine, deputy=total - mine, overdue=int(rows[0]["n_overdue"] or 0), first=rows)


async def sent(user: User, page: int | None = None) -> Page:
    """Tasks the user sent, newest first, each with where it is now: its own state and holder,
    and the newest task that followed from it (``parent``), if any (``now_*`` fields)."""
    where = QueryString("t.sender = {}", user.person_id)
    result = await raw_page(
        Task,
        QueryString(
            f"SELECT {_COLUMNS}, t.done_at, t.outcome, t.comment, d.name AS done_by_name, "
            f"dob.name AS done_on_behalf_of_name {_JOINS} "
            "LEFT JOIN core_person d ON d.id = t.done_by "
            "LEFT JOIN core_person dob ON dob.id = t.done_on_behalf_of "
            "WHERE {} ORDER BY t.created DESC, t.id DESC",
            where,
        ),
        QueryString("SELECT COUNT(*) AS n FROM core_task t WHERE {}", where),
        page,
    )
    latest = await latest_followers([int(row["id"]) for row in result.items])
    for row in result.items:
        row["now"] = latest.get(int(row["id"]))
    return result


async def latest_followers(task_ids: Sequence[int]) -> dict[int, Row]:
    """Task id → the newest task down its chain of follow-ups (``parent`` links, any depth),
    for the tasks that have one. One recursive statement for all ``task_ids``."""
    if not task_ids:
        return {}
    rows = await _rows(
        QueryString(
            "WITH RECURSIVE chain(root, id, depth) AS ("  # noqa: S608 - constants
            " SELECT t.id, t.id, 0 FROM core_task t WHERE {}"
            " UNION ALL"
            " SELECT c.root, t.id, c.depth + 1 FROM core_task t JOIN chain c ON t.parent = c.id"
            ") "
            f"SELECT c.root, c.depth, {_COLUMNS} FROM chain c JOIN core_task t ON t.id = c.id "
            "LEFT JOIN core_person s ON s.id = t.sender "
            "LEFT JOIN core_person r ON r.id = t.receiver_person "
            "LEFT JOIN core_person tb ON tb.id = t.taken_by "
            "WHERE c.depth > 0",
            in_list("t.id", list(task_ids)),
        )
    )
    latest: dict[int, Row] = {}
    for row in rows:
        root = int(row["root"])
        best = latest.get(root)
        if best is None or (row["depth"], row["id"]) > (best["depth"], best["id"]):
            latest[root] = row
    return latest


async def get_task(task_id: int) -> Row | None:
    """One task with the names of everyone in it and the holder's unit (``holder_unit``)."""
    rows = await _rows(
        QueryString(
            f"SELECT {_COLUMNS}, t.done_by, t.done_on_behalf_of, t.done_at, t.outcome, t.comment, "
            "t.parent, t.reminded_on, t.escalated_on, d.name AS done_by_name, "
            "dob.name AS done_on_behalf_of_name, h.unit AS holder_unit, h.active AS holder_active "
            f"{_JOINS} "
            "LEFT JOIN core_person d ON d.id = t.done_by "
            "LEFT JOIN core_person dob ON dob.id = t.done_on_behalf_of "
            "LEFT JOIN core_person h ON h.id = COALESCE(t.taken_by, t.receiver_person) "
            "WHERE t.id = {}",
            task_id,
        )
    )
    return rows[0] if rows else None


async def open_tasks_of(person_id: int) -> list[Row]:
    """Every task waiting for ``person_id`` (sent to them, or a role task they took), oldest
    first: a leaver's checklist, an approver who left. Memoized per request (:mod:`core.memo`;
    the checklist's line counts them and its page lists them), a new list each call."""

    async def compute() -> tuple[Row, ...]:
        return tuple(
            await _rows(
                QueryString(
                    f"SELECT {_COLUMNS} {_JOINS} WHERE {_ACTIVE_SQL} "
                    "AND ((t.receiver_person = {} AND t.taken_by IS NULL) OR t.taken_by = {}) "
                    "ORDER BY t.created ASC, t.id ASC",
                    person_id,
                    person_id,
                )
            )
        )

    in_transaction = Task._meta.db.transaction_exists()
    return list(await memo.memoized(("open-tasks-of", person_id), compute, in_transaction=in_transaction))


async def waiting_for_inactive(page: int | None = None) -> Page:
    """Open tasks whose holder (receiver, or who took it) is deactivated, oldest first: the
    archive service gives them to someone else (``/admin/oppgaver``)."""
    where = QueryString(
        f"{_ACTIVE_SQL} AND EXISTS (SELECT 1 FROM core_person h "  # noqa: S608 - constants
        "WHERE h.id = COALESCE(t.taken_by, t.receiver_person) AND NOT h.active)"
    )
    return await raw_page(
        Task,
        QueryString(
            f"SELECT {_COLUMNS}, COALESCE(tb.name, r.name) AS holder_name, "
            f"COALESCE(t.taken_by, t.receiver_person) AS holder {_JOINS} "
            "WHERE {} ORDER BY t.created ASC, t.id ASC",
            where,
        ),
        QueryString("SELECT COUNT(*) AS n FROM core_task t WHERE {}", where),
        page,
    )


async def waiting_since(created_before: datetime) -> list[Row]:
    """Open tasks created before ``created_before`` (reminder candidates), with the holder's
    unit and whether the holder is active."""
    return await _rows(
        QueryString(
            f"SELECT {_COLUMNS}, t.reminded_on, t.escalated_on, "
            "COALESCE(t.taken_by, t.receiver_person) AS holder, h.unit AS holder_unit, "
            "h.active AS holder_active "
            f"{_JOINS} LEFT JOIN core_person h ON h.id = COALESCE(t.taken_by, t.receiver_person) "
            f"WHERE {_ACTIVE_SQL} AND t.created < {{}} ORDER BY t.id",
            created_before,
        )
    )


async def open_task_holders(object_type: str, object_id: str | int, kinds: Sequence[str]) -> set[int]:
    """The people that open tasks of ``kinds`` about one object wait for (receivers, or who
    took them): for a rule such as "the receiver of an open task of a kind that
    ``edits_documents`` may add versions to the journal post" (a deputy acting for one of them
    counts too: check ``User.authorities``)."""
    if not kinds:
        return set()
    rows = await _rows(
        QueryString(
            f"SELECT COALESCE(t.taken_by, t.receiver_person) AS holder FROM core_task t WHERE {_ACTIVE_SQL} "  # noqa: S608 - constants
            "AND t.object_type = {} AND t.object_id = {} AND {}",
            object_type,
            str(object_id),
            in_list("t.kind", list(kinds)),
        )
    )
    return {int(row["holder"]) for row in rows if row["holder"] is not None}


# --- people to mail ---------------------------------------------------------------------------


async def people(person_ids: Sequence[int]) -> dict[int, Row]:
    """id → name, email, language, active, unit of each person."""
    if not person_ids:
        return {}
    rows = await Person.select(
        Person.id, Person.name, Person.email, Person.language, Person.active, Person.unit
    ).where(Person.id.is_in(sorted(set(person_ids))))
    return {int(r["id"]): r for r in rows}


async def role_members(role: str) -> list[Row]:
    """The active people with ``role`` (name, email, language), by name."""
    rows: list[Row] = (
        await PersonRole.select(
            PersonRole.person.id.as_alias("id"),
            PersonRole.person.name.as_alias("name"),
            PersonRole.person.email.as_alias("email"),
            PersonRole.person.language.as_alias("language"),
            PersonRole.person.active.as_alias("active"),
            PersonRole.person.unit.as_alias("unit"),
        )
        .where((PersonRole.role == role) & (PersonRole.person._.active.eq(True)))
        .order_by(PersonRole.person.name)
    )
    return rows


async def open_tasks_about(object_type: str, object_id: str | int, kinds: Sequence[str] = ()) -> list[Row]:
    """Every task still waiting about one record (of ``kinds``, or any), oldest first."""
    kind_sql = in_list("t.kind", list(kinds)) if kinds else QueryString("1 = 1")
    return await _rows(
        QueryString(
            f"SELECT {_COLUMNS} {_JOINS} WHERE {_ACTIVE_SQL} AND t.object_type = {{}} AND t.object_id = {{}} "
            "AND {} ORDER BY t.created ASC, t.id ASC",
            object_type,
            str(object_id),
            kind_sql,
        )
    )


async def open_task_for(person_id: int, object_type: str, object_id: str | int, kind: str) -> Row | None:
    """The task of ``kind`` about one record that waits for ``person_id`` (sent to them), if any."""
    found = [
        t for t in await open_tasks_about(object_type, object_id, [kind]) if t["receiver_person"] == person_id
    ]
    return found[-1] if found else None


async def tasks_about(object_type: str, object_id: str | int, kinds: Sequence[str] = ()) -> list[Row]:
    """Every task about one record, done and withdrawn too (a routine's history), oldest first;
    with who completed it, when, its outcome and comment."""
    kind_sql = in_list("t.kind", list(kinds)) if kinds else QueryString("1 = 1")
    return await _rows(
        QueryString(
            f"SELECT {_COLUMNS}, t.outcome, t.comment, t.done_at, t.done_by, d.name AS done_by_name {_JOINS} "
            "LEFT JOIN core_person d ON d.id = t.done_by "
            "WHERE t.object_type = {} AND t.object_id = {} AND {} ORDER BY t.created ASC, t.id ASC",
            object_type,
            str(object_id),
            kind_sql,
        )
    )
