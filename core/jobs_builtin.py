"""Core's own jobs: send the outbox, purge expired sessions, remind about waiting tasks,
remove files no document version references."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from core.archive.filestore import FileStore, unreferenced
from core.archive.tables import Dokumentobjekt
from core.i18n import _
from core.mail import send_pending
from core.sessions import DatabaseStore
from core.tasks import reminders
from core.timeutil import OSLO

if TYPE_CHECKING:
    from core.jobs import JobContext

log = logging.getLogger(__name__)


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


async def purge_files(ctx: JobContext) -> str:
    """Remove files of the file store that no document version references, and staged
    uploads left behind, once unchanged for ``ARKIV_FILE_GRACE_HOURS`` (a form kept with errors,
    a transaction that failed after its file was moved in, a process killed mid-upload).
    Each removed file is logged; the run's message counts them."""
    settings = ctx.runtime.settings
    store = FileStore.from_settings(settings)
    referenced = {str(r["sjekksum"]) for r in await Dokumentobjekt.select(Dokumentobjekt.sjekksum)}
    older_than = time.time() - settings.file_grace_hours * 3600
    found = await asyncio.to_thread(unreferenced, store, referenced, older_than)
    removed, size = 0, 0
    for path, bytes_ in found:
        try:
            await asyncio.to_thread(Path.unlink, path)
        except FileNotFoundError:
            continue
        log.info("Slettet %s (%d byte): ingen dokumentversjon viser til filen", path, bytes_)
        removed, size = removed + 1, size + bytes_
    return _("slettet %(count)s filer (%(bytes)s byte) som ingen dokumentversjon viser til") % {
        "count": removed,
        "bytes": size,
    }
