"""Organisation maintenance: units, people, leaders and deputy periods; leaders' own absence.

Every function takes the acting :class:`User` first and checks access itself: administrators
and Fellestjenesten/Arkiv maintain everything; a leader registers absence (a deputy period) only
for units where they are the registered leader. Every change is written together with its
hendelseslogg row in one write transaction.

Form input arrives as text (``*Form`` dataclasses, built from the posted form) and is validated
here; :class:`ValidationFailed` carries Norwegian messages keyed by form field name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.columns.combination import WhereRaw

from core import audit, roles
from core.admin.common import (
    LOCK_DEPUTIES,
    LOCK_PEOPLE,
    LOCK_UNITS,
    Page,
    contains,
    fetch_page,
    parse_date,
    parse_id,
    require_maintainer,
    serialize_writes,
    text,
    unique_guard,
)
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.tables import DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import now, today

STATUS_ACTIVE = "aktive"
STATUS_INACTIVE = "deaktiverte"
STATUS_ALL = "alle"
STATUSES = (STATUS_ACTIVE, STATUS_INACTIVE, STATUS_ALL)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAINTAINER_ROLES = frozenset({roles.ADMIN, roles.ARKIV})


def _status_where(column: Any, status: str) -> Any:
    if status == STATUS_INACTIVE:
        return column.eq(False)
    if status == STATUS_ALL:
        return None
    return column.eq(True)


def _dato(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _person_label(row: Mapping[str, Any] | None) -> str:
    return f"{row['name']} ({row['initials']})" if row else "–"


async def _person(person_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Person.select(Person.id, Person.name, Person.initials, Person.active, Person.unit)
        .where(Person.id == person_id)
        .first()
    )
    return row


async def _unit(unit_id: int) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.parent, Unit.active)
        .where(Unit.id == unit_id)
        .first()
    )
    return row


async def _leaders_for(unit_ids: list[int]) -> dict[int, dict[str, Any]]:
    """unit id → {person, name, initials} of its leader, for every unit that has one."""
    if not unit_ids:
        return {}
    rows = await Leadership.select(
        Leadership.unit,
        Leadership.person,
        Leadership.person.name.as_alias("name"),
        Leadership.person.initials.as_alias("initials"),
    ).where(Leadership.unit.is_in(unit_ids))
    return {r["unit"]: r for r in rows}


# --- choices for select lists ---------------------------------------------------------------


async def unit_choices(actor: User, include: int | None = None) -> list[dict[str, Any]]:
    """Active units (plus ``include``, e.g. a current parent that was deactivated), by code."""
    require_maintainer(actor)
    where: Any = Unit.active.eq(True)
    if include is not None:
        where = where | (Unit.id == include)
    rows: list[dict[str, Any]] = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.active).where(where).order_by(Unit.code)
    )
    return rows


async def unit_choices_with_leaders(actor: User) -> list[dict[str, Any]]:
    """Active units by code, each with ``leader`` ({person, name, initials} or None)."""
    units = await unit_choices(actor)
    leaders = await _leaders_for([u["id"] for u in units])
    for unit in units:
        unit["leader"] = leaders.get(unit["id"])
    return units


async def people_choices(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    """People for a select list (id, name, initials, active), by name."""
    query = Person.select(Person.id, Person.name, Person.initials, Person.active).order_by(Person.name)
    if not include_inactive:
        query = query.where(Person.active.eq(True))
    rows: list[dict[str, Any]] = await query
    return rows


# --- units ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitForm:
    """The unit form as typed: ``code``, ``name`` and ``parent`` (a unit id, or empty)."""

    code: str = ""
    name: str = ""
    parent: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> UnitForm:
        return cls(code=text(data, "code"), name=text(data, "name"), parent=text(data, "parent"))


async def list_units(
    actor: User, *, search: str = "", status: str = STATUS_ACTIVE, page: int | None = None
) -> Page:
    """Units by code, with parent and leader; ``search`` matches code or name."""
    require_maintainer(actor)
    conditions = []
    if search:
        conditions.append(contains(Unit.code, search) | contains(Unit.name, search))
    if (active := _status_where(Unit.active, status)) is not None:
        conditions.append(active)
    select = Unit.select(
        Unit.id,
        Unit.code,
        Unit.name,
        Unit.active,
        Unit.parent.code.as_alias("parent_code"),
        Unit.parent.name.as_alias("parent_name"),
    ).order_by(Unit.code)
    count = Unit.count()
    if conditions:
        select = select.where(*conditions)
        count = count.where(*conditions)
    result = await fetch_page(select, count, page)
    leaders = await _leaders_for([r["id"] for r in result.items])
    for row in result.items:
        row["leader"] = leaders.get(row["id"])
    return result


async def get_unit(actor: User, unit_id: int) -> dict[str, Any]:
    """One unit with its parent, leader and counts of active sub-units and people."""
    require_maintainer(actor)
    row: dict[str, Any] | None = (
        await Unit.select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.parent,
            Unit.active,
            Unit.parent.code.as_alias("parent_code"),
            Unit.parent.name.as_alias("parent_name"),
        )
        .where(Unit.id == unit_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ikke enheten."))
    row["leader"] = (await _leaders_for([unit_id])).get(unit_id)
    row["active_children"] = await Unit.count().where((Unit.parent == unit_id) & Unit.active.eq(True))
    row["active_people"] = await Person.count().where((Person.unit == unit_id) & Person.active.eq(True))
    return row


async def _is_below(candidate_parent: int, unit_id: int) -> bool:
    """Is ``candidate_parent`` ``unit_id`` itself or one of its descendants?"""
    current: int | None = candidate_parent
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == unit_id:
            return True
        seen.add(current)
        row = await Unit.select(Unit.parent).where(Unit.id == current).first()
        current = row["parent"] if row else None
    return False


async def _validate_unit(form: UnitForm, unit_id: int | None, current_parent: int | None) -> int | None:
    """Check the form (inside the write transaction); returns the parent id."""
    errors: dict[str, str] = {}
    if not form.code:
        errors["code"] = _("Skriv inn en kode for enheten.")
    elif len(form.code) > 40:
        errors["code"] = _("Koden kan være høyst 40 tegn.")
    else:
        clash = Unit.select(Unit.code, Unit.name).where(WhereRaw("UPPER(code) = UPPER({})", form.code))
        if unit_id is not None:
            clash = clash.where(Unit.id != unit_id)
        other = await clash.first()
        if other:
            errors["code"] = _("Koden «%(code)s» er allerede brukt av %(unit)s.") % {
                "code": form.code,
                "unit": f"{other['code']} {other['name']}",
            }
    if not form.name:
        errors["name"] = _("Skriv inn navnet på enheten.")
    elif len(form.name) > 200:
        errors["name"] = _("Navnet kan være høyst 200 tegn.")
    parent_id: int | None = None
    if form.parent:
        parent_id = parse_id(form.parent)
        parent = await _unit(parent_id) if parent_id else None
        if parent is None or parent_id is None:
            errors["parent"] = _("Velg en overordnet enhet fra listen.")
        elif parent_id == unit_id:
            errors["parent"] = _("En enhet kan ikke være overordnet seg selv.")
        elif unit_id is not None and await _is_below(parent_id, unit_id):
            errors["parent"] = _("Enheten kan ikke ligge under en av sine egne underenheter.")
        elif not parent["active"] and parent_id != current_parent:
            errors["parent"] = _("Den overordnede enheten er deaktivert. Velg en aktiv enhet.")
    if errors:
        raise ValidationFailed(errors)
    return parent_id


async def create_unit(actor: User, form: UnitForm) -> int:
    """Create an active unit; returns its id."""
    require_maintainer(actor)
    async with unique_guard("code", _("Koden er allerede brukt av en annen enhet.")), writing(Unit):
        await serialize_writes(Unit, LOCK_UNITS)
        parent_id = await _validate_unit(form, None, None)
        unit = Unit(code=form.code, name=form.name, parent=parent_id, active=True)
        await unit.save()
        unit_id = int(unit.id)
        await audit.record(
            actor_id=actor.person_id,
            action="org.unit_created",
            object_type="unit",
            object_id=unit_id,
            summary=f"Enhet opprettet: {form.code} {form.name}",
            details={"code": form.code, "name": form.name, "parent": parent_id},
        )
    return unit_id


async def update_unit(actor: User, unit_id: int, form: UnitForm) -> bool:
    """Change code, name and parent. Returns False when nothing changed (and nothing is logged)."""
    require_maintainer(actor)
    async with unique_guard("code", _("Koden er allerede brukt av en annen enhet.")), writing(Unit):
        await serialize_writes(Unit, LOCK_UNITS)
        current = await _unit(unit_id)
        if current is None:
            raise NotFound(_("Fant ikke enheten."))
        parent_id = await _validate_unit(form, unit_id, current["parent"])
        after = {"code": form.code, "name": form.name, "parent": parent_id}
        changes = {k: [current[k], v] for k, v in after.items() if current[k] != v}
        if not changes:
            return False
        await Unit.update({Unit.code: form.code, Unit.name: form.name, Unit.parent: parent_id}).where(
            Unit.id == unit_id
        )
        await audit.record(
            actor_id=actor.person_id,
            action="org.unit_updated",
            object_type="unit",
            object_id=unit_id,
            summary=f"Enhet endret: {form.code} {form.name}",
            details={"changes": changes},
        )
    return True


async def set_unit_active(actor: User, unit_id: int, active: bool) -> bool:
    """Deactivate (only without active sub-units and people) or reactivate a unit."""
    require_maintainer(actor)
    async with writing(Unit):
        await serialize_writes(Unit, LOCK_UNITS)
        current = await _unit(unit_id)
        if current is None:
            raise NotFound(_("Fant ikke enheten."))
        if current["active"] == active:
            return False
        if not active:
            children = await Unit.count().where((Unit.parent == unit_id) & Unit.active.eq(True))
            people = await Person.count().where((Person.unit == unit_id) & Person.active.eq(True))
            if children or people:
                raise Conflict(
                    _(
                        "Enheten kan ikke deaktiveres før aktive underenheter (%(units)s) og aktive "
                        "personer (%(people)s) er flyttet til en annen enhet eller deaktivert."
                    )
                    % {"units": children, "people": people}
                )
        elif current["parent"] is not None:
            parent = await _unit(current["parent"])
            if parent is not None and not parent["active"]:
                raise Conflict(_("Den overordnede enheten er deaktivert. Aktiver den først."))
        await Unit.update({Unit.active: active}).where(Unit.id == unit_id)
        label = f"{current['code']} {current['name']}"
        await audit.record(
            actor_id=actor.person_id,
            action="org.unit_reactivated" if active else "org.unit_deactivated",
            object_type="unit",
            object_id=unit_id,
            summary=f"Enhet {'aktivert igjen' if active else 'deaktivert'}: {label}",
        )
    return True


async def set_leader(actor: User, unit_id: int, person: str) -> bool:
    """Make ``person`` (an id as text; empty removes the leader) the unit's leader.

    Deputy periods registered for the previous leader stop giving authority at once, because a
    deputy acts only for the unit's current leader.
    """
    require_maintainer(actor)
    async with (
        unique_guard("leader", _("Noen andre endret lederen samtidig. Prøv igjen.")),
        writing(Leadership),
    ):
        await serialize_writes(Unit, LOCK_UNITS)
        unit = await _unit(unit_id)
        if unit is None:
            raise NotFound(_("Fant ikke enheten."))
        before = (
            await Leadership.select(Leadership.id, Leadership.person)
            .where(Leadership.unit == unit_id)
            .first()
        )
        before_id = before["person"] if before else None
        label = f"{unit['code']} {unit['name']}"
        if not person:
            if before is None:
                return False
            await Leadership.delete().where(Leadership.id == before["id"])
            await audit.record(
                actor_id=actor.person_id,
                action="org.leader_removed",
                object_type="unit",
                object_id=unit_id,
                summary=f"Leder fjernet for {label}: {_person_label(await _person(before['person']))}",
                details={"before": before_id, "after": None},
            )
            return True
        person_id = parse_id(person)
        row = await _person(person_id) if person_id else None
        if row is None or person_id is None or not row["active"]:
            raise ValidationFailed({"leader": _("Velg en aktiv person som leder.")})
        if not unit["active"]:
            raise ValidationFailed({"leader": _("Enheten er deaktivert. Aktiver den før du velger leder.")})
        if before_id == person_id:
            return False
        if before is None:
            await Leadership.insert(Leadership(unit=unit_id, person=person_id))
        else:
            await Leadership.update({Leadership.person: person_id}).where(Leadership.id == before["id"])
        await audit.record(
            actor_id=actor.person_id,
            action="org.leader_set",
            object_type="unit",
            object_id=unit_id,
            summary=f"Leder for {label}: {_person_label(row)}",
            details={"before": before_id, "after": person_id},
        )
    return True


# --- people --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonForm:
    """The person form as typed. ``roles`` holds the ticked app roles (``role_<name>`` boxes)."""

    name: str = ""
    initials: str = ""
    email: str = ""
    unit: str = ""
    active: bool = True
    roles: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PersonForm:
        return cls(
            name=text(data, "name"),
            initials=text(data, "initials"),
            email=text(data, "email"),
            unit=text(data, "unit"),
            active=text(data, "active") in ("1", "on", "true"),
            roles=frozenset(r for r in roles.APP_ROLES if text(data, f"role_{r}")),
        )

    def normalised(self) -> PersonForm:
        """Initials in upper case, e-mail in lower case (both are compared that way)."""
        return PersonForm(
            name=self.name,
            initials=self.initials.upper(),
            email=self.email.lower(),
            unit=self.unit,
            active=self.active,
            roles=self.roles,
        )


async def list_people(
    actor: User, *, search: str = "", status: str = STATUS_ACTIVE, page: int | None = None
) -> Page:
    """People by name, with unit and roles; ``search`` matches name, initials or e-mail."""
    require_maintainer(actor)
    conditions = []
    if search:
        conditions.append(
            contains(Person.name, search) | contains(Person.initials, search) | contains(Person.email, search)
        )
    if (active := _status_where(Person.active, status)) is not None:
        conditions.append(active)
    select = Person.select(
        Person.id,
        Person.name,
        Person.initials,
        Person.email,
        Person.active,
        Person.unit.code.as_alias("unit_code"),
        Person.unit.name.as_alias("unit_name"),
    ).order_by(Person.name, Person.id)
    count = Person.count()
    if conditions:
        select = select.where(*conditions)
        count = count.where(*conditions)
    result = await fetch_page(select, count, page)
    role_map = await _roles_for([r["id"] for r in result.items])
    for row in result.items:
        row["roles"] = sorted(role_map.get(row["id"], set()), key=roles.APP_ROLES.index)
    return result


async def _roles_for(person_ids: list[int]) -> dict[int, set[str]]:
    if not person_ids:
        return {}
    result: dict[int, set[str]] = {}
    for row in await PersonRole.select(PersonRole.person, PersonRole.role).where(
        PersonRole.person.is_in(person_ids)
    ):
        if row["role"] in roles.APP_ROLES:
            result.setdefault(row["person"], set()).add(row["role"])
    return result


async def get_person(actor: User, person_id: int) -> dict[str, Any]:
    """One person with unit, roles and the units they lead."""
    require_maintainer(actor)
    row: dict[str, Any] | None = (
        await Person.select(
            Person.id,
            Person.name,
            Person.initials,
            Person.email,
            Person.unit,
            Person.active,
            Person.unit.code.as_alias("unit_code"),
            Person.unit.name.as_alias("unit_name"),
        )
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ikke personen."))
    row["roles"] = (await _roles_for([person_id])).get(person_id, set())
    row["leads"] = await _units_led_by(person_id)
    return row


async def _units_led_by(person_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (
        await Leadership.select(
            Leadership.unit.id.as_alias("id"),
            Leadership.unit.code.as_alias("code"),
            Leadership.unit.name.as_alias("name"),
            Leadership.unit.active.as_alias("active"),
        )
        .where(Leadership.person == person_id)
        .order_by(Leadership.unit.code)
    )
    return rows


async def _check_deactivation(actor: User, person_id: int) -> str | None:
    """Why ``person_id`` may not be deactivated now, or None."""
    if person_id == actor.person_id:
        return _("Du kan ikke deaktivere deg selv.")
    led = await _units_led_by(person_id)
    if led:
        return _("Personen er leder for %(units)s. Velg en ny leder for enheten først.") % {
            "units": ", ".join(f"{u['code']} {u['name']}" for u in led)
        }
    return None


async def _validate_person(
    actor: User, form: PersonForm, person_id: int | None, current: dict[str, Any] | None
) -> int | None:
    """Check the (normalised) form inside the write transaction; returns the unit id."""
    errors: dict[str, str] = {}
    if not form.name:
        errors["name"] = _("Skriv inn navnet.")
    elif len(form.name) > 200:
        errors["name"] = _("Navnet kan være høyst 200 tegn.")

    if not form.initials:
        errors["initials"] = _("Skriv inn initialer.")
    elif len(form.initials) > 20:
        errors["initials"] = _("Initialene kan være høyst 20 tegn.")
    elif any(ch.isspace() for ch in form.initials):
        errors["initials"] = _("Initialene kan ikke inneholde mellomrom.")
    else:
        clash = Person.select(Person.name).where(WhereRaw("UPPER(initials) = {}", form.initials))
        if person_id is not None:
            clash = clash.where(Person.id != person_id)
        if other := await clash.first():
            errors["initials"] = _("Initialene «%(initials)s» er allerede brukt av %(name)s.") % {
                "initials": form.initials,
                "name": other["name"],
            }

    if not form.email:
        errors["email"] = _("Skriv inn e-postadressen.")
    elif len(form.email) > 254 or not _EMAIL.match(form.email):
        errors["email"] = _("Skriv inn en gyldig e-postadresse, for eksempel ola.nordmann@kommune.no.")
    else:
        clash = Person.select(Person.name).where(WhereRaw("LOWER(email) = {}", form.email))
        if person_id is not None:
            clash = clash.where(Person.id != person_id)
        if other := await clash.first():
            errors["email"] = _("E-postadressen er allerede registrert på %(name)s.") % {
                "name": other["name"]
            }

    unit_id: int | None = None
    if form.unit:
        unit_id = parse_id(form.unit)
        unit = await _unit(unit_id) if unit_id else None
        if unit is None:
            errors["unit"] = _("Velg en enhet fra listen.")
        elif not unit["active"] and (current is None or current["unit"] != unit_id):
            errors["unit"] = _("Enheten er deaktivert. Velg en aktiv enhet.")

    before_roles: set[str] = current["roles"] if current else set()
    if not form.roles <= set(roles.APP_ROLES):
        errors["roles"] = _("Velg roller fra listen.")
    elif not actor.is_admin and (roles.ADMIN in form.roles) != (roles.ADMIN in before_roles):
        errors["roles"] = _("Bare administratorer kan gi eller fjerne rollen Administrator.")
    elif person_id == actor.person_id and (before_roles & MAINTAINER_ROLES) - form.roles:
        errors["roles"] = _(
            "Du kan ikke fjerne rollene Administrator eller Fellestjenesten/Arkiv fra deg selv."
        )

    deactivating = current is not None and current["active"] and not form.active
    if deactivating and person_id is not None and (reason := await _check_deactivation(actor, person_id)):
        errors["active"] = reason
    if errors:
        raise ValidationFailed(errors)
    return unit_id


async def _load_person_for_update(person_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await Person.select(Person.id, Person.name, Person.initials, Person.email, Person.unit, Person.active)
        .where(Person.id == person_id)
        .first()
    )
    if row is None:
        raise NotFound(_("Fant ikke personen."))
    row["roles"] = (await _roles_for([person_id])).get(person_id, set())
    return row


def _person_taken() -> str:
    return _("Initialene eller e-postadressen er allerede brukt av en annen person.")


async def create_person(actor: User, form: PersonForm) -> int:
    """Register a person with roles; returns the id."""
    require_maintainer(actor)
    form = form.normalised()
    async with unique_guard("initials", _person_taken()), writing(Person):
        await serialize_writes(Person, LOCK_PEOPLE)
        unit_id = await _validate_person(actor, form, None, None)
        person = Person(
            name=form.name, initials=form.initials, email=form.email, unit=unit_id, active=form.active
        )
        await person.save()
        person_id = int(person.id)
        if form.roles:
            await PersonRole.insert(*[PersonRole(person=person_id, role=r) for r in sorted(form.roles)])
        await audit.record(
            actor_id=actor.person_id,
            action="org.person_created",
            object_type="person",
            object_id=person_id,
            summary=f"Person registrert: {form.name} ({form.initials})",
            details={
                "name": form.name,
                "initials": form.initials,
                "email": form.email,
                "unit": unit_id,
                "active": form.active,
                "roles": sorted(form.roles),
            },
        )
    return person_id


async def update_person(actor: User, person_id: int, form: PersonForm) -> bool:
    """Change a person's details, unit, active flag and roles. False when nothing changed."""
    require_maintainer(actor)
    form = form.normalised()
    async with unique_guard("initials", _person_taken()), writing(Person):
        await serialize_writes(Person, LOCK_PEOPLE)
        current = await _load_person_for_update(person_id)
        unit_id = await _validate_person(actor, form, person_id, current)
        after: dict[str, Any] = {
            "name": form.name,
            "initials": form.initials,
            "email": form.email,
            "unit": unit_id,
            "active": form.active,
        }
        changes: dict[str, Any] = {k: [current[k], v] for k, v in after.items() if current[k] != v}
        if current["roles"] != set(form.roles):
            changes["roles"] = [sorted(current["roles"]), sorted(form.roles)]
        if not changes:
            return False
        await Person.update(
            {
                Person.name: form.name,
                Person.initials: form.initials,
                Person.email: form.email,
                Person.unit: unit_id,
                Person.active: form.active,
            }
        ).where(Person.id == person_id)
        if "roles" in changes:
            await PersonRole.delete().where(PersonRole.person == person_id)
            if form.roles:
                await PersonRole.insert(*[PersonRole(person=person_id, role=r) for r in sorted(form.roles)])
        await audit.record(
            actor_id=actor.person_id,
            action="org.person_updated",
            object_type="person",
            object_id=person_id,
            summary=f"Person endret: {form.name} ({form.initials})",
            details={"changes": changes},
        )
    return True


async def set_person_active(actor: User, person_id: int, active: bool) -> bool:
    """Deactivate (not oneself, not a unit's leader) or reactivate a person."""
    require_maintainer(actor)
    async with writing(Person):
        await serialize_writes(Person, LOCK_PEOPLE)
        current = await _load_person_for_update(person_id)
        if current["active"] == active:
            return False
        if not active and (reason := await _check_deactivation(actor, person_id)):
            raise Conflict(reason)
        await Person.update({Person.active: active}).where(Person.id == person_id)
        await audit.record(
            actor_id=actor.person_id,
            action="org.person_reactivated" if active else "org.person_deactivated",
            object_type="person",
            object_id=person_id,
            summary=f"Person {'aktivert igjen' if active else 'deaktivert'}: {_person_label(current)}",
        )
    return True


# --- deputy periods ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeputyForm:
    """A deputy period as typed. ``leader`` is optional; when given it must be the current leader."""

    unit: str = ""
    deputy: str = ""
    starts: str = ""
    ends: str = ""
    reason: str = ""
    leader: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> DeputyForm:
        return cls(
            unit=text(data, "unit"),
            deputy=text(data, "deputy"),
            starts=text(data, "starts"),
            ends=text(data, "ends"),
            reason=text(data, "reason"),
            leader=text(data, "leader"),
        )


@dataclass(frozen=True)
class _Period:
    unit: dict[str, Any]
    leader: dict[str, Any]
    deputy: dict[str, Any]
    starts: date
    ends: date
    reason: str


def _period_status(starts: date, ends: date, on: date) -> str:
    if ends < on:
        return "avsluttet"
    if starts > on:
        return "kommende"
    return "gjeldende"


async def _validate_deputy(form: DeputyForm, own_leader: int | None) -> _Period:
    """Check a period inside the write transaction. ``own_leader``: only that leader's units."""
    errors: dict[str, str] = {}
    unit_id = parse_id(form.unit) if form.unit else None
    unit = await _unit(unit_id) if unit_id else None
    leader_id = None
    leader: dict[str, Any] | None = None
    if unit is None or unit_id is None:
        errors["unit"] = _("Velg en enhet fra listen.")
    else:
        row = await Leadership.select(Leadership.person).where(Leadership.unit == unit_id).first()
        leader_id = row["person"] if row else None
        if own_leader is not None and leader_id != own_leader:
            raise Forbidden(_("Du kan bare registrere fravær for enheter der du selv er leder."))
        if not unit["active"]:
            errors["unit"] = _("Enheten er deaktivert.")
        elif leader_id is None:
            errors["unit"] = _("Enheten har ingen registrert leder. Registrer en leder under Enheter først.")
        else:
            leader = await _person(leader_id)
            if form.leader and parse_id(form.leader) != leader_id:
                errors["leader"] = _("Lederen er ikke enhetens nåværende leder.")

    deputy_id = parse_id(form.deputy) if form.deputy else None
    deputy = await _person(deputy_id) if deputy_id else None
    if deputy is None or not deputy["active"]:
        errors["deputy"] = _("Velg en aktiv person som stedfortreder.")
    elif deputy_id == leader_id:
        errors["deputy"] = _("Lederen kan ikke være sin egen stedfortreder.")

    starts = parse_date(form.starts)
    ends = parse_date(form.ends)
    example = _("Skriv inn en gyldig dato, for eksempel 17.05.2026.")
    if not form.starts:
        errors["starts"] = _("Skriv inn fra-dato.")
    elif starts is None:
        errors["starts"] = example
    if not form.ends:
        errors["ends"] = _("Skriv inn til-dato.")
    elif ends is None:
        errors["ends"] = example
    elif starts is not None and ends < starts:
        errors["ends"] = _("Til-dato kan ikke være før fra-dato.")
    if len(form.reason) > 200:
        errors["reason"] = _("Begrunnelsen kan være høyst 200 tegn.")

    if not errors and starts and ends and deputy_id and unit_id and leader_id:
        overlapping = await DeputyPeriod.exists().where(
            (DeputyPeriod.deputy == deputy_id)
            & (DeputyPeriod.unit == unit_id)
            & (DeputyPeriod.leader == leader_id)
            & (DeputyPeriod.starts <= ends)
            & (DeputyPeriod.ends >= starts)
        )
        if overlapping:
            errors["starts"] = _(
                "%(name)s er allerede stedfortreder for enheten i en periode som overlapper denne."
            ) % {"name": deputy["name"] if deputy else ""}
    if errors:
        raise ValidationFailed(errors)
    assert unit and leader and deputy and starts and ends
    return _Period(unit=unit, leader=leader, deputy=deputy, starts=starts, ends=ends, reason=form.reason)


async def _register(actor: User, form: DeputyForm, own_leader: int | None) -> int:
    async with writing(DeputyPeriod):
        await serialize_writes(DeputyPeriod, LOCK_DEPUTIES)
        period = await _validate_deputy(form, own_leader)
        row = DeputyPeriod(
            unit=period.unit["id"],
            leader=period.leader["id"],
            deputy=period.deputy["id"],
            starts=period.starts,
            ends=period.ends,
            reason=period.reason,
            created_by=actor.person_id,
            created_at=now(),
        )
        await row.save()
        period_id = int(row.id)
        await audit.record(
            actor_id=actor.person_id,
            action="org.deputy_registered",
            object_type="deputy_period",
            object_id=period_id,
            summary=(
                f"Stedfortreder {_person_label(period.deputy)} for {_person_label(period.leader)} i "
                f"{period.unit['code']} {period.unit['name']}, {_dato(period.starts)}–{_dato(period.ends)}"
            ),
            details={
                "unit": period.unit["id"],
                "leader": period.leader["id"],
                "deputy": period.deputy["id"],
                "starts": period.starts.isoformat(),
                "ends": period.ends.isoformat(),
                "reason": period.reason,
                "registered_by_leader": own_leader is not None,
            },
        )
    return period_id


async def register_deputy(actor: User, form: DeputyForm) -> int:
    """Administrator/arkiv: register a deputy period for the current leader of any unit."""
    require_maintainer(actor)
    return await _register(actor, form, None)


_PERIOD_COLUMNS = (
    DeputyPeriod.id,
    DeputyPeriod.unit,
    DeputyPeriod.leader,
    DeputyPeriod.deputy,
    DeputyPeriod.starts,
    DeputyPeriod.ends,
    DeputyPeriod.reason,
    DeputyPeriod.created_at,
    DeputyPeriod.unit.code.as_alias("unit_code"),
    DeputyPeriod.unit.name.as_alias("unit_name"),
    DeputyPeriod.leader.name.as_alias("leader_name"),
    DeputyPeriod.leader.initials.as_alias("leader_initials"),
    DeputyPeriod.deputy.name.as_alias("deputy_name"),
    DeputyPeriod.deputy.initials.as_alias("deputy_initials"),
    DeputyPeriod.created_by.name.as_alias("created_by_name"),
)


async def _period_page(where: Any, page: int | None) -> Page:
    """Newest registration first (primary key order); each row gets ``status`` and ``in_force``."""
    select = DeputyPeriod.select(*_PERIOD_COLUMNS).order_by(DeputyPeriod.id, ascending=False)
    count = DeputyPeriod.count()
    if where is not None:
        select = select.where(where)
        count = count.where(where)
    result = await fetch_page(select, count, page)
    leaders = await _leaders_for(sorted({r["unit"] for r in result.items}))
    on = today()
    for row in result.items:
        row["status"] = _period_status(row["starts"], row["ends"], on)
        current = leaders.get(row["unit"])
        row["leader_is_current"] = current is not None and current["person"] == row["leader"]
        row["in_force"] = row["status"] == "gjeldende" and row["leader_is_current"]
    return result


async def list_deputy_periods(actor: User, *, unit: int | None = None, page: int | None = None) -> Page:
    """All deputy periods (optionally for one unit), newest registration first."""
    require_maintainer(actor)
    return await _period_page(DeputyPeriod.unit == unit if unit else None, page)


async def _delete_period(actor: User, period: dict[str, Any], note: str) -> None:
    await DeputyPeriod.delete().where(DeputyPeriod.id == period["id"])
    await audit.record(
        actor_id=actor.person_id,
        action="org.deputy_removed",
        object_type="deputy_period",
        object_id=period["id"],
        summary=(
            f"{note}: stedfortreder {period['deputy_name']} ({period['deputy_initials']}) for "
            f"{period['leader_name']} ({period['leader_initials']}) i {period['unit_code']} "
            f"{period['unit_name']}, {_dato(period['starts'])}–{_dato(period['ends'])}"
        ),
        details={
            "unit": period["unit"],
            "leader": period["leader"],
            "deputy": period["deputy"],
            "starts": period["starts"].isoformat(),
            "ends": period["ends"].isoformat(),
            "reason": period["reason"],
        },
    )


async def _load_period(period_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await DeputyPeriod.select(*_PERIOD_COLUMNS).where(DeputyPeriod.id == period_id).first()
    )
    if row is None:
        raise NotFound(_("Fant ikke stedfortrederperioden."))
    return row


async def delete_deputy_period(actor: User, period_id: int) -> None:
    """Administrator/arkiv: delete any deputy period (the hendelseslogg keeps what it was)."""
    require_maintainer(actor)
    async with writing(DeputyPeriod):
        await serialize_writes(DeputyPeriod, LOCK_DEPUTIES)
        await _delete_period(actor, await _load_period(period_id), "Stedfortreder slettet")


# --- a leader's own absence ----------------------------------------------------------------


async def led_units(actor: User) -> list[dict[str, Any]]:
    """Units where ``actor`` is the registered leader (deputies do not count). 403 when none."""
    units = await _units_led_by(actor.person_id)
    if not units:
        raise Forbidden(
            _("Bare ledere kan registrere eget fravær og stedfortreder, for enheter de selv leder.")
        )
    return units


async def deputy_choices(actor: User) -> list[dict[str, Any]]:
    """Active people a leader may choose as deputy (everyone but themselves)."""
    return [p for p in await people_choices() if p["id"] != actor.person_id]


async def list_own_absences(actor: User, *, page: int | None = None) -> Page:
    """The leader's own deputy periods in the units they lead, newest registration first."""
    unit_ids = [u["id"] for u in await led_units(actor)]
    return await _period_page(
        DeputyPeriod.unit.is_in(unit_ids) & (DeputyPeriod.leader == actor.person_id), page
    )


async def register_absence(actor: User, form: DeputyForm) -> int:
    """A leader registers their own absence and deputy for a unit they lead."""
    await led_units(actor)
    return await _register(actor, form, actor.person_id)


async def cancel_absence(actor: User, period_id: int) -> None:
    """A leader cancels one of their own periods that has not ended yet."""
    await led_units(actor)
    async with writing(DeputyPeriod):
        await serialize_writes(DeputyPeriod, LOCK_DEPUTIES)
        period = await _load_period(period_id)
        is_leader = await Leadership.exists().where(
            (Leadership.unit == period["unit"]) & (Leadership.person == actor.person_id)
        )
        if period["leader"] != actor.person_id or not is_leader:
            raise Forbidden(_("Du kan bare avlyse dine egne fraværsperioder."))
        if period["ends"] < today():
            raise Conflict(_("Perioden er allerede over og kan ikke avlyses."))
        await _delete_period(actor, period, "Fravær avlyst av lederen")
