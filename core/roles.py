"""The app's global roles. Leader and handler are not roles: they follow from the organisation."""

from __future__ import annotations

from core.i18n import N_

ARKIV = "arkiv"
"""Fellestjenesten/Arkiv: the archive service."""
LONN = "lonn"
"""Lønningskontoret (payroll)."""
IKT = "ikt"
"""IKT (IT department)."""
ADMIN = "admin"
"""Administrator of the app (organisation data, plugins)."""

APP_ROLES: tuple[str, ...] = (ARKIV, LONN, IKT, ADMIN)

ROLE_LABELS = {
    ARKIV: N_("Fellestjenesten/Arkiv"),
    LONN: N_("Lønningskontoret"),
    IKT: N_("IKT"),
    ADMIN: N_("Administrator"),
}
"""Each role's name for people (bokmål message id: show it with ``_()``)."""

HANDLER = "saksbehandler"
"""Front-page section of everyone's own work (not an app role: every person is a handler)."""
LEADER = "leder"
"""Front-page section of a unit's leader, or of the deputy while the leader is away (not an app
role: it follows from the organisation, :attr:`core.auth.user.User.authorities`)."""

CARD_ROLES: tuple[str, ...] = (HANDLER, LEADER, ARKIV, LONN, IKT, ADMIN)
"""The front page's sections, in this order: a :class:`core.contributions.DashboardCard`
declares one of these as its ``role``."""
