"""Search the archive by number, title or correspondent name, with skjerming in the SQL.

- Numbers: ``2026/00123`` or ``2026/123`` (a case), ``2026/00123-4`` (a journal post). They
  resolve through the unique number indexes.
- Text: a case matches on its title, a post on its title or an external correspondent's name.
  A restricted real title or name is matched only where the viewer may see it; everyone else
  matches only the public title (``offentlig_tittel``). Cases and posts come back as one list
  (``UNION ALL``), newest first, paged in SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from core.archive.numbering import mappe_id, registrerings_id
from core.archive.queries.cases import find_case_id, is_closed
from core.archive.queries.common import (
    Page,
    QueryString,
    as_bool,
    as_date,
    capped_count,
    contains,
    run,
    run_page,
)
from core.archive.queries.posts import find_post_id
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.i18n import _

KIND_ALL = "alle"
KIND_CASES = "saker"
KIND_POSTS = "journalposter"
KINDS = (KIND_ALL, KIND_CASES, KIND_POSTS)
MIN_LENGTH = 2
MAX_LENGTH = 200
COUNT_CAP = 1000
"""Hits are counted up to this many; beyond it the page says "over 1 000"."""

_NUMBER = re.compile(r"^\s*(\d{4})\s*/\s*(\d{1,7})(?:\s*-\s*(\d{1,6}))?\s*$")


@dataclass(frozen=True)
class Number:
    """A case number (``journalpostnummer`` None) or a journal post number."""

    saksaar: int
    sakssekvensnummer: int
    journalpostnummer: int | None = None


def parse_number(text: str) -> Number | None:
    """``2026/00123``, ``2026/123`` or ``2026/00123-4`` (spaces allowed); None otherwise."""
    match = _NUMBER.match(text)
    if not match:
        return None
    year, seq, post = match.groups()
    return Number(int(year), int(seq), int(post) if post else None)


async def resolve_number(number: Number) -> tuple[str, int] | None:
    """``("sak", id)`` or ``("journalpost", id)`` for an existing number, else None."""
    if number.journalpostnummer is None:
        case_id = await find_case_id(number.saksaar, number.sakssekvensnummer)
        return ("sak", case_id) if case_id is not None else None
    post_id = await find_post_id(number.saksaar, number.sakssekvensnummer, number.journalpostnummer)
    return ("journalpost", post_id) if post_id is not None else None


def _case_part(viewer: Viewer, text: str, *, open_only: bool = False) -> QueryString:
    return QueryString(
        "SELECT 'sak' AS kind, s.id AS id, s.id AS saksmappe_id, s.saksaar, s.sakssekvensnummer, "
        "0 AS journalpostnummer, '' AS journalposttype, s.saksstatus AS status, s.saksdato AS dato, "
        "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, s.tilgangsrestriksjon, u.code AS enhet_kode, "
        "'' AS korrespondanse "
        "FROM core_saksmappe s LEFT JOIN core_unit u ON u.id = s.administrativ_enhet "
        "WHERE (({} AND {}) OR {}) AND NOT {}",
        case_visible(viewer),
        case_visible(viewer),
        case_visible(viewer),
        contains("s.tittel", text),
        contains("s.offentlig_tittel", text),
        is_closed() if open_only else QueryString("1 = 0"),
    )


def _post_part(viewer: Viewer, text: str) -> QueryString:
    return QueryString(
        "SELECT 'jp' AS kind, j.id AS id, s.id AS saksmappe_id, s.saksaar, s.sakssekvensnummer, "
        "j.journalpostnummer, j.journalposttype, j.journalstatus AS status, j.journaldato AS dato, "
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, j.tilgangsrestriksjon, u.code AS enhet_kode, "
        "CASE WHEN {} THEN (SELECT MIN(nk.navn) FROM core_korrespondansepart nk "
        "WHERE nk.journalpost = j.id AND NOT nk.intern) ELSE '' END AS korrespondanse "
        "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
        "LEFT JOIN core_unit u ON u.id = j.administrativ_enhet "
        "WHERE ({} AND ({} OR EXISTS (SELECT 1 FROM core_korrespondansepart mk "
        "WHERE mk.journalpost = j.id AND NOT mk.intern AND {}))) OR {}",
        post_visible(viewer),
        post_visible(viewer),
        post_visible(viewer),
        post_visible(viewer),
        contains("j.tittel", text),
        contains("mk.navn", text),
        contains("j.offentlig_tittel", text),
    )


def _hit(row: dict[str, Any]) -> dict[str, Any]:
    row["dato"] = as_date(row["dato"])
    row["synlig"] = as_bool(row["synlig"])
    row["skjermet"] = bool(row["tilgangsrestriksjon"])
    row["vist_tittel"] = row["vist_tittel"] or _("Skjermet tittel")
    row["korrespondanse"] = row["korrespondanse"] or ""
    if row["kind"] == "sak":
        row["nummer"] = mappe_id(row["saksaar"], row["sakssekvensnummer"])
        row["url"] = f"/arkiv/sak/{row['id']}"
    else:
        row["nummer"] = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
        row["url"] = f"/arkiv/journalpost/{row['id']}"
    return row


async def search(viewer: Viewer, text: str, *, kind: str = KIND_ALL, page: int | None = None) -> Page:
    """Cases and/or posts whose (visible) title or correspondent matches ``text``."""
    parts = []
    if kind in (KIND_ALL, KIND_CASES):
        parts.append(_case_part(viewer, text))
    if kind in (KIND_ALL, KIND_POSTS):
        parts.append(_post_part(viewer, text))
    union = QueryString(" UNION ALL ".join("{}" for _ in parts), *parts)
    select = QueryString(
        "SELECT * FROM ({}) treff ORDER BY dato DESC, saksaar DESC, sakssekvensnummer DESC, "
        "journalpostnummer DESC, kind DESC, id DESC",
        union,
    )
    result = await run_page(select, capped_count(union, COUNT_CAP), page, cap=COUNT_CAP)
    for row in result.items:
        _hit(row)
    return result


async def pick_open_cases(viewer: Viewer, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Open cases for a case picker: by number (exact) or by visible title, newest first."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        query = QueryString(
            "SELECT 'sak' AS kind, s.id, s.id AS saksmappe_id, s.saksaar, s.sakssekvensnummer, "
            "0 AS journalpostnummer, '' AS journalposttype, s.saksstatus AS status, s.saksdato AS dato, "
            "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
            "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, s.tilgangsrestriksjon, u.code AS enhet_kode, "
            "'' AS korrespondanse FROM core_saksmappe s LEFT JOIN core_unit u ON u.id = s.administrativ_enhet "
            "WHERE s.saksaar = {} AND s.sakssekvensnummer = {} AND NOT {}",
            case_visible(viewer),
            case_visible(viewer),
            number.saksaar,
            number.sakssekvensnummer,
            is_closed(),
        )
    elif len(text) >= MIN_LENGTH:
        query = QueryString(
            "SELECT * FROM ({}) treff ORDER BY saksaar DESC, sakssekvensnummer DESC LIMIT {}",
            _case_part(viewer, text, open_only=True),
            limit,
        )
    else:
        return []
    return [_hit(row) for row in await run(query)]
