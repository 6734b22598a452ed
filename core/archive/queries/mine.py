"""A handler's own journal posts for the front page and *Mine journalposter* (``/arkiv/mine``):
outgoing letters not yet dispatched, and posts distributed to the handler since a time (the
person's last visit, :mod:`core.web.archive.mine`; by default the last :data:`RECENT_DAYS` days,
by ``fordelt_dato``); and for Fellestjenesten/Arkiv's registration card the incoming posts the
person registered today. The card's counts and the page's lists come from the same conditions,
so they agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.archive.numbering import registrerings_id
from core.archive.queries.common import PAGE_SIZE, Page, QueryString, codes_in, run, run_page
from core.archive.queries.posts import post_row, post_select
from core.archive.queries.visibility import Viewer
from core.archive.rules import OPEN_OWN_STATUSES
from core.timeutil import now

RECENT_DAYS = 7
"""Posts distributed to the handler within this many days count as new."""
LIST_PAGE_SIZE = PAGE_SIZE
"""Rows per page of each list on *Mine journalposter*."""


def undispatched_where(person_id: int) -> QueryString:
    """SQL over ``j``: the person's own outgoing letters (U) not yet ekspedert (R, F or G)."""
    return QueryString(
        "j.saksbehandler = {} AND j.journalposttype = 'U' AND {}",
        person_id,
        codes_in("j.journalstatus", OPEN_OWN_STATUSES),
    )


def recipients_where(person_id: int, since: datetime) -> QueryString:
    """SQL over ``k``: the internal recipients distributed to the person since ``since`` (the
    condition of the index ``core_korrespondansepart_behandler_fordelt_post``)."""
    return QueryString(
        "k.intern AND k.saksbehandler = {} AND k.fordelt_dato >= {}",
        person_id,
        since,
    )


def distributed_where(person_id: int, since: datetime) -> QueryString:
    """SQL over ``j``: posts with an internal recipient distributed to the person since ``since``."""
    return QueryString(
        "EXISTS (SELECT 1 FROM core_korrespondansepart k WHERE k.journalpost = j.id AND {})",
        recipients_where(person_id, since),
    )


def recent_since() -> datetime:
    return now() - timedelta(days=RECENT_DAYS)


@dataclass(frozen=True)
class MineCounts:
    undispatched: int
    distributed: int


async def counts(person_id: int, since: datetime | None = None) -> MineCounts:
    """Both counts in one statement, each read from an index alone (the card runs it on every
    front page of a handler):

    - the letters not ekspedert from the partial index ``core_journalpost_uekspedert`` (the
      person's U posts in R, F or G and nothing else);
    - the posts distributed since ``since`` as the distinct posts of the person's recipients
      in ``core_korrespondansepart_behandler_fordelt_post``, which holds the post's id: the
      posts :func:`distributed_where` finds (a recipient belongs to one post; a post
      distributed to the person twice counts once), without looking each post up.

    At 1 million posts the busiest handler's card read 565 posts' pages and looked up 523 posts
    (1.1 ms of PostgreSQL's CPU); docs/benchmarks.md has the figures."""
    since = since or recent_since()
    rows = await run(
        QueryString(
            "SELECT (SELECT COUNT(*) FROM core_journalpost j WHERE {}) AS utgaaende, "
            "(SELECT COUNT(DISTINCT k.journalpost) FROM core_korrespondansepart k WHERE {}) AS fordelt",
            undispatched_where(person_id),
            recipients_where(person_id, since),
        )
    )
    row = rows[0] if rows else {}
    return MineCounts(int(row.get("utgaaende") or 0), int(row.get("fordelt") or 0))


async def undispatched(viewer: Viewer, person_id: int, total: int, page: int | None = None) -> Page:
    """One page of the person's outgoing letters not yet ekspedert, oldest journaldato first;
    ``total`` is :func:`counts`' ``undispatched`` (not counted again)."""
    found = await run_page(
        QueryString(
            "{} WHERE {} ORDER BY j.journaldato, j.id", post_select(viewer), undispatched_where(person_id)
        ),
        total,
        page,
        LIST_PAGE_SIZE,
    )
    found.items[:] = [post_row(row) for row in found.items]
    return found


async def distributed(
    viewer: Viewer, person_id: int, total: int, page: int | None = None, since: datetime | None = None
) -> Page:
    """One page of the posts distributed to the person since ``since`` (default
    :data:`RECENT_DAYS` ago), newest journaldato first; ``total`` is :func:`counts`'
    ``distributed`` for the same ``since``."""
    found = await run_page(
        QueryString(
            "{} WHERE {} ORDER BY j.journaldato DESC, j.id DESC",
            post_select(viewer),
            distributed_where(person_id, since or recent_since()),
        ),
        total,
        page,
        LIST_PAGE_SIZE,
    )
    found.items[:] = [post_row(row) for row in found.items]
    return found


INCOMING_TYPES = ("I", "N")
"""What *Registrer inngående post* registers: inngående dokument and organinternt notat."""


@dataclass(frozen=True)
class Registered:
    """Incoming posts a person registered on a day, and the newest of them (its id and number)."""

    count: int = 0
    last_id: int | None = None
    last_number: str = ""


def registered_query(person_id: int, day: date) -> QueryString:
    """The statement of :func:`registered_on`: one row (``n``, the newest's id and number parts),
    none when the person registered nothing that day. The count and the newest id come from the
    partial index ``core_journalpost_registrert`` (the person's I and N posts by day) alone;
    only the newest post and its case are read. Joining every post of the day to its case
    first cost 1.1–1.9 ms of PostgreSQL's CPU for 732 posts at 1 million posts."""
    return QueryString(
        "SELECT c.n, j.id, s.saksaar, s.sakssekvensnummer, j.journalpostnummer "
        "FROM (SELECT COUNT(*) AS n, MAX(r.id) AS siste FROM core_journalpost r "
        "WHERE r.opprettet_av = {} AND r.journaldato = {} AND {}) c "
        "JOIN core_journalpost j ON j.id = c.siste JOIN core_saksmappe s ON s.id = j.saksmappe",
        person_id,
        day,
        codes_in("r.journalposttype", INCOMING_TYPES),
    )


async def registered_on(person_id: int, day: date) -> Registered:
    """The incoming posts (I, N) ``person_id`` registered on ``day`` (journaldato is the day of
    registration), and the newest (the highest id), in one statement (:func:`registered_query`);
    no title, so no skjerming to apply."""
    rows = await run(registered_query(person_id, day))
    if not rows:
        return Registered()
    row = rows[0]
    number = registrerings_id(row["saksaar"], row["sakssekvensnummer"], row["journalpostnummer"])
    return Registered(int(row["n"] or 0), int(row["id"]), number)
