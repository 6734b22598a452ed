"""Reads of tasks: whose tasks are in an inbox and in which section, the counts behind the menu
badge, the sent tasks with where each is now, open tasks of a person and of people who left."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core import roles
from core.tables import Person
from core.tasks import queries, services
from core.tasks.tables import Task
from core.timeutil import now
from tests.core.tasks.org import make_org, task_to

pytestmark = pytest.mark.anyio


def titles(page) -> list[str]:
    return [row["title"] for row in page.items]


async def test_the_inbox_holds_own_role_and_taken_tasks_and_the_deputy_section_the_leaders(
    settings, db
) -> None:
    org = await make_org()
    await task_to(settings, person=org.deputy, sender=org.handler, title="Til Stian")
    await task_to(settings, role=roles.LONN, sender=org.handler, title="Til lønn")
    await task_to(settings, person=org.leader, sender=org.handler, title="Til Lise")
    await task_to(settings, person=org.kari, sender=org.handler, title="Til Kari")
    done = await task_to(settings, person=org.deputy, sender=org.handler, title="Ferdig")
    deputy = await org.user(org.deputy)
    await services.complete_task(settings, deputy, done, version=1, outcome="ferdig")

    assert titles(await queries.inbox(deputy)) == ["Til Stian"]
    assert titles(await queries.deputy_inbox(deputy)) == ["Til Lise"]
    assert (await queries.deputy_inbox(deputy)).items[0]["holder_name"] == "Lise Leder"
    assert await queries.inbox_count(deputy) == queries.InboxCount(own=1, deputy=1)

    # The old deputy's period is over: nothing as deputy.
    old = await org.user(org.old_deputy)
    assert queries.deputised_leaders(old) == []
    assert (await queries.deputy_inbox(old)).total == 0
    assert (await queries.inbox_count(old)).total == 0

    lena, lars = await org.user(org.payroll), await org.user(org.payroll2)
    assert titles(await queries.inbox(lena)) == ["Til lønn"]
    assert titles(await queries.inbox(lars)) == ["Til lønn"]
    role_task = (await queries.inbox(lena)).items[0]
    await services.take_task(settings, lena, role_task["id"], version=1)
    assert titles(await queries.inbox(lena)) == ["Til lønn"]  # taken by her: still hers
    assert titles(await queries.inbox(lars)) == []  # no longer open for the role
    assert (await queries.inbox_count(lars)).total == 0

    leader = await org.user(org.leader)
    assert titles(await queries.inbox(leader)) == ["Til Lise"]  # the leader sees her own too
    assert (await queries.inbox_count(await org.user(org.outsider))).total == 0


async def test_inbox_filters_by_kind_and_sorts(settings, db) -> None:
    org = await make_org()
    first = await task_to(settings, person=org.handler, title="Først", due=date(2027, 3, 1))
    second = await task_to(settings, person=org.handler, title="Så", kind="dummy_plugin.check")
    third = await task_to(settings, person=org.handler, title="Sist", due=date(2027, 1, 1))
    base = now()
    for offset, task_id in enumerate((first, second, third)):
        await Task.update({Task.created: base - timedelta(hours=3 - offset)}).where(Task.id == task_id)
    handler = await org.user(org.handler)
    assert titles(await queries.inbox(handler)) == ["Sist", "Så", "Først"]
    assert titles(await queries.inbox(handler, sort=queries.SORT_OLDEST)) == ["Først", "Så", "Sist"]
    assert titles(await queries.inbox(handler, sort=queries.SORT_DUE)) == ["Sist", "Først", "Så"]
    assert titles(await queries.inbox(handler, kind="dummy_plugin.check")) == ["Så"]
    assert titles(await queries.inbox(handler, sort="tull")) == ["Sist", "Så", "Først"]


async def test_inbox_is_paged(settings, db) -> None:
    org = await make_org()
    for n in range(53):  # a page is 50
        await Task.insert(
            Task(
                kind="core.oppgave",
                receiver_person=org.handler,
                object_type="x",
                object_id=str(n),
                title=f"T{n}",
                created=now(),
            )
        )
    handler = await org.user(org.handler)
    first, second = await queries.inbox(handler), await queries.inbox(handler, page=2)
    assert (first.total, len(first.items), len(second.items), second.number) == (53, 50, 3, 2)
    assert (await queries.inbox_count(handler)).own == 53


async def test_sent_tasks_say_where_each_is_now(settings, db) -> None:
    org = await make_org()
    root = await task_to(settings, person=org.leader, sender=org.handler, title="Til godkjenning")
    other = await task_to(settings, role=roles.ARKIV, sender=org.handler, title="Arkiver")
    await task_to(settings, person=org.handler, sender=org.leader, title="Ikke sendt av Hans")
    # The leader forwards: a follow-up to Rita, who forwards again to the archive.
    leader = await org.user(org.leader)
    await services.complete_task(settings, leader, root, version=1, outcome="videresendt")
    step = await task_to(settings, person=org.chief, sender=org.leader, title="Videre", parent=root)
    await services.complete_task(settings, await org.user(org.chief), step, version=1, outcome="videresendt")
    last = await task_to(settings, role=roles.ARKIV, sender=org.chief, title="Siste", parent=step)

    sent = await queries.sent(await org.user(org.handler))
    assert titles(sent) == ["Arkiver", "Til godkjenning"]
    by_title = {row["title"]: row for row in sent.items}
    assert by_title["Arkiver"]["now"] is None
    assert by_title["Til godkjenning"]["done_by_name"] == "Lise Leder"
    assert by_title["Til godkjenning"]["now"]["id"] == last
    assert by_title["Til godkjenning"]["now"]["receiver_role"] == roles.ARKIV
    assert other in {row["id"] for row in sent.items}


async def test_one_task_with_its_names(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler)
    await services.complete_task(settings, await org.user(org.deputy), task_id, version=1, outcome="godkjent")
    task = await queries.get_task(task_id)
    assert task is not None
    assert (
        task["sender_name"],
        task["receiver_name"],
        task["done_by_name"],
        task["done_on_behalf_of_name"],
    ) == (
        "Hans Handler",
        "Lise Leder",
        "Stian Stedfortreder",
        "Lise Leder",
    )
    assert task["holder_unit"] == org.lma
    assert await queries.get_task(task_id + 1000) is None


async def test_open_tasks_of_a_person_and_of_people_who_left(settings, db) -> None:
    org = await make_org()
    mine = await task_to(settings, person=org.handler, title="Hans sin")
    taken = await task_to(settings, role=roles.LONN, title="Lønn tatt av Lena")
    await task_to(settings, role=roles.LONN, title="Lønn åpen")
    finished = await task_to(settings, person=org.handler, title="Ferdig")
    await services.take_task(settings, await org.user(org.payroll), taken, version=1)
    await services.complete_task(settings, await org.user(org.handler), finished, version=1, outcome="ferdig")
    assert [r["id"] for r in await queries.open_tasks_of(org.handler)] == [mine]
    assert [r["id"] for r in await queries.open_tasks_of(org.payroll)] == [taken]

    assert (await queries.waiting_for_inactive()).total == 0
    await Person.update({Person.active: False}).where(Person.id.is_in([org.handler, org.payroll]))
    waiting = await queries.waiting_for_inactive()
    assert sorted(titles(waiting)) == ["Hans sin", "Lønn tatt av Lena"]
    assert {r["holder_name"] for r in waiting.items} == {"Hans Handler", "Lena Lønn"}


async def test_open_task_holders_of_an_object(settings, db) -> None:
    org = await make_org()
    await task_to(settings, person=org.leader, object_id=7, kind="dummy_plugin.approve")
    taken = await task_to(settings, role=roles.ARKIV, object_id=7, kind="dummy_plugin.approve")
    await task_to(settings, person=org.kari, object_id=7)  # another kind
    await task_to(settings, person=org.handler, object_id=8, kind="dummy_plugin.approve")  # another post
    finished = await task_to(settings, person=org.chief, object_id=7, kind="dummy_plugin.approve")
    await services.take_task(settings, await org.user(org.archivist), taken, version=1)
    await services.complete_task(settings, await org.user(org.chief), finished, version=1, outcome="ferdig")
    holders = await queries.open_task_holders("journalpost", 7, ["dummy_plugin.approve"])
    assert holders == {org.leader, org.archivist}
    assert await queries.open_task_holders("journalpost", 7, []) == set()


async def test_every_task_about_an_object_with_who_completed_it(settings, db) -> None:
    org = await make_org()
    first = await task_to(settings, person=org.chief, object_id=9, kind="dummy_plugin.approve")
    await services.complete_task(
        settings, await org.user(org.chief), first, version=1, outcome="ferdig", comment="Greit"
    )
    second = await task_to(settings, role=roles.ARKIV, object_id=9, kind="dummy_plugin.approve")
    await task_to(settings, person=org.kari, object_id=9)  # another kind
    await task_to(settings, person=org.kari, object_id=10, kind="dummy_plugin.approve")  # another post
    rows = await queries.tasks_about("journalpost", 9, ["dummy_plugin.approve"])
    assert [r["id"] for r in rows] == [first, second]
    assert (rows[0]["state"], rows[0]["outcome"], rows[0]["comment"]) == ("done", "ferdig", "Greit")
    assert rows[0]["done_by_name"] and rows[0]["done_at"] is not None
    assert rows[1]["done_by_name"] is None
    assert len(await queries.tasks_about("journalpost", 9)) == 3
