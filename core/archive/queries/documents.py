"""Documents of journal posts with all their versions, and the access check for a download.

A document's title and files are shown when the viewer may see its post and the document's
own tilgangsrestriksjon (if any) allows it; otherwise the document is listed with a masked
title and no download.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from core.archive.document_text import text_kind
from core.archive.document_view import view_kind
from core.archive.queries.common import QueryString, as_bool, run
from core.archive.queries.visibility import Viewer, post_involved, post_visible
from core.archive.tables import Dokumentbeskrivelse, Dokumentobjekt
from core.errors import Forbidden, NotFound
from core.i18n import _


async def attach_documents(viewer: Viewer, posts: list[dict[str, Any]]) -> None:
    """Add ``dokumenter`` to each post (by dokumentnummer), each with ``versjoner`` (newest
    first; the first is the active one; ``opprettet_i`` says where a version was made,
    ``sammenlignbar`` whether its text can be compared with another version's, and ``visning``
    whether a page can show it: ``pdf``, ``bilde`` or None, :mod:`core.archive.document_view`).
    Two statements for any number of posts."""
    for post in posts:
        post["dokumenter"] = []
    if not posts:
        return
    by_id = {post["id"]: post for post in posts}
    docs = (
        await Dokumentbeskrivelse.select(
            Dokumentbeskrivelse.id,
            Dokumentbeskrivelse.journalpost,
            Dokumentbeskrivelse.dokumentnummer,
            Dokumentbeskrivelse.tilknyttet_registrering_som,
            Dokumentbeskrivelse.dokumenttype,
            Dokumentbeskrivelse.dokumentstatus,
            Dokumentbeskrivelse.tittel,
            Dokumentbeskrivelse.tilgangsrestriksjon,
        )
        .where(Dokumentbeskrivelse.journalpost.is_in(list(by_id)))
        .order_by(Dokumentbeskrivelse.journalpost, Dokumentbeskrivelse.dokumentnummer)
    )
    versions_by_doc: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if docs:
        versions = (
            await Dokumentobjekt.select(
                Dokumentobjekt.id,
                Dokumentobjekt.dokumentbeskrivelse,
                Dokumentobjekt.versjonsnummer,
                Dokumentobjekt.variantformat,
                Dokumentobjekt.format,
                Dokumentobjekt.filnavn,
                Dokumentobjekt.filstoerrelse,
                Dokumentobjekt.opprettet_dato,
                Dokumentobjekt.opprettet_i,
                Dokumentobjekt.opprettet_av.name.as_alias("opprettet_av_navn"),
            )
            .where(Dokumentobjekt.dokumentbeskrivelse.is_in([d["id"] for d in docs]))
            .order_by(
                Dokumentobjekt.dokumentbeskrivelse,
                Dokumentobjekt.versjonsnummer,
                Dokumentobjekt.variantformat,
            )
        )
        for version in versions:
            version["sammenlignbar"] = text_kind(version["filnavn"], version["format"]) is not None
            version["visning"] = view_kind(version["format"], version["filnavn"])
            versions_by_doc[version["dokumentbeskrivelse"]].append(version)
    for doc in docs:
        post = by_id[doc["journalpost"]]
        visible = post["synlig"] and viewer.can_see(doc["tilgangsrestriksjon"], involved=post["involvert"])
        versions = list(reversed(versions_by_doc.get(doc["id"], [])))
        for index, version in enumerate(versions):
            version["aktiv"] = index == 0
        doc["synlig"] = visible
        doc["vist_tittel"] = doc["tittel"] if visible else _("Skjermet dokument")
        doc["versjoner"] = versions if visible else []
        doc["antall_versjoner"] = len(versions)
        doc["aktiv_versjon"] = versions[0] if visible and versions else None
        del doc["tittel"]
        post["dokumenter"].append(doc)


async def documents_of_post(viewer: Viewer, journalpost_id: int) -> list[dict[str, Any]]:
    """The documents of one post as :func:`attach_documents` gives them (the hoveddokument has
    ``tilknyttet_registrering_som`` ``H``), with the viewer's skjerming; [] for an unknown post.
    Three statements."""
    rows = await run(
        QueryString(
            "SELECT j.id, CASE WHEN {} THEN 1 ELSE 0 END AS synlig, CASE WHEN {} THEN 1 ELSE 0 END AS involvert "
            "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe WHERE j.id = {}",
            post_visible(viewer, per_row=True),
            post_involved(viewer, per_row=True),
            journalpost_id,
        )
    )
    if not rows:
        return []
    post = {
        "id": rows[0]["id"],
        "synlig": as_bool(rows[0]["synlig"]),
        "involvert": as_bool(rows[0]["involvert"]),
    }
    await attach_documents(viewer, [post])
    documents: list[dict[str, Any]] = post["dokumenter"]
    return documents


async def file_for_download(viewer: Viewer, dokumentobjekt_id: int) -> dict[str, Any]:
    """``filnavn``, ``format`` and ``sjekksum`` of one version, if the viewer may read it.

    Raises NotFound for an unknown id and Forbidden when the post or document is skjermet
    for the viewer.
    """
    rows = await run(
        QueryString(
            "SELECT o.filnavn, o.format, o.sjekksum, o.versjonsnummer, d.tilgangsrestriksjon AS dok_restriksjon, "
            "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, CASE WHEN {} THEN 1 ELSE 0 END AS involvert "
            "FROM core_dokumentobjekt o JOIN core_dokumentbeskrivelse d ON d.id = o.dokumentbeskrivelse "
            "JOIN core_journalpost j ON j.id = d.journalpost JOIN core_saksmappe s ON s.id = j.saksmappe "
            "WHERE o.id = {}",
            post_visible(viewer, per_row=True),
            post_involved(viewer, per_row=True),
            dokumentobjekt_id,
        )
    )
    if not rows:
        raise NotFound(_("Fant ikke dokumentet."))
    row = rows[0]
    if not (
        as_bool(row["synlig"]) and viewer.can_see(row["dok_restriksjon"], involved=as_bool(row["involvert"]))
    ):
        raise Forbidden(_("Dokumentet er skjermet. Du har ikke tilgang til det."))
    return row
