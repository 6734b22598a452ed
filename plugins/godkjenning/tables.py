"""Godkjenning's own tables: none yet (the routine is a skeleton)."""

from __future__ import annotations

from piccolo.table import Table

TABLES: list[type[Table]] = []
