"""The leaver's checklist: its lines from core and the plugins, who may see it, the transfer
through the pages (preview, then one transaction), and "may the avgang be completed?"."""

from __future__ import annotations

import re

import pytest

from core.archive.tables import Journalpost, Saksmappe
from core.runtime import runtime_of
from core.tables import AuditEvent
from plugins.onboarding.services import checklist
from plugins.onboarding.tables.checklist import ChecklistOverride
from tests.core.archive.leaver_org import make_work
from tests.support.factories import as_user, csrf, login

pytestmark = pytest.mark.anyio


async def test_the_lines_count_the_live_records(app, settings) -> None:
    work = await make_work(settings)
    pm = runtime_of(app).pm
    by_key = {line.key: line.count for line in await checklist.lines(pm, work.org.handler)}
    assert (
        by_key["archive.restanser"],
        by_key["archive.cases"],
        by_key["archive.unsent"],
        by_key["tasks.open"],
    ) == (1, 2, 1, 1)
    assert not await checklist.may_complete(pm, work.org.handler)
    # A person with nothing has no open line of core's (the dummy plugin's test line aside).
    still_open = await checklist.open_lines(pm, work.org.oko_handler)
    assert [line.key for line in still_open if not line.key.startswith("dummy_plugin.")] == []


async def test_a_reason_lets_the_avgang_complete_and_is_audited(app, settings) -> None:
    from core.errors import Forbidden, ValidationFailed

    work = await make_work(settings)
    org = work.org
    pm = runtime_of(app).pm
    with pytest.raises(ValidationFailed):
        await checklist.record_override(pm, await as_user(org.leader), org.handler, "kort")
    with pytest.raises(Forbidden):
        await checklist.record_override(
            pm, await as_user(org.colleague), org.handler, "Slutter i morgen, lederen tar resten"
        )
    await checklist.record_override(
        pm, await as_user(org.deputy), org.handler, "Slutter i morgen, lederen tar resten"
    )
    assert await checklist.may_complete(pm, org.handler)
    row = await ChecklistOverride.select().first()
    assert row is not None and row["recorded_by"] == org.deputy and row["on_behalf_of"] == org.leader
    [event] = await AuditEvent.select().where(AuditEvent.action == checklist.OVERRIDE_ACTION)
    assert event["object_id"] == str(org.handler) and event["on_behalf_of"] == org.leader


async def test_the_page_is_for_the_acting_leader_and_the_archive(client, settings) -> None:
    work = await make_work(settings)
    org = work.org
    url = f"/onboarding/sjekkliste/{org.handler}"
    await login(client, org.colleague)
    assert (await client.get(url)).status_code == 403
    await login(client, org.oko_leader)
    assert (await client.get(url)).status_code == 403
    await login(client, org.archivist)
    assert (await client.get(url)).status_code == 200
    await login(client, org.leader)
    response = await client.get(url)
    assert response.status_code == 200
    assert "Hans Handler" in response.text and "Svar om drenering" in response.text
    assert 'href="#liste-restanser"' in response.text and 'href="#liste-tasks"' in response.text
    assert 'href="#liste-stedfortreder"' in response.text and 'id="liste-stedfortreder"' in response.text
    assert re.search(rf'<option value="{org.colleague}"[^>]*>Kari Kollega</option>', response.text)


async def test_preview_then_transfer_through_the_pages(client, settings) -> None:
    work = await make_work(settings)
    org = work.org
    await login(client, org.leader)
    base = f"/onboarding/sjekkliste/{org.handler}"
    assert (await client.get(f"{base}/flytt")).status_code == 422
    preview = await client.get(f"{base}/flytt", params={"til": org.colleague})
    assert preview.status_code == 200 and "Kari Kollega" in preview.text and "Se på saken" in preview.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\d+)">', preview.text))
    assert hidden == {"til": str(org.colleague), "restanser": "1", "cases": "2", "unsent": "1", "tasks": "1"}
    stale = await client.post(f"{base}/flytt", data={**hidden, "cases": "1"}, headers=csrf(client))
    assert stale.status_code == 409
    assert (await Saksmappe.select(Saksmappe.saksansvarlig).where(Saksmappe.id == work.case).first())[
        "saksansvarlig"
    ] == org.handler
    done = await client.post(f"{base}/flytt", data=hidden, headers=csrf(client))
    assert done.status_code == 303
    post = (
        await Journalpost.select(Journalpost.saksbehandler).where(Journalpost.id == work.unsent_post).first()
    )
    assert post["saksbehandler"] == org.colleague
    page = await client.get(base)
    assert "5 oppføringer er flyttet" in page.text
    # Afterwards there is nothing to move, and the preview says so instead of offering it.
    empty = await client.get(f"{base}/flytt", params={"til": org.colleague})
    assert "det er ingenting å flytte" in empty.text and "Flytt alt" not in empty.text


async def test_the_pages_list_the_first_items_and_count_them_all(client, settings, monkeypatch) -> None:
    """A busy handler has thousands of restanser: the checklist and the preview list the first
    few of each kind (``SHOWN``) and say how many there are; the transfer's expected counts
    are of all, and the transfer moves all."""
    from core.archive import transfer

    monkeypatch.setattr(transfer, "SHOWN", 1)
    work = await make_work(settings)
    org = work.org
    await login(client, org.leader)
    base = f"/onboarding/sjekkliste/{org.handler}"
    page = (await client.get(base)).text
    cases = page.split('id="liste-cases"', 1)[1].split("</section>", 1)[0]
    assert "(2)" in cases and cases.count("<li>") == 1 and "Viser de 1 første av 2." in cases
    restanser = page.split('id="liste-restanser"', 1)[1].split("</section>", 1)[0]
    assert "(1)" in restanser and restanser.count("<li>") == 1 and "Viser de" not in restanser
    preview = await client.get(f"{base}/flytt", params={"til": org.colleague})
    assert "Viser de 1 første av 2." in preview.text
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="(\d+)">', preview.text))
    assert hidden == {"til": str(org.colleague), "restanser": "1", "cases": "2", "unsent": "1", "tasks": "1"}
    assert (await client.post(f"{base}/flytt", data=hidden, headers=csrf(client))).status_code == 303
    assert await Saksmappe.count().where(Saksmappe.saksansvarlig == org.handler) == 0
    assert "Ingen." in (await client.get(base)).text


async def test_the_page_counts_the_records_and_reads_the_tasks_once(client, settings, monkeypatch) -> None:
    """The checklist's lines (the hook) and the page's lists both need the leaver's counts and
    open tasks: one statement each per request (:mod:`core.memo`)."""
    from core.archive.queries import leaver
    from core.tasks import queries as task_queries

    calls = {"counts": 0, "tasks": 0}
    counts, rows = leaver._counts, task_queries._rows

    async def counted_counts(*args):
        calls["counts"] += 1
        return await counts(*args)

    async def counted_rows(query, **kwargs):
        if "t.taken_by IS NULL) OR t.taken_by = " in str(query):  # open_tasks_of's statement
            calls["tasks"] += 1
        return await rows(query, **kwargs)

    monkeypatch.setattr(leaver, "_counts", counted_counts)
    monkeypatch.setattr(task_queries, "_rows", counted_rows)
    work = await make_work(settings)
    await login(client, work.org.leader)
    calls.update(counts=0, tasks=0)
    page = await client.get(f"/onboarding/sjekkliste/{work.org.handler}")
    assert page.status_code == 200 and "Oppgaver som venter på personen (også godkjenning) (1)" in page.text
    assert calls == {"counts": 1, "tasks": 1}


async def test_a_reason_through_the_page(client, settings) -> None:
    work = await make_work(settings)
    await login(client, work.org.leader)
    base = f"/onboarding/sjekkliste/{work.org.handler}"
    refused = await client.post(f"{base}/begrunnelse", data={"begrunnelse": "nei"}, headers=csrf(client))
    assert refused.status_code == 422 and "nei" in refused.text
    saved = await client.post(
        f"{base}/begrunnelse", data={"begrunnelse": "Lederen følger opp resten"}, headers=csrf(client)
    )
    assert saved.status_code == 303
    assert "En begrunnelse er lagret" in (await client.get(base)).text
