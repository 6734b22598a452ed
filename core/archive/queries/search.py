"""Search the archive by number, title or correspondent name, with skjerming in the SQL.

- Numbers: ``2026/00123`` or ``2026/123`` (a case), ``2026/00123-4`` (a journal post). They
  resolve through the unique number indexes.
- Text: a case matches on its title, a post on its title or an external correspondent's name.
  A restricted real title or name is matched only where the viewer may see it; everyone else
  matches only the public title (``offentlig_tittel``). Cases and posts come back as one list
  (``UNION ALL``), newest first, paged in SQL.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from core.archive.numbering import mappe_id, registrerings_id
from core.archive.queries.cases import find_case_id, is_closed
from core.archive.queries.common import (
    PAGE_SIZE,
    Page,
    QueryString,
    as_bool,
    as_date,
    contains,
    in_list,
    run,
)
from core.archive.queries.posts import find_post_id
from core.archive.queries.visibility import Viewer, case_visible, post_visible
from core.i18n import _
from core.timeutil import today

KIND_ALL = "alle"
KIND_CASES = "saker"
KIND_POSTS = "journalposter"
KINDS = (KIND_ALL, KIND_CASES, KIND_POSTS)
MIN_LENGTH = 2
MAX_LENGTH = 200
COUNT_CAP = 200
"""Hits are counted up to this many; beyond it the page says "over 200" (docs/architecture.md, Search)."""

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


_ORDER = "dato DESC, saksaar DESC, sakssekvensnummer DESC, journalpostnummer DESC, kind DESC, id DESC"
"""Newest first; the keys make the order total, so pages never overlap."""


def _since(column: str, since: date | None) -> QueryString:
    return QueryString(f"{column} >= {{}}", since) if since is not None else QueryString("1 = 1")


def _case_hits(
    viewer: Viewer, text: str, *, open_only: bool = False, since: date | None = None
) -> QueryString:
    """The matching cases as sort keys (``kind, id, dato, saksaar, sakssekvensnummer,
    journalpostnummer``).

    The candidates come first, each condition on its own so PostgreSQL answers it from its
    trigram index (``t``: the real title matched, ``o``: the public title); skjerming is then
    checked only for the candidates, per row (:func:`case_visible` with ``per_row``)."""
    return QueryString(
        "SELECT 'sak' AS kind, s.id AS id, s.saksdato AS dato, s.saksaar AS saksaar, "
        "s.sakssekvensnummer AS sakssekvensnummer, 0 AS journalpostnummer FROM ("
        " SELECT c.id AS id, MAX(c.t) AS t, MAX(c.o) AS o FROM ("
        "  SELECT cs.id AS id, 1 AS t, 0 AS o FROM core_saksmappe cs WHERE {} AND {}"
        "  UNION ALL SELECT co.id, 0, 1 FROM core_saksmappe co WHERE {} AND {}"
        " ) c GROUP BY c.id"
        ") m JOIN core_saksmappe s ON s.id = m.id WHERE ((m.t = 1 AND {}) OR m.o = 1) AND NOT {}",
        contains("cs.tittel", text),
        _since("cs.saksdato", since),
        contains("co.offentlig_tittel", text),
        _since("co.saksdato", since),
        case_visible(viewer, per_row=True),
        is_closed() if open_only else QueryString("1 = 0"),
    )


def _post_hits(viewer: Viewer, text: str, *, since: date | None = None) -> QueryString:
    """The matching posts as sort keys (as :func:`_case_hits`): by the real title or an external
    correspondent's name where the viewer may see them (``t``), or by the public title
    (``o``). Each condition and the date window are one index on PostgreSQL (text trigrams and
    the date in one GIN index; a party carries its post's journaldato for this)."""
    return QueryString(
        "SELECT 'jp' AS kind, j.id AS id, j.journaldato AS dato, s.saksaar AS saksaar, "
        "s.sakssekvensnummer AS sakssekvensnummer, j.journalpostnummer AS journalpostnummer FROM ("
        " SELECT c.id AS id, MAX(c.t) AS t, MAX(c.o) AS o FROM ("
        "  SELECT jt.id AS id, 1 AS t, 0 AS o FROM core_journalpost jt WHERE {} AND {}"
        "  UNION ALL SELECT jo.id, 0, 1 FROM core_journalpost jo WHERE {} AND {}"
        "  UNION ALL SELECT mk.journalpost, 1, 0 FROM core_korrespondansepart mk"
        "  WHERE NOT mk.intern AND {} AND {}"
        " ) c GROUP BY c.id"
        ") m JOIN core_journalpost j ON j.id = m.id JOIN core_saksmappe s ON s.id = j.saksmappe "
        "WHERE (m.t = 1 AND {}) OR m.o = 1",
        contains("jt.tittel", text),
        _since("jt.journaldato", since),
        contains("jo.offentlig_tittel", text),
        _since("jo.journaldato", since),
        contains("mk.navn", text),
        _since("mk.journaldato", since),
        post_visible(viewer, per_row=True),
    )


def _case_rows(viewer: Viewer, ids: list[int]) -> QueryString:
    return QueryString(
        "SELECT 'sak' AS kind, s.id AS id, s.id AS saksmappe_id, s.saksaar, s.sakssekvensnummer, "
        "0 AS journalpostnummer, '' AS journalposttype, s.saksstatus AS status, s.saksdato AS dato, "
        "CASE WHEN {} THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, s.tilgangsrestriksjon, u.code AS enhet_kode, "
        "'' AS korrespondanse "
        "FROM core_saksmappe s LEFT JOIN core_unit u ON u.id = s.administrativ_enhet WHERE {}",
        case_visible(viewer, per_row=True),
        case_visible(viewer, per_row=True),
        in_list("s.id", ids),
    )


def _post_rows(viewer: Viewer, ids: list[int]) -> QueryString:
    return QueryString(
        "SELECT 'jp' AS kind, j.id AS id, s.id AS saksmappe_id, s.saksaar, s.sakssekvensnummer, "
        "j.journalpostnummer, j.journalposttype, j.journalstatus AS status, j.journaldato AS dato, "
        "CASE WHEN {} THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig, j.tilgangsrestriksjon, u.code AS enhet_kode, "
        "CASE WHEN {} THEN (SELECT MIN(nk.navn) FROM core_korrespondansepart nk "
        "WHERE nk.journalpost = j.id AND NOT nk.intern) ELSE '' END AS korrespondanse "
        "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe "
        "LEFT JOIN core_unit u ON u.id = j.administrativ_enhet WHERE {}",
        post_visible(viewer, per_row=True),
        post_visible(viewer, per_row=True),
        post_visible(viewer, per_row=True),
        in_list("j.id", ids),
    )


async def _rows_for(viewer: Viewer, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits behind a page of sort keys, in the keys' order (one query per kind, by id)."""
    case_ids = [int(key["id"]) for key in keys if key["kind"] == "sak"]
    post_ids = [int(key["id"]) for key in keys if key["kind"] == "jp"]
    found: dict[tuple[str, int], dict[str, Any]] = {}
    if case_ids:
        found.update({("sak", int(row["id"])): row for row in await run(_case_rows(viewer, case_ids))})
    if post_ids:
        found.update({("jp", int(row["id"])): row for row in await run(_post_rows(viewer, post_ids))})
    return [
        _hit(found[(key["kind"], int(key["id"]))]) for key in keys if (key["kind"], int(key["id"])) in found
    ]


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


WINDOWS_DAYS = (7, 31)
"""The newest hits are looked for in the last week first, then the last month, then
everywhere (see :func:`_first_keys`). Short on purpose: on PostgreSQL the window is the date
part of the search's GIN indexes, which reads every record of the window; a year of a large
archive costs more than searching the text alone."""


async def _first_keys(viewer: Viewer, text: str, kind: str, need: int) -> list[dict[str, Any]]:
    """The first ``need`` hits' sort keys in :data:`_ORDER`.

    The order starts with the date, newest first, so when the hits dated on or after a day
    are at least ``need``, they are exactly the first ``need`` of all hits: the search looks in
    the last week first and widens (:data:`WINDOWS_DAYS`, then everything) only while the
    window holds fewer. A common name is then answered from a week or a month of records, not
    from the tens of thousands of hits over the years; a rare word costs a few index probes
    more."""
    first = today()
    for since in (*(first - timedelta(days=days) for days in WINDOWS_DAYS), None):
        parts = []
        if kind in (KIND_ALL, KIND_CASES):
            parts.append(_case_hits(viewer, text, since=since))
        if kind in (KIND_ALL, KIND_POSTS):
            parts.append(_post_hits(viewer, text, since=since))
        union = QueryString(" UNION ALL ".join("{}" for _ in parts), *parts)
        keys = await run(
            QueryString(f"SELECT * FROM ({{}}) treff ORDER BY {_ORDER} LIMIT {{}}", union, need)  # noqa: S608 - order from code
        )
        if len(keys) >= need:
            break
    return keys


async def search(
    viewer: Viewer, text: str, *, kind: str = KIND_ALL, page: int | None = None, size: int = PAGE_SIZE
) -> Page:
    """Cases and/or posts whose (visible) title or correspondent matches ``text``, newest
    first, counted up to :data:`COUNT_CAP` ("over 200 treff").

    Two cheap statements: the sort keys of the first ``COUNT_CAP + 1`` hits (the hits found
    through the trigram indexes, skjerming checked per hit, only the keys sorted; newest
    window first, :func:`_first_keys`), then the page's rows by id. The count and the page
    come from the same keys."""
    keys = await _first_keys(viewer, text, kind, COUNT_CAP + 1)
    more = len(keys) > COUNT_CAP
    total = min(len(keys), COUNT_CAP)
    pages = max(1, math.ceil(total / size))
    number = min(max(1, page or 1), pages)
    on_page = keys[(number - 1) * size : min(number * size, total)]
    return Page(items=await _rows_for(viewer, on_page), number=number, total=total, size=size, more=more)


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
        keys = await run(
            QueryString(
                "SELECT * FROM ({}) treff ORDER BY saksaar DESC, sakssekvensnummer DESC LIMIT {}",
                _case_hits(viewer, text, open_only=True),
                limit,
            )
        )
        return await _rows_for(viewer, keys)
    else:
        return []
    return [_hit(row) for row in await run(query)]
