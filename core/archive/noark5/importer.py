"""``arkivrutiner import-noark5``: a Noark 5 extraction (``arkivstruktur.xml``) into the archive.

:func:`import_path` imports one file, all or nothing, in **one** streaming pass inside one
write transaction (:func:`core.db.writing`, IMMEDIATE on SQLite):

- The file is read a saksmappe at a time (:class:`~.reader.Reader`) and written a batch of
  saksmapper at a time, set-based (:class:`~.import_writer.Writer`); the reader runs in a
  process of its own (:class:`~.read_process.ReadProcess`), so the next batches are parsed on
  the other CPU while the last one is written.
- A file that is not XML, is truncated, lacks a record's key or journalposttype, or references
  a document file whose checksum differs is refused (:class:`ImportRefused`, Norwegian, naming
  the line and the element) wherever in the file that is found: the refusal rolls back every
  batch already written, so nothing of the file stays. Document files found next to the XML
  are put in the FileStore as their saksmappe is read (content-addressed): a refused import
  leaves at most unreferenced copies there, which the ``core.purge_files`` job removes.
- Numbers that must be allocated (missing, or taken by another record) wait for the end of
  the file (:meth:`~.import_writer.Writer.allocate`), when the file's own highest numbers per
  year are known, so an allocated number never takes one further down the file. The layout
  (v3.1/v4.0/v5.0) and the warnings are likewise complete only at the end.

Re-importing a file changes nothing: systemID is the key, and existing records are left as they
are («already present»). One audit event (``archive.imported``) records each import.

Memory stays bounded by a few batches of saksmapper (the one written, those read ahead),
whatever the file's size.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from piccolo.engine.postgres import PostgresEngine

from core import audit
from core.archive import ledger
from core.archive.filestore import FileStore
from core.archive.noark5 import VERSIONS, schemas
from core.archive.noark5.import_directory import Directory
from core.archive.noark5.import_indexes import build_indexes, defer_indexes, tune_connection
from core.archive.noark5.import_model import ImportRefused, ImportSummary, Warnings
from core.archive.noark5.import_writer import Writer
from core.archive.noark5.read_process import ReadProcess, fewer_collections
from core.archive.noark5.reader import check_root
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
from core.cli_support import Progress
from core.db import analyze, writing
from core.settings import Settings
from core.tables import Person, Unit

__all__ = ["ImportRefused", "ImportSummary", "fewer_collections", "import_path"]

ARKIVSTRUKTUR = "arkivstruktur.xml"
BATCH_CASES = 1_000
BATCH_POSTS = 5_000
"""A batch is written when it holds this many saksmapper or journalposter."""
ESTIMATE_CHUNK = 1 << 22
"""Bytes per read while counting the journal posts for the progress bar."""
FILLED_TABLES = (
    Saksmappe,
    Journalpost,
    Korrespondansepart,
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentobjekt,
    Dokumentflyt,
    Merknad,
    Nummerserie,
    Unit,
    Person,
)
"""The tables an import fills; analyzed when it has committed (:func:`core.db.analyze`)."""
LOADED_TABLES = FILLED_TABLES[:8]
"""The archive's tables among them: on PostgreSQL a first load builds their secondary indexes
and the foreign keys between them after the last batch (:func:`~.import_indexes.defer_indexes`)."""


def locate(path: Path) -> Path:
    """The arkivstruktur.xml to import: ``path`` itself, or the one in folder ``path``."""
    if path.is_dir():
        xml = path / ARKIVSTRUKTUR
        if not xml.is_file():
            raise ImportRefused(f"Fant ikke {ARKIVSTRUKTUR} i mappen {path}.")
        return xml
    if not path.is_file():
        raise ImportRefused(f"Fant ikke filen {path}.")
    return path


def check_schemas(xml: Path) -> list[str]:
    """The versions whose XSD ``xml`` validates against; refuses when there is none, with the
    first errors against the schema the file got furthest in."""
    errors = {version: schemas.validate(xml, version, limit=5) for version in VERSIONS}
    valid = [version for version in VERSIONS if not errors[version]]
    if valid:
        return valid
    best = max(VERSIONS, key=lambda v: (errors[v][0].line, VERSIONS.index(v)))
    listed = "; ".join(str(error) for error in errors[best])
    raise ImportRefused(
        f"Filen validerer ikke mot Noark 5 v3.1, v4.0 eller v5.0. Feil mot v{best}-skjemaet: {listed}"
    )


def estimate_posts(xml: Path) -> int:
    """The number of journal posts in ``xml``, for the progress bar: the occurrences of
    ``journalpost"`` (the end of ``xsi:type="journalpost"``), counted in the raw bytes, which
    costs a fraction of a parse. An estimate: the bar's closing line counts what was written."""
    count = 0
    tail = b""
    with xml.open("rb") as fh:
        while chunk := fh.read(ESTIMATE_CHUNK):
            data = tail + chunk
            count += data.count(b'journalpost"') + data.count(b"journalpost'")
            tail = data[-11:]  # shorter than the needle: no occurrence is counted twice
    return count


async def import_path(
    settings: Settings, path: Path, *, validate: bool = False, progress: Progress | None = None
) -> ImportSummary:
    """Import the Noark 5 extraction at ``path`` (an arkivstruktur.xml, or a folder holding one).

    Tables must be bound (``core.db.connected``). ``validate=True`` first validates the file
    against the official XSDs and refuses it when it fits none. Raises :class:`ImportRefused`
    (nothing imported) when the file cannot be imported. ``progress`` is told an estimate of
    the file's journal posts (:func:`estimate_posts`), then each batch's posts as it is written.
    """
    started = time.monotonic()
    xml = locate(Path(path))
    valid: list[str] | None = None
    if validate:
        valid = await asyncio.to_thread(check_schemas, xml)
    check_root(xml)
    warnings = Warnings()
    summary = ImportSummary(path=str(xml), valid_versions=valid)
    read = ReadProcess(
        xml,
        warnings,
        store=FileStore.from_settings(settings),
        batch_cases=BATCH_CASES,
        batch_posts=BATCH_POSTS,
        sqlite=not isinstance(Saksmappe._meta.db, PostgresEngine),
    )
    async with read:  # the child starts reading while the transaction is prepared
        if progress is not None:
            progress.start(await asyncio.to_thread(estimate_posts, xml))
        with fewer_collections():
            await _import(xml, read, summary, warnings, valid, progress)
    await analyze(FILLED_TABLES)
    summary.seconds = time.monotonic() - started
    return summary


async def _import(
    xml: Path,
    reader: ReadProcess,
    summary: ImportSummary,
    warnings: Warnings,
    valid: list[str] | None,
    progress: Progress | None,
) -> None:
    """The import's one transaction: read and write every batch, then the numbers, the
    ledger and the audit event."""
    async with writing(Saksmappe):
        await tune_connection(Saksmappe)  # SQLite: a larger page cache
        deferred = await defer_indexes(LOADED_TABLES)  # PostgreSQL, a first load only
        directory = await Directory.load()
        writer = Writer(summary, warnings, directory)
        await writer.prepare()
        async for batch in reader.batches():
            await writer.write(batch)
            if progress is not None:
                progress.advance(sum(len(case.posts) for case in batch))
        await build_indexes(Saksmappe, deferred)
        await writer.finish(reader.stats)
        await ledger.rebuild_all()  # set-based: cheaper than a refresh per imported post
        layout = reader.layout
        version = layout.version
        if valid is not None and version not in valid:
            version = valid[0]
        if layout.mixed:
            warnings.add(
                0, f"Filen blander oppsett fra Noark 5 v5.0 og v3.1/v4.0; den er lest som v{version}."
            )
        summary.version = version
        summary.units_created = directory.units_created
        summary.people_created = directory.people_created
        summary.files_stored = reader.stats.files_stored
        summary.skipped = reader.stats.skipped
        summary.not_imported = dict(reader.stats.not_imported)
        summary.warnings = warnings.lines()
        await audit.record(
            actor_id=None,
            action="archive.imported",
            object_type="import",
            object_id=_object_id(xml),
            summary=summary.headline(),
            details={**summary.counts(), "path": str(xml), "version": version},
        )


def _object_id(xml: Path) -> str:
    """The file name for the audit log (with its folder when it is the usual arkivstruktur.xml)."""
    name = f"{xml.parent.name}/{xml.name}" if xml.name == ARKIVSTRUKTUR and xml.parent.name else xml.name
    return name[-80:]
