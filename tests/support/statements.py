"""A fixture that records the SQL of every statement run, by either engine: for tests that a
page asks the database for a count once per request."""

from __future__ import annotations

import pytest
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from core.request_connection import ArkivPostgresEngine


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement run from here on, by any engine (app and test alike)."""
    seen: list[str] = []
    # The app's PostgreSQL engine has a run_querystring of its own (core.request_connection).
    for engine in (SQLiteEngine, PostgresEngine, ArkivPostgresEngine):

        async def counting(
            self: object,
            querystring: object,
            *args: object,
            _original=engine.run_querystring,
            **kwargs: object,
        ) -> object:
            seen.append(str(querystring))
            return await _original(self, querystring, *args, **kwargs)

        monkeypatch.setattr(engine, "run_querystring", counting)

    return seen
