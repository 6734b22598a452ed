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
    engine_type,
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


def _window(column: str, since: date | None, before: date | None = None) -> QueryString:
    """``column`` on or after ``since`` and before ``before`` (either may be None: open).

    ``since`` is written so that PostgreSQL reads it from the date part of the search's GIN
    indexes; ``before`` is only a filter on the rows found (as an index condition it would
    read every index entry older than ``before``, most of the archive): on PostgreSQL it is a
    difference of dates, which no index answers."""
    parts = []
    if since is not None:
        parts.append(QueryString(f"{column} >= {{}}", since))
    if before is not None:
        if engine_type() in ("postgres", "cockroach"):
            parts.append(QueryString(f"({column} - CAST({{}} AS DATE)) < 0", before))
        else:
            parts.append(QueryString(f"{column} < {{}}", before))
    if not parts:
        return QueryString("1 = 1")
    return QueryString(" AND ".join("{}" for _ in parts), *parts)


def _post_window(since: date | None, before: date | None) -> QueryString:
    """The name branch's window on the post: before ``before``. The slices take a party by its
    own copy of the journaldato (``mk.journaldato >= since``), so a party without one (none is
    made so, but the column allows it) is found in the last slice, whatever its post's date."""
    window = _window("jn.journaldato", None, before)
    if since is None and before is not None:
        return QueryString("({} OR mk.journaldato IS NULL)", window)
    return window


def _party_window(since: date | None, before: date | None) -> QueryString:
    """The name branch's window on the party's own copy of the journaldato: from ``since`` (read
    from the index) and before ``before``. The end is a filter on the party's row, so the
    parties of the newer slices (already read) are dropped before their post is looked up;
    :func:`_post_window` still places each party by its post's date. A party without the copy
    passes the end (the last slice takes it, see :func:`_post_window`)."""
    window = _window("mk.journaldato", since, before)
    if since is None and before is not None:
        return QueryString("({} OR mk.journaldato IS NULL)", window)
    return window


def _visible(condition: QueryString) -> QueryString:
    """A skjerming condition as a filter the planner takes as it is: the ``OR`` of conditions
    on the record, its case and its parties otherwise has PostgreSQL try index combinations
    for each part in every branch (about a millisecond of planning per hit statement for
    nothing: the candidates come from the text indexes)."""
    return QueryString("(CASE WHEN {} THEN 1 ELSE 0 END) = 1", condition)


def _case_hits(
    viewer: Viewer,
    text: str,
    *,
    open_only: bool = False,
    since: date | None = None,
    before: date | None = None,
) -> QueryString:
    """The matching cases as sort keys (``kind, id, dato, saksaar, sakssekvensnummer,
    journalpostnummer``), one row per case.

    Each condition is its own branch, so PostgreSQL answers it from its trigram and date
    index: the real title where the viewer may see it (skjerming checked on the candidate
    row, :func:`case_visible` with ``per_row``), or the public title. ``UNION`` removes a
    case found by both."""
    closed = is_closed("cs") if open_only else QueryString("1 = 0")
    public_closed = is_closed("co") if open_only else QueryString("1 = 0")
    return QueryString(
        "SELECT 'sak' AS kind, cs.id AS id, cs.saksdato AS dato, cs.saksaar AS saksaar, "
        "cs.sakssekvensnummer AS sakssekvensnummer, 0 AS journalpostnummer FROM core_saksmappe cs "
        "WHERE {} AND {} AND {} AND NOT {} "
        "UNION SELECT 'sak', co.id, co.saksdato, co.saksaar, co.sakssekvensnummer, 0 "
        "FROM core_saksmappe co WHERE co.offentlig_tittel <> '' AND {} AND {} AND NOT {}",
        contains("cs.tittel", text),
        _window("cs.saksdato", since, before),
        _visible(case_visible(viewer, "cs", per_row=True)),
        closed,
        contains("co.offentlig_tittel", text),
        _window("co.saksdato", since, before),
        public_closed,
    )


def _post_hits(
    viewer: Viewer, text: str, *, since: date | None = None, before: date | None = None
) -> QueryString:
    """The matching posts as sort keys (as :func:`_case_hits`): by the real title or an external
    correspondent's name where the viewer may see them, or by the public title. Each
    condition and the lower date bound are one index on PostgreSQL (text trigrams and the date
    in one GIN index; a party carries its post's journaldato for this); skjerming is checked
    on each candidate with its case (:func:`post_visible` with ``per_row``), and the case's
    number is read in the same join. A post whose title matches is left to the title branch
    (the same post, skjerming and date), so the name branch does not check it again."""
    return QueryString(
        "SELECT 'jp' AS kind, jt.id AS id, jt.journaldato AS dato, st.saksaar AS saksaar, "
        "st.sakssekvensnummer AS sakssekvensnummer, jt.journalpostnummer AS journalpostnummer "
        "FROM core_journalpost jt JOIN core_saksmappe st ON st.id = jt.saksmappe WHERE {} AND {} AND {} "
        "UNION SELECT 'jp', jo.id, jo.journaldato, so.saksaar, so.sakssekvensnummer, jo.journalpostnummer "
        "FROM core_journalpost jo JOIN core_saksmappe so ON so.id = jo.saksmappe WHERE jo.offentlig_tittel <> '' AND {} AND {} "
        "UNION SELECT 'jp', jn.id, jn.journaldato, sn.saksaar, sn.sakssekvensnummer, jn.journalpostnummer "
        "FROM core_korrespondansepart mk JOIN core_journalpost jn ON jn.id = mk.journalpost "
        "JOIN core_saksmappe sn ON sn.id = jn.saksmappe "
        "WHERE NOT mk.intern AND {} AND {} AND {} AND NOT ({}) AND {}",
        contains("jt.tittel", text),
        _window("jt.journaldato", since, before),
        _visible(post_visible(viewer, "jt", "st", per_row=True)),
        contains("jo.offentlig_tittel", text),
        _window("jo.journaldato", since, before),
        contains("mk.navn", text),
        _party_window(since, before),
        _post_window(since, before),
        contains("jn.tittel", text),
        _visible(post_visible(viewer, "jn", "sn", per_row=True)),
    )


def _case_rows(viewer: Viewer, ids: list[int]) -> QueryString:
    """The cases ``ids`` as hits. Skjerming is decided once per case, in a subquery whose
    ``LIMIT`` keeps PostgreSQL from copying the condition (and planning its subqueries) into
    each column that depends on it."""
    return QueryString(
        "SELECT 'sak' AS kind, s.id AS id, s.id AS saksmappe_id, s.saksaar AS saksaar, "
        "s.sakssekvensnummer AS sakssekvensnummer, 0 AS journalpostnummer, '' AS journalposttype, "
        "s.saksstatus AS status, s.saksdato AS dato, "
        "CASE WHEN s.synlig = 1 THEN s.tittel ELSE s.offentlig_tittel END AS vist_tittel, "
        "s.synlig AS synlig, s.tilgangsrestriksjon AS tilgangsrestriksjon, "
        "(SELECT u.code FROM core_unit u WHERE u.id = s.administrativ_enhet) AS enhet_kode, "
        "'' AS korrespondanse FROM ("
        "SELECT s.id, s.saksaar, s.sakssekvensnummer, s.saksstatus, s.saksdato, s.tittel, "
        "s.offentlig_tittel, s.tilgangsrestriksjon, s.administrativ_enhet, "
        "CASE WHEN {} THEN 1 ELSE 0 END AS synlig FROM core_saksmappe s WHERE {} LIMIT {}) s",
        case_visible(viewer, per_row=True),
        in_list("s.id", ids),
        len(ids),
    )


def _post_rows(viewer: Viewer, ids: list[int]) -> QueryString:
    """The posts ``ids`` as hits (skjerming decided once per post, as in :func:`_case_rows`)."""
    return QueryString(
        "SELECT 'jp' AS kind, j.id AS id, j.saksmappe AS saksmappe_id, j.saksaar AS saksaar, "
        "j.sakssekvensnummer AS sakssekvensnummer, j.journalpostnummer AS journalpostnummer, "
        "j.journalposttype AS journalposttype, j.journalstatus AS status, j.journaldato AS dato, "
        "CASE WHEN j.synlig = 1 THEN j.tittel ELSE j.offentlig_tittel END AS vist_tittel, "
        "j.synlig AS synlig, j.tilgangsrestriksjon AS tilgangsrestriksjon, "
        "(SELECT u.code FROM core_unit u WHERE u.id = j.administrativ_enhet) AS enhet_kode, "
        "CASE WHEN j.synlig = 1 THEN (SELECT MIN(nk.navn) FROM core_korrespondansepart nk "
        "WHERE nk.journalpost = j.id AND NOT nk.intern) ELSE '' END AS korrespondanse FROM ("
        "SELECT j.id, j.saksmappe, s.saksaar, s.sakssekvensnummer, j.journalpostnummer, "
        "j.journalposttype, j.journalstatus, j.journaldato, j.tittel, j.offentlig_tittel, "
        "j.tilgangsrestriksjon, j.administrativ_enhet, CASE WHEN {} THEN 1 ELSE 0 END AS synlig "
        "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {} LIMIT {}) j",
        post_visible(viewer, per_row=True),
        in_list("j.id", ids),
        len(ids),
    )


async def _rows_for(viewer: Viewer, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The hits behind a page of sort keys, in the keys' order (one statement, by id)."""
    case_ids = [int(key["id"]) for key in keys if key["kind"] == "sak"]
    post_ids = [int(key["id"]) for key in keys if key["kind"] == "jp"]
    parts = ([_case_rows(viewer, case_ids)] if case_ids else []) + (
        [_post_rows(viewer, post_ids)] if post_ids else []
    )
    if not parts:
        return []
    rows = await run(QueryString(" UNION ALL ".join("{}" for _ in parts), *parts))
    found = {(row["kind"], int(row["id"])): row for row in rows}
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


WINDOWS_DAYS = (1, 7, 31)
"""The newest hits are looked for in the last day first, then in the rest of the last week,
then of the last month, then in everything older (see :func:`_first_keys`). Short on purpose:
on PostgreSQL the window's start is the date part of the search's GIN indexes, which reads every
record of the window; a year of a large archive costs more than searching the text alone. The
first window is one day because a common word (*søknad*) matched some 5 700 post titles in a
week of a million-post archive: PostgreSQL then joined them to their cases by hashing every
case (0.2 s), where a day's 700 are looked up one by one (the whole search 12–16 ms). A word a
day cannot answer costs one more statement (the rest of the week), as before for the month."""


def _hits(viewer: Viewer, text: str, kind: str, since: date | None, before: date | None) -> QueryString:
    parts = []
    if kind in (KIND_ALL, KIND_CASES):
        parts.append(_case_hits(viewer, text, since=since, before=before))
    if kind in (KIND_ALL, KIND_POSTS):
        parts.append(_post_hits(viewer, text, since=since, before=before))
    return QueryString(" UNION ALL ".join("{}" for _ in parts), *parts)


SLICE_MARGIN = 1.5
"""How much longer than the hits found so far, per day, promise the rest of the hits a slice
is (:func:`_next_start`): half again as long."""


def _next_start(first: date, before: date | None, found: int, need: int) -> date | None:
    """Where the next date slice starts (None: the beginning of the archive), after the
    slices from ``before`` to today (``first``) held ``found`` hits (see :func:`_first_keys`)."""
    if before is None:
        return first - timedelta(days=WINDOWS_DAYS[0]) if WINDOWS_DAYS else None
    span = (first - before).days
    for days in WINDOWS_DAYS:
        if days <= span or found * days < need * span:
            continue  # already read, or it will not hold the rest at this rate
        promised = span + math.ceil(span * (need - found) / found * SLICE_MARGIN)
        if span < promised < days and span in WINDOWS_DAYS:
            return first - timedelta(days=promised)
        return first - timedelta(days=days)
    return None


async def _first_keys(viewer: Viewer, text: str, kind: str, need: int) -> list[dict[str, Any]]:
    """The first ``need`` hits in :data:`_ORDER`, as ``kind`` and ``id`` (each branch selects the
    sort keys, the statement returns only these two: the page's rows are read by id, and the
    count is the number of hits).

    The order starts with the date, newest first, so the hits can be read in date slices,
    newest slice first: each slice's hits come after all hits of the slices before it, so the
    search stops as soon as it holds ``need`` and asks each slice only for what is still
    missing. The first slice is the last day; the next reaches as far back as the hits
    found so far, per day, promise the hits still missing, with a margin on those
    (:data:`SLICE_MARGIN`; once after each window), then to the end of the last month
    (:data:`WINDOWS_DAYS`), then everything older. A window the rate says cannot hold the rest is skipped (a rare word, or a viewer
    who may see few of the hits): it would be read for nothing, since the slices after it are
    read anyway. A common name is then answered from a week or a few weeks of records, not
    from the tens of thousands of hits over the years. (A party's date is its post's, written
    with it; the name branch finds a party by its own date and places it by its post's.)"""
    first = today()
    keys: list[dict[str, Any]] = []
    before: date | None = None
    while True:
        since = _next_start(first, before, len(keys), need)
        keys += await run(
            QueryString(
                f"SELECT kind, id FROM ({{}}) treff ORDER BY {_ORDER} LIMIT {{}}",  # noqa: S608 - names from code
                _hits(viewer, text, kind, since, before),
                need - len(keys),
            )
        )
        if len(keys) >= need or since is None:
            return keys
        before = since


async def search(
    viewer: Viewer, text: str, *, kind: str = KIND_ALL, page: int | None = None, size: int = PAGE_SIZE
) -> Page:
    """Cases and/or posts whose (visible) title or correspondent matches ``text``, newest
    first, counted up to :data:`COUNT_CAP` ("over 200 treff").

    The sort keys of the first ``COUNT_CAP + 1`` hits (the hits found through the trigram
    indexes, skjerming checked per candidate, only the keys sorted; one statement per date
    slice, newest first, usually one or two: :func:`_first_keys`), then the page's rows by id
    in one statement. The count and the page come from the same keys."""
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
