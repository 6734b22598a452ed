"""Who may maintain the organisation (``require_maintainer``, applied by every admin service)."""

from __future__ import annotations

import pytest

from core import roles
from core.admin import absence, auditlog, deputies, people, units
from core.admin.deputies import DeputyForm
from core.admin.people import PersonForm
from core.admin.units import UnitForm
from core.errors import Forbidden
from core.tables import Unit
from tests.core.admin.support import user
from tests.support.factories import make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_plain_handler_may_not_maintain_anything(db) -> None:
    unit = await make_unit()
    handler = await user(await make_person(unit=unit))
    with pytest.raises(Forbidden):
        await units.list_units(handler)
    with pytest.raises(Forbidden):
        await units.create_unit(handler, UnitForm(code="X", name="X"))
    with pytest.raises(Forbidden):
        await people.list_people(handler)
    with pytest.raises(Forbidden):
        await people.create_person(handler, PersonForm(name="A", initials="A", email="a@k.no"))
    with pytest.raises(Forbidden):
        await units.set_leader(handler, unit, str(handler.person_id))
    with pytest.raises(Forbidden):
        await deputies.register_deputy(handler, DeputyForm(unit=str(unit)))
    with pytest.raises(Forbidden):
        await auditlog.list_events(handler, auditlog.AuditFilter())
    with pytest.raises(Forbidden):
        auditlog.export_csv(handler, auditlog.AuditFilter())
    with pytest.raises(Forbidden):
        await absence.led_units(handler)
    assert await Unit.count() == 1


async def test_archive_role_may_maintain(db) -> None:
    archive = await user(await make_person(roles=(roles.ARKIV,)))
    unit_id = await units.create_unit(archive, UnitForm(code="ARK", name="Arkiv"))
    assert (await units.get_unit(archive, unit_id))["code"] == "ARK"
