"""Who may work which queue (see the README, *Permissions*).

* a unit's queue: its leader, or the deputy inside a registered absence of the leader
  (:meth:`core.auth.user.User.authority_for`); a deputy acts on behalf of the leader;
* the central queue (posts without a unit): Fellestjenesten/Arkiv;
* Fellestjenesten/Arkiv may also look at every unit's queue, without acting on it.
"""

from __future__ import annotations

from typing import Any

from core.archive.queries import units
from core.auth.user import User
from core.errors import Forbidden, NotFound
from core.i18n import _
from core.organisation import Authority


def uses_fordeling(user: User) -> bool:
    """Leaders (and deputies today) and Fellestjenesten/Arkiv see the menu link and the card."""
    return user.is_leader or user.is_archive


def may_distribute(user: User, unit_id: int | None) -> bool:
    if unit_id is None:
        return user.is_archive
    return user.authority_for(unit_id) is not None


def may_view(user: User, unit_id: int | None) -> bool:
    return may_distribute(user, unit_id) or user.is_archive


def require_distributor(user: User, unit_id: int | None) -> Authority | None:
    """The user's authority for the queue (None for the central queue), or :class:`Forbidden`."""
    if unit_id is None:
        if not user.is_archive:
            raise Forbidden(_("Bare Fellestjenesten/Arkiv kan fordele post som ikke har fått enhet ennå."))
        return None
    authority = user.authority_for(unit_id)
    if authority is None:
        raise Forbidden(
            _(
                "Bare lederen for enheten kan fordele enhetens post, eller stedfortrederen mens "
                "lederen har registrert fravær."
            )
        )
    return authority


def require_viewer(user: User, unit_id: int | None) -> None:
    if not may_view(user, unit_id):
        require_distributor(user, unit_id)


def default_queue(user: User) -> int | None:
    """The queue ``/fordeling`` opens without ``?enhet=``: the first led unit, else central."""
    if user.led_unit_ids:
        return user.led_unit_ids[0]
    if user.is_archive:
        return None
    raise Forbidden(
        _(
            "Til fordeling er for ledere, stedfortredere i lederens fravær og Fellestjenesten/Arkiv. "
            "Du leder ingen enhet i dag."
        )
    )


async def require_unit(unit_id: int) -> dict[str, Any]:
    unit = await units.unit_by_id(unit_id)
    if unit is None:
        raise NotFound(_("Fant ingen enhet med dette nummeret."))
    return unit
