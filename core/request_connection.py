"""One PostgreSQL connection for all of a request's statements.

Piccolo takes a connection from the pool for every statement outside a transaction and gives
it back afterwards. asyncpg's release runs in a task of its own (``asyncio.shield``), so the
pair costs about 0.13 ms of CPU: 1.5 ms of a list page's 12 ms at eleven statements
(docs/benchmarks.md, «One connection per request»). :func:`request_connection` (opened for
every HTTP request by :func:`core.web.middleware.request_memo_middleware`) lets the request
take one connection at its first statement and give it back when its response starts (a
streamed response that reads more takes one again), or earlier where the request is about to
wait on something else (:func:`give_back_request_connection`: an upload's body, the identity
provider). A slow client therefore never holds a connection while it reads a page.

- A transaction opened inside the request (:meth:`ArkivPostgresEngine.transaction`) runs on the
  request's connection instead of taking a second one. A request therefore never holds two
  connections, so requests waiting for the pool can never hold each other's (with two per
  request, a full pool of requests would each wait for a second one forever).
- Statements run at the same time within a request (``asyncio.gather``) cannot share one
  connection: while the request's connection is busy, another statement takes one from the
  pool as before.
- Outside a request (jobs, the command line) a statement takes a connection of the pool for
  itself, as in Piccolo, set back to custom plans first if a request left it in generic mode
  (:func:`custom_plans`); without a pool (the tests' default) nothing changes.

:func:`raw_rows` runs composed SQL the way ``Table.raw`` does, minus the query object Piccolo
builds around it on the app's PostgreSQL engine (the reads behind every page use it).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from contextvars import ContextVar
from typing import Any

from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.querystring import QueryString
from piccolo.table import Table

from core.querystrings import compile_for_postgres

GENERIC_PLANS = "SET plan_cache_mode = force_generic_plan"
CUSTOM_PLANS = "SET plan_cache_mode = force_custom_plan"
"""The app's connections plan every statement for its values (``core.db.SERVER_SETTINGS``);
a request switches its own connection to generic plans for the statements that read rows by
their keys (:func:`raw_rows` with ``generic_plan=True``) and back before anything else runs on
it. A connection goes back to the pool as it is; the next request takes it in that mode
(most pages begin with reads by key: the session, the user), and a statement or transaction
outside a request sets it back to custom plans first (:func:`custom_plans`)."""

_GENERIC_BACKENDS: set[int] = set()
"""The backends (process ids) of this process's pooled connections that may be set to generic
plans. Added before the ``SET`` and removed after the ``SET`` back succeeds, so a connection is
never believed custom while it is not; a new connection (the server's default, custom) is
removed by :func:`forget_plans` in case the process id is reused."""


async def custom_plans(connection: Any) -> None:
    """Set a pooled connection taken outside a request back to custom plans if a request left
    it in generic mode (``_run_in_pool``, a transaction of its own: a job, a command). If the
    ``SET`` fails (a broken connection), the connection is closed, so the pool makes a new one
    for the next statement, and the error is raised, as the statement on it would have
    failed."""
    pid = connection.get_server_pid()
    if pid not in _GENERIC_BACKENDS:
        return
    try:
        await connection.execute(CUSTOM_PLANS)
    except BaseException:
        with contextlib.suppress(Exception):
            connection.terminate()
        raise
    _GENERIC_BACKENDS.discard(pid)


async def forget_plans(connection: Any) -> None:
    """The pool's ``init`` (a new connection): it plans for its values, whatever an earlier
    backend with its process id was set to."""
    _GENERIC_BACKENDS.discard(connection.get_server_pid())


class RequestConnection:
    """The connection one request holds (taken at its first statement), whether a statement
    or transaction is using it right now, and whether it is set to generic plans."""

    __slots__ = ("busy", "connection", "generic", "open", "pool")

    def __init__(self) -> None:
        self.connection: Any = None
        self.pool: Any = None
        self.busy = False
        self.generic = False
        self.open = True
        """False once the request has ended: a task it started that is still running (it
        inherited this object with the request's context) then takes a connection per
        statement again, rather than one nobody gives back."""

    async def take(self, pool: Any) -> Any:
        """The request's connection (taking it from ``pool`` the first time), marked busy.

        Busy before the first ``acquire`` is awaited: a statement the request runs meanwhile
        (``gather``) must take a connection of its own, not a second one into this holder."""
        self.busy = True
        if self.connection is None:
            try:
                self.connection = await pool.acquire()
            except BaseException:
                self.busy = False
                raise
            self.pool = pool
            self.generic = self.connection.get_server_pid() in _GENERIC_BACKENDS
        return self.connection

    async def plans(self, connection: Any, generic: bool) -> None:
        """Set the held connection to generic or custom plans, if it is not already (one
        ``SET`` round trip when it changes; consecutive statements of one kind share it)."""
        if generic and not self.generic:
            # Marked before the SET: if it is interrupted, whoever takes the connection next
            # outside a request resets it (custom_plans).
            self.generic = True
            _GENERIC_BACKENDS.add(connection.get_server_pid())
            await connection.execute(GENERIC_PLANS)
        elif self.generic and not generic:
            await connection.execute(CUSTOM_PLANS)
            self.generic = False
            _GENERIC_BACKENDS.discard(connection.get_server_pid())

    async def give_back(self) -> None:
        """Back to the pool in the mode it is in (see :data:`CUSTOM_PLANS`)."""
        if self.connection is None:
            return
        connection, self.connection = self.connection, None
        self.generic = False
        await self.pool.release(connection)


_HELD: ContextVar[RequestConnection | None] = ContextVar("request_connection", default=None)


@contextlib.asynccontextmanager
async def request_connection() -> AsyncIterator[RequestConnection]:
    """Statements run inside the block share one pool connection, given back at the end."""
    held = RequestConnection()
    token = _HELD.set(held)
    try:
        yield held
    finally:
        _HELD.reset(token)
        held.open = False
        await held.give_back()


async def give_back_request_connection() -> None:
    """Give the request's connection back now, before the request waits on something that is
    not the database (the client reading the response or sending an upload, the identity
    provider); a later statement takes one again."""
    held = _HELD.get()
    if held is not None and not held.busy:
        await held.give_back()


def _free_request_connection(engine: PostgresEngine) -> RequestConnection | None:
    held = _HELD.get()
    if held is None or held.busy or not held.open or engine.pool is None:
        return None
    return held


class ArkivPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine, running a request's statements on the request's connection."""

    async def _run_in_pool(
        self, query: str, args: Sequence[Any] | None = None, *, generic_plan: bool = False
    ) -> Any:
        """On the request's connection when it is free (with a generic plan if asked: only
        there, where the setting is tracked and undone), otherwise on a connection of the pool
        for this statement alone, as Piccolo does."""
        held = _free_request_connection(self)
        if held is None:
            if self.pool is None:  # run_querystring comes here only with a pool
                return await super()._run_in_pool(query, args)
            async with self.pool.acquire() as connection:
                await custom_plans(connection)
                return await connection.fetch(query, *(args or ()))
        connection = await held.take(self.pool)
        try:
            await held.plans(connection, generic_plan)
            return await connection.fetch(query, *(args or ()))
        finally:
            held.busy = False

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return RequestTransaction(engine=self, allow_nested=allow_nested)

    def transform_response_to_dicts(self, results: Any) -> list[dict[str, Any]]:
        """asyncpg's records as dicts, the column names read once per statement (Piccolo's
        ``dict(record)`` looks each value up by name: 100 µs for 50 rows of 41 columns, this
        70 µs)."""
        if not results:
            return []
        names = tuple(results[0].keys())
        return [dict(zip(names, record, strict=True)) for record in results]

    async def run_querystring(
        self, querystring: QueryString, in_pool: bool = True, *, generic_plan: bool = False
    ) -> Any:
        """Piccolo's (1.38), the same steps, with the statement compiled by
        :func:`core.querystrings.compile_for_postgres` (a quarter of Piccolo's time for a list
        page's statement): every query on the app's engine, the ORM's and the raw reads alike.
        ``generic_plan``: see :func:`raw_rows`; inside a transaction the plan is custom."""
        query, query_args = compile_for_postgres(querystring)
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=str(querystring))
        current_transaction = self.current_transaction.get()
        if current_transaction:
            response = await current_transaction.connection.fetch(query, *query_args)
        elif in_pool and self.pool:
            response = await self._run_in_pool(query, query_args, generic_plan=generic_plan)
        else:
            response = await self._run_in_new_connection(query, query_args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def rows(self, query: QueryString, *, generic_plan: bool = False) -> list[dict[str, Any]]:
        """The rows of ``query`` as dicts: what ``Table.raw`` gives, without its query object
        (``Raw``, ``Query.run``, ``_process_results``: about 13 µs of CPU per statement)."""
        return self.transform_response_to_dicts(await self.run_querystring(query, generic_plan=generic_plan))


async def raw_rows(
    table: type[Table], query: QueryString, *, generic_plan: bool = False
) -> list[dict[str, Any]]:
    """The rows of composed SQL on ``table``'s engine, as ``await table.raw("{}", query)``
    gives them: on the app's PostgreSQL engine through :meth:`ArkivPostgresEngine.rows`, on any
    other (SQLite) through Piccolo's ``raw``.

    ``generic_plan=True`` is for statements whose best plan does not depend on the values:
    those that read rows by their keys (a primary key, a list of ids, one person's settings).
    Within a request (outside a transaction) PostgreSQL then plans the statement once per
    connection instead of on every run (planning was half of a list page's PostgreSQL time;
    docs/benchmarks.md, «Generic plans for the reads by key»). Never for a statement whose
    rows depend on skewed values (a handler's restanser, a search): a plan made without the
    values can be many times slower there (``core.db.SERVER_SETTINGS``). Every condition
    counts: rows by id that must also meet a handler's or unit's conditions are read by key
    only when those conditions cannot drive (the plan may start from the handler's rows instead
    of the ids; :func:`core.archive.queries.restanse_lists.recipients_by_id` fences the ids)."""
    engine = table._meta.db
    if isinstance(engine, ArkivPostgresEngine):
        return await engine.rows(query, generic_plan=generic_plan)
    rows: list[dict[str, Any]] = await table.raw("{}", query)
    return rows


class RequestTransaction(PostgresTransaction):
    """A transaction on the request's connection when it is free; otherwise, as Piccolo's, on a
    connection of its own from the pool."""

    def __init__(self, engine: PostgresEngine, allow_nested: bool = True) -> None:
        super().__init__(engine, allow_nested)
        self.borrowed: RequestConnection | None = None

    async def get_connection(self) -> Any:
        held = _free_request_connection(self.engine)
        if held is None:
            connection = await super().get_connection()  # type: ignore[no-untyped-call]
            if self.engine.pool is not None:
                try:
                    await custom_plans(connection)  # before BEGIN
                except BaseException:
                    await self.engine.pool.release(connection)
                    raise
            return connection
        self.borrowed = held
        connection = await held.take(self.engine.pool)
        try:
            # Before BEGIN: a SET inside the transaction would be undone by its rollback.
            await held.plans(connection, False)
        except BaseException:
            held.busy = False
            raise
        return connection

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self.borrowed is None:
            return bool(await super().__aexit__(exception_type, exception, traceback))
        # Piccolo's __aexit__ without giving the connection back to the pool: it stays the
        # request's (the same steps otherwise, Piccolo 1.38).
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            self.borrowed.busy = False
            self.engine.current_transaction.reset(self.context)
        return exception is None
