"""The organisation reads plugins use instead of naming core tables (core/archive/queries/people.py,
units.py, recipients.py and history.last_change)."""

from __future__ import annotations

from datetime import date

import pytest

from core import audit, roles
from core.archive.queries import people, recipients, units
from core.archive.queries.history import last_change, who_changed
from core.auth.user import load_user
from core.timeutil import today
from tests.support.factories import make_deputy, make_leader, make_person, make_unit
from tests.support.restanse_builders import make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio


async def test_people_reads(db: None) -> None:
    unit = await make_unit()
    kari = await make_person("Kari Nordmann", unit=unit, email="kari@example.no")
    ola = await make_person("Ola Nordmann", unit=unit, roles=(roles.ARKIV,))
    gone = await make_person("Per Borte", unit=unit, roles=(roles.ARKIV,), active=False)
    found = await people.people_by_id([kari, gone, kari])
    assert set(found) == {kari, gone}
    assert found[kari]["email"] == "kari@example.no" and found[gone]["active"] is False
    assert await people.person_names([ola]) == {ola: "Ola Nordmann"}
    assert [p["id"] for p in await people.unit_people(unit)] == [kari, ola]  # active ones, by name
    assert [p["id"] for p in await people.people_with_role(roles.ARKIV)] == [ola]
    assert await people.people_by_id([]) == {}


async def test_unit_reads(db: None) -> None:
    top = await make_unit("TOP", "Toppen")
    child = await make_unit("TOP-A", "Avdeling", parent=top)
    grandchild = await make_unit("TOP-A-1", "Gruppe", parent=child)
    other = await make_unit("ANN", "Annen")
    assert await units.with_sub_units([top]) == tuple(sorted((top, child, grandchild)))
    assert (await units.unit_by_id(child))["code"] == "TOP-A"
    assert await units.unit_by_id(999_999) is None
    leader = await make_person(unit=top)
    await make_leader(top, leader)
    deputy = await make_person(unit=other)
    await make_deputy(top, leader, deputy, today(), today())
    user = await load_user(deputy)
    assert user is not None
    listed = await units.report_units(user)
    assert [(u["id"], u["underenheter"]) for u in listed] == [(top, 1)]


async def test_recipient_state_and_last_change(db: None) -> None:
    org = await make_org()
    r = await make_restanse(org.unit, org.handler)
    brief = (await recipients.recipients_by_id([r.korrespondansepart_id]))[r.korrespondansepart_id]
    assert brief["journalpost_id"] == r.post and brief["saksbehandler"] == org.handler
    assert brief["nummer"].startswith("2026/")
    state = await recipients.recipient_state(r.korrespondansepart_id)
    assert state is not None and state["avskrevet"] is False and state["saksbehandler"] == org.handler
    await write_off(r.korrespondansepart_id, date(2026, 3, 20), korrespondansepart=False, by=org.handler)
    state = await recipients.recipient_state(r.korrespondansepart_id)
    assert state["avskrevet"] and state["avskrivningsmaate"] == "TE"  # a whole-post write-off counts
    assert await recipients.recipient_state(999_999) is None
    assert await last_change("korrespondansepart", r.korrespondansepart_id) is None
    await audit.record(
        actor_id=org.handler,
        on_behalf_of=org.leader,
        action="archive.distributed",
        object_type="korrespondansepart",
        object_id=r.korrespondansepart_id,
    )
    change = await last_change("korrespondansepart", r.korrespondansepart_id)
    assert change is not None and change["action"] == "archive.distributed"
    names = await people.person_names([org.handler, org.leader])
    assert who_changed(change) == f"{names[org.handler]} på vegne av {names[org.leader]}"
    assert who_changed(None) == ""
