"""Write side of the Noark 5 import: a batch of parsed saksmapper → rows, set-based.

:class:`Writer` runs inside the import's one write transaction. Per batch it asks the database
once per table which systemIDs exist, which numbers are taken and which referenced posts exist,
then takes ids for each table's new rows and loads them with the driver's bulk path
(:func:`insert`: ``COPY`` on PostgreSQL, ``executemany`` on SQLite). Queries per batch are a
fixed handful, whatever the batch holds; only units and people that must be created, and number
allocations, cost a query each.

Keys: ``systemID`` is the key of saksmappe, journalpost, dokumentbeskrivelse and dokumentobjekt
(stored as it is, UUID or not). A record whose systemID exists is left unchanged and counted as
already present; its new children are still added. A systemID used in the file for a second
record under another parent (seen in real extractions) gets a derived, stable key
(:func:`derived_key`), with a warning, so the record is not lost and a re-import finds it again.
v3.1/v4.0 dokumentobjekt have no systemID; theirs is derived from the document's. dokumentflyt has
no systemID in any version: a step's key is derived from its post's key, what it says and how
many identical steps precede it on the post, so a re-import adds only steps that are new (a later
extraction's further steps on a post already imported).

Numbers: the file's saksaar/sakssekvensnummer, journalpostnummer and journalaar/
journalsekvensnummer are kept. A number that is missing, or already taken by another record,
is allocated (:mod:`core.archive.numbering`), with a warning when it was taken. The import
reads the file once, so allocation waits for the end of the file: such a record is written with
a temporary negative number, and :meth:`Writer.allocate` then raises the counters above both the
file's and the database's numbers and gives it the next one, so an allocated number never
collides with one further down the file.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from piccolo.columns import Column, ForeignKey
from piccolo.engine.postgres import PostgresEngine
from piccolo.query import Max
from piccolo.querystring import QueryString
from piccolo.table import Table

from core.archive import numbering, sender_handlers
from core.archive.noark5.import_directory import Directory
from core.archive.noark5.import_model import (
    ImportSummary,
    ParsedCase,
    ParsedDocument,
    ParsedFlow,
    ParsedNote,
    ParsedPost,
    ParsedVersion,
    Warnings,
)
from core.archive.noark5.reader import ReadStats
from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentflyt,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Nummerserie,
    Saksmappe,
)
from core.timeutil import now

KEY_NAMESPACE = uuid.UUID("0c5b8f2e-4f0a-5c55-8d7e-3f2a9c1b6d40")
"""Namespace of the keys the import derives (fixed: the same file gives the same keys)."""

PLACEHOLDER_BASE = -1_000_000_000
"""Temporary sequence numbers count down from here (:meth:`Writer._placeholder`)."""

IN_CHUNK = 900
"""Values per ``IN (…)`` list."""


def derived_key(kind: str, system_id: str, parent_key: str, extra: str = "") -> str:
    """A stable key for a record whose systemID is missing or used twice: UUID5 of its parent."""
    return str(uuid.uuid5(KEY_NAMESPACE, f"{kind}:{parent_key}:{system_id}:{extra}"))


def chunks(values: Sequence[Any], size: int = IN_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


Row = dict[str, Any]


async def insert(table: type[Table], rows: list[Row]) -> list[int]:
    """Insert ``rows`` (column name → value; unnamed columns get their default) with the
    driver's bulk path, and return their new ids in the order of ``rows``.

    The ids are taken first (:func:`new_ids`), so no row has to be returned: PostgreSQL loads
    the rows with ``COPY`` (asyncpg's binary ``copy_records_to_table``), SQLite with
    ``executemany`` of one prepared ``INSERT``, both on the connection of the import's
    transaction. The values are the same as through Piccolo (the drivers and Piccolo's SQLite
    adapters convert dates and timestamps); for tens of thousands of rows this is several times
    faster than building Piccolo instances or multi-row ``VALUES`` statements.
    """
    if not rows:
        return []
    columns = {c._meta.name: c for c in table._meta.columns if not c._meta.primary_key}
    shape = rows[0].keys()
    given = list(shape)
    pick = itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
    # The usual case: every row built by the same dict literal, so the values are picked by one
    # itemgetter, in C. A row with as many keys as the first but another key among them makes
    # the itemgetter raise KeyError (comparing each row's keys with the first's, as sets, cost
    # a tenth of a second per 100 000 rows); such rows are read one by one below.
    picked: list[Any] | None = None
    if all(map(len(shape).__eq__, map(len, rows))):
        with contextlib.suppress(KeyError):
            picked = list(map(pick, rows))
    same = picked is not None
    unknown = (shape if same else {name for row in rows for name in row}) - columns.keys()
    if unknown:
        raise ValueError(f"{table._meta.tablename} has no column {', '.join(sorted(unknown))}")
    ids = await new_ids(table, len(rows))
    if picked is not None:
        # The columns left out get their defaults as a constant tail.
        missing = [name for name in columns if name not in shape]
        tail = tuple(columns[name].get_default_value() for name in missing)
        records = [(row_id, *values, *tail) for row_id, values in zip(ids, picked, strict=True)]
    else:
        given = list(columns)
        missing = []
        defaults = [c.get_default_value() for c in columns.values()]
        records = [(row_id, *map(row.get, given, defaults)) for row_id, row in zip(ids, rows, strict=True)]
    names = [table._meta.primary_key._meta.db_column_name] + [
        columns[name]._meta.db_column_name for name in given + missing
    ]
    connection = _connection(table)
    if isinstance(table._meta.db, PostgresEngine):
        await connection.copy_records_to_table(table._meta.tablename, records=records, columns=names)
    else:
        listed = ", ".join(f'"{name}"' for name in names)
        sql = (
            f'INSERT INTO "{table._meta.tablename}" ({listed}) '  # noqa: S608 (names from the table)
            f"VALUES ({', '.join('?' * len(names))})"
        )
        await connection.executemany(sql, records)
    return ids


async def new_ids(table: type[Table], count: int) -> list[int]:
    """``count`` ids for new rows of ``table``, increasing. PostgreSQL: from the table's
    sequence (safe beside other writers). SQLite: above the highest id, which nobody else can
    change while the import's IMMEDIATE transaction holds the write lock (``INTEGER PRIMARY
    KEY`` without ``AUTOINCREMENT`` takes the same ids itself)."""
    pk = table._meta.primary_key._meta.db_column_name
    name = table._meta.tablename
    if isinstance(table._meta.db, PostgresEngine):
        # The sequence looked up once (MATERIALIZED): as the argument of nextval it was looked
        # up by name for every row, ten times the cost of the nextval. One array: decoded in C.
        rows = await select(
            table,
            "WITH s AS MATERIALIZED ("  # noqa: S608
            f"SELECT pg_get_serial_sequence('{name}', '{pk}')::regclass AS seq) "
            "SELECT array_agg(nextval(s.seq)) AS ids FROM s, generate_series(1, $1)",
            [count],
        )
        return sorted(rows[0]["ids"])
    rows = await select(table, f'SELECT MAX("{pk}") AS id FROM "{name}"', [])  # noqa: S608
    first = int(rows[0]["id"] or 0) + 1
    return list(range(first, first + count))


def _connection(table: type[Table]) -> Any:
    """The driver connection of the transaction the import runs in."""
    transaction = table._meta.db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("the import writes inside its transaction (core.db.writing)")
    return transaction.connection


async def select(table: type[Table], sql: str, args: list[Any]) -> list[dict[str, Any]]:
    """Rows of a statement already in the driver's form (:class:`Compiled`), as dicts."""
    return list(await table._meta.db.run_querystring(Compiled(sql, args)) or [])


async def select_in(
    table: type[Table], sql: str, column: str, values: Sequence[Any], sql_type: str
) -> list[dict[str, Any]]:
    """``sql`` (which ends in ``WHERE``) with the condition ``column`` is one of ``values``:
    on PostgreSQL one array parameter (``= ANY($1::type[])``), on SQLite ``IN (?, …)`` in
    chunks under the parameter limit."""
    if not values:
        return []
    if isinstance(table._meta.db, PostgresEngine):
        return await select(table, f"{sql} {column} = ANY($1::{sql_type}[])", [list(values)])
    found: list[dict[str, Any]] = []
    for chunk in chunks(values):
        found += await select(table, f"{sql} {column} IN ({', '.join('?' * len(chunk))})", list(chunk))
    return found


class Compiled(QueryString):
    """A statement already in the driver's form (``?`` or ``$n`` placeholders) with its values.

    Piccolo compiles a :class:`QueryString` by splitting its template at every ``{}`` and
    converting each value; for statements with thousands of values that costs more than the
    statement, so the import writes the placeholders itself and hands the statement over as is
    (same engine, same transaction, same driver conversions).
    """

    def __init__(self, sql: str, args: list[Any]) -> None:
        super().__init__("")
        self.sql = sql
        self.values = args

    def compile_string(self, engine_type: str = "postgres") -> tuple[str, list[Any]]:
        return self.sql, self.values


@dataclass
class Keyed:
    """One record of a level: its key, whether it is new, and (once known) its row id."""

    key: str
    new: bool
    line: int
    id: int | None = None


class Writer:
    """Writes batches of parsed cases; one instance per import (inside its transaction)."""

    def __init__(self, summary: ImportSummary, warnings: Warnings, directory: Directory) -> None:
        self.summary = summary
        self.warnings = warnings
        self.directory = directory
        self.start_ids: dict[str, int] = {}
        self.deferred: list[tuple[int, str, int]] = []
        """(avskrivning id, referenced systemID, line): answers not yet seen."""
        self.placeholders = 0
        self.cases_waiting: list[tuple[int, int, int | None, int]] = []
        """(saksmappe id, saksaar, the file's number or None, line): numbers to allocate."""
        self.posts_waiting: list[tuple[int, int, int | None, int]] = []
        """(journalpost id, journalaar, the file's number or None, line): numbers to allocate."""
        self.analyzed_rows = -1
        """Rows inserted when the planner statistics were last refreshed (PostgreSQL)."""
        self.handlers_from: int | None = None
        """The first imported journalpost whose recipients have a handler: fordeling's
        sender suggestions learn them all in :meth:`finish` (one set-based statement)."""
        self.repeated: set[str] = set()
        """Keys of this batch's records that repeat one seen before; their children repeat too
        and are not warned about again."""

    # -- before and after ------------------------------------------------------------------

    async def prepare(self) -> None:
        """Note the highest ids (to tell rows of this import apart from those before it)."""
        await self.refresh_statistics()
        for table in (Saksmappe, Journalpost, Dokumentbeskrivelse, Dokumentobjekt):
            row = await table.select(Max(table.id).as_alias("m")).first()
            self.start_ids[table._meta.tablename] = int((row or {}).get("m") or 0)

    def _placeholder(self) -> int:
        """A temporary sak/journal sequence number for a record whose number is allocated at
        the end (:meth:`allocate`): negative, so it meets no real number."""
        self.placeholders += 1
        return PLACEHOLDER_BASE - self.placeholders

    async def allocate(self, stats: ReadStats) -> None:
        """Raise the sak/journal counters of the file's years above the file's and the
        database's numbers, then give each record that had no free number the next one.

        Allocation waits for the end of the file: only then are the file's own numbers known,
        so an allocated number never takes one that a record further down the file has."""
        for serie, table, year_col, seq_col, file_max, waiting in (
            (
                "sak",
                Saksmappe,
                Saksmappe.saksaar,
                Saksmappe.sakssekvensnummer,
                stats.sak_max,
                self.cases_waiting,
            ),
            (
                "journal",
                Journalpost,
                Journalpost.journalaar,
                Journalpost.journalsekvensnummer,
                stats.journal_max,
                self.posts_waiting,
            ),
        ):
            years = sorted(set(file_max) | {year for _id, year, _w, _l in waiting})
            if not years:
                continue
            rows = await (
                table.select(year_col.as_alias("aar"), Max(seq_col).as_alias("m"))
                .where(year_col.is_in(years))
                .group_by(year_col)
            )
            db_max = {int(r["aar"]): int(r["m"] or 0) for r in rows}
            for year in years:
                await numbering.raise_to(serie, year, max(file_max.get(year, 0), db_max.get(year, 0)))
            for row_id, year, wanted, line in waiting:
                allocated = await numbering.next_number(serie, year)
                await table.update({seq_col: allocated}).where(table._meta.primary_key == row_id)
                if wanted is None:
                    continue
                if serie == "sak":
                    self.warnings.add(
                        line,
                        f"<saksmappe> har saksnummer {numbering.mappe_id(year, wanted)}, som alt er "
                        f"brukt av en annen sak; fikk nummeret {numbering.mappe_id(year, allocated)}.",
                        key="case-number-taken",
                    )
                else:
                    self.warnings.add(
                        line,
                        f"<journalpost> har journalnummer {year}/{wanted}, som alt er brukt; "
                        f"fikk {year}/{allocated}.",
                        key="journal-number-taken",
                    )
            waiting.clear()

    async def refresh_statistics(self) -> None:
        """PostgreSQL only: ANALYZE the keyed tables when the import has doubled what it had
        inserted at the last refresh. Without statistics the planner answers the per-batch
        «which of these systemIDs exist» queries with sequential scans, which grow with the
        table; ANALYZE inside the transaction counts the transaction's own rows."""
        if not isinstance(Saksmappe._meta.db, PostgresEngine):
            return
        inserted = self.summary.journalposter_new + self.summary.dokumenter_new + self.summary.saksmapper_new
        if self.analyzed_rows >= 0 and inserted < max(2_000, 2 * self.analyzed_rows):
            return
        names = ", ".join(
            t._meta.tablename for t in (Saksmappe, Journalpost, Dokumentbeskrivelse, Dokumentobjekt)
        )
        await Saksmappe.raw(f"ANALYZE {names}")
        self.analyzed_rows = inserted

    async def finish(self, stats: ReadStats) -> None:
        """After the last batch: allocate the numbers that waited (:meth:`allocate`), tell
        fordeling's sender suggestions the imported handlers, and link avskrivninger to
        answering posts that came later in the file."""
        await self.allocate(stats)
        if self.handlers_from is not None:
            await sender_handlers.record_posts_from(self.handlers_from)
        if not self.deferred:
            return
        refs = sorted({ref for _id, ref, _line in self.deferred})
        found = await self._system_ids(Journalpost, refs)
        by_target: dict[int, list[int]] = defaultdict(list)
        for avskrivning_id, ref, line in self.deferred:
            if ref in found:
                by_target[found[ref]].append(avskrivning_id)
            else:
                self.warnings.add(
                    line,
                    f"<referanseAvskrivesAvJournalpost> «{ref}» finnes verken i filen eller i arkivet; "
                    "avskrivningen står uten svarpost.",
                    key="unresolved-reference",
                )
        for target, ids in by_target.items():
            for chunk in chunks(ids):
                await Avskrivning.update({Avskrivning.avskrives_av_journalpost: target}).where(
                    Avskrivning.id.is_in(list(chunk))
                )
        self.deferred = []

    # -- one batch -------------------------------------------------------------------------

    async def write(self, cases: list[ParsedCase]) -> None:
        s = self.summary
        self.repeated = set()
        case_keys = await self._keys("saksmappe", Saksmappe, None, [(c.system_id, "", c.line) for c in cases])
        post_items = [(c, p) for c, k in zip(cases, case_keys, strict=True) for p in c.posts]
        case_key_of = {id(c): k for c, k in zip(cases, case_keys, strict=True)}
        post_keys = await self._keys(
            "journalpost",
            Journalpost,
            Journalpost.saksmappe,
            [(p.system_id, case_key_of[id(c)].key, p.line) for c, p in post_items],
        )
        post_key_of = {id(p): k for (_c, p), k in zip(post_items, post_keys, strict=True)}
        doc_items = [(p, d) for _c, p in post_items for d in p.documents]
        doc_keys = await self._keys(
            "dokumentbeskrivelse",
            Dokumentbeskrivelse,
            Dokumentbeskrivelse.journalpost,
            [(d.system_id, post_key_of[id(p)].key, d.line) for p, d in doc_items],
        )
        doc_key_of = {id(d): k for (_p, d), k in zip(doc_items, doc_keys, strict=True)}
        version_items = [(d, v) for _p, d in doc_items for v in d.versions]
        version_keys = await self._keys(
            "dokumentobjekt",
            Dokumentobjekt,
            Dokumentobjekt.dokumentbeskrivelse,
            [
                (
                    v.system_id
                    or derived_key(
                        "dokumentobjekt", "", doc_key_of[id(d)].key, f"{v.versjonsnummer}:{v.variantformat}"
                    ),
                    doc_key_of[id(d)].key,
                    v.line,
                )
                for d, v in version_items
            ],
        )

        s.saksmapper_new += sum(k.new for k in case_keys)
        s.saksmapper_present += sum(not k.new for k in case_keys)
        s.journalposter_new += sum(k.new for k in post_keys)
        s.journalposter_present += sum(not k.new for k in post_keys)
        s.dokumenter_new += sum(k.new for k in doc_keys)
        s.dokumenter_present += sum(not k.new for k in doc_keys)

        new_cases = [(c, k) for c, k in zip(cases, case_keys, strict=True) if k.new]
        await self._insert_cases(new_cases)
        case_ids = _ids(case_keys)
        new_posts = [(c, p, post_key_of[id(p)]) for c, p in post_items if post_key_of[id(p)].new]
        await self._insert_posts(new_posts, case_ids, case_key_of)
        new_docs = [(p, d, doc_key_of[id(d)]) for p, d in doc_items if doc_key_of[id(d)].new]
        await self._insert_documents(new_docs, _ids(post_keys), post_key_of)
        new_versions = [(d, v, k) for (d, v), k in zip(version_items, version_keys, strict=True) if k.new]
        await self._insert_versions(new_versions, _ids(doc_keys), doc_key_of)
        await self._insert_flows(post_items, post_key_of, _ids(post_keys))
        await self.refresh_statistics()

    async def _keys(
        self,
        kind: str,
        table: type[Table],
        parent: ForeignKey[Any] | None,
        items: list[tuple[str, str, int]],
    ) -> list[Keyed]:
        """The key of each (systemID, parent key, line) and whether its row is new."""
        start_id = self.start_ids.get(table._meta.tablename, 0)
        existing = await self._existing(table, parent, [sid for sid, _p, _l in items])
        seen: dict[str, str] = {}
        result: list[Keyed] = []
        retry: list[int] = []
        for index, (sid, parent_key, line) in enumerate(items):
            if sid in existing:
                row_id, row_parent = existing[sid]
                if parent is None or row_parent == parent_key:
                    if row_id > start_id:
                        self._duplicate(kind, sid, parent_key, line)
                    result.append(Keyed(sid, False, line, row_id))
                    continue
            elif sid in seen:
                if parent is None or seen[sid] == parent_key:
                    self._duplicate(kind, sid, parent_key, line)
                    result.append(Keyed(sid, False, line))
                    continue
            else:
                seen[sid] = parent_key
                result.append(Keyed(sid, True, line))
                continue
            key = derived_key(kind, sid, parent_key)
            self.warnings.add(
                line,
                f"<{kind}> har systemID «{sid}», som alt brukes av en annen {kind} under en annen "
                f"forelder; lagret med systemID «{key}».",
                key=f"reused-id:{kind}",
            )
            result.append(Keyed(key, True, line))
            retry.append(index)
        if retry:
            derived = await self._existing(table, None, [result[i].key for i in retry])
            for i in retry:
                keyed = result[i]
                if keyed.key in derived:
                    keyed.new, keyed.id = False, derived[keyed.key][0]
                elif keyed.key in seen:
                    keyed.new = False
                else:
                    seen[keyed.key] = ""
        return result

    def _duplicate(self, kind: str, sid: str, parent_key: str, line: int) -> None:
        """A record that repeats one earlier in the file: imported once, warned about once
        (not again for each of its children)."""
        quiet = parent_key in self.repeated
        self.repeated.add(sid)
        if quiet:
            return
        self.warnings.add(
            line,
            f"<{kind}> med systemID «{sid}» står flere ganger i filen; den ble importert én gang.",
            key=f"duplicate:{kind}",
        )

    async def _existing(
        self, table: type[Table], parent: ForeignKey[Any] | None, sids: list[str]
    ) -> dict[str, tuple[int, str | None]]:
        """systemID → (id, the parent's systemID) of the rows that exist (``parent``: the
        foreign key to the level above)."""
        name = table._meta.tablename
        if parent is None:
            sql = f'SELECT c."id" AS id, c."system_id" AS system_id, NULL AS parent FROM "{name}" c WHERE'  # noqa: S608
        else:
            above = parent._foreign_key_meta.resolved_references._meta.tablename
            sql = (
                f'SELECT c."id" AS id, c."system_id" AS system_id, p."system_id" AS parent '  # noqa: S608
                f'FROM "{name}" c LEFT JOIN "{above}" p ON p."id" = c."{parent._meta.db_column_name}" WHERE'
            )
        rows = await select_in(table, sql, 'c."system_id"', sorted(set(sids)), "varchar")
        return {row["system_id"]: (int(row["id"]), row["parent"]) for row in rows}

    async def _system_ids(self, table: type[Table], sids: Sequence[str]) -> dict[str, int]:
        """systemID → id of the rows of ``table`` that exist."""
        sql = f'SELECT "id" AS id, "system_id" AS system_id FROM "{table._meta.tablename}" WHERE'  # noqa: S608
        return {
            row["system_id"]: int(row["id"])
            for row in await select_in(table, sql, '"system_id"', sids, "varchar")
        }

    # -- saksmapper ------------------------------------------------------------------------

    async def _insert_cases(self, new_cases: list[tuple[ParsedCase, Keyed]]) -> None:
        if not new_cases:
            return
        taken = await self._taken_pairs(
            Saksmappe.saksaar,
            Saksmappe.sakssekvensnummer,
            [(c.saksaar, c.sakssekvensnummer) for c, _k in new_cases if c.sakssekvensnummer is not None],
        )
        rows: list[Row] = []
        waiting: list[int] = []
        for index, (case, keyed) in enumerate(new_cases):
            nummer = case.sakssekvensnummer
            if nummer is None or (case.saksaar, nummer) in taken:
                waiting.append(index)
                nummer = self._placeholder()
            taken.add((case.saksaar, nummer))
            enhet = await self.directory.unit(case.enhet)
            rows.append(
                dict(
                    system_id=keyed.key,
                    saksaar=case.saksaar,
                    sakssekvensnummer=nummer,
                    tittel=case.tittel,
                    offentlig_tittel=case.offentlig_tittel,
                    saksstatus=case.saksstatus,
                    administrativ_enhet=enhet,
                    saksansvarlig=await self.directory.person(case.saksansvarlig, enhet),
                    saksdato=case.saksdato,
                    opprettet_dato=case.opprettet_dato,
                    opprettet_av=await self.directory.person(case.opprettet_av),
                    avsluttet_dato=case.avsluttet_dato,
                    tilgangsrestriksjon=case.tilgangsrestriksjon,
                    skjermingshjemmel=case.skjermingshjemmel,
                )
            )
        for (_case, keyed), row_id in zip(new_cases, await insert(Saksmappe, rows), strict=True):
            keyed.id = row_id
        for index in waiting:
            case, keyed = new_cases[index]
            assert keyed.id is not None
            self.cases_waiting.append((keyed.id, case.saksaar, case.sakssekvensnummer, case.line))
        notes = []
        for case, keyed in new_cases:
            for note in case.notes:
                notes.append(await self._merknad(note, saksmappe=keyed.id))
        await self._insert_notes(notes)

    async def _taken_pairs(
        self, year_col: Column, seq_col: Column, pairs: list[tuple[int, int | None]]
    ) -> set[tuple[int, int]]:
        """Which (year, number) pairs exist (one query; filtered in Python)."""
        wanted = {(y, n) for y, n in pairs if n is not None}
        if not wanted:
            return set()
        table = year_col._meta.table
        year, seq = f'"{year_col._meta.db_column_name}"', f'"{seq_col._meta.db_column_name}"'
        years = ", ".join(str(int(y)) for y in sorted({y for y, _n in wanted}))
        sql = f'SELECT {year} AS y, {seq} AS n FROM "{table._meta.tablename}" WHERE {year} IN ({years}) AND'  # noqa: S608
        rows = await select_in(table, sql, seq, sorted({n for _y, n in wanted}), "int")
        return {(r["y"], r["n"]) for r in rows} & wanted

    async def _merknad(
        self, note: ParsedNote, *, saksmappe: int | None = None, journalpost: int | None = None
    ) -> Row:
        return dict(
            saksmappe=saksmappe,
            journalpost=journalpost,
            merknadstekst=note.merknadstekst,
            merknadstype=note.merknadstype,
            merknadsdato=note.merknadsdato,
            registrert_av=await self.directory.person(note.registrert_av),
        )

    async def _insert_notes(self, notes: list[Row]) -> None:
        if notes:
            await insert(Merknad, list(notes))
            self.summary.merknader_new += len(notes)

    # -- journalposter ---------------------------------------------------------------------

    async def _insert_posts(
        self,
        new_posts: list[tuple[ParsedCase, ParsedPost, Keyed]],
        case_ids: dict[str, int],
        case_key_of: dict[int, Keyed],
    ) -> None:
        if not new_posts:
            return
        case_of = {id(p): case_ids[case_key_of[id(c)].key] for c, p, _k in new_posts}
        # journalpostnummer: unique per case
        old_cases = sorted({case_of[id(p)] for c, p, _k in new_posts if not case_key_of[id(c)].new})
        used: dict[int, set[int]] = defaultdict(set)
        for chunk in chunks(old_cases):
            for row in await Journalpost.select(Journalpost.saksmappe, Journalpost.journalpostnummer).where(
                Journalpost.saksmappe.is_in(list(chunk))
            ):
                used[row["saksmappe"]].add(row["journalpostnummer"])
        numbers = self._number_within(
            [(case_of[id(p)], p.journalpostnummer, p.line) for _c, p, _k in new_posts],
            used,
            "journalpost",
            "journalpostnummer",
            "i saken",
        )
        # journalaar/journalsekvensnummer: unique over the archive
        taken = await self._taken_pairs(
            Journalpost.journalaar,
            Journalpost.journalsekvensnummer,
            [(p.journalaar, p.journalsekvensnummer) for _c, p, _k in new_posts],
        )
        rows: list[Row] = []
        waiting: list[int] = []
        for index, ((_case, post, keyed), nummer) in enumerate(zip(new_posts, numbers, strict=True)):
            sekvens = post.journalsekvensnummer
            if sekvens is None or (post.journalaar, sekvens) in taken:
                waiting.append(index)
                sekvens = self._placeholder()
            taken.add((post.journalaar, sekvens))
            enhet = await self.directory.unit(post.enhet)
            rows.append(
                dict(
                    system_id=keyed.key,
                    saksmappe=case_of[id(post)],
                    journalaar=post.journalaar,
                    journalsekvensnummer=sekvens,
                    journalpostnummer=nummer,
                    journalposttype=post.journalposttype,
                    journalstatus=post.journalstatus,
                    tittel=post.tittel,
                    offentlig_tittel=post.offentlig_tittel,
                    journaldato=post.journaldato,
                    dokumentets_dato=post.dokumentets_dato,
                    mottatt_dato=post.mottatt_dato,
                    sendt_dato=post.sendt_dato,
                    forfallsdato=post.forfallsdato,
                    administrativ_enhet=enhet,
                    saksbehandler=await self.directory.person(post.behandler, enhet),
                    tilgangsrestriksjon=post.tilgangsrestriksjon,
                    skjermingshjemmel=post.skjermingshjemmel,
                    opprettet_dato=post.opprettet_dato,
                    opprettet_av=await self.directory.person(post.opprettet_av),
                )
            )
        for (_c, _p, keyed), row_id in zip(new_posts, await insert(Journalpost, rows), strict=True):
            keyed.id = row_id
        for index in waiting:
            _case, post, keyed = new_posts[index]
            assert keyed.id is not None
            self.posts_waiting.append((keyed.id, post.journalaar, post.journalsekvensnummer, post.line))
        await self._journalpost_series(new_posts, case_of, case_key_of, numbers)
        await self._insert_parts_and_writeoffs(new_posts)
        notes = []
        for _c, post, keyed in new_posts:
            for note in post.notes:
                notes.append(await self._merknad(note, journalpost=keyed.id))
        await self._insert_notes(notes)

    def _number_within(
        self,
        items: list[tuple[Any, int | None, int]],
        used: dict[Any, set[int]],
        kind: str,
        field_name: str,
        where: str,
    ) -> list[int]:
        """Numbers unique within a parent: (parent, wanted number, line) → number. The file's
        number is kept unless the parent already has it; then, and when missing, the next
        after the parent's highest (after every kept number is placed)."""
        result: list[int | None] = []
        for parent, wanted, _line in items:
            if wanted is not None and wanted not in used[parent]:
                used[parent].add(wanted)
                result.append(wanted)
            else:
                result.append(None)
        final: list[int] = []
        for (parent, wanted, line), number in zip(items, result, strict=True):
            if number is None:
                number = max(used[parent], default=0) + 1
                used[parent].add(number)
                if wanted is not None:
                    self.warnings.add(
                        line,
                        f"<{kind}> har {field_name} {wanted}, som alt er brukt {where}; fikk {number}.",
                        key=f"taken:{kind}:{field_name}",
                    )
            final.append(number)
        return final

    async def _journalpost_series(
        self,
        new_posts: list[tuple[ParsedCase, ParsedPost, Keyed]],
        case_of: dict[int, int],
        case_key_of: dict[int, Keyed],
        numbers: list[int],
    ) -> None:
        """Raise each case's journalpost series (``jp:<case id>``, aar 0) above its posts."""
        highest: dict[int, int] = {}
        fresh: set[int] = set()
        for (case, post, _k), nummer in zip(new_posts, numbers, strict=True):
            case_id = case_of[id(post)]
            highest[case_id] = max(highest.get(case_id, 0), nummer)
            if case_key_of[id(case)].new:
                fresh.add(case_id)
        series = [(numbering.journalpost_serie(i), v) for i, v in highest.items() if i in fresh]
        for chunk in chunks(series):
            names = [name for name, _v in chunk]
            # A new case has no series yet, unless a deleted case left one under a reused id.
            await Nummerserie.delete().where(Nummerserie.serie.is_in(names), Nummerserie.aar == 0)
            await insert(Nummerserie, [{"serie": name, "aar": 0, "siste": v} for name, v in chunk])
        for case_id, value in highest.items():
            if case_id not in fresh:
                await numbering.raise_to(numbering.journalpost_serie(case_id), 0, value)

    async def _insert_parts_and_writeoffs(
        self, new_posts: list[tuple[ParsedCase, ParsedPost, Keyed]]
    ) -> None:
        parts: list[Row] = []
        owners: list[tuple[ParsedPost, int]] = []
        for _c, post, keyed in new_posts:
            for index, part in enumerate(post.parts):
                enhet = await self.directory.unit(part.enhet)
                behandler = await self.directory.person(part.behandler, enhet)
                parts.append(
                    dict(
                        journalpost=keyed.id,
                        korrespondanseparttype=part.korrespondanseparttype,
                        navn=part.navn,
                        postadresse=part.postadresse,
                        postnummer=part.postnummer,
                        poststed=part.poststed,
                        epostadresse=part.epostadresse,
                        intern=part.intern,
                        administrativ_enhet=enhet,
                        saksbehandler=behandler,
                        fordelt_dato=post.opprettet_dato if part.recipient and behandler else None,
                        foreloepig_svar_dato=part.foreloepig_svar_dato,
                        journaldato=post.journaldato,
                    )
                )
                owners.append((post, index))
                self.summary.interne_mottakere_fra_saken += part.fallback
        part_ids = dict(
            zip([(id(p), i) for p, i in owners], await insert(Korrespondansepart, parts), strict=True)
        )
        self.summary.korrespondanseparter_new += len(parts)
        if self.handlers_from is None and any(row["saksbehandler"] is not None for row in parts):
            self.handlers_from = min(int(row["journalpost"]) for row in parts)

        post_ids = {p.system_id: k.id for _c, p, k in new_posts}
        refs = sorted(
            {w.referanse for _c, p, _k in new_posts for w in p.writeoffs if w.referanse} - set(post_ids)
        )
        post_ids.update(await self._system_ids(Journalpost, refs))
        rows: list[Row] = []
        pending: list[tuple[int, str, int]] = []
        registrert = now()
        for _c, post, keyed in new_posts:
            for writeoff in post.writeoffs:
                answer = post_ids.get(writeoff.referanse) if writeoff.referanse else None
                if writeoff.referanse and answer is None:
                    pending.append((len(rows), writeoff.referanse, writeoff.referanse_line))
                rows.append(
                    dict(
                        journalpost=keyed.id,
                        korrespondansepart=part_ids[(id(post), writeoff.part)]
                        if writeoff.part is not None
                        else None,
                        avskrivningsdato=writeoff.avskrivningsdato,
                        avskrevet_av=self.directory.find_person(writeoff.avskrevet_av),
                        avskrevet_av_navn=writeoff.avskrevet_av,
                        avskrivningsmaate=writeoff.avskrivningsmaate,
                        avskrives_av_journalpost=answer,
                        registrert=registrert,
                    )
                )
        ids = await insert(Avskrivning, rows)
        self.deferred += [(ids[index], ref, line) for index, ref, line in pending]
        self.summary.avskrivninger_new += len(rows)

    # -- dokumenter ------------------------------------------------------------------------

    async def _insert_documents(
        self,
        new_docs: list[tuple[ParsedPost, ParsedDocument, Keyed]],
        post_ids: dict[str, int],
        post_key_of: dict[int, Keyed],
    ) -> None:
        if not new_docs:
            return
        post_of = {id(d): post_ids[post_key_of[id(p)].key] for p, d, _k in new_docs}
        old_posts = sorted({post_of[id(d)] for p, d, _k in new_docs if not post_key_of[id(p)].new})
        used: dict[Any, set[int]] = defaultdict(set)
        for chunk in chunks(old_posts):
            for row in await Dokumentbeskrivelse.select(
                Dokumentbeskrivelse.journalpost, Dokumentbeskrivelse.dokumentnummer
            ).where(Dokumentbeskrivelse.journalpost.is_in(list(chunk))):
                used[row["journalpost"]].add(row["dokumentnummer"])
        numbers = self._number_within(
            [(post_of[id(d)], d.dokumentnummer, d.line) for _p, d, _k in new_docs],
            used,
            "dokumentbeskrivelse",
            "dokumentnummer",
            "i journalposten",
        )
        rows: list[Row] = [
            dict(
                system_id=keyed.key,
                journalpost=post_of[id(document)],
                dokumentnummer=nummer,
                tilknyttet_registrering_som=document.tilknyttet_registrering_som,
                dokumenttype=document.dokumenttype,
                dokumentstatus=document.dokumentstatus,
                tittel=document.tittel,
                tilgangsrestriksjon=document.tilgangsrestriksjon,
                opprettet_dato=document.opprettet_dato,
                opprettet_av=await self.directory.person(document.opprettet_av),
            )
            for (_p, document, keyed), nummer in zip(new_docs, numbers, strict=True)
        ]
        for (_p, _d, keyed), row_id in zip(new_docs, await insert(Dokumentbeskrivelse, rows), strict=True):
            keyed.id = row_id

    async def _insert_versions(
        self,
        new_versions: list[tuple[ParsedDocument, ParsedVersion, Keyed]],
        doc_ids: dict[str, int],
        doc_key_of: dict[int, Keyed],
    ) -> None:
        if not new_versions:
            return
        doc_of = {id(v): doc_ids[doc_key_of[id(d)].key] for d, v, _k in new_versions}
        old_docs = sorted({doc_of[id(v)] for d, v, _k in new_versions if not doc_key_of[id(d)].new})
        used: dict[Any, set[int]] = defaultdict(set)
        for chunk in chunks(old_docs):
            for row in await Dokumentobjekt.select(
                Dokumentobjekt.dokumentbeskrivelse,
                Dokumentobjekt.versjonsnummer,
                Dokumentobjekt.variantformat,
            ).where(Dokumentobjekt.dokumentbeskrivelse.is_in(list(chunk))):
                used[(row["dokumentbeskrivelse"], row["variantformat"])].add(row["versjonsnummer"])
        numbers = self._number_within(
            [((doc_of[id(v)], v.variantformat), v.versjonsnummer, v.line) for _d, v, _k in new_versions],
            used,
            "dokumentobjekt",
            "versjonsnummer",
            "for dokumentet og variantformatet",
        )
        rows: list[Row] = [
            dict(
                system_id=keyed.key,
                dokumentbeskrivelse=doc_of[id(version)],
                versjonsnummer=nummer,
                variantformat=version.variantformat,
                format=version.format,
                filnavn=version.filnavn,
                sjekksum=version.sjekksum,
                filstoerrelse=version.filstoerrelse,
                opprettet_dato=version.opprettet_dato,
                opprettet_av=await self.directory.person(version.opprettet_av),
            )
            for (_d, version, keyed), nummer in zip(new_versions, numbers, strict=True)
        ]
        await insert(Dokumentobjekt, rows)
        self.summary.dokumentobjekter_new += len(rows)

    # -- dokumentflyt ----------------------------------------------------------------------

    async def _insert_flows(
        self,
        post_items: list[tuple[ParsedCase, ParsedPost]],
        post_key_of: dict[int, Keyed],
        post_ids: dict[str, int],
    ) -> None:
        """The steps of the batch's posts (new or already present) whose derived key is not in
        the archive yet; names are linked to a person only when one matches (never created)."""
        keyed: list[tuple[str, int, ParsedFlow]] = []
        seen: set[str] = set()
        for _case, post in post_items:
            post_key = post_key_of[id(post)].key
            occurrences: dict[str, int] = defaultdict(int)
            for flow in post.flows:
                fingerprint = flow.fingerprint
                key = derived_key("dokumentflyt", str(occurrences[fingerprint]), post_key, fingerprint)
                occurrences[fingerprint] += 1
                if key not in seen and post_key in post_ids:
                    seen.add(key)
                    keyed.append((key, post_ids[post_key], flow))
        if not keyed:
            return
        existing = set(await self._system_ids(Dokumentflyt, [key for key, _post, _flow in keyed]))
        registrert = now()
        rows_to_insert: list[Row] = [
            dict(
                system_id=key,
                journalpost=journalpost_id,
                flyt_til=self.directory.find_person(flow.flyt_til),
                flyt_til_navn=flow.flyt_til,
                flyt_fra=self.directory.find_person(flow.flyt_fra),
                flyt_fra_navn=flow.flyt_fra,
                flyt_mottatt_dato=flow.flyt_mottatt_dato,
                flyt_sendt_dato=flow.flyt_sendt_dato,
                flyt_status=flow.flyt_status,
                flyt_merknad=flow.flyt_merknad,
                registrert=registrert,
            )
            for key, journalpost_id, flow in keyed
            if key not in existing
        ]
        await insert(Dokumentflyt, rows_to_insert)
        self.summary.dokumentflyt_new += len(rows_to_insert)


def _ids(keys: list[Keyed]) -> dict[str, int]:
    """key → row id of a level (existing rows and rows inserted in this batch)."""
    return {k.key: k.id for k in keys if k.id is not None}
