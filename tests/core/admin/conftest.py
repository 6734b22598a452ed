"""The admin service tests share the organisation tables' clean-up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.tables import Unit


@pytest.fixture(autouse=True)
async def _detach_sub_units() -> AsyncIterator[None]:
    """tests/support/db.empty_all_tables deletes all units in one statement, which SQLite's
    immediate RESTRICT check refuses while a unit still points at a parent; clear parents first."""
    yield
    await Unit.update({Unit.parent: None}, force=True)
