"""People (personer) and their app roles: list, show, register, change, deactivate.

Administrators and Fellestjenesten/Arkiv only; only an administrator gives or takes the role
Administrator. Every change is written together with its hendelseslogg row in one write
transaction; form input arrives as text (:class:`PersonForm`) and
:class:`~core.errors.ValidationFailed` carries Norwegian messages keyed by form field name.
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
    LOCK_PEOPLE,
    STATUS_ACTIVE,
    Page,
    contains,
    fetch_page,
    parse_id,
    person_label,
    require_maintainer,
    serialize_writes,
    status_where,
    text,
    unique_guard,
    unit_by_id,
)
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, NotFound, ValidationFailed
from core.i18n import _
from core.tables import Leadership, Person, PersonRole

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAINTAINER_ROLES = frozenset({roles.ADMIN, roles.ARKIV})


async def people_choices(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    """People for a select list (id, name, initials, active), by name."""
    query = Person.select(Person.id, Person.name, Person.initials, Person.active).order_by(Person.name)
    if not include_inactive:
        query = query.where(Person.active.eq(True))
    rows: list[dict[str, Any]] = await query
    return rows


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
    if (active := status_where(Person.active, status)) is not None:
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
    row["leads"] = await units_led_by(person_id)
    return row


async def units_led_by(person_id: int) -> list[dict[str, Any]]:
    """The units (id, code, name, active) where the person is the registered leader, by code."""
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
    led = await units_led_by(person_id)
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
        unit = await unit_by_id(unit_id) if unit_id else None
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
            summary=f"Person {'aktivert igjen' if active else 'deaktivert'}: {person_label(current)}",
        )
    return True


async def set_sign_in_pause(actor: User, person_id: int, starts: date | None, ends: date | None) -> bool:
    """Set (or, with None, clear) the period in which the person may not sign in (a leave:
    :func:`core.auth.user.may_sign_in`). False when nothing changed."""
    require_maintainer(actor)
    if (starts is None) != (ends is None) or (starts and ends and ends < starts):
        raise ValidationFailed({"pause": _("Perioden må ha både første og siste dag, i riktig rekkefølge.")})
    async with writing(Person):
        current = await _load_person_for_update(person_id)
        row = (
            await Person.select(Person.pause_starts, Person.pause_ends).where(Person.id == person_id).first()
        )
        if row and (row["pause_starts"], row["pause_ends"]) == (starts, ends):
            return False
        await Person.update({Person.pause_starts: starts, Person.pause_ends: ends}).where(
            Person.id == person_id
        )
        await audit.record(
            actor_id=actor.person_id,
            action="org.person_paused" if starts else "org.person_pause_cleared",
            object_type="person",
            object_id=person_id,
            summary=(
                f"Innlogging stanset {starts.isoformat()}–{ends.isoformat()}: {person_label(current)}"
                if starts and ends
                else f"Stans i innlogging fjernet: {person_label(current)}"
            ),
            details={"fra": starts, "til": ends},
        )
    return True
