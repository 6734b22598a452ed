"""Godkjenning's routes, one module per page area, each with its router under ``/godkjenning``. Today
only the skeleton's front page and card (:mod:`~plugins.godkjenning.routes.pages`)."""

from __future__ import annotations

from litestar import Router

from plugins.godkjenning.routes import pages

ROUTERS: list[Router] = [pages.router]
