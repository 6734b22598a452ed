"""Plugins read core's records through ``core.archive.queries`` and write through
``core.archive.services``: no SQL of a plugin names a core table (``core_*``). The few places
that must are listed here, each with why."""

from __future__ import annotations

import re
from pathlib import Path

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
CORE_TABLE = re.compile(r"\bcore_[a-z_]+\b")

ALLOWED: dict[str, str] = {
    # path relative to plugins/ -> why it may name a core table
}
"""Generated migrations (``piccolo_migrations/``) are always allowed: a plugin table's foreign
key to a core table is named there by Piccolo."""


def core_table_literals() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for source in sorted(PLUGINS.rglob("*.py")):
        if "piccolo_migrations" in source.parts:
            continue
        names = [m.group(0) for m in CORE_TABLE.finditer(source.read_text(encoding="utf-8"))]
        if names:
            found[str(source.relative_to(PLUGINS))] = names
    return found


def test_no_plugin_names_a_core_table() -> None:
    stray = {path: names for path, names in core_table_literals().items() if path not in ALLOWED}
    assert not stray, (
        f"plugins name core tables in SQL: {stray}. Read through core/archive/queries/ "
        "(add the query there with a test), write through core.archive.services."
    )


def test_the_allow_list_is_still_needed() -> None:
    found = core_table_literals()
    assert not [path for path in ALLOWED if path not in found], "remove entries that no longer apply"
