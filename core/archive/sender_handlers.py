"""Keeps ``core_avsender_saksbehandler`` current: per unit, external sender (avsender),
handler and tilgangsrestriksjon of the post, the handler's latest distributed recipient of
post from that sender (:class:`~core.archive.tables.AvsenderSaksbehandler`).

Fordeling's suggestion «fikk forrige post fra avsenderen»
(:func:`core.archive.queries.distribution.attach_suggestions`) reads it instead of a window
over the unit's whole history. The rows are what this statement over the history gives (the
migration fills the table with it), and every change of a recipient's handler calls one of
the functions below in its own transaction:

- :func:`record` after a distribution (or any write that gives recipients a handler): an
  upsert that keeps the later of the stored and the new distribution;
- :func:`rebuild_for_post` after a recipient left a handler (fordeling again), and
  :func:`rebuild_for` after a bulk omfordeling or a leaver's work moved: that handler's rows
  (for the post's senders, or all) are recomputed from the history, so a post no longer theirs
  stops counting for them.

"Latest" orders as the suggestion always did: distributed at all first, then ``fordelt_dato``
descending, then the recipient's id descending.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.archive.queries.common import QueryString, in_list, run
from core.archive.tables import AvsenderSaksbehandler

IDS_PER_STATEMENT = 5000
"""Recipients per statement of :func:`record` (PostgreSQL and SQLite bind at most about 32 000
values)."""
KEY = "enhet, avsender, saksbehandler, tilgangsrestriksjon"
COLUMNS = f"{KEY}, fordelt_dato, korrespondansepart"


def history(scope: QueryString) -> QueryString:
    """SQL: the table's rows computed from the records, for the distributed internal
    recipients ``k2`` (of post ``j2``, external sender ``e``) that match ``scope``."""
    return QueryString(
        f"SELECT {COLUMNS} FROM ("  # noqa: S608 - constant SQL; values are bound
        " SELECT k2.administrativ_enhet AS enhet, e.navn AS avsender, k2.saksbehandler,"
        " j2.tilgangsrestriksjon, k2.fordelt_dato, k2.id AS korrespondansepart, ROW_NUMBER() OVER ("
        "  PARTITION BY k2.administrativ_enhet, e.navn, k2.saksbehandler, j2.tilgangsrestriksjon"
        "  ORDER BY (k2.fordelt_dato IS NULL), k2.fordelt_dato DESC, k2.id DESC) AS rn"
        " FROM core_korrespondansepart k2"
        " JOIN core_korrespondansepart e ON e.journalpost = k2.journalpost"
        "  AND NOT e.intern AND e.korrespondanseparttype = 'EA' AND e.navn <> ''"
        " JOIN core_journalpost j2 ON j2.id = k2.journalpost"
        " WHERE k2.intern AND k2.saksbehandler IS NOT NULL AND k2.administrativ_enhet IS NOT NULL AND {}"
        ") latest WHERE rn = 1",
        scope,
    )


_NEWER = (
    "(excluded.fordelt_dato IS NOT NULL AND core_avsender_saksbehandler.fordelt_dato IS NULL)"
    " OR excluded.fordelt_dato > core_avsender_saksbehandler.fordelt_dato"
    " OR ((excluded.fordelt_dato = core_avsender_saksbehandler.fordelt_dato"
    "  OR (excluded.fordelt_dato IS NULL AND core_avsender_saksbehandler.fordelt_dato IS NULL))"
    "  AND excluded.korrespondansepart > core_avsender_saksbehandler.korrespondansepart)"
)
"""The row being inserted is later than the stored one (upsert condition)."""


def insert(scope: QueryString) -> QueryString:
    """SQL: insert :func:`history` over ``scope`` (into a table without those keys)."""
    return QueryString(f"INSERT INTO core_avsender_saksbehandler ({COLUMNS}) {{}}", history(scope))


def upsert(scope: QueryString) -> QueryString:
    """SQL: merge :func:`history` over ``scope`` into the table, keeping the later row per key
    (``INSERT … ON CONFLICT DO UPDATE``, the same on SQLite and PostgreSQL)."""
    return QueryString(
        f"INSERT INTO core_avsender_saksbehandler ({COLUMNS}) {{}} "
        f"ON CONFLICT ({KEY}) DO UPDATE SET fordelt_dato = excluded.fordelt_dato, "
        f"korrespondansepart = excluded.korrespondansepart WHERE {_NEWER}",
        history(scope),
    )


async def record(korrespondansepart_ids: Sequence[int]) -> None:
    """The given internal recipients got a handler (distribution, registration straight to a
    handler, a leaver's work moved): merge them in. One statement; call it in the transaction
    of the change."""
    ids = list(korrespondansepart_ids)
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        await run(upsert(in_list("k2.id", ids[start : start + IDS_PER_STATEMENT])))


async def record_post(journalpost_id: int) -> None:
    """Merge in the recipients of one post (registered with handlers already chosen)."""
    await run(upsert(QueryString("k2.journalpost = {}", journalpost_id)))


async def record_posts_from(first_journalpost_id: int) -> None:
    """Merge in every recipient of the posts with id ``>= first_journalpost_id`` (after a bulk
    load: import, demo data)."""
    await run(upsert(QueryString("k2.journalpost >= {}", first_journalpost_id)))


_LOCK_CLASS = 0x5348
"""First key of the PostgreSQL advisory locks of :func:`rebuild_for` ("SH")."""


async def rebuild_for(*handler_ids: int) -> None:
    """Recompute the rows of ``handler_ids`` from the records (after post was taken from them:
    a bulk omfordeling, a leaver's work moved). On PostgreSQL each handler's rebuild first
    takes a transaction advisory lock on the handler, in id order, so two transactions that
    rebuild one handler take turns: the second's delete then sees the rows the first inserted
    (without it, its insert met them as duplicate keys). The merge is an upsert all the same."""
    handlers = sorted(set(handler_ids))
    if str(AvsenderSaksbehandler._meta.db.engine_type) in ("postgres", "cockroach"):
        for handler in handlers:
            await run(QueryString("SELECT pg_advisory_xact_lock({}, {})", _LOCK_CLASS, handler))
    for handler in handlers:
        await AvsenderSaksbehandler.delete().where(AvsenderSaksbehandler.saksbehandler == handler)
        await run(upsert(QueryString("k2.saksbehandler = {}", handler)))


async def rebuild_for_post(handler_id: int, journalpost_id: int) -> None:
    """Recompute ``handler_id``'s rows for the senders of one post (after it was taken from
    them: omfordeling): reads that handler's post from those senders only, through the
    index on the sender's name, so moving many posts one by one stays cheap."""
    rows = await run(
        QueryString(
            "SELECT DISTINCT navn FROM core_korrespondansepart WHERE journalpost = {} "
            "AND NOT intern AND korrespondanseparttype = 'EA' AND navn <> ''",
            journalpost_id,
        )
    )
    senders = [str(r["navn"]) for r in rows]
    if not senders:
        return
    await AvsenderSaksbehandler.delete().where(
        (AvsenderSaksbehandler.saksbehandler == handler_id) & AvsenderSaksbehandler.avsender.is_in(senders)
    )
    await run(insert(QueryString("k2.saksbehandler = {} AND {}", handler_id, in_list("e.navn", senders))))


async def rebuild() -> None:
    """Recompute the whole table from the records (set-based; the migration does the same)."""
    await AvsenderSaksbehandler.delete(force=True)
    await run(insert(QueryString("1 = 1")))
