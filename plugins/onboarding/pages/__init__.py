"""Onboarding's page contexts, one module per page area: the form
(:mod:`~plugins.onboarding.pages.forms`) and the leaver's checklist with the transfer preview
(:mod:`~plugins.onboarding.pages.checklist`)."""
