"""The names a page of rows shows, read once for the page (core/archive/queries/names.py), and
the two lists that use it: *Egne restanser* and a fordeling queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.archive.queries import distribution, restanse_lists
from core.archive.queries.names import Names, names_of
from core.archive.queries.restanser import Scope
from core.archive.queries.visibility import Viewer
from core.timeutil import today
from tests.support.factories import make_person, make_unit
from tests.support.restanse_builders import make_case, make_org, make_restanse

pytestmark = pytest.mark.anyio


async def test_names_of_people_and_units(db: None) -> None:
    unit = await make_unit("NAV", "Navneenheten")
    kari = await make_person("Kari Nordmann", unit=unit)
    gone = await make_person("Per Borte", unit=unit, active=False)
    names = await names_of([kari, gone, None, kari, 999_999], [unit, None, 999_998])
    assert names.people == {kari: "Kari Nordmann", gone: "Per Borte"}  # deactivated ones too
    assert names.units == {unit: ("NAV", "Navneenheten")}
    assert names.person(kari) == "Kari Nordmann" and names.person(None) == ""
    assert names.person(999_999) == "" and names.unit_code(999_998) == ""
    assert names.unit_code(unit) == "NAV" and names.unit_name(unit) == "Navneenheten"
    assert (await names_of([kari])).units == {}


async def test_no_ids_no_statement(db: None, statements: list[str]) -> None:
    assert await names_of([None], []) == Names()
    assert statements == []


async def test_a_page_of_restanser_reads_its_names_in_one_statement(db: None, statements: list[str]) -> None:
    org = await make_org()
    other_unit = await make_unit("AND", "Andre enheten")
    author = await make_person("Nora Notatskriver", unit=other_unit)
    for days in range(1, 8):
        await make_restanse(org.unit, org.handler, journaldato=today() - timedelta(days=days))
    note = await make_restanse(
        org.unit,
        org.handler,
        type="N",
        author=author,
        author_unit=other_unit,
        journaldato=today() - timedelta(days=9),
    )
    statements.clear()
    page = await restanse_lists.open_restanser(
        Viewer(org.handler, frozenset()), Scope(saksbehandler_id=org.handler)
    )
    assert len(page.items) == 8
    # The names in one statement for the page, none looked up per row in the rows' statement.
    name_reads = [s for s in statements if "core_person" in s]
    assert len(name_reads) == 1 and "core_korrespondansepart" not in name_reads[0], name_reads
    assert all(item["saksbehandler_navn"] == "Hanne Handler" for item in page.items)
    assert all(item["enhet_kode"] == "LMA" for item in page.items)
    by_id = {item["korrespondansepart_id"]: item for item in page.items}
    assert by_id[note.korrespondansepart_id]["avsender"] == "Nora Notatskriver (AND)"


async def test_a_queue_page_reads_its_names_in_one_statement(db: None, statements: list[str]) -> None:
    org = await make_org()
    owner = await make_person("Siri Saksansvarlig", unit=org.unit)
    await make_restanse(org.unit, None, case=await make_case(unit=org.unit, saksansvarlig=owner))
    await make_restanse(org.unit, None)
    statements.clear()
    page = await distribution.queue_page(
        Viewer(org.leader, frozenset()), org.unit, distribution.QueueFilter(), None
    )
    assert len(page.items) == 2
    assert len([s for s in statements if "core_person p WHERE" in s and "UNION ALL" in s]) == 1
    assert not [s for s in statements if "core_person" in s and "core_korrespondansepart" in s]
    assert sorted(item["saksansvarlig_navn"] for item in page.items) == ["", "Siri Saksansvarlig"]
