"""Writing the planned demo records: numbers, rows and set-based inserts.

Ids are reserved inside one write transaction and the rows go in with the driver's bulk path
(``executemany`` on SQLite, ``COPY`` on PostgreSQL): building Piccolo objects costs about 90 µs
a row, and 100 000 journal posts are about 450 000 rows. Numbering series are raised
afterwards (:func:`core.archive.numbering.raise_to`), so case work continues with the next free
numbers.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from core.archive import numbering, sender_handlers
from core.archive.filestore import FileStore
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
from core.cli_support import Progress
from core.db import writing
from core.demo.plan import Org, Planner
from core.settings import Settings

log = logging.getLogger(__name__)

CHUNK = 5000
PROGRESS_TABLES = (
    "core_saksmappe",
    "core_journalpost",
    "core_korrespondansepart",
    "core_avskrivning",
    "core_dokumentbeskrivelse",
    "core_dokumentobjekt",
    "core_merknad",
)
"""The tables whose inserted rows ``demo-data --scale`` counts on its progress bar."""
"""Rows per ``executemany`` on SQLite."""


# --- Numbering and rows -----------------------------------------------------------------------


@dataclass
class Counters:
    ids: dict[str, int]
    """Table name -> next free id."""
    sak: dict[int, int]
    """Year -> last used sakssekvensnummer."""
    journal: dict[int, int]
    """Year -> last used journalsekvensnummer."""


RECORD_TABLES: tuple[type[Table], ...] = (
    Saksmappe,
    Journalpost,
    Korrespondansepart,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Merknad,
)


async def _counters(years: Iterable[int]) -> Counters:
    ids = {}
    for table in RECORD_TABLES:
        name = table._meta.tablename
        rows = await table.raw(f"SELECT COALESCE(MAX(id), 0) AS m FROM {name}")  # noqa: S608 - fixed names
        ids[name] = int(rows[0]["m"]) + 1
    sak: dict[int, int] = {}
    journal: dict[int, int] = {}
    for year in years:
        sak[year] = await _last_number("sak", year, "core_saksmappe", "saksaar", "sakssekvensnummer")
        journal[year] = await _last_number(
            "journal", year, "core_journalpost", "journalaar", "journalsekvensnummer"
        )
    return Counters(ids=ids, sak=sak, journal=journal)


async def _last_number(serie: str, year: int, table: str, year_column: str, column: str) -> int:
    rows = await Nummerserie.select(Nummerserie.siste).where(
        (Nummerserie.serie == serie) & (Nummerserie.aar == year)
    )
    used = await Saksmappe.raw(
        f"SELECT COALESCE(MAX({column}), 0) AS m FROM {table} WHERE {year_column} = {{}}",  # noqa: S608
        year,
    )
    return max([int(r["siste"]) for r in rows] + [int(used[0]["m"])])


def _assign_numbers(planner: Planner, counters: Counters) -> None:
    cases = sorted(planner.cases, key=lambda c: (c.saksdato, c.minute, c.seq))
    next_id = counters.ids["core_saksmappe"]
    for case in cases:
        case.id = next_id
        next_id += 1
        year = case.saksdato.year
        counters.sak[year] += 1
        case.nr = counters.sak[year]
        for number, post in enumerate(case.posts, start=1):
            post.jpnr = number
    posts = sorted(
        (p for c in planner.cases for p in c.posts), key=lambda p: (p.dato, p.minute, p.case.seq, p.seq)
    )
    next_id = counters.ids["core_journalpost"]
    for post in posts:
        post.id = next_id
        next_id += 1
        year = post.dato.year
        counters.journal[year] += 1
        post.journal_nr = counters.journal[year]


def _uuid(rng: random.Random) -> str:
    """A random (version 4) UUID from the seeded generator."""
    return _format_uuid(f"{rng.getrandbits(128):032x}")


def _format_uuid(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


class Uuids:
    """Random UUIDs from the seeded generator, drawn 4 096 at a time (one big integer)."""

    BATCH = 4096

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pending: list[str] = []

    def __call__(self) -> str:
        if not self.pending:
            digits = f"{self.rng.getrandbits(128 * self.BATCH):0{32 * self.BATCH}x}"
            self.pending = [_format_uuid(digits[i : i + 32]) for i in range(0, len(digits), 32)]
            self.pending.reverse()
        return self.pending.pop()


@dataclass
class Rows:
    saksmappe: list[tuple[Any, ...]] = field(default_factory=list)
    journalpost: list[tuple[Any, ...]] = field(default_factory=list)
    korrespondansepart: list[tuple[Any, ...]] = field(default_factory=list)
    avskrivning: list[tuple[Any, ...]] = field(default_factory=list)
    dokumentbeskrivelse: list[tuple[Any, ...]] = field(default_factory=list)
    dokumentobjekt: list[tuple[Any, ...]] = field(default_factory=list)
    merknad: list[tuple[Any, ...]] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    """sha256 -> content of every file the rows name."""
    series: list[tuple[str, int, int]] = field(default_factory=list)
    """Per-case journalpost series: (serie, aar, siste)."""


COLUMNS: dict[str, tuple[str, ...]] = {
    "core_saksmappe": (
        "id", "system_id", "saksaar", "sakssekvensnummer", "tittel", "offentlig_tittel", "saksstatus",
        "administrativ_enhet", "saksansvarlig", "saksdato", "opprettet_dato", "opprettet_av",
        "avsluttet_dato", "tilgangsrestriksjon", "skjermingshjemmel", "version",
    ),
    "core_journalpost": (
        "id", "system_id", "saksmappe", "journalaar", "journalsekvensnummer", "journalpostnummer",
        "journalposttype", "journalstatus", "tittel", "offentlig_tittel", "journaldato", "dokumentets_dato",
        "mottatt_dato", "sendt_dato", "forfallsdato", "administrativ_enhet", "saksbehandler",
        "tilgangsrestriksjon", "skjermingshjemmel", "opprettet_dato", "opprettet_av", "version",
    ),
    "core_korrespondansepart": (
        "id", "journalpost", "korrespondanseparttype", "navn", "postadresse", "postnummer", "poststed",
        "epostadresse", "intern", "administrativ_enhet", "saksbehandler", "fordelt_dato",
        "foreloepig_svar_dato", "version", "journaldato", "foreloepig_svar_journalpost",
    ),
    "core_avskrivning": (
        "id", "journalpost", "korrespondansepart", "avskrivningsdato", "avskrevet_av", "avskrevet_av_navn",
        "avskrivningsmaate", "avskrives_av_journalpost", "registrert",
    ),
    "core_dokumentbeskrivelse": (
        "id", "system_id", "journalpost", "dokumentnummer", "tilknyttet_registrering_som", "dokumenttype",
        "dokumentstatus", "tittel", "tilgangsrestriksjon", "opprettet_dato", "opprettet_av",
    ),
    "core_dokumentobjekt": (
        "id", "system_id", "dokumentbeskrivelse", "versjonsnummer", "variantformat", "format", "filnavn",
        "sjekksum", "filstoerrelse", "opprettet_dato", "opprettet_av",
    ),
    "core_nummerserie": ("serie", "aar", "siste"),
    "core_merknad": (
        "id", "saksmappe", "journalpost", "merknadstekst", "merknadstype", "merknadsdato", "registrert_av",
    ),
}  # fmt: skip


def _rows(planner: Planner, counters: Counters, org: Org, rng: random.Random) -> Rows:
    out = Rows()
    ts = planner.ts
    new_uuid = Uuids(rng)
    part_id = counters.ids["core_korrespondansepart"]
    doc_id = counters.ids["core_dokumentbeskrivelse"]
    object_id = counters.ids["core_dokumentobjekt"]
    writeoff_id = counters.ids["core_avskrivning"]
    remark_id = counters.ids["core_merknad"]

    sha_cache: dict[int, tuple[str, int]] = {}
    cases = sorted(planner.cases, key=lambda c: c.id)
    for case in cases:
        closed_at = ts(case.closed, 900) if case.closed else None
        out.saksmappe.append(
            (
                case.id, new_uuid(), case.saksdato.year, case.nr, case.tittel, case.offentlig, case.status,
                case.unit.id, case.handler, case.saksdato, ts(case.saksdato, case.minute), case.created_by,
                closed_at, case.restricted, case.hjemmel if case.restricted else "", 1,
            )
        )  # fmt: skip
        if case.posts:
            out.series.append((numbering.journalpost_serie(case.id), 0, len(case.posts)))
    posts = sorted((p for c in planner.cases for p in c.posts), key=lambda p: p.id)
    for post in posts:
        case = post.case
        at = ts(post.dato, post.minute)
        mottatt = ts(post.dato, min(post.minute, 470)) if post.type == "I" else None
        sendt = None
        if post.type in ("U", "N") and post.status in ("E", "J", "A"):
            sendt = at + timedelta(hours=1 + int(rng.random() * 30))
            sendt = min(sendt, planner.now)
        out.journalpost.append(
            (
                post.id, new_uuid(), case.id, post.dato.year, post.journal_nr, post.jpnr, post.type, post.status,
                post.tittel, post.offentlig, post.dato, post.dokdato, mottatt, sendt, post.forfall, post.unit,
                post.handler, post.restricted, post.hjemmel, at, post.created_by, 1,
            )
        )  # fmt: skip
        for part in post.parts:
            part.id = part_id
            part_id += 1
            p = part.party
            out.korrespondansepart.append(
                (
                    part.id, post.id, part.type, p.navn if p else "", p.postadresse if p else "",
                    p.postnummer if p else "", p.poststed if p else "", p.epost if p else "", part.intern,
                    part.unit, part.handler, part.fordelt, part.forelopig, 1, post.dato,
                    part.forelopig_post.id if part.forelopig_post else None,
                )
            )  # fmt: skip
        for number, doc in enumerate(post.docs, start=1):
            this_doc, doc_id = doc_id, doc_id + 1
            status = "B" if post.status == "R" else "F"
            doctype = "F" if post.tittel.startswith("Faktura") else "B"
            out.dokumentbeskrivelse.append(
                (this_doc, new_uuid(), post.id, number, doc.role, doctype, status, doc.tittel, post.restricted, at,
                 post.created_by)
            )  # fmt: skip
            for version, (fmt, content) in enumerate(doc.versions, start=1):
                key = id(content)
                if key not in sha_cache:
                    digest = hashlib.sha256(content).hexdigest()
                    sha_cache[key] = (digest, len(content))
                    out.files[digest] = content
                digest, size = sha_cache[key]
                created = at - timedelta(minutes=(len(doc.versions) - version) * 47)
                out.dokumentobjekt.append(
                    (object_id, new_uuid(), this_doc, version, "P", fmt, doc.filnavn, digest, size,
                     created, post.created_by)
                )  # fmt: skip
                object_id += 1
    for post in posts:
        for part in post.parts:
            off = part.writeoff
            if off is None:
                continue
            by_name = org.names.get(off.by or 0, "")
            minute = 600 + (part.id % 300)
            writeoff_id += 1
            out.avskrivning.append(
                (
                    writeoff_id, post.id, part.id, off.dato, off.by, by_name, off.how,
                    off.answer.id if off.answer else None, ts(off.dato, minute),
                )
            )  # fmt: skip
    for remark in planner.remarks:
        out.merknad.append(
            (
                remark_id,
                remark.case.id if remark.case else None,
                remark.post.id if remark.post else None,
                remark.text,
                remark.type,
                ts(remark.dato, 840),
                remark.by,
            )
        )
        remark_id += 1
    return out


# --- Writing ----------------------------------------------------------------------------------


async def _bulk(
    tx: Any, engine: Any, table: str, rows: Sequence[tuple[Any, ...]], progress: Progress | None = None
) -> None:
    """Insert ``rows`` with the driver's bulk path inside the open Piccolo transaction ``tx``."""
    if not rows:
        return
    clock = time.perf_counter()
    try:
        await _bulk_rows(tx, engine, table, rows, progress)
    finally:
        log.debug("demodata: %s: %d rader på %.2f s", table, len(rows), time.perf_counter() - clock)


async def _bulk_rows(
    tx: Any, engine: Any, table: str, rows: Sequence[tuple[Any, ...]], progress: Progress | None
) -> None:
    columns = COLUMNS[table]
    if isinstance(engine, PostgresEngine):
        for start in range(0, len(rows), 50_000):
            chunk = rows[start : start + 50_000]
            await tx.connection.copy_records_to_table(table, records=chunk, columns=list(columns))
            if progress is not None:
                progress.advance(len(chunk))
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"  # noqa: S608
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        await tx.connection.executemany(sql, chunk)
        if progress is not None:
            progress.advance(len(chunk))


def _store_files(settings: Settings, files: dict[str, bytes]) -> None:
    store = FileStore.from_settings(settings)
    missing = [content for digest, content in files.items() if not store.exists(digest)]
    if not missing:
        return
    with ThreadPoolExecutor(max_workers=32) as pool:  # fsync-bound, not CPU-bound
        list(pool.map(store.put, missing))


async def write(
    settings: Settings, planner: Planner, org: Org, rng: random.Random, progress: Progress | None = None
) -> None:
    """Write the planned records set-based in one transaction; ``progress`` counts the rows
    of the seven record tables as they are inserted."""
    engine = Journalpost._meta.db
    years = {c.saksdato.year for c in planner.cases} | {p.dato.year for c in planner.cases for p in c.posts}
    clock = time.perf_counter()
    async with writing(Journalpost) as tx:
        if isinstance(engine, PostgresEngine):
            # Ids are reserved here; keep other writers out until the sequences are moved on.
            locked: list[type[Table]] = [*RECORD_TABLES, Nummerserie]
            names = ", ".join(t._meta.tablename for t in locked)
            await Journalpost.raw(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")
        else:
            # A bigger page cache for this connection only: the indexes of a large load fit.
            await tx.connection.execute("PRAGMA cache_size = -262144")
        counters = await _counters(sorted(years))
        _assign_numbers(planner, counters)
        planner.documents(org, {})
        rows = _rows(planner, counters, org, rng)
        log.info("demodata: rader laget på %.1f s", time.perf_counter() - clock)
        clock = time.perf_counter()
        _store_files(settings, rows.files)
        if progress is not None:
            progress.start(sum(map(len, (getattr(rows, table[5:]) for table in PROGRESS_TABLES))))
        log.info("demodata: %d filer lagret på %.1f s", len(rows.files), time.perf_counter() - clock)
        clock = time.perf_counter()
        await _bulk(tx, engine, "core_saksmappe", rows.saksmappe, progress)
        await _bulk(tx, engine, "core_journalpost", rows.journalpost, progress)
        await _bulk(tx, engine, "core_korrespondansepart", rows.korrespondansepart, progress)
        if rows.journalpost:
            # Fordeling's sender suggestions learn the new posts' handlers (one set-based statement).
            await sender_handlers.record_posts_from(min(int(row[0]) for row in rows.journalpost))
        await _bulk(tx, engine, "core_avskrivning", rows.avskrivning, progress)
        await _bulk(tx, engine, "core_dokumentbeskrivelse", rows.dokumentbeskrivelse, progress)
        await _bulk(tx, engine, "core_dokumentobjekt", rows.dokumentobjekt, progress)
        await _bulk(tx, engine, "core_merknad", rows.merknad, progress)
        for year, last in counters.sak.items():
            await numbering.raise_to("sak", year, last)
        for year, last in counters.journal.items():
            await numbering.raise_to("journal", year, last)
        # The cases are new, so their journalpost series are too: one row each, set-based.
        await _bulk(tx, engine, "core_nummerserie", rows.series)
        if isinstance(engine, PostgresEngine):
            for table in RECORD_TABLES:
                name = table._meta.tablename
                await table.raw(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                )
    log.info(
        "demodata: %d journalposter skrevet på %.1f s", len(rows.journalpost), time.perf_counter() - clock
    )
