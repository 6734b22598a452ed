"""Tables owned by the onboarding plugin (prefix ``onboarding_``), one module per part of the
routine: :mod:`~plugins.onboarding.tables.forms` (the form),
:mod:`~plugins.onboarding.tables.checklist` (the leaver's checklist) and
:mod:`~plugins.onboarding.tables.training` (training follow-up)."""

from __future__ import annotations

from piccolo.table import Table

from plugins.onboarding.tables.checklist import CHECKLIST_TABLES
from plugins.onboarding.tables.forms import FORM_TABLES
from plugins.onboarding.tables.training import TRAINING_TABLES

TABLES: list[type[Table]] = [*FORM_TABLES, *CHECKLIST_TABLES, *TRAINING_TABLES]
