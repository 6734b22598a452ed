"""Bulk transfer of a leaver's work (:func:`core.archive.services.transfer_work`): all in one
transaction, audited per object, refused for others and on stale counts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core import audit
from core.archive import services, transfer
from core.archive.queries import leaver
from core.archive.services import TransferCounts
from core.archive.tables import Avskrivning, Korrespondansepart
from core.errors import Conflict, Forbidden, ValidationFailed
from core.tables import AuditEvent
from core.tasks.tables import Task
from tests.core.archive.leaver_org import Work, make_work
from tests.core.archive.service_org import case_row, post_row, recipient
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio

EXPECTED = TransferCounts(restanser=1, cases=2, unsent=1, tasks=1)


async def state(work: Work) -> tuple[Any, ...]:
    part = await recipient(work.restanse_post)
    task = await Task.select(Task.receiver_person, Task.version).where(Task.id == work.task).first()
    return (
        part["saksbehandler"],
        part["version"],
        (await case_row(work.case))["saksansvarlig"],
        (await post_row(work.unsent_post))["saksbehandler"],
        task,
        await AuditEvent.count().where(AuditEvent.action == "archive.work_transferred"),
    )


async def test_the_leader_moves_everything_to_a_colleague(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    written_off_before = await Avskrivning.count()
    moved = await services.transfer_work(
        settings, await as_user(org.leader), org.handler, org.colleague, expected=EXPECTED
    )
    assert moved == EXPECTED
    part_handler, part_version, case_owner, post_handler, task, audited = await state(work)
    assert (part_handler, case_owner, post_handler, task["receiver_person"]) == (org.colleague,) * 4
    assert part_version == 3 and audited == 4
    assert await Avskrivning.count() == written_off_before
    counts = await leaver.counts(org.handler)
    assert counts.transferable == (0, 0, 0)
    events = await AuditEvent.select().where(AuditEvent.action == "archive.work_transferred")
    assert {e["actor"] for e in events} == {org.leader}
    details = (
        json.loads(events[0]["details"]) if isinstance(events[0]["details"], str) else events[0]["details"]
    )
    assert details["fra"] == org.handler and details["til"] == org.colleague


async def test_the_deputy_acts_on_behalf_of_the_leader(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    await services.transfer_work(
        settings, await as_user(org.deputy), org.handler, org.leader, expected=EXPECTED
    )
    events = await AuditEvent.select().where(AuditEvent.action == "archive.work_transferred")
    assert {(e["actor"], e["on_behalf_of"]) for e in events} == {(org.deputy, org.leader)}


async def test_others_may_not_and_the_successor_must_belong_to_the_unit(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    before = await state(work)
    with pytest.raises(Forbidden):
        await services.transfer_work(
            settings, await as_user(org.colleague), org.handler, org.colleague, expected=EXPECTED
        )
    with pytest.raises(Forbidden):
        await services.transfer_work(
            settings, await as_user(org.oko_leader), org.handler, org.colleague, expected=EXPECTED
        )
    with pytest.raises(ValidationFailed):
        await services.transfer_work(
            settings, await as_user(org.leader), org.handler, org.oko_handler, expected=EXPECTED
        )
    with pytest.raises(ValidationFailed):
        await services.transfer_work(
            settings, await as_user(org.leader), org.handler, org.handler, expected=EXPECTED
        )
    assert await state(work) == before


async def test_stale_counts_are_refused_and_nothing_moves(settings, db) -> None:
    work = await make_work(settings)
    org = work.org
    before = await state(work)
    with pytest.raises(Conflict):
        await services.transfer_work(
            settings,
            await as_user(org.archivist),
            org.handler,
            org.colleague,
            expected=TransferCounts(1, 1, 1, 1),
        )
    assert await state(work) == before


async def test_a_failure_midway_leaves_nothing_half_moved(settings, db, monkeypatch) -> None:
    work = await make_work(settings)
    org = work.org
    before = await state(work)
    real = audit.record_many

    async def failing(events: Any) -> None:
        await real(events)  # the cases, recipients and posts moved and audited, then a failure
        raise RuntimeError("strømbrudd")

    monkeypatch.setattr(audit, "record_many", failing)
    with pytest.raises(RuntimeError):
        await services.transfer_work(
            settings, await as_user(org.archivist), org.handler, org.colleague, expected=EXPECTED
        )
    monkeypatch.setattr(audit, "record_many", real)
    assert await state(work) == before
    # The same transfer succeeds afterwards.
    await services.transfer_work(
        settings, await as_user(org.archivist), org.handler, org.colleague, expected=EXPECTED
    )
    assert (await state(work))[0] == org.colleague


async def test_a_record_that_moved_since_the_preview_refuses_the_transfer(settings, db, monkeypatch) -> None:
    """Another transaction moved one of the leaver's restanser after the transfer read its
    list: the transfer is refused and nothing moves (it does not take the post from the new
    handler)."""
    work = await make_work(settings)
    org = work.org
    real = transfer.preview

    async def preview_then_moved(user: Any, person: int) -> Any:
        items = await real(user, person)
        await Korrespondansepart.update({Korrespondansepart.saksbehandler: org.leader}).where(
            Korrespondansepart.id == (await recipient(work.restanse_post))["id"]
        )
        return items

    monkeypatch.setattr(transfer, "preview", preview_then_moved)
    with pytest.raises(Conflict):
        await services.transfer_work(
            settings, await as_user(org.archivist), org.handler, org.colleague, expected=EXPECTED
        )
    monkeypatch.undo()
    assert (await recipient(work.restanse_post))["saksbehandler"] == org.handler  # rolled back too
    assert (await case_row(work.case))["saksansvarlig"] == org.handler
    assert await AuditEvent.count().where(AuditEvent.action == "archive.work_transferred") == 0


async def test_a_role_task_the_leaver_took_goes_back_to_its_role(settings, db) -> None:
    from core.tasks.services import create_task, take_task
    from tests.core.archive.service_org import make_org
    from tests.support.factories import make_person

    org = await make_org()
    leaving_archivist = await make_person(name="Arkivar Slutter", unit=org.arkiv_unit, roles=("arkiv",))
    task = await create_task(
        settings,
        kind="dummy_plugin.check",
        receiver_role="arkiv",
        sender_id=org.leader,
        object_type="saksmappe",
        object_id=1,
        title="Rolleoppgave",
    )
    await take_task(settings, await as_user(leaving_archivist), task, version=1)
    successor = await make_person(name="Ny Arkivar", unit=org.arkiv_unit)
    await services.transfer_work(
        settings, await as_user(org.archivist), leaving_archivist, successor, expected=TransferCounts(tasks=1)
    )
    row = await Task.select().where(Task.id == task).first()
    assert (row["receiver_role"], row["receiver_person"], row["taken_by"], row["state"]) == (
        "arkiv",
        None,
        None,
        "open",
    )
