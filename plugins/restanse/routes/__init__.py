"""Restanse's routes, one module per page area, each with its router under ``/restanse``:
:mod:`~plugins.restanse.routes.egne` (*Egne restanser*, the card, the guide),
:mod:`~plugins.restanse.routes.enhet` (*Restanser i egen enhet*),
:mod:`~plugins.restanse.routes.oppfolging` (*Restanseoppfølging*, trends) and
:mod:`~plugins.restanse.routes.utsending` (the monthly mails)."""

from __future__ import annotations

from litestar import Router

from plugins.restanse.routes import egne, enhet, oppfolging, utsending

ROUTERS: list[Router] = [egne.router, enhet.router, oppfolging.router, utsending.router]
