"""``core.request_connection.raw_rows``: composed SQL's rows as ``Table.raw`` gives them, on the
app's PostgreSQL engine without Piccolo's query object, on SQLite through ``Table.raw``."""

from __future__ import annotations

import pytest
from piccolo.querystring import QueryString

from core.db import writing
from core.request_connection import ArkivPostgresEngine, raw_rows
from core.tables import Unit

pytestmark = pytest.mark.anyio

UNITS = QueryString(
    "SELECT u.code, u.name, u.active, u.id > {} AS positive FROM core_unit u WHERE u.code LIKE {} ORDER BY u.code",
    0,
    "RR-%",
)


async def test_the_rows_are_those_of_table_raw(db: None) -> None:
    assert await raw_rows(Unit, UNITS) == []
    for code, name, active in [("RR-2", "Bygg", False), ("RR-1", "Skole", True), ("XX-1", "Annen", True)]:
        await Unit(code=code, name=name, active=active).save()

    rows = await raw_rows(Unit, UNITS)

    assert rows == await Unit.raw("{}", UNITS)
    assert [row["code"] for row in rows] == ["RR-1", "RR-2"]
    assert list(rows[0]) == ["code", "name", "active", "positive"]
    assert rows[1]["name"] == "Bygg"
    assert bool(rows[1]["positive"])


async def test_inside_a_transaction_it_reads_what_the_transaction_wrote(db: None) -> None:
    query = QueryString("SELECT u.name FROM core_unit u WHERE u.code = {}", "RR-T")
    with pytest.raises(RuntimeError):
        async with writing(Unit):
            await Unit(code="RR-T", name="Uskrevet", active=True).save()
            assert await raw_rows(Unit, query) == [{"name": "Uskrevet"}]
            raise RuntimeError("rull tilbake")
    assert await raw_rows(Unit, query) == []


async def test_on_postgresql_records_become_dicts_as_piccolo_makes_them(db: None) -> None:
    engine = Unit._meta.db
    if not isinstance(engine, ArkivPostgresEngine):
        pytest.skip("asyncpg's records: PostgreSQL only")
    records = await engine._run_in_new_connection("SELECT 1 AS a, 2 AS a, NULL AS b, 'x' AS c", [])

    assert engine.transform_response_to_dicts(records) == [dict(record) for record in records]
    assert engine.transform_response_to_dicts(records) == [{"a": 2, "b": None, "c": "x"}]
    assert engine.transform_response_to_dicts([]) == []
