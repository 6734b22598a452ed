"""What changed in a document's text between two of its versions (.docx, .odt, .txt).

Access is checked exactly as for downloading a version
(:func:`core.archive.queries.documents.file_for_download`, for both versions): whoever may not
download either file sees no part of its text. The text is read from the FileStore and compared
by :mod:`core.archive.document_text` in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any

from core.archive import document_text
from core.archive.document_text import Diff, TextUnavailable
from core.archive.filestore import FileStore
from core.archive.queries.documents import file_for_download
from core.archive.queries.posts import get_post
from core.archive.queries.visibility import Viewer
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt
from core.errors import NotFound, ValidationFailed
from core.i18n import _
from core.settings import Settings

PRODUCTION_FORMAT = "P"


async def _versions(dokumentbeskrivelse_id: int) -> dict[int, dict[str, Any]]:
    """versjonsnummer → the version compared: the production format (P) when there is one,
    else the first stored variant."""
    rows = await (
        Dokumentobjekt.select(
            Dokumentobjekt.id,
            Dokumentobjekt.versjonsnummer,
            Dokumentobjekt.variantformat,
            Dokumentobjekt.filnavn,
            Dokumentobjekt.format,
            Dokumentobjekt.opprettet_dato,
            Dokumentobjekt.opprettet_i,
            Dokumentobjekt.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Dokumentobjekt.dokumentbeskrivelse == dokumentbeskrivelse_id)
        .order_by(Dokumentobjekt.versjonsnummer, Dokumentobjekt.id)
    )
    chosen: dict[int, dict[str, Any]] = {}
    for row in rows:
        number = int(row["versjonsnummer"])
        if number not in chosen or (
            row["variantformat"] == PRODUCTION_FORMAT and chosen[number]["variantformat"] != PRODUCTION_FORMAT
        ):
            chosen[number] = row
    return chosen


def _lines(store: FileStore, sjekksum: str, filnavn: str, format: str) -> list[str]:
    try:
        content = store.read(sjekksum)
    except (FileNotFoundError, ValueError) as exc:
        raise NotFound(_("Filen finnes ikke i fillageret. Kontakt Fellestjenesten/Arkiv.")) from exc
    return document_text.lines_of(content, filnavn, format)


async def version_changes(
    settings: Settings, viewer: Viewer, dokumentbeskrivelse_id: int, fra: int, til: int
) -> dict[str, Any]:
    """The changes in the text of a document from version ``fra`` to version ``til``.

    Returns ``post`` (as :func:`core.archive.queries.posts.get_post`), ``dokument`` (``id``,
    ``tittel``, ``dokumentnummer``), ``fra`` and ``til`` (the versions: ``id``,
    ``versjonsnummer``, ``filnavn``, ``format``, ``opprettet_dato``, ``opprettet_i``,
    ``opprettet_av_navn``) and ``endringer`` (a :class:`~core.archive.document_text.Diff`).

    Raises NotFound (unknown document or version), Forbidden (skjermet, as the download),
    ValidationFailed (the same version twice) and
    :class:`~core.archive.document_text.TextUnavailable` (a format whose text is not compared,
    or a file too large or damaged).
    """
    if fra == til:
        raise ValidationFailed({"til": _("Velg to forskjellige versjoner.")})
    document = (
        await Dokumentbeskrivelse.select(
            Dokumentbeskrivelse.id,
            Dokumentbeskrivelse.journalpost,
            Dokumentbeskrivelse.dokumentnummer,
            Dokumentbeskrivelse.tittel,
        )
        .where(Dokumentbeskrivelse.id == dokumentbeskrivelse_id)
        .first()
    )
    if document is None:
        raise NotFound(_("Fant ikke dokumentet."))
    versions = await _versions(dokumentbeskrivelse_id)
    missing = [number for number in (fra, til) if number not in versions]
    if missing:
        raise NotFound(_("Dokumentet har ingen versjon %(number)s.") % {"number": missing[0]})
    old, new = versions[fra], versions[til]
    stored = [await file_for_download(viewer, version["id"]) for version in (old, new)]
    for version in (old, new):
        if document_text.text_kind(version["filnavn"], version["format"]) is None:
            raise document_text.refused_format()
    store = FileStore.from_settings(settings)

    def compare() -> Diff:
        before = _lines(store, stored[0]["sjekksum"], old["filnavn"], old["format"])
        after = _lines(store, stored[1]["sjekksum"], new["filnavn"], new["format"])
        return document_text.diff_lines(before, after)

    changes = await asyncio.to_thread(compare)
    post = await get_post(viewer, int(document["journalpost"]))
    return {
        "post": post,
        "dokument": {k: document[k] for k in ("id", "tittel", "dokumentnummer")},
        "fra": old,
        "til": new,
        "endringer": changes,
    }


__all__ = ["TextUnavailable", "version_changes"]
