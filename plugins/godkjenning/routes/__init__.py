"""Godkjenning's routes, one module per page area, each with its router under ``/godkjenning``:
:mod:`~plugins.godkjenning.routes.overview` (the handler's overview and the card),
:mod:`~plugins.godkjenning.routes.send` (send a post for approval),
:mod:`~plugins.godkjenning.routes.task` (the task page: decide, send again, dispatch),
:mod:`~plugins.godkjenning.routes.rounds` (a round's status, withdraw) and
:mod:`~plugins.godkjenning.routes.chains` (the unit's chain templates)."""

from __future__ import annotations

from litestar import Router

from plugins.godkjenning.routes import chains, overview, rounds, send, task

ROUTERS: list[Router] = [overview.router, send.router, task.router, rounds.router, chains.router]
