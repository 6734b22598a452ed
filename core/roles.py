"""The app's global roles. Leader and handler are not roles: they follow from the organisation."""

from __future__ import annotations

ARKIV = "arkiv"
"""Fellestjenesten/Arkiv: the archive service."""
LONN = "lonn"
"""Lønningskontoret (payroll)."""
IKT = "ikt"
"""IKT (IT department)."""
ADMIN = "admin"
"""Administrator of the app (organisation data, plugins)."""

APP_ROLES: tuple[str, ...] = (ARKIV, LONN, IKT, ADMIN)
