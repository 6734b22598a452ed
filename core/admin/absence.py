"""A leader's own absence: the leader registers, lists and cancels deputy periods for the units
they lead (deputies acting for a leader do not count as leaders here)."""

from __future__ import annotations

from typing import Any

from core.admin.common import LOCK_DEPUTIES, Page, serialize_writes
from core.admin.deputies import DeputyForm, delete_period, load_period, period_page, register_period
from core.admin.people import people_choices, units_led_by
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, Forbidden
from core.i18n import _
from core.tables import DeputyPeriod, Leadership
from core.timeutil import today


async def led_units(actor: User) -> list[dict[str, Any]]:
    """Units where ``actor`` is the registered leader (deputies do not count). 403 when none."""
    units = await units_led_by(actor.person_id)
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
    return await period_page(
        DeputyPeriod.unit.is_in(unit_ids) & (DeputyPeriod.leader == actor.person_id), page
    )


async def register_absence(actor: User, form: DeputyForm) -> int:
    """A leader registers their own absence and deputy for a unit they lead."""
    await led_units(actor)
    return await register_period(actor, form, actor.person_id)


async def cancel_absence(actor: User, period_id: int) -> None:
    """A leader cancels one of their own periods that has not ended yet."""
    await led_units(actor)
    async with writing(DeputyPeriod):
        await serialize_writes(DeputyPeriod, LOCK_DEPUTIES)
        period = await load_period(period_id)
        is_leader = await Leadership.exists().where(
            (Leadership.unit == period["unit"]) & (Leadership.person == actor.person_id)
        )
        if period["leader"] != actor.person_id or not is_leader:
            raise Forbidden(_("Du kan bare avlyse dine egne fraværsperioder."))
        if period["ends"] < today():
            raise Conflict(_("Perioden er allerede over og kan ikke avlyses."))
        await delete_period(actor, period, "Fravær avlyst av lederen")
