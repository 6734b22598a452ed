"""Fordeling's routes, one module per page area, each with its router under ``/fordeling``:
:mod:`~plugins.fordeling.routes.queue` (the queue *Til fordeling*, its card, distributing),
:mod:`~plugins.fordeling.routes.dokument` (the document panel beside the queue) and
:mod:`~plugins.fordeling.routes.omfordel` (redistribution)."""

from __future__ import annotations

from litestar import Router

from plugins.fordeling.routes import dokument, omfordel, queue

ROUTERS: list[Router] = [queue.router, dokument.router, omfordel.router]
