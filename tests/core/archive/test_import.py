"""Noark 5 import (``core.archive.noark5.importer``): the three layouts, counts, matching and
creating units and people, internal recipients, avskrivninger, documents and files, numbering,
re-import, all-or-nothing refusals, ``--validate``, bounded memory and the CLI.

Everything a test reads lives in ``tests/fixtures/noark5``: the project's own fixtures (in
``eksempler/`` three written to have the traits of the public samples whose licences keep them
out of the repository: Arkade 5, KDRS and noark5-tester) and the Digdir sample (Apache-2.0).
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import gc
import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from core.archive import numbering
from core.archive.filestore import FileStore, unreferenced
from core.archive.noark5 import export_xml, import_writer, importer, read_process, schemas
from core.archive.noark5.import_directory import PLACEHOLDER_MAIL_DOMAIN
from core.archive.noark5.import_model import (
    DATE_FIELDS,
    ParsedPart,
    Warnings,
    dates_as_stored,
    sqlite_date,
    sqlite_stamp,
    to_wire,
)
from core.archive.noark5.import_values import PLACEHOLDERS
from core.archive.noark5.importer import ImportRefused, ImportSummary, import_path
from core.archive.noark5.reader import Reader
from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Nummerserie,
    Saksmappe,
)
from core.db import bind_tables, writing
from core.settings import Settings
from core.tables import AuditEvent, Person, Unit
from core.timeutil import OSLO
from tests.support.db import database_now, not_analyzed_since
from tests.support.parties import parties_without_their_posts_date

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "noark5"
EKSEMPLER = FIXTURES / "eksempler"
NS = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
RECORD_TABLES = (
    Saksmappe,
    Journalpost,
    Korrespondansepart,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Merknad,
    Unit,
    Person,
)

V5_A, V5_B = "6d1f3c2a-5b7e-4c1d-9a2b-1e0f5a6b7c01", "6d1f3c2a-5b7e-4c1d-9a2b-1e0f5a6b7c02"
V5_JP = {n: f"6d1f3c2a-5b7e-4c1d-9a2b-1e0f5a6b7c{n}" for n in (11, 12, 13, 21)}


# -- helpers ----------------------------------------------------------------------------------


async def database_state() -> dict[str, Any]:
    """Every row of the record tables, units, people and counters (to prove «unchanged»)."""
    state: dict[str, Any] = {}
    for table in RECORD_TABLES:
        state[table._meta.tablename] = await table.select().order_by(table.id)
    state["nummerserie"] = sorted(
        (r["serie"], r["aar"], r["siste"]) for r in await Nummerserie.select(Nummerserie.all_columns())
    )
    return state


async def post(system_id: str) -> dict[str, Any]:
    row = (
        await Journalpost.select(
            *Journalpost.all_columns(),
            Journalpost.administrativ_enhet.name.as_alias("enhet"),
            Journalpost.saksbehandler.name.as_alias("behandler"),
        )
        .where(Journalpost.system_id == system_id)
        .first()
    )
    assert row is not None, system_id
    return row


async def parts_of(system_id: str) -> list[dict[str, Any]]:
    return await (
        Korrespondansepart.select(
            *Korrespondansepart.all_columns(),
            Korrespondansepart.administrativ_enhet.name.as_alias("enhet"),
            Korrespondansepart.saksbehandler.name.as_alias("behandler"),
        )
        .where(Korrespondansepart.journalpost.system_id == system_id)
        .order_by(Korrespondansepart.id)
    )


async def writeoffs_of(system_id: str) -> list[dict[str, Any]]:
    return await (
        Avskrivning.select(
            *Avskrivning.all_columns(),
            Avskrivning.avskrives_av_journalpost.system_id.as_alias("svar"),
            Avskrivning.avskrevet_av.name.as_alias("av"),
        )
        .where(Avskrivning.journalpost.system_id == system_id)
        .order_by(Avskrivning.id)
    )


async def next_numbers() -> tuple[int, int]:
    """The next sak and journal numbers of 2024 (allocating them; call last)."""
    return await numbering.next_number("sak", 2024), await numbering.next_number("journal", 2024)


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """1-based line of the ``occurrence``-th line containing ``text``."""
    hits = [
        i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line
    ]
    return hits[occurrence - 1]


def generate(path: Path, cases: int, posts_per_case: int = 2, *, forward_refs: bool = False) -> None:
    """A v5.0-layout file with ``cases`` saksmapper (2025/1 …), each with I and U posts.

    Each I post is written off by the next post; with ``forward_refs`` the answer of a case's
    last I post is the first post of the *next* case (a reference forward across saksmapper).
    """

    def uid(kind: str, key: object) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"arkivrutiner-test:{kind}:{key}"))

    stamp = "2025-01-02T10:00:00Z"
    head = f"<opprettetDato>{stamp}</opprettetDato><opprettetAv>t</opprettetAv>"
    closed = f"<avsluttetDato>{stamp}</avsluttetDato><avsluttetAv>t</avsluttetAv>"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<arkiv xmlns="{NS}" ')
        fh.write('xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n')
        fh.write(f"<systemID>{uid('arkiv', 0)}</systemID><tittel>Generert</tittel>{head}{closed}\n")
        fh.write(
            "<arkivskaper><arkivskaperID>1</arkivskaperID><arkivskaperNavn>t</arkivskaperNavn></arkivskaper>\n"
        )
        fh.write(f"<arkivdel><systemID>{uid('arkivdel', 0)}</systemID><tittel>t</tittel>")
        fh.write(f"<arkivdelstatus>Aktiv periode</arkivdelstatus>{head}{closed}\n")
        seq = 0
        for c in range(1, cases + 1):
            fh.write(f'<mappe xsi:type="saksmappe"><systemID>{uid("sak", c)}</systemID>')
            fh.write(f"<mappeID>2025/{c:05d}</mappeID><tittel>Sak {c}</tittel>{head}{closed}\n")
            for p in range(1, posts_per_case + 1):
                seq += 1
                incoming = p % 2 == 1
                answer = None
                if incoming and p < posts_per_case:
                    answer = uid("jp", f"{c}-{p + 1}")
                elif incoming and forward_refs and c < cases:
                    answer = uid("jp", f"{c + 1}-1")
                writeoff = (
                    "<avskrivning><avskrivningsdato>2025-01-05</avskrivningsdato>"
                    f"<avskrevetAv>Behandler {c % 11}</avskrevetAv><avskrivningsmaate>Besvart med brev"
                    f"</avskrivningsmaate><referanseAvskrivesAvJournalpost>{answer}"
                    "</referanseAvskrivesAvJournalpost></avskrivning>"
                    if answer
                    else ""
                )
                fh.write(
                    f'<registrering xsi:type="journalpost"><systemID>{uid("jp", f"{c}-{p}")}</systemID>{head}'
                    f"<arkivertDato>{stamp}</arkivertDato><arkivertAv>t</arkivertAv>"
                    f"<dokumentbeskrivelse><systemID>{uid('dok', f'{c}-{p}')}</systemID>"
                    "<dokumenttype>Brev</dokumenttype><dokumentstatus>Dokumentet er ferdigstilt</dokumentstatus>"
                    f"<tittel>Dokument</tittel>{head}<tilknyttetRegistreringSom>Hoveddokument"
                    "</tilknyttetRegistreringSom><dokumentnummer>1</dokumentnummer>"
                    f"<tilknyttetDato>{stamp}</tilknyttetDato><tilknyttetAv>t</tilknyttetAv>"
                    f"<dokumentobjekt><systemID>{uid('obj', f'{c}-{p}')}</systemID><versjonsnummer>1</versjonsnummer>"
                    f"<variantformat>Arkivformat</variantformat><format>PDF</format>{head}"
                    f"<referanseDokumentfil>dokumenter/{c}-{p}.pdf</referanseDokumentfil><sjekksum>{'ab' * 32}"
                    "</sjekksum><sjekksumAlgoritme>SHA-256</sjekksumAlgoritme><filstoerrelse>100</filstoerrelse>"
                    "</dokumentobjekt></dokumentbeskrivelse>"
                    f"<tittel>Post {p} i sak {c}</tittel><korrespondansepart><korrespondanseparttype>"
                    f"{'Avsender' if incoming else 'Mottaker'}</korrespondanseparttype>"
                    f"<korrespondansepartNavn>Part {c}</korrespondansepartNavn></korrespondansepart>"
                    "<korrespondansepart><korrespondanseparttype>Intern mottaker</korrespondanseparttype>"
                    f"<korrespondansepartNavn>x</korrespondansepartNavn><administrativEnhet>Enhet {c % 7}"
                    f"</administrativEnhet><saksbehandler>Behandler {c % 11}</saksbehandler></korrespondansepart>"
                    f"<journalaar>2025</journalaar><journalsekvensnummer>{seq}</journalsekvensnummer>"
                    f"<journalpostnummer>{p}</journalpostnummer><journalposttype>"
                    f"{'Inngående dokument' if incoming else 'Utgående dokument'}</journalposttype>"
                    f"<journalstatus>Arkivert</journalstatus><journaldato>2025-01-02</journaldato>{writeoff}"
                    "</registrering>\n"
                )
            fh.write(
                f"<saksaar>2025</saksaar><sakssekvensnummer>{c}</sakssekvensnummer><saksdato>2025-01-02"
                f"</saksdato><administrativEnhet>Enhet {c % 7}</administrativEnhet><saksansvarlig>"
                f"Behandler {c % 11}</saksansvarlig><saksstatus>Avsluttet</saksstatus></mappe>\n"
            )
        fh.write("</arkivdel></arkiv>\n")


# -- the three layouts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("folder", "valid"), [("v3.1", ["3.1", "4.0"]), ("v4.0", ["4.0"]), ("v5.0", ["5.0"])]
)
def test_own_fixtures_validate_against_their_xsd(folder: str, valid: list[str]) -> None:
    assert schemas.valid_versions(FIXTURES / folder / "arkivstruktur.xml") == valid


@pytest.mark.parametrize(
    ("folder", "version", "cases", "posts", "documents"),
    [("v3.1", "3.1", 1, 2, 1), ("v4.0", "4.0", 2, 3, 1), ("v5.0", "5.0", 2, 4, 3)],
)
async def test_each_layout_imports_every_case_and_post(
    db: None, settings: Settings, folder: str, version: str, cases: int, posts: int, documents: int
) -> None:
    summary = await import_path(settings, FIXTURES / folder)

    assert summary.version == version
    assert (summary.saksmapper_new, summary.journalposter_new, summary.dokumenter_new) == (
        cases,
        posts,
        documents,
    )
    assert (summary.saksmapper_present, summary.journalposter_present, summary.dokumenter_present) == (
        0,
        0,
        0,
    )
    assert await Saksmappe.count() == cases
    assert await Journalpost.count() == posts
    assert await Dokumentbeskrivelse.count() == documents
    assert await parties_without_their_posts_date() == []


async def test_v5_layout_in_detail(db: None, settings: Settings) -> None:
    plb = Unit(code="PLB", name="Plan og bygg", active=True)
    await plb.save()
    kari = Person(name="Kari Nordmann", initials="KANO", email="kari@kommune.example", unit=plb.id)
    await kari.save()

    summary = await import_path(settings, FIXTURES / "v5.0")

    # Units and people: «plan og bygg» and «PLB» match the unit by name and code, «KARI NORDMANN»
    # and «KANO» the person by name and initials; the others are created (inactive), also the
    # «Arkivtjenesten» that registered records (opprettetAv).
    assert (summary.units_created, summary.people_created) == (2, 3)
    case_a = await Saksmappe.select().where(Saksmappe.system_id == V5_A).first()
    assert case_a is not None
    assert (case_a["administrativ_enhet"], case_a["saksansvarlig"]) == (plb.id, kari.id)
    assert (case_a["saksaar"], case_a["sakssekvensnummer"], case_a["saksstatus"]) == (2024, 17, "B")
    assert case_a["avsluttet_dato"] is None  # «Ikke avsluttet»: v5.0's mandatory date is no closing
    created_units = await Unit.select().where(Unit.id != plb.id).order_by(Unit.name)
    assert [(u["name"], u["code"], u["active"]) for u in created_units] == [
        ("Juridisk avdeling", "JURIDISK-AVDELING", False),
        ("Økonomi", "OKONOMI", False),
    ]
    created_people = await Person.select().where(Person.id != kari.id).order_by(Person.name)
    assert [(p["name"], p["initials"], p["active"]) for p in created_people] == [
        ("Arkivtjenesten", "A", False),
        ("Per Jurist", "PJ", False),
        ("Siri Saksbehandler", "SS", False),
    ]
    assert all(p["email"].endswith("@" + PLACEHOLDER_MAIL_DOMAIN) for p in created_people)

    case_b = await Saksmappe.select().where(Saksmappe.system_id == V5_B).first()
    assert case_b is not None
    assert case_b["saksstatus"] == "A" and case_b["avsluttet_dato"] is not None

    # JP1 (I): its internal recipient carries unit and handler, distributed; written off by JP2.
    jp1 = await post(V5_JP[11])
    assert (jp1["journalposttype"], jp1["journalstatus"], jp1["enhet"], jp1["behandler"]) == (
        "I",
        "J",
        "Plan og bygg",
        "Kari Nordmann",
    )
    assert str(jp1["forfallsdato"]) == "2024-04-04"
    sender, recipient = await parts_of(V5_JP[11])
    assert (sender["korrespondanseparttype"], sender["navn"], sender["intern"]) == ("EA", "Ola Søker", False)
    assert (sender["postadresse"], sender["postnummer"], sender["epostadresse"]) == (
        "Fjellveien 3",
        "9990",
        "ola.soker@example.no",
    )
    assert (
        recipient["korrespondanseparttype"],
        recipient["intern"],
        recipient["enhet"],
        recipient["behandler"],
    ) == (
        "IM",
        True,
        "Plan og bygg",
        "Kari Nordmann",
    )
    assert recipient["fordelt_dato"] is not None
    (writeoff,) = await writeoffs_of(V5_JP[11])
    assert (
        writeoff["avskrivningsmaate"],
        writeoff["svar"],
        writeoff["av"],
        writeoff["avskrevet_av_navn"],
    ) == (
        "BU",
        V5_JP[12],
        "Kari Nordmann",
        "Kari Nordmann",
    )
    assert writeoff["korrespondansepart"] == recipient["id"]

    # JP2 (U): its author is the internal sender.
    jp2 = await post(V5_JP[12])
    assert (jp2["journalstatus"], jp2["enhet"], jp2["behandler"]) == ("E", "Plan og bygg", "Kari Nordmann")
    assert [(p["korrespondanseparttype"], p["intern"]) for p in await parts_of(V5_JP[12])] == [
        ("EM", False),
        ("IA", True),
    ]

    # JP3 (N, restricted): a created unit and handler.
    jp3 = await post(V5_JP[13])
    assert (jp3["tilgangsrestriksjon"], jp3["skjermingshjemmel"], jp3["offentlig_tittel"]) == (
        "5",
        "Offl. § 5",
        "Notat til juridisk avdeling om *****",
    )
    (to_legal,) = await parts_of(V5_JP[13])
    assert (to_legal["navn"], to_legal["enhet"], to_legal["behandler"], to_legal["intern"]) == (
        "Juridisk avdeling",
        "Juridisk avdeling",
        "Per Jurist",
        True,
    )
    assert await writeoffs_of(V5_JP[13]) == []  # still a restanse

    # JP4 (I) has only an external sender: the internal recipient comes from the case.
    assert summary.interne_mottakere_fra_saken == 1
    external, fallback = await parts_of(V5_JP[21])
    assert external["postadresse"] == "Strandgata 10, Leilighet H0201"
    assert (
        fallback["korrespondanseparttype"],
        fallback["intern"],
        fallback["enhet"],
        fallback["behandler"],
    ) == (
        "IM",
        True,
        "Økonomi",
        "Siri Saksbehandler",
    )
    (writeoff,) = await writeoffs_of(V5_JP[21])
    assert (writeoff["korrespondansepart"], writeoff["avskrivningsmaate"], writeoff["av"]) == (
        fallback["id"],
        "TO",
        "Siri Saksbehandler",
    )

    # Remarks, with their author matched (case A) or created (case B's post).
    notes = await Merknad.select(Merknad.merknadstekst, Merknad.registrert_av.name.as_alias("av")).order_by(
        Merknad.id
    )
    assert [(n["merknadstekst"][:9], n["av"]) for n in notes] == [
        ("Nabovarse", "Kari Nordmann"),
        ("Klagen er", "Siri Saksbehandler"),
    ]

    # Documents: the file next to the XML is stored and checked; the others are metadata only.
    documents = await Dokumentobjekt.select(
        Dokumentobjekt.filnavn,
        Dokumentobjekt.sjekksum,
        Dokumentobjekt.filstoerrelse,
        Dokumentobjekt.variantformat,
        Dokumentobjekt.format,
        Dokumentobjekt.dokumentbeskrivelse.tilknyttet_registrering_som.as_alias("som"),
    ).order_by(Dokumentobjekt.id)
    soknad = (FIXTURES / "v5.0" / "dokumenter" / "soknad.pdf").read_bytes()
    store = FileStore.from_settings(settings)
    assert documents[0]["filnavn"] == "soknad.pdf"
    assert store.read(documents[0]["sjekksum"]) == soknad
    assert (documents[0]["filstoerrelse"], documents[0]["variantformat"], documents[0]["som"]) == (
        89,
        "A",
        "H",
    )
    assert (documents[1]["filnavn"], documents[1]["filstoerrelse"], documents[1]["som"]) == (
        "situasjonsplan.pdf",
        2048,
        "V",
    )
    assert documents[2]["variantformat"] == "P"
    assert summary.files_stored == 1

    # Numbering continues above the imported numbers.
    serie_a = numbering.journalpost_serie(case_a["id"])
    assert await numbering.next_number(serie_a, 0) == 4
    assert await next_numbers() == (19, 456)


async def test_v4_layout_in_detail(db: None, settings: Settings) -> None:
    summary = await import_path(settings, FIXTURES / "v4.0")

    assert summary.version == "4.0"
    # Non-UUID systemIDs are kept as they are; v4.0 dokumentobjekt get a derived one.
    case = await Saksmappe.select().where(Saksmappe.system_id == "ephorte-sak-2019-44").first()
    assert case is not None and (case["saksaar"], case["sakssekvensnummer"]) == (2019, 44)
    version = await Dokumentobjekt.select(Dokumentobjekt.system_id, Dokumentobjekt.filnavn).first()
    assert version is not None and version["filnavn"] == "301-1.pdf"
    assert uuid.UUID(version["system_id"])
    # «Kultur»/«KULTUR» and «Guri Leder»/«guri leder» are one unit and one person each.
    assert sorted(u["name"] for u in await Unit.select(Unit.name)) == ["HR", "Kultur"]
    assert sorted(p["name"] for p in await Person.select(Person.name)) == [
        "Arkivtjenesten",
        "Guri Leder",
        "Tone Rådgiver",
    ]

    # A case numbered only by mappeID; a post numbered only by registreringsID, its journal
    # sequence number allocated above the file's highest.
    case45 = await Saksmappe.select().where(Saksmappe.system_id == "ephorte-sak-2019-45").first()
    assert case45 is not None and (case45["saksaar"], case45["sakssekvensnummer"]) == (2019, 45)
    jp = await post("ephorte-jp-2019-x17")
    assert (jp["journalpostnummer"], jp["journalaar"], jp["journalsekvensnummer"]) == (1, 2019, 303)
    assert str(jp["sendt_dato"].date()) in ("2019-06-09", "2019-06-10")  # midnight Oslo, stored as UTC

    # The «Mottaker» with unit and handler is the internal recipient (Digdir style); the
    # «Intern kopimottaker» is internal too, but not who the post is written off for.
    parts = await parts_of("ephorte-jp-2019-301")
    assert [(p["korrespondanseparttype"], p["intern"], p["enhet"], p["behandler"]) for p in parts] == [
        ("EA", False, None, None),
        ("IM", True, "Kultur", "Guri Leder"),
        ("IK", True, "HR", None),
    ]
    jp1 = await post("ephorte-jp-2019-301")
    assert (jp1["enhet"], jp1["behandler"], str(jp1["mottatt_dato"].date())) == (
        "Kultur",
        "Guri Leder",
        "2019-04-30",
    )
    (writeoff,) = await writeoffs_of("ephorte-jp-2019-301")
    assert (writeoff["avskrivningsmaate"], writeoff["svar"], writeoff["korrespondansepart"]) == (
        "BN",
        "ephorte-jp-2019-302",
        parts[1]["id"],
    )
    # The N post: written by its internal sender, to its internal recipient.
    assert [
        (p["korrespondanseparttype"], p["navn"], p["behandler"])
        for p in await parts_of("ephorte-jp-2019-302")
    ] == [
        ("IA", "Guri Leder", "Guri Leder"),
        ("IM", "Tone Rådgiver", "Tone Rådgiver"),
    ]
    jp2 = await post("ephorte-jp-2019-302")
    assert (jp2["enhet"], jp2["behandler"], jp2["opprettet_av"]) == (
        "Kultur",
        "Guri Leder",
        jp1["saksbehandler"],
    )


async def test_v3_layout_skips_registreringer_that_are_not_journalposts(db: None, settings: Settings) -> None:
    path = FIXTURES / "v3.1" / "arkivstruktur.xml"

    summary = await import_path(settings, path)

    assert summary.skipped == 1
    line = line_of(path, 'registrering xsi:type="basisregistrering"')
    assert summary.warnings == [
        f"Linje {line}: <basisregistrering> er ikke en journalpost og ble ikke importert."
    ]
    (writeoff,) = await writeoffs_of("a7d0c5e2-1111-4aaa-8bbb-000000000011")
    assert (writeoff["svar"], writeoff["av"]) == ("a7d0c5e2-1111-4aaa-8bbb-000000000012", "Ola Tekniker")


# -- re-import, numbering clashes, audit -------------------------------------------------------


async def test_reimport_changes_nothing(db: None, settings: Settings) -> None:
    await import_path(settings, FIXTURES / "v5.0")
    await import_path(settings, FIXTURES / "v4.0")
    before = await database_state()

    again = await import_path(settings, FIXTURES / "v5.0")

    assert await database_state() == before
    assert (again.saksmapper_new, again.journalposter_new, again.dokumenter_new) == (0, 0, 0)
    assert (again.saksmapper_present, again.journalposter_present, again.dokumenter_present) == (2, 4, 3)
    assert (again.units_created, again.people_created, again.korrespondanseparter_new) == (0, 0, 0)
    again4 = await import_path(settings, FIXTURES / "v4.0")
    assert (again4.saksmapper_present, again4.journalposter_present, again4.dokumenter_present) == (2, 3, 1)
    assert await database_state() == before


async def test_each_import_is_audited(db: None, settings: Settings) -> None:
    await import_path(settings, FIXTURES / "v5.0")
    await import_path(settings, FIXTURES / "v5.0")

    events = await AuditEvent.select().where(AuditEvent.action == "archive.imported").order_by(AuditEvent.id)
    assert [(e["actor"], e["object_type"], e["object_id"]) for e in events] == [
        (None, "import", "v5.0/arkivstruktur.xml"),
        (None, "import", "v5.0/arkivstruktur.xml"),
    ]
    details = [json.loads(e["details"]) if isinstance(e["details"], str) else e["details"] for e in events]
    assert (details[0]["saksmapper_new"], details[0]["journalposter_new"], details[0]["version"]) == (
        2,
        4,
        "5.0",
    )
    assert (details[1]["saksmapper_new"], details[1]["saksmapper_present"]) == (0, 2)
    assert "2 nye saksmapper" in events[0]["summary"]


async def test_taken_numbers_are_renumbered_with_a_warning(db: None, settings: Settings) -> None:
    other = Saksmappe(
        system_id="annen-sak",
        saksaar=2024,
        sakssekvensnummer=17,
        tittel="En annen sak",
        saksdato=date(2024, 1, 1),
        opprettet_dato=datetime(2024, 1, 1, tzinfo=UTC),
    )
    await other.save()

    summary = await import_path(settings, FIXTURES / "v5.0")

    case_a = await Saksmappe.select().where(Saksmappe.system_id == V5_A).first()
    assert case_a is not None and case_a["sakssekvensnummer"] == 19  # above the file's 18
    path = FIXTURES / "v5.0" / "arkivstruktur.xml"
    line = line_of(path, V5_A)
    assert any(
        w.startswith(f"Linje {line - 1}: <saksmappe> har saksnummer 2024/00017, som alt er brukt")
        for w in summary.warnings
    ), summary.warnings


# -- all or nothing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "mangler_journalposttype.xml",
            lambda p: f"Linje {line_of(p, '<registrering', 2)}: <journalpost> mangler <journalposttype>.",
        ),
        (
            "ukjent_journalposttype.xml",
            lambda p: (
                f"Linje {line_of(p, 'Innkommende brev')}: <journalpost> har ukjent <journalposttype> «Innkommende brev»."
            ),
        ),
        (
            "avkuttet.xml",
            lambda p: (
                f"Linje {len(p.read_text().splitlines())}: filen er ikke gyldig XML inne i <journalpost> fra "
                f"linje {line_of(p, '<registrering', 2)} – den er avkuttet eller skadet"
            ),
        ),
        ("ikke_xml.xml", lambda p: "Linje 1: filen er ikke XML"),
    ],
)
async def test_a_malformed_file_is_refused_and_nothing_is_imported(
    db: None, settings: Settings, name: str, expected: Any
) -> None:
    await import_path(settings, FIXTURES / "v3.1")
    before = await database_state()
    audit_before = await AuditEvent.count()
    path = FIXTURES / "feil" / name

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, path)

    assert str(refused.value).startswith(expected(path)), str(refused.value)
    assert await database_state() == before
    assert await AuditEvent.count() == audit_before


async def test_a_checksum_mismatch_refuses_the_file(db: None, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "uttrekk"
    shutil.copytree(FIXTURES / "v5.0", folder)
    (folder / "dokumenter" / "soknad.pdf").write_bytes(b"%PDF-1.4 endret innhold\n")
    path = folder / "arkivstruktur.xml"

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, folder)

    message = str(refused.value)
    assert message.startswith(
        f"Linje {line_of(path, '<sjekksum>C7E46F')}: <dokumentobjekt> har <sjekksum> c7e46f"
    ), message
    assert "dokumenter/soknad.pdf" in message
    assert await Saksmappe.count() == 0


async def test_wrong_root_and_missing_file_are_refused(db: None, settings: Settings, tmp_path: Path) -> None:
    other = tmp_path / "annet.xml"
    other.write_text('<?xml version="1.0"?>\n<arkivuttrekk xmlns="urn:x"><a/></arkivuttrekk>\n')
    with pytest.raises(ImportRefused, match=r"^Linje 2: rotelementet er <arkivuttrekk> i navnerommet urn:x"):
        await import_path(settings, other)
    with pytest.raises(ImportRefused, match=r"Fant ikke arkivstruktur\.xml i mappen"):
        await import_path(settings, tmp_path)
    empty = tmp_path / "tom.xml"
    empty.write_bytes(b"")
    with pytest.raises(ImportRefused, match=r"^Linje 1: filen er tom, ikke XML\."):
        await import_path(settings, empty)
    space = tmp_path / "blank.xml"
    space.write_text("\n\n")
    with pytest.raises(ImportRefused, match=r"^Linje 3: filen er ikke XML"):
        await import_path(settings, space)


async def test_deviations_are_imported_with_a_warning_each(db: None, settings: Settings) -> None:
    path = FIXTURES / "feil" / "advarsler.xml"

    summary = await import_path(settings, path)

    text = "\n".join(summary.warnings)
    for expected in (
        f"Linje {line_of(path, '<saksstatus>')}: <saksmappe> har ukjent <saksstatus> «Opprettet»; brukte «Under behandling».",
        f"Linje {line_of(path, '<saksdato>')}: <saksmappe> har <saksdato> «2023-03-01T00:00:00+01:00» med klokkeslett",
        f"Linje {line_of(path, '<journaldato>2023-03-01T')}: <journalpost> har <journaldato>",
        f"Linje {line_of(path, 'Ordrebekreftelser')}: <dokumentbeskrivelse> har ukjent <dokumenttype> «Ordrebekreftelser»",
        f"Linje {line_of(path, '12 kB')}: <dokumentobjekt> har <filstoerrelse> «12 kB», ikke et antall byte; lagret som 12000.",
        f"Linje {line_of(path, 'Unntatt offentlighet')}: <skjerming> har ukjent <tilgangsrestriksjon> «Unntatt offentlighet»",
        f"Linje {line_of(path, '>Saksbehandler<')}: <korrespondansepart> har ukjent <korrespondanseparttype> «Saksbehandler»",
        f"Linje {line_of(path, '>***<')}: <avskrivning> med <avskrivningsmaate> «***» er et foreløpig svar",
        f"Linje {line_of(path, '0000000000ff')}: <referanseAvskrivesAvJournalpost> «0c8d2b00-0000-4000-8000-0000000000ff» finnes verken",
        f"Linje {line_of(path, '>Avskrevet<')}: <avskrivning> ble ikke importert: <avskrivningsmaate> «Avskrevet» er ukjent",
        f"Linje {line_of(path, 'moetemappe')}: <moetemappe> er ikke en saksmappe og ble ikke importert",
        f"Linje {line_of(path, '<registrering', 4)}: <journalpost> ligger ikke i en saksmappe og ble ikke importert.",
    ):
        assert expected in text, f"{expected}\nnot in:\n{text}"
    assert summary.skipped == 2
    case = await Saksmappe.select().first()
    assert case is not None and (case["saksstatus"], case["tilgangsrestriksjon"]) == ("B", "XX")

    first = "0c8d2b00-0000-4000-8000-000000000011"
    assert await writeoffs_of(first) == []  # «***» keeps the restanse …
    internal = [p for p in await parts_of(first) if p["intern"]]
    assert [(p["korrespondanseparttype"], str(p["foreloepig_svar_dato"])) for p in internal] == [
        ("IM", "2023-03-10")
    ]
    (answered,) = await writeoffs_of("0c8d2b00-0000-4000-8000-000000000012")
    assert (answered["avskrivningsmaate"], answered["svar"]) == ("BU", None)  # a vendor name; answer unknown
    assert await writeoffs_of("0c8d2b00-0000-4000-8000-000000000013") == []
    assert (await post("0c8d2b00-0000-4000-8000-000000000013"))["journalstatus"] == "G"


async def test_the_digdir_sample(db: None, settings: Settings) -> None:
    path = FIXTURES / "digdir_einnsyn_noark5_basiseksempel.xml"

    summary = await import_path(settings, path)

    assert (summary.version, summary.saksmapper_new, summary.journalposter_new, summary.dokumenter_new) == (
        "3.1",
        1,
        1,
        2,
    )
    jp = "bc7d4f0f-00d9-44ee-8fbd-7980f2d582a8"
    parts = await parts_of(jp)
    assert [
        (p["korrespondanseparttype"], p["navn"], p["intern"], p["enhet"], p["behandler"]) for p in parts
    ] == [
        ("EA", "Ola Normann", False, None, None),
        ("IM", "Digdir", True, "FSU", "Fiktiv Etternavntest"),
    ]
    (writeoff,) = await writeoffs_of(jp)
    assert (writeoff["avskrivningsmaate"], writeoff["avskrevet_av_navn"], writeoff["korrespondansepart"]) == (
        "BU",
        "Administrator",
        parts[1]["id"],
    )
    assert writeoff["svar"] is None
    assert any(
        "4a80103c-b9b8-464a-aca2-65f7011f3de4» finnes verken i filen eller i arkivet" in w
        for w in summary.warnings
    )
    versions = await Dokumentobjekt.select(Dokumentobjekt.sjekksum, Dokumentobjekt.filnavn).order_by(
        Dokumentobjekt.id
    )
    assert [v["filnavn"] for v in versions] == ["991380_1_1.PDF", "991381_1_1.PDF"]
    assert versions[0]["sjekksum"] == "a12d4575a3b5965d0c03c6bd4d84c1d09931cb778f61bac775faa59fe65b207d"


# -- --validate ---------------------------------------------------------------------------------


async def test_validate_reports_the_schemas_and_refuses_an_invalid_file(db: None, settings: Settings) -> None:
    v5 = await import_path(settings, FIXTURES / "v5.0", validate=True)
    v3 = await import_path(settings, FIXTURES / "v3.1", validate=True)
    assert (v5.version, v5.valid_versions, v3.version, v3.valid_versions) == (
        "5.0",
        ["5.0"],
        "3.1",
        ["3.1", "4.0"],
    )
    assert "Versjon: Noark 5 v3.1 (validerer mot v3.1, v4.0)" in v3.lines()
    before = await database_state()

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, FIXTURES / "feil" / "advarsler.xml", validate=True)

    assert str(refused.value).startswith("Filen validerer ikke mot Noark 5 v3.1, v4.0 eller v5.0. Feil mot v")
    assert "linje " in str(refused.value)
    assert await database_state() == before
    # Without --validate the same file imports (with warnings).
    assert (await import_path(settings, FIXTURES / "feil" / "advarsler.xml")).saksmapper_new == 1


# -- large files ----------------------------------------------------------------------------------


def test_reading_holds_one_saksmappe_at_a_time(tmp_path: Path) -> None:
    """The tree never holds more than a parser chunk's worth of elements, and the reader's own
    Python objects do not grow, however many saksmapper the file has."""
    results = []
    for cases in (100, 2_000):
        path = tmp_path / f"stor-{cases}.xml"
        generate(path, cases)
        reader = Reader(path, Warnings(), measure=True)
        count = sum(1 for _case in reader.cases())
        gc.collect()
        results.append((count, reader.stats.max_live, len(gc.get_objects())))
    (small, small_live, small_objects), (large, large_live, large_objects) = results
    assert (small, large) == (100, 2_000)
    assert large_live <= max(small_live, 1_500), (small_live, large_live)
    assert large_objects - small_objects < 2_000, (small_objects, large_objects)


async def test_answers_later_in_the_file_are_linked_across_batches(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 5, posts_per_case=3, forward_refs=True)

    summary = await import_path(settings, path)

    assert (summary.saksmapper_new, summary.journalposter_new, summary.avskrivninger_new) == (5, 15, 9)
    assert not [w for w in summary.warnings if "referanseAvskrivesAvJournalpost" in w], summary.warnings
    linked = await Avskrivning.count().where(Avskrivning.avskrives_av_journalpost.is_not_null())
    assert linked == 9
    assert (summary.units_created, summary.people_created) == (5, 6)  # and «t», who registered them
    again = await import_path(settings, path)
    assert (again.saksmapper_present, again.journalposter_present, again.avskrivninger_new) == (5, 15, 0)


async def test_an_extraction_without_files_resolves_no_file_paths(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 3, posts_per_case=2)  # every version references dokumenter/…, which is absent
    resolved: list[Path] = []
    resolve = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self)
        return resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    # The import reads in a process of its own, where this patch does not reach: the reader
    # is asked here, then the import checked for the same documents.
    cases = list(Reader(path, Warnings(), store=FileStore(tmp_path / "lager")).cases())
    monkeypatch.undo()
    summary = await import_path(settings, path)

    assert sum(len(d.versions) for c in cases for p in c.posts for d in p.documents) == 6
    assert [p for p in resolved if "dokumenter" in p.parts] == []
    assert summary.journalposter_new == 6
    assert await Dokumentobjekt.count() == 6


async def test_an_import_interrupted_after_a_written_batch_leaves_nothing(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 5, posts_per_case=3)
    write = importer.Writer.write
    batches: list[int] = []

    async def interrupted(self: Any, cases: list[Any]) -> None:
        await write(self, cases)
        batches.append(len(cases))
        if len(batches) == 2:  # Ctrl-C after two batches are in the database
            raise KeyboardInterrupt

    monkeypatch.setattr(importer.Writer, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        await import_path(settings, path)

    assert batches == [2, 2]
    assert await Saksmappe.count() == 0
    assert await Journalpost.count() == 0
    assert await AuditEvent.count().where(AuditEvent.action == "archive.imported") == 0


async def test_a_refusal_late_in_the_file_rolls_back_the_batches_already_written(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import reads the file once, inside its transaction: batches are in the database
    before the end of the file is read, and a refusal there rolls all of them back (records,
    units, people, counters, audit)."""
    await import_path(settings, FIXTURES / "v3.1")
    before = await database_state()
    audit_before = await AuditEvent.count()
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 7, posts_per_case=2)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex("<journalposttype>")  # the file's last journalpost loses its type
    path.write_text(text[:cut] + text[text.index("</journalposttype>", cut) + 18 :], encoding="utf-8")
    write = importer.Writer.write
    batches: list[int] = []

    async def counting(self: Any, cases: list[Any]) -> None:
        await write(self, cases)
        batches.append(len(cases))

    monkeypatch.setattr(importer.Writer, "write", counting)
    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, path)

    assert batches == [2, 2, 2]  # six of the seven cases had been written
    assert (
        str(refused.value)
        == f"Linje {line_of(path, '<registrering', 14)}: <journalpost> mangler <journalposttype>."
    )
    assert await database_state() == before
    assert await AuditEvent.count() == audit_before


async def test_a_refused_import_leaves_its_stored_files_unreferenced_for_the_purge(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Document files are stored as their saksmappe is read; when the file is refused later,
    no row references them, so ``core.purge_files`` removes them after its grace period."""
    folder = tmp_path / "uttrekk"
    shutil.copytree(FIXTURES / "v5.0", folder)
    path = folder / "arkivstruktur.xml"
    text = path.read_text(encoding="utf-8")
    cut = text.rindex("<journalposttype>")  # in the second saksmappe; the file is in the first
    path.write_text(text[:cut] + text[text.index("</journalposttype>", cut) + 18 :], encoding="utf-8")
    store = FileStore(tmp_path / "lager")
    monkeypatch.setattr(FileStore, "from_settings", classmethod(lambda cls, _settings: store))
    monkeypatch.setattr(importer, "BATCH_CASES", 1)

    with pytest.raises(ImportRefused, match="mangler <journalposttype>"):
        await import_path(settings, folder)

    sjekksum = hashlib.sha256((folder / "dokumenter" / "soknad.pdf").read_bytes()).hexdigest()
    assert [s for s, _path in store.files()] == [sjekksum]
    assert await Dokumentobjekt.count() == 0
    assert [p for p, _size in unreferenced(store, set(), time.time() + 1)] == [store.path(sjekksum)]


async def test_numbers_allocated_early_in_the_file_stay_clear_of_later_numbers(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record without a number is written before the rest of the file is read; its number
    is allocated at the end, above the file's numbers, so no later record loses its own."""
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 5, posts_per_case=2)  # cases 2025/1-5, journal numbers 2025/1-10
    text = path.read_text(encoding="utf-8")
    text = text.replace("<mappeID>2025/00001</mappeID>", "<mappeID>A</mappeID>", 1)
    text = text.replace("<sakssekvensnummer>1</sakssekvensnummer>", "", 1)
    text = text.replace("<journalsekvensnummer>1</journalsekvensnummer>", "", 1)
    path.write_text(text, encoding="utf-8")
    first_case = str(uuid.uuid5(uuid.NAMESPACE_URL, "arkivrutiner-test:sak:1"))
    first_post = str(uuid.uuid5(uuid.NAMESPACE_URL, "arkivrutiner-test:jp:1-1"))

    summary = await import_path(settings, path)

    case = await Saksmappe.select().where(Saksmappe.system_id == first_case).first()
    assert case is not None and (case["saksaar"], case["sakssekvensnummer"]) == (2025, 6)
    numbered = await post(first_post)
    assert (numbered["journalaar"], numbered["journalsekvensnummer"]) == (2025, 11)
    assert sorted(c["sakssekvensnummer"] for c in await Saksmappe.select()) == [2, 3, 4, 5, 6]
    assert sorted(p["journalsekvensnummer"] for p in await Journalpost.select()) == list(range(2, 12))
    assert any("saken får neste ledige nummer i 2025" in w for w in summary.warnings), summary.warnings
    assert not any("som alt er brukt" in w for w in summary.warnings), summary.warnings
    assert await numbering.next_number("sak", 2025) == 7
    assert await numbering.next_number("journal", 2025) == 12


class RecordedReadProcess(read_process.ReadProcess):
    """The import's reader process, remembered for the test."""

    started: ClassVar[list[RecordedReadProcess]] = []

    async def __aenter__(self) -> RecordedReadProcess:
        await super().__aenter__()
        RecordedReadProcess.started.append(self)
        return self


def stopped(process: Any) -> bool:
    """The reader's process has ended and been waited for (no zombie, nothing running)."""
    if process is None or process.returncode is None:
        return False
    try:
        os.kill(process.pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_the_reader_process_runs_this_code_whatever_the_working_directory_holds(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import started in a folder that holds another ``core`` package (another checkout)
    reads the file with its own reader: the child process does not put the working directory
    first on its path."""
    other = tmp_path / "other_checkout"
    (other / "core").mkdir(parents=True)
    (other / "core" / "__init__.py").write_text('raise ImportError("another checkout\'s core")\n')
    monkeypatch.chdir(other)

    summary = await import_path(settings, FIXTURES / "v5.0" / "arkivstruktur.xml")

    assert summary.journalposter_new > 0
    assert await Journalpost.count() == summary.journalposter_new


async def test_the_reader_runs_in_a_process_of_its_own_and_stops_with_the_import(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing runs beside the writer in a child process; it ends with the import, also when
    the import stops early (Ctrl-C while writing), and it ignores Ctrl-C itself."""
    monkeypatch.setattr(importer, "ReadProcess", RecordedReadProcess)
    monkeypatch.setattr(RecordedReadProcess, "started", [])
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    monkeypatch.setattr(read_process, "PIPE_LIMIT", 1024)  # the child waits on a full pipe
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 400, posts_per_case=2)

    write = importer.Writer.write
    alive: list[bool] = []

    async def interrupted(self: Any, cases: list[Any]) -> None:
        await write(self, cases)
        child = RecordedReadProcess.started[-1]._process
        assert child is not None and child.pid != os.getpid()
        os.kill(child.pid, signal.SIGINT)  # what Ctrl-C in a terminal may send it too
        await asyncio.sleep(0.05)
        alive.append(child.returncode is None)
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(importer.Writer, "write", interrupted)
        with pytest.raises(KeyboardInterrupt):
            await import_path(settings, path)
    assert alive == [True]  # Ctrl-C is the parent's to handle
    assert stopped(RecordedReadProcess.started[-1]._process)
    assert await Saksmappe.count() == 0

    summary = await import_path(settings, path)
    done = RecordedReadProcess.started[-1]._process
    assert done is not None and done.returncode == 0 and stopped(done)
    assert (summary.saksmapper_new, summary.journalposter_new) == (400, 800)


async def test_a_reader_that_has_sent_everything_ends_with_its_own_status(tmp_path: Path) -> None:
    """When the import closes the reader after its last frame, a child still shutting down (its
    interpreter's exit, slow on a loaded machine) is let end by itself: killed at once it ended
    with -9 instead of 0 (seen in CI). Here the child closes its pipe and takes half a second to
    exit."""
    reader = read_process.ReadProcess(
        tmp_path / "arkivstruktur.xml", read_process.Warnings(), store=None, batch_cases=1, batch_posts=1
    )
    reader._process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import os, time; os.close(1); time.sleep(0.5)",
        stdout=asyncio.subprocess.PIPE,
    )
    reader._pump = asyncio.create_task(reader._read_frames())
    assert await reader._frames.get() is None  # the end of the pipe: everything was sent
    await reader.close()
    assert reader._process.returncode == 0


async def test_a_refusal_in_the_reader_process_names_its_line_and_stops_it(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ReadProcess", RecordedReadProcess)
    monkeypatch.setattr(RecordedReadProcess, "started", [])
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 3, posts_per_case=2)
    text = path.read_text(encoding="utf-8")
    cut = text.rindex("<journalposttype>")  # the file's last journalpost loses its type
    path.write_text(text[:cut] + text[text.index("</journalposttype>", cut) + 18 :], encoding="utf-8")

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, path)
    assert str(refused.value) == (
        f"Linje {line_of(path, '<registrering', 6)}: <journalpost> mangler <journalposttype>."
    )
    assert stopped(RecordedReadProcess.started[-1]._process)
    assert await Saksmappe.count() == 0


async def test_a_reader_process_that_dies_fails_the_import_and_leaves_nothing(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    monkeypatch.setattr(read_process, "PIPE_LIMIT", 1024)  # the child waits on a full pipe
    monkeypatch.setattr(importer, "ReadProcess", RecordedReadProcess)
    monkeypatch.setattr(RecordedReadProcess, "started", [])
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 400, posts_per_case=2)
    write = importer.Writer.write

    async def killing(self: Any, cases: list[Any]) -> None:
        await write(self, cases)
        child = RecordedReadProcess.started[-1]._process
        if child is not None and child.returncode is None:
            child.kill()  # the reader dies (out of memory, killed by someone)

    monkeypatch.setattr(importer.Writer, "write", killing)
    with pytest.raises(RuntimeError, match="Leseprosessen for uttrekket stoppet uventet"):
        await import_path(settings, path)
    assert await Saksmappe.count() == 0


def test_the_first_batches_are_smaller_so_the_writer_starts_sooner(tmp_path: Path) -> None:
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 2000, posts_per_case=1)
    reader = Reader(path, Warnings())

    sizes = [len(batch) for batch in read_process.batches(reader, 800, 100_000)]

    assert sizes == [100, 200, 400, 800, 500]  # an eighth, a quarter, a half, then full ones
    assert [len(b) for b in read_process.batches(Reader(path, Warnings()), 2, 4)][:3] == [2, 2, 2]


def test_for_sqlite_the_reader_sends_dates_as_the_text_sqlite_stores() -> None:
    """On SQLite the reader process hands the writer each date and timestamp as the text
    Piccolo's adapters would have bound (so the stored rows are the same), and a dokumentflyt
    step keeps the fingerprint of its parsed times (its derived key)."""
    from piccolo.engine.sqlite import convert_date_in, convert_datetime_in

    cases = list(Reader(FIXTURES / "dokumentflyt" / "v5.0.xml", Warnings()).cases())
    parsed = copy.deepcopy(cases)
    records = [(c, p) for c, p in zip(cases, parsed, strict=True)]
    dates_as_stored(parsed, convert_date_in, convert_datetime_in)

    def pairs(before: Any, after: Any) -> list[tuple[Any, Any]]:
        found = []
        for name in DATE_FIELDS[type(before)]:
            found.append((getattr(before, name), getattr(after, name)))
        return found

    seen: list[tuple[Any, Any]] = []
    flows = 0
    for case, after in records:
        seen += pairs(case, after)
        for post, post_after in zip(case.posts, after.posts, strict=True):
            seen += pairs(post, post_after)
            for flow, flow_after in zip(post.flows, post_after.flows, strict=True):
                seen += pairs(flow, flow_after)
                assert flow_after.fingerprint == flow.fingerprint
                assert flow.flyt_mottatt_dato.isoformat() in flow.fingerprint
                flows += 1
            for document, document_after in zip(post.documents, post_after.documents, strict=True):
                seen += pairs(document, document_after)
    assert flows and any(isinstance(value, datetime) for value, _text in seen)
    assert any(type(value) is date for value, _text in seen)
    for value, text in seen:
        if value is None:
            assert text is None
        elif isinstance(value, datetime):
            assert text == convert_datetime_in(value) and text.endswith("+00:00")
        else:
            assert text == convert_date_in(value) == value.isoformat()


async def test_the_bulk_insert_reads_rows_with_other_keys_one_by_one(db: None) -> None:
    """``import_writer.insert`` picks the values of rows built alike with one itemgetter; rows
    with other keys (as many as the first row's, fewer or more) still get their own values and
    the defaults of the columns they leave out; an unknown column is refused."""
    async with writing(Nummerserie):
        ids = await import_writer.insert(
            Nummerserie,
            [
                {"serie": "alike", "aar": 1, "siste": 5},
                {"serie": "alike", "aar": 2, "siste": 6},
            ],
        )
        other = await import_writer.insert(
            Nummerserie,
            [
                {"serie": "same-length", "aar": 3},
                {"serie": "same-length", "siste": 7},
                {"aar": 4},
            ],
        )
        more = await import_writer.insert(
            Nummerserie, [{"serie": "more", "aar": 5}, {"serie": "more", "aar": 6, "siste": 8}]
        )
        with pytest.raises(ValueError, match="has no column nope"):
            await import_writer.insert(Nummerserie, [{"serie": "x", "aar": 5}, {"serie": "x", "nope": 1}])
    rows = await Nummerserie.select(
        Nummerserie.id, Nummerserie.serie, Nummerserie.aar, Nummerserie.siste
    ).order_by(Nummerserie.id)
    assert [r["id"] for r in rows] == [*ids, *other, *more]
    assert [(r["serie"], r["aar"], r["siste"]) for r in rows] == [
        ("alike", 1, 5),
        ("alike", 2, 6),
        ("same-length", 3, 0),
        ("same-length", 0, 7),
        ("", 4, 0),
        ("more", 5, 0),
        ("more", 6, 8),
    ]


def _readable_fixtures() -> list[Path]:
    """Every fixture the reader reads to the end (the refused ones stop at their fault)."""
    found = []
    for path in sorted(FIXTURES.rglob("*.xml")):
        try:
            list(Reader(path, Warnings()).cases())
        except ImportRefused:
            continue
        found.append(path)
    return found


def _same_record(parsed: Any, wire: Any, where: str) -> int:
    """Compare a parsed dataclass with its wire record field by field (recursively); the
    number of records compared."""
    assert type(wire).__name__ == f"{type(parsed).__name__}Wire", where
    compared = 1
    for field in dataclasses.fields(parsed):
        value, sent = getattr(parsed, field.name), getattr(wire, field.name)
        if isinstance(value, list):
            assert isinstance(sent, tuple) and len(sent) == len(value), f"{where}.{field.name}"
            for index, (item, item_sent) in enumerate(zip(value, sent, strict=True)):
                compared += _same_record(item, item_sent, f"{where}.{field.name}[{index}]")
        else:
            assert sent == value and type(sent) is type(value), f"{where}.{field.name}: {sent!r} != {value!r}"
    if isinstance(parsed, ParsedPart):
        assert wire.recipient == parsed.recipient, where
    return compared


def test_the_reader_process_sends_every_field_of_every_record_by_its_name() -> None:
    """The batches cross the pipe as wire records (tuples, unpickled in C), which the writer
    reads by the dataclasses' field names: after the round trip through pickle every field of
    every record of every fixture reads as the parsed dataclass's, lists as tuples."""
    fixtures = _readable_fixtures()
    assert len(fixtures) >= 8
    compared = 0
    kinds: set[str] = set()
    for path in fixtures:
        cases = list(Reader(path, Warnings()).cases())
        sent = pickle.loads(pickle.dumps(to_wire(cases), protocol=pickle.HIGHEST_PROTOCOL))
        assert len(sent) == len(cases)
        for index, (case, wire) in enumerate(zip(cases, sent, strict=True)):
            compared += _same_record(case, wire, f"{path.name}[{index}]")
            kinds |= {type(wire).__name__}
            kinds |= {
                type(r).__name__ for p in wire.posts for r in (p, *p.parts, *p.writeoffs, *p.flows, *p.notes)
            }
            kinds |= {type(r).__name__ for p in wire.posts for d in p.documents for r in (d, *d.versions)}
    assert compared > 100
    assert kinds == {
        "ParsedCaseWire",
        "ParsedPostWire",
        "ParsedPartWire",
        "ParsedWriteOffWire",
        "ParsedFlowWire",
        "ParsedNoteWire",
        "ParsedDocumentWire",
        "ParsedVersionWire",
    }


def test_the_reader_process_stores_dates_for_sqlite_as_piccolo_binds_them() -> None:
    """The reader process converts SQLite's dates itself (without importing Piccolo, whose
    import took a quarter of a second of its start); the text is Piccolo's adapters'."""
    from piccolo.engine.sqlite import convert_date_in, convert_datetime_in

    stamps = [
        datetime(2025, 12, 8, 9, 45, tzinfo=UTC),
        datetime(2026, 3, 29, 1, 59, 59, 999_999, tzinfo=OSLO),
        datetime(2026, 10, 25, 2, 30, tzinfo=OSLO),
        datetime(2026, 12, 7, 3, 27, 16, 581_349, tzinfo=OSLO),
        datetime(1999, 1, 1, 0, 0),  # naive: as it is
        datetime(2026, 7, 1, 12, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5))),
    ]
    for value in stamps:
        assert sqlite_stamp(value) == convert_datetime_in(value)
    for day in (date(2025, 12, 8), date(1, 1, 1), date(9999, 12, 31)):
        assert sqlite_date(day) == convert_date_in(day)

    code = "import sys, core.archive.noark5.read_process; print(sorted(m for m in sys.modules if m.startswith('piccolo')))"
    root = str(Path(__file__).resolve().parents[3])
    loaded = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    ).stdout.strip()
    assert loaded == "[]"


def test_warnings_of_the_reader_process_merge_with_the_imports() -> None:
    ours, theirs = Warnings(limit=3), Warnings()
    ours.add(5, "a", key="a")
    theirs.add(7, "a again", key="a")
    theirs.add(2, "b", key="b")
    theirs.add(3, "b", key="b")
    theirs.add(9, "c", key="c")
    theirs.add(10, "d", key="d")

    ours.merge(theirs.state())

    assert ours.lines() == [
        "Linje 2: b (gjelder 1 til av samme slag)",
        "Linje 5: a (gjelder 1 til av samme slag)",
        "Linje 9: c",
        "… og 1 advarsler til (ikke vist).",
    ]
    assert (ours.total, ours.dropped) == (6, 1)


def test_fewer_collections_during_an_import_and_the_settings_restored_after() -> None:
    before = gc.get_threshold()
    with pytest.raises(ImportRefused), importer.fewer_collections(threshold=12_345):
        assert gc.get_threshold() == (max(before[0], 12_345), *before[1:])
        assert gc.get_freeze_count() > 0
        raise ImportRefused("Linje 1: …")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("chunk", [5, 11, 12, 13, 1 << 22])
def test_the_progress_estimate_counts_the_journal_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 9, posts_per_case=3)
    monkeypatch.setattr(importer, "ESTIMATE_CHUNK", chunk)  # a post split across two reads
    assert importer.estimate_posts(path) == 27


# -- the command line ------------------------------------------------------------------------------


def test_cli_imports_and_prints_the_summary(db: None, settings: Settings) -> None:
    bind_tables(settings)
    from core.cli import main

    result = CliRunner().invoke(main, ["import-noark5", str(FIXTURES / "v5.0"), "--validate"])

    assert result.exit_code == 0, result.output
    assert "Versjon: Noark 5 v5.0 (validerer mot v5.0)" in result.output
    assert "Saksmapper: 2 nye, 0 fantes fra før" in result.output
    assert "Journalposter: 4 nye, 0 fantes fra før" in result.output
    assert asyncio.run(Journalpost.count().run()) == 4
    # Not on a terminal: no bar, a plain closing line with the count and the rate.
    assert re.search(r"^Import: 4 journalposter på \d+\.\d s \(\d+/s\)\.$", result.output, re.MULTILINE)
    assert "\r" not in result.output


def test_cli_refuses_with_the_reason_on_stderr(db: None, settings: Settings) -> None:
    bind_tables(settings)
    from core.cli import main

    path = FIXTURES / "feil" / "mangler_journalposttype.xml"
    result = CliRunner().invoke(main, ["import-noark5", str(path)])

    assert result.exit_code == 1
    assert (
        f"Linje {line_of(path, '<registrering', 2)}: <journalpost> mangler <journalposttype>."
        in result.stderr
    )
    assert "ingenting er importert" in result.stderr
    assert result.stdout == ""
    assert asyncio.run(Saksmappe.count().run()) == 0


# -- agreement with the export ---------------------------------------------------------------------


def test_placeholders_match_what_the_export_writes() -> None:
    assert {export_xml.MANGLER.casefold(), export_xml.IKKE_AVSLUTTET.casefold()} <= PLACEHOLDERS


def test_summary_lines_are_norwegian() -> None:
    summary = ImportSummary(path="x.xml", version="4.0", saksmapper_new=3, warnings=["Linje 3: <x> noe"])
    lines = summary.lines()
    assert "Versjon: Noark 5 v4.0 (gjenkjent ut fra oppbygningen)" in lines
    assert "Saksmapper: 3 nye, 0 fantes fra før" in lines
    assert lines[-2:] == ["Advarsler: 1", "  Linje 3: <x> noe"]


# -- the traits of the public samples (own fixtures in eksempler/) -----------------------------------


@pytest.mark.parametrize(
    ("name", "cases", "posts", "stored_cases", "stored_posts"),
    [
        # The same saksmappe (same systemIDs) stands under two classification systems.
        ("eksempler/to_klassifikasjonssystemer.xml", 2, 4, 1, 2),
        ("eksempler/gjenbrukte_nummer.xml", 2, 4, 2, 4),
        ("digdir_einnsyn_noark5_basiseksempel.xml", 1, 1, 1, 1),
    ],
)
async def test_files_valid_against_v31_and_v40_import(
    db: None, settings: Settings, name: str, cases: int, posts: int, stored_cases: int, stored_posts: int
) -> None:
    summary = await import_path(settings, FIXTURES / name, validate=True)

    assert summary.valid_versions == ["3.1", "4.0"] and summary.version == "3.1"
    assert (
        summary.saksmapper_new + summary.saksmapper_present,
        summary.journalposter_new + summary.journalposter_present,
    ) == (cases, posts)
    assert (await Saksmappe.count(), await Journalpost.count()) == (stored_cases, stored_posts)


async def test_a_case_under_two_classification_systems_is_imported_once(db: None, settings: Settings) -> None:
    path = EKSEMPLER / "to_klassifikasjonssystemer.xml"
    summary = await import_path(settings, path)

    line = line_of(path, "<systemID>a7d0c5e2-1111-4aaa-8bbb-000000000010</systemID>", 2) - 1
    assert (
        f"Linje {line}: <saksmappe> med systemID «a7d0c5e2-1111-4aaa-8bbb-000000000010» står flere "
        "ganger i filen; den ble importert én gang."
    ) in summary.warnings
    assert await Dokumentbeskrivelse.count() == 1


async def test_reused_ids_and_numbers(db: None, settings: Settings) -> None:
    summary = await import_path(settings, EKSEMPLER / "gjenbrukte_nummer.xml")

    text = "\n".join(summary.warnings)
    assert "<dokumentbeskrivelse> har systemID «a7d0c5e2-1111-4aaa-8bbb-000000000021», som alt brukes" in text
    assert "<journalpost> har journalpostnummer 1, som alt er brukt i saken; fikk 2." in text
    assert "<journalpost> har journalnummer 2015/8930, som alt er brukt; fikk 2015/8932." in text
    assert await Dokumentbeskrivelse.count() == 2
    # The incoming post whose only part is the sender gets the case's unit and handler.
    assert summary.interne_mottakere_fra_saken == 1


async def test_a_file_valid_against_no_xsd_imports_with_warnings_but_not_with_validate(
    db: None, settings: Settings
) -> None:
    path = EKSEMPLER / "validerer_ikke.xml"
    with pytest.raises(ImportRefused, match=r"^Filen validerer ikke mot Noark 5") as refused:
        await import_path(settings, path, validate=True)
    assert f"linje {line_of(path, '<saksstatus>Opprettet')}" in str(refused.value)
    assert await Saksmappe.count() == 0

    summary = await import_path(settings, path)

    assert (summary.saksmapper_new, summary.journalposter_new) == (1, 3)
    text = "\n".join(summary.warnings)
    assert (
        f"Linje {line_of(path, '<saksstatus>Opprettet')}: <saksmappe> har ukjent <saksstatus> «Opprettet»"
        in text
    )
    assert "<journaldato> «2015-09-01T00:00:00+01:00» med klokkeslett" in text
    case = await Saksmappe.select().first()
    assert case is not None and (case["saksaar"], case["sakssekvensnummer"], str(case["saksdato"])) == (
        2015,
        120,
        "2015-09-01",
    )
    # The N note without an avskrivning stays a restanse for its internal «Gruppemottaker».
    parts = await parts_of("a7d0c5e2-1111-4aaa-8bbb-000000000313")
    assert [(p["korrespondanseparttype"], p["navn"], p["intern"], p["behandler"]) for p in parts] == [
        ("IM", "Vaktlaget", True, "Kari Vakt")
    ]
    assert await writeoffs_of("a7d0c5e2-1111-4aaa-8bbb-000000000313") == []


async def test_a_later_extraction_adds_posts_to_cases_already_imported(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    first, later = tmp_path / "forste.xml", tmp_path / "senere.xml"
    generate(first, 3, posts_per_case=2)
    generate(later, 3, posts_per_case=4)  # the same cases and posts, and two more posts in each
    await import_path(settings, first)
    kept = await Journalpost.select().order_by(Journalpost.id)

    summary = await import_path(settings, later)

    assert (summary.saksmapper_new, summary.saksmapper_present) == (0, 3)
    assert (summary.journalposter_new, summary.journalposter_present) == (6, 6)
    assert (summary.dokumenter_new, summary.dokumenter_present) == (6, 6)
    assert (
        await Journalpost.select()
        .where(Journalpost.id.is_in([p["id"] for p in kept]))
        .order_by(Journalpost.id)
        == kept
    )
    # The later file numbers its journal sequence afresh; numbers the archive already has are
    # given new ones, with a warning.
    assert any("som alt er brukt; fikk 2025/" in w for w in summary.warnings), summary.warnings
    pairs = [(p["journalaar"], p["journalsekvensnummer"]) for p in await Journalpost.select()]
    assert len(pairs) == len(set(pairs)) == 12
    case = await Saksmappe.select().where(Saksmappe.sakssekvensnummer == 1).first()
    assert case is not None
    assert sorted(
        p["journalpostnummer"] for p in await Journalpost.select().where(Journalpost.saksmappe == case["id"])
    ) == [1, 2, 3, 4]
    assert await numbering.next_number(numbering.journalpost_serie(case["id"]), 0) == 5


async def test_saksmapper_inside_a_plain_mappe_are_imported(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    flat = tmp_path / "flat.xml"
    generate(flat, 3)
    text = flat.read_text(encoding="utf-8")
    start = text.index('<mappe xsi:type="saksmappe">')
    end = text.index("</arkivdel>")
    nested = (
        text[:start]
        + "<mappe><systemID>beholder</systemID><mappeID>B</mappeID><tittel>Beholder</tittel>\n"
        + text[start:end]
        + "</mappe>\n"
        + text[end:]
    )
    path = tmp_path / "nestet.xml"
    path.write_text(nested, encoding="utf-8")

    summary = await import_path(settings, path)

    assert (summary.saksmapper_new, summary.journalposter_new, summary.skipped) == (3, 6, 0)
    assert await Saksmappe.count() == 3


async def test_an_incoming_post_not_yet_distributed_belongs_to_its_unit(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    text = (FIXTURES / "v5.0" / "arkivstruktur.xml").read_text(encoding="utf-8")
    path = tmp_path / "arkivstruktur.xml"
    path.write_text(text.replace("<saksbehandler>KANO</saksbehandler>", "", 1), encoding="utf-8")

    await import_path(settings, path)

    jp1 = await post(V5_JP[11])
    assert (jp1["enhet"], jp1["behandler"]) == ("PLB", None)
    _sender, recipient = await parts_of(V5_JP[11])
    assert (recipient["enhet"], recipient["behandler"], recipient["fordelt_dato"]) == ("PLB", None, None)
    (writeoff,) = await writeoffs_of(V5_JP[11])
    assert writeoff["korrespondansepart"] == recipient["id"]


# -- entities in the DTD ------------------------------------------------------------------------


def with_doctype(folder: Path, entities: str, title: str) -> Path:
    """The v5.0 fixture copied to ``folder`` with an internal DTD subset of ``entities`` and
    saksmappe A's title replaced by ``title``; the path of its arkivstruktur.xml."""
    shutil.copytree(FIXTURES / "v5.0", folder)
    path = folder / "arkivstruktur.xml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("?>\n", f"?>\n<!DOCTYPE arkiv [\n{entities}\n]>\n", 1)
    text = text.replace(
        "<tittel>Byggesak Fjellveien 3 – rammetillatelse</tittel>", f"<tittel>{title}</tittel>", 1
    )
    path.write_text(text, encoding="utf-8")
    return path


async def test_an_internal_entity_is_expanded(db: None, settings: Settings, tmp_path: Path) -> None:
    with_doctype(tmp_path / "uttrekk", '<!ENTITY k "Verdal kommune">', "Byggesak fra &k; om tilbygg")

    summary = await import_path(settings, tmp_path / "uttrekk", validate=True)

    assert summary.valid_versions == ["5.0"]
    case_a = await Saksmappe.select(Saksmappe.tittel).where(Saksmappe.system_id == V5_A).first()
    assert case_a == {"tittel": "Byggesak fra Verdal kommune om tilbygg"}


@pytest.mark.parametrize(
    ("entities", "title", "expected"),
    [
        (
            '<!ENTITY x SYSTEM "file:///etc/passwd">',
            "Byggesak &x; om tilbygg",
            "entiteten «x» er ikke definert i filen",
        ),
        (
            '<!ENTITY k "Verdal">',
            "Byggesak &ukjent; om tilbygg",
            "entiteten «ukjent» er ikke definert i filen",
        ),
        (
            '<!ENTITY a "aaaaaaaaaa">'
            + "".join(f'<!ENTITY {chr(98 + i)} "{f"&{chr(97 + i)};" * 10}">' for i in range(8)),
            "Byggesak &i; om tilbygg",
            "entitetene i filen vokser til for mye tekst",
        ),
        (
            f'<!ENTITY a "{"x" * 100_000}">',
            "&a;" * 20_000,
            "entitetene i filen vokser til for mye tekst",
        ),
    ],
    ids=["external", "undefined", "billion-laughs", "quadratic"],
)
async def test_external_undefined_and_exploding_entities_are_refused(
    db: None, settings: Settings, tmp_path: Path, entities: str, title: str, expected: str
) -> None:
    path = with_doctype(tmp_path / "uttrekk", entities, title)

    with pytest.raises(ImportRefused) as refused:
        await import_path(settings, tmp_path / "uttrekk")

    message = str(refused.value)
    assert message.startswith("Linje "), message
    assert expected in message, message
    if "definert" in expected:
        assert message.startswith(f"Linje {line_of(path, '<tittel>Byggesak ')}:"), message
    else:  # the record the entity is used in
        assert f"i <saksmappe> fra linje {line_of(path, V5_A) - 1}" in message, message
    assert "root:" not in message
    assert await Saksmappe.count() == 0


# -- statistics after the load ------------------------------------------------------------------


async def test_an_import_ends_with_analyze_of_the_tables_it_filled(db: None, settings: Settings) -> None:
    if not settings.is_postgres:
        pytest.skip("ANALYZE runs on PostgreSQL only; SQLite plans without statistics")
    started = await database_now()

    await import_path(settings, FIXTURES / "v5.0")

    filled = [table._meta.tablename for table in importer.FILLED_TABLES]
    assert "core_saksmappe" in filled and "core_journalpost" in filled
    assert await not_analyzed_since(started, filled) == []


# -- a first load on PostgreSQL ---------------------------------------------------------------


def reprinted(definition: str) -> str:
    """``definition`` as PostgreSQL prints it once it has been executed again.

    A partial index made with ``journalposttype IN ('I', 'N')`` (a varchar column) is printed
    as ``ANY ((ARRAY['I'::character varying, ...])::text[])``; executing that text stores
    ``ANY (ARRAY[('I'::character varying)::text, ...])``, which prints the same ever after. Both
    are the same condition (the planner proves the same queries against either), so the
    definitions are compared with both written one way, and the test passes alone as well as
    after another test's first load."""
    definition = re.sub(r"\(\(ARRAY\[([^\]]*)\]\)::text\[\]\)", r"(ARRAY[\1])", definition)
    return re.sub(r"\('((?:[^']|'')*)'::character varying\)::text", r"'\1'::character varying", definition)


async def loaded_tables_schema() -> set[tuple[str, str]]:
    """The indexes and constraints of the tables an import loads, as PostgreSQL defines them
    (:func:`reprinted`)."""
    names = [table._meta.tablename for table in importer.LOADED_TABLES]
    indexes = await Saksmappe.raw(
        "SELECT indexname AS name, indexdef AS definition FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename = ANY({})",
        names,
    )
    constraints = await Saksmappe.raw(
        "SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY({})",
        names,
    )
    return {(row["name"], reprinted(row["definition"])) for row in indexes + constraints}


async def test_a_first_load_on_postgresql_builds_indexes_and_keys_after_exactly_as_they_were(
    db: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into empty tables, the secondary indexes (the trigram ones too) and the foreign keys
    between the loaded tables are dropped for the load and made again from their own
    definitions; a refusal rolls the drops back; into tables with rows nothing is dropped."""
    if not settings.is_postgres:
        pytest.skip("SQLite keeps its indexes during the load")
    before = await loaded_tables_schema()
    assert any("gin_trgm_ops" in definition for _name, definition in before)
    monkeypatch.setattr(importer, "BATCH_CASES", 2)
    during: list[set[tuple[str, str]]] = []
    write = importer.Writer.write

    async def looking(self: Any, cases: list[Any]) -> None:
        await write(self, cases)
        during.append(await loaded_tables_schema())

    monkeypatch.setattr(importer.Writer, "write", looking)
    refused = tmp_path / "avvist.xml"
    generate(refused, 5, posts_per_case=2)
    text = refused.read_text(encoding="utf-8")
    cut = text.rindex("<journalposttype>")
    refused.write_text(text[:cut] + text[text.index("</journalposttype>", cut) + 18 :], encoding="utf-8")
    with pytest.raises(ImportRefused):
        await import_path(settings, refused)
    assert during and await loaded_tables_schema() == before

    during.clear()
    path = tmp_path / "arkivstruktur.xml"
    generate(path, 5, posts_per_case=2)
    await import_path(settings, path)

    dropped = {name for name, _definition in before - during[0]}
    assert {"core_journalpost_tittel_dato", "core_korrespondansepart_navn_ekstern"} <= dropped
    assert "core_journalpost_saksmappe_fkey" in dropped
    assert (
        not {"core_journalpost_pkey", "core_journalpost_system_id_key", "core_journalpost_nummer"} & dropped
    )
    assert not {"core_journalpost_saksbehandler_fkey", "core_saksmappe_saksansvarlig_fkey"} & dropped
    assert await loaded_tables_schema() == before

    during.clear()
    await import_path(settings, FIXTURES / "v5.0")  # tables with rows: nothing is dropped
    assert during and all(schema == before for schema in during)
