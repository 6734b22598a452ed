"""Lists that remember (core.web.list_preferences): the sort chosen last per person and list, a
bad sort never stored, the visit rule behind the mark «Ny», writes bounded to every few
minutes, and two requests at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.tables import AuditEvent, ListPreference
from core.timeutil import now
from core.web import list_preferences
from core.web.list_preferences import FIRST_VISIT_DAYS, TOUCH, VISIT_GAP, open_list, visit_times
from tests.support.factories import as_user, make_person, make_unit

pytestmark = pytest.mark.anyio

SORTS = ("eldst", "nyest", "nye")
T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def test_the_visit_rule() -> None:
    # The first visit marks the last days.
    assert visit_times(None, None, T0) == (T0, T0 - timedelta(days=FIRST_VISIT_DAYS), True)
    earlier = T0 - timedelta(days=2)
    # Within a few minutes: nothing is written, the marks stay.
    assert visit_times(T0, earlier, T0 + TOUCH - timedelta(seconds=1)) == (T0, earlier, False)
    # The same visit goes on: the time of the last view moves, the marks stay.
    later = T0 + TOUCH
    assert visit_times(T0, earlier, later) == (later, earlier, True)
    # A new visit: what came after the last view of the one before is «Ny».
    next_visit = T0 + VISIT_GAP
    assert visit_times(T0, earlier, next_visit) == (next_visit, T0, True)


async def rows(person: int) -> list[dict]:
    return list(
        await ListPreference.select(
            ListPreference.list_key, ListPreference.sort, ListPreference.seen_at, ListPreference.new_since
        )
        .where(ListPreference.person == person)
        .order_by(ListPreference.list_key)
    )


async def sort_events(person: int) -> list[dict]:
    return list(
        await AuditEvent.select(AuditEvent.action, AuditEvent.summary, AuditEvent.actor)
        .where(AuditEvent.action == list_preferences.ACTION)
        .where(AuditEvent.object_id == str(person))
        .order_by(AuditEvent.id)  # in the order written (a table without ORDER BY has none)
    )


async def test_the_sort_chosen_last_is_used_and_a_bad_one_never_stored(db: None) -> None:
    person = await make_person(unit=await make_unit())
    other = await make_person()
    user = await as_user(person)

    assert (await open_list(user, "test.liste", None, SORTS, "eldst")).sort == "eldst"
    assert await rows(person) == []  # nothing chosen, nothing seen: nothing written
    # The default asked for explicitly is not a choice worth a row either.
    assert (await open_list(user, "test.liste", "eldst", SORTS, "eldst")).sort == "eldst"
    assert await rows(person) == []

    assert (await open_list(user, "test.liste", "nyest", SORTS, "eldst")).sort == "nyest"
    assert [(r["list_key"], r["sort"]) for r in await rows(person)] == [("test.liste", "nyest")]
    assert (await open_list(user, "test.liste", None, SORTS, "eldst")).sort == "nyest"
    # Per person and per list.
    assert (await open_list(await as_user(other), "test.liste", None, SORTS, "eldst")).sort == "eldst"
    assert (await open_list(user, "test.annen", None, SORTS, "eldst")).sort == "eldst"

    # A sort the list does not have: the default for this request, the choice kept.
    for bad in ("drop table", "NYEST", "x" * 500, "\u00e6"):
        assert (await open_list(user, "test.liste", bad, SORTS, "eldst")).sort == "eldst"
    assert (await open_list(user, "test.liste", None, SORTS, "eldst")).sort == "nyest"
    # A remembered sort the list no longer has falls back to the default.
    assert (await open_list(user, "test.liste", None, ("eldst", "frist"), "eldst")).sort == "eldst"

    # Back to the default, explicitly: remembered too.
    assert (await open_list(user, "test.liste", "eldst", SORTS, "eldst")).sort == "eldst"
    assert (await open_list(user, "test.liste", None, SORTS, "eldst")).sort == "eldst"
    events = await sort_events(person)
    assert [e["summary"] for e in events] == ["test.liste: nyest", "test.liste: eldst"]
    assert {e["actor"] for e in events} == {person}


async def test_a_visit_marks_what_came_after_the_visit_before(db: None) -> None:
    person = await make_person()
    user = await as_user(person)
    before = now()
    first = await open_list(user, "test.liste", None, SORTS, "eldst", seen=True)
    assert first.new_since is not None
    assert first.new_since <= before - timedelta(days=FIRST_VISIT_DAYS) + timedelta(seconds=5)
    [row] = await rows(person)
    seen_at = row["seen_at"]
    assert seen_at >= before

    # Another view at once: the same marks, and no write.
    again = await open_list(user, "test.liste", None, SORTS, "eldst", seen=True)
    assert again.new_since == first.new_since
    assert (await rows(person))[0]["seen_at"] == seen_at

    # The last view was an hour ago: a new visit marks what came since then.
    an_hour_ago = now() - timedelta(hours=1)
    await ListPreference.update({ListPreference.seen_at: an_hour_ago}).where(ListPreference.person == person)
    visit = await open_list(user, "test.liste", None, SORTS, "eldst", seen=True)
    assert visit.new_since is not None and abs(visit.new_since - an_hour_ago) < timedelta(seconds=1)
    [row] = await rows(person)
    assert row["seen_at"] > an_hour_ago
    assert await sort_events(person) == []  # views are not written to the hendelseslogg


async def test_the_sort_of_all_queues_and_the_visits_of_each(db: None) -> None:
    person = await make_person()
    user = await as_user(person)
    view = await open_list(user, "test.kurv", "nyest", SORTS, "eldst", seen_key="test.kurv:12")
    assert view.sort == "nyest" and view.new_since is not None
    assert [(r["list_key"], r["sort"], r["seen_at"] is not None) for r in await rows(person)] == [
        ("test.kurv", "nyest", False),
        ("test.kurv:12", "", True),
    ]
    other_queue = await open_list(user, "test.kurv", None, SORTS, "eldst", seen_key="test.kurv:sentral")
    assert other_queue.sort == "nyest"
    assert len(await rows(person)) == 3


async def test_two_requests_at_once_make_one_row(db: None) -> None:
    person = await make_person()
    user = await as_user(person)
    views = await asyncio.gather(
        *(open_list(user, "test.liste", sort, SORTS, "eldst", seen=True) for sort in ("nyest", "nyest", None))
    )
    assert all(v.new_since is not None for v in views)
    [row] = await rows(person)
    assert row["sort"] == "nyest" and row["seen_at"] is not None
