"""Who may maintain the organisation (``require_maintainer``, applied by every admin service)."""

from __future__ import annotations

import pytest

from core import roles
from core.admin import absence, auditlog, deputies, people, units
from core.admin.common import codes_in, codes_sql
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


async def test_raw_page_and_in_list(db) -> None:
    """One page of composed SQL on a table's engine, numbered from 1 and clamped; ``in_list``
    binds its values and is false for none."""
    from piccolo.querystring import QueryString

    from core.admin.common import in_list, raw_page

    for n in range(5):
        await make_unit(code=f"S{n}")
    select = QueryString(
        "SELECT code FROM core_unit WHERE {} ORDER BY code", in_list("code", ["S1", "S2", "S3"])
    )
    count = QueryString("SELECT COUNT(*) AS n FROM core_unit WHERE {}", in_list("code", ["S1", "S2", "S3"]))
    first = await raw_page(Unit, select, count, None, size=2)
    assert ([r["code"] for r in first.items], first.number, first.total, first.pages) == (
        ["S1", "S2"],
        1,
        3,
        2,
    )
    last = await raw_page(Unit, select, count, 9, size=2)
    assert ([r["code"] for r in last.items], last.number) == (["S3"], 2)
    none = QueryString("SELECT COUNT(*) AS n FROM core_unit WHERE {}", in_list("code", []))
    assert (await Unit.raw("{}", none))[0]["n"] == 0


async def test_codes_in_writes_the_codes_out_and_refuses_anything_else() -> None:
    assert str(codes_in("j.journalstatus", ("R", "F", "G"))) == "j.journalstatus IN ('R', 'F', 'G')"
    assert codes_in("j.journalstatus", ("R", "F")).args == []
    assert str(codes_in("j.x", ())) == "1 = 0"
    assert codes_sql("t.state", ("open", "taken")) == "t.state IN ('open', 'taken')"
    for bad in ("R'", "R, 'F", "", "A B", "æ", "x" * 33):
        with pytest.raises(ValueError):
            codes_in("j.x", ("R", bad))
