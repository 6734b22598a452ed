"""Writes of tasks: create, take, complete, withdraw, reassign; who may act (the deputy only
inside the registered period, audited on behalf of the leader); joining the caller's
transaction."""

from __future__ import annotations

import json
from datetime import date

import pytest

from core import roles
from core.audit import CORE_LABELS
from core.db import writing
from core.errors import Conflict, Forbidden, ValidationFailed
from core.tables import AuditEvent, MailMessage, Person
from core.tasks import services
from core.tasks.tables import Task
from tests.core.tasks.org import make_org, task_to

pytestmark = pytest.mark.anyio


async def task_row(task_id: int) -> dict:
    row = await Task.select().where(Task.id == task_id).first()
    assert row is not None
    return row


async def events(action: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


async def test_create_task_stores_it_audits_it_and_queues_one_mail(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader, due=date(2026, 12, 24))
    row = await task_row(task_id)
    assert (row["state"], row["version"], row["receiver_person"], row["receiver_role"]) == (
        "open",
        1,
        org.handler,
        None,
    )
    assert (row["object_type"], row["object_id"], row["due"]) == ("journalpost", "1", date(2026, 12, 24))
    [event] = await events("task.created")
    assert (event["actor"], event["object_type"], event["object_id"]) == (org.leader, "oppgave", str(task_id))
    assert event["summary"] == "Se over vedtaket"
    mails = await MailMessage.select().where(MailMessage.source == "core.tasks")
    assert [m["idempotency_key"] for m in mails] == [f"task.new:{task_id}"]
    assert all(
        label in CORE_LABELS
        for label in ("task.created", "task.taken", "task.done", "task.withdrawn", "task.reassigned")
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"receiver_person_id": None, "receiver_role": None},
        {"receiver_person_id": 1, "receiver_role": roles.ARKIV},
        {"receiver_person_id": None, "receiver_role": roles.ADMIN},
        {"receiver_person_id": None, "receiver_role": roles.ARKIV, "title": "  "},
        {"receiver_person_id": None, "receiver_role": roles.ARKIV, "kind": "uten_punktum"},
    ],
)
async def test_a_broken_contract_is_a_programming_error(settings, db, kwargs) -> None:
    values = {
        "kind": "core.oppgave",
        "sender_id": None,
        "object_type": "journalpost",
        "object_id": 1,
        "title": "T",
    }
    with pytest.raises(ValueError):
        await services.create_task(settings, **{**values, **kwargs})
    assert await Task.count() == 0


async def test_a_long_title_is_shortened(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, title="Svar på søknad " * 40)
    title = (await task_row(task_id))["title"]
    assert len(title) <= 300 and title.endswith("…") and title.startswith("Svar på søknad Svar")


async def test_a_receiver_who_left_is_refused_and_nothing_is_written(settings, db) -> None:
    org = await make_org()
    await Person.update({Person.active: False}).where(Person.id == org.handler)
    with pytest.raises(ValidationFailed) as refused:
        await task_to(settings, person=org.handler, sender=org.leader)
    assert "mottaker" in refused.value.errors
    assert (await Task.count(), await AuditEvent.count(), await MailMessage.count()) == (0, 0, 0)


async def test_create_task_joins_the_callers_transaction(settings, db) -> None:
    org = await make_org()
    async with writing(Task):
        kept = await task_to(settings, person=org.handler, sender=org.leader, title="Beholdes")
        assert await Task.exists().where(Task.id == kept)  # the caller's own connection sees it
    with pytest.raises(RuntimeError):
        async with writing(Task):
            await task_to(settings, person=org.handler, sender=org.leader, title="Rulles tilbake")
            raise RuntimeError("the caller's own change failed")
    assert [r["title"] for r in await Task.select(Task.title)] == ["Beholdes"]
    assert len(await events("task.created")) == 1
    assert [m["idempotency_key"] for m in await MailMessage.select()] == [f"task.new:{kept}"]


async def test_a_role_task_is_taken_by_one_member(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.LONN, sender=org.leader)
    lena, lars = await org.user(org.payroll), await org.user(org.payroll2)
    await services.take_task(settings, lena, task_id, version=1)
    row = await task_row(task_id)
    assert (row["state"], row["taken_by"], row["version"]) == ("taken", org.payroll, 2)
    assert row["taken_at"] is not None
    with pytest.raises(Conflict, match=r"Oppgaven er allerede tatt av Lena Lønn\.$"):
        await services.take_task(settings, lars, task_id, version=1)
    [event] = await events("task.taken")
    assert event["actor"] == org.payroll
    # Lars may no longer complete it either: it is Lena's now.
    with pytest.raises(Conflict, match="allerede tatt av Lena Lønn"):
        await services.complete_task(settings, lars, task_id, version=2, outcome="ferdig")
    done = await services.complete_task(settings, lena, task_id, version=2, outcome="ferdig")
    assert (done.actor_id, done.on_behalf_of) == (org.payroll, None)


async def test_only_role_members_take_and_only_role_tasks_are_taken(settings, db) -> None:
    org = await make_org()
    role_task = await task_to(settings, role=roles.LONN, sender=org.leader)
    person_task = await task_to(settings, person=org.handler, sender=org.leader)
    with pytest.raises(Forbidden, match="Bare Lønningskontoret"):
        await services.take_task(settings, await org.user(org.archivist), role_task, version=1)
    with pytest.raises(Forbidden, match="én person"):
        await services.take_task(settings, await org.user(org.handler), person_task, version=1)
    assert await AuditEvent.count().where(AuditEvent.action == "task.taken") == 0


async def test_a_member_may_complete_a_role_task_nobody_has_taken(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.ARKIV, sender=org.handler)
    done = await services.complete_task(
        settings, await org.user(org.archivist2), task_id, version=1, outcome="ferdig", comment="Ordnet."
    )
    row = await task_row(task_id)
    assert (row["state"], row["done_by"], row["comment"], row["outcome"]) == (
        "done",
        org.archivist2,
        "Ordnet.",
        "ferdig",
    )
    assert done.on_behalf_of is None


async def test_complete_once_and_the_second_is_told_who_did_what(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.kari, sender=org.leader)
    kari = await org.user(org.kari)
    done = await services.complete_task(settings, kari, task_id, version=1, outcome="godkjent")
    assert (done.task_id, done.kind, done.object_type, done.object_id) == (
        task_id,
        "core.oppgave",
        "journalpost",
        "1",
    )
    assert (done.outcome, done.actor_id, done.on_behalf_of) == ("godkjent", org.kari, None)
    with pytest.raises(Conflict, match=r"Kari Nordmann har allerede behandlet oppgaven \(godkjent\)\.$"):
        await services.complete_task(settings, kari, task_id, version=1, outcome="godkjent")
    row = await task_row(task_id)
    assert (row["state"], row["done_by"], row["done_on_behalf_of"], row["version"]) == (
        "done",
        org.kari,
        None,
        2,
    )
    [event] = await events("task.done")
    assert (event["actor"], event["on_behalf_of"]) == (org.kari, None)
    assert json.loads(event["details"])["utfall"] == "godkjent"


async def test_others_may_not_complete(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    for person in (org.kari, org.leader, org.archivist, org.outsider):
        with pytest.raises(Forbidden, match="stedfortrederen i mottakerens registrerte fravær"):
            await services.complete_task(
                settings, await org.user(person), task_id, version=1, outcome="ferdig"
            )
    assert (await task_row(task_id))["state"] == "open"


async def test_the_deputy_acts_for_the_leader_only_inside_the_period(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.leader, sender=org.handler, title="Godkjenn brevet")
    with pytest.raises(Forbidden):  # the period ended last month
        await services.complete_task(
            settings, await org.user(org.old_deputy), task_id, version=1, outcome="godkjent"
        )
    done = await services.complete_task(
        settings, await org.user(org.deputy), task_id, version=1, outcome="godkjent"
    )
    assert (done.actor_id, done.on_behalf_of) == (org.deputy, org.leader)
    row = await task_row(task_id)
    assert (row["done_by"], row["done_on_behalf_of"]) == (org.deputy, org.leader)
    [event] = await events("task.done")
    assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)
    # The leader, back too early, is told the deputy did it on her behalf.
    with pytest.raises(
        Conflict,
        match=r"Stian Stedfortreder har allerede behandlet oppgaven på vegne av Lise Leder \(godkjent\)\.$",
    ):
        await services.complete_task(
            settings, await org.user(org.leader), task_id, version=1, outcome="godkjent"
        )


async def test_the_deputy_of_someone_who_is_no_leader_gets_nothing(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    with pytest.raises(Forbidden):
        await services.complete_task(
            settings, await org.user(org.deputy), task_id, version=1, outcome="ferdig"
        )


async def test_the_sender_or_the_archive_withdraws_with_a_reason(settings, db) -> None:
    org = await make_org()
    first = await task_to(settings, person=org.handler, sender=org.leader)
    second = await task_to(settings, person=org.handler, sender=org.leader)
    leader = await org.user(org.leader)
    with pytest.raises(ValidationFailed) as blank:
        await services.withdraw_task(settings, leader, first, version=1, reason="  ")
    assert "begrunnelse" in blank.value.errors
    with pytest.raises(Forbidden):
        await services.withdraw_task(settings, await org.user(org.handler), first, version=1, reason="Nei")
    await services.withdraw_task(settings, leader, first, version=1, reason="Sendt ved en feil")
    await services.withdraw_task(settings, await org.user(org.archivist), second, version=1, reason="Rydder")
    row = await task_row(first)
    assert (row["state"], row["done_by"], row["comment"], row["version"]) == (
        "withdrawn",
        org.leader,
        "Sendt ved en feil",
        2,
    )
    assert len(await events("task.withdrawn")) == 2
    with pytest.raises(Conflict, match=r"Oppgaven er trukket tilbake av Lise Leder\.$"):
        await services.complete_task(
            settings, await org.user(org.handler), first, version=1, outcome="ferdig"
        )


async def test_the_archive_gives_a_task_of_someone_who_left_to_another(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    await Person.update({Person.active: False}).where(Person.id == org.handler)
    archive = await org.user(org.archivist)
    with pytest.raises(Forbidden):
        await services.reassign_task(settings, await org.user(org.leader), task_id, org.kari, version=1)
    with pytest.raises(ValidationFailed, match="aktiv person"):
        await services.reassign_task(settings, archive, task_id, org.handler, version=1)
    await services.reassign_task(settings, archive, task_id, org.kari, version=1)
    row = await task_row(task_id)
    assert (row["receiver_person"], row["state"], row["version"]) == (org.kari, "open", 2)
    [event] = await events("task.reassigned")
    assert json.loads(event["details"])["til"] == org.kari
    assert json.loads(event["details"])["fra"] == org.handler
    keys = {m["idempotency_key"] for m in await MailMessage.select(MailMessage.idempotency_key)}
    assert f"task.reassigned:{task_id}:2" in keys
    with pytest.raises(ValidationFailed, match="allerede"):
        await services.reassign_task(settings, archive, task_id, org.kari, version=2)
    # Kari may act on it now.
    await services.complete_task(settings, await org.user(org.kari), task_id, version=2, outcome="ferdig")


async def test_a_taken_role_task_given_to_a_person_is_theirs(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, role=roles.LONN, sender=org.leader)
    await services.take_task(settings, await org.user(org.payroll), task_id, version=1)
    await services.reassign_task(settings, await org.user(org.archivist), task_id, org.payroll2, version=2)
    row = await task_row(task_id)
    assert (row["receiver_person"], row["receiver_role"], row["taken_by"], row["state"]) == (
        org.payroll2,
        None,
        None,
        "open",
    )


async def test_an_outcome_is_required(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    with pytest.raises(ValueError):
        await services.complete_task(settings, await org.user(org.handler), task_id, version=1, outcome=" ")


async def test_a_stale_version_is_a_conflict(settings, db) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    await Task.update({Task.version: 2}).where(Task.id == task_id)
    with pytest.raises(Conflict, match="Last siden på nytt"):
        await services.complete_task(
            settings, await org.user(org.handler), task_id, version=1, outcome="ferdig"
        )
