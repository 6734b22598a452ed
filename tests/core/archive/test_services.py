"""The write side of the archive (core.archive.services): numbers, states, files, audit rows,
refusals with their Norwegian messages, and who may do what (handler, leader, deputy, archive).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from core.archive import services
from core.archive.filestore import FileStore
from core.archive.services import (
    IncomingPost,
    InternalRecipient,
    NewCase,
    NewPost,
    Part,
    PostChanges,
    UploadedFile,
)
from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Saksmappe,
    Tilgang,
)
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.tables import AuditEvent
from core.timeutil import now, today
from tests.core.archive.service_org import (
    case_row,
    doc,
    incoming,
    make_org,
    note,
    outgoing,
    own_case,
    post_row,
    recipient,
)
from tests.support.factories import as_user, grant_code
from tests.support.parties import parties_without_their_posts_date

pytestmark = pytest.mark.anyio

YEAR = today().year


async def events(action: str | None = None) -> list[dict]:
    query = AuditEvent.select().order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    rows = await query
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


# --- create_case -----------------------------------------------------------------------------


async def test_handler_creates_a_case_in_own_unit(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    case = await case_row(case_id)
    assert (case["saksaar"], case["sakssekvensnummer"]) == (YEAR, 1)
    assert case["saksstatus"] == "B"
    assert case["administrativ_enhet"] == org.lma
    assert case["saksansvarlig"] == org.handler
    assert case["opprettet_av"] == org.handler
    assert case["version"] == 1
    [event] = await events("archive.case_created")
    assert event["actor"] == org.handler and event["on_behalf_of"] is None
    assert event["object_type"] == "saksmappe" and event["object_id"] == str(case_id)
    assert event["summary"] == f"{YEAR}/00001 Tilskudd til drenering"


async def test_create_case_validates_input(settings, db) -> None:
    org = await make_org()
    user = await as_user(org.handler)
    with pytest.raises(ValidationFailed) as failed:
        await services.create_case(settings, user, NewCase(tittel="  ", tilgangsrestriksjon="ZZ"))
    assert failed.value.errors == {
        "tittel": "Skriv en tittel.",
        "tilgangsrestriksjon": "Velg en tilgangskode fra listen.",
        "skjermingshjemmel": "Skriv skjermingshjemmelen for tilgangskoden, for eksempel «Offl. § 13 jf. fvl. § 13».",
    }
    with pytest.raises(ValidationFailed) as failed:
        await services.create_case(settings, user, NewCase(tittel="Sak", saksansvarlig_id=org.oko_handler))
    assert failed.value.errors == {"saksansvarlig_id": "Saksansvarlig må høre til enheten saken hører til."}
    assert await Saksmappe.count() == 0
    assert await AuditEvent.count() == 0


async def test_create_case_authorisation(settings, db) -> None:
    org = await make_org()
    with pytest.raises(Forbidden, match="bare opprette saker i din egen enhet eller i enheter du leder"):
        await services.create_case(
            settings, await as_user(org.handler), NewCase(tittel="Sak", administrativ_enhet_id=org.oko)
        )
    with pytest.raises(Forbidden, match="Du må høre til en enhet"):
        await services.create_case(settings, await as_user(org.outsider), NewCase(tittel="Sak"))
    # The archive may create a case for any unit, and leaves saksansvarlig for fordeling.
    case = await services.create_case(
        settings, await as_user(org.archivist), NewCase(tittel="Sak", administrativ_enhet_id=org.oko)
    )
    assert (await case_row(case))["saksansvarlig"] is None
    # A deputy inside the period creates for the unit on behalf of its leader.
    other = await make_org_deputy_elsewhere(org)
    case = await services.create_case(
        settings, await as_user(other), NewCase(tittel="Sak for LMA", administrativ_enhet_id=org.lma)
    )
    [_first, event] = await events("archive.case_created")
    assert event["actor"] == other and event["on_behalf_of"] == org.leader
    assert (await case_row(case))["saksansvarlig"] == other


async def make_org_deputy_elsewhere(org) -> int:
    """A deputy for LMA's leader who works in another unit (so only the deputyship allows it)."""
    from tests.support.factories import make_deputy, make_person

    person = await make_person(name="Dina Deputy", unit=org.oko)
    await make_deputy(org.lma, org.leader, person, today(), today())
    return person


# --- register_incoming -----------------------------------------------------------------------


async def test_archive_registers_incoming_post_with_documents(settings, db) -> None:
    org = await make_org()
    main = b"%PDF-1.7 soknad"
    attachment = b"PNG kart"
    post_id = await incoming(
        settings,
        org,
        documents=[doc(main, "Søknad", "H", "søknad.pdf"), doc(attachment, "Kart", "V", "kart.png")],
        dokumentets_dato=today() - timedelta(days=3),
        forfallsdato=today() + timedelta(days=14),
    )
    post = await post_row(post_id)
    case = await case_row(post["saksmappe"])
    assert post["journalposttype"] == "I" and post["journalstatus"] == "J"
    assert post["journalpostnummer"] == 1
    assert (post["journalaar"], post["journalsekvensnummer"]) == (YEAR, 1)
    assert post["journaldato"] == today()
    assert post["mottatt_dato"] is not None
    assert post["administrativ_enhet"] == org.lma and post["saksbehandler"] is None
    assert case["administrativ_enhet"] == org.lma and case["saksansvarlig"] is None
    parts = await Korrespondansepart.select().where(Korrespondansepart.journalpost == post_id)
    sender = next(p for p in parts if not p["intern"])
    internal = next(p for p in parts if p["intern"])
    assert (sender["korrespondanseparttype"], sender["navn"], sender["poststed"]) == (
        "EA",
        "Ola Nordmann",
        "Verdal",
    )
    assert internal["korrespondanseparttype"] == "IM"
    assert (internal["administrativ_enhet"], internal["saksbehandler"]) == (org.lma, None)
    docs = (
        await Dokumentbeskrivelse.select()
        .where(Dokumentbeskrivelse.journalpost == post_id)
        .order_by(Dokumentbeskrivelse.dokumentnummer)
    )
    assert [(d["dokumentnummer"], d["tilknyttet_registrering_som"], d["dokumentstatus"]) for d in docs] == [
        (1, "H", "F"),
        (2, "V", "F"),
    ]
    versions = await Dokumentobjekt.select().order_by(Dokumentobjekt.id)
    store = FileStore.from_settings(settings)
    for version, content in zip(versions, (main, attachment), strict=True):
        assert version["versjonsnummer"] == 1
        assert version["sjekksum"] == hashlib.sha256(content).hexdigest()
        assert version["filstoerrelse"] == len(content)
        assert store.read(version["sjekksum"]) == content
    assert [v["filnavn"] for v in versions] == ["søknad.pdf", "kart.png"]
    actions = [e["action"] for e in await events()]
    assert actions == ["archive.case_created", "archive.incoming_registered"]
    registered = (await events("archive.incoming_registered"))[0]
    assert registered["summary"] == f"{YEAR}/00001-1 Søknad om deling"
    assert registered["actor"] == org.archivist
    assert await parties_without_their_posts_date() == []


async def test_only_the_archive_registers_incoming_post(settings, db) -> None:
    org = await make_org()
    data = IncomingPost(
        journalposttype="I", tittel="Brev", new_case=NewCase(tittel="Brev"), avsender=Part("Ola")
    )
    for person in (org.handler, org.leader):
        with pytest.raises(
            Forbidden, match=re.escape("Bare Fellestjenesten/Arkiv registrerer inngående post.")
        ):
            await services.register_incoming(settings, await as_user(person), data)
    assert await Journalpost.count() == 0


async def test_register_incoming_validates(settings, db) -> None:
    org = await make_org()
    archivist = await as_user(org.archivist)
    bad = IncomingPost(
        journalposttype="U",
        tittel="",
        dokumentets_dato=today(),
        forfallsdato=today() - timedelta(days=1),
        documents=[doc(b"", kind="V", filnavn="tom.pdf")],
    )
    with pytest.raises(ValidationFailed) as failed:
        await services.register_incoming(settings, archivist, bad)
    errors = failed.value.errors
    assert errors["journalposttype"].startswith("Velg en av disse journalposttypene: inngående dokument (I)")
    assert errors["tittel"] == "Skriv en tittel."
    assert errors["forfallsdato"] == "Forfallsdatoen kan ikke være før dokumentets dato."
    assert errors["saksmappe_id"] == "Velg en eksisterende sak, eller opprett en ny."
    assert errors["documents"] == "Velg filen med hoveddokumentet. Filen «tom.pdf» er tom."

    without_sender = IncomingPost(
        journalposttype="I", tittel="Brev", new_case=NewCase(tittel="Brev"), documents=[doc()]
    )
    with pytest.raises(ValidationFailed) as failed:
        await services.register_incoming(settings, archivist, without_sender)
    assert failed.value.errors == {"avsender": "Skriv hvem den inngående posten er fra."}

    note_without_unit = IncomingPost(
        journalposttype="N", tittel="Notat", new_case=NewCase(tittel="Notat"), documents=[doc()]
    )
    with pytest.raises(ValidationFailed) as failed:
        await services.register_incoming(settings, archivist, note_without_unit)
    assert failed.value.errors == {
        "mottaker_enhet_id": "Et organinternt dokument for oppfølging (N) må ha en mottakerenhet."
    }
    assert await Journalpost.count() == 0 and await Saksmappe.count() == 0


async def test_incoming_post_needs_its_main_document(settings, db) -> None:
    org = await make_org()
    archivist = await as_user(org.archivist)
    base = IncomingPost(
        journalposttype="I",
        tittel="Brev",
        new_case=NewCase(tittel="Brev", administrativ_enhet_id=org.lma),
        avsender=Part("Ola"),
        mottaker_enhet_id=org.lma,
    )
    for documents in ([], [doc(b"PNG kart", "Kart", "V", "kart.png")]):
        with pytest.raises(ValidationFailed) as failed:
            await services.register_incoming(settings, archivist, replace(base, documents=documents))
        assert failed.value.errors == {"documents": "Velg filen med hoveddokumentet."}
    # A main document that is not first is still refused by the general rule.
    misplaced = [doc(b"PNG kart", "Kart", "V", "kart.png"), doc()]
    with pytest.raises(ValidationFailed) as failed:
        await services.register_incoming(settings, archivist, replace(base, documents=misplaced))
    assert (
        "Det første dokumentet i en journalpost må være hoveddokumentet (H)."
        in failed.value.errors["documents"]
    )
    assert await Journalpost.count() == 0 and await Saksmappe.count() == 0
    assert await services.register_incoming(settings, archivist, replace(base, documents=[doc()]))


async def test_a_new_case_without_a_title_takes_the_posts(settings, db) -> None:
    org = await make_org()
    archivist = await as_user(org.archivist)
    untitled = IncomingPost(
        journalposttype="I",
        tittel="",
        new_case=NewCase(tittel=" ", administrativ_enhet_id=org.lma),
        avsender=Part("Ola"),
        mottaker_enhet_id=org.lma,
        documents=[doc()],
    )
    with pytest.raises(ValidationFailed) as failed:
        await services.register_incoming(settings, archivist, untitled)
    assert failed.value.errors == {"tittel": "Skriv en tittel."}  # once, on the post's title
    post_id = await services.register_incoming(
        settings, archivist, replace(untitled, tittel="Søknad om deling", offentlig_tittel="Søknad om *****")
    )
    case = await case_row((await post_row(post_id))["saksmappe"])
    assert (case["tittel"], case["offentlig_tittel"]) == ("Søknad om deling", "Søknad om *****")
    own = replace(
        untitled,
        tittel="Søknad om deling",
        new_case=NewCase(
            tittel="Deling av gnr. 12", offentlig_tittel="Deling", administrativ_enhet_id=org.lma
        ),
    )
    case = await case_row(
        (await post_row(await services.register_incoming(settings, archivist, own)))["saksmappe"]
    )
    assert (case["tittel"], case["offentlig_tittel"]) == ("Deling av gnr. 12", "Deling")


async def test_incoming_to_a_closed_case_is_refused(settings, db) -> None:
    org = await make_org()
    case = await own_case(settings, org)
    await services.close_case(settings, await as_user(org.handler), case, 1)
    with pytest.raises(ValidationFailed) as failed:
        await incoming(settings, org, saksmappe_id=case)
    assert failed.value.errors == {
        "saksmappe_id": "Saken er avsluttet. Velg en åpen sak, eller opprett en ny."
    }


# --- fordeling and sending to a unit ---------------------------------------------------------


async def test_leader_distributes_and_the_new_case_gets_its_saksansvarlig(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part = await recipient(post_id)
    new_owner = await services.fordel(
        settings, await as_user(org.leader), part["id"], org.handler, version=part["version"]
    )
    assert new_owner == org.handler
    part = await recipient(post_id)
    assert part["saksbehandler"] == org.handler and part["fordelt_dato"] is not None
    assert part["version"] == 2 and part["navn"] == "Hans Handler"
    post = await post_row(post_id)
    assert (post["saksbehandler"], post["administrativ_enhet"]) == (org.handler, org.lma)
    case = await case_row(post["saksmappe"])
    assert (case["saksansvarlig"], case["administrativ_enhet"]) == (org.handler, org.lma)
    [event] = await events("archive.distributed")
    assert event["actor"] == org.leader and event["on_behalf_of"] is None
    assert event["object_type"] == "korrespondansepart" and event["object_id"] == str(part["id"])
    assert event["details"]["journalpost_id"] == post_id and event["details"]["til"] == org.handler

    # The case's own row in the hendelseslogg says who set its saksansvarlig, and to whom.
    [owner_event] = await events("archive.case_owner_set")
    assert (owner_event["object_type"], owner_event["object_id"]) == ("saksmappe", str(case["id"]))
    assert owner_event["actor"] == org.leader and owner_event["on_behalf_of"] is None
    assert owner_event["details"]["saksansvarlig"] == org.handler
    assert owner_event["details"]["korrespondansepart_id"] == part["id"]
    assert "satt til Hans Handler ved fordeling av" in owner_event["summary"]

    # Omfordeling: allowed for the leader, old → new in the log; the case keeps its saksansvarlig.
    assert (
        await services.fordel(settings, await as_user(org.leader), part["id"], org.colleague, version=2)
        is None
    )
    assert len(await events("archive.case_owner_set")) == 1
    assert (await recipient(post_id))["saksbehandler"] == org.colleague
    assert (await case_row(post["saksmappe"]))["saksansvarlig"] == org.handler
    [event] = await events("archive.redistributed")
    assert (event["details"]["fra"], event["details"]["til"]) == (org.handler, org.colleague)
    assert "omfordelt fra Hans Handler til Kari Kollega" in event["summary"]


async def test_fordel_with_another_saksansvarlig(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part = await recipient(post_id)
    new_owner = await services.fordel(
        settings,
        await as_user(org.deputy),
        part["id"],
        org.handler,
        version=1,
        saksansvarlig_id=org.colleague,
    )
    assert new_owner == org.colleague
    case = await case_row((await post_row(post_id))["saksmappe"])
    assert case["saksansvarlig"] == org.colleague
    # A deputy sets it on behalf of the leader.
    [event] = await events("archive.case_owner_set")
    assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)
    assert event["details"]["saksansvarlig"] == org.colleague
    assert "satt til Kari Kollega" in event["summary"]


async def test_fordel_authorisation_and_validation(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part_id = (await recipient(post_id))["id"]
    refused = (org.oko_leader, org.handler, org.old_deputy, org.archivist)
    for person in refused:
        with pytest.raises(Forbidden) as failed:
            await services.fordel(settings, await as_user(person), part_id, org.handler, version=1)
        assert failed.value.detail == (
            "Bare lederen for enheten kan gjøre dette, eller stedfortrederen mens lederen har registrert fravær."
        )
    with pytest.raises(ValidationFailed) as failed:
        await services.fordel(settings, await as_user(org.leader), part_id, org.oko_handler, version=1)
    assert failed.value.errors == {"saksbehandler_id": "Velg en aktiv saksbehandler i enheten."}
    with pytest.raises(
        Conflict, match=re.escape("Noen andre endret journalposten i mellomtiden. Last siden på nytt.")
    ):
        await services.fordel(settings, await as_user(org.leader), part_id, org.handler, version=7)
    assert (await recipient(post_id))["saksbehandler"] is None
    assert await AuditEvent.count().where(AuditEvent.action == "archive.distributed") == 0


async def test_deputy_inside_the_period_distributes_on_behalf_of_the_leader(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part_id = (await recipient(post_id))["id"]
    await services.fordel(settings, await as_user(org.deputy), part_id, org.colleague, version=1)
    [event] = await events("archive.distributed")
    assert event["actor"] == org.deputy and event["on_behalf_of"] == org.leader


async def test_incoming_without_unit_gets_one_from_the_archive(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org, unit=None)
    part = await recipient(post_id)
    assert part["administrativ_enhet"] is None and part["til_fordeling_dato"] is None
    with pytest.raises(Conflict, match="ikke fått en enhet ennå"):
        await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    with pytest.raises(Forbidden):
        await services.set_recipient_unit(settings, await as_user(org.leader), part["id"], org.lma, version=1)
    await services.set_recipient_unit(settings, await as_user(org.archivist), part["id"], org.oko, version=1)
    part = await recipient(post_id)
    assert part["administrativ_enhet"] == org.oko and part["navn"] == "OKO Økonomi"
    # When it came into OKO's queue (the mark «Ny» there).
    assert part["til_fordeling_dato"] is not None and now() - part["til_fordeling_dato"] < timedelta(
        minutes=1
    )
    post = await post_row(post_id)
    assert post["administrativ_enhet"] == org.oko
    assert (await case_row(post["saksmappe"]))["administrativ_enhet"] == org.oko
    # OKO's leader sends it on to LMA, whose leader distributes it.
    with pytest.raises(ValidationFailed) as failed:
        await services.set_recipient_unit(
            settings, await as_user(org.oko_leader), part["id"], org.oko, version=2
        )
    assert failed.value.errors == {"unit_id": "Journalposten ligger allerede hos denne enheten."}
    await services.set_recipient_unit(settings, await as_user(org.oko_leader), part["id"], org.lma, version=2)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=3)
    assert [e["action"] for e in await events()][-4:] == [
        "archive.sent_to_unit",
        "archive.sent_to_unit",
        "archive.distributed",
        "archive.case_owner_set",  # the new case's saksansvarlig, in the same transaction
    ]
    with pytest.raises(Conflict, match="allerede fordelt til en saksbehandler"):
        await services.set_recipient_unit(
            settings, await as_user(org.archivist), part["id"], org.oko, version=4
        )


# --- own posts -------------------------------------------------------------------------------


async def test_handler_creates_an_outgoing_post(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    post_id = await outgoing(settings, org, case_id, dokumentets_dato=today())
    post = await post_row(post_id)
    assert post["journalposttype"] == "U" and post["journalstatus"] == "R"
    assert post["journalpostnummer"] == 1 and post["saksbehandler"] == org.handler
    assert post["administrativ_enhet"] == org.lma
    [part] = await Korrespondansepart.select().where(Korrespondansepart.journalpost == post_id)
    assert (part["korrespondanseparttype"], part["intern"], part["navn"]) == ("EM", False, "Ola Nordmann")
    [document] = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    assert document["dokumentstatus"] == "B"
    [event] = await events("archive.post_created")
    assert event["summary"] == f"{YEAR}/00001-1 Svar på søknad"
    assert await parties_without_their_posts_date() == []


async def test_create_post_validates_by_type(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    user = await as_user(org.handler)
    cases = [
        (NewPost(journalposttype="I", tittel="x"), "journalposttype"),
        (NewPost(journalposttype="U", tittel="x"), "mottakere"),
        (NewPost(journalposttype="N", tittel="x"), "interne_mottakere"),
        (
            NewPost(
                journalposttype="N",
                tittel="x",
                interne_mottakere=[InternalRecipient(org.oko, org.handler)],
            ),
            "interne_mottakere",
        ),
        (NewPost(journalposttype="X", tittel="x", mottakere=[Part("Ola", "EM")]), "mottakere"),
        (NewPost(journalposttype="X", tittel="x", documents=[doc(kind="V")]), "documents"),
        (NewPost(journalposttype="X", tittel="x", documents=[doc(), doc(tittel="Annen")]), "documents"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationFailed) as failed:
            await services.create_post(settings, user, case_id, data)
        assert field in failed.value.errors, (data, failed.value.errors)
    with pytest.raises(ValidationFailed) as failed:
        await services.create_post(settings, user, case_id, NewPost(journalposttype="N", tittel="x"))
    assert failed.value.errors["interne_mottakere"] == (
        "Et organinternt dokument for oppfølging (N) må ha minst én intern mottaker (IM)."
    )
    assert await Journalpost.count() == 0


async def test_create_post_authorisation(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    for person in (org.oko_handler, org.oko_leader, org.old_deputy if False else org.outsider):
        with pytest.raises(Forbidden, match="Du kan bare arbeide med saker i din egen enhet"):
            await outgoing(settings, org, case_id, person=person)
    # Colleague in the unit, the leader, the deputy and the archive may.
    for person in (org.colleague, org.leader, org.deputy, org.archivist):
        await outgoing(settings, org, case_id, person=person)
    assert await Journalpost.count() == 4


async def test_n_note_creates_one_recipient_per_unit(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    post_id = await note(
        settings,
        org,
        case_id,
        [
            InternalRecipient(org.oko),
            InternalRecipient(org.lma, org.colleague),
            InternalRecipient(org.oko, korrespondanseparttype="IK"),
        ],
    )
    parts = (
        await Korrespondansepart.select()
        .where(Korrespondansepart.journalpost == post_id)
        .order_by(Korrespondansepart.id)
    )
    assert [(p["korrespondanseparttype"], p["administrativ_enhet"], p["saksbehandler"]) for p in parts] == [
        ("IM", org.oko, None),
        ("IM", org.lma, org.colleague),
        ("IK", org.oko, None),
    ]
    assert parts[0]["fordelt_dato"] is None and parts[1]["fordelt_dato"] is not None
    assert [p["navn"] for p in parts] == ["OKO Økonomi", "Kari Kollega", "OKO Økonomi"]


async def test_ferdigstill_and_ekspeder(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    post_id = await outgoing(settings, org, case_id)
    user = await as_user(org.handler)
    await services.ferdigstill(settings, user, post_id, 1)
    post = await post_row(post_id)
    assert post["journalstatus"] == "F" and post["version"] == 2
    assert {d["dokumentstatus"] for d in await Dokumentbeskrivelse.select()} == {"F"}
    with pytest.raises(Conflict, match=re.escape("Journalposten er allerede ferdigstilt.")):
        await services.ferdigstill(settings, user, post_id, 2)
    with pytest.raises(Conflict, match="Noen andre endret journalposten"):
        await services.ekspeder(settings, user, post_id, 1)
    await services.ekspeder(settings, user, post_id, 2)
    post = await post_row(post_id)
    assert post["journalstatus"] == "E" and post["sendt_dato"] is not None and post["version"] == 3
    with pytest.raises(Conflict, match=re.escape("Journalposten er allerede ekspedert.")):
        await services.ekspeder(settings, user, post_id, 3)
    assert [e["action"] for e in await events()][-2:] == ["archive.post_finished", "archive.dispatched"]


async def test_ekspeder_straight_from_reserved_ferdigstiller_the_documents(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org))
    await services.ekspeder(settings, await as_user(org.handler), post_id, 1)
    assert (await post_row(post_id))["journalstatus"] == "E"
    assert {d["dokumentstatus"] for d in await Dokumentbeskrivelse.select()} == {"F"}


async def test_state_changes_are_refused_where_they_do_not_apply(settings, db) -> None:
    org = await make_org()
    incoming_id = await incoming(settings, org)
    archivist = await as_user(org.archivist)
    with pytest.raises(Conflict, match="Bare utgående dokumenter og interne notater"):
        await services.ekspeder(settings, archivist, incoming_id, 1)
    with pytest.raises(Conflict, match="Bare egne journalposter"):
        await services.ferdigstill(settings, archivist, incoming_id, 1)
    case_id = await own_case(settings, org)
    empty = await outgoing(settings, org, case_id, documents=[])
    with pytest.raises(
        Conflict, match=re.escape("Legg til hoveddokumentet før du ferdigstiller journalposten.")
    ):
        await services.ferdigstill(settings, await as_user(org.handler), empty, 1)
    with pytest.raises(
        Conflict, match=re.escape("Legg til hoveddokumentet før du ekspederer journalposten.")
    ):
        await services.ekspeder(settings, await as_user(org.handler), empty, 1)
    with pytest.raises(Forbidden):
        await services.ekspeder(settings, await as_user(org.oko_handler), empty, 1)
    with pytest.raises(NotFound):
        await services.ekspeder(settings, archivist, 999_999, 1)


# --- documents and versions ------------------------------------------------------------------


async def test_new_versions_are_new_rows_and_old_files_stay(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org), documents=[doc(b"utkast 1")])
    user = await as_user(org.handler)
    [document] = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    v2 = await services.add_version(
        settings, user, document["id"], UploadedFile("brev-v2.pdf", b"utkast 2", "application/pdf")
    )
    v3 = await services.add_version(settings, user, document["id"], UploadedFile("brev-v3.pdf", b"utkast 3"))
    versions = await Dokumentobjekt.select().order_by(Dokumentobjekt.versjonsnummer)
    assert [v["versjonsnummer"] for v in versions] == [1, 2, 3]
    assert [v["id"] for v in versions][1:] == [v2, v3]
    store = FileStore.from_settings(settings)
    assert [store.read(v["sjekksum"]) for v in versions] == [b"utkast 1", b"utkast 2", b"utkast 3"]
    assert versions[1]["sjekksum"] == hashlib.sha256(b"utkast 2").hexdigest()
    assert versions[1]["filstoerrelse"] == 8 and versions[1]["filnavn"] == "brev-v2.pdf"
    [first, *_] = await events("archive.version_added")
    assert first["details"]["versjonsnummer"] == 2 and first["summary"].endswith("dokument 1, versjon 2")
    with pytest.raises(ValidationFailed) as failed:
        await services.add_version(settings, user, document["id"], UploadedFile("tom.pdf", b""))
    assert failed.value.errors == {"file": "Filen «tom.pdf» er tom."}
    await services.ferdigstill(settings, user, post_id, 1)
    with pytest.raises(
        Conflict, match=re.escape("Dokumentet er ferdigstilt. Nye versjoner kan ikke lastes opp.")
    ):
        await services.add_version(settings, user, document["id"], UploadedFile("v4.pdf", b"utkast 4"))
    assert await Dokumentobjekt.count() == 3


async def test_a_document_restricted_on_its_own_needs_its_code_for_a_new_version(settings, db) -> None:
    org = await make_org()
    post_id = await outgoing(settings, org, await own_case(settings, org), documents=[doc(b"utkast 1")])
    [document] = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == post_id)
    await Dokumentbeskrivelse.update({Dokumentbeskrivelse.tilgangsrestriksjon: "13"}).where(
        Dokumentbeskrivelse.id == document["id"]
    )
    leader = await as_user(org.leader)  # may work on the unit's posts, but lacks code 13
    secret = b"versjon uten tilgang"
    with pytest.raises(Forbidden):
        await services.add_version(settings, leader, document["id"], UploadedFile("v2.pdf", secret))
    store = FileStore.from_settings(settings)
    assert not store.exists(hashlib.sha256(secret).hexdigest())  # refused before it was stored
    outsider = await as_user(org.outsider)
    with pytest.raises(Forbidden):
        await services.add_version(settings, outsider, document["id"], UploadedFile("v2.pdf", secret))
    assert not store.exists(hashlib.sha256(secret).hexdigest())
    await grant_code(org.leader, "13")
    await services.add_version(settings, leader, document["id"], UploadedFile("v2.pdf", b"med tilgang"))
    # The handler who owns the post is involved and needs no code.
    await services.add_version(
        settings, await as_user(org.handler), document["id"], UploadedFile("v3.pdf", b"v3")
    )
    assert await Dokumentobjekt.count() == 3


async def test_add_document_rules(settings, db) -> None:
    org = await make_org()
    user = await as_user(org.handler)
    case_id = await own_case(settings, org)
    empty = await outgoing(settings, org, case_id, documents=[])
    with pytest.raises(ValidationFailed) as failed:
        await services.add_document(settings, user, empty, doc(kind="V"))
    assert failed.value.errors == {
        "document": "Det første dokumentet i en journalpost må være hoveddokumentet (H)."
    }
    first = await services.add_document(settings, user, empty, doc())
    with pytest.raises(ValidationFailed) as failed:
        await services.add_document(settings, user, empty, doc(tittel="To"))
    assert "bare ett hoveddokument" in failed.value.errors["document"]
    second = await services.add_document(settings, user, empty, doc(b"vedlegg", "Vedlegg", "V"))
    numbers = {
        r["id"]: r["dokumentnummer"]
        for r in await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.journalpost == empty)
    }
    assert numbers == {first: 1, second: 2}
    await services.ekspeder(settings, user, empty, 1)
    with pytest.raises(Conflict, match="Journalposten er ekspedert"):
        await services.add_document(settings, user, empty, doc(b"sent", "Sent", "V"))
    # Incoming post journalført by the archive: only the archive adds documents (final, F).
    incoming_id = await incoming(settings, org)
    part = await recipient(incoming_id)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    with pytest.raises(Conflict, match=re.escape("Bare Fellestjenesten/Arkiv kan endre den.")):
        await services.add_document(settings, user, incoming_id, doc(b"x", "x", "V"))
    added = await services.add_document(
        settings, await as_user(org.archivist), incoming_id, doc(b"y", "Glemt vedlegg", "V")
    )
    row = await Dokumentbeskrivelse.select().where(Dokumentbeskrivelse.id == added).first()
    assert row["dokumentstatus"] == "F" and row["dokumentnummer"] == 2


# --- avskrivning -----------------------------------------------------------------------------


async def test_handler_writes_off_a_restanse_once(settings, db) -> None:
    org = await make_org()
    post_id = await incoming(settings, org)
    part = await recipient(post_id)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    handler = await as_user(org.handler)
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(settings, handler, part["id"], "BT", version=2)
    assert failed.value.errors == {"avskrivningsmaate": "Velg en avskrivningsmåte fra listen."}
    with pytest.raises(Forbidden, match="kan avskrive denne restansen"):
        await services.avskriv(settings, await as_user(org.colleague), part["id"], "TE", version=2)
    avskrivning_id = await services.avskriv(settings, handler, part["id"], "TE", version=2)
    row = await Avskrivning.select().where(Avskrivning.id == avskrivning_id).first()
    assert row["journalpost"] == post_id and row["korrespondansepart"] == part["id"]
    assert row["avskrivningsmaate"] == "TE" and row["avskrevet_av"] == org.handler
    assert row["avskrevet_av_navn"] == "Hans Handler" and row["avskrivningsdato"] == today()
    assert (await recipient(post_id))["version"] == 3
    with pytest.raises(Conflict, match=re.escape("Restansen er allerede avskrevet.")):
        await services.avskriv(settings, handler, part["id"], "TO", version=3)
    [event] = await events("archive.written_off")
    assert event["object_type"] == "korrespondansepart" and event["details"]["avskrivningsmaate"] == "TE"
    assert "Tatt til etterretning" in event["summary"]


async def test_avskriv_refusals(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    note_id = await note(
        settings,
        org,
        case_id,
        [InternalRecipient(org.oko), InternalRecipient(org.oko, korrespondanseparttype="IK")],
    )
    copy = await Korrespondansepart.select().where(Korrespondansepart.korrespondanseparttype == "IK").first()
    with pytest.raises(Conflict, match=r"Bare interne mottakere \(IM\)"):
        await services.avskriv(settings, await as_user(org.archivist), copy["id"], "TO", version=1)
    out_id = await outgoing(settings, org, case_id)
    [external] = await Korrespondansepart.select().where(Korrespondansepart.journalpost == out_id)
    with pytest.raises(Conflict):
        await services.avskriv(settings, await as_user(org.archivist), external["id"], "TO", version=1)
    # The answering post must be an own post in the same case, and fit the avskrivningsmåte.
    incoming_id = await incoming(settings, org, saksmappe_id=case_id)
    part = await recipient(incoming_id)
    other_case = await own_case(settings, org)
    elsewhere = await outgoing(settings, org, other_case)
    archivist = await as_user(org.archivist)
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(
            settings, archivist, part["id"], "BU", avskrives_av_journalpost_id=elsewhere, version=1
        )
    assert failed.value.errors == {
        "avskrives_av_journalpost_id": "Journalposten som avskriver, må høre til samme sak."
    }
    with pytest.raises(ValidationFailed) as failed:
        await services.avskriv(
            settings, archivist, part["id"], "BU", avskrives_av_journalpost_id=note_id, version=1
        )
    assert "passer ikke til journalposttypen N" in failed.value.errors["avskrivningsmaate"]
    with pytest.raises(ValidationFailed):
        await services.avskriv(
            settings, archivist, part["id"], "BU", avskrives_av_journalpost_id=incoming_id, version=1
        )
    await services.avskriv(
        settings, archivist, part["id"], "BU", avskrives_av_journalpost_id=out_id, version=1
    )
    assert (await Avskrivning.select().first())["avskrives_av_journalpost"] == out_id


async def test_leader_and_deputy_write_off_in_their_unit(settings, db) -> None:
    org = await make_org()
    first = await recipient(await incoming(settings, org, tittel="Første"))
    second = await recipient(await incoming(settings, org, tittel="Andre"))
    await services.avskriv(settings, await as_user(org.leader), first["id"], "TO", version=1)
    await services.avskriv(settings, await as_user(org.deputy), second["id"], "TO", version=1)
    with pytest.raises(Forbidden):
        await services.avskriv(settings, await as_user(org.oko_leader), first["id"], "TO", version=2)
    leader_event, deputy_event = await events("archive.written_off")
    assert leader_event["on_behalf_of"] is None
    assert deputy_event["actor"] == org.deputy and deputy_event["on_behalf_of"] == org.leader


async def test_a_new_post_answers_restanser_in_the_same_transaction(settings, db) -> None:
    org = await make_org()
    incoming_id = await incoming(settings, org)
    case_id = (await post_row(incoming_id))["saksmappe"]
    part = await recipient(incoming_id)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    answer = await outgoing(settings, org, case_id, avskriver_korrespondansepart_ids=[part["id"]])
    row = await Avskrivning.select().first()
    assert (row["korrespondansepart"], row["avskrivningsmaate"], row["avskrives_av_journalpost"]) == (
        part["id"],
        "BU",
        answer,
    )
    # Answering again fails as a whole: no post, no number used.
    with pytest.raises(Conflict, match=re.escape("Restansen er allerede avskrevet.")):
        await outgoing(settings, org, case_id, avskriver_korrespondansepart_ids=[part["id"]])
    assert await Journalpost.count().where(Journalpost.saksmappe == case_id) == 2
    third = await outgoing(settings, org, case_id)
    assert (await post_row(third))["journalpostnummer"] == 3
    # An N note answers with BN; only restanser the user may write off can be answered.
    other = await recipient(await incoming(settings, org, saksmappe_id=case_id, tittel="Nytt brev"))
    with pytest.raises(ValidationFailed) as failed:
        await note(
            settings,
            org,
            case_id,
            [InternalRecipient(org.oko)],
            avskriver_korrespondansepart_ids=[other["id"]],
        )
    assert failed.value.errors == {
        "avskriver_korrespondansepart_ids": (
            "Du kan bare besvare restanser som er fordelt til deg, eller restanser i enheter du leder."
        )
    }
    await services.fordel(settings, await as_user(org.leader), other["id"], org.handler, version=1)
    other = await recipient(other["journalpost"])
    await note(
        settings, org, case_id, [InternalRecipient(org.oko)], avskriver_korrespondansepart_ids=[other["id"]]
    )
    assert (await Avskrivning.select().where(Avskrivning.korrespondansepart == other["id"]).first())[
        "avskrivningsmaate"
    ] == "BN"


# --- closing a case --------------------------------------------------------------------------


async def test_close_case_lists_what_is_still_open(settings, db) -> None:
    org = await make_org()
    first = await incoming(settings, org)
    case_id = (await post_row(first))["saksmappe"]
    second = await incoming(settings, org, saksmappe_id=case_id, tittel="Tillegg")
    part_one, part_two = await recipient(first), await recipient(second)
    await services.fordel(settings, await as_user(org.leader), part_one["id"], org.handler, version=1)
    answer = await outgoing(settings, org, case_id)
    handler = await as_user(org.handler)
    with pytest.raises(Conflict) as refused:
        await services.close_case(settings, handler, case_id, (await case_row(case_id))["version"])
    assert refused.value.detail == (
        "Saken kan ikke avsluttes: 2 interne mottakere har restanser som ikke er avskrevet; "
        "1 egen journalpost er ikke ekspedert eller arkivert."
    )
    await services.avskriv(
        settings, handler, part_one["id"], "BU", avskrives_av_journalpost_id=answer, version=2
    )
    await services.avskriv(settings, await as_user(org.leader), part_two["id"], "TO", version=1)
    with pytest.raises(Conflict, match="1 egen journalpost er ikke ekspedert"):
        await services.close_case(settings, handler, case_id, (await case_row(case_id))["version"])
    await services.ekspeder(settings, handler, answer, 1)
    version = (await case_row(case_id))["version"]
    with pytest.raises(Forbidden, match="Bare saksansvarlig, lederen for saksenheten"):
        await services.close_case(settings, await as_user(org.colleague), case_id, version)
    with pytest.raises(Conflict, match="Noen andre endret saken"):
        await services.close_case(settings, handler, case_id, version - 1)
    await services.close_case(settings, handler, case_id, version)
    case = await case_row(case_id)
    assert case["saksstatus"] == "A" and case["avsluttet_dato"] is not None
    with pytest.raises(Conflict, match=re.escape("Saken er allerede avsluttet.")):
        await services.close_case(settings, handler, case_id, case["version"])
    with pytest.raises(
        Conflict, match=re.escape("Saken er avsluttet. Nye journalposter kan ikke opprettes i den.")
    ):
        await outgoing(settings, org, case_id)
    [event] = await events("archive.case_closed")
    assert event["actor"] == org.handler


async def test_deputy_closes_on_behalf_and_old_deputy_is_refused(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    with pytest.raises(Forbidden):
        await services.close_case(settings, await as_user(org.old_deputy), case_id, 1)
    await services.close_case(settings, await as_user(org.deputy), case_id, 1)
    [event] = await events("archive.case_closed")
    assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)


# --- merknader, editing, deleting ------------------------------------------------------------


async def test_remarks_on_case_and_post(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    note_id = await note(settings, org, case_id, [InternalRecipient(org.oko, org.oko_handler)])
    with pytest.raises(ValidationFailed) as failed:
        await services.add_merknad(settings, await as_user(org.handler), "  ", saksmappe_id=case_id)
    assert failed.value.errors == {"text": "Skriv en merknad."}
    await services.add_merknad(settings, await as_user(org.handler), "Venter på kart.", saksmappe_id=case_id)
    # The recipient of the note, the leader of the recipient unit and the archive may comment.
    await services.add_merknad(settings, await as_user(org.oko_handler), "Sett.", journalpost_id=note_id)
    await services.add_merknad(settings, await as_user(org.oko_leader), "Ok.", journalpost_id=note_id)
    await services.add_merknad(
        settings, await as_user(org.archivist), "Arkivert riktig.", journalpost_id=note_id
    )
    with pytest.raises(Forbidden):
        await services.add_merknad(settings, await as_user(org.outsider), "Hei", journalpost_id=note_id)
    rows = await Merknad.select().order_by(Merknad.id)
    assert [(r["merknadstype"], r["saksmappe"], r["journalpost"]) for r in rows] == [
        ("MS", case_id, None),
        ("MS", None, note_id),
        ("ML", None, note_id),
        ("MA", None, note_id),
    ]
    assert len(await events("archive.remark_added")) == 4
    # ... but the recipient may not change the author's note.
    with pytest.raises(Forbidden):
        await services.ekspeder(settings, await as_user(org.oko_handler), note_id, 1)


async def test_update_post_and_its_freeze(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    post_id = await outgoing(settings, org, case_id, dokumentets_dato=today())
    handler = await as_user(org.handler)
    changes = PostChanges(
        tittel="Nytt svar", dokumentets_dato=today(), forfallsdato=today() + timedelta(days=7)
    )
    await services.update_post(settings, handler, post_id, changes, version=1)
    post = await post_row(post_id)
    assert (post["tittel"], post["forfallsdato"], post["version"]) == (
        "Nytt svar",
        today() + timedelta(days=7),
        2,
    )
    [event] = await events("archive.post_updated")
    assert event["details"]["felter"] == ["forfallsdato", "tittel"]
    with pytest.raises(ValidationFailed) as failed:
        await services.update_post(
            settings,
            handler,
            post_id,
            PostChanges(tittel="x", dokumentets_dato=today(), forfallsdato=date(2000, 1, 1)),
            version=2,
        )
    assert failed.value.errors == {"forfallsdato": "Forfallsdatoen kan ikke være før dokumentets dato."}
    await services.ekspeder(settings, handler, post_id, 2)
    for person in (org.handler, org.archivist):
        with pytest.raises(Conflict, match="Journalposten er ekspedert"):
            await services.update_post(
                settings, await as_user(person), post_id, PostChanges(tittel="Endret"), version=3
            )
    # Incoming post: the handler it is distributed to may not edit it; the archive may.
    incoming_id = await incoming(settings, org)
    part = await recipient(incoming_id)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    version = (await post_row(incoming_id))["version"]
    with pytest.raises(Conflict, match="journalført av arkivet"):
        await services.update_post(
            settings, handler, incoming_id, PostChanges(tittel="Endret"), version=version
        )
    await services.update_post(
        settings,
        await as_user(org.archivist),
        incoming_id,
        PostChanges(tittel="Rettet tittel"),
        version=version,
    )
    assert (await post_row(incoming_id))["tittel"] == "Rettet tittel"


async def test_only_a_reserved_post_without_documents_is_deleted_by_its_handler(settings, db) -> None:
    org = await make_org()
    case_id = await own_case(settings, org)
    with_docs = await outgoing(settings, org, case_id)
    empty = await outgoing(settings, org, case_id, documents=[])
    handler = await as_user(org.handler)
    with pytest.raises(Conflict, match=re.escape("Journalposten har dokumenter og kan ikke slettes.")):
        await services.delete_post(settings, handler, with_docs, version=1)
    with pytest.raises(Forbidden, match="Bare saksbehandleren som reserverte journalposten"):
        await services.delete_post(settings, await as_user(org.archivist), empty, version=1)
    await services.add_merknad(settings, handler, "Feil sak", journalpost_id=empty)
    await services.delete_post(settings, handler, empty, version=1)
    assert await Journalpost.exists().where(Journalpost.id == empty) is False
    assert await Merknad.count() == 0
    [event] = await events("archive.post_deleted")
    assert event["summary"] == f"{YEAR}/00001-2 Svar på søknad" and event["details"]["merknader"] == 1
    await services.ekspeder(settings, handler, with_docs, 1)
    incoming_id = await incoming(settings, org)
    with pytest.raises(Forbidden):
        await services.delete_post(settings, handler, incoming_id, version=1)
    # The next post in the case gets a new number; the deleted one leaves a gap (Noark 5).
    assert (await post_row(await outgoing(settings, org, case_id)))["journalpostnummer"] == 3


# --- skjerming and tilgangskoder -------------------------------------------------------------


async def test_audit_summaries_never_show_a_restricted_title(settings, db) -> None:
    org = await make_org()
    secret = "Barnevernsak Kari Hansen"
    case_id = await own_case(
        settings,
        org,
        tittel=secret,
        offentlig_tittel="Barnevernsak *****",
        tilgangsrestriksjon="5",
        skjermingshjemmel="Offl. § 13",
    )
    post_id = await outgoing(
        settings,
        org,
        case_id,
        tittel=f"Brev om {secret}",
        offentlig_tittel="Brev om *****",
        tilgangsrestriksjon="5",
        skjermingshjemmel="Offl. § 13",
    )
    hidden = await outgoing(
        settings,
        org,
        case_id,
        tittel=f"Notat om {secret}",
        tilgangsrestriksjon="5",
        skjermingshjemmel="Offl. § 13",
    )
    await services.add_merknad(settings, await as_user(org.handler), secret, journalpost_id=post_id)
    await services.ekspeder(settings, await as_user(org.handler), post_id, 1)
    rows = await events()
    assert rows and all("Kari Hansen" not in r["summary"] for r in rows)
    assert all("Kari Hansen" not in json.dumps(r["details"], ensure_ascii=False) for r in rows)
    summaries = [r["summary"] for r in rows]
    assert f"{YEAR}/00001 Barnevernsak *****" in summaries
    assert f"{YEAR}/00001-1 Brev om *****" in summaries
    assert f"{YEAR}/00001-2 Skjermet tittel" in summaries
    assert hidden


async def test_a_restricted_case_needs_the_code_for_handlers_of_the_unit(settings, db) -> None:
    org = await make_org()
    case_id = await services.create_case(
        settings,
        await as_user(org.archivist),
        NewCase(
            tittel="Personalsak",
            administrativ_enhet_id=org.lma,
            tilgangsrestriksjon="P",
            skjermingshjemmel="Offl. § 25",
        ),
    )
    with pytest.raises(Forbidden, match="du har ikke tilgangskoden"):
        await outgoing(settings, org, case_id, person=org.colleague)
    await grant_code(org.colleague, "P")
    await outgoing(settings, org, case_id, person=org.colleague)
    # The leader acts without the code (fordeling, oversight).
    await outgoing(settings, org, case_id, person=org.leader)


async def test_grant_and_revoke_access(settings, db) -> None:
    org = await make_org()
    with pytest.raises(Forbidden, match="Bare Fellestjenesten/Arkiv og administratorer"):
        await services.grant_access(settings, await as_user(org.leader), org.handler, "P")
    archivist = await as_user(org.archivist)
    with pytest.raises(ValidationFailed) as failed:
        await services.grant_access(settings, archivist, org.handler, "ZZ")
    assert failed.value.errors == {"tilgangsrestriksjon": "Velg en tilgangskode fra listen."}
    with pytest.raises(NotFound):
        await services.grant_access(settings, archivist, 999_999, "P")
    assert await services.grant_access(settings, archivist, org.handler, "P") is True
    # already held: no change
    assert await services.grant_access(settings, archivist, org.handler, "P") is False
    assert await Tilgang.count().where(Tilgang.person == org.handler) == 1
    [event] = await events("archive.access_granted")
    assert (event["object_type"], event["object_id"], event["details"]) == (
        "person",
        str(org.handler),
        {"tilgangsrestriksjon": "P"},
    )
    assert await services.revoke_access(settings, archivist, org.handler, "P") is True
    assert await services.revoke_access(settings, archivist, org.handler, "P") is False
    assert await Tilgang.count() == 0
    assert len(await events("archive.access_revoked")) == 1


async def test_an_incoming_n_note_follows_its_recipient_but_an_own_note_keeps_its_author(
    settings, db
) -> None:
    org = await make_org()
    registered = await incoming(settings, org, journalposttype="N", tittel="Internt notat fra rådmannen")
    part = await recipient(registered)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.handler, version=1)
    assert (await post_row(registered))["saksbehandler"] == org.handler
    case_id = await own_case(settings, org, person=org.oko_handler)
    own = await note(settings, org, case_id, [InternalRecipient(org.lma)], person=org.oko_handler)
    part = await recipient(own)
    await services.fordel(settings, await as_user(org.leader), part["id"], org.colleague, version=1)
    post = await post_row(own)
    assert (post["saksbehandler"], post["administrativ_enhet"]) == (org.oko_handler, org.oko)
    assert (await case_row(case_id))["saksansvarlig"] == org.oko_handler


async def test_involvement_helpers(settings, db) -> None:
    from core.archive.access import involved_in_case, involved_in_post

    org = await make_org()
    case_id = await own_case(settings, org)
    note_id = await note(settings, org, case_id, [InternalRecipient(org.oko, org.oko_handler)])
    assert await involved_in_case(org.handler, case_id) and await involved_in_post(org.handler, note_id)
    assert await involved_in_case(org.oko_handler, case_id) and await involved_in_post(
        org.oko_handler, note_id
    )
    assert not await involved_in_case(org.colleague, case_id)
    assert not await involved_in_post(org.oko_leader, note_id)
