"""Organisation rules at service level: who may act as leader, and the maintenance services'
access checks, validation and hendelseslogg rows."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from core import roles
from core.admin import auditlog, services
from core.admin.services import DeputyForm, PersonForm, UnitForm
from core.auth.user import User, load_user
from core.errors import Conflict, Forbidden, ValidationFailed
from core.organisation import acting_authority, active_deputies, authorities_of
from core.tables import AuditEvent, DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import today
from tests.support.factories import make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
async def _detach_sub_units() -> AsyncIterator[None]:
    """tests/support/db.empty_all_tables deletes all units in one statement, which SQLite's
    immediate RESTRICT check refuses while a unit still points at a parent; clear parents first."""
    yield
    await Unit.update({Unit.parent: None}, force=True)


async def user(person_id: int) -> User:
    loaded = await load_user(person_id)
    assert loaded is not None
    return loaded


async def audit_rows(action: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id)


async def expect_errors(awaitable, *fields: str) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        await awaitable
    assert set(fields) <= set(info.value.errors), info.value.errors
    return info.value.errors


# --- acting_authority -------------------------------------------------------------------------


async def test_leader_may_act_for_own_unit(db) -> None:
    unit = await make_unit()
    leader = await make_person(unit=unit)
    await make_leader(unit, leader)
    authority = await acting_authority(leader, unit)
    assert authority is not None
    assert authority.on_behalf_of is None
    assert not authority.as_deputy


async def test_deputy_acts_only_inside_the_period(db) -> None:
    unit = await make_unit()
    leader, deputy = await make_person(unit=unit), await make_person(unit=unit)
    await make_leader(unit, leader)
    starts, ends = today() + timedelta(days=2), today() + timedelta(days=5)
    await make_deputy(unit, leader, deputy, starts, ends)

    assert await acting_authority(deputy, unit, on=starts - timedelta(days=1)) is None
    for day in (starts, starts + timedelta(days=1), ends):
        authority = await acting_authority(deputy, unit, on=day)
        assert authority is not None, day
        assert authority.on_behalf_of == leader
    assert await acting_authority(deputy, unit, on=ends + timedelta(days=1)) is None
    assert await active_deputies(unit, on=starts) == [deputy]


async def test_deputy_acts_only_for_the_current_leader(db) -> None:
    unit = await make_unit()
    old_leader, new_leader, deputy = [await make_person(unit=unit) for _ in range(3)]
    await make_leader(unit, old_leader)
    await make_deputy(unit, old_leader, deputy, today(), today() + timedelta(days=3))
    assert await acting_authority(deputy, unit) is not None

    await Leadership.update({Leadership.person: new_leader}).where(Leadership.unit == unit)
    assert await acting_authority(deputy, unit) is None
    assert await active_deputies(unit) == []


async def test_others_may_not_act(db) -> None:
    unit, other_unit = await make_unit(), await make_unit()
    leader, handler, other_leader = [await make_person(unit=unit) for _ in range(3)]
    await make_leader(unit, leader)
    await make_leader(other_unit, other_leader)
    assert await acting_authority(handler, unit) is None
    assert await acting_authority(other_leader, unit) is None
    # A deputy period in another unit gives nothing here.
    await make_deputy(other_unit, other_leader, handler, today(), today())
    assert await acting_authority(handler, unit) is None
    assert [a.unit_id for a in await authorities_of(handler)] == [other_unit]


async def test_authorities_list_own_units_then_deputyships(db) -> None:
    own, covered = await make_unit(), await make_unit()
    person, leader = await make_person(), await make_person()
    await make_leader(own, person)
    await make_leader(covered, leader)
    await make_deputy(covered, leader, person, today(), today())
    authorities = await authorities_of(person)
    assert [(a.unit_id, a.on_behalf_of) for a in authorities] == [(own, None), (covered, leader)]


# --- access ------------------------------------------------------------------------------------


async def test_plain_handler_may_not_maintain_anything(db) -> None:
    unit = await make_unit()
    handler = await user(await make_person(unit=unit))
    with pytest.raises(Forbidden):
        await services.list_units(handler)
    with pytest.raises(Forbidden):
        await services.create_unit(handler, UnitForm(code="X", name="X"))
    with pytest.raises(Forbidden):
        await services.list_people(handler)
    with pytest.raises(Forbidden):
        await services.create_person(handler, PersonForm(name="A", initials="A", email="a@k.no"))
    with pytest.raises(Forbidden):
        await services.set_leader(handler, unit, str(handler.person_id))
    with pytest.raises(Forbidden):
        await services.register_deputy(handler, DeputyForm(unit=str(unit)))
    with pytest.raises(Forbidden):
        await auditlog.list_events(handler, auditlog.AuditFilter())
    with pytest.raises(Forbidden):
        auditlog.export_csv(handler, auditlog.AuditFilter())
    with pytest.raises(Forbidden):
        await services.led_units(handler)
    assert await Unit.count() == 1


async def test_archive_role_may_maintain(db) -> None:
    archive = await user(await make_person(roles=(roles.ARKIV,)))
    unit_id = await services.create_unit(archive, UnitForm(code="ARK", name="Arkiv"))
    assert (await services.get_unit(archive, unit_id))["code"] == "ARK"


# --- units ---------------------------------------------------------------------------------------


async def test_unit_create_validates_and_audits(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    await expect_errors(services.create_unit(admin, UnitForm(code="", name="")), "code", "name")
    await expect_errors(services.create_unit(admin, UnitForm(code="X" * 41, name="N")), "code")
    await expect_errors(services.create_unit(admin, UnitForm(code="A", name="N", parent="999")), "parent")

    parent = await services.create_unit(admin, UnitForm(code="RAD-V", name="Rådmannen"))
    child = await services.create_unit(admin, UnitForm(code="SUV", name="Stab", parent=str(parent)))
    errors = await expect_errors(services.create_unit(admin, UnitForm(code="suv", name="Dup")), "code")
    assert "SUV" in errors["code"]

    rows = await audit_rows("org.unit_created")
    assert [r["object_id"] for r in rows] == [str(parent), str(child)]
    assert rows[0]["actor"] == admin.person_id
    assert json.loads(rows[1]["details"])["parent"] == parent


async def test_unit_parent_may_not_be_itself_or_below_itself(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    top = await make_unit(code="TOP")
    middle = await make_unit(code="MID", parent=top)
    bottom = await make_unit(code="BOT", parent=middle)
    errors = await expect_errors(
        services.update_unit(admin, top, UnitForm(code="TOP", name="T", parent=str(top))), "parent"
    )
    assert "seg selv" in errors["parent"]
    errors = await expect_errors(
        services.update_unit(admin, top, UnitForm(code="TOP", name="T", parent=str(bottom))), "parent"
    )
    assert "underenheter" in errors["parent"]
    assert await services.update_unit(admin, bottom, UnitForm(code="BOT", name="B", parent=str(top)))
    changes = json.loads((await audit_rows("org.unit_updated"))[-1]["details"])["changes"]
    assert changes["parent"] == [middle, top]


async def test_unit_update_without_changes_logs_nothing(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit(code="SAME", name="Samme")
    assert not await services.update_unit(admin, unit, UnitForm(code="SAME", name="Samme"))
    assert await audit_rows("org.unit_updated") == []


async def test_unit_with_active_people_cannot_be_deactivated(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit()
    child = await make_unit(parent=unit)
    person = await make_person(unit=unit)
    with pytest.raises(Conflict):
        await services.set_unit_active(admin, unit, False)
    await Person.update({Person.active: False}).where(Person.id == person)
    with pytest.raises(Conflict):
        await services.set_unit_active(admin, unit, False)
    assert await services.set_unit_active(admin, child, False)
    assert await services.set_unit_active(admin, unit, False)
    assert [r["object_id"] for r in await audit_rows("org.unit_deactivated")] == [str(child), str(unit)]
    # A child cannot be reactivated below a deactivated parent.
    with pytest.raises(Conflict):
        await services.set_unit_active(admin, child, True)


async def test_set_leader_replaces_and_removes(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit()
    first, second = await make_person(unit=unit), await make_person(unit=unit)
    inactive = await make_person(unit=unit, active=False)
    await expect_errors(services.set_leader(admin, unit, str(inactive)), "leader")
    await expect_errors(services.set_leader(admin, unit, "abc"), "leader")

    assert await services.set_leader(admin, unit, str(first))
    assert await services.set_leader(admin, unit, str(second))
    assert not await services.set_leader(admin, unit, str(second))
    assert await Leadership.select(Leadership.person).where(Leadership.unit == unit) == [{"person": second}]
    details = [json.loads(r["details"]) for r in await audit_rows("org.leader_set")]
    assert details == [{"before": None, "after": first}, {"before": first, "after": second}]

    assert await services.set_leader(admin, unit, "")
    assert await Leadership.count() == 0
    assert len(await audit_rows("org.leader_removed")) == 1


# --- people ----------------------------------------------------------------------------------


async def test_person_create_validates_uniqueness_and_format(db) -> None:
    admin = await user(await make_person(roles=(roles.ADMIN,), email="admin@kommune.no"))
    unit = await make_unit()
    errors = await expect_errors(
        services.create_person(admin, PersonForm(name="", initials="", email="")), "name", "initials", "email"
    )
    assert errors["email"] == "Skriv inn e-postadressen."
    await expect_errors(
        services.create_person(admin, PersonForm(name="A", initials="A B", email="ikke-epost")),
        "initials",
        "email",
    )

    person_id = await services.create_person(
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
        services.create_person(admin, PersonForm(name="Kåre", initials="KN", email="KARI@kommune.no")),
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
    row = await services.get_person(admin, person)
    form = PersonForm(
        name="Ola Nordmann", initials=row["initials"], email=row["email"], roles=frozenset({roles.IKT})
    )
    assert await services.update_person(admin, person, form)
    assert await PersonRole.select(PersonRole.role).where(PersonRole.person == person) == [
        {"role": roles.IKT}
    ]
    changes = json.loads((await audit_rows("org.person_updated"))[0]["details"])["changes"]
    assert changes["name"] == ["Ola", "Ola Nordmann"]
    assert changes["roles"] == [[roles.LONN], [roles.IKT]]


async def test_only_admins_grant_the_admin_role(db) -> None:
    archive = await user(await make_person(roles=(roles.ARKIV,)))
    errors = await expect_errors(
        services.create_person(
            archive, PersonForm(name="X", initials="X", email="x@k.no", roles=frozenset({roles.ADMIN}))
        ),
        "roles",
    )
    assert "Administrator" in errors["roles"]
    admin_person = await make_person(roles=(roles.ADMIN,))
    row = await services.get_person(archive, admin_person)
    # The archive user may edit an administrator as long as the admin role stays as it was.
    form = PersonForm(name="Ny", initials=row["initials"], email=row["email"], roles=frozenset({roles.ADMIN}))
    assert await services.update_person(archive, admin_person, form)
    await expect_errors(
        services.update_person(
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
        await services.set_person_active(admin, admin.person_id, False)
    with pytest.raises(Conflict, match="leder"):
        await services.set_person_active(admin, leader, False)
    row = await services.get_person(admin, leader)
    form = PersonForm(
        name=row["name"], initials=row["initials"], email=row["email"], unit=str(unit), active=False
    )
    await expect_errors(services.update_person(admin, leader, form), "active")
    own = await services.get_person(admin, admin.person_id)
    await expect_errors(
        services.update_person(
            admin, admin.person_id, PersonForm(name=own["name"], initials=own["initials"], email=own["email"])
        ),
        "roles",
    )

    handler = await make_person(unit=unit)
    assert await services.set_person_active(admin, handler, False)
    assert await load_user(handler) is None
    assert await services.set_person_active(admin, handler, True)
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
    first = await services.list_people(admin)
    assert first.total == 62 and len(first.items) == 50 and first.has_next and first.pages == 2
    second = await services.list_people(admin, page=2)
    assert len(second.items) == 12 and not second.has_next
    assert {r["id"] for r in first.items}.isdisjoint({r["id"] for r in second.items})
    assert (await services.list_people(admin, page=99)).number == 2
    assert [r["name"] for r in (await services.list_people(admin, search="ovrebo")).items] == ["Trine Øvrebø"]
    assert (await services.list_people(admin, search="saksbehandler 1")).total == 10


# --- deputy periods ------------------------------------------------------------------------


async def _org() -> tuple[User, int, int, int]:
    admin = await user(await make_person(roles=(roles.ADMIN,)))
    unit = await make_unit(code="LMA", name="Landbruk")
    leader, deputy = (
        await make_person(unit=unit, name="Leder"),
        await make_person(unit=unit, name="Stedfortreder"),
    )
    await make_leader(unit, leader)
    return admin, unit, leader, deputy


async def test_deputy_registration_rules(db) -> None:
    admin, unit, leader, deputy = await _org()
    inactive = await make_person(active=False)
    day = today().isoformat()
    later = (today() + timedelta(days=3)).isoformat()

    def form(**changes: str) -> DeputyForm:
        values = {"unit": str(unit), "deputy": str(deputy), "starts": day, "ends": later, "reason": "Ferie"}
        return DeputyForm(**{**values, **changes})

    errors = await expect_errors(services.register_deputy(admin, form(starts=later, ends=day)), "ends")
    assert errors["ends"] == "Til-dato kan ikke være før fra-dato."
    await expect_errors(services.register_deputy(admin, form(starts="31.02.2026", ends="")), "starts", "ends")
    await expect_errors(services.register_deputy(admin, form(deputy=str(inactive))), "deputy")
    errors = await expect_errors(services.register_deputy(admin, form(deputy=str(leader))), "deputy")
    assert "sin egen" in errors["deputy"]
    await expect_errors(services.register_deputy(admin, form(leader=str(deputy))), "leader")
    no_leader = await make_unit()
    await expect_errors(services.register_deputy(admin, form(unit=str(no_leader))), "unit")
    assert await DeputyPeriod.count() == 0

    period = await services.register_deputy(
        admin, form(leader=str(leader), starts=today().strftime("%d.%m.%Y"))
    )
    authority = await acting_authority(deputy, unit)
    assert authority is not None and authority.on_behalf_of == leader
    await expect_errors(services.register_deputy(admin, form(starts=later, ends=later)), "starts")

    rows = await audit_rows("org.deputy_registered")
    assert [r["object_id"] for r in rows] == [str(period)]
    assert rows[0]["actor"] == admin.person_id
    assert json.loads(rows[0]["details"])["leader"] == leader

    listed = await services.list_deputy_periods(admin, unit=unit)
    assert listed.items[0]["in_force"] and listed.items[0]["status"] == "gjeldende"

    await services.delete_deputy_period(admin, period)
    assert await acting_authority(deputy, unit) is None
    removed = await audit_rows("org.deputy_removed")
    assert json.loads(removed[0]["details"])["deputy"] == deputy


async def test_leader_registers_and_cancels_own_absence(db) -> None:
    _, unit, leader_id, deputy = await _org()
    other_unit = await make_unit()
    other_leader = await make_person()
    await make_leader(other_unit, other_leader)
    leader = await user(leader_id)

    assert [u["id"] for u in await services.led_units(leader)] == [unit]
    form = DeputyForm(
        unit=str(unit), deputy=str(deputy), starts=today().isoformat(), ends=today().isoformat()
    )
    period = await services.register_absence(leader, form)
    assert (await acting_authority(deputy, unit)) is not None
    assert json.loads((await audit_rows("org.deputy_registered"))[0]["details"])["registered_by_leader"]

    with pytest.raises(Forbidden):
        await services.register_absence(leader, DeputyForm(unit=str(other_unit), deputy=str(deputy)))
    foreign = await make_deputy(other_unit, other_leader, deputy, today(), today())
    with pytest.raises(Forbidden):
        await services.cancel_absence(leader, foreign)
    past = await make_deputy(
        unit, leader_id, deputy, today() - timedelta(days=9), today() - timedelta(days=5)
    )
    with pytest.raises(Conflict):
        await services.cancel_absence(leader, past)

    assert {r["id"] for r in (await services.list_own_absences(leader)).items} == {period, past}
    await services.cancel_absence(leader, period)
    assert not await DeputyPeriod.exists().where(DeputyPeriod.id == period)
    assert (await audit_rows("org.deputy_removed"))[0]["actor"] == leader_id


async def test_deputies_and_handlers_are_not_leaders_for_absence(db) -> None:
    _, unit, leader, deputy = await _org()
    await make_deputy(unit, leader, deputy, today(), today())
    acting_deputy = await user(deputy)
    assert acting_deputy.is_leader  # may act as leader today ...
    with pytest.raises(Forbidden):  # ... but registers no absence for the leader
        await services.led_units(acting_deputy)
    with pytest.raises(Forbidden):
        await services.register_absence(acting_deputy, DeputyForm(unit=str(unit), deputy=str(leader)))


# --- hendelseslogg ---------------------------------------------------------------------------


async def test_audit_filters_and_csv_export(db, monkeypatch) -> None:
    from core import audit

    admin, _unit, leader, deputy = await _org()
    await audit.record(
        actor_id=deputy,
        on_behalf_of=leader,
        action="test.signed",
        object_type="case",
        object_id=7,
        summary="=Godkjent som stedfortreder",
    )
    for n in range(4):
        await audit.record(
            actor_id=admin.person_id, action="test.other", object_type="case", object_id=n, summary=f"Rad {n}"
        )

    page = await auditlog.list_events(admin, auditlog.AuditFilter(utfort_av=str(deputy)))
    assert [(r["action"], r["on_behalf_of_name"]) for r in page.items] == [("test.signed", "Leder")]
    assert (await auditlog.list_events(admin, auditlog.AuditFilter(handling="test.other"))).total == 4
    assert (await auditlog.list_events(admin, auditlog.AuditFilter(objekttype="case", objekt="2"))).total == 1
    assert (await auditlog.list_events(admin, auditlog.AuditFilter(tekst="stedfortreder"))).total == 1
    day = today().isoformat()
    assert (await auditlog.list_events(admin, auditlog.AuditFilter(fra=day, til=day))).total == 5
    tomorrow = (today() + timedelta(days=1)).isoformat()
    assert (await auditlog.list_events(admin, auditlog.AuditFilter(fra=tomorrow))).total == 0
    with pytest.raises(ValidationFailed) as info:
        await auditlog.list_events(admin, auditlog.AuditFilter(fra=tomorrow, til=day, utfort_av="x"))
    assert set(info.value.errors) == {"til", "utfort_av"}

    newest = (await auditlog.list_events(admin, auditlog.AuditFilter())).items
    assert [r["summary"] for r in newest[:2]] == ["Rad 3", "Rad 2"]

    monkeypatch.setattr(auditlog, "EXPORT_BATCH", 2)  # exercise the keyset batches
    chunks = [c async for c in auditlog.export_csv(admin, auditlog.AuditFilter(objekttype="case"))]
    text = b"".join(chunks).decode("utf-8")
    assert text.startswith("\ufeffTidspunkt;Utført av;På vegne av;Handling;")
    lines = text.lstrip("\ufeff").splitlines()
    assert len(lines) == 6
    assert [line.split(";")[7] for line in lines[1:]] == [
        "Rad 3",
        "Rad 2",
        "Rad 1",
        "Rad 0",
        "'=Godkjent som stedfortreder",
    ]
    assert "Leder (" in lines[5].split(";")[2]
