"""Archive search at scale: on PostgreSQL the ``ILIKE '%…%'`` of titles and names can read a
trigram index (migration ``core_2026_12_06t11_50``) instead of every row."""

from __future__ import annotations

import pytest

from core.archive.tables import Saksmappe
from tests.conftest import ENGINE

pytestmark = pytest.mark.anyio

SEARCHED = [
    ("core_saksmappe", "tittel"),
    ("core_saksmappe", "offentlig_tittel"),
    ("core_journalpost", "tittel"),
    ("core_journalpost", "offentlig_tittel"),
    ("core_korrespondansepart", "navn"),
]


@pytest.mark.skipif(ENGINE != "postgres", reason="trigram indexes are PostgreSQL's (pg_trgm)")
@pytest.mark.parametrize(("table", "column"), SEARCHED)
async def test_contains_search_can_use_a_trigram_index(db, table: str, column: str) -> None:
    rows = await Saksmappe.raw(
        "SELECT indexdef FROM pg_indexes WHERE tablename = {} AND indexdef LIKE '%gin_trgm_ops%'", table
    )
    assert any(f"({column} gin_trgm_ops)" in row["indexdef"] for row in rows), rows
    # The planner takes it when a scan of every row is made expensive (the tables are tiny here).
    async with Saksmappe._meta.db.transaction():  # one connection for both statements
        await Saksmappe.raw("SET LOCAL enable_seqscan = off")
        plan = await Saksmappe.raw(f"EXPLAIN SELECT id FROM {table} WHERE {column} ILIKE '%hansen%'")
    text = "\n".join(str(row["QUERY PLAN"]) for row in plan)
    assert f"{table}_{column}_trgm" in text, text
