"""The counts behind *Mine journalposter*: the posts distributed to a handler lately can be
read through the index of internal recipients by handler and ``fordelt_dato`` (migration
``core_2026_12_06t18_20_00``), not through all of the handler's recipients; the registration
card's count reads the day's posts."""

from __future__ import annotations

import pytest

from core.archive.queries import mine
from core.archive.tables import Korrespondansepart
from core.timeutil import today
from tests.support.plans import plan_of

pytestmark = pytest.mark.anyio
INDEX = "core_korrespondansepart_behandler_fordelt"


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


async def test_the_registration_count_reads_the_days_posts(db) -> None:
    """Fellestjenesten/Arkiv's card reads the day's posts by journaldato; ordered by the bare id
    with ``LIMIT 1`` PostgreSQL walked the primary key backwards through every post."""
    plan = await plan_of(mine.registered_query(7, today()))
    assert "journaldato" in plan and "core_journalpost_pkey" not in plan, plan
