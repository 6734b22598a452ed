"""Fordeling's own tables: none. The queues are the archive's records (internal recipients
without a handler, :mod:`core.archive.queries.distribution`); every change is an archive
service call, logged in core's hendelseslogg."""

from __future__ import annotations

from piccolo.table import Table

TABLES: list[type[Table]] = []
