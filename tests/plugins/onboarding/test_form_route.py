"""The form Registrering av IKT-tilgang/-avgang through its services: validation that keeps what
was typed, drafts, the route lønn → IKT → Fellestjenesten with a return to the leader, the
access applied at the end, one winner per task, receipts, deadlines."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from core.runtime import build_runtime
from core.settings import ConfigError
from core.tables import MailMessage, Person, PersonRole
from core.tasks import services as tasks
from core.tasks.tables import Task
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import form, form_kinds, form_route, form_settings
from plugins.onboarding.services.form_route import StepInput
from plugins.onboarding.tables.forms import OnboardingForm
from tests.core.archive.service_org import make_org
from tests.support.factories import as_user, make_person

pytestmark = pytest.mark.anyio


@pytest.fixture
async def org(db: None) -> Any:
    org = await make_org()
    org.lonn = await make_person(name="Lone Lønn", roles=("lonn",))
    org.lonn2 = await make_person(name="Lars Lønn", roles=("lonn",))
    org.ikt = await make_person(name="Ivar IKT", roles=("ikt",))
    return org


def new_hire(org: Any, **changes: str) -> forms.Entered:
    values = {
        "kind": "ny",
        "unit": str(org.lma),
        "person_name": "Nina Ny",
        "email": "nina.ny@kommune.example",
        "job_title": "Rådgiver",
        "archive_role": "saksbehandler",
        "access_codes": "p, f",
        "starts": str(today() + timedelta(days=30)),
        **changes,
    }
    return forms.Entered(**values)


async def the_task(form_id: int, kind: str) -> dict[str, Any]:
    rows = await Task.select().where(
        (Task.object_type == form_kinds.OBJECT)
        & (Task.object_id == str(form_id))
        & (Task.kind == kind)
        & Task.state.is_in(["open", "taken"])
    )
    assert len(rows) == 1, rows
    return rows[0]


async def state(form_id: int) -> str:
    return str((await form.load(form_id))["state"])


async def take_and_complete(settings: Any, person: int, form_id: int, step: str, data: StepInput) -> str:
    task = await the_task(form_id, form_kinds.STEP_KIND[step])
    user = await as_user(person)
    await tasks.take_task(settings, user, int(task["id"]), version=int(task["version"]))
    return await form_route.complete_step(
        settings,
        user,
        int(task["id"]),
        version=int(task["version"]) + 1,
        data=data,
        pm=build_runtime(settings).pm,
    )


async def test_errors_name_each_field_and_a_draft_needs_little(settings, org) -> None:
    leader = await as_user(org.leader)
    entered = new_hire(
        org, access_codes="P, QQ", email="ikke-epost", starts="31.12", job_title="", employee_number="12a"
    )
    with pytest.raises(ValidationFailed) as caught:
        await form.save(settings, leader, entered, send=True)
    assert set(caught.value.errors) == {"email", "starts", "job_title", "employee_number", "access_codes"}
    assert entered.email == "ikke-epost"  # what was typed is kept for the page
    draft = await form.save(settings, leader, new_hire(org, job_title="", starts=""))
    assert await state(draft) == "utkast"
    assert not await Task.exists().where(Task.object_id == str(draft))


async def test_only_the_acting_leader_fills_in_the_form(settings, org) -> None:
    with pytest.raises(Forbidden):
        await form.save(settings, await as_user(org.handler), new_hire(org))
    with pytest.raises(Forbidden):
        await form.save(settings, await as_user(org.oko_leader), new_hire(org))
    # The deputy inside the registered absence may.
    form_id = await form.save(settings, await as_user(org.deputy), new_hire(org), send=True)
    assert await state(form_id) == "lonn"


async def test_new_hire_through_the_route_with_a_return(settings, org) -> None:
    leader = await as_user(org.leader)
    form_id = await form.save(settings, leader, new_hire(org), send=True)
    lonn_task = await the_task(form_id, form_kinds.LONN)
    assert lonn_task["receiver_role"] == "lonn"
    assert lonn_task["due"] == form_settings.deadline(today() + timedelta(days=30))
    assert (
        await take_and_complete(settings, org.lonn, form_id, "lonn", StepInput(employee_number="4711"))
        == "ikt"
    )
    # IKT returns it with a question.
    ikt_task = await the_task(form_id, form_kinds.IKT)
    ikt = await as_user(org.ikt)
    with pytest.raises(ValidationFailed):
        await form_route.return_form(
            settings, ikt, int(ikt_task["id"]), version=int(ikt_task["version"]), question=" "
        )
    await form_route.return_form(
        settings, ikt, int(ikt_task["id"]), version=int(ikt_task["version"]), question="Hvilken PC?"
    )
    assert await state(form_id) == "retur"
    question = await the_task(form_id, form_kinds.RETUR)
    assert question["receiver_person"] == org.leader and question["message"] == "Hvilken PC?"
    # The leader corrects and sends again: the route continues at IKT, not at lønn.
    saved = await form.load(form_id)
    await form.save(
        settings,
        leader,
        new_hire(org, job_title="Seniorrådgiver"),
        form_id=form_id,
        version=saved["version"],
        send=True,
    )
    assert await state(form_id) == "ikt"
    assert (await Task.select(Task.state).where(Task.id == question["id"]).first())["state"] == "done"
    with pytest.raises(ValidationFailed):
        await take_and_complete(settings, org.ikt, form_id, "ikt", StepInput())
    assert await take_and_complete(settings, org.ikt, form_id, "ikt", StepInput(user_name="NINNY")) == "arkiv"
    assert await take_and_complete(settings, org.archivist, form_id, "arkiv", StepInput()) == "fullfort"
    done = await form.load(form_id)
    assert done["employee_number"] == "4711"
    person = await Person.select().where(Person.id == done["person"]).first()
    assert (person["name"], person["initials"], person["unit"]) == ("Nina Ny", "NINNY", org.lma)
    from core.archive.tables import Tilgang

    codes = await Tilgang.select(Tilgang.tilgangsrestriksjon).where(Tilgang.person == done["person"])
    assert sorted(c["tilgangsrestriksjon"] for c in codes) == ["F", "P"]
    receipts = await MailMessage.select(MailMessage.idempotency_key).where(
        MailMessage.idempotency_key.like(f"onboarding.kvittering:{form_id}:%")
    )
    assert len(receipts) == 6  # sent, ikt, returned, sent again, arkiv, done


async def test_change_of_unit_moves_the_person(settings, org) -> None:
    leader = await as_user(org.leader)
    entered = forms.Entered(
        kind="endring", unit=str(org.lma), person=str(org.handler), new_unit=str(org.oko), starts=str(today())
    )
    form_id = await form.save(settings, leader, entered, send=True)
    assert (await form.load(form_id))["person_name"] == "Hans Handler"
    await take_and_complete(settings, org.lonn, form_id, "lonn", StepInput(employee_number="12"))
    await take_and_complete(settings, org.ikt, form_id, "ikt", StepInput())
    await take_and_complete(settings, org.archivist, form_id, "arkiv", StepInput())
    moved = await Person.select(Person.unit).where(Person.id == org.handler).first()
    assert moved["unit"] == org.oko


async def test_a_person_of_another_unit_is_refused(settings, org) -> None:
    entered = forms.Entered(kind="avgang", unit=str(org.lma), person=str(org.oko_handler), ends=str(today()))
    with pytest.raises(ValidationFailed) as caught:
        await form.save(settings, await as_user(org.leader), entered, send=True)
    assert "person" in caught.value.errors


async def test_two_members_taking_the_step_one_wins(settings, org) -> None:
    form_id = await form.save(settings, await as_user(org.leader), new_hire(org), send=True)
    task = await the_task(form_id, form_kinds.LONN)
    users = [await as_user(org.lonn), await as_user(org.lonn2)]
    results = await asyncio.gather(
        *(tasks.take_task(settings, u, int(task["id"]), version=int(task["version"])) for u in users),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    winner = users[0] if results[0] is None else users[1]
    loser = users[1] if winner is users[0] else users[0]
    with pytest.raises(Conflict):
        await form_route.complete_step(
            settings,
            loser,
            int(task["id"]),
            version=int(task["version"]) + 1,
            data=StepInput(employee_number="1"),
            pm=build_runtime(settings).pm,
        )
    await form_route.complete_step(
        settings,
        winner,
        int(task["id"]),
        version=int(task["version"]) + 1,
        data=StepInput(employee_number="1"),
        pm=build_runtime(settings).pm,
    )
    assert await state(form_id) == "ikt"


async def test_a_sent_form_cannot_be_changed(settings, org) -> None:
    leader = await as_user(org.leader)
    form_id = await form.save(settings, leader, new_hire(org), send=True)
    with pytest.raises(Conflict):
        await form.save(settings, leader, new_hire(org), form_id=form_id)


def test_the_deadline_setting() -> None:
    assert form_settings.deadline_days({}) == 5
    assert form_settings.deadline_days({"ARKIV_ONBOARDING_FRISTDAGER": "2"}) == 2
    for bad in ("x", "-1", "61"):
        with pytest.raises(ConfigError):
            form_settings.validate({"ARKIV_ONBOARDING_FRISTDAGER": bad})
    assert form_settings.deadline(None) is None
    from plugins.onboarding import hooks

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARKIV_ONBOARDING_FRISTDAGER", "fem")
        with pytest.raises(ConfigError, match="ARKIV_ONBOARDING_FRISTDAGER"):
            hooks.startup()
    assert form_settings.deadline(date(2026, 12, 14)) == date(2026, 12, 7)


async def test_no_identity_number_or_bank_account_is_stored(db) -> None:
    columns = {c._meta.name for c in OnboardingForm._meta.columns}
    assert not any(word in name for name in columns for word in ("fodsels", "personnummer", "konto", "bank"))
    assert PersonRole  # imported for the organisation checks above


async def test_two_members_completing_an_open_step_at_once_move_the_form_once(settings, org) -> None:
    form_id = await form.save(settings, await as_user(org.leader), new_hire(org), send=True)
    task = await the_task(form_id, form_kinds.LONN)
    users = [await as_user(org.lonn), await as_user(org.lonn2)]
    results = await asyncio.gather(
        *(
            form_route.complete_step(
                settings,
                u,
                int(task["id"]),
                version=int(task["version"]),
                data=StepInput(employee_number=str(n)),
                pm=build_runtime(settings).pm,
            )
            for n, u in enumerate(users, start=1)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"]
    assert await state(form_id) == "ikt"
    assert (
        len(await Task.select().where((Task.object_id == str(form_id)) & (Task.kind == form_kinds.IKT))) == 1
    )


async def test_the_receipt_links_to_the_form(settings, org) -> None:
    form_id = await form.save(settings, await as_user(org.leader), new_hire(org), send=True)
    mail = (
        await MailMessage.select()
        .where(MailMessage.idempotency_key.like(f"onboarding.kvittering:{form_id}:%"))
        .first()
    )
    assert f"{settings.public_base_url}/onboarding/skjema/{form_id}" in mail["body_text"]
    assert "Hos Lønningskontoret" in mail["subject"]


async def test_ikt_gives_the_e_mail_the_leader_did_not_know(settings, org) -> None:
    form_id = await form.save(settings, await as_user(org.leader), new_hire(org, email=""), send=True)
    await take_and_complete(settings, org.lonn, form_id, "lonn", StepInput(employee_number="5"))
    with pytest.raises(ValidationFailed) as caught:
        await take_and_complete(settings, org.ikt, form_id, "ikt", StepInput(user_name="NN", email="feil"))
    assert set(caught.value.errors) == {"email"}
    await take_and_complete(
        settings, org.ikt, form_id, "ikt", StepInput(user_name="NN", email="Nina@Kommune.example")
    )
    await take_and_complete(settings, org.archivist, form_id, "arkiv", StepInput())
    person = (
        await Person.select(Person.email).where(Person.id == (await form.load(form_id))["person"]).first()
    )
    assert person["email"] == "nina@kommune.example"
