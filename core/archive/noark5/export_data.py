"""Read side of the Noark 5 export: the records, one page of cases at a time.

:func:`pages` walks the cases in id order (keyset paging: ``id > last id``) and loads each
page's children with one set-based query per table, every one filtered by the page's case ids
through its foreign-key joins. A page therefore costs nine queries however many journal posts
it holds, and memory stays bounded by the page size. Names of units and persons come from the
same queries (joins), because arkivstruktur.xml carries names, not ids.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

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


async def _korrespondanseparter(case_ids: list[int]) -> list[Row]:
    return await (
        Korrespondansepart.select(
            *Korrespondansepart.all_columns(),
            Korrespondansepart.administrativ_enhet.name.as_alias("administrativ_enhet_navn"),
            Korrespondansepart.saksbehandler.name.as_alias("saksbehandler_navn"),
        )
        .where(Korrespondansepart.journalpost.saksmappe.is_in(case_ids))
        .order_by(Korrespondansepart.id)
    )


async def _avskrivninger(case_ids: list[int]) -> list[Row]:
    return await (
        Avskrivning.select(
            *Avskrivning.all_columns(),
            Avskrivning.avskrevet_av.name.as_alias("avskrevet_av_person_navn"),
            Avskrivning.avskrives_av_journalpost.system_id.as_alias("avskrives_av_system_id"),
        )
        .where(Avskrivning.journalpost.saksmappe.is_in(case_ids))
        .order_by(Avskrivning.id)
    )


async def _dokumentbeskrivelser(case_ids: list[int]) -> list[Row]:
    return await (
        Dokumentbeskrivelse.select(
            *Dokumentbeskrivelse.all_columns(),
            Dokumentbeskrivelse.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Dokumentbeskrivelse.journalpost.saksmappe.is_in(case_ids))
        .order_by(Dokumentbeskrivelse.journalpost)
        .order_by(Dokumentbeskrivelse.dokumentnummer)
        .order_by(Dokumentbeskrivelse.id)
    )


async def _dokumentobjekter(case_ids: list[int]) -> list[Row]:
    return await (
        Dokumentobjekt.select(
            *Dokumentobjekt.all_columns(),
            Dokumentobjekt.opprettet_av.name.as_alias("opprettet_av_navn"),
        )
        .where(Dokumentobjekt.dokumentbeskrivelse._.journalpost._.saksmappe.is_in(case_ids))
        .order_by(Dokumentobjekt.dokumentbeskrivelse)
        .order_by(Dokumentobjekt.versjonsnummer)
        .order_by(Dokumentobjekt.id)
    )


async def _merknader(case_ids: list[int]) -> list[Row]:
    """Remarks on the page's cases and on their posts (one query)."""
    return await (
        Merknad.select(
            *Merknad.all_columns(),
            Merknad.registrert_av.name.as_alias("registrert_av_navn"),
        )
        .where(Merknad.saksmappe.is_in(case_ids) | Merknad.journalpost.saksmappe.is_in(case_ids))
        .order_by(Merknad.merknadsdato)
        .order_by(Merknad.id)
    )


async def _dokumentflyt(case_ids: list[int]) -> list[Row]:
    """The flow steps of the page's posts, oldest first within each post (one query). The
    persons' current names stand in where a step has no stored name."""
    return await (
        Dokumentflyt.select(
            *Dokumentflyt.all_columns(),
            Dokumentflyt.flyt_til.name.as_alias("flyt_til_person_navn"),
            Dokumentflyt.flyt_fra.name.as_alias("flyt_fra_person_navn"),
        )
        .where(Dokumentflyt.journalpost.saksmappe.is_in(case_ids))
        .order_by(Dokumentflyt.journalpost)
        .order_by(Dokumentflyt.flyt_mottatt_dato)
        .order_by(Dokumentflyt.flyt_sendt_dato)
        .order_by(Dokumentflyt.id)
    )


async def load_page(saksmapper: list[Row]) -> Page:
    """Everything below ``saksmapper`` in one query per table."""
    ids = [row["id"] for row in saksmapper]
    merknader = await _merknader(ids)
    return Page(
        saksmapper=saksmapper,
        journalposter=_group(await _journalposter(ids), "saksmappe"),
        korrespondanseparter=_group(await _korrespondanseparter(ids), "journalpost"),
        avskrivninger=_group(await _avskrivninger(ids), "journalpost"),
        dokumentbeskrivelser=_group(await _dokumentbeskrivelser(ids), "journalpost"),
        dokumentobjekter=_group(await _dokumentobjekter(ids), "dokumentbeskrivelse"),
        saksmappe_merknader=_group((m for m in merknader if m["saksmappe"] is not None), "saksmappe"),
        journalpost_merknader=_group((m for m in merknader if m["saksmappe"] is None), "journalpost"),
        dokumentflyt=_group(await _dokumentflyt(ids), "journalpost"),
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
