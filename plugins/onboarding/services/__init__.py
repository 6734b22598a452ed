"""Onboarding's writes and rules, one module per part of the routine:
:mod:`~plugins.onboarding.services.checklist` (the leaver's checklist: its lines from every
plugin, "may the avgang be completed?", the recorded reason),
:mod:`~plugins.onboarding.services.transfer` (the bulk transfer to a successor, through
:func:`core.archive.services.transfer_work`) and
:mod:`~plugins.onboarding.services.demo_checklist` (demo data)."""
