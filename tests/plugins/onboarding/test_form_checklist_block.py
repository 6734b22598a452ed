"""The avgang's last step (Fellestjenesten/Arkiv) is refused while the leaver's checklist has
open lines and no recorded reason; the form, its task and the leaver's access stay as they were.
With the reason recorded (or nothing left) the step completes."""

from __future__ import annotations

from typing import Any

import pytest

from core.archive.access import access_codes
from core.errors import Forbidden
from core.runtime import runtime_of
from core.tasks.tables import Task
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import checklist, form, form_kinds, form_route
from plugins.onboarding.services.form_route import ChecklistOpen, StepInput
from tests.core.archive.leaver_org import make_work
from tests.support.factories import as_user, csrf, grant_code, login, make_person

pytestmark = pytest.mark.anyio


@pytest.fixture
async def work(settings: Any, db: None) -> Any:
    work = await make_work(settings)
    work.lonn = await make_person(name="Lone Lønn", roles=("lonn",))
    work.ikt = await make_person(name="Ivar IKT", roles=("ikt",))
    await grant_code(work.org.handler, "P")
    return work


async def open_step(form_id: int, step: str) -> dict[str, Any]:
    row = (
        await Task.select()
        .where(
            (Task.object_id == str(form_id))
            & (Task.kind == form_kinds.STEP_KIND[step])
            & Task.state.is_in(["open", "taken"])
        )
        .first()
    )
    assert row is not None, step
    return row


async def to_arkiv_step(settings: Any, work: Any, pm: Any) -> int:
    org = work.org
    leaving = forms.Entered(kind="avgang", unit=str(org.lma), person=str(org.handler), ends=str(today()))
    form_id = await form.save(settings, await as_user(org.leader), leaving, send=True)
    for step, person, data in (
        ("lonn", work.lonn, StepInput(employee_number="99")),
        ("ikt", work.ikt, StepInput(comment="Brukeren stenges")),
    ):
        task = await open_step(form_id, step)
        await form_route.complete_step(
            settings, await as_user(person), int(task["id"]), version=int(task["version"]), data=data, pm=pm
        )
    return form_id


async def test_the_last_step_waits_for_the_checklist_or_a_reason(settings, app, work) -> None:
    pm = runtime_of(app).pm
    org = work.org
    form_id = await to_arkiv_step(settings, work, pm)
    assert await checklist.open_lines(pm, org.handler)  # restanse, own case, unsent post, task
    task = await open_step(form_id, "arkiv")
    # Someone outside the role is refused as such, and learns nothing of the checklist.
    with pytest.raises(Forbidden):
        await form_route.complete_step(
            settings,
            await as_user(org.oko_handler),
            int(task["id"]),
            version=int(task["version"]),
            data=StepInput(),
            pm=pm,
        )
    archivist = await as_user(org.archivist)
    with pytest.raises(ChecklistOpen) as refused:
        await form_route.complete_step(
            settings, archivist, int(task["id"]), version=int(task["version"]), data=StepInput(), pm=pm
        )
    assert "sjekklisten" in str(refused.value.detail)
    # Nothing changed: the form waits at the step, the task is still open, the access is kept.
    assert (await form.load(form_id))["state"] == "arkiv"
    assert (await open_step(form_id, "arkiv"))["version"] == task["version"]
    assert await access_codes(org.handler) == frozenset({"P"})

    await checklist.record_override(
        pm, await as_user(org.leader), org.handler, "Sakene tas over av enheten etter avtale."
    )
    state = await form_route.complete_step(
        settings, archivist, int(task["id"]), version=int(task["version"]), data=StepInput(), pm=pm
    )
    assert state == "fullfort"


async def test_the_task_page_says_why_and_links_to_the_checklist(settings, app, client, work) -> None:
    pm = runtime_of(app).pm
    form_id = await to_arkiv_step(settings, work, pm)
    task = await open_step(form_id, "arkiv")
    link = f'href="/onboarding/sjekkliste/{work.org.handler}"'
    # Lønningskontoret follows the form but may not open the checklist: no link for them.
    await login(client, work.lonn)
    assert link not in (await client.get(f"/onboarding/skjema/{form_id}")).text
    await login(client, work.org.archivist)
    page = await client.get(f"/onboarding/oppgave/{task['id']}")
    assert link in page.text
    refused = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"]), "comment": "Ferdig fra arkivet"},
        headers=csrf(client),
    )
    assert refused.status_code == 409
    assert "Avgangen kan ikke fullføres" in refused.text
    assert "Ferdig fra arkivet" in refused.text  # what was typed is kept
    assert (await form.load(form_id))["state"] == "arkiv"
