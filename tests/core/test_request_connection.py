"""A request runs its statements on one pooled connection, its transactions included, and
never holds two (core.request_connection)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from piccolo.querystring import QueryString

from core.db import prepare_engine, writing
from core.request_connection import (
    ArkivPostgresEngine,
    give_back_request_connection,
    raw_rows,
    request_connection,
)
from core.tables import Unit
from core.web.middleware import request_memo_middleware

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(os.environ.get("ARKIV_TEST_DATABASE") != "postgres", reason="PostgreSQL's pool"),
]
GUARD = 20
"""Seconds before a test that would wait for the pool forever fails instead."""


@pytest.fixture
async def pool_of(db: None) -> AsyncIterator[Any]:
    """``await pool_of(n)``: the engine with a pool of ``n`` connections (closed afterwards)."""
    engine = Unit._meta.db
    assert isinstance(engine, ArkivPostgresEngine)

    async def start(size: int) -> Any:
        await prepare_engine(engine, pool_size=size)
        return engine

    try:
        yield start
    finally:
        # A connection never given back would make closing wait forever: fail, don't hang.
        try:
            await asyncio.wait_for(engine.close_connection_pool(), GUARD)
        except TimeoutError:
            engine.pool.terminate()
            engine.pool = None
            raise


async def backend() -> int:
    rows = await Unit.raw("SELECT pg_backend_pid() AS pid")
    return int(rows[0]["pid"])


def free_connections(engine: Any) -> int:
    return sum(1 for holder in engine.pool._holders if not holder._in_use)


async def test_a_requests_statements_share_one_connection_given_back_at_the_end(pool_of) -> None:
    engine = await pool_of(3)
    async with request_connection():
        first = await backend()
        assert [await backend() for _ in range(5)] == [first] * 5
        await Unit.select(Unit.id).limit(1)
        assert free_connections(engine) == 2
    assert free_connections(engine) == 3


async def test_a_transaction_in_a_request_runs_on_the_requests_connection(pool_of) -> None:
    engine = await pool_of(2)
    async with request_connection():
        before = await backend()
        async with writing(Unit):
            assert await backend() == before
            await Unit(code="RC-1", name="Ført", active=True).save()
            assert free_connections(engine) == 1
        with pytest.raises(RuntimeError):
            async with writing(Unit):
                await Unit(code="RC-2", name="Rulles tilbake", active=True).save()
                async with writing(Unit):  # nested: joins the outer one, which rolls back
                    raise RuntimeError("stopp")
        assert await backend() == before
    assert free_connections(engine) == 2
    # Committed and rolled back as Piccolo's own transactions, seen from another connection.
    codes = {row["code"] for row in await Unit.select(Unit.code).where(Unit.code.like("RC-%"))}
    assert codes == {"RC-1"}


async def test_a_failed_transaction_leaves_the_requests_connection_usable(pool_of) -> None:
    await pool_of(1)
    async with request_connection():
        with pytest.raises(RuntimeError):
            async with writing(Unit):
                await Unit(code="RC-3", name="Rulles tilbake", active=True).save()
                raise RuntimeError("stopp")
        assert await Unit.count().where(Unit.code == "RC-3") == 0
        async with writing(Unit):
            await Unit(code="RC-4", name="Etterpå", active=True).save()
    assert await Unit.count().where(Unit.code == "RC-4") == 1


async def test_a_full_pool_of_requests_that_read_then_write_never_waits_for_itself(pool_of) -> None:
    """Each request reads (taking its connection), then writes in a transaction. With a
    connection per statement and one per transaction, two requests on a pool of two could each
    hold one and wait for a second forever; on the request's connection they cannot."""
    engine = await pool_of(2)
    reading = asyncio.Barrier(4)

    async def a_request(number: int) -> None:
        async with request_connection():
            await backend()
            if number < 2:
                await reading.wait()  # both connections held by reading requests
            async with writing(Unit):
                await Unit(code=f"RC-P{number}", name="Skrevet", active=True).save()

    async def waiting_for_the_pool() -> None:
        await reading.wait()

    async def two_more() -> None:
        await asyncio.gather(a_request(2), a_request(3))

    await asyncio.wait_for(
        asyncio.gather(
            a_request(0), a_request(1), waiting_for_the_pool(), waiting_for_the_pool(), two_more()
        ),
        GUARD,
    )
    assert await Unit.count().where(Unit.code.like("RC-P%")) == 4
    assert free_connections(engine) == 2


async def test_statements_run_at_once_in_a_request_take_another_connection(pool_of) -> None:
    engine = await pool_of(3)
    async with request_connection():
        mine = await backend()
        pids = await asyncio.wait_for(asyncio.gather(backend(), backend()), GUARD)
        assert mine in pids and len(set(pids)) == 2
        assert free_connections(engine) == 2  # the borrowed one went back to the pool
    assert free_connections(engine) == 3


async def test_statements_run_at_once_as_a_requests_first_take_one_connection_each(pool_of) -> None:
    """While the request's first statement waits for the pool, a second one must not take
    another connection into the request's place (the first would never be given back)."""
    engine = await pool_of(2)
    elsewhere = [await engine.pool.acquire(), await engine.pool.acquire()]  # the pool is empty

    async def a_request() -> list[int]:
        async with request_connection():
            return list(await asyncio.gather(backend(), backend()))

    request = asyncio.create_task(a_request())
    for _ in range(10_000):  # until both statements wait for a connection
        if len(engine.pool._queue._getters) == 2:
            break
        await asyncio.sleep(0)
    assert len(engine.pool._queue._getters) == 2
    for connection in elsewhere:
        await engine.pool.release(connection)
    pids = await asyncio.wait_for(request, GUARD)
    assert len(set(pids)) == 2
    assert free_connections(engine) == 2


async def test_outside_a_request_every_statement_takes_a_connection_from_the_pool(pool_of) -> None:
    engine = await pool_of(2)
    await backend()
    assert free_connections(engine) == 2
    async with writing(Unit):
        assert free_connections(engine) == 1
    assert free_connections(engine) == 2


async def test_the_web_layer_opens_one_for_every_http_request(pool_of) -> None:
    """Shared by the request's statements, given back when the response starts (a slow client
    reading the page holds no connection); a streamed body that reads takes one again."""
    engine = await pool_of(2)
    seen: dict[str, Any] = {}
    sent: list[str] = []

    async def page(scope: Any, receive: Any, send: Any) -> None:
        seen["pids"] = (await backend(), await backend())
        seen["free while reading"] = free_connections(engine)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        seen["free after the start"] = free_connections(engine)
        await backend()
        seen["free while streaming"] = free_connections(engine)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def client(message: Any) -> None:
        sent.append(message["type"])

    await request_memo_middleware(page)({"type": "http"}, None, client)
    first, second = seen["pids"]
    assert first == second
    assert (seen["free while reading"], seen["free after the start"], seen["free while streaming"]) == (
        1,
        2,
        1,
    )
    assert sent == ["http.response.start", "http.response.body"]
    assert free_connections(engine) == 2


async def test_a_request_gives_its_connection_back_before_waiting_on_something_else(pool_of) -> None:
    engine = await pool_of(2)
    async with request_connection():
        await backend()
        assert free_connections(engine) == 1
        await give_back_request_connection()
        assert free_connections(engine) == 2
        await backend()
        assert free_connections(engine) == 1
        async with writing(Unit):
            await give_back_request_connection()  # inside its transaction: kept
            assert free_connections(engine) == 1
    assert free_connections(engine) == 2


async def test_a_task_that_outlives_its_request_takes_a_connection_per_statement(pool_of) -> None:
    """A task started in a request inherits its context; once the request has ended, the task's
    statements must not take a request connection that nobody gives back."""
    engine = await pool_of(2)
    request_ended = asyncio.Event()

    async def later() -> int:
        await request_ended.wait()
        return await backend()

    async with request_connection():
        await backend()
        task = asyncio.create_task(later())
    request_ended.set()
    await asyncio.wait_for(task, GUARD)
    assert free_connections(engine) == 2


async def plan_mode(connection: Any) -> str:
    """The connection's ``plan_cache_mode``, read past the app's engine (which would set it)."""
    return str(await connection.fetchval("SHOW plan_cache_mode"))


async def outside_a_request() -> tuple[int, str]:
    """The backend and ``plan_cache_mode`` a statement outside a request meets, through the
    app's engine (which sets a connection a request left generic back to custom plans)."""
    rows = await Unit.raw("SELECT pg_backend_pid() AS pid, current_setting('plan_cache_mode') AS mode")
    return int(rows[0]["pid"]), str(rows[0]["mode"])


async def plan_counts(connection: Any, text: str) -> tuple[int, int]:
    row = await connection.fetchrow(
        "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = $1", text
    )
    return (int(row["generic_plans"]), int(row["custom_plans"])) if row else (0, 0)


async def test_reads_by_key_get_a_generic_plan_and_everything_else_a_custom_one(pool_of) -> None:
    """``generic_plan=True`` switches the request's connection to generic plans for that
    statement (PostgreSQL plans it once), everything else stays planned for its values, and a
    transaction begins with custom plans (a SET inside it would be undone by its rollback)."""
    await pool_of(1)
    unit = Unit(code="GP-1", name="Generisk", active=True)
    await unit.save()
    by_key = QueryString("SELECT u.code FROM core_unit u WHERE u.id = {}", unit.id)
    other = QueryString("SELECT u.name FROM core_unit u WHERE u.id = {}", unit.id)
    async with request_connection() as held:
        for _ in range(3):
            assert await raw_rows(Unit, by_key, generic_plan=True) == [{"code": "GP-1"}]
            assert await plan_mode(held.connection) == "force_generic_plan"
            assert await raw_rows(Unit, other) == [{"name": "Generisk"}]
            assert await plan_mode(held.connection) == "force_custom_plan"
        generic, custom = await plan_counts(held.connection, "SELECT u.code FROM core_unit u WHERE u.id = $1")
        assert generic == 3 and custom == 0
        generic, custom = await plan_counts(held.connection, "SELECT u.name FROM core_unit u WHERE u.id = $1")
        assert generic == 0 and custom == 3
        await raw_rows(Unit, by_key, generic_plan=True)
        with pytest.raises(RuntimeError):
            async with writing(Unit):
                assert await plan_mode(held.connection) == "force_custom_plan"
                assert await raw_rows(Unit, by_key, generic_plan=True) == [{"code": "GP-1"}]
                raise RuntimeError("rulles tilbake")
        assert await plan_mode(held.connection) == "force_custom_plan"
        await raw_rows(Unit, by_key, generic_plan=True)
        pid = await held.connection.fetchval("SELECT pg_backend_pid()")
    # Back in the pool (its only connection); a statement outside a request gets custom plans.
    assert not held.generic
    assert await outside_a_request() == (pid, "force_custom_plan")


async def test_a_request_leaves_its_connection_generic_for_the_next_request_only(pool_of) -> None:
    """A request gives its connection back in the mode it is in: the next request takes it so
    (no SET before its first read by key, where most pages begin), while anyone else (a job,
    a command) gets it set back to custom plans first (``core.request_connection.custom_plans``)."""
    engine = await pool_of(1)
    unit = Unit(code="GP-3", name="Neste", active=True)
    await unit.save()
    by_key = QueryString("SELECT u.code FROM core_unit u WHERE u.id = {}", unit.id)
    async with request_connection():
        await raw_rows(Unit, by_key, generic_plan=True)
    async with request_connection() as held:
        connection = await held.take(engine.pool)
        held.busy = False
        assert held.generic and await plan_mode(connection) == "force_generic_plan"
        assert await raw_rows(Unit, by_key, generic_plan=True) == [{"code": "GP-3"}]
        assert await raw_rows(Unit, QueryString("SELECT 1 AS one")) == [{"one": 1}]
        assert await plan_mode(connection) == "force_custom_plan"
        await raw_rows(Unit, by_key, generic_plan=True)
        pid = connection.get_server_pid()
    assert await outside_a_request() == (pid, "force_custom_plan")
    async with request_connection():
        await raw_rows(Unit, by_key, generic_plan=True)
    async with Unit._meta.db.transaction():  # a transaction of its own (a job): custom before BEGIN
        assert await Unit.raw("SELECT current_setting('plan_cache_mode') AS mode") == [
            {"mode": "force_custom_plan"}
        ]


async def test_a_broken_connection_left_generic_never_gives_generic_plans_to_others(pool_of) -> None:
    """A connection a request left in generic mode whose backend is then killed: whoever takes
    it outside a request gets either an error (the reset to custom plans fails on the broken
    connection, which asyncpg then closes, as any statement on it would fail) or a new
    connection with custom plans, never generic plans it did not ask for."""
    engine = await pool_of(2)
    unit = Unit(code="GP-2", name="Brutt", active=True)
    await unit.save()
    async with request_connection() as held:
        await raw_rows(
            Unit, QueryString("SELECT u.code FROM core_unit u WHERE u.id = {}", unit.id), generic_plan=True
        )
        pid = await held.connection.fetchval("SELECT pg_backend_pid()")
        async with engine.pool.acquire() as other:
            assert await other.fetchval("SELECT pg_terminate_backend($1)", pid)
    assert not held.generic and held.connection is None
    outcomes: list[Any] = []
    for _ in range(4):
        try:
            backend, mode = await outside_a_request()
            outcomes.append((mode, backend != pid))
        except (
            asyncpg.PostgresConnectionError,
            asyncpg.InterfaceError,
            asyncpg.InternalClientError,
            ConnectionError,
        ):
            outcomes.append("brutt")
    assert outcomes.count("brutt") <= 1
    assert {outcome for outcome in outcomes if outcome != "brutt"} == {("force_custom_plan", True)}


async def test_every_pages_reads_by_key_run_with_generic_plans_and_the_same_answers(pool_of) -> None:
    """The session, the signed-in user, the task badge and a handler's restanse count (what
    every page reads) ask for generic plans, and answer as they do with custom ones."""
    from core.archive import ledger
    from core.archive.queries.restanser import Scope
    from core.auth.user import load_user
    from core.sessions import DatabaseStore
    from core.tasks.queries import inbox_count
    from core.timeutil import today
    from tests.support.factories import make_person, make_unit

    await pool_of(1)
    person = await make_person(unit=await make_unit())
    store = DatabaseStore()
    await store.set("generisk-plan", b"data", expires_in=600)

    async def every_page() -> tuple[Any, ...]:
        user = await load_user(person)
        assert user is not None
        return (
            await store.get("generisk-plan"),
            user,
            await inbox_count(user),
            await ledger.count(today(), Scope(saksbehandler_id=person)),
        )

    custom = await every_page()  # no request: a pool connection per statement, custom plans
    async with request_connection() as held:
        for _ in range(2):
            assert await every_page() == custom
        rows = await held.connection.fetch(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
    for table in ("FROM core_session", "FROM core_person", "FROM core_task", "FROM core_restanse_month"):
        (generic, custom_plans), *others = [
            (row["generic_plans"], row["custom_plans"]) for row in rows if table in row["statement"]
        ]
        assert not others, table
        assert generic == 2 and custom_plans == 1, table  # the first run: outside the request
    assert (await outside_a_request())[1] == "force_custom_plan"


async def test_the_restanse_counts_from_the_ledger_run_with_generic_plans(pool_of) -> None:
    """The counts read by key from the ledger (the menu badge, the handler's card, the monthly
    table and the leader's card; core.archive.ledger.by_key) and the handler's card's marks
    (open_counts.own_counts) ask for generic plans in a request and answer as with custom ones;
    a period of journaldato (counted from the spans, skewed by handler) stays custom."""
    from datetime import date

    from core.archive import ledger, open_counts
    from core.archive.queries.restanser import Scope
    from core.timeutil import today
    from tests.support.restanse_builders import make_org, make_restanse

    await pool_of(1)
    org = await make_org()
    for days, handler in ((3, org.handler), (40, org.handler), (10, None)):
        await make_restanse(org.unit, handler, journaldato=date.fromordinal(today().toordinal() - days))
    day = today()
    dates = [date.fromordinal(day.toordinal() - 7), day]
    unit = Scope(unit_ids=(org.unit,))
    period = Scope(unit_ids=(org.unit,), journaldato_fra=date.fromordinal(day.toordinal() - 20))

    async def counts() -> tuple[Any, ...]:
        return (
            await ledger.count(day, Scope(saksbehandler_id=org.handler)),
            await ledger.count(day, unit),
            await open_counts.own_counts(org.handler, day),
            [(c.unit_id, c.counts) for c in await ledger.counts_per_unit(dates, unit)],
            [(c.person_id, c.counts) for c in await ledger.counts_per_handler(dates, unit)],
            await ledger.counts_per_key(dates, unit),
            await ledger.count(day, period),
        )

    async def plans(connection: Any) -> dict[str, tuple[int, int]]:
        rows = await connection.fetch(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
        )
        return {r["statement"]: (r["generic_plans"], r["custom_plans"]) for r in rows}

    custom = await counts()  # no request: custom plans
    assert custom[0] == 2 and custom[1] == 3 and custom[2][1] == 1 and custom[-1] == 2
    async with request_connection() as held:
        await raw_rows(Unit, QueryString("SELECT 1 AS one"))  # takes the request's connection
        before = await plans(held.connection)
        assert await counts() == custom
        after = await plans(held.connection)
    ran = {
        statement: (generic - before.get(statement, (0, 0))[0], planned - before.get(statement, (0, 0))[1])
        for statement, (generic, planned) in after.items()
        if (generic, planned) != before.get(statement)
    }
    ledger_reads = [n for s, n in ran.items() if "core_restanse_month" in s]
    open_reads = [n for s, n in ran.items() if "FROM core_restanse_open" in s]
    span_reads = [
        n
        for s, n in ran.items()
        if "core_restanse_span" in s and not {"core_restanse_month", "core_restanse_open"} & set(s.split())
    ]
    assert len(ledger_reads) == 5 and all(n == (1, 0) for n in ledger_reads)
    assert open_reads == [(1, 0)]
    assert span_reads == [(0, 1)]  # the period's count


async def test_a_handlers_own_page_of_restanser_reads_its_ids_with_a_generic_plan(pool_of) -> None:
    """*Egne restanser*: the page's ids from the spans of one handler get a generic plan
    (core.archive.ledger.page_ids_by_key); with a unit in the scope (the leader's unit report)
    they stay custom. The pages are the same as with custom plans."""
    from datetime import date

    from core.archive.queries.restanse_lists import open_restanser
    from core.archive.queries.restanser import Scope
    from core.archive.queries.visibility import Viewer
    from core.timeutil import today
    from tests.support.restanse_builders import make_org, make_restanse

    await pool_of(1)
    org = await make_org()
    for days in (3, 40, 10):
        await make_restanse(org.unit, org.handler, journaldato=date.fromordinal(today().toordinal() - days))
    viewer = Viewer(org.leader, frozenset())
    own = Scope(saksbehandler_id=org.handler)
    in_unit = Scope(unit_ids=(org.unit,), saksbehandler_id=org.handler)

    async def pages() -> list[list[int]]:
        return [
            [item["korrespondansepart_id"] for item in (await open_restanser(viewer, scope)).items]
            for scope in (own, in_unit)
        ]

    custom = await pages()  # no request: custom plans
    assert len(custom[0]) == 3 and custom[0] == custom[1]
    async with request_connection() as held:
        assert await pages() == custom
        rows = await held.connection.fetch(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE 'SELECT x.korrespondansepart FROM core_restanse_span x%'"
        )
    plans = {("x.enhet" in r["statement"]): (r["generic_plans"], r["custom_plans"]) for r in rows}
    # One connection: the first run (outside a request) planned each once, custom.
    assert plans == {False: (1, 1), True: (0, 2)}, plans
