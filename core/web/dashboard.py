"""The front page's sections: one per role the user has, each with the cards of that role."""

from __future__ import annotations

from dataclasses import dataclass

from core import roles
from core.archive.queries import units as unit_queries
from core.auth.user import User
from core.contributions import DashboardCard
from core.i18n import _


@dataclass(frozen=True)
class Section:
    """One role's part of the front page: its heading and its cards, sorted."""

    role: str
    heading: str
    cards: list[DashboardCard]


def user_card_roles(user: User) -> list[str]:
    """The sections ``user`` has, in :data:`core.roles.CARD_ROLES` order: everyone is a handler;
    ``leder`` for a leader (or a deputy today); the app roles the person holds."""
    held = {roles.HANDLER, *user.roles}
    if user.is_leader:
        held.add(roles.LEADER)
    return [role for role in roles.CARD_ROLES if role in held]


async def leader_heading(user: User) -> str:
    """«Leder for A, B», «Stedfortreder for C», or both joined: one query for the unit names."""
    found = await unit_queries.units_by_id(user.led_unit_ids)
    names = {uid: str(row["name"]) for uid, row in found.items()}
    own = [names.get(a.unit_id, "") for a in user.authorities if not a.as_deputy]
    deputy = [names.get(a.unit_id, "") for a in user.authorities if a.as_deputy]
    parts = []
    if own:
        parts.append(_("Leder for %(units)s") % {"units": ", ".join(own)})
    if deputy:
        parts.append(_("Stedfortreder for %(units)s") % {"units": ", ".join(deputy)})
    return "; ".join(parts)


async def sections(user: User, cards: list[DashboardCard]) -> list[Section]:
    """The sections of ``user``'s front page, each with its cards sorted by ``(order, title)``;
    cards of a role the user does not have are left out, and so are sections without cards."""
    result = []
    for role in user_card_roles(user):
        mine = sorted((c for c in cards if c.role == role), key=lambda c: (c.order, c.title))
        if not mine:
            continue
        if role == roles.HANDLER:
            heading = _("Saksbehandler")
        elif role == roles.LEADER:
            heading = await leader_heading(user)
        else:
            heading = _(roles.ROLE_LABELS[role])
        result.append(Section(role, heading, mine))
    return result
