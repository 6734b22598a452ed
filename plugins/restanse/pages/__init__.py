"""What restanse's pages show, one module per page area (the contexts the routes render):
:mod:`~plugins.restanse.pages.egne`, :mod:`~plugins.restanse.pages.enhet`,
:mod:`~plugins.restanse.pages.oppfolging` and :mod:`~plugins.restanse.pages.utsending`; here the
menu link that every page and action answer shares."""

from __future__ import annotations

from core.archive import ledger
from core.archive.queries.restanser import Scope
from core.auth.user import User
from core.contributions import MenuLink
from core.i18n import _
from core.timeutil import today

CHANGED_EVENT = "restanse-endret"
"""Sent with ``HX-Trigger`` after every change; the card listens for it."""
GUIDE_URL = "/restanse/veiledning"


async def menu_count(person_id: int) -> int:
    """The menu badge: the person's own restanser today, read from the restanse ledger (a
    sum over the handler's ledger rows; :mod:`core.archive.ledger`)."""
    return await ledger.count(today(), Scope(saksbehandler_id=person_id))


async def menu_link(user: User) -> MenuLink:
    """The menu link *Restanser* with the user's own restanser; the hook and the out-of-band
    badge after an action use it alike."""
    return MenuLink(
        _("Restanser"),
        "/restanse",
        order=20,
        count=await menu_count(user.person_id),
        count_label=_("restanser"),
    )
