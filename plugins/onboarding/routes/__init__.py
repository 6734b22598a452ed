"""Onboarding's routes, one module per page area, each with its router under ``/onboarding``. Today
only the skeleton's front page and card (:mod:`~plugins.onboarding.routes.pages`)."""

from __future__ import annotations

from litestar import Router

from plugins.onboarding.routes import pages

ROUTERS: list[Router] = [pages.router]
