"""Tables owned by the onboarding plugin (prefix ``onboarding_``), one module per part of the
routine: :mod:`~plugins.onboarding.tables.checklist` (the leaver's checklist)."""

from __future__ import annotations

from piccolo.table import Table

from plugins.onboarding.tables.checklist import CHECKLIST_TABLES

TABLES: list[type[Table]] = [*CHECKLIST_TABLES]
