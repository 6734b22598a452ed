"""Deputy periods (stedfortreder): register, list and delete the periods in which a deputy acts
for a unit's leader.

Administrators and Fellestjenesten/Arkiv register for any unit; :mod:`core.admin.absence` lets a
leader do the same for their own units through :func:`register_period`. Every change is written
together with its hendelseslogg row in one write transaction; form input arrives as text
(:class:`DeputyForm`) and :class:`~core.errors.ValidationFailed` carries Norwegian messages
keyed by form field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core import audit
from core.admin.common import (
    LOCK_DEPUTIES,
    Page,
    fetch_page,
    leaders_for,
    parse_id,
    person_by_id,
    person_label,
    require_maintainer,
    serialize_writes,
    text,
    unit_by_id,
)
from core.auth.user import User
from core.dates import date_into
from core.db import writing
from core.errors import Forbidden, NotFound, ValidationFailed
from core.i18n import _
from core.tables import DeputyPeriod, Leadership
from core.timeutil import now, today


def _dato(value: date) -> str:
    return value.strftime("%d.%m.%Y")


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
    unit = await unit_by_id(unit_id) if unit_id else None
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
            leader = await person_by_id(leader_id)
            if form.leader and parse_id(form.leader) != leader_id:
                errors["leader"] = _("Lederen er ikke enhetens nåværende leder.")

    deputy_id = parse_id(form.deputy) if form.deputy else None
    deputy = await person_by_id(deputy_id) if deputy_id else None
    if deputy is None or not deputy["active"]:
        errors["deputy"] = _("Velg en aktiv person som stedfortreder.")
    elif deputy_id == leader_id:
        errors["deputy"] = _("Lederen kan ikke være sin egen stedfortreder.")

    # The labels of the form's date fields (Fravær: the leader's own absence), for the messages.
    if own_leader is None:
        start_label, end_label = _("Fra og med"), _("Til og med")
    else:
        start_label, end_label = _("Borte fra og med"), _("Borte til og med")
    starts = date_into(errors, "starts", form.starts, start_label, missing=_("Skriv inn fra-dato."))
    ends = date_into(errors, "ends", form.ends, end_label, missing=_("Skriv inn til-dato."))
    if starts is not None and ends is not None and ends < starts:
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


async def register_period(actor: User, form: DeputyForm, own_leader: int | None) -> int:
    """Validate and save a period, audited; ``own_leader``: a leader registering their own absence."""
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
                f"Stedfortreder {person_label(period.deputy)} for {person_label(period.leader)} i "
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
    return await register_period(actor, form, None)


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


async def period_page(where: Any, page: int | None) -> Page:
    """Newest registration first (primary key order); each row gets ``status`` and ``in_force``."""
    select = DeputyPeriod.select(*_PERIOD_COLUMNS).order_by(DeputyPeriod.id, ascending=False)
    count = DeputyPeriod.count()
    if where is not None:
        select = select.where(where)
        count = count.where(where)
    result = await fetch_page(select, count, page)
    leaders = await leaders_for(sorted({r["unit"] for r in result.items}))
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
    return await period_page(DeputyPeriod.unit == unit if unit else None, page)


async def delete_period(actor: User, period: dict[str, Any], note: str) -> None:
    """Delete a period loaded by :func:`load_period`; the hendelseslogg keeps what it was."""
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


async def load_period(period_id: int) -> dict[str, Any]:
    """One period with its unit's and people's names (404 when it does not exist)."""
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
        await delete_period(actor, await load_period(period_id), "Stedfortreder slettet")
