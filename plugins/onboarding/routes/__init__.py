"""Onboarding's routes, one module per page area, each with its router under ``/onboarding``:
the front page and card (:mod:`~plugins.onboarding.routes.pages`), the form and its route
(:mod:`~plugins.onboarding.routes.forms`)."""

from __future__ import annotations

from litestar import Router

from plugins.onboarding.routes import forms, pages

ROUTERS: list[Router] = [pages.router, forms.router]
