"""The query plan of a statement, to check that a count reads the index it was made for.

On PostgreSQL sequential scans are switched off for the one statement (``SET LOCAL`` in a
transaction): a test table is tiny, so the planner would rightly scan it; what the test asks is
whether the index *can* answer the statement. On SQLite ``EXPLAIN QUERY PLAN`` names the index
(covering or not) directly."""

from __future__ import annotations

from piccolo.querystring import QueryString

from core.archive.tables import Journalpost


async def plan_of(query: QueryString) -> str:
    engine = Journalpost._meta.db
    if engine.engine_type == "postgres":
        async with engine.transaction():  # one connection for both statements
            await Journalpost.raw("SET LOCAL enable_seqscan = off")
            rows = await Journalpost.raw("EXPLAIN {}", query)
        return "\n".join(str(row["QUERY PLAN"]) for row in rows)
    rows = await Journalpost.raw("EXPLAIN QUERY PLAN {}", query)
    return "\n".join(str(row.get("detail")) for row in rows)
