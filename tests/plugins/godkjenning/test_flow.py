"""The approval routine end to end through the services: a two-step chain with a changed
version, a return to the previous approver (not the handler), approval, dispatch, and the
dokumentflyt that records it; and the rules around it (deputy, one winner, no self-approval,
locking, withdraw)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from lxml import etree

from core.archive import services as archive
from core.archive.noark5 import NS, schemas
from core.archive.noark5.exporter import export_to
from core.archive.queries.flow import dokumentflyt_of
from core.archive.queries.visibility import Viewer
from core.archive.services import UploadedFile
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt, Journalpost
from core.errors import Conflict, Forbidden, ValidationFailed
from core.tables import AuditEvent
from core.tasks.tables import Task
from plugins.godkjenning.queries import active_round_of, last_round_of
from plugins.godkjenning.services import decisions, kinds, rounds
from plugins.godkjenning.services.chains import Chain, ChainStep
from tests.core.archive.service_org import make_org, outgoing, own_case
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def status(post_id: int) -> str:
    row = await Journalpost.select(Journalpost.journalstatus).where(Journalpost.id == post_id).first()
    return str(row["journalstatus"])


async def version(post_id: int) -> int:
    row = await Journalpost.select(Journalpost.version).where(Journalpost.id == post_id).first()
    return int(row["version"])


async def open_task(person_id: int, post_id: int, kind: str = kinds.TIL_GODKJENNING) -> dict[str, Any]:
    rows = await Task.select().where(
        (Task.receiver_person == person_id)
        & (Task.object_type == "journalpost")
        & (Task.object_id == str(post_id))
        & (Task.kind == kind)
        & Task.state.is_in(["open", "taken"])
    )
    assert len(rows) == 1, rows
    return rows[0]


async def send(settings: Any, org: Any, post_id: int, *approvers: tuple[int, ...]) -> int:
    chain = Chain(tuple(ChainStep(f"Steg {n}", ids) for n, ids in enumerate(approvers, start=1)))
    return await rounds.send_for_approval(
        settings, await as_user(org.handler), post_id, version=await version(post_id), chain=chain
    )


@pytest.fixture
async def org(db: None) -> Any:
    return await make_org()


async def test_two_step_chain_with_a_return_to_the_previous_approver(settings, org, tmp_path) -> None:
    case = await own_case(settings, org)
    post = await outgoing(settings, org, case)
    await send(settings, org, post, (org.leader,), (org.oko_leader,))
    assert await status(post) == "F"
    # Locked for the handler while the round runs.
    handler = await as_user(org.handler)
    doc = (
        await Dokumentbeskrivelse.select(Dokumentbeskrivelse.id)
        .where(Dokumentbeskrivelse.journalpost == post)
        .first()
    )
    new_file = UploadedFile("svar-v2.pdf", b"%PDF svar, rettet av leder", "application/pdf")
    with pytest.raises(Forbidden):
        await archive.add_version(settings, handler, doc["id"], new_file)
    with pytest.raises(Conflict):
        await archive.ekspeder(settings, handler, post, await version(post))

    # Step 1: the leader changes the letter (a new version) and forwards.
    leader = await as_user(org.leader)
    await archive.add_version(settings, leader, doc["id"], new_file)
    versions = (
        await Dokumentobjekt.select(
            Dokumentobjekt.versjonsnummer, Dokumentobjekt.opprettet_av, Dokumentobjekt.opprettet_i
        )
        .where(Dokumentobjekt.dokumentbeskrivelse == doc["id"])
        .order_by(Dokumentobjekt.versjonsnummer)
    )
    newest = versions[-1]
    assert (newest["versjonsnummer"], newest["opprettet_av"], newest["opprettet_i"]) == (
        2,
        org.leader,
        "Under godkjenning",
    )
    task = await open_task(org.leader, post)
    forwarded = await decisions.decide(settings, leader, task["id"], version=task["version"], outcome="V")
    assert forwarded.outcome == "V" and "Ola" in forwarded.to

    # Step 2: returned, ikke godkjent — it lands with the first leader, not the handler.
    oko = await as_user(org.oko_leader)
    task = await open_task(org.oko_leader, post)
    with pytest.raises(ValidationFailed) as missing:
        await decisions.decide(settings, oko, task["id"], version=task["version"], outcome="I")
    assert "kommentar" in missing.value.errors
    await decisions.decide(
        settings, oko, task["id"], version=task["version"], outcome="I", comment="Rett beløpet."
    )
    assert await status(post) == "F"
    again = await open_task(org.leader, post)
    assert not await Task.exists().where(
        (Task.receiver_person == org.handler) & Task.state.is_in(["open", "taken"])
    )

    # The first leader forwards again; the second approves.
    await decisions.decide(settings, leader, again["id"], version=again["version"], outcome="V")
    final = await open_task(org.oko_leader, post)
    approved = await decisions.decide(settings, oko, final["id"], version=final["version"], outcome="G")
    assert approved.approved and await status(post) == "G"

    # The handler dispatches from *Godkjent – til ekspedering*.
    dispatch_task = await open_task(org.handler, post, kinds.TIL_EKSPEDERING)
    view = await active_round_of(post)
    assert view is not None and view.state == "approved"
    await rounds.dispatch(settings, handler, view.id, version=view.version)
    assert await status(post) == "E"
    done = await Task.select(Task.state).where(Task.id == dispatch_task["id"]).first()
    assert done["state"] == "done"
    assert (await last_round_of(post)).state == "dispatched"

    # Four transitions, four dokumentflyt rows: G, I, G, G.
    flow = await dokumentflyt_of(await Viewer.of(handler), post)
    assert [(r["flyt_til"], r["flyt_status"]) for r in flow] == [
        (org.leader, "G"),
        (org.oko_leader, "I"),
        (org.leader, "G"),
        (org.oko_leader, "G"),
    ]
    assert flow[1]["flyt_merknad"] == "Rett beløpet."

    # The Noark 5 export carries the four steps and validates against the v5.0 XSD.
    summary = await export_to(settings, tmp_path / "uttrekk")
    assert schemas.validate(summary.path, "5.0") == []
    tree = etree.parse(str(summary.path))
    statuses = [e.text for e in tree.iter(f"{{{NS}}}flytStatus")]
    assert statuses == ["Godkjent", "Ikke godkjent", "Godkjent", "Godkjent"]  # v5.0 writes the code names
    assert "Rett beløpet." in [e.text for e in tree.iter(f"{{{NS}}}flytMerknad")]


async def test_the_deputy_approves_on_behalf_of_the_leader_only_inside_the_period(settings, org) -> None:
    post = await outgoing(settings, org, await own_case(settings, org))
    await send(settings, org, post, (org.leader,))
    task = await open_task(org.leader, post)
    outsider = await as_user(org.colleague)
    with pytest.raises(Forbidden):
        await decisions.decide(settings, outsider, task["id"], version=task["version"], outcome="G")
    deputy = await as_user(org.deputy)
    await decisions.decide(settings, deputy, task["id"], version=task["version"], outcome="G")
    assert await status(post) == "G"
    event = await AuditEvent.select().where(AuditEvent.action == "godkjenning.approved").first()
    assert event["actor"] == org.deputy and event["on_behalf_of"] == org.leader
    old = await as_user(org.old_deputy)  # a period that ended: no authority
    post2 = await outgoing(settings, org, await own_case(settings, org))
    await send(settings, org, post2, (org.leader,))
    task2 = await open_task(org.leader, post2)
    with pytest.raises(Forbidden):
        await decisions.decide(settings, old, task2["id"], version=task2["version"], outcome="G")


async def test_leader_and_deputy_at_once_exactly_one_wins(settings, org) -> None:
    post = await outgoing(settings, org, await own_case(settings, org))
    await send(settings, org, post, (org.leader,))
    task = await open_task(org.leader, post)
    leader, deputy = await as_user(org.leader), await as_user(org.deputy)
    results = await asyncio.gather(
        decisions.decide(settings, leader, task["id"], version=task["version"], outcome="G"),
        decisions.decide(settings, deputy, task["id"], version=task["version"], outcome="I", comment="Nei."),
        return_exceptions=True,
    )
    wins = [r for r in results if not isinstance(r, BaseException)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "allerede" in str(losses[0].detail) or "behandlet" in str(losses[0].detail)
    assert await status(post) in ("G", "R")
    flows = await dokumentflyt_of(await Viewer.of(await as_user(org.handler)), post)
    assert len(flows) == 1


async def test_no_self_approval_and_one_round_at_a_time(settings, org) -> None:
    post = await outgoing(settings, org, await own_case(settings, org))
    with pytest.raises(ValidationFailed) as refused:
        await send(settings, org, post, (org.handler,))
    assert "egen journalpost" in " ".join(refused.value.errors.values())
    await send(settings, org, post, (org.leader,))
    with pytest.raises(Conflict):
        await send(settings, org, post, (org.oko_leader,))


async def test_withdraw_and_return_to_the_handler_then_send_again(settings, org) -> None:
    post = await outgoing(settings, org, await own_case(settings, org))
    round_id = await send(settings, org, post, (org.leader,))
    handler = await as_user(org.handler)
    view = await active_round_of(post)
    await rounds.withdraw(settings, handler, round_id, version=view.version, reason="Glemte vedlegget.")
    assert await status(post) == "R"
    assert not await Task.exists().where((Task.object_id == str(post)) & Task.state.is_in(["open", "taken"]))
    # A new round; ikke godkjent at the first step goes to the handler, who sends it again.
    await send(settings, org, post, (org.leader,))
    task = await open_task(org.leader, post)
    await decisions.decide(
        settings,
        await as_user(org.leader),
        task["id"],
        version=task["version"],
        outcome="I",
        comment="Mer presist.",
    )
    assert await status(post) == "R"
    await open_task(org.handler, post, kinds.RETUR)
    view = await active_round_of(post)
    assert view.state == "returned"
    await rounds.send_again(settings, handler, view.id, version=view.version)
    assert await status(post) == "F"
    await open_task(org.leader, post)


async def test_an_approver_who_left_is_replaced_by_the_archive_service(settings, org) -> None:
    from core.tasks import services as tasks

    post = await outgoing(settings, org, await own_case(settings, org))
    await send(settings, org, post, (org.oko_leader,))
    task = await open_task(org.oko_leader, post)
    await tasks.reassign_task(
        settings, await as_user(org.archivist), task["id"], org.leader, version=task["version"]
    )
    moved = await open_task(org.leader, post)
    assert moved["id"] == task["id"]
    await decisions.decide(
        settings, await as_user(org.leader), moved["id"], version=moved["version"], outcome="G"
    )
    assert await status(post) == "G"


async def test_a_handler_who_is_the_approvers_deputy_cannot_approve_their_own_post(settings, org) -> None:
    """Found in the browser check: the deputy of the absent leader sent a letter to that leader
    and could approve it herself as deputy. Nobody approves their own post."""
    case = await own_case(settings, org)
    post = await outgoing(settings, org, case, person=org.deputy)
    deputy = await as_user(org.deputy)
    await rounds.send_for_approval(
        settings, deputy, post, version=await version(post), chain=Chain((ChainStep("Leder", (org.leader,)),))
    )
    task = await open_task(org.leader, post)
    with pytest.raises(Forbidden):
        await decisions.decide(settings, deputy, task["id"], version=task["version"], outcome="G")
    doc = (
        await Dokumentbeskrivelse.select(Dokumentbeskrivelse.id)
        .where(Dokumentbeskrivelse.journalpost == post)
        .first()
    )
    with pytest.raises(Forbidden):
        await archive.add_version(
            settings, deputy, doc["id"], UploadedFile("ny.pdf", b"%PDF ny", "application/pdf")
        )
    with pytest.raises(Forbidden):
        await archive.approve_post(settings, deputy, post, await version(post))
    assert await status(post) == "F"
    await decisions.decide(
        settings, await as_user(org.leader), task["id"], version=task["version"], outcome="G"
    )
    assert await status(post) == "G"
