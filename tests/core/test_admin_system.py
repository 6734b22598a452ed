"""The administrator's system pages: outbox, jobs and plugins (admin role only)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.contributions import Job
from core.hookspecs import hookimpl
from core.jobs import current_slot
from core.mail import enqueue
from core.tables import AuditEvent, JobRun, MailMessage
from core.timeutil import now
from tests.support.factories import csrf, login, make_person, make_unit
from tests.support.smtp import SmtpServer, smtp_server

pytestmark = pytest.mark.anyio

PAGES = ["/admin/utboks", "/admin/jobber", "/admin/jobber/core.send_outbox", "/admin/tillegg"]
ACTIONS = ["/admin/utboks/send", "/admin/jobber/dummy_plugin.tick/kjor"]


async def sign_in_admin(client: Any) -> int:
    admin = await make_person(name="Ada Admin", unit=await make_unit(), roles=("admin",))
    await login(client, admin)
    return admin


def outbox_rows(html: str) -> list[str]:
    """Message ids linked from the outbox table."""
    return re.findall(r'<a href="/admin/utboks/(\d+)">', html)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with smtp_server() as server:
        yield server


@pytest.fixture
async def smtp_client(settings, db, smtp: SmtpServer) -> AsyncIterator[Any]:
    """A client for an app whose SMTP server is the test's aiosmtpd."""
    app = create_app(dataclasses.replace(settings, smtp_host=smtp.host, smtp_port=smtp.port))
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as client:
        client.follow_redirects = False
        yield client


# --- Access -------------------------------------------------------------------------------


async def test_anonymous_users_are_sent_to_sign_in(client) -> None:
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 302, path
        assert response.headers["location"].startswith("/logg-inn?neste=/admin/")


async def test_a_case_handler_gets_403_on_every_system_page_and_action(client) -> None:
    handler = await make_person(unit=await make_unit())
    await login(client, handler)
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 403, path
        assert "Ingen tilgang" in response.text
    for path in ACTIONS:
        assert (await client.post(path, headers=csrf(client))).status_code == 403, path
    assert await JobRun.count() == 0


async def test_an_archive_user_without_admin_gets_403(client) -> None:
    archivist = await make_person(unit=await make_unit(), roles=("arkiv",))
    await login(client, archivist)
    assert (await client.get("/admin/tillegg")).status_code == 403


async def test_an_admin_sees_every_page_and_the_admin_menu(client) -> None:
    await sign_in_admin(client)
    for path in PAGES:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in response.text  # strict CSP: no inline script or style
        assert " style=" not in response.text
    menu = (await client.get("/admin/tillegg")).text
    for href in ("/admin/utboks", "/admin/jobber", "/admin/tillegg"):
        assert f'href="{href}"' in menu


async def test_actions_need_the_csrf_token(client) -> None:
    await sign_in_admin(client)
    for path in ACTIONS:
        assert (await client.post(path)).status_code == 403, path
    assert await JobRun.count() == 0


# --- Utboks -------------------------------------------------------------------------------


async def test_outbox_lists_messages_with_status_filter_and_paging(client) -> None:
    await sign_in_admin(client)
    created = now() - timedelta(hours=1)
    await MailMessage.insert(
        *[
            MailMessage(
                idempotency_key=f"liste:{n}",
                to_address=f"p{n}@kommune.example",
                to_name=f"Person {n}",
                subject=f"Emne {n:03d}",
                body_text="x",
                status="failed" if n % 10 == 0 else "queued",
                attempts=5 if n % 10 == 0 else 0,
                last_error="SMTPConnectError: nede" if n % 10 == 0 else "",
                created_at=created,
            )
            for n in range(1, 121)
        ]
    )

    first = await client.get("/admin/utboks")
    assert first.status_code == 200
    assert len(outbox_rows(first.text)) == 50
    assert "Emne 120" in first.text  # newest first
    assert "Side 1 av 3" in first.text
    assert 'href="/admin/utboks?side=2"' in first.text
    for heading in ("Mottaker", "Emne", "Status", "Opprettet", "Sendt", "Forsøk", "Siste feil"):
        assert f">{heading}</th>" in first.text
    assert "p120@kommune.example" in first.text

    last = await client.get("/admin/utboks", params={"side": 3})
    assert len(outbox_rows(last.text)) == 20
    assert "Emne 001" in last.text
    beyond = await client.get("/admin/utboks", params={"side": 99})
    assert "Side 3 av 3" in beyond.text

    failed = await client.get("/admin/utboks", params={"status": "failed"})
    assert len(outbox_rows(failed.text)) == 12
    assert "SMTPConnectError: nede" in failed.text
    assert "Emne 001" not in failed.text
    assert '<option value="failed" selected>Feilet (12)</option>' in failed.text
    assert "Side" not in failed.text.split("</table>")[1]  # one page: no paging links

    unknown = await client.get("/admin/utboks", params={"status": "tull"})
    assert len(outbox_rows(unknown.text)) == 50  # an unknown filter shows everything


async def test_outbox_says_mail_stays_when_smtp_is_not_configured(client) -> None:
    await sign_in_admin(client)
    page = await client.get("/admin/utboks")
    assert 'id="smtp-mangler"' in page.text
    assert "blir liggende her i utboksen" in page.text
    assert "Ingen e-post her." in page.text


async def test_message_page_shows_the_text(client) -> None:
    await sign_in_admin(client)
    await enqueue(
        key="detalj",
        to_address="ase@kommune.example",
        to_name="Åse Ærø",
        subject="Påminnelse om restanse",
        body_text="Hei Åse!\nDu har 3 journalposter som venter.\n<b>ikke html</b>",
        source="restanse",
    )
    message_id = (await MailMessage.select(MailMessage.id).first())["id"]  # type: ignore[index]
    page = await client.get(f"/admin/utboks/{message_id}")
    assert page.status_code == 200
    assert "<h1>Påminnelse om restanse</h1>" in page.text
    assert "Hei Åse!\nDu har 3 journalposter som venter." in page.text
    assert "&lt;b&gt;ikke html&lt;/b&gt;" in page.text  # escaped, never rendered
    assert "Åse Ærø &lt;ase@kommune.example&gt;" in page.text
    assert "restanse" in page.text
    assert "Legg i kø på nytt" not in page.text  # only for failed or stuck mail
    assert (await client.get("/admin/utboks/999999")).status_code == 404


async def test_send_now_sends_the_outbox_and_flashes_the_summary(smtp_client, smtp) -> None:
    admin = await sign_in_admin(smtp_client)
    await enqueue(key="send-naa", to_address="a@kommune.example", subject="Send nå æøå", body_text="Hei")

    response = await smtp_client.post("/admin/utboks/send", headers=csrf(smtp_client))
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/utboks"
    assert [m["Subject"] for m in smtp.messages] == ["Send nå æøå"]

    page = await smtp_client.get("/admin/utboks")
    assert "Utboksen er sendt: sendt 1, feilet 0, utsatt 0." in page.text
    assert 'id="smtp-mangler"' not in page.text
    assert "Sendt (1)" in page.text
    event = await AuditEvent.select().where(AuditEvent.action == "mail.outbox_sent").first()
    assert event is not None
    assert event["actor"] == admin
    # Shown once only.
    assert "Utboksen er sendt" not in (await smtp_client.get("/admin/utboks")).text


async def test_send_now_without_smtp_explains_that_mail_stays(client) -> None:
    await sign_in_admin(client)
    await enqueue(key="venter", to_address="a@kommune.example", subject="Venter", body_text="x")
    assert (await client.post("/admin/utboks/send", headers=csrf(client))).status_code == 303
    page = await client.get("/admin/utboks")
    assert "message--warning" in page.text
    assert "SMTP er ikke satt opp; e-post blir liggende i utboksen" in page.text
    assert (await MailMessage.select(MailMessage.status).first()) == {"status": "queued"}


async def test_a_failed_message_can_be_queued_again_from_its_page(smtp_client, smtp) -> None:
    admin = await sign_in_admin(smtp_client)
    await enqueue(key="feilet", to_address="a@kommune.example", subject="Feilet", body_text="x")
    await MailMessage.update({MailMessage.status: "failed", MailMessage.attempts: 5}).where(
        MailMessage.idempotency_key == "feilet"
    )
    message_id = (await MailMessage.select(MailMessage.id).first())["id"]  # type: ignore[index]
    page = await smtp_client.get(f"/admin/utboks/{message_id}")
    assert f'action="/admin/utboks/{message_id}/legg-i-ko"' in page.text

    response = await smtp_client.post(f"/admin/utboks/{message_id}/legg-i-ko", headers=csrf(smtp_client))
    assert response.status_code == 303
    row = await MailMessage.select(MailMessage.status, MailMessage.attempts).first()
    assert row == {"status": "queued", "attempts": 0}
    assert "E-posten er lagt i kø på nytt" in (await smtp_client.get(f"/admin/utboks/{message_id}")).text
    event = await AuditEvent.select().where(AuditEvent.action == "mail.requeued").first()
    assert event is not None
    assert (event["actor"], event["object_id"]) == (admin, str(message_id))

    await smtp_client.post("/admin/utboks/send", headers=csrf(smtp_client))
    assert [m["Subject"] for m in smtp.messages] == ["Feilet"]


# --- Jobber -------------------------------------------------------------------------------


async def test_jobs_page_lists_every_job_with_schedule_description_and_last_runs(client) -> None:
    await sign_in_admin(client)
    slot = now().replace(second=0, microsecond=0) - timedelta(minutes=10)
    await JobRun.insert(
        JobRun(
            job="core.purge_sessions",
            slot=slot,
            status="failed",
            started_at=slot,
            finished_at=slot,
            runner="vert:1",
            message="OperationalError: låst",
        ),
        *[
            JobRun(
                job="core.send_outbox",
                slot=slot - timedelta(minutes=n),
                status="ok",
                started_at=slot,
                finished_at=slot,
                runner="vert:1",
                message=f"sendt {n}, feilet 0, utsatt 0",
            )
            for n in range(8)
        ],
    )
    page = await client.get("/admin/jobber")
    assert page.status_code == 200
    for name, schedule, description in [
        ("core.send_outbox", "* * * * *", "Sender e-post fra utboksen"),
        ("core.purge_sessions", "17 * * * *", "Sletter utløpte økter"),
        ("dummy_plugin.tick", "*/5 * * * *", "Testjobb"),
    ]:
        assert f"<code>{name}</code>" in page.text
        assert f"<code>{schedule}</code>" in page.text
        assert description in page.text
        assert f'action="/admin/jobber/{name}/kjor"' in page.text
    assert "OperationalError: låst" in page.text
    assert "sendt 4, feilet 0" in page.text
    assert "sendt 5, feilet 0" not in page.text  # the five latest runs only
    assert "Jobben har ikke kjørt ennå." in page.text  # dummy_plugin.tick
    assert '<span class="status status--error">Feilet</span>' in page.text


async def test_run_now_runs_the_job_for_this_minute_and_audits_it(client) -> None:
    admin = await sign_in_admin(client)
    from tests.dummy_plugin.hooks import JOB_CALLS

    JOB_CALLS.clear()
    response = await client.post("/admin/jobber/dummy_plugin.tick/kjor", headers=csrf(client))
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/jobber"
    assert len(JOB_CALLS) == 1
    run = await JobRun.select().where(JobRun.job == "dummy_plugin.tick").first()
    assert run is not None
    assert (run["status"], run["message"]) == ("ok", "kjørt")
    event = await AuditEvent.select().where(AuditEvent.action == "job.run_manually").first()
    assert event is not None
    assert (event["actor"], event["object_type"], event["object_id"]) == (admin, "job", "dummy_plugin.tick")
    page = await client.get("/admin/jobber")
    assert "Jobben dummy_plugin.tick er kjørt: kjørt" in page.text
    assert '<span class="status status--ok">OK</span>' in page.text


async def test_run_now_skips_a_slot_that_already_ran(client) -> None:
    await sign_in_admin(client)
    slot = current_slot()
    # The scheduler already took this minute and the next (so the test holds across a minute).
    await JobRun.insert(
        *[
            JobRun(
                job="dummy_plugin.tick", slot=s, status="ok", started_at=s, finished_at=s, runner="planlegger"
            )
            for s in (slot, slot + timedelta(minutes=1))
        ]
    )
    response = await client.post("/admin/jobber/dummy_plugin.tick/kjor", headers=csrf(client))
    assert response.status_code == 303
    assert await JobRun.count() == 2
    page = await client.get("/admin/jobber")
    assert "er allerede kjørt for dette minuttet" in page.text
    assert "message--warning" in page.text


async def test_run_now_reports_a_failing_job(client) -> None:
    await sign_in_admin(client)

    async def broken(ctx: Any) -> str:
        raise RuntimeError("noe gikk galt")

    class BrokenJobs:
        @hookimpl
        def register_jobs(self) -> list[Job]:
            return [Job("test.broken", "0 3 * * *", broken, "Feiler alltid")]

    client.app.state["runtime"].pm.register(BrokenJobs(), "test_broken")
    response = await client.post("/admin/jobber/test.broken/kjor", headers=csrf(client))
    assert response.status_code == 303
    page = await client.get("/admin/jobber")
    assert "Jobben test.broken feilet: RuntimeError: noe gikk galt" in page.text
    assert "message--error" in page.text
    assert (await JobRun.select(JobRun.status).first()) == {"status": "failed"}


async def test_unknown_jobs_are_404(client) -> None:
    await sign_in_admin(client)
    assert (await client.get("/admin/jobber/finnes.ikke")).status_code == 404
    assert (await client.post("/admin/jobber/finnes.ikke/kjor", headers=csrf(client))).status_code == 404


async def test_job_page_pages_the_run_history(client) -> None:
    await sign_in_admin(client)
    start = now().replace(second=0, microsecond=0)
    await JobRun.insert(
        *[
            JobRun(
                job="core.send_outbox",
                slot=start - timedelta(minutes=n),
                status="ok",
                started_at=start,
                runner="vert:1",
                message=f"kjøring {n:02d}",
            )
            for n in range(60)
        ]
    )
    first = await client.get("/admin/jobber/core.send_outbox")
    assert first.status_code == 200
    assert first.text.count("kjøring ") == 50
    assert "kjøring 00" in first.text
    assert "Side 1 av 2" in first.text
    assert "Neste kjøring" in first.text
    second = await client.get("/admin/jobber/core.send_outbox", params={"side": 2})
    assert second.text.count("kjøring ") == 10
    assert "kjøring 59" in second.text


# --- Tillegg ------------------------------------------------------------------------------


async def test_plugins_page_shows_every_plugin_its_hooks_and_all_permissions(client) -> None:
    await sign_in_admin(client)
    page = await client.get("/admin/tillegg")
    assert page.status_code == 200
    text = page.text
    for name in ("fordeling", "restanse", "godkjenning", "onboarding", "dummy_plugin"):
        assert f'id="tillegg-{name}"' in text
    dummy = text.split('id="tillegg-dummy_plugin"', 1)[1].split("</section>", 1)[0]
    assert "Testtillegg" in dummy
    assert "Brukes bare i testene." in dummy
    assert "<code>tests.dummy_plugin</code>" in dummy
    for hook in (
        "register_routes",
        "menu_links",
        "register_jobs",
        "handle_event",
        "template_dirs",
        "demo_data",
    ):
        assert f"<code>{hook}</code>" in dummy
    assert "<code>tests/dummy_plugin/templates</code>" in dummy
    assert "<code>tests/dummy_plugin/static</code>" in dummy
    assert "<code>tests.dummy_plugin.piccolo_app</code>" in dummy
    assert 'href="/admin/jobber/dummy_plugin.tick"' in dummy
    for permission, description in [
        ("dummy_plugin.view", "Se testtillegget"),
        ("core.admin", "Vedlikeholde enheter, personer, ledere og stedfortredere"),
        ("core.audit", "Se og eksportere hendelsesloggen"),
    ]:
        assert f"<code>{permission}</code>" in text
        assert description in text
