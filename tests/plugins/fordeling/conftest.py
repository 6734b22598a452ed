"""Fixtures for the fordeling tests: a small organisation and archive records written straight
into the tables (the queue reads them; the write side is ``core.archive.services``)."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from core import roles
from core.archive import ledger, sender_handlers
from core.archive.filestore import FileStore
from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Saksmappe,
    Tilgang,
)
from core.timeutil import OSLO, now, today
from tests.support.factories import make_deputy, make_leader, make_person, make_unit

_case_seq = itertools.count(1)
_journal_seq = itertools.count(1)


@dataclass(frozen=True)
class Org:
    unit: int
    """LMA: leader, deputy (away period today), two handlers, and one inactive person."""
    other_unit: int
    """TDR: its own leader and handler."""
    leader: int
    deputy: int
    handler: int
    handler2: int
    inactive: int
    other_leader: int
    other_handler: int
    archive: int


@pytest.fixture
async def org(db: None) -> Org:
    unit = await make_unit(code="LMA", name="Landbruk, miljø og arealforvaltning")
    other = await make_unit(code="TDR", name="Teknisk drift")
    suv = await make_unit(code="SUV", name="Stab, utvikling og virksomhetsstøtte")
    leader = await make_person(name="Lene Leder", unit=unit)
    deputy = await make_person(name="Didrik Stedfortreder", unit=unit)
    handler = await make_person(name="Hanne Handler", unit=unit)
    handler2 = await make_person(name="Harald Handler", unit=unit)
    inactive = await make_person(name="Ivar Inaktiv", unit=unit, active=False)
    other_leader = await make_person(name="Tor Teknisk", unit=other)
    other_handler = await make_person(name="Trine Teknisk", unit=other)
    archive = await make_person(name="Unni Arkiv", unit=suv, roles=(roles.ARKIV,))
    await make_leader(unit, leader)
    await make_leader(other, other_leader)
    return Org(unit, other, leader, deputy, handler, handler2, inactive, other_leader, other_handler, archive)


async def absent(org: Org, *, today_inside: bool = True) -> int:
    """Register the leader's absence with the deputy: around today, or entirely in the past."""
    day = today()
    if today_inside:
        return await make_deputy(
            org.unit, org.leader, org.deputy, day - timedelta(days=1), day + timedelta(days=3)
        )
    return await make_deputy(
        org.unit, org.leader, org.deputy, day - timedelta(days=10), day - timedelta(days=3)
    )


async def make_case(
    *,
    unit: int | None = None,
    saksansvarlig: int | None = None,
    tittel: str = "Byggesak Gnr. 1/2",
    offentlig_tittel: str = "",
    tilgangsrestriksjon: str = "",
) -> int:
    case = Saksmappe(
        system_id=str(uuid.uuid4()),
        saksaar=2026,
        sakssekvensnummer=next(_case_seq),
        tittel=tittel,
        offentlig_tittel=offentlig_tittel,
        administrativ_enhet=unit,
        saksansvarlig=saksansvarlig,
        saksdato=today(),
        opprettet_dato=now(),
        tilgangsrestriksjon=tilgangsrestriksjon,
    )
    await case.save()
    return int(case.id)


def days_ago(days: int, hour: int = 10) -> datetime:
    day = today() - timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO).astimezone(UTC)


@dataclass(frozen=True)
class Post:
    id: int
    korrespondansepart_id: int
    case: int
    number: str


async def make_post(
    case: int,
    *,
    unit: int | None,
    tittel: str = "Søknad om dispensasjon",
    offentlig_tittel: str = "",
    tilgangsrestriksjon: str = "",
    avsender: str | None = "Ola Nordmann",
    mottatt: datetime | None = None,
    age: int = 0,
    forfallsdato: date | None = None,
    vedlegg: int = 0,
    typ: str = "I",
    status: str = "J",
    handler: int | None = None,
    parttype: str = "IM",
    author: int | None = None,
    author_unit: int | None = None,
) -> Post:
    """An I post (or N note) with an internal recipient in ``unit`` and ``handler`` (None: in
    the queue), an external sender, a main document and ``vedlegg`` attachments."""
    existing = await Journalpost.count().where(Journalpost.saksmappe == case)
    received = mottatt if mottatt is not None else days_ago(age)
    post = Journalpost(
        system_id=str(uuid.uuid4()),
        saksmappe=case,
        journalaar=2026,
        journalsekvensnummer=next(_journal_seq),
        journalpostnummer=existing + 1,
        journalposttype=typ,
        journalstatus=status,
        tittel=tittel,
        offentlig_tittel=offentlig_tittel,
        journaldato=received.astimezone(OSLO).date(),
        mottatt_dato=received if typ == "I" else None,
        sendt_dato=received if typ == "N" and status in ("E", "J", "A") else None,
        forfallsdato=forfallsdato,
        administrativ_enhet=author_unit,
        saksbehandler=author,
        tilgangsrestriksjon=tilgangsrestriksjon,
        opprettet_dato=received,
    )
    await post.save()
    if avsender is not None and typ == "I":
        await Korrespondansepart(
            journalpost=post.id, journaldato=post.journaldato, korrespondanseparttype="EA", navn=avsender
        ).save()
    part = Korrespondansepart(
        journalpost=post.id,
        journaldato=post.journaldato,
        korrespondanseparttype=parttype,
        intern=True,
        administrativ_enhet=unit,
        saksbehandler=handler,
        fordelt_dato=now() if handler else None,
    )
    await part.save()
    if handler:
        await sender_handlers.record([int(part.id)])  # as the distribution does
    for n in range(vedlegg + 1):
        await Dokumentbeskrivelse(
            system_id=str(uuid.uuid4()),
            journalpost=post.id,
            dokumentnummer=n + 1,
            tilknyttet_registrering_som="H" if n == 0 else "V",
            tittel="Brev" if n == 0 else f"Vedlegg {n}",
            opprettet_dato=received,
        ).save()
    await ledger.refresh_posts([int(post.id)])  # as the write side does (queues, restanse ledger)
    case_row = (
        await Saksmappe.select(Saksmappe.saksaar, Saksmappe.sakssekvensnummer)
        .where(Saksmappe.id == case)
        .first()
    )
    assert case_row is not None
    number = f"{case_row['saksaar']}/{case_row['sakssekvensnummer']:05d}-{existing + 1}"
    return Post(int(post.id), int(part.id), case, number)


async def add_file(
    settings: Any,
    post: Post,
    content: bytes,
    *,
    format: str = "application/pdf",
    filnavn: str = "brev.pdf",
    dokumentnummer: int = 1,
) -> int:
    """A new version (file in the FileStore) of the post's document ``dokumentnummer`` (1: the
    hoveddokument); returns the dokumentobjekt's id."""
    doc = (
        await Dokumentbeskrivelse.select(Dokumentbeskrivelse.id)
        .where(
            (Dokumentbeskrivelse.journalpost == post.id)
            & (Dokumentbeskrivelse.dokumentnummer == dokumentnummer)
        )
        .first()
    )
    assert doc is not None
    number = await Dokumentobjekt.count().where(Dokumentobjekt.dokumentbeskrivelse == doc["id"]) + 1
    stored = FileStore.from_settings(settings).put(content)
    version = Dokumentobjekt(
        system_id=str(uuid.uuid4()),
        dokumentbeskrivelse=doc["id"],
        versjonsnummer=number,
        format=format,
        filnavn=filnavn,
        sjekksum=stored.sjekksum,
        filstoerrelse=stored.filstoerrelse,
        opprettet_dato=now(),
    )
    await version.save()
    return int(version.id)


async def write_off(post: Post, by: int | None = None) -> None:
    await Avskrivning(
        journalpost=post.id,
        korrespondansepart=post.korrespondansepart_id,
        avskrivningsdato=today(),
        avskrevet_av=by,
        avskrivningsmaate="TE",
        registrert=now(),
    ).save()
    await ledger.refresh_posts([post.id])


async def grant(person: int, code: str) -> None:
    await Tilgang(person=person, tilgangsrestriksjon=code).save()


async def part(part_id: int) -> dict[str, Any]:
    row = await Korrespondansepart.select().where(Korrespondansepart.id == part_id).first()
    assert row is not None
    return row
