"""Builders for the restanse tests: a small organisation, and restanser written straight into
the core archive tables (the rule reads them; the write side is ``core.archive.services``).

    org = await make_org()
    r = await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 2))
    await write_off(r.korrespondansepart_id, date(2026, 3, 20))                      # for that recipient
    await write_off(r.korrespondansepart_id, date(2026, 3, 20), korrespondansepart=False)  # whole post (imported)
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date

from core import roles
from core.archive import ledger
from core.archive.tables import Avskrivning, Journalpost, Korrespondansepart, Saksmappe
from core.timeutil import now
from tests.support.factories import make_leader, make_person, make_unit

_case_seq = itertools.count(1)
_journal_seq = itertools.count(1)

Recipient = tuple[int, int | None]
"""(unit id, handler person id or None)."""


@dataclass(frozen=True)
class Org:
    """LMA (leader, two handlers) with sub-unit LMA-BYG (one handler); TDR (leader, handler);
    an archive person in SUV (Fellestjenesten/Arkiv)."""

    unit: int
    sub_unit: int
    other_unit: int
    archive_unit: int
    leader: int
    handler: int
    handler2: int
    sub_handler: int
    other_leader: int
    other_handler: int
    archive: int


async def make_org() -> Org:
    unit = await make_unit(code="LMA", name="Landbruk, miljø og arealforvaltning")
    sub = await make_unit(code="LMA-BYG", name="Byggesak", parent=unit)
    other = await make_unit(code="TDR", name="Teknisk drift")
    suv = await make_unit(code="SUV", name="Stab, utvikling og virksomhetsstøtte")
    leader = await make_person(name="Lene Leder", unit=unit, email="lene@kommune.example")
    handler = await make_person(name="Hanne Handler", unit=unit, email="hanne@kommune.example")
    handler2 = await make_person(name="Harald Handler", unit=unit, email="harald@kommune.example")
    sub_handler = await make_person(name="Bjørn Bygg", unit=sub, email="bjorn@kommune.example")
    other_leader = await make_person(name="Tor Teknisk", unit=other, email="tor@kommune.example")
    other_handler = await make_person(name="Trine Teknisk", unit=other, email="trine@kommune.example")
    archive = await make_person(
        name="Unni Arkiv", unit=suv, roles=(roles.ARKIV,), email="unni@kommune.example"
    )
    await make_leader(unit, leader)
    await make_leader(other, other_leader)
    return Org(
        unit, sub, other, suv, leader, handler, handler2, sub_handler, other_leader, other_handler, archive
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
        saksdato=date(2026, 1, 2),
        opprettet_dato=now(),
        tilgangsrestriksjon=tilgangsrestriksjon,
    )
    await case.save()
    return int(case.id)


@dataclass(frozen=True)
class Restanse:
    post: int
    case: int
    parts: tuple[int, ...]
    """The internal recipients (IM), the main one first."""
    copies: tuple[int, ...]
    """The copy recipients (IK)."""

    @property
    def korrespondansepart_id(self) -> int:
        return self.parts[0]


async def make_restanse(
    unit: int | None,
    handler: int | None = None,
    *,
    type: str = "I",
    journaldato: date = date(2026, 3, 2),
    status: str | None = None,
    recipients: list[Recipient] | tuple[Recipient, ...] = (),
    copy_recipients: list[Recipient] | tuple[Recipient, ...] = (),
    tittel: str = "Søknad om dispensasjon",
    offentlig_tittel: str = "",
    tilgangsrestriksjon: str = "",
    avsender: str | None = "Ola Nordmann",
    forfallsdato: date | None = None,
    foreloepig_svar: date | None = None,
    case: int | None = None,
    author: int | None = None,
    author_unit: int | None = None,
) -> Restanse:
    """A journalpost (I by default; ``type="N"`` a note, sent unless ``status`` says otherwise)
    with an internal recipient (IM) in ``unit``/``handler``, more IM ``recipients``, IK
    ``copy_recipients`` and, for I, an external sender (EA)."""
    if case is None:
        case = await make_case(unit=unit, saksansvarlig=handler)
    existing = await Journalpost.count().where(Journalpost.saksmappe == case)
    post = Journalpost(
        system_id=str(uuid.uuid4()),
        saksmappe=case,
        journalaar=journaldato.year,
        journalsekvensnummer=next(_journal_seq),
        journalpostnummer=existing + 1,
        journalposttype=type,
        journalstatus=status or ("E" if type == "N" else "J"),
        tittel=tittel,
        offentlig_tittel=offentlig_tittel,
        journaldato=journaldato,
        forfallsdato=forfallsdato,
        administrativ_enhet=author_unit if type == "N" else unit,
        saksbehandler=author if type == "N" else handler,
        tilgangsrestriksjon=tilgangsrestriksjon,
        opprettet_dato=now(),
    )
    await post.save()
    if avsender is not None and type == "I":
        await Korrespondansepart(
            journalpost=post.id, journaldato=post.journaldato, korrespondanseparttype="EA", navn=avsender
        ).save()

    async def part(kind: str, part_unit: int | None, part_handler: int | None) -> int:
        row = Korrespondansepart(
            journalpost=post.id,
            journaldato=post.journaldato,
            korrespondanseparttype=kind,
            intern=True,
            administrativ_enhet=part_unit,
            saksbehandler=part_handler,
            fordelt_dato=now() if part_handler else None,
            foreloepig_svar_dato=foreloepig_svar,
        )
        await row.save()
        return int(row.id)

    parts = [await part("IM", unit, handler)]
    for extra_unit, extra_handler in recipients:
        parts.append(await part("IM", extra_unit, extra_handler))
    copies = [await part("IK", u, h) for u, h in copy_recipients]
    await ledger.refresh_posts([int(post.id)])  # as the write side does (core.archive.ledger)
    return Restanse(int(post.id), case, tuple(parts), tuple(copies))


async def write_off(
    part_id: int,
    day: date,
    *,
    korrespondansepart: bool = True,
    maate: str = "TE",
    by: int | None = None,
) -> int:
    """An avskrivning of the recipient's journalpost dated ``day``: for that recipient, or
    (``korrespondansepart=False``, as imported write-offs may be) for the whole post."""
    row = (
        await Korrespondansepart.select(Korrespondansepart.journalpost)
        .where(Korrespondansepart.id == part_id)
        .first()
    )
    assert row is not None, f"korrespondansepart {part_id} finnes ikke"
    avskrivning = Avskrivning(
        journalpost=row["journalpost"],
        korrespondansepart=part_id if korrespondansepart else None,
        avskrivningsdato=day,
        avskrevet_av=by,
        avskrivningsmaate=maate,
        registrert=now(),
    )
    await avskrivning.save()
    await ledger.refresh_posts([row["journalpost"]])
    return int(avskrivning.id)
