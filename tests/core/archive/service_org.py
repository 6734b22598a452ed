"""A small organisation for the archive service tests, and shortcuts through the services.

Units ``LMA`` (with leader, deputy, two handlers) and ``OKO`` (leader, handler); Fellestjenesten
with an archivist; a deputy period for LMA that covers today and one that ended last month.
And the hendelseslogg rows of an action (:func:`audit_events`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.archive import services
from core.archive.services import (
    IncomingPost,
    InternalRecipient,
    NewCase,
    NewDocument,
    NewPost,
    Part,
    UploadedFile,
)
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.settings import Settings
from core.tables import AuditEvent
from core.timeutil import today
from tests.support.factories import as_user, make_archivist, make_deputy, make_leader, make_person, make_unit


@dataclass
class Org:
    lma: int
    oko: int
    arkiv_unit: int
    leader: int
    deputy: int
    old_deputy: int
    handler: int
    colleague: int
    oko_leader: int
    oko_handler: int
    archivist: int
    outsider: int

    async def user(self, person_id: int) -> Any:
        return await as_user(person_id)


async def make_org() -> Org:
    lma = await make_unit(code="LMA", name="Landbruk og miljø")
    oko = await make_unit(code="OKO", name="Økonomi")
    arkiv_unit = await make_unit(code="ARK", name="Fellestjenesten")
    leader = await make_person(name="Lise Leder", unit=lma)
    deputy = await make_person(name="Stian Stedfortreder", unit=lma)
    old_deputy = await make_person(name="Gunn Gammel", unit=lma)
    handler = await make_person(name="Hans Handler", unit=lma)
    colleague = await make_person(name="Kari Kollega", unit=lma)
    oko_leader = await make_person(name="Ola Økonomisjef", unit=oko)
    oko_handler = await make_person(name="Per Penger", unit=oko)
    archivist = await make_archivist(unit=arkiv_unit, name="Anne Arkiv")
    outsider = await make_person(name="Uten Enhet")
    await make_leader(lma, leader)
    await make_leader(oko, oko_leader)
    await make_deputy(lma, leader, deputy, today() - timedelta(days=1), today() + timedelta(days=5))
    await make_deputy(lma, leader, old_deputy, today() - timedelta(days=40), today() - timedelta(days=30))
    return Org(
        lma,
        oko,
        arkiv_unit,
        leader,
        deputy,
        old_deputy,
        handler,
        colleague,
        oko_leader,
        oko_handler,
        archivist,
        outsider,
    )


def doc(
    content: bytes = b"%PDF hoved", tittel: str = "Brev", kind: str = "H", filnavn: str = "brev.pdf"
) -> NewDocument:
    return NewDocument(
        tittel=tittel,
        file=UploadedFile(filnavn=filnavn, content=content, format="application/pdf"),
        tilknyttet_registrering_som=kind,
    )


async def own_case(settings: Settings, org: Org, person: int | None = None, **kwargs: Any) -> int:
    user = await as_user(person or org.handler)
    return await services.create_case(
        settings, user, NewCase(tittel=kwargs.pop("tittel", "Tilskudd til drenering"), **kwargs)
    )


async def incoming(
    settings: Settings,
    org: Org,
    *,
    unit: int | None = -1,
    saksmappe_id: int | None = None,
    tittel: str = "Søknad om deling",
    journalposttype: str = "I",
    **kwargs: Any,
) -> int:
    """Incoming post registered by the archivist (to LMA unless ``unit`` is given; a new case
    unless ``saksmappe_id``)."""
    unit_id = org.lma if unit == -1 else unit
    data = IncomingPost(
        journalposttype=journalposttype,
        tittel=tittel,
        saksmappe_id=saksmappe_id,
        new_case=None if saksmappe_id else NewCase(tittel=tittel, administrativ_enhet_id=unit_id),
        avsender=Part(navn="Ola Nordmann", poststed="Verdal"),
        mottaker_enhet_id=unit_id,
        documents=kwargs.pop("documents", [doc(b"%PDF innkommende " + tittel.encode())]),
        **kwargs,
    )
    return await services.register_incoming(settings, await as_user(org.archivist), data)


async def outgoing(settings: Settings, org: Org, case: int, person: int | None = None, **kwargs: Any) -> int:
    data = NewPost(
        journalposttype=kwargs.pop("journalposttype", "U"),
        tittel=kwargs.pop("tittel", "Svar på søknad"),
        mottakere=kwargs.pop("mottakere", [Part(navn="Ola Nordmann", korrespondanseparttype="EM")]),
        documents=kwargs.pop("documents", [doc(b"%PDF svar")]),
        **kwargs,
    )
    return await services.create_post(settings, await as_user(person or org.handler), case, data)


async def note(
    settings: Settings, org: Org, case: int, recipients: list[InternalRecipient], **kwargs: Any
) -> int:
    return await outgoing(
        settings,
        org,
        case,
        journalposttype=kwargs.pop("journalposttype", "N"),
        tittel=kwargs.pop("tittel", "Notat til økonomi"),
        mottakere=[],
        interne_mottakere=recipients,
        **kwargs,
    )


async def recipient(journalpost_id: int) -> dict[str, Any]:
    """The (first) internal recipient of a post."""
    row = (
        await Korrespondansepart.select()
        .where((Korrespondansepart.journalpost == journalpost_id) & Korrespondansepart.intern.eq(True))
        .order_by(Korrespondansepart.id)
        .first()
    )
    assert row is not None
    return row


async def post_row(journalpost_id: int) -> dict[str, Any]:
    row = await Journalpost.select().where(Journalpost.id == journalpost_id).first()
    assert row is not None
    return row


async def case_row(saksmappe_id: int) -> dict[str, Any]:
    row = await Saksmappe.select().where(Saksmappe.id == saksmappe_id).first()
    assert row is not None
    return row


async def audit_events(action: str) -> list[dict[str, Any]]:
    """The hendelseslogg rows of ``action``, oldest first, with their details as dicts."""
    rows = await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows
