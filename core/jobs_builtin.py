"""Core's own jobs: send the outbox, purge expired sessions, remind about waiting tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.i18n import _
from core.mail import send_pending
from core.sessions import DatabaseStore
from core.tasks import reminders
from core.timeutil import OSLO

if TYPE_CHECKING:
    from core.jobs import JobContext


async def send_outbox(ctx: JobContext) -> str:
    return str(await send_pending(ctx.runtime.settings))


async def purge_sessions(ctx: JobContext) -> str:
    if ctx.runtime.settings.redis_url:
        return _("Redis sletter utløpte økter selv")
    return _("slettet %(count)s utløpte økter") % {"count": await DatabaseStore().delete_expired()}


async def task_reminders(ctx: JobContext) -> str:
    """Remind receivers of tasks that have waited too long, and tell their leaders after a
    while (:mod:`core.tasks.reminders`); the slot's date (Oslo) is the day."""
    day = ctx.slot.astimezone(OSLO).date()
    return str(await reminders.run(ctx.runtime.settings, ctx.runtime.task_kinds, day))
