"""The hendelseslogg viewer (``core.admin.auditlog``): filters and the CSV export."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.admin import auditlog
from core.errors import ValidationFailed
from core.timeutil import today
from tests.core.admin.support import org

pytestmark = pytest.mark.anyio


async def test_audit_filters_and_csv_export(db, monkeypatch) -> None:
    from core import audit

    admin, _unit, leader, deputy = await org()
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


async def test_a_long_log_is_counted_up_to_a_cap_and_its_choices_read_by_seeks(db, monkeypatch) -> None:
    """Over ``COUNT_CAP`` events the page says "over N" (and pages up to it) instead of counting
    millions; the filter's actions and object types are the distinct values, in order."""
    from core import audit

    admin, *_ = await org()
    for n in range(7):
        await audit.record(
            actor_id=admin.person_id, action=f"test.kind{n % 3}", object_type=f"type{n % 2}", object_id=n
        )
    monkeypatch.setattr(auditlog, "COUNT_CAP", 5)
    page = await auditlog.list_events(admin, auditlog.AuditFilter())
    assert (page.total, page.more) == (5, True)
    exact = await auditlog.list_events(admin, auditlog.AuditFilter(handling="test.kind0"))
    assert (exact.total, exact.more) == (3, False)
    choices = await auditlog.filter_choices(admin)
    actions = [action for action, _label in choices["actions"]]
    assert actions == sorted(set(actions)) and {"test.kind0", "test.kind1", "test.kind2"} <= set(actions)
    assert choices["object_types"] == sorted(set(choices["object_types"]))
    assert {"type0", "type1"} <= set(choices["object_types"])


async def test_the_last_page_of_a_capped_log_says_how_to_see_older_events(client, monkeypatch) -> None:
    """Paging stops at the cap; the last page says so, and how to reach the older events (the
    filters narrow the list, the export takes every match), in bokmål and nynorsk."""
    from core import audit
    from core.roles import ADMIN
    from tests.support.factories import csrf, login, make_person

    admin = await make_person(roles=(ADMIN,))
    await login(client, admin)
    await audit.record_many(
        [audit.Event(actor_id=admin, action="test.kind", object_type="type", object_id=n) for n in range(62)]
    )
    monkeypatch.setattr(auditlog, "COUNT_CAP", 60)
    query = {"handling": "test.kind"}
    first = (await client.get("/admin/hendelseslogg", params=query)).text
    assert "1–50 av over 60" in first and "Viser de nyeste" not in first
    last = (await client.get("/admin/hendelseslogg", params={**query, "side": "2"})).text
    assert "51–60 av over 60" in last and 'rel="next"' not in last
    assert "Viser de nyeste 60 hendelsene. Avgrens med dato" in last
    await client.post("/sprak", data={"sprak": "nn", "tilbake": "/"}, headers=csrf(client))
    nynorsk = (await client.get("/admin/hendelseslogg", params={**query, "side": "2"})).text
    assert "Viser dei nyaste 60 hendingane." in nynorsk
    exact = (await client.get("/admin/hendelseslogg", params={**query, "objekt": "3"})).text
    assert "1–1 av 1)" in exact and "dei nyaste" not in exact
