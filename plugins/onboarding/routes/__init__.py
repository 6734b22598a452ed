"""Onboarding's routes, one module per page area, each with its router under ``/onboarding``:
the front page and card (:mod:`~plugins.onboarding.routes.pages`), the form and its route
(:mod:`~plugins.onboarding.routes.forms`), the leaver's checklist with the bulk transfer
(:mod:`~plugins.onboarding.routes.checklist`) and training follow-up
(:mod:`~plugins.onboarding.routes.training`)."""

from __future__ import annotations

from litestar import Router

from plugins.onboarding.routes import checklist, forms, pages, training

ROUTERS: list[Router] = [pages.router, forms.router, checklist.router, training.router]
