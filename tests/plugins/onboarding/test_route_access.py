"""Every onboarding route against people who must not reach what it shows or changes: signed
out, and a handler of another unit without any role (``oko_handler``). Real ids are used (a sent
*avgang* form, its task, the leaver, a training follow-up), so a refusal is the rule's, not a
missing row's. A new route fails :func:`test_every_route_is_in_the_matrix` until it is added."""

from __future__ import annotations

from typing import Any

import pytest

from core.tasks.tables import Task
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import form, form_kinds, training
from tests.core.archive.leaver_org import make_work
from tests.support.factories import as_user, csrf, login, make_person

pytestmark = pytest.mark.anyio

# (method, path template) -> statuses an outsider may get. Lists and the new-form page are open to
# everyone signed in but show only what the user follows (checked below: nothing of the unit's).
MATRIX: dict[tuple[str, str], set[int]] = {
    ("GET", "/onboarding"): {200},
    ("GET", "/onboarding/kort"): {200},
    ("GET", "/onboarding/skjema/ny"): {200, 403},
    ("POST", "/onboarding/skjema/ny"): {403, 422},
    ("GET", "/onboarding/skjema/{skjema_id}"): {403, 404},
    ("GET", "/onboarding/skjema/{skjema_id}/endre"): {403, 404},
    ("POST", "/onboarding/skjema/{skjema_id}/endre"): {403, 404},
    ("GET", "/onboarding/oppgave/{task_id}"): {403, 404},
    ("POST", "/onboarding/oppgave/{task_id}/ta"): {403, 404, 409},
    ("POST", "/onboarding/oppgave/{task_id}/utfor"): {403, 404, 409},
    ("POST", "/onboarding/oppgave/{task_id}/returner"): {403, 404, 409},
    ("GET", "/onboarding/sjekkliste/{person_id}"): {403, 404},
    ("GET", "/onboarding/sjekkliste/{person_id}/flytt"): {403, 404},
    ("POST", "/onboarding/sjekkliste/{person_id}/flytt"): {403, 404},
    ("POST", "/onboarding/sjekkliste/{person_id}/begrunnelse"): {403, 404},
    ("GET", "/onboarding/opplaering"): {403, 404},
    ("GET", "/onboarding/opplaering/kort"): {403},
    ("GET", "/onboarding/opplaering/ny"): {403, 404},
    ("POST", "/onboarding/opplaering/ny"): {403, 404, 422},
    ("GET", "/onboarding/opplaering/{follow_up_id}"): {403, 404},
    # Only a redirect to the follow-up's page (refused below), as core's inbox links to it.
    ("GET", "/onboarding/opplaering/oppgave/{task_id}"): {303, 403, 404},
    ("POST", "/onboarding/opplaering/{follow_up_id}/avtal"): {403, 404},
    ("POST", "/onboarding/opplaering/{follow_up_id}/lukk"): {403, 404},
}


def _routes(app: Any) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        if not route.path.startswith("/onboarding"):
            continue
        path = route.path.replace(":int}", "}").rstrip("/") or "/onboarding"
        for method in route.methods:
            if method in ("GET", "POST"):
                found.add((method, path))
    return found


async def test_every_route_is_in_the_matrix(app) -> None:
    assert _routes(app) == set(MATRIX)


@pytest.fixture
async def ids(settings: Any, app: Any) -> dict[str, Any]:
    work = await make_work(settings)
    org = work.org
    await make_person(name="Lone Lønn", roles=("lonn",))
    leaving = forms.Entered(kind="avgang", unit=str(org.lma), person=str(org.handler), ends=str(today()))
    form_id = await form.save(settings, await as_user(org.leader), leaving, send=True)
    task = (
        await Task.select(Task.id)
        .where((Task.object_type == form_kinds.OBJECT) & (Task.object_id == str(form_id)))
        .first()
    )
    follow_up = await training.register(
        settings, await as_user(org.archivist), org.handler, "Skriver av inngående brev uten svar."
    )
    follow_up_task = (
        await Task.select(Task.id)
        .where(Task.object_id == str(follow_up))
        .order_by(Task.id, ascending=False)
        .first()
    )
    return {
        "org": org,
        "skjema_id": form_id,
        "task_id": task["id"],
        "person_id": org.handler,
        "follow_up_id": follow_up,
        "training_task": follow_up_task["id"],
    }


def _url(path: str, ids: dict[str, Any]) -> str:
    if path == "/onboarding/opplaering/oppgave/{task_id}":
        return path.replace("{task_id}", str(ids["training_task"]))
    if path == "/onboarding/opplaering/ny":
        return f"{path}?person={ids['person_id']}"
    for key in ("skjema_id", "task_id", "person_id", "follow_up_id"):
        path = path.replace("{" + key + "}", str(ids[key]))
    return path


async def test_signed_out_gets_nothing(client, ids) -> None:
    for (method, path), _allowed in MATRIX.items():
        url = _url(path, ids)
        response = (
            await client.request(method, url, data={"version": "1"})
            if method == "POST"
            else await client.get(url)
        )
        assert response.status_code in (302, 303, 401, 403), (method, url, response.status_code)
        if response.status_code in (302, 303):
            assert "logg-inn" in response.headers["location"], (method, url)


async def test_an_outsider_is_refused_everywhere(client, ids) -> None:
    org = ids["org"]
    await login(client, org.oko_handler)
    data = {
        "version": "1",
        "kind": "avgang",
        "unit": str(org.lma),
        "person": str(org.handler),
        "ends": str(today()),
        "handling": "send",
        "til": str(org.oko_handler),
        "begrunnelse": "En lang nok begrunnelse for testen",
        "handler": str(org.handler),
        "observert": "Noe ble observert i arkivet.",
        "done_text": "Opplæring holdt.",
        "comment": "x",
        "question": "Hvorfor?",
        "employee_number": "1",
    }
    for (method, path), allowed in MATRIX.items():
        url = _url(path, ids)
        if method == "POST":
            response = await client.post(url, data=data, headers=csrf(client))
        else:
            response = await client.get(url)
        assert response.status_code in allowed, (method, url, response.status_code)
    # The open pages show nothing of the other unit's forms.
    listing = await client.get("/onboarding")
    assert "Hans Handler" not in listing.text
    assert "Ingen skjemaer er under behandling." in (await client.get("/onboarding/kort")).text
    as_leader = (await client.get("/onboarding/kort?rolle=leder")).text
    assert "Ingen skjemaer er under behandling." in as_leader and "sjekkliste" not in as_leader
    # Nothing was stored or changed: one form, its one task, still open.
    assert await form.OnboardingForm.count() == 1
    tasks = await Task.select(Task.state).where(
        (Task.object_type == form_kinds.OBJECT) & (Task.object_id == str(ids["skjema_id"]))
    )
    assert tasks == [{"state": "open"}]


async def test_a_leader_of_another_unit_learns_nothing_of_a_form_by_saving_it(client, ids) -> None:
    """Saving someone else's form is refused before the input is checked: no edit page with
    the form's state and version (422 for an empty form, 409 once it is sent), just 403."""
    org = ids["org"]
    await login(client, org.oko_leader)
    url = f"/onboarding/skjema/{ids['skjema_id']}/endre"
    own_unit = {"kind": "avgang", "unit": str(org.oko), "person": str(org.oko_handler), "ends": str(today())}
    for data in ({}, {"version": "99"}, {**own_unit, "version": "99"}, {**own_unit, "handling": "send"}):
        response = await client.post(url, data=data, headers=csrf(client))
        assert response.status_code == 403, (data, response.status_code)
        assert 'name="version"' not in response.text
        assert "Skjemaet er sendt" not in response.text
    assert await form.OnboardingForm.count() == 1
