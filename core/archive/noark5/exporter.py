"""``arkivrutiner export-noark5``: the archive as a Noark 5 v5.0 extraction (arkivstruktur.xml).

:func:`export_to` writes one ``arkiv`` with one ``arkivdel`` holding every case as
``mappe xsi:type="saksmappe"``, each with its ``registrering xsi:type="journalpost"`` (with
korrespondanseparter, avskrivninger, dokumentflyt, merknader, skjerming and dokumentbeskrivelser
with every stored version as a dokumentobjekt).

- ``out`` a folder: ``out/arkivstruktur.xml``, and each version's file copied from the FileStore
  to ``out/dokumenter/<sha256>/<filnavn>`` (the ``referanseDokumentfil``).
- ``out`` ending in ``.xml``: only that file (the references point where the files would be).

An own post (U/N/X/S) written by someone else than the case's saksansvarlig also gets a
korrespondansepart «Intern avsender» naming its unit and handler (:func:`internal_sender`).

The file is streamed (lxml incremental writer; records read a page of cases at a time, see
:mod:`.export_data`), written under a temporary name, validated against the v5.0 XSD and only
then renamed into place. An invalid result raises :class:`ExportError` and leaves no
arkivstruktur.xml (document files already copied may stay: they are content-addressed, and a
later export reuses them).

``masked_for=None`` is the archive service's full extraction (operators run it; every title is
real). A set of tilgangskoder gives the export a person with those codes may see: titles under a
tilgangsrestriksjon outside the set are replaced by the public title
(:func:`core.archive.access.shown_title`), the files of such documents are left out, and so is
the ``flytMerknad`` of such posts' dokumentflyt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from core.archive.access import can_see, shown_title
from core.archive.filestore import FileStore
from core.archive.noark5 import NS, schemas
from core.archive.noark5.export_data import PAGE_SIZE, Page, Row, pages
from core.archive.noark5.export_xml import (
    XSI,
    Arkivskaper,
    Context,
    Writer,
    arkiv_head,
    arkivdel_head,
    journalpost_extension,
    journalpost_head,
    journalpost_identity,
    open_dokumentbeskrivelse,
    saksmappe_extension,
    saksmappe_head,
    write_avskrivning,
    write_dokumentflyt,
    write_dokumentobjekt,
    write_korrespondansepart,
    write_merknad,
    write_skjerming,
)
from core.archive.tables import Journalpost
from core.cli_support import Progress
from core.settings import Settings
from core.timeutil import now

VERSION = "5.0"
ARKIVSTRUKTUR = "arkivstruktur.xml"
DOKUMENTER = "dokumenter"
MISSING_EXAMPLES = 10


class ExportError(Exception):
    """The export did not validate; ``errors`` are the schema errors (with line numbers)."""

    def __init__(self, message: str, errors: list[schemas.SchemaError] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


@dataclass
class ExportSummary:
    """What an export wrote."""

    path: Path
    """The arkivstruktur.xml written."""
    folder: Path | None = None
    """The export folder (with ``dokumenter/``); None when only the .xml was written."""
    saksmapper: int = 0
    journalposter: int = 0
    korrespondanseparter: int = 0
    avskrivninger: int = 0
    dokumentbeskrivelser: int = 0
    dokumentobjekter: int = 0
    merknader: int = 0
    dokumentflyt: int = 0
    skjermede_titler: int = 0
    """Titles replaced by the public title (masked export only)."""
    files_copied: int = 0
    """Files written to ``dokumenter/`` (folder export only)."""
    files_missing: int = 0
    """Versions whose file is not in the FileStore (folder export only)."""
    missing_examples: list[str] = field(default_factory=list)
    """The checksums of the first :data:`MISSING_EXAMPLES` of them."""
    files_withheld: int = 0
    """Files of restricted documents left out of a masked export."""
    seconds: float = 0.0


def safe_filename(filnavn: str) -> str:
    """The last path component of ``filnavn``, without control characters; never empty."""
    name = re.sub(r"[\x00-\x1f\x7f]", "", filnavn.replace("\\", "/")).split("/")[-1].strip()
    if name in ("", ".", ".."):
        return "dokument"
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = f"{stem[: 190 - len(suffix)]}.{suffix}" if dot and len(suffix) <= 10 else name[:200]
    return name


def dokumentfil(sjekksum: str, filnavn: str) -> str:
    """``referanseDokumentfil`` of a version: ``dokumenter/<sha256>/<filnavn>``."""
    return f"{DOKUMENTER}/{sjekksum}/{safe_filename(filnavn)}"


def _link_or_copy(same: Path | None, source: Path, target: Path) -> None:
    """Hard-link ``same`` (an exported copy of these bytes) to ``target``, else copy ``source``."""
    if same is not None:
        with contextlib.suppress(OSError):
            os.link(same, target)
            return
    shutil.copyfile(source, target)


class _Files:
    """Copies version files from the FileStore into the export folder (content-addressed,
    so a file already there is the same bytes and is kept)."""

    def __init__(self, store: FileStore, folder: Path | None, summary: ExportSummary) -> None:
        self.store = store
        self.folder = folder
        self.summary = summary

    def copy(self, sjekksum: str, referanse: str) -> None:
        if self.folder is None:
            return
        try:
            source = self.store.path(sjekksum)
        except ValueError:
            source = None
        if source is None or not source.is_file():
            self.summary.files_missing += 1
            if len(self.summary.missing_examples) < MISSING_EXAMPLES:
                self.summary.missing_examples.append(sjekksum)
            return
        target = self.folder / referanse
        if target.is_file():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".tmp-{uuid.uuid4().hex}")
        try:
            # The same bytes under another file name: a hard link instead of a second copy.
            same = next((p for p in target.parent.iterdir() if not p.name.startswith(".")), None)
            _link_or_copy(same, source, tmp)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)
        self.summary.files_copied += 1


class _Export:
    """One export run: writes pages of records and keeps the counts."""

    def __init__(self, w: Writer, ctx: Context, files: _Files, summary: ExportSummary) -> None:
        self.w = w
        self.ctx = ctx
        self.files = files
        self.summary = summary

    def visible(self, tilgangsrestriksjon: str) -> bool:
        return self.ctx.masked_for is None or can_see(self.ctx.masked_for, tilgangsrestriksjon)

    def title(self, row: Row, tilgangsrestriksjon: str, offentlig_tittel: str = "") -> str:
        if self.visible(tilgangsrestriksjon):
            return str(row["tittel"])
        self.summary.skjermede_titler += 1
        return shown_title(row["tittel"], offentlig_tittel, visible=False)

    def page(self, page: Page) -> None:
        for case in page.saksmapper:
            self.saksmappe(page, case)

    def saksmappe(self, page: Page, case: Row) -> None:
        w = self.w
        with w.element("mappe", "saksmappe"):
            saksmappe_head(
                w, case, self.title(case, case["tilgangsrestriksjon"], case["offentlig_tittel"]), self.ctx
            )
            for merknad in page.saksmappe_merknader.get(case["id"], []):
                write_merknad(w, merknad)
                self.summary.merknader += 1
            if case["tilgangsrestriksjon"]:
                write_skjerming(w, case["tilgangsrestriksjon"], case["skjermingshjemmel"], "TMO")
            for post in page.journalposter.get(case["id"], []):
                self.journalpost(page, case, post)
            saksmappe_extension(w, case)
        self.summary.saksmapper += 1

    def journalpost(self, page: Page, case: Row, post: Row) -> None:
        w = self.w
        restriction = post["tilgangsrestriksjon"]
        documents = page.dokumentbeskrivelser.get(post["id"], [])
        with w.element("registrering", "journalpost"):
            journalpost_head(w, post)
            if restriction:
                write_skjerming(w, restriction, post["skjermingshjemmel"], "TRO")
            for document in documents:
                self.dokumentbeskrivelse(page, post, document)
            journalpost_identity(w, case, post, self.title(post, restriction, post["offentlig_tittel"]))
            for merknad in page.journalpost_merknader.get(post["id"], []):
                write_merknad(w, merknad)
                self.summary.merknader += 1
            parts = page.korrespondanseparter.get(post["id"], [])
            sender = internal_sender(case, post, parts)
            for part in [*parts, *([sender] if sender else [])]:
                write_korrespondansepart(w, part)
                self.summary.korrespondanseparter += 1
            vedlegg = sum(1 for d in documents if d["tilknyttet_registrering_som"] == "V")
            journalpost_extension(w, post, vedlegg)
            for avskrivning in page.avskrivninger.get(post["id"], []):
                write_avskrivning(w, avskrivning)
                self.summary.avskrivninger += 1
            for flyt in page.dokumentflyt.get(post["id"], []):
                write_dokumentflyt(w, flyt, merknad=self.visible(restriction))
                self.summary.dokumentflyt += 1
        self.summary.journalposter += 1

    def dokumentbeskrivelse(self, page: Page, post: Row, document: Row) -> None:
        w = self.w
        # A document without its own restriction inherits the post's (Noark 5: «Arv: Ja»).
        effective = document["tilgangsrestriksjon"] or post["tilgangsrestriksjon"]
        visible = self.visible(effective)
        with w.element("dokumentbeskrivelse"):
            open_dokumentbeskrivelse(
                w,
                document,
                self.title(document, effective),
                document["tilgangsrestriksjon"],
                post["skjermingshjemmel"],
            )
            for version in page.dokumentobjekter.get(document["id"], []):
                referanse = dokumentfil(version["sjekksum"], version["filnavn"])
                write_dokumentobjekt(w, version, referanse)
                self.summary.dokumentobjekter += 1
                if visible:
                    self.files.copy(version["sjekksum"], referanse)
                else:
                    self.summary.files_withheld += 1
        self.summary.dokumentbeskrivelser += 1


OWN_POST_TYPES = ("U", "N", "X", "S")
SENDER_TYPES = ("IA", "IS", "EA")


def internal_sender(case: Row, post: Row, parts: list[Row]) -> Row | None:
    """An «Intern avsender» part naming who wrote an own post (U/N/X/S), or None.

    The post's ``administrativ_enhet``/``saksbehandler`` have no element of their own in v5.0:
    Noark 5 keeps them in an internal korrespondansepart. An importer reads a post without one
    as written by the case's unit and saksansvarlig, so the part is added only when the post's
    author differs from those and no stored part names a sender on our side.
    """
    if post["journalposttype"] not in OWN_POST_TYPES:
        return None
    if post["administrativ_enhet"] is None and post["saksbehandler"] is None:
        return None
    if (post["administrativ_enhet"], post["saksbehandler"]) == (
        case["administrativ_enhet"],
        case["saksansvarlig"],
    ):
        return None
    for part in parts:
        if part["korrespondanseparttype"] in SENDER_TYPES and (
            part["administrativ_enhet"] or part["saksbehandler"]
        ):
            return None
    return {
        "korrespondanseparttype": "IA",
        "navn": post["saksbehandler_navn"] or post["administrativ_enhet_navn"] or "",
        "postadresse": "",
        "postnummer": "",
        "poststed": "",
        "epostadresse": "",
        "administrativ_enhet_navn": post["administrativ_enhet_navn"],
        "saksbehandler_navn": post["saksbehandler_navn"],
    }


def _target(out: Path) -> tuple[Path, Path | None]:
    """(the arkivstruktur.xml to write, the folder for document files or None)."""
    if out.suffix.lower() == ".xml":
        out.parent.mkdir(parents=True, exist_ok=True)
        return out, None
    out.mkdir(parents=True, exist_ok=True)
    return out / ARKIVSTRUKTUR, out


class _TempFile:
    """The export's file under a temporary name beside ``target``; renamed only on success."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex}")
        self.fh = self.path.open("wb")

    def close(self) -> None:
        """Flush to disk and close (before validating)."""
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()

    def commit(self) -> None:
        self.path.replace(self.target)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.fh.close()
        self.path.unlink(missing_ok=True)


def validation_errors(path: Path) -> list[schemas.SchemaError]:
    """The file's errors against the v5.0 XSD (empty: valid).

    Validates while streaming, dropping each element once checked, so memory stays bounded
    however large the export is; only an invalid file is validated again with
    :func:`schemas.validate` to report the errors with line numbers.
    """
    options: dict[str, Any] = {"resolve_entities": False, "no_network": True, "huge_tree": True}
    try:
        for _event, element in etree.iterparse(
            str(path), events=("end",), schema=schemas.schema(VERSION), **options
        ):
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        return schemas.validate(path, VERSION) or [schemas.SchemaError(0, str(exc))]
    return []


async def export_to(
    settings: Settings,
    out: Path,
    *,
    masked_for: frozenset[str] | None = None,
    arkivskaper: Arkivskaper | None = None,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> ExportSummary:
    """Write the archive as a Noark 5 v5.0 extraction to ``out`` and validate it.

    Tables must be bound (``core.db.connected``). Raises :class:`ExportError` when the result
    does not validate against the v5.0 XSD; the previous file at the target, if any, is kept.
    The temporary file is removed on any exit (an error, Ctrl-C, SIGTERM under
    :func:`core.cli_support.interrupted_by_sigterm`, cancellation). ``progress`` is told the
    number of journal posts first, then each page's posts as it is written.
    """
    started = time.monotonic()
    target, folder = _target(Path(out))
    summary = ExportSummary(path=target, folder=folder)
    ctx = Context(uttrekk_tid=now().replace(microsecond=0), masked_for=masked_for)
    files = _Files(FileStore.from_settings(settings), folder, summary)
    if progress is not None:
        progress.start(await Journalpost.count())
    temp = _TempFile(target)
    try:
        with etree.xmlfile(temp.fh, encoding="utf-8") as xf:
            xf.write_declaration()
            with xf.element(f"{{{NS}}}arkiv", nsmap={None: NS, "xsi": XSI}):
                w = Writer(xf)
                w.depth = 1
                arkiv_head(w, ctx, arkivskaper or Arkivskaper())
                with w.element("arkivdel"):
                    arkivdel_head(w, ctx)
                    export = _Export(w, ctx, files, summary)
                    async for page in pages(page_size):
                        export.page(page)
                        if progress is not None:
                            progress.advance(sum(map(len, page.journalposter.values())))
                xf.write("\n")
        temp.close()
        errors = await asyncio.to_thread(validation_errors, temp.path)
        if errors:
            raise ExportError(
                "Eksporten validerer ikke mot Noark 5 v5.0-skjemaet: " + "; ".join(map(str, errors)), errors
            )
        temp.commit()
    finally:
        temp.discard()
    summary.seconds = time.monotonic() - started
    return summary
