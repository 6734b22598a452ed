"""The monthly job: it prepares the draft on the first weekday of the month, tells the archive
service once, never replaces a draft someone made, and never prepares a month twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.jobs import run_job, slots_between
from core.runtime import build_runtime
from core.settings import Settings
from core.tables import AuditEvent, MailMessage, Person
from core.timeutil import OSLO, months_back
from plugins.restanse import forms, jobs
from plugins.restanse.services import mailing
from plugins.restanse.tables import MailItem, MailRun
from tests.support.factories import as_user, make_archivist
from tests.support.restanse_builders import make_org, make_restanse

pytestmark = pytest.mark.anyio


def slot(day: date, hour: int = 7) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=OSLO).astimezone(UTC)


def job(settings: Settings):
    runtime = build_runtime(settings)
    found = runtime.job(jobs.DRAFT_JOB)
    assert found is not None and found.schedule == "0 7 1-7 * *"
    return runtime, found


async def outbox() -> list[dict]:
    return await MailMessage.select().order_by(MailMessage.id)


# 2026-11-01 is a Sunday, 2026-11-02 a Monday; 2026-12-01 a Tuesday.
SUNDAY = date(2026, 11, 1)
MONDAY = date(2026, 11, 2)


async def test_schedule_is_seven_oclock_on_the_first_seven_days() -> None:
    runtime = build_runtime(Settings())
    found = runtime.job(jobs.DRAFT_JOB)
    assert found is not None
    slots = slots_between(found, slot(date(2026, 10, 31), 8), slot(date(2026, 12, 1), 8))
    assert [s.astimezone(OSLO).date().day for s in slots] == [1, 2, 3, 4, 5, 6, 7, 1]
    assert {s.astimezone(OSLO).hour for s in slots} == {7}


async def test_prepares_the_draft_on_the_first_weekday_and_tells_the_archive_once(
    settings: Settings, db: None
) -> None:
    org = await make_org()
    liv = await make_archivist(name="Liv Arkiv")
    await Person.update({Person.language: "nn"}).where(Person.id == liv)
    for _ in range(30):
        await make_restanse(org.unit, org.handler, journaldato=date(2026, 10, 20))
    runtime, draft_job = job(settings)

    weekend = await run_job(runtime, draft_job, slot(SUNDAY))
    assert weekend.status == "ok" and "helgedag" in weekend.message
    assert await MailRun.count() == 0

    first = await run_job(runtime, draft_job, slot(MONDAY))
    assert first.status == "ok", first.message
    run = await MailRun.select().first()
    assert run["maaned"] == "2026-11"
    assert (run["rapportdato"], run["sammenligningsdato"]) == (MONDAY, months_back(MONDAY))
    assert run["frist"] == MONDAY + timedelta(days=14)
    assert (run["status"], run["forberedt_av"], run["terskel"]) == ("utkast", None, 30)
    kinds = {(r["kind"], r["person"]) for r in await MailItem.select()}
    assert kinds == {("saksbehandler", org.handler), ("leder", org.leader), ("leder", org.other_leader)}
    assert "1 til saksbehandlere, 2 til ledere; 2 i Arkiv varslet" in first.message

    messages = await outbox()
    assert sorted(m["to_address"] for m in messages) == sorted(
        ["unni@kommune.example", (await Person.select(Person.email).where(Person.id == liv).first())["email"]]
    )
    unni = next(m for m in messages if m["to_address"] == "unni@kommune.example")
    assert unni["idempotency_key"] == f"restanse.monthly_draft:2026-11:{org.archive}"
    assert unni["subject"] == "Restanse-e-postene for november 2026 er klare til gjennomsyn"
    assert f"{settings.public_base_url}/restanse/utsending/{run['id']}" in unni["body_text"]
    assert "E-poster til saksbehandlere: 1\nE-poster til ledere: 2" in unni["body_text"]
    liv_mail = next(m for m in messages if m is not unni)
    assert liv_mail["body_text"].endswith("Helsing Arkivrutiner")  # her language (nynorsk)
    [event] = await AuditEvent.select().where(AuditEvent.action == "restanse.mails_prepared")
    assert event["actor"] is None

    # The next days of the month: nothing new (the month has its draft).
    for later in (MONDAY + timedelta(days=1), MONDAY + timedelta(days=4)):
        again = await run_job(runtime, draft_job, slot(later))
        assert again.status == "ok" and "allerede forberedt" in again.message
    assert await MailRun.count() == 1
    assert len(await outbox()) == 2
    assert await AuditEvent.count().where(AuditEvent.action == "restanse.mails_prepared") == 1

    # Next month is a new month (1 December 2026 is a Tuesday).
    december = await run_job(runtime, draft_job, slot(date(2026, 12, 1)))
    assert december.status == "ok", december.message
    assert sorted(r["maaned"] for r in await MailRun.select(MailRun.maaned)) == ["2026-11", "2026-12"]
    assert len(await outbox()) == 4


async def test_never_replaces_a_draft_the_archive_made_or_a_sent_month(settings: Settings, db: None) -> None:
    org = await make_org()
    archive = await as_user(org.archive)
    runtime, draft_job = job(settings)
    # The archive prepared this month by hand before the job ran (with its own deadline).
    prepared = await mailing.prepare_draft(
        settings,
        forms.MailDates(MONDAY, date(2026, 10, 2), date(2026, 11, 30)),
        terskel=5,
        actor_id=archive.person_id,
    )
    assert prepared is not None
    result = await run_job(runtime, draft_job, slot(MONDAY))
    assert "allerede forberedt" in result.message
    run = await MailRun.select().first()
    assert (run["frist"], run["terskel"], run["forberedt_av"], run["version"]) == (
        date(2026, 11, 30),
        5,
        org.archive,
        1,
    )
    assert await outbox() == []
    # And only_new is atomic: a draft made between the check and the insert is left alone.
    assert (
        await mailing.prepare_draft(settings, forms.default_mail_dates(MONDAY), actor_id=None, only_new=True)
        is None
    )
    assert (await MailRun.select(MailRun.version).first())["version"] == 1


async def test_no_mail_to_archive_people_without_address(settings: Settings, db: None) -> None:
    org = await make_org()
    await Person.update({Person.email: ""}).where(Person.id == org.archive)
    runtime, draft_job = job(settings)
    result = await run_job(runtime, draft_job, slot(MONDAY))
    assert result.status == "ok", result.message
    assert "0 i Arkiv varslet" in result.message
    assert await outbox() == []
    assert await MailRun.count() == 1
