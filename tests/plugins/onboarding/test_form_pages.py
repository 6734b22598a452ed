"""The form's pages over HTTP: the leader fills in, gets errors that keep what was typed,
saves a draft, sends; the roles take and complete their steps on the task page, or return the
form; the leader follows it on the form page and the list; others are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from core.runtime import build_runtime
from core.tables import Person
from core.tasks.tables import Task
from core.timeutil import today
from plugins.onboarding.services import form_kinds
from plugins.onboarding.tables.forms import OnboardingForm
from tests.core.archive.service_org import make_org
from tests.support.factories import csrf, login, make_person

pytestmark = pytest.mark.anyio


@pytest.fixture
async def org(db: None) -> Any:
    org = await make_org()
    org.lonn = await make_person(name="Lone Lønn", roles=("lonn",))
    org.ikt = await make_person(name="Ivar IKT", roles=("ikt",))
    return org


def new_hire(org: Any, **changes: str) -> dict[str, str]:
    return {
        "kind": "ny",
        "unit": str(org.lma),
        "person_name": "Nina Ny",
        "email": "nina.ny@kommune.example",
        "job_title": "Rådgiver",
        "archive_role": "saksbehandler",
        "access_codes": "P",
        "starts": str(today() + timedelta(days=20)),
        "handling": "send",
        **changes,
    }


async def open_task(form_id: int, kind: str) -> dict[str, Any]:
    row = (
        await Task.select()
        .where((Task.object_id == str(form_id)) & (Task.kind == kind) & Task.state.is_in(["open", "taken"]))
        .first()
    )
    assert row is not None
    return row


async def test_errors_keep_what_was_typed_and_say_no_identity_number(client, org) -> None:
    await login(client, org.leader)
    page = await client.get("/onboarding/skjema/ny?type=ny")
    assert page.status_code == 200
    assert "fødselsnummer" in page.text and "Nina" not in page.text
    response = await client.post(
        "/onboarding/skjema/ny", data=new_hire(org, email="feil", person_name="Nina Ny"), headers=csrf(client)
    )
    assert response.status_code == 422
    assert 'value="feil"' in response.text and 'value="Nina Ny"' in response.text
    assert "Skriv e-postadressen som navn@domene.no" in response.text
    assert not await OnboardingForm.exists()


async def test_the_whole_route_over_http(client, org) -> None:
    await login(client, org.leader)
    draft = await client.post(
        "/onboarding/skjema/ny", data=new_hire(org, handling="lagre", job_title=""), headers=csrf(client)
    )
    assert draft.status_code == 303
    form_id = int(draft.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/onboarding/skjema/{form_id}")
    assert "Utkast" in page.text and "Skjemaet er ikke sendt ennå." in page.text
    edit = await client.get(f"/onboarding/skjema/{form_id}/endre")
    assert edit.status_code == 200 and 'value="Nina Ny"' in edit.text
    version = (await OnboardingForm.select(OnboardingForm.version).first())["version"]
    sent = await client.post(
        f"/onboarding/skjema/{form_id}/endre",
        data={**new_hire(org), "version": str(version)},
        headers=csrf(client),
    )
    assert sent.status_code == 303
    listing = await client.get("/onboarding")
    assert "Nina Ny" in listing.text and "Hos Lønningskontoret" in listing.text

    # Lønningskontoret takes and completes its step.
    await login(client, org.lonn)
    task = await open_task(form_id, form_kinds.LONN)
    page = await client.get(f"/onboarding/oppgave/{task['id']}")
    assert page.status_code == 200 and "Ta oppgaven" in page.text
    taken = await client.post(
        f"/onboarding/oppgave/{task['id']}/ta", data={"version": str(task["version"])}, headers=csrf(client)
    )
    assert taken.status_code == 303 and taken.headers["location"].endswith("#utfor-steget")
    assert 'id="utfor-steget"' in (await client.get(taken.headers["location"].split("#")[0])).text
    again = await client.post(
        f"/onboarding/oppgave/{task['id']}/ta", data={"version": str(task["version"])}, headers=csrf(client)
    )
    assert again.status_code == 409
    bad = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"] + 1), "employee_number": "x"},
        headers=csrf(client),
    )
    assert bad.status_code == 422 and "bare sifre" in bad.text
    done = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"] + 1), "employee_number": "4711"},
        headers=csrf(client),
    )
    assert done.status_code == 303

    # IKT returns it with a question; the leader sees it and sends it again.
    await login(client, org.ikt)
    task = await open_task(form_id, form_kinds.IKT)
    returned = await client.post(
        f"/onboarding/oppgave/{task['id']}/returner",
        data={"version": str(task["version"]), "question": "Trenger hun mobil?"},
        headers=csrf(client),
    )
    assert returned.status_code == 303
    await login(client, org.leader)
    question = await open_task(form_id, form_kinds.RETUR)
    page = await client.get(f"/onboarding/oppgave/{question['id']}")
    assert "Trenger hun mobil?" in page.text and "Rett og send skjemaet" in page.text
    version = (await OnboardingForm.select(OnboardingForm.version).first())["version"]
    sent = await client.post(
        f"/onboarding/skjema/{form_id}/endre",
        data={**new_hire(org), "version": str(version)},
        headers=csrf(client),
    )
    assert sent.status_code == 303
    page = await client.get(f"/onboarding/skjema/{form_id}")
    assert "Hos IKT" in page.text and "Trenger hun mobil?" in page.text and "Lone Lønn" in page.text

    # IKT completes, Fellestjenesten sees the preview and completes.
    await login(client, org.ikt)
    task = await open_task(form_id, form_kinds.IKT)
    done = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"]), "user_name": "ninny"},
        headers=csrf(client),
    )
    assert done.status_code == 303
    await login(client, org.archivist)
    task = await open_task(form_id, form_kinds.ARKIV)
    page = await client.get(f"/onboarding/oppgave/{task['id']}")
    assert "Dette blir endret" in page.text and "brukernavn ninny" in page.text
    done = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"])},
        headers=csrf(client),
    )
    assert done.status_code == 303
    assert (await OnboardingForm.select(OnboardingForm.state).first())["state"] == "fullfort"


async def test_others_cannot_fill_in_or_see_a_form(client, org) -> None:
    await login(client, org.leader)
    sent = await client.post("/onboarding/skjema/ny", data=new_hire(org), headers=csrf(client))
    form_id = int(sent.headers["location"].rsplit("/", 1)[1])
    await login(client, org.handler)
    assert (await client.get("/onboarding/skjema/ny?type=ny")).status_code == 403
    assert (
        await client.post("/onboarding/skjema/ny", data=new_hire(org), headers=csrf(client))
    ).status_code == 403
    assert (await client.get(f"/onboarding/skjema/{form_id}")).status_code == 404
    assert "Nina Ny" not in (await client.get("/onboarding")).text


async def test_an_overdue_step_is_marked_and_a_stale_form_is_refused(client, org) -> None:
    await login(client, org.leader)
    sent = await client.post("/onboarding/skjema/ny", data=new_hire(org), headers=csrf(client))
    form_id = int(sent.headers["location"].rsplit("/", 1)[1])
    await Task.update({Task.due: today() - timedelta(days=1)}).where(Task.object_id == str(form_id))
    page = await client.get(f"/onboarding/skjema/{form_id}")
    assert "Fristen er passert" in page.text
    stale = await client.post(
        f"/onboarding/skjema/{form_id}/endre", data={**new_hire(org), "version": "1"}, headers=csrf(client)
    )
    assert stale.status_code == 409 and "kan ikke endres" in stale.text and 'href="#skjema"' in stale.text


async def test_an_error_from_applying_the_change_is_shown_on_the_arkiv_step(client, org, settings) -> None:
    from plugins.onboarding.services.form_route import StepInput, complete_step
    from tests.support.factories import as_user

    await login(client, org.leader)
    sent = await client.post("/onboarding/skjema/ny", data=new_hire(org), headers=csrf(client))
    form_id = int(sent.headers["location"].rsplit("/", 1)[1])
    for kind, person, data in (
        (form_kinds.LONN, org.lonn, StepInput(employee_number="1")),
        (form_kinds.IKT, org.ikt, StepInput(user_name="P1")),
    ):
        task = await open_task(form_id, kind)
        await complete_step(
            settings,
            await as_user(person),
            int(task["id"]),
            version=int(task["version"]),
            data=data,
            pm=build_runtime(settings).pm,
        )
    # The user name is already someone's initials: core refuses to register the new person.
    first = await Person.select(Person.initials).where(Person.id == org.handler).first()
    await OnboardingForm.update({OnboardingForm.user_name: first["initials"].lower()}).where(
        OnboardingForm.id == form_id
    )
    await login(client, org.archivist)
    task = await open_task(form_id, form_kinds.ARKIV)
    response = await client.post(
        f"/onboarding/oppgave/{task['id']}/utfor",
        data={"version": str(task["version"])},
        headers=csrf(client),
    )
    assert response.status_code == 422 and 'id="feiloppsummering"' in response.text
    assert (await OnboardingForm.select(OnboardingForm.state).where(OnboardingForm.id == form_id).first())[
        "state"
    ] == "arkiv"


async def test_the_card_counts_the_forms_the_user_follows(client, org) -> None:
    await login(client, org.leader)
    assert "Ingen skjemaer er under behandling." in (await client.get("/onboarding/kort")).text
    await client.post("/onboarding/skjema/ny", data=new_hire(org), headers=csrf(client))
    await client.post(
        "/onboarding/skjema/ny",
        data=new_hire(org, person_name="Per Utkast", handling="lagre"),
        headers=csrf(client),
    )
    card = (await client.get("/onboarding/kort")).text
    assert "1 skjema er under behandling." in card and "1 utkast er ikke sendt." in card
    # Lønningskontoret follows every form, but not the leader's drafts.
    await login(client, org.lonn)
    card = (await client.get("/onboarding/kort")).text
    assert "1 skjema er under behandling." in card and "utkast" not in card
    # Another unit's leader follows neither.
    await login(client, org.oko_leader)
    assert "Ingen skjemaer er under behandling." in (await client.get("/onboarding/kort")).text


@pytest.mark.parametrize(
    ("kind", "field", "label", "extra"),
    [
        ("ny", "starts", "Startdato", {}),
        ("endring", "starts", "Fra dato", {"change_text": "Nye oppgaver"}),
        ("permisjon", "starts", "Første dag av permisjonen", {"ends": "KEEP"}),
        ("permisjon", "ends", "Siste dag av permisjonen", {"starts": "KEEP"}),
        ("avgang", "ends", "Siste arbeidsdag", {}),
    ],
)
async def test_the_dates_are_typed_dd_mm_yyyy_and_a_refused_date_is_kept(
    client, org, kind: str, field: str, label: str, extra: dict[str, str]
) -> None:
    """The new form and the edit form of each kind: a date typed dd.mm.åååå is stored and shown
    the same way; an impossible one comes back with the message naming the field, as typed."""
    await login(client, org.leader)
    day = today() + timedelta(days=20)
    typed = day.strftime("%d.%m.%Y")
    later = (day + timedelta(days=5)).strftime("%d.%m.%Y")
    data = {
        **new_hire(org),
        "kind": kind,
        "person": "" if kind == "ny" else str(org.handler),
        **{k: (typed if k == "starts" else later) if v == "KEEP" else v for k, v in extra.items()},
    }
    refused = await client.post(
        "/onboarding/skjema/ny", data={**data, field: "31.02.2026"}, headers=csrf(client)
    )
    assert refused.status_code == 422
    assert f"«{label}» må være en dato som finnes, skrevet dd.mm.åååå" in refused.text
    assert f'id="{field}" name="{field}" value="31.02.2026"' in refused.text
    assert not await OnboardingForm.exists()

    value = typed if field == "starts" else later
    draft = await client.post(
        "/onboarding/skjema/ny", data={**data, field: value, "handling": "lagre"}, headers=csrf(client)
    )
    assert draft.status_code == 303, draft.text[:2000]
    form_id = int(draft.headers["location"].rsplit("/", 1)[1])
    row = await OnboardingForm.select().where(OnboardingForm.id == form_id).first()
    assert row[field] == (day if field == "starts" else day + timedelta(days=5))
    edit = await client.get(f"/onboarding/skjema/{form_id}/endre")
    assert f'id="{field}" name="{field}" value="{value}"' in edit.text  # dd.mm.åååå, not ISO
    again = await client.post(
        f"/onboarding/skjema/{form_id}/endre",
        data={**data, field: "1.1.26", "version": str(row["version"]), "handling": "lagre"},
        headers=csrf(client),
    )
    assert again.status_code == 422
    assert f"«{label}» må være en dato som finnes" in again.text
    assert f'id="{field}" name="{field}" value="1.1.26"' in again.text
