"""The signed-in user as every handler and hook sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from core import roles
from core.organisation import Authority, authorities_of
from core.tables import Person, PersonRole
from core.timeutil import today


@dataclass(frozen=True)
class User:
    """A signed-in person with their roles and the units they may act as leader for today."""

    person_id: int
    name: str
    initials: str
    email: str
    unit_id: int | None
    unit_name: str
    roles: frozenset[str] = frozenset()
    authorities: tuple[Authority, ...] = field(default=())
    language: str | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_admin(self) -> bool:
        return roles.ADMIN in self.roles

    @property
    def is_archive(self) -> bool:
        return roles.ARKIV in self.roles

    @property
    def is_leader(self) -> bool:
        """Leads or acts as deputy for at least one unit today."""
        return bool(self.authorities)

    @property
    def is_own_leader(self) -> bool:
        """Is the registered leader of at least one unit (not only acting as deputy)."""
        return any(not a.as_deputy for a in self.authorities)

    def authority_for(self, unit_id: int) -> Authority | None:
        """How this user may act as leader for ``unit_id`` today, or None."""
        for authority in self.authorities:
            if authority.unit_id == unit_id:
                return authority
        return None

    @property
    def led_unit_ids(self) -> list[int]:
        return [a.unit_id for a in self.authorities]


def may_sign_in(on: date | None = None) -> Any:
    """The Piccolo condition "the person may sign in on ``on`` (today)": active, and not inside a
    sign-in pause (``pause_starts``..``pause_ends``, a leave). Used by :func:`load_user` (every
    request), dev login and OIDC sign-in."""
    day = on or today()
    not_paused = (
        Person.pause_starts.is_null()
        | Person.pause_ends.is_null()
        | (Person.pause_starts > day)
        | (Person.pause_ends < day)
    )
    return Person.active.eq(True) & not_paused


async def load_user(person_id: int) -> User | None:
    """Build the :class:`User` for a person who may sign in today, or None if unknown,
    deactivated or inside a sign-in pause (a leave)."""
    row = (
        await Person.select(
            Person.id,
            Person.name,
            Person.initials,
            Person.email,
            Person.unit,
            Person.unit.name.as_alias("unit_name"),
            Person.language,
        )
        .where((Person.id == person_id) & may_sign_in())
        .first()
    )
    if row is None:
        return None
    role_rows = await PersonRole.select(PersonRole.role).where(PersonRole.person == person_id)
    return User(
        person_id=row["id"],
        name=row["name"],
        initials=row["initials"],
        email=row["email"],
        unit_id=row["unit"],
        unit_name=row["unit_name"] or "",
        roles=frozenset(r["role"] for r in role_rows),
        authorities=tuple(await authorities_of(person_id)),
        language=row["language"],
    )
