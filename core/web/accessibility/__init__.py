"""The accessibility statement (*tilgjengelighetserklæring*), ``/tilgjengelighetserklaering``:
public, linked from the footer of every page. What it says is in :mod:`.statement`."""

from core.web.accessibility.routes import ROUTES

__all__ = ["ROUTES"]
