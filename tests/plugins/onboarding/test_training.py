"""Training follow-up: registered by Fellestjenesten (a task for the leader) or the leader (a
task for role arkiv), a date agreed by the receiver, closed with what was done; the signals
page with its numbers and buttons."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from core.tables import AuditEvent
from core.tasks.tables import Task
from core.timeutil import today
from plugins.onboarding.services import training
from plugins.onboarding.tables.training import TrainingFollowUp
from tests.core.archive.service_org import make_org
from tests.support.factories import as_user, csrf, login

pytestmark = pytest.mark.anyio


async def version(follow_up: int) -> int:
    row = (
        await TrainingFollowUp.select(TrainingFollowUp.version)
        .where(TrainingFollowUp.id == follow_up)
        .first()
    )
    return int(row["version"])


async def test_fellestjenesten_registers_the_leader_agrees_and_closes(settings, db) -> None:
    org = await make_org()
    archivist = await as_user(org.archivist)
    follow_up = await training.register(
        settings, archivist, org.handler, "12 restanser eldre enn tre måneder", "old_restanser"
    )
    task = await Task.select().where(Task.kind == training.TASK_KIND).first()
    assert task["receiver_person"] == org.leader and task["object_id"] == str(follow_up)
    # The handler and the archivist are not the other party.
    with pytest.raises(Forbidden):
        await training.agree(settings, archivist, follow_up, today(), version=1)
    # The deputy acts for the absent leader.
    deputy = await as_user(org.deputy)
    with pytest.raises(ValidationFailed):
        await training.agree(settings, deputy, follow_up, today() - timedelta(days=1), version=1)
    await training.agree(settings, deputy, follow_up, today() + timedelta(days=3), version=1)
    with pytest.raises(Conflict):
        await training.agree(settings, deputy, follow_up, today(), version=1)
    await training.close(settings, await as_user(org.leader), follow_up, "Gikk gjennom avskriving", version=2)
    row = await TrainingFollowUp.select().where(TrainingFollowUp.id == follow_up).first()
    assert (row["state"], row["done_by"], row["agreed_by"]) == ("done", org.leader, org.deputy)
    task = await Task.select().where(Task.id == row["task"]).first()
    assert task["state"] == "done" and task["comment"] == "Gikk gjennom avskriving"
    actions = [
        e["action"]
        for e in await AuditEvent.select(AuditEvent.action).where(
            AuditEvent.action.like("onboarding.training%")
        )
    ]
    assert sorted(actions) == [
        "onboarding.training_agreed",
        "onboarding.training_done",
        "onboarding.training_registered",
    ]


async def test_the_leader_registers_for_fellestjenesten_and_others_may_not(settings, db) -> None:
    org = await make_org()
    follow_up = await training.register(
        settings, await as_user(org.leader), org.handler, "Usikker på journalføring"
    )
    task = await Task.select().where(Task.kind == training.TASK_KIND).first()
    assert task["receiver_role"] == "arkiv" and task["receiver_person"] is None
    await training.agree(settings, await as_user(org.archivist), follow_up, today(), version=1)
    with pytest.raises(Forbidden):
        await training.register(settings, await as_user(org.oko_leader), org.handler, "Noe")
    with pytest.raises(Forbidden):
        await training.register(settings, await as_user(org.colleague), org.handler, "Noe")
    with pytest.raises(ValidationFailed):
        await training.register(settings, await as_user(org.leader), org.handler, "  ")


async def test_the_pages(client, settings) -> None:
    org = await make_org()
    await login(client, org.handler)
    assert (await client.get("/onboarding/opplaering")).status_code == 403
    await login(client, org.archivist)
    index = await client.get("/onboarding/opplaering")
    assert index.status_code == 200 and "Ingen saksbehandlere har signaler" in index.text
    form = await client.get(
        "/onboarding/opplaering/ny", params={"person": org.handler, "signal": "old_unsent"}
    )
    assert form.status_code == 200 and "Hans Handler" in form.text
    refused = await client.post(
        "/onboarding/opplaering/ny", data={"person": org.handler, "observert": ""}, headers=csrf(client)
    )
    assert refused.status_code == 422
    done = await client.post(
        "/onboarding/opplaering/ny",
        data={"person": org.handler, "signal": "old_unsent", "observert": "Brev blir liggende"},
        headers=csrf(client),
    )
    assert done.status_code == 303
    url = done.headers["location"]
    assert "Brev blir liggende" in (await client.get(url)).text
    task = await Task.select().where(Task.kind == training.TASK_KIND).first()
    await login(client, org.leader)
    via_task = await client.get(f"/onboarding/opplaering/oppgave/{task['id']}")
    assert via_task.status_code == 303 and via_task.headers["location"] == url
    page = await client.get(url)
    assert 'action="' + url + '/avtal"' in page.text
    agreed = await client.post(
        f"{url}/avtal",
        data={"version": "1", "dato": (today() + timedelta(days=2)).isoformat()},
        headers=csrf(client),
    )
    assert agreed.status_code == 303
    closed = await client.post(
        f"{url}/lukk", data={"version": "2", "gjennomfort": "Gjennomgang av utsendelse"}, headers=csrf(client)
    )
    assert closed.status_code == 303
    assert "Gjennomgang av utsendelse" in (await client.get(url)).text
    listing = await client.get("/onboarding/opplaering")
    assert re.search(r"Hans Handler</a>", listing.text)


async def test_the_signals_page_shows_the_numbers_and_a_button(client, settings) -> None:
    from core.archive.tables import Journalpost
    from tests.core.archive.service_org import outgoing, own_case

    org = await make_org()
    letter = await outgoing(settings, org, await own_case(settings, org))
    await Journalpost.update({Journalpost.journaldato: today() - timedelta(days=20)}).where(
        Journalpost.id == letter
    )
    await login(client, org.leader)
    page = await client.get("/onboarding/opplaering")
    assert page.status_code == 200
    row = re.search(r"<th scope=\"row\">Hans Handler</th>(.*?)</tr>", page.text, flags=re.DOTALL)
    assert row is not None
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row.group(1)) == ["0", "0", "1"]
    assert f"/onboarding/opplaering/ny?person={org.handler}&amp;signal=old_unsent" in row.group(1)
    form = await client.get(
        "/onboarding/opplaering/ny", params={"person": org.handler, "signal": "old_unsent"}
    )
    assert "1 utgående brev er ikke ekspedert etter mer enn 14 dager." in form.text
    # The leader of another unit does not see this unit's handlers.
    await login(client, org.oko_leader)
    assert "Hans Handler" not in (await client.get("/onboarding/opplaering")).text


async def test_agreeing_reads_dd_mm_yyyy_and_keeps_a_refused_date(client, settings) -> None:
    org = await make_org()
    follow_up = await training.register(settings, await as_user(org.archivist), org.handler, "Noe å se på")
    await login(client, org.leader)
    url = f"/onboarding/opplaering/{follow_up}"
    page = await client.get(url)
    assert 'id="dato" name="dato" value=""' in page.text and 'inputmode="numeric"' in page.text
    for typed, message in (
        ("31.02.2026", "«Dato» må være en dato som finnes, skrevet dd.mm.åååå"),
        ("31.12.9999", "«Dato» må være en dato mellom 01.01.1900 og 31.12.2100."),
    ):
        refused = await client.post(
            f"{url}/avtal", data={"version": "1", "dato": typed}, headers=csrf(client)
        )
        assert refused.status_code == 422
        assert message in refused.text
        assert f'id="dato" name="dato" value="{typed}"' in refused.text
    day = today() + timedelta(days=2)
    agreed = await client.post(
        f"{url}/avtal", data={"version": "1", "dato": day.strftime("%d.%m.%Y")}, headers=csrf(client)
    )
    assert agreed.status_code == 303
    row = await TrainingFollowUp.select().where(TrainingFollowUp.id == follow_up).first()
    assert row["agreed_date"] == day
