"""Omfordeling of many recipients at once (core.archive.redistribution): what one ``fordel``
plus ``add_merknad`` writes per post, set-based in one transaction; stale ones stay; all or
nothing; one winner of two; only the unit's leader or active deputy."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from core.archive import ledger, permissions, records, redistribution, services
from core.archive.queries import restanser
from core.archive.queries.restanser import Scope
from core.archive.tables import AvsenderSaksbehandler, Korrespondansepart, Merknad, Saksmappe
from core.db import writing
from core.errors import Forbidden, ValidationFailed
from core.timeutil import today
from tests.core.archive.service_org import (
    Org,
    audit_events,
    case_row,
    incoming,
    make_org,
    post_row,
    recipient,
)
from tests.support.factories import as_user

pytestmark = pytest.mark.anyio


async def distributed_posts(settings: Any, org: Org, n: int, **kwargs: Any) -> list[int]:
    """``n`` incoming posts of LMA distributed to the handler by the leader; their recipients."""
    parts = []
    for _ in range(n):
        post = await incoming(settings, org, **kwargs)
        part = await recipient(post)
        await services.fordel(
            settings, await as_user(org.leader), part["id"], org.handler, version=part["version"]
        )
        parts.append(int(part["id"]))
    return parts


async def chosen(parts: list[int]) -> list[tuple[int, int]]:
    rows = await Korrespondansepart.select(Korrespondansepart.id, Korrespondansepart.version).where(
        Korrespondansepart.id.is_in(parts)
    )
    versions = {int(r["id"]): int(r["version"]) for r in rows}
    return [(part, versions[part]) for part in parts]


async def assert_ledger_is_the_rule(*people: int) -> None:
    for person in people:
        scope = Scope(saksbehandler_id=person)
        assert await ledger.count(today(), scope) == await restanser.count(today(), scope), person


async def test_each_post_is_moved_as_one_fordel_and_remark_move_it(settings, db, monkeypatch) -> None:
    org = await make_org()
    monkeypatch.setattr(records, "IDS_PER_STATEMENT", 2)  # several statements per step
    parts = await distributed_posts(settings, org, 3)
    restricted = await distributed_posts(
        settings, org, 1, tilgangsrestriksjon="P", skjermingshjemmel="Offl. § 13", offentlig_tittel="Søknad"
    )
    parts += restricted
    posts = [int((await recipient_of(p))["journalpost"]) for p in parts]
    # A case with no saksansvarlig yet (as after an import): the move gives it the new handler.
    first_case = int((await post_row(posts[0]))["saksmappe"])
    await Saksmappe.update({Saksmappe.saksansvarlig: None}).where(Saksmappe.id == first_case)
    before = {p: await recipient_of(p) for p in parts}
    deputy = await as_user(org.deputy)

    result = await services.redistribute(
        settings, deputy, org.lma, org.handler, org.colleague, await chosen(parts), "Omfordelt: permisjon"
    )

    assert result.moved == parts and result.changed == []
    for part in parts:
        row = await recipient_of(part)
        assert row["saksbehandler"] == org.colleague and row["navn"] == "Kari Kollega"
        assert row["version"] == before[part]["version"] + 1 and row["fordelt_dato"] is not None
    for post in posts:  # an incoming post's own handler follows its main recipient
        assert (await post_row(post))["saksbehandler"] == org.colleague
    assert (await case_row(first_case))["saksansvarlig"] == org.colleague
    owner_set = [e for e in await audit_events("archive.case_owner_set") if e["actor"] == org.deputy]
    assert [(e["object_id"], e["on_behalf_of"]) for e in owner_set] == [(str(first_case), org.leader)]
    moved = await audit_events("archive.redistributed")
    assert [int(e["object_id"]) for e in moved] == parts
    for event in moved:
        assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)
        assert isinstance(event["at"], datetime) and event["at"].tzinfo is not None
        assert (event["details"]["fra"], event["details"]["til"]) == (org.handler, org.colleague)
        assert "omfordelt fra Hans Handler til Kari Kollega" in event["summary"]
    # The restricted post's title is not in the hendelseslogg (its public title or a mask is).
    restricted_event = next(e for e in moved if int(e["object_id"]) == restricted[0])
    assert "Søknad om deling" not in restricted_event["summary"]
    # One remark per post, in the capacity post_worker gives the deputy for that post now.
    remarks = await audit_events("archive.remark_added")
    assert sorted(int(e["object_id"]) for e in remarks) == sorted(posts)
    for post in posts:
        [remark] = await Merknad.select().where(Merknad.journalpost == post)
        assert remark["merknadstekst"] == "Omfordelt: permisjon" and remark["registrert_av"] == org.deputy
        row = await post_row(post)
        worker = await permissions.post_worker(
            deputy, row, await case_row(int(row["saksmappe"])), as_recipient=True
        )
        assert remark["merknadstype"] == worker.merknadstype
        event = next(e for e in remarks if int(e["object_id"]) == post)
        assert event["on_behalf_of"] == worker.on_behalf_of
        assert event["details"]["merknad_id"] == remark["id"]
    # The restanse ledger and the sender suggestions follow.
    await assert_ledger_is_the_rule(org.handler, org.colleague)
    suggestions = await AvsenderSaksbehandler.select(AvsenderSaksbehandler.saksbehandler).where(
        AvsenderSaksbehandler.avsender == "Ola Nordmann"
    )
    assert {r["saksbehandler"] for r in suggestions} == {org.colleague}


async def recipient_of(part: int) -> dict[str, Any]:
    row = await Korrespondansepart.select().where(Korrespondansepart.id == part).first()
    assert row is not None
    return row


async def test_what_changed_since_shown_stays(settings, db) -> None:
    """A stale version, a write-off, another handler's post: left as they are, in ``changed``;
    the rest move."""
    org = await make_org()
    parts = await distributed_posts(settings, org, 4)
    leader = await as_user(org.leader)
    shown = await chosen(parts)
    stale, written_off, other, fine = parts
    row = await recipient_of(stale)
    await services.fordel(settings, leader, stale, org.deputy, version=row["version"])  # moved meanwhile
    row = await recipient_of(written_off)
    await services.avskriv(settings, leader, written_off, "TLF", version=row["version"])
    row = await recipient_of(other)
    async with writing(Korrespondansepart):  # another handler, same version (as an import might)
        await Korrespondansepart.update({Korrespondansepart.saksbehandler: org.leader}).where(
            Korrespondansepart.id == other
        )
        await ledger.refresh_parts([other])

    result = await services.redistribute(
        settings, leader, org.lma, org.handler, org.colleague, shown, "Ferie"
    )

    assert result.moved == [fine] and sorted(result.changed) == sorted([stale, written_off, other])
    assert (await recipient_of(fine))["saksbehandler"] == org.colleague
    assert (await recipient_of(stale))["saksbehandler"] == org.deputy
    assert (await recipient_of(written_off))["saksbehandler"] == org.handler
    moved = [e for e in await audit_events("archive.redistributed") if e["details"]["til"] == org.colleague]
    assert [int(e["object_id"]) for e in moved] == [fine]
    assert len(await Merknad.select().where(Merknad.merknadstekst == "Ferie")) == 1
    await assert_ledger_is_the_rule(org.handler, org.colleague, org.deputy, org.leader)


async def test_an_error_midway_moves_nothing(settings, db, monkeypatch) -> None:
    org = await make_org()
    parts = await distributed_posts(settings, org, 3)
    shown = await chosen(parts)

    async def broken(ids: Any) -> None:
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(redistribution.ledger, "refresh_parts", broken)
    with pytest.raises(RuntimeError):
        await services.redistribute(
            settings, await as_user(org.leader), org.lma, org.handler, org.colleague, shown, "Ferie"
        )
    monkeypatch.undo()
    assert {(await recipient_of(p))["saksbehandler"] for p in parts} == {org.handler}
    assert await audit_events("archive.redistributed") == []
    assert await Merknad.count().where(Merknad.merknadstekst == "Ferie") == 0
    assert (await chosen(parts)) == shown
    await assert_ledger_is_the_rule(org.handler, org.colleague)


async def test_of_two_at_once_one_moves_the_posts(settings, db) -> None:
    """The leader and the deputy move the same posts at the same time, to two handlers: one
    moves them all, the other finds them all changed."""
    org = await make_org()
    parts = await distributed_posts(settings, org, 5)
    shown = await chosen(parts)
    results = await asyncio.gather(
        services.redistribute(
            settings, await as_user(org.leader), org.lma, org.handler, org.colleague, shown, "A"
        ),
        services.redistribute(
            settings, await as_user(org.deputy), org.lma, org.handler, org.leader, shown, "B"
        ),
    )
    assert sorted((len(r.moved), len(r.changed)) for r in results) == [(0, 5), (5, 0)]
    winner = org.colleague if results[0].moved else org.leader
    assert {(await recipient_of(p))["saksbehandler"] for p in parts} == {winner}
    assert len(await audit_events("archive.redistributed")) == 5
    await assert_ledger_is_the_rule(org.handler, org.colleague, org.leader)


async def test_two_at_once_from_one_handler_both_move_their_posts(settings, db) -> None:
    """The leader and the deputy move different posts of the same handler (from the same
    sender) at the same time: both moves succeed, and the sender suggestions are the records'
    (each rebuilds the handler's rows in turn; on PostgreSQL the second once met the first's
    new rows as duplicate keys)."""
    org = await make_org()
    parts = await distributed_posts(settings, org, 6)
    shown = await chosen(parts)
    results = await asyncio.gather(
        services.redistribute(
            settings, await as_user(org.leader), org.lma, org.handler, org.colleague, shown[:3], "A"
        ),
        services.redistribute(
            settings, await as_user(org.deputy), org.lma, org.handler, org.leader, shown[3:], "B"
        ),
    )
    assert [len(r.moved) for r in results] == [3, 3]
    stored = await AvsenderSaksbehandler.select(
        AvsenderSaksbehandler.saksbehandler, AvsenderSaksbehandler.korrespondansepart
    ).where(AvsenderSaksbehandler.avsender == "Ola Nordmann")
    assert {(r["saksbehandler"], r["korrespondansepart"]) for r in stored} == {
        (org.colleague, max(parts[:3])),
        (org.leader, max(parts[3:])),
    }
    await assert_ledger_is_the_rule(org.handler, org.colleague, org.leader)


async def test_the_remarks_capacity_is_the_posts_after_the_move(settings, db) -> None:
    """The leader moves a restricted post of their own (as its handler; the case is the
    colleague's) without the post's tilgangskode: after the move the post is the colleague's,
    so the leader writes the remark as leader (ML, as add_merknad after fordel gave), not as
    its handler (MS)."""
    org = await make_org()
    post = await incoming(
        settings, org, tilgangsrestriksjon="P", skjermingshjemmel="Offl. § 13", offentlig_tittel="Søknad"
    )
    part = await recipient(post)
    leader = await as_user(org.leader)
    await services.fordel(settings, leader, part["id"], org.leader, version=part["version"])
    case_id = (await post_row(post))["saksmappe"]
    await Saksmappe.update({Saksmappe.saksansvarlig: org.colleague}).where(Saksmappe.id == case_id)
    result = await services.redistribute(
        settings, leader, org.lma, org.leader, org.colleague, await chosen([int(part["id"])]), "Videre"
    )
    assert result.moved == [part["id"]]
    [remark] = await Merknad.select().where(Merknad.journalpost == post)
    assert remark["merknadstype"] == "ML"


async def test_only_the_units_leader_or_deputy_and_a_valid_form(settings, db) -> None:
    org = await make_org()
    parts = await distributed_posts(settings, org, 2)
    shown = await chosen(parts)
    for person in (org.handler, org.oko_leader, org.old_deputy):
        with pytest.raises(Forbidden):
            await services.redistribute(
                settings, await as_user(person), org.lma, org.handler, org.colleague, shown, "Ferie"
            )
    leader = await as_user(org.leader)
    with pytest.raises(ValidationFailed) as refused:
        await services.redistribute(settings, leader, org.lma, org.handler, org.oko_handler, shown, " ")
    assert set(refused.value.errors) == {"text", "saksbehandler_id"}
    with pytest.raises(ValidationFailed):
        await services.redistribute(settings, leader, org.lma, org.handler, org.handler, shown, "Ferie")
    assert {(await recipient_of(p))["saksbehandler"] for p in parts} == {org.handler}
    assert await audit_events("archive.redistributed") == []
    assert await Merknad.count() == 0
