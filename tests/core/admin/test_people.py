"""People and their roles (``core.admin.people``): validation, access and hendelseslogg rows."""

from __future__ import annotations

import json

import pytest

from core import roles
from core.admin import people
from core.admin.people import PersonForm
from core.auth.user import load_user
from core.errors import Conflict
from core.tables import AuditEvent, Person, PersonRole
from tests.core.admin.support import audit_rows, expect_errors, user
from tests.support.factories import make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_person_create_validates_uniqueness_and_format(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,), email="admin@kommune.no"))
    unit = await make_unit()
    errors = await expect_errors(
        people.create_person(admin, PersonForm(name="", initials="", email="")), "name", "initials", "email"
    )
    assert errors["email"] == "Skriv inn e-postadressen."
    await expect_errors(
        people.create_person(admin, PersonForm(name="A", initials="A B", email="ikke-epost")),
        "initials",
        "email",
    )

    person_id = await people.create_person(
        admin,
        PersonForm(
            name="Kari Nordmann",
            initials="kn",
            email="Kari@Kommune.no",
            unit=str(unit),
            roles=frozenset({roles.LONN}),
        ),
    )
    row = await Person.select().where(Person.id == person_id).first()
    assert (row["initials"], row["email"], row["unit"], row["active"]) == (
        "KN",
        "kari@kommune.no",
        unit,
        True,
    )
    assert await PersonRole.select(PersonRole.role).where(PersonRole.person == person_id) == [
        {"role": roles.LONN}
    ]

    errors = await expect_errors(
        people.create_person(admin, PersonForm(name="Kåre", initials="KN", email="KARI@kommune.no")),
        "initials",
        "email",
    )
    assert "Kari Nordmann" in errors["initials"] and "Kari Nordmann" in errors["email"]

    created = await audit_rows("org.person_created")
    assert len(created) == 1 and created[0]["actor"] == admin.person_id
    assert json.loads(created[0]["details"])["roles"] == [roles.LONN]


async def test_person_update_changes_roles_and_audits(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    person = await make_person(name="Ola", roles=(roles.LONN,))
    row = await people.get_person(admin, person)
    form = PersonForm(
        name="Ola Nordmann", initials=row["initials"], email=row["email"], roles=frozenset({roles.IKT})
    )
    assert await people.update_person(admin, person, form)
    assert await PersonRole.select(PersonRole.role).where(PersonRole.person == person) == [
        {"role": roles.IKT}
    ]
    changes = json.loads((await audit_rows("org.person_updated"))[0]["details"])["changes"]
    assert changes["name"] == ["Ola", "Ola Nordmann"]
    assert changes["roles"] == [[roles.LONN], [roles.IKT]]


async def test_only_admins_grant_the_admin_role(db) -> None:
    archive = await user(await make_person(roles=(roles.ARKIV,)))
    errors = await expect_errors(
        people.create_person(
            archive, PersonForm(name="X", initials="X", email="x@k.no", roles=frozenset({roles.ADMIN}))
        ),
        "roles",
    )
    assert "Administrator" in errors["roles"]
    admin_person = await make_person(roles=(roles.ADMIN,))
    row = await people.get_person(archive, admin_person)
    # The archive user may edit an administrator as long as the admin role stays as it was.
    form = PersonForm(name="Ny", initials=row["initials"], email=row["email"], roles=frozenset({roles.ADMIN}))
    assert await people.update_person(archive, admin_person, form)
    await expect_errors(
        people.update_person(
            archive, admin_person, PersonForm(name="Ny", initials=row["initials"], email=row["email"])
        ),
        "roles",
    )


async def test_people_who_may_not_be_deactivated(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit()
    leader = await make_person(unit=unit)
    await make_leader(unit, leader)
    with pytest.raises(Conflict):
        await people.set_person_active(admin, admin.person_id, False)
    with pytest.raises(Conflict, match="leder"):
        await people.set_person_active(admin, leader, False)
    row = await people.get_person(admin, leader)
    form = PersonForm(
        name=row["name"], initials=row["initials"], email=row["email"], unit=str(unit), active=False
    )
    await expect_errors(people.update_person(admin, leader, form), "active")
    own = await people.get_person(admin, admin.person_id)
    await expect_errors(
        people.update_person(
            admin, admin.person_id, PersonForm(name=own["name"], initials=own["initials"], email=own["email"])
        ),
        "roles",
    )

    handler = await make_person(unit=unit)
    assert await people.set_person_active(admin, handler, False)
    assert await load_user(handler) is None
    assert await people.set_person_active(admin, handler, True)
    assert [
        r["action"]
        for r in await AuditEvent.select(AuditEvent.action).where(AuditEvent.object_id == str(handler))
    ] == [
        "org.person_deactivated",
        "org.person_reactivated",
    ]


async def test_people_search_and_paging(db) -> None:
    admin = await user(await make_person(name="Admin", roles=(roles.ADMIN,)))
    for n in range(60):
        await make_person(name=f"Saksbehandler {n:02d}")
    await make_person(name="Trine Øvrebø", email="trine.ovrebo@kommune.no")
    first = await people.list_people(admin)
    assert first.total == 62 and len(first.items) == 50 and first.has_next and first.pages == 2
    second = await people.list_people(admin, page=2)
    assert len(second.items) == 12 and not second.has_next
    assert {r["id"] for r in first.items}.isdisjoint({r["id"] for r in second.items})
    assert (await people.list_people(admin, page=99)).number == 2
    assert [r["name"] for r in (await people.list_people(admin, search="ovrebo")).items] == ["Trine Øvrebø"]
    assert (await people.list_people(admin, search="saksbehandler 1")).total == 10


async def test_a_sign_in_pause_refuses_sign_in_inside_the_period_only(db) -> None:
    from datetime import timedelta

    from core.auth.identity import person_for_claims
    from core.auth.oidc import Claims, SignInError
    from core.settings import load_settings
    from core.timeutil import today

    admin = await user(await make_person(roles=(roles.ADMIN,)))
    person = await make_person(email="permisjon@kommune.example")
    await expect_errors(people.set_sign_in_pause(admin, person, today(), None), "pause")
    await expect_errors(
        people.set_sign_in_pause(admin, person, today(), today() - timedelta(days=1)), "pause"
    )
    # A pause that starts tomorrow does not stop sign-in today.
    assert await people.set_sign_in_pause(
        admin, person, today() + timedelta(days=1), today() + timedelta(days=9)
    )
    assert await load_user(person) is not None
    assert await people.set_sign_in_pause(admin, person, today(), today() + timedelta(days=9))
    assert not await people.set_sign_in_pause(admin, person, today(), today() + timedelta(days=9))
    assert await load_user(person) is None
    with pytest.raises(SignInError, match="permisjon"):
        await person_for_claims(
            load_settings(), Claims("oid-p", "tid-p", "permisjon@kommune.example", "P", ())
        )
    assert await people.set_sign_in_pause(admin, person, None, None)
    assert await load_user(person) is not None
    assert len(await audit_rows("org.person_paused")) == 2
    assert len(await audit_rows("org.person_pause_cleared")) == 1
