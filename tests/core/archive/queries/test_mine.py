"""The counts behind *Mine journalposter* and the *Registrering* card read an index, not the
records: the posts distributed to a handler lately through the internal recipients by handler,
``fordelt_dato`` and post (migration ``core_2026_12_07t13_30_00``, which replaced the index of
``core_2026_12_06t18_20_00`` without the post), the letters not ekspedert through their partial
index, the registration card through the person's incoming posts by day."""

from __future__ import annotations

import pytest
from piccolo.querystring import QueryString

from core.archive.queries import mine
from core.archive.tables import Korrespondansepart
from core.timeutil import today
from tests.support.plans import plan_of

pytestmark = pytest.mark.anyio
INDEX = "core_korrespondansepart_behandler_fordelt_post"


async def test_the_recent_count_can_read_the_handler_and_date_index(db) -> None:
    engine = Korrespondansepart._meta.db
    recipients = (
        "SELECT k.journalpost FROM core_korrespondansepart k WHERE k.intern AND k.saksbehandler = {} "
        "AND k.fordelt_dato >= {}"
    )
    # The count states the index's condition literally (a partial index needs ``k.intern``).
    assert "k.intern AND k.saksbehandler = 7 AND k.fordelt_dato >= " in str(
        mine.distributed_where(7, mine.recent_since())
    )
    if engine.engine_type == "postgres":
        async with engine.transaction():  # one connection for both statements
            await Korrespondansepart.raw("SET LOCAL enable_seqscan = off")
            plan = await Korrespondansepart.raw(f"EXPLAIN {recipients}", 7, mine.recent_since())
        text = "\n".join(str(row["QUERY PLAN"]) for row in plan)
    else:
        plan = await Korrespondansepart.raw(f"EXPLAIN QUERY PLAN {recipients}", 7, mine.recent_since())
        text = "\n".join(str(row.get("detail")) for row in plan)
    assert INDEX in text, text


async def test_the_registration_count_reads_the_persons_posts_of_the_day(db) -> None:
    """Fellestjenesten/Arkiv's card counts the person's incoming posts of the day from their
    index; ordered by the bare id with ``LIMIT 1`` PostgreSQL once walked the primary key
    backwards through every post, and joined every post of the day to its case."""
    plan = await plan_of(mine.registered_query(7, today()))
    assert "core_journalpost_registrert" in plan, plan


async def test_the_undispatched_count_reads_its_partial_index(db) -> None:
    """PostgreSQL's plan names the partial index; SQLite, whose planner is free to prefer
    ``(saksbehandler, journalstatus)`` on an empty table, must be able to answer the statement
    from it (``INDEXED BY`` fails when the statement's condition does not imply the index's)."""
    if Korrespondansepart._meta.db.engine_type == "postgres":
        count = QueryString("SELECT COUNT(*) FROM core_journalpost j WHERE {}", mine.undispatched_where(7))
        plan = await plan_of(count)
        assert "core_journalpost_uekspedert" in plan, plan
    else:
        forced = QueryString(
            "SELECT COUNT(*) AS n FROM core_journalpost j INDEXED BY core_journalpost_uekspedert WHERE {}",
            mine.undispatched_where(7),
        )
        assert await Korrespondansepart.raw("{}", forced) == [{"n": 0}]


async def test_the_card_counts_distinct_posts_from_the_recipients_index(db, statements: list[str]) -> None:
    """The card's statement (both counts) counts the distinct posts of the person's recipients,
    which the recipients' index answers without reading a post."""
    await mine.counts(7)
    (sql,) = statements
    assert "COUNT(DISTINCT k.journalpost) FROM core_korrespondansepart k WHERE k.intern" in sql
    plan = await plan_of(
        QueryString(
            "SELECT COUNT(DISTINCT k.journalpost) FROM core_korrespondansepart k WHERE {}",
            mine.recipients_where(7, mine.recent_since()),
        )
    )
    assert INDEX in plan, plan
