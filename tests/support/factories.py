"""Small factories for organisation data, and a sign-in helper for the test client."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from core.tables import DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import now

_seq = itertools.count(1)


async def make_unit(code: str | None = None, name: str | None = None, parent: int | None = None) -> int:
    n = next(_seq)
    unit = Unit(code=code or f"U{n}", name=name or f"Enhet {n}", parent=parent, active=True)
    await unit.save()
    return int(unit.id)


async def make_person(
    name: str | None = None,
    unit: int | None = None,
    roles: tuple[str, ...] = (),
    email: str | None = None,
    active: bool = True,
) -> int:
    n = next(_seq)
    person = Person(
        name=name or f"Person {n}",
        initials=f"P{n}",
        email=email or f"p{n}@kommune.example",
        unit=unit,
        active=active,
    )
    await person.save()
    for role in roles:
        await PersonRole(person=person.id, role=role).save()
    return int(person.id)


async def make_leader(unit: int, person: int) -> None:
    await Leadership(unit=unit, person=person).save()


async def make_deputy(unit: int, leader: int, deputy: int, starts: date, ends: date) -> int:
    period = DeputyPeriod(
        unit=unit,
        leader=leader,
        deputy=deputy,
        starts=starts,
        ends=ends,
        reason="Ferie",
        created_by=leader,
        created_at=now(),
    )
    await period.save()
    return int(period.id)


async def login(client: Any, person_id: int) -> None:
    """Sign in through the dev login form (a real POST with the CSRF token)."""
    page = await client.get("/dev-logg-inn")
    assert page.status_code == 200
    response = await client.post(
        "/dev-logg-inn",
        data={"person_id": str(person_id), "neste": "/"},
        headers={"x-csrftoken": client.cookies.get("arkiv_csrf", "")},
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"


def csrf(client: Any) -> dict[str, str]:
    """Headers carrying the CSRF token, as htmx sends them."""
    return {"x-csrftoken": client.cookies.get("arkiv_csrf", "")}


# --- archive records (written directly, without the services; for read-side tests) ----------


async def make_case(
    tittel: str = "Byggesak Storgata 1",
    *,
    offentlig_tittel: str = "",
    unit: int | None = None,
    saksansvarlig: int | None = None,
    saksaar: int = 2026,
    sekvens: int | None = None,
    saksstatus: str = "B",
    tilgangsrestriksjon: str = "",
) -> int:
    """A saksmappe (case) with the given number (``saksaar/sekvens``)."""
    from core.archive.tables import Saksmappe

    n = sekvens or next(_seq)
    case = Saksmappe(
        system_id=f"test-sak-{n}-{next(_seq)}",
        saksaar=saksaar,
        sakssekvensnummer=n,
        tittel=tittel,
        offentlig_tittel=offentlig_tittel,
        saksstatus=saksstatus,
        administrativ_enhet=unit,
        saksansvarlig=saksansvarlig,
        saksdato=date(saksaar, 3, 1),
        opprettet_dato=now(),
        tilgangsrestriksjon=tilgangsrestriksjon,
    )
    await case.save()
    return int(case.id)


async def make_post(
    case: int,
    tittel: str = "Søknad om rammetillatelse",
    *,
    journalposttype: str = "I",
    journalstatus: str = "J",
    offentlig_tittel: str = "",
    nummer: int | None = None,
    unit: int | None = None,
    saksbehandler: int | None = None,
    tilgangsrestriksjon: str = "",
    journaldato: date | None = None,
) -> int:
    """A journalpost in ``case`` (``nummer`` = journalpostnummer, default the next one)."""
    from core.archive.tables import Journalpost

    if nummer is None:
        nummer = await Journalpost.count().where(Journalpost.saksmappe == case) + 1
    post = Journalpost(
        system_id=f"test-jp-{case}-{nummer}-{next(_seq)}",
        saksmappe=case,
        journalaar=2026,
        journalsekvensnummer=next(_seq),
        journalpostnummer=nummer,
        journalposttype=journalposttype,
        journalstatus=journalstatus,
        tittel=tittel,
        offentlig_tittel=offentlig_tittel,
        journaldato=journaldato or date(2026, 3, 2),
        administrativ_enhet=unit,
        saksbehandler=saksbehandler,
        tilgangsrestriksjon=tilgangsrestriksjon,
        opprettet_dato=now(),
    )
    await post.save()
    return int(post.id)


async def make_part(
    post: int,
    navn: str = "Ola Nordmann",
    *,
    korrespondanseparttype: str = "EA",
    intern: bool = False,
    unit: int | None = None,
    saksbehandler: int | None = None,
) -> int:
    """A korrespondansepart (external by default; ``intern=True`` with a unit for IM/IA)."""
    from core.archive.tables import Journalpost, Korrespondansepart

    owner = await Journalpost.select(Journalpost.journaldato).where(Journalpost.id == post).first()
    part = Korrespondansepart(
        journalpost=post,
        journaldato=owner["journaldato"] if owner else None,
        korrespondanseparttype=korrespondanseparttype,
        navn=navn,
        intern=intern,
        administrativ_enhet=unit,
        saksbehandler=saksbehandler,
    )
    await part.save()
    return int(part.id)


async def make_document(
    settings: Any,
    post: int,
    versions: list[bytes],
    *,
    tittel: str = "Søknad",
    filnavn: str = "soknad.pdf",
    format: str = "application/pdf",
    tilknyttet: str = "H",
    dokumentnummer: int = 1,
) -> tuple[int, list[int]]:
    """A dokumentbeskrivelse with one dokumentobjekt per version (files in the FileStore).
    Returns the document id and the version ids (oldest first)."""
    from core.archive.filestore import FileStore
    from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt

    doc = Dokumentbeskrivelse(
        system_id=f"test-dok-{post}-{dokumentnummer}-{next(_seq)}",
        journalpost=post,
        dokumentnummer=dokumentnummer,
        tilknyttet_registrering_som=tilknyttet,
        tittel=tittel,
        opprettet_dato=now(),
    )
    await doc.save()
    store = FileStore.from_settings(settings)
    ids = []
    for number, content in enumerate(versions, start=1):
        stored = store.put(content)
        version = Dokumentobjekt(
            system_id=f"test-obj-{doc.id}-{number}-{next(_seq)}",
            dokumentbeskrivelse=doc.id,
            versjonsnummer=number,
            format=format,
            filnavn=filnavn if number == 1 else filnavn.replace(".", f"-v{number}.", 1),
            sjekksum=stored.sjekksum,
            filstoerrelse=stored.filstoerrelse,
            opprettet_dato=now(),
        )
        await version.save()
        ids.append(int(version.id))
    return int(doc.id), ids


async def grant_code(person: int, tilgangsrestriksjon: str) -> None:
    """Give ``person`` the tilgangskode (core_tilgang)."""
    from core.archive.tables import Tilgang

    await Tilgang(person=person, tilgangsrestriksjon=tilgangsrestriksjon).save()


# --- archive services (issue 3): users and records made through core.archive.services --------


async def as_user(person_id: int) -> Any:
    """The :class:`core.auth.user.User` of an active person, as the web layer builds it (roles,
    and the units the person may act as leader for today)."""
    from core.auth.user import load_user

    user = await load_user(person_id)
    assert user is not None, f"person {person_id} is not active"
    return user


async def make_archivist(unit: int | None = None, name: str | None = None) -> int:
    """A person in Fellestjenesten/Arkiv (role ``arkiv``)."""
    from core import roles

    return await make_person(name=name, unit=unit, roles=(roles.ARKIV,))


def new_file(content: bytes = b"%PDF-1.7 innhold", filnavn: str = "brev.pdf") -> Any:
    from core.archive.services import UploadedFile

    return UploadedFile(filnavn=filnavn, content=content, format="application/pdf")


def main_document(
    content: bytes = b"%PDF-1.7 hoveddokument", tittel: str = "Brev", filnavn: str = "brev.pdf"
) -> Any:
    """A :class:`core.archive.services.NewDocument` (hoveddokument) for service calls."""
    from core.archive.services import NewDocument

    return NewDocument(tittel=tittel, file=new_file(content, filnavn), tilknyttet_registrering_som="H")
