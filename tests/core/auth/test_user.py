"""The signed-in user (``core.auth.user.load_user``): person, roles, the units the person may
act as leader for and the tilgangskoder, read in one statement on every signed-in request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import roles
from core.archive.queries.visibility import Viewer
from core.archive.tables import Tilgang
from core.auth.user import load_user
from core.tables import Leadership, Person
from core.timeutil import today
from tests.support.factories import login, make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_the_user_carries_person_roles_and_authorities(db, statements: list[str]) -> None:
    own, covered, stale = await make_unit(), await make_unit(), await make_unit()
    person = await make_person(name="Kari Nordmann", unit=own, roles=(roles.ARKIV, roles.ADMIN))
    leader, old_leader, new_leader = [await make_person() for _ in range(3)]
    await make_leader(own, person)
    await make_leader(covered, leader)
    await make_leader(stale, new_leader)
    # Two periods today for the same unit: the unit is listed once.
    await make_deputy(covered, leader, person, today(), today())
    await make_deputy(covered, leader, person, today() - timedelta(days=1), today() + timedelta(days=1))
    # A deputyship for a leader who no longer leads the unit, and one outside its period.
    await make_deputy(stale, old_leader, person, today(), today())
    await make_deputy(stale, new_leader, person, today() + timedelta(days=1), today() + timedelta(days=2))
    await Person.update({Person.language: "nn"}).where(Person.id == person)
    await Tilgang.insert(
        Tilgang(person=person, tilgangsrestriksjon="13"), Tilgang(person=person, tilgangsrestriksjon="26")
    )
    await Tilgang(person=leader, tilgangsrestriksjon="15").save()

    statements.clear()
    user = await load_user(person)
    assert len(statements) == 1, statements
    assert user is not None and user.access_codes == frozenset({"13", "26"})
    # A page's skjerming takes the codes read with the person: no statement of its own.
    assert (await Viewer.of(user)).codes == frozenset({"13", "26"})
    assert len(statements) == 1, statements
    assert user is not None
    assert (user.person_id, user.name, user.unit_id, user.language) == (person, "Kari Nordmann", own, "nn")
    assert user.unit_name and user.initials and "@" in user.email
    assert user.roles == frozenset({roles.ARKIV, roles.ADMIN})
    assert [(a.unit_id, a.on_behalf_of) for a in user.authorities] == [(own, None), (covered, leader)]
    assert user.is_own_leader and user.authority_for(stale) is None

    # Tomorrow's period makes the person the acting leader of ``stale`` from tomorrow only;
    # a change of leader ends the deputyship at once.
    await Leadership.update({Leadership.person: old_leader}).where(Leadership.unit == covered)
    again = await load_user(person)
    assert again is not None and [a.unit_id for a in again.authorities] == [own]


async def test_unknown_inactive_or_paused_people_get_no_user(db) -> None:
    unit = await make_unit()
    person = await make_person(unit=unit, roles=(roles.ARKIV,))
    await make_leader(unit, person)
    assert await load_user(person + 1000) is None
    await Person.update({Person.pause_starts: today(), Person.pause_ends: today()}).where(Person.id == person)
    assert await load_user(person) is None
    await Person.update({Person.pause_starts: None, Person.pause_ends: None, Person.active: False}).where(
        Person.id == person
    )
    assert await load_user(person) is None


async def test_a_person_without_unit_roles_or_units(db) -> None:
    person = await make_person()
    user = await load_user(person)
    assert user is not None
    assert user.unit_id is None and user.unit_name == "" and user.roles == frozenset()
    assert user.access_codes == frozenset()
    assert user.authorities == () and not user.is_leader


async def test_a_signed_in_request_reads_session_and_user_in_two_statements(client, db, statements) -> None:
    """The fixed cost of every signed-in page: the session row and the user, nothing else
    before the page's own queries."""
    unit = await make_unit()
    person = await make_person(unit=unit)
    await make_leader(unit, person)
    await login(client, person)
    statements.clear()
    page = await client.get("/oppgaver/kort", headers={"HX-Request": "true"})
    assert page.status_code == 200
    assert "core_session" in statements[0], statements
    assert "core_person_role" in statements[1] and "core_deputy_period" in statements[1], statements
    rest = statements[2:]
    assert not [sql for sql in rest if "core_session" in sql or "core_person_role" in sql], rest
    assert not [sql for sql in rest if "core_leadership" in sql or "core_deputy_period" in sql], rest
