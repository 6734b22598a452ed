"""Read side of the Noark 5 export: the records, one page of cases at a time.

:func:`pages` walks the cases in id order (keyset paging: ``id > last id``) and loads each
page's children with one set-based query per table, each filtered on its own indexed foreign
key: the posts by the page's case ids, their parts, write-offs, documents and flow steps by the
posts' ids, the versions by the documents' ids, and the remarks by case ids and by post ids in
two queries (an ``OR`` over a join would scan every remark's post). No query joins back to the
cases, so a page costs the same at any size of archive and the export is linear in it. A page
costs ten queries however many journal posts it holds (more only when a page has over
:data:`IN_CHUNK` posts or documents), and memory stays bounded by the page size. Names of units and persons come from the
same queries (joins), because arkivstruktur.xml carries names, not ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from piccolo.columns import ForeignKey

from core.archive.tables import (
    Avskrivning,
    Dokumentbeskrivelse,
    Dokumentflyt,
    Dokumentobjekt,
    Journalpost,
    Korrespondansepart,
    Merknad,
    Saksmappe,
)

Row = dict[str, Any]

PAGE_SIZE = 200
"""Cases per page. A page holds these cases with all their posts, parts and documents."""

IN_CHUNK = 5_000
"""Ids per ``IN (…)`` list (SQLite allows 32 766 parameters per statement)."""


@dataclass
class Page:
    """One page of cases and everything below them, grouped by parent id."""

    saksmapper: list[Row]
    journalposter: dict[int, list[Row]] = field(default_factory=dict)
    """By saksmappe id, in journalpostnummer order."""
    korrespondanseparter: dict[int, list[Row]] = field(default_factory=dict)
    """By journalpost id."""
    avskrivninger: dict[int, list[Row]] = field(default_factory=dict)
    """By journalpost id (the post that is written off)."""
    dokumentbeskrivelser: dict[int, list[Row]] = field(default_factory=dict)
    """By journalpost id, in dokumentnummer order."""
    dokumentobjekter: dict[int, list[Row]] = field(default_factory=dict)
    """By dokumentbeskrivelse id, in versjonsnummer order."""
    saksmappe_merknader: dict[int, list[Row]] = field(default_factory=dict)
    journalpost_merknader: dict[int, list[Row]] = field(default_factory=dict)
    dokumentflyt: dict[int, list[Row]] = field(default_factory=dict)
    """By journalpost id, oldest step first (received, sent, id)."""


def _group(rows: Iterable[Row], key: str) -> dict[int, list[Row]]:
    grouped: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return dict(grouped)


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), IN_CHUNK):
        yield ids[start : start + IN_CHUNK]


async def _by_ids(query: Callable[[list[int]], Awaitable[list[Row]]], ids: list[int]) -> list[Row]:
    """``query`` over ``ids`` in chunks of :data:`IN_CHUNK` (none when ``ids`` is empty)."""
    rows: list[Row] = []
    for chunk in _chunks(ids):
        rows.extend(await query(chunk))
    return rows


async def _saksmapper(after: int, limit: int) -> list[Row]:
    return await (
        Saksmappe.select(
            *Saksmappe.all_columns(),
            Saksmappe.administrativ_enhet.name.as_alias("administrativ_enhet_navn"),
            Saksmappe.saksansvarlig.name.as_alias("saksansvarlig_navn"),
            Saksmappe.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Saksmappe.id > after)
        .order_by(Saksmappe.id)
        .limit(limit)
    )


async def _journalposter(case_ids: list[int]) -> list[Row]:
    return await (
        Journalpost.select(
            *Journalpost.all_columns(),
            Journalpost.administrativ_enhet.name.as_alias("administrativ_enhet_navn"),
            Journalpost.saksbehandler.name.as_alias("saksbehandler_navn"),
            Journalpost.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Journalpost.saksmappe.is_in(case_ids))
        .order_by(Journalpost.saksmappe)
        .order_by(Journalpost.journalpostnummer)
        .order_by(Journalpost.id)
    )


async def _korrespondanseparter(post_ids: list[int]) -> list[Row]:
    return await (
        Korrespondansepart.select(
            *Korrespondansepart.all_columns(),
            Korrespondansepart.administrativ_enhet.name.as_alias("administrativ_enhet_navn"),
            Korrespondansepart.saksbehandler.name.as_alias("saksbehandler_navn"),
        )
        .where(Korrespondansepart.journalpost.is_in(post_ids))
        .order_by(Korrespondansepart.id)
    )


async def _avskrivninger(post_ids: list[int]) -> list[Row]:
    return await (
        Avskrivning.select(
            *Avskrivning.all_columns(),
            Avskrivning.avskrevet_av.name.as_alias("avskrevet_av_person_navn"),
            Avskrivning.avskrives_av_journalpost.system_id.as_alias("avskrives_av_system_id"),
        )
        .where(Avskrivning.journalpost.is_in(post_ids))
        .order_by(Avskrivning.id)
    )


async def _dokumentbeskrivelser(post_ids: list[int]) -> list[Row]:
    return await (
        Dokumentbeskrivelse.select(
            *Dokumentbeskrivelse.all_columns(),
            Dokumentbeskrivelse.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Dokumentbeskrivelse.journalpost.is_in(post_ids))
        .order_by(Dokumentbeskrivelse.journalpost)
        .order_by(Dokumentbeskrivelse.dokumentnummer)
        .order_by(Dokumentbeskrivelse.id)
    )


async def _dokumentobjekter(document_ids: list[int]) -> list[Row]:
    return await (
        Dokumentobjekt.select(
            *Dokumentobjekt.all_columns(),
            Dokumentobjekt.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Dokumentobjekt.dokumentbeskrivelse.is_in(document_ids))
        .order_by(Dokumentobjekt.dokumentbeskrivelse)
        .order_by(Dokumentobjekt.versjonsnummer)
        .order_by(Dokumentobjekt.id)
    )


def _merknader(column: ForeignKey[Any]) -> Callable[[list[int]], Awaitable[list[Row]]]:
    """The remarks whose ``column`` (saksmappe or journalpost) is one of the ids, oldest first.

    Cases' and posts' remarks are two queries, each on its own index: one query with
    ``saksmappe IN (…) OR journalpost.saksmappe IN (…)`` joins every remark to its post and
    scans them all for every page, which made the export quadratic in the archive's size.
    """

    async def query(ids: list[int]) -> list[Row]:
        return await (
            Merknad.select(
                *Merknad.all_columns(),
                Merknad.registrert_av.name.as_alias("registrert_av_navn"),
            )
            .where(column.is_in(ids))
            .order_by(Merknad.merknadsdato)
            .order_by(Merknad.id)
        )

    return query


async def _dokumentflyt(post_ids: list[int]) -> list[Row]:
    """The flow steps of the page's posts, oldest first within each post (one query). The
    persons' current names stand in where a step has no stored name."""
    return await (
        Dokumentflyt.select(
            *Dokumentflyt.all_columns(),
            Dokumentflyt.flyt_til.name.as_alias("flyt_til_person_navn"),
            Dokumentflyt.flyt_fra.name.as_alias("flyt_fra_person_navn"),
        )
        .where(Dokumentflyt.journalpost.is_in(post_ids))
        .order_by(Dokumentflyt.journalpost)
        .order_by(Dokumentflyt.flyt_mottatt_dato)
        .order_by(Dokumentflyt.flyt_sendt_dato)
        .order_by(Dokumentflyt.id)
    )


async def load_page(saksmapper: list[Row]) -> Page:
    """Everything below ``saksmapper`` in one query per table."""
    case_ids = [row["id"] for row in saksmapper]
    posts = await _journalposter(case_ids)
    post_ids = [row["id"] for row in posts]
    documents = await _by_ids(_dokumentbeskrivelser, post_ids)
    case_notes = await _merknader(Merknad.saksmappe)(case_ids)
    post_notes = await _by_ids(_merknader(Merknad.journalpost), post_ids)
    return Page(
        saksmapper=saksmapper,
        journalposter=_group(posts, "saksmappe"),
        korrespondanseparter=_group(await _by_ids(_korrespondanseparter, post_ids), "journalpost"),
        avskrivninger=_group(await _by_ids(_avskrivninger, post_ids), "journalpost"),
        dokumentbeskrivelser=_group(documents, "journalpost"),
        dokumentobjekter=_group(
            await _by_ids(_dokumentobjekter, [row["id"] for row in documents]), "dokumentbeskrivelse"
        ),
        saksmappe_merknader=_group(case_notes, "saksmappe"),
        journalpost_merknader=_group((m for m in post_notes if m["saksmappe"] is None), "journalpost"),
        dokumentflyt=_group(await _by_ids(_dokumentflyt, post_ids), "journalpost"),
    )


async def pages(page_size: int = PAGE_SIZE) -> AsyncIterator[Page]:
    """Every case with its records, ``page_size`` cases at a time, in id order."""
    after = 0
    while True:
        saksmapper = await _saksmapper(after, page_size)
        if not saksmapper:
            return
        yield await load_page(saksmapper)
        after = saksmapper[-1]["id"]
