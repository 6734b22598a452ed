"""Dokumentflyt (Noark 5 M660–M665): ``core.archive.services.add_dokumentflyt`` (who may record a
step, the checks, the hendelseslogg, nesting in the caller's transaction, never changed or
deleted), ``core.archive.queries.flow.dokumentflyt_of`` (order, names as they were, labels,
skjerming) and the section «Dokumentflyt» on the journal post page."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import timedelta

import pytest

from core.archive import services
from core.archive.queries.flow import dokumentflyt_of
from core.archive.queries.visibility import Viewer
from core.archive.tables import Dokumentflyt, Journalpost
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.tables import AuditEvent, Person
from core.timeutil import now
from tests.core.archive.service_org import make_org, outgoing, own_case
from tests.support.factories import as_user, grant_code, login

pytestmark = pytest.mark.anyio


async def flow_events() -> list[dict]:
    rows = (
        await AuditEvent.select().where(AuditEvent.action == "archive.flow_recorded").order_by(AuditEvent.id)
    )
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


async def step(settings, user, post_id: int, fra: int, til: int, status: str = "G", **kwargs) -> int:
    sent = kwargs.pop("sendt", now())
    return await services.add_dokumentflyt(
        settings,
        user,
        post_id,
        flyt_fra_id=fra,
        flyt_til_id=til,
        mottatt=kwargs.pop("mottatt", sent - timedelta(hours=2)),
        sendt=sent,
        status=status,
        **kwargs,
    )


async def test_the_receiver_records_a_step_with_names_and_an_event(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    sent = now() - timedelta(minutes=5)
    received = sent - timedelta(days=1)

    flow_id = await services.add_dokumentflyt(
        settings,
        await as_user(org.leader),
        post_id,
        flyt_fra_id=org.handler,
        flyt_til_id=org.leader,
        mottatt=received,
        sendt=sent,
        status="S",
        merknad="  Rett opp datoen i avsnitt 2.  ",
    )

    row = await Dokumentflyt.select().where(Dokumentflyt.id == flow_id).first()
    assert row is not None
    assert (row["journalpost"], row["flyt_fra"], row["flyt_til"]) == (post_id, org.handler, org.leader)
    assert (row["flyt_fra_navn"], row["flyt_til_navn"]) == ("Hans Handler", "Lise Leder")
    assert (row["flyt_mottatt_dato"], row["flyt_sendt_dato"]) == (received, sent)
    assert (row["flyt_status"], row["flyt_merknad"]) == ("S", "Rett opp datoen i avsnitt 2.")
    assert len(row["system_id"]) == 36
    [event] = await flow_events()
    assert event["actor"] == org.leader and event["on_behalf_of"] is None
    assert event["object_type"] == "journalpost" and event["object_id"] == str(post_id)
    assert event["summary"].endswith(
        "Svar på søknad: Sendt tilbake til saksbehandler med kommentarer (fra Hans Handler til Lise Leder)"
    )
    assert event["details"] == {
        "dokumentflyt_id": flow_id,
        "flyt_status": "S",
        "flyt_fra": org.handler,
        "flyt_til": org.leader,
        "rolle": "godkjenner",
    }


async def test_who_may_record_a_step(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    # The handler who works on the post (e.g. the routine recording that the leader answered).
    await step(settings, await as_user(org.handler), post_id, org.handler, org.leader)
    # A receiver outside the post's unit records their own answer (a leader further up the chain).
    await step(settings, await as_user(org.oko_leader), post_id, org.leader, org.oko_leader)
    # Fellestjenesten/Arkiv may work on every post.
    await step(settings, await as_user(org.archivist), post_id, org.handler, org.oko_leader, "I")
    # Someone who is neither the receiver nor works on the post may not.
    with pytest.raises(Forbidden):
        await step(settings, await as_user(org.oko_handler), post_id, org.handler, org.oko_leader)
    with pytest.raises(Forbidden):
        await step(settings, await as_user(org.outsider), post_id, org.outsider, org.leader)
    assert await Dokumentflyt.count() == 3


async def test_a_deputy_records_on_behalf_of_the_leader_only_inside_the_period(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    deputy = await as_user(org.deputy)
    await step(settings, deputy, post_id, org.handler, org.leader, on_behalf_of=org.leader)
    [event] = await flow_events()
    assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)
    # The deputy whose period ended may not claim to act for the leader.
    with pytest.raises(Forbidden, match=re.escape("Du er ikke stedfortreder for denne personen i dag.")):
        await step(
            settings, await as_user(org.old_deputy), post_id, org.handler, org.leader, on_behalf_of=org.leader
        )
    # Nor for anyone else.
    with pytest.raises(Forbidden, match="Du er ikke stedfortreder"):
        await step(settings, deputy, post_id, org.handler, org.oko_leader, on_behalf_of=org.oko_leader)
    assert await Dokumentflyt.count() == 1


async def test_checks_of_a_step(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    leader = await as_user(org.leader)
    with pytest.raises(ValidationFailed) as failed:
        await step(settings, leader, post_id, org.handler, org.leader, "X")
    assert failed.value.errors == {
        "status": "Flytstatus må være G (godkjent), I (ikke godkjent) eller S (sendt tilbake med kommentarer)."
    }
    sent = now() - timedelta(hours=1)
    with pytest.raises(ValidationFailed) as failed:
        await step(
            settings,
            leader,
            post_id,
            org.handler,
            org.leader,
            sendt=sent,
            mottatt=sent + timedelta(minutes=1),
        )
    assert failed.value.errors == {"sendt": "Sendt videre kan ikke være før mottatt."}
    with pytest.raises(ValidationFailed) as failed:
        await step(settings, leader, post_id, org.handler, org.leader, sendt=now() + timedelta(hours=1))
    assert failed.value.errors == {"sendt": "Tidspunktene i dokumentflyten kan ikke være fram i tid."}
    with pytest.raises(ValidationFailed) as failed:
        await step(settings, leader, post_id, org.handler, org.leader, merknad="x" * 4001)
    assert failed.value.errors == {"merknad": "Merknaden kan ha høyst 4000 tegn."}
    with pytest.raises(ValueError, match="timezone-aware"):
        await step(settings, leader, post_id, org.handler, org.leader, sendt=now().replace(tzinfo=None))
    with pytest.raises(NotFound, match=re.escape("Fant ikke personen.")):
        await step(settings, leader, post_id, 999_999, org.leader)
    with pytest.raises(NotFound, match=re.escape("Fant ikke journalposten.")):
        await step(settings, leader, 999_999, org.handler, org.leader)
    assert await Dokumentflyt.count() == 0
    assert await flow_events() == []


async def test_no_steps_on_a_dispatched_post_and_a_post_with_steps_is_kept(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    handler = await as_user(org.handler)
    reserved = await outgoing(settings, org, case_id, documents=[])
    await step(settings, await as_user(org.leader), reserved, org.handler, org.leader, "I")
    with pytest.raises(
        Conflict, match=re.escape("Journalposten har vært sendt på dokumentflyt og kan ikke slettes.")
    ):
        await services.delete_post(settings, handler, reserved, version=1)
    assert await Journalpost.exists().where(Journalpost.id == reserved)
    dispatched = await outgoing(settings, org, case_id)
    await services.ekspeder(settings, handler, dispatched, 1)
    with pytest.raises(Conflict, match="Journalposten er ekspedert"):
        await step(settings, await as_user(org.leader), dispatched, org.handler, org.leader)


async def test_a_step_joins_the_callers_transaction(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    leader = await as_user(org.leader)

    class Stop(Exception):
        pass

    # A routine's own write fails after the step: both are rolled back together.
    with pytest.raises(Stop):
        async with writing(Journalpost):
            await step(settings, leader, post_id, org.handler, org.leader)
            assert await Dokumentflyt.count() == 1  # visible inside the transaction
            raise Stop
    assert await Dokumentflyt.count() == 0
    assert await flow_events() == []
    # The step fails: the routine's transaction fails with it.
    with pytest.raises(ValidationFailed):
        async with writing(Journalpost):
            await Journalpost.update({Journalpost.tittel: "Endret av rutinen"}).where(
                Journalpost.id == post_id
            )
            await step(settings, leader, post_id, org.handler, org.leader, "?")
    row = await Journalpost.select(Journalpost.tittel).where(Journalpost.id == post_id).first()
    assert row is not None and row["tittel"] == "Svar på søknad"
    # And commits with it.
    async with writing(Journalpost):
        await step(settings, leader, post_id, org.handler, org.leader)
    assert await Dokumentflyt.count() == 1


async def test_concurrent_steps_are_all_kept(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    leader = await as_user(org.leader)
    ids = await asyncio.gather(*(step(settings, leader, post_id, org.handler, org.leader) for _ in range(6)))
    assert len(set(ids)) == 6
    assert await Dokumentflyt.count() == 6
    assert len(await flow_events()) == 6


async def test_dokumentflyt_of_lists_oldest_first_with_names_as_they_were(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    other = await outgoing(settings, org, await own_case(settings, org))
    leader = await as_user(org.leader)
    t = now() - timedelta(days=3)
    second = await step(
        settings,
        await as_user(org.oko_leader),
        post_id,
        org.leader,
        org.oko_leader,
        "G",
        mottatt=t + timedelta(days=1),
        sendt=t + timedelta(days=2),
    )
    first = await step(
        settings,
        leader,
        post_id,
        org.handler,
        org.leader,
        "S",
        mottatt=t,
        sendt=t + timedelta(hours=3),
        merknad="Se på avsnitt 2",
    )
    await step(settings, leader, other, org.handler, org.leader)
    await Person.update({Person.name: "Lise Leder-Ny"}).where(Person.id == org.leader)

    rows = await dokumentflyt_of(await Viewer.of(await as_user(org.handler)), post_id)

    assert [r["id"] for r in rows] == [first, second]
    assert [(r["flyt_fra_navn"], r["flyt_til_navn"]) for r in rows] == [
        ("Hans Handler", "Lise Leder"),
        ("Lise Leder", "Ola Økonomisjef"),
    ]
    assert [(r["flyt_status"], r["flyt_status_navn"]) for r in rows] == [
        ("S", "Sendt tilbake med kommentarer"),
        ("G", "Godkjent"),
    ]
    assert rows[0]["flyt_merknad"] == "Se på avsnitt 2" and not rows[0]["merknad_skjermet"]
    assert rows[0]["flyt_mottatt_dato"] == t and rows[0]["flyt_sendt_dato"] == t + timedelta(hours=3)
    assert (rows[0]["flyt_fra"], rows[0]["flyt_til"]) == (org.handler, org.leader)
    assert (
        await dokumentflyt_of(
            await Viewer.of(leader), await outgoing(settings, org, await own_case(settings, org))
        )
        == []
    )
    with pytest.raises(NotFound):
        await dokumentflyt_of(await Viewer.of(leader), 999_999)


async def test_the_remark_of_a_restricted_post_is_withheld(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    await Journalpost.update(
        {Journalpost.tilgangsrestriksjon: "P", Journalpost.skjermingshjemmel: "Offl. § 25"}
    ).where(Journalpost.id == post_id)
    await step(
        settings,
        await as_user(org.leader),
        post_id,
        org.handler,
        org.leader,
        "I",
        merknad="Sykmeldingen mangler",
    )
    [hidden] = await dokumentflyt_of(await Viewer.of(await as_user(org.colleague)), post_id)
    assert hidden["flyt_merknad"] == "" and hidden["merknad_skjermet"]
    assert hidden["flyt_status_navn"] == "Ikke godkjent"
    [shown] = await dokumentflyt_of(await Viewer.of(await as_user(org.handler)), post_id)  # involved
    assert shown["flyt_merknad"] == "Sykmeldingen mangler"
    await grant_code(org.colleague, "P")
    [shown] = await dokumentflyt_of(await Viewer.of(await as_user(org.colleague)), post_id)
    assert shown["flyt_merknad"] == "Sykmeldingen mangler"


async def test_the_post_page_shows_the_flow(client, settings) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    await login(client, org.handler)
    page = (await client.get(f"/arkiv/journalpost/{post_id}")).text
    assert "Dokumentflyt" not in page  # no section without steps
    await step(
        settings, await as_user(org.leader), post_id, org.handler, org.leader, "S", merknad="Kort <b>svar</b>"
    )
    await step(settings, await as_user(org.leader), post_id, org.handler, org.leader, "G")

    response = await client.get(f"/arkiv/journalpost/{post_id}")

    assert response.status_code == 200
    html = response.text
    assert '<h2 id="jp-dokumentflyt">Dokumentflyt</h2>' in html
    assert '<caption id="tabell-dokumentflyt">Dokumentflyt, eldste først</caption>' in html
    assert html.index("Sendt tilbake med kommentarer") < html.index(">Godkjent<")
    assert "Kort &lt;b&gt;svar&lt;/b&gt;" in html
    assert "Hans Handler" in html and "Lise Leder" in html
