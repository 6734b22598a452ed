"""Onboarding's routes, one module per page area, each with its router under ``/onboarding``. The
front page and card (:mod:`~plugins.onboarding.routes.pages`) and the leaver's checklist with
the bulk transfer (:mod:`~plugins.onboarding.routes.checklist`), and training follow-up
(:mod:`~plugins.onboarding.routes.training`)."""

from __future__ import annotations

from litestar import Router

from plugins.onboarding.routes import checklist, pages, training

ROUTERS: list[Router] = [pages.router, checklist.router, training.router]
