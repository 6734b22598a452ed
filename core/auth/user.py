"""The signed-in user as every handler and hook sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from piccolo.querystring import QueryString

from core import roles
from core.organisation import Authority, authorities_from_rows, authority_rows
from core.request_connection import raw_rows
from core.tables import Person
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
    access_codes: frozenset[str] | None = None
    """The tilgangskoder the person holds, read with the person (:func:`load_user`); None when
    not read (a User made elsewhere): :meth:`core.archive.queries.visibility.Viewer.of` then
    reads them."""

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
    deactivated or inside a sign-in pause (a leave).

    One statement (it runs on every signed-in request): the person (part 0), their roles
    (part 1), the units they may act as leader for (parts 2 and 3,
    :func:`core.organisation.authority_rows`) and their tilgangskoder (part 4, which every
    page with records needs for skjerming), as the rows of one ``UNION ALL``."""
    day = today()
    rows = await raw_rows(
        Person,
        QueryString(
            "SELECT 0 AS part, core_person.id AS n1, core_person.unit AS n2, 0 AS k,"
            " core_person.name AS t1, core_person.initials AS t2, core_person.email AS t3,"
            " u.name AS t4, core_person.language AS t5"
            " FROM core_person LEFT JOIN core_unit u ON u.id = core_person.unit"
            " WHERE core_person.id = {} AND {}"
            " UNION ALL SELECT 1, NULL, NULL, 0, r.role, NULL, NULL, NULL, NULL"
            " FROM core_person_role r WHERE r.person = {}"
            " UNION ALL SELECT 4, NULL, NULL, 0, t.tilgangsrestriksjon, NULL, NULL, NULL, NULL"
            " FROM core_tilgang t WHERE t.person = {}"
            " UNION ALL SELECT a.part, a.unit, a.on_behalf_of, a.k, NULL, NULL, NULL, NULL, NULL"
            " FROM ({}) a",
            person_id,
            may_sign_in(day).querystring,
            person_id,
            person_id,
            authority_rows(person_id, day),
        ),
        generic_plan=True,
    )
    person = next((r for r in rows if int(r["part"]) == 0), None)
    if person is None:
        return None
    authority = [
        {"part": r["part"], "unit": r["n1"], "on_behalf_of": r["n2"], "k": r["k"]}
        for r in rows
        if int(r["part"]) in (2, 3)
    ]
    return User(
        person_id=int(person["n1"]),
        name=person["t1"],
        initials=person["t2"],
        email=person["t3"],
        unit_id=person["n2"],
        unit_name=person["t4"] or "",
        roles=frozenset(r["t1"] for r in rows if int(r["part"]) == 1),
        authorities=tuple(authorities_from_rows(person_id, authority)),
        language=person["t5"],
        access_codes=frozenset(r["t1"] for r in rows if int(r["part"]) == 4),
    )
