"""Units (enheter) and their leaders: list, show, create, change, deactivate, set the leader.

Administrators and Fellestjenesten/Arkiv only. Every change is written together with its
hendelseslogg row in one write transaction; form input arrives as text (:class:`UnitForm`) and
:class:`~core.errors.ValidationFailed` carries Norwegian messages keyed by form field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.columns.combination import WhereRaw

from core import audit
from core.admin.common import (
    LOCK_UNITS,
    STATUS_ACTIVE,
    Page,
    contains,
    fetch_page,
    leaders_for,
    parse_id,
    person_by_id,
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
from core.tables import Leadership, Person, Unit


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
    leaders = await leaders_for([u["id"] for u in units])
    for unit in units:
        unit["leader"] = leaders.get(unit["id"])
    return units


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
    if (active := status_where(Unit.active, status)) is not None:
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
    leaders = await leaders_for([r["id"] for r in result.items])
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
    row["leader"] = (await leaders_for([unit_id])).get(unit_id)
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
        parent = await unit_by_id(parent_id) if parent_id else None
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
        current = await unit_by_id(unit_id)
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
        current = await unit_by_id(unit_id)
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
            parent = await unit_by_id(current["parent"])
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
        unit = await unit_by_id(unit_id)
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
                summary=f"Leder fjernet for {label}: {person_label(await person_by_id(before['person']))}",
                details={"before": before_id, "after": None},
            )
            return True
        person_id = parse_id(person)
        row = await person_by_id(person_id) if person_id else None
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
            summary=f"Leder for {label}: {person_label(row)}",
            details={"before": before_id, "after": person_id},
        )
    return True
