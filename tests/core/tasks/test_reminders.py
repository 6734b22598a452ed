"""The reminder run (job ``core.task_reminders``): a waiting task reminds its receiver once a
day after ``reminder_days`` working days, and tells the receiver's acting leader after
``escalation_days``; never twice a day, nothing on weekends and public holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from core import roles
from core.jobs import run_job
from core.runtime import build_runtime
from core.tables import MailMessage
from core.tasks import reminders, services
from core.tasks.tables import Task
from core.timeutil import OSLO
from core.workdays import working_days_before
from tests.core.tasks.org import make_org, task_to
from tests.support.factories import make_deputy

pytestmark = pytest.mark.anyio

DAY = date(2027, 3, 10)
"""A Wednesday with no holiday near it."""


async def created_on(task_id: int, day: date) -> None:
    await Task.update({Task.created: datetime.combine(day, time(10), tzinfo=OSLO)}).where(Task.id == task_id)


async def waiting(settings, working_days: int, **kwargs) -> int:
    """A task created ``working_days`` working days before :data:`DAY`."""
    task_id = await task_to(settings, **kwargs)
    await created_on(task_id, working_days_before(DAY, working_days))
    return task_id


async def keys(prefix: str) -> list[str]:
    rows = await MailMessage.select(MailMessage.idempotency_key).where(
        MailMessage.idempotency_key.like(f"{prefix}%")
    )
    return sorted(r["idempotency_key"] for r in rows)


async def mail_to(key: str) -> dict:
    row = await MailMessage.select().where(MailMessage.idempotency_key == key).first()
    assert row is not None, key
    return row


def kinds(settings):
    return build_runtime(settings).task_kinds


async def test_a_reminder_after_the_limit_once_a_day(settings, db) -> None:
    org = await make_org()
    late = await waiting(settings, 3, person=org.handler, sender=org.leader, title="Sein")
    fresh = await waiting(settings, 2, person=org.handler, sender=org.leader, title="Fersk")
    first = await reminders.run(settings, kinds(settings), DAY)
    assert (first.reminded, first.escalated, first.mails) == (1, 0, 1)
    assert await keys("task.reminder") == [f"task.reminder:{late}:{DAY.isoformat()}"]
    mail = await mail_to(f"task.reminder:{late}:{DAY.isoformat()}")
    assert mail["subject"] == "Påminnelse: Sein"
    assert "Denne oppgaven har ventet på deg siden" in mail["body_text"]
    assert (await Task.select(Task.reminded_on).where(Task.id == late).first())["reminded_on"] == DAY

    again = await reminders.run(settings, kinds(settings), DAY)
    assert (again.reminded, again.mails) == (0, 0)
    assert len(await keys("task.reminder")) == 1

    thursday = DAY + timedelta(days=1)
    next_day = await reminders.run(settings, kinds(settings), thursday)
    assert next_day.reminded == 2  # the late one again, and now the fresh one
    assert f"task.reminder:{fresh}:{thursday.isoformat()}" in await keys("task.reminder")


async def test_escalation_after_the_second_limit_to_the_receivers_acting_leader(settings, db) -> None:
    org = await make_org()
    handlers = await waiting(settings, 6, person=org.handler, sender=org.kari, title="Hans sin")
    leaders = await waiting(settings, 6, person=org.leader, sender=org.kari, title="Lise sin")
    only_reminded = await waiting(settings, 4, person=org.kari, sender=org.handler, title="Kari sin")
    result = await reminders.run(settings, kinds(settings), DAY)
    assert (result.reminded, result.escalated) == (3, 2)
    assert await keys("task.escalation") == sorted(
        [f"task.escalation:{handlers}:{DAY.isoformat()}", f"task.escalation:{leaders}:{DAY.isoformat()}"]
    )
    to_lise = await mail_to(f"task.escalation:{handlers}:{DAY.isoformat()}")
    assert to_lise["to_name"] == "Lise Leder"
    assert to_lise["subject"] == "Oppgave venter hos Hans Handler: Hans sin"
    assert "Du får denne e-posten som leder for LMA Landbruk og miljø." in to_lise["body_text"]
    assert "/oppgaver/" not in to_lise["body_text"]  # no link: the leader may not open it
    # The leader's own task goes to the leader above her.
    assert (await mail_to(f"task.escalation:{leaders}:{DAY.isoformat()}"))["to_name"] == "Rita Rådmann"
    assert f"task.escalation:{only_reminded}" not in "".join(await keys("task.escalation"))

    again = await reminders.run(settings, kinds(settings), DAY)
    assert (again.reminded, again.escalated, again.mails) == (0, 0, 0)


async def test_while_the_leader_is_away_her_deputy_is_told(settings, db) -> None:
    org = await make_org()
    await make_deputy(org.lma, org.leader, org.deputy, DAY - timedelta(days=2), DAY + timedelta(days=2))
    handlers = await waiting(settings, 6, person=org.handler, sender=org.kari, title="Hans sin")
    leaders = await waiting(settings, 3, person=org.leader, sender=org.kari, title="Til Lise")
    await reminders.run(settings, kinds(settings), DAY)
    escalation = await mail_to(f"task.escalation:{handlers}:{DAY.isoformat()}")
    assert escalation["to_name"] == "Stian Stedfortreder"
    assert "som stedfortreder for Lise Leder, leder for LMA Landbruk og miljø" in escalation["body_text"]
    # The reminder about Lise's own task reaches her deputy as well.
    assert await keys(f"task.reminder:{leaders}:") == [
        f"task.reminder:{leaders}:{DAY.isoformat()}",
        f"task.reminder:{leaders}:{DAY.isoformat()}:{org.deputy}",
    ]
    deputy_mail = await mail_to(f"task.reminder:{leaders}:{DAY.isoformat()}:{org.deputy}")
    assert "Du får påminnelsen som stedfortreder." in deputy_mail["body_text"]


async def test_a_role_task_reminds_every_member_and_escalates_to_nobody(settings, db) -> None:
    org = await make_org()
    task_id = await waiting(settings, 8, role=roles.LONN, sender=org.handler, title="Lønn")
    result = await reminders.run(settings, kinds(settings), DAY)
    assert (result.reminded, result.escalated, result.mails) == (1, 0, 2)
    assert await keys("task.reminder") == sorted(
        f"task.reminder:{task_id}:{DAY.isoformat()}:{person}" for person in (org.payroll, org.payroll2)
    )


async def test_done_and_withdrawn_tasks_are_left_alone(settings, db) -> None:
    org = await make_org()
    done = await waiting(settings, 8, person=org.handler, sender=org.leader)
    withdrawn = await waiting(settings, 8, person=org.handler, sender=org.leader)
    await services.complete_task(settings, await org.user(org.handler), done, version=1, outcome="ferdig")
    await services.withdraw_task(settings, await org.user(org.leader), withdrawn, version=1, reason="Feil")
    result = await reminders.run(settings, kinds(settings), DAY)
    assert (result.reminded, result.escalated, result.mails) == (0, 0, 0)


@pytest.mark.parametrize("day", [date(2027, 3, 13), date(2027, 3, 14), date(2027, 5, 17), date(2027, 3, 25)])
async def test_nothing_on_weekends_and_public_holidays(settings, db, day) -> None:
    org = await make_org()
    task_id = await task_to(settings, person=org.handler, sender=org.leader)
    await created_on(task_id, day - timedelta(days=30))
    result = await reminders.run(settings, kinds(settings), day)
    assert not result.working_day
    assert str(result) == "Ingen påminnelser: i dag er ikke en arbeidsdag"
    assert await MailMessage.count().where(MailMessage.idempotency_key.like("task.reminder%")) == 0


async def test_a_kind_sets_its_own_limits(settings, db) -> None:
    org = await make_org()
    # dummy_plugin.check: reminder after 1 working day, escalation after 3.
    own = await waiting(settings, 2, person=org.handler, sender=org.leader, kind="dummy_plugin.check")
    plain = await waiting(settings, 2, person=org.handler, sender=org.leader)
    escalated = await waiting(settings, 4, person=org.handler, sender=org.leader, kind="dummy_plugin.check")
    result = await reminders.run(settings, kinds(settings), DAY)
    assert (result.reminded, result.escalated) == (2, 1)
    assert f"task.reminder:{plain}:{DAY.isoformat()}" not in await keys("task.reminder")
    assert f"task.reminder:{own}:{DAY.isoformat()}" in await keys("task.reminder")
    assert await keys("task.escalation") == [f"task.escalation:{escalated}:{DAY.isoformat()}"]


async def test_the_job_runs_on_weekdays_at_seven(settings, db) -> None:
    org = await make_org()
    await waiting(settings, 3, person=org.handler, sender=org.leader)
    runtime = build_runtime(settings)
    job = runtime.job("core.task_reminders")
    assert job is not None and job.schedule == "0 7 * * 1-5"
    result = await run_job(runtime, job, datetime.combine(DAY, time(7), tzinfo=OSLO))
    assert (result.status, result.message) == ("ok", "1 oppgaver purret, 0 meldt til leder (1 e-poster)")


def test_limits_fall_back_to_the_settings(settings) -> None:
    from core.contributions import TaskKind

    assert reminders.limits(settings, None) == (2, 5)
    assert reminders.limits(settings, TaskKind("x.y", "X", reminder_days=1)) == (1, 5)
    assert reminders.limits(settings, TaskKind("x.y", "X", reminder_days=7)) == (7, 7)
