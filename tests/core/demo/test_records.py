"""Demo archive records (``core.demo.records``): deterministic, idempotent, realistic, scalable."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from core.archive import numbering
from core.archive.filestore import FileStore
from core.archive.queries.common import QueryString, run
from core.archive.queries.open_recipients import RECIPIENT, open_on
from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Nummerserie,
    Saksmappe,
    Tilgang,
)
from core.cli import main
from core.db import connected, writing
from core.demo import populate
from core.demo.catalog import MASK
from core.demo.documents import markdown, pdf
from core.settings import load_settings
from core.timeutil import today
from tests.support.db import database_now, empty_all_tables, not_analyzed_since
from tests.support.parties import parties_without_their_posts_date

pytestmark = pytest.mark.anyio


def as_date(value: Any) -> date:
    """A date from a raw query (SQLite returns text for expressions)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return await Journalpost.raw(sql, *args)


async def snapshot() -> dict[str, Any]:
    """Counts and titles: what must come out the same for the same seed."""
    return {
        "counts": [
            await t.count()
            for t in (
                Saksmappe,
                Journalpost,
                Korrespondansepart,
                Avskrivning,
                Dokumentbeskrivelse,
                Dokumentobjekt,
                Merknad,
                Tilgang,
            )
        ],
        "cases": [
            (r["saksaar"], r["sakssekvensnummer"], r["tittel"], r["offentlig_tittel"])
            for r in await Saksmappe.select().order_by(Saksmappe.id)
        ],
        "posts": [
            (r["journalposttype"], r["journalstatus"], r["tittel"], r["journaldato"])
            for r in await Journalpost.select().order_by(Journalpost.id)
        ],
        "checksums": sorted(r["sjekksum"] for r in await Dokumentobjekt.select(Dokumentobjekt.sjekksum)),
    }


async def test_same_seed_gives_the_same_archive(settings, db) -> None:
    await populate(settings, seed=11)
    first = await snapshot()
    await empty_all_tables(settings)
    await populate(settings, seed=11)
    assert await snapshot() == first
    assert first["counts"][1] > 3000


async def test_demo_archive_is_realistic_and_loaded_once(settings, db) -> None:
    started = await database_now() if settings.is_postgres else None
    summary = await populate(settings)
    if settings.is_postgres:  # the statistics of every table it filled, core's and the plugins'
        filled = ["core_saksmappe", "core_journalpost", "core_dokumentobjekt", "core_task", "core_person"]
        filled += ["godkjenning_round", "restanse_snapshot"]
        assert await not_analyzed_since(started, filled) == []
    assert "Demodata lagt inn: 37 enheter" in summary
    assert "journalposter (I " in summary and "åpne restanser" in summary and "til fordeling" in summary
    assert await parties_without_their_posts_date() == []
    day = today()

    # A year of posts, the usual mix of types and states.
    types = Counter(r["journalposttype"] for r in await Journalpost.select(Journalpost.journalposttype))
    total = sum(types.values())
    assert 3000 <= total <= 6000
    share = {t: types[t] / total for t in "IUNX"}
    assert 0.38 < share["I"] < 0.52 and 0.23 < share["U"] < 0.37
    assert 0.05 < share["N"] < 0.15 and 0.10 < share["X"] < 0.22
    statuses = {
        (r["journalposttype"], r["journalstatus"])
        for r in await rows("SELECT DISTINCT journalposttype, journalstatus FROM core_journalpost")
    }
    assert {
        ("I", "J"),
        ("I", "A"),
        ("U", "F"),
        ("U", "E"),
        ("U", "J"),
        ("U", "A"),
        ("N", "F"),
        ("X", "R"),
    } <= statuses
    dates = await rows("SELECT MIN(journaldato) AS first, MAX(journaldato) AS last FROM core_journalpost")
    first, last = as_date(dates[0]["first"]), as_date(dates[0]["last"])
    assert day - timedelta(days=366) <= first <= day - timedelta(days=300) and last == day
    assert {r["saksstatus"] for r in await Saksmappe.select(Saksmappe.saksstatus)} == {"A", "B"}

    # Write-offs: every code, and the answering post where the code says there is one.
    offs = await rows(
        "SELECT a.avskrivningsmaate AS how, j.journalposttype AS answer FROM core_avskrivning a "
        "LEFT JOIN core_journalpost j ON j.id = a.avskrives_av_journalpost"
    )
    assert {r["how"] for r in offs} == {"BU", "BE", "TLF", "TE", "TO", "BN"}
    assert all(r["answer"] == "U" for r in offs if r["how"] in ("BU", "BE"))
    assert all(r["answer"] in ("N", "X") for r in offs if r["how"] == "BN")
    assert all(r["answer"] is None for r in offs if r["how"] in ("TE", "TO", "TLF"))
    # A foreløpig svar names its letter: an outgoing post (U) of the same case.
    replies = await rows(
        "SELECT j.saksmappe AS sak, f.saksmappe AS svarsak, f.journalposttype AS type "
        "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost "
        "JOIN core_journalpost f ON f.id = k.foreloepig_svar_journalpost"
    )
    assert replies and all(r["sak"] == r["svarsak"] and r["type"] == "U" for r in replies)

    # Open restanser (the one rule, core/archive/queries/open_recipients.py), some overdue;
    # handlers with 30 or more (the monthly mail has someone to mail).
    base = "FROM core_korrespondansepart k JOIN core_journalpost j ON j.id = k.journalpost WHERE {}"
    restanse = open_on(day, RECIPIENT)
    open_count = (await run(QueryString(f"SELECT COUNT(*) AS n {base}", restanse)))[0]["n"]
    assert open_count > 200
    overdue = await run(QueryString(f"SELECT COUNT(*) AS n {base} AND j.forfallsdato < {{}}", restanse, day))
    assert overdue[0]["n"] > 10
    per_handler = await run(
        QueryString(
            f"SELECT k.saksbehandler, COUNT(*) AS n {base} AND k.saksbehandler IS NOT NULL "
            "GROUP BY k.saksbehandler ORDER BY n DESC",
            restanse,
        )
    )
    assert per_handler[0]["n"] >= 30
    assert sum(1 for r in per_handler if r["n"] >= 30) >= 2

    # Til fordeling: I posts with a unit and no handler, in several units, some from today.
    waiting = await run(
        QueryString(
            "SELECT k.administrativ_enhet AS enhet, j.journaldato AS dato, j.journalposttype AS type, "
            f"j.saksbehandler AS jp_behandler {base} AND k.saksbehandler IS NULL",
            restanse,
        )
    )
    assert len({r["enhet"] for r in waiting}) >= 5
    assert any(as_date(r["dato"]) == day for r in waiting)
    assert all(r["type"] == "I" and r["enhet"] is not None and r["jp_behandler"] is None for r in waiting)

    # Restricted records: codes with hjemmel; the public title hides the screened words.
    restricted = await rows(
        "SELECT tittel, offentlig_tittel, tilgangsrestriksjon, skjermingshjemmel FROM core_journalpost "
        "WHERE tilgangsrestriksjon <> '' UNION ALL SELECT tittel, offentlig_tittel, tilgangsrestriksjon, "
        "skjermingshjemmel FROM core_saksmappe WHERE tilgangsrestriksjon <> ''"
    )
    assert {"P", "KL", "5"} <= {r["tilgangsrestriksjon"] for r in restricted}
    assert all(r["skjermingshjemmel"] for r in restricted)
    assert any(r["skjermingshjemmel"] == "Offl. § 13 jf. fvl. § 13" for r in restricted)
    masked = [r for r in restricted if MASK in r["offentlig_tittel"]]
    assert len(masked) > 100
    for r in masked:
        assert MASK not in r["tittel"]
        pattern = "(.+?)".join(re.escape(part) for part in r["offentlig_tittel"].split(MASK))
        hidden = re.fullmatch(pattern, r["tittel"])
        assert hidden is not None, r
        for word in hidden.groups():
            assert word.strip() and word not in r["offentlig_tittel"]
    codes = {r["tilgangsrestriksjon"] for r in await Tilgang.select(Tilgang.tilgangsrestriksjon)}
    assert {"P", "KL", "5"} <= codes

    # External parties with Norwegian names and addresses; remarks of every kind.
    senders = await Korrespondansepart.select().where(Korrespondansepart.korrespondanseparttype == "EA")
    assert any(s["navn"].endswith(" AS") for s in senders)
    assert all(s["navn"] for s in senders)
    assert any(re.fullmatch(r"\d{4}", s["postnummer"] or "") for s in senders)
    assert {r["merknadstype"] for r in await Merknad.select(Merknad.merknadstype)} == {"MS", "ML", "MA"}

    # Documents: a hoveddokument for every post, vedlegg, versions, real files with their checksum.
    without_h = await rows(
        "SELECT COUNT(*) AS n FROM core_journalpost j WHERE NOT EXISTS (SELECT 1 FROM core_dokumentbeskrivelse d "
        "WHERE d.journalpost = j.id AND d.dokumentnummer = 1 AND d.tilknyttet_registrering_som = 'H')"
    )
    assert without_h[0]["n"] == 0
    assert (
        await Dokumentbeskrivelse.count().where(Dokumentbeskrivelse.tilknyttet_registrering_som == "V") > 100
    )
    assert await Dokumentobjekt.count().where(Dokumentobjekt.versjonsnummer == 3) > 10
    store = FileStore.from_settings(settings)
    files = {(r["sjekksum"], r["filstoerrelse"], r["format"]) for r in await Dokumentobjekt.select()}
    assert len(files) < total  # shared bytes are stored once
    for sjekksum, size, fmt in files:
        content = store.read(sjekksum)
        assert hashlib.sha256(content).hexdigest() == sjekksum and len(content) == size
        if fmt == "application/pdf":
            assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        else:
            # Markdown letters of the archive; plain-text letters of godkjenning's demo rounds
            # (plain text, so the version comparison can show what an approver changed).
            assert fmt in ("text/markdown", "text/plain") and content.startswith(b"# ")

    # Numbering continues after the demo data.
    async with writing(Nummerserie):
        for year in {r["saksaar"] for r in await Saksmappe.select(Saksmappe.saksaar)}:
            used = await rows(
                "SELECT MAX(sakssekvensnummer) AS m FROM core_saksmappe WHERE saksaar = {}", year
            )
            assert await numbering.next_number("sak", year) == used[0]["m"] + 1
        year = day.year
        used = await rows(
            "SELECT MAX(journalsekvensnummer) AS m FROM core_journalpost WHERE journalaar = {}", year
        )
        assert await numbering.next_number("journal", year) == used[0]["m"] + 1
        case = (
            await rows(
                "SELECT saksmappe, MAX(journalpostnummer) AS m FROM core_journalpost GROUP BY saksmappe"
            )
        )[0]
        serie = numbering.journalpost_serie(case["saksmappe"])
        assert await numbering.next_number(serie, 0) == case["m"] + 1

    # A second run adds nothing.
    before = await snapshot()
    again = await populate(settings)
    assert "allerede data" in again
    assert (await snapshot())["counts"] == before["counts"]


def test_demo_data_scale_adds_exactly_that_many_posts(db) -> None:
    """``demo-data --scale N`` on a database with the demo adds N posts, numbered on from the last."""
    cli = CliRunner()
    first = cli.invoke(main, ["demo-data", "--seed", "5"])
    assert first.exit_code == 0, first.output
    before, cases_before = asyncio.run(count_posts_and_cases())
    result = cli.invoke(main, ["demo-data", "--seed", "5", "--scale", "2000"])
    assert result.exit_code == 0, result.output
    assert "la til 2000 journalposter" in result.output
    # Not on a terminal: the progress is a plain closing line with the rows and the rate.
    assert re.search(r"^Demodata: [\d ]+ rader på \d+\.\d s \([\d ]+/s\)\.$", result.output, re.MULTILINE)
    assert asyncio.run(count_posts_and_cases())[0] == before + 2000
    assert cli.invoke(main, ["demo-data", "--seed", "5", "--scale", "300"]).exit_code == 0
    assert asyncio.run(check_scaled(cases_before)) == before + 2300


async def count_posts_and_cases() -> tuple[int, int]:
    async with connected(load_settings()):
        return await Journalpost.count(), await Saksmappe.count()


async def check_scaled(cases_before: int) -> int:
    async with connected(load_settings()):
        added = await rows(
            "SELECT journalposttype AS t, COUNT(*) AS n FROM core_journalpost WHERE saksmappe > {} "
            "GROUP BY journalposttype",
            cases_before,
        )
        assert {r["t"] for r in added} == {"I", "U", "N", "X"}
        assert sum(r["n"] for r in added) == 2300
        dupes = await rows(
            "SELECT COUNT(*) AS n FROM (SELECT journalaar, journalsekvensnummer FROM core_journalpost "
            "GROUP BY journalaar, journalsekvensnummer HAVING COUNT(*) > 1) t"
        )
        assert dupes[0]["n"] == 0
        year = today().year
        async with writing(Nummerserie):
            used = await rows(
                "SELECT MAX(journalsekvensnummer) AS m FROM core_journalpost WHERE journalaar = {}", year
            )
            assert await numbering.next_number("journal", year) == used[0]["m"] + 1
            used = await rows(
                "SELECT MAX(sakssekvensnummer) AS m FROM core_saksmappe WHERE saksaar = {}", year
            )
            assert await numbering.next_number("sak", year) == used[0]["m"] + 1
        return await Journalpost.count()


def _check_pdf(content: bytes) -> None:
    """The cross-reference table points at every object, and startxref at the table."""
    assert content.startswith(b"%PDF-1.4\n")
    startxref = int(content.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert content[startxref:].startswith(b"xref\n0 ")
    entries = content[startxref:].split(b"\n")[3:]
    count = int(content[startxref:].split(b"\n")[1].split()[1])
    for number, entry in enumerate(entries[: count - 1], start=1):
        offset = int(entry.split()[0])
        assert content[offset:].startswith(f"{number} 0 obj".encode())
    stream = content.split(b"stream\n", 1)[1].split(b"\nendstream", 1)[0]
    length = int(re.search(rb"/Length (\d+)", content).group(1))  # type: ignore[union-attr]
    assert len(stream) == length


def test_pdf_is_a_valid_one_page_document() -> None:
    content = pdf(
        "Søknad om rammetillatelse – gnr. 12 bnr. 45 (tilbygg)",
        ["Avsender: Byggmester Hansen AS", "", "Linje med \\ og (parenteser) " * 10],
        heading="Verdal kommune – Landbruk, miljø og arealforvaltning",
    )
    _check_pdf(content)
    assert b"/Count 1" in content and b"/WinAnsiEncoding" in content
    assert "Søknad".encode("cp1252") in content  # WinAnsi text in the content stream
    assert b"\\(parenteser\\)" in content
    assert pdf("Tittel") == pdf("Tittel")  # same bytes: stored once
    assert markdown("Referat", ["Punkt 1"]).decode() == "# Referat\n\nPunkt 1\n"
