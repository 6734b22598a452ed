"""Onboarding's own tables, one module per part of the routine: the form
(:mod:`~plugins.onboarding.tables.forms`)."""

from __future__ import annotations

from piccolo.table import Table

from plugins.onboarding.tables.forms import FORM_TABLES

TABLES: list[type[Table]] = [*FORM_TABLES]
