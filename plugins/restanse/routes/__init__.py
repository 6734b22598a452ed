"""Restanse's routes, one module per page area, each with its router under ``/restanse``:
:mod:`~plugins.restanse.routes.egne` (*Egne restanser*, the card, the guide),
:mod:`~plugins.restanse.routes.foreloepig` (registering and undoing a foreløpig svar),
:mod:`~plugins.restanse.routes.enhet` (*Restanser i egen enhet*),
:mod:`~plugins.restanse.routes.oppfolging` (*Restanseoppfølging*, trends) and
:mod:`~plugins.restanse.routes.utsending` (the monthly mails)."""

from __future__ import annotations

from litestar import Router

from plugins.restanse.routes import egne, enhet, foreloepig, oppfolging, utsending

ROUTERS: list[Router] = [egne.router, foreloepig.router, enhet.router, oppfolging.router, utsending.router]
