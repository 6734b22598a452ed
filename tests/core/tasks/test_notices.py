"""The mails about tasks, through a real local SMTP server (aiosmtpd) and ``core.send_outbox``:
exactly one mail per new task to each person it goes to, in that person's language, with the
safe title only (never a restricted record's real title)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import date

import pytest

from core import roles
from core.jobs import current_slot, run_job
from core.mail import send_pending
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import Person, PersonRole
from core.tasks import services
from tests.core.tasks.org import make_org, task_to
from tests.support.factories import make_case, make_post
from tests.support.smtp import SmtpServer, smtp_server

pytestmark = pytest.mark.anyio

REAL_TITLE = "Bekymringsmelding om Ola Nordmann (10 år)"
PUBLIC_TITLE = "Bekymringsmelding"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


def with_smtp(settings: Settings, port: int) -> Settings:
    return dataclasses.replace(settings, smtp_host="127.0.0.1", smtp_port=port)


async def send_outbox(settings: Settings) -> str | None:
    """Run core's ``core.send_outbox`` job once, as the scheduler would."""
    runtime = build_runtime(settings)
    job = runtime.job("core.send_outbox")
    assert job is not None
    result = await run_job(runtime, job, current_slot())
    assert result.status == "ok", result.message
    return result.message


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


async def test_one_mail_per_new_task_in_the_receivers_language_without_the_restricted_title(
    settings, db, smtp
) -> None:
    org = await make_org()
    await Person.update({Person.language: "nn"}).where(Person.id == org.handler)
    case = await make_case(unit=org.lma, tilgangsrestriksjon="13")
    post = await make_post(case, REAL_TITLE, offentlig_tittel=PUBLIC_TITLE, tilgangsrestriksjon="13")
    task_id = await task_to(
        settings,
        person=org.handler,
        sender=org.leader,
        title=PUBLIC_TITLE,  # the creator passes the public title of the restricted post
        object_id=post,
        due=date(2026, 12, 24),
        message="Sjå på dette før jul.",
    )
    configured = with_smtp(settings, smtp.port)
    await send_outbox(configured)

    [received] = smtp.received
    handler_email = (await Person.select(Person.email).where(Person.id == org.handler).first())["email"]
    assert received.rcpt_tos == [handler_email]
    message = received.message
    assert message["Subject"] == f"Ny oppgåve: {PUBLIC_TITLE}"
    body = text_of(message)
    assert "Hei, Hans Handler." in body
    assert "Du har fått ei ny oppgåve frå Lise Leder." in body
    assert "Frist: 24.12.2026" in body
    assert "Sjå på dette før jul." in body
    assert f"{settings.public_base_url}/oppgaver/{task_id}" in body
    assert "Ola Nordmann" not in body and "Ola Nordmann" not in message["Subject"]

    # The outbox is sent again: nothing more goes out.
    assert (await send_pending(configured)).sent == 0
    assert len(smtp.received) == 1


async def test_a_role_task_mails_each_active_member_once_in_their_language(settings, db, smtp) -> None:
    org = await make_org()
    await Person.update({Person.language: "nn"}).where(Person.id == org.payroll2)
    gone = await Person.insert(
        Person(name="Lotte Sluttet", initials="LS", email="ls@kommune.example", active=False)
    ).returning(Person.id)
    await PersonRole(person=gone[0]["id"], role=roles.LONN).save()
    task_id = await task_to(settings, role=roles.LONN, sender=None, title="Ny ansatt: Per Persen")
    await send_outbox(with_smtp(settings, smtp.port))

    counted = Counter(address for r in smtp.received for address in r.rcpt_tos)
    assert sorted(counted.values()) == [1, 1]
    assert "ls@kommune.example" not in counted
    subjects = sorted(r.message["Subject"] for r in smtp.received)
    assert subjects == ["Ny oppgave: Ny ansatt: Per Persen", "Ny oppgåve: Ny ansatt: Per Persen"]
    bodies = [text_of(r.message) for r in smtp.received]
    assert any("Lønningskontoret har fått en ny oppgave fra Arkivrutiner." in b for b in bodies)
    assert all(f"/oppgaver/{task_id}" in b for b in bodies)


async def test_a_task_to_an_absent_leader_mails_her_deputy_too(settings, db, smtp) -> None:
    org = await make_org()
    await task_to(settings, person=org.leader, sender=org.handler, title="Godkjenn svarbrevet")
    await send_outbox(with_smtp(settings, smtp.port))
    by_name = {r.message["To"].split(" <")[0]: text_of(r.message) for r in smtp.received}
    assert sorted(by_name) == ["Lise Leder", "Stian Stedfortreder"]
    assert "Du har fått en ny oppgave fra Hans Handler." in by_name["Lise Leder"]
    assert (
        "Du får denne e-posten som stedfortreder for Lise Leder, som har fått en ny oppgave fra Hans Handler."
        in by_name["Stian Stedfortreder"]
    )


async def test_a_reassigned_task_mails_its_new_receiver(settings, db, smtp) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    await services.reassign_task(settings, await org.user(org.archivist), task_id, org.kari, version=1)
    await send_outbox(with_smtp(settings, smtp.port))
    names = sorted(r.message["To"].split(" <")[0] for r in smtp.received)
    assert names == ["Hans Handler", "Kari Nordmann"]
    kari = next(r for r in smtp.received if "Kari" in r.message["To"])
    assert "Fellestjenesten/Arkiv har gitt deg en oppgave fra Lise Leder." in text_of(kari.message)
