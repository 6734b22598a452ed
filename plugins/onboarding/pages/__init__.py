"""Onboarding's page contexts, one module per page area:
:mod:`~plugins.onboarding.pages.checklist` (the leaver's checklist and the transfer preview)."""
