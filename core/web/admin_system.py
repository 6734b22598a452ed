"""System pages for administrators: the outbox, the jobs and the plugins.

``/admin/utboks`` shows every e-mail with its status and can send the queue now;
``/admin/jobber`` shows every job's schedule and latest runs and can run a job now;
``/admin/tillegg`` shows every plugin with the hooks it implements, and every permission.
Only users with the admin role get in; actions are recorded in the audit log.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from litestar import get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from piccolo.query.functions.aggregate import Count

from core import audit
from core.contributions import Job
from core.i18n import _
from core.jobs import current_slot, next_slot, run_job, validate_schedule
from core.mail import STATUSES, requeue, send_pending
from core.plugins import hooks_implemented
from core.tables import JobRun, MailMessage
from core.web.flash import flash
from core.web.pages import AnyRequest, current_user, page, runtime

PAGE_SIZE = 50
LATEST_RUNS = 5
ROOT = Path(__file__).resolve().parents[2]


async def admin_only(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Route guard: the signed-in user must have the admin role (``async``: see
    :func:`core.app.require_login`)."""
    user = connection.scope.get("user")
    if user is None or not user.is_admin:
        raise PermissionDeniedException()


ADMIN = [admin_only]


def mail_status_labels() -> dict[str, str]:
    return {
        "queued": _("I kø"),
        "sending": _("Sendes (utfall ukjent)"),
        "sent": _("Sendt"),
        "failed": _("Feilet"),
    }


def run_status_labels() -> dict[str, str]:
    return {"running": _("Kjører"), "ok": _("OK"), "failed": _("Feilet"), "skipped": _("Hoppet over")}


STATUS_CLASSES = {
    "sent": "ok",
    "ok": "ok",
    "queued": "warn",
    "sending": "warn",
    "running": "warn",
    "skipped": "warn",
    "failed": "error",
}


def paging(total: int, side: int) -> dict[str, int]:
    """Page numbers for ``total`` rows at :data:`PAGE_SIZE` a page; ``side`` is clamped."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    current = min(max(1, side), pages)
    return {"page": current, "pages": pages, "total": total, "offset": (current - 1) * PAGE_SIZE}


def shown_path(path: Path | str | None) -> str:
    """A directory relative to the project when it is inside it (shorter, and no host details)."""
    if path is None:
        return ""
    resolved = Path(path).resolve()
    try:
        return str(resolved.relative_to(ROOT))
    except ValueError:
        return str(resolved)


# --- Utboks -------------------------------------------------------------------------------


@get("/admin/utboks", name="core:admin_outbox", guards=ADMIN)
async def outbox(request: AnyRequest, status: FromQuery[str] = "", side: FromQuery[int] = 1) -> Template:
    status = status if status in STATUSES else ""
    counts: dict[str, int] = {
        row["status"]: row["count"]
        for row in await MailMessage.select(
            MailMessage.status, Count(MailMessage.id, alias="count")
        ).group_by(MailMessage.status)
    }
    pager = paging(counts.get(status, 0) if status else sum(counts.values()), side)
    query = MailMessage.select(
        MailMessage.id,
        MailMessage.to_address,
        MailMessage.to_name,
        MailMessage.subject,
        MailMessage.status,
        MailMessage.attempts,
        MailMessage.last_error,
        MailMessage.created_at,
        MailMessage.sent_at,
        MailMessage.next_attempt_at,
    )
    if status:
        query = query.where(MailMessage.status == status)
    messages = await query.order_by(MailMessage.id, ascending=False).limit(PAGE_SIZE).offset(pager["offset"])
    return await page(
        request,
        "admin/utboks.html",
        messages=messages,
        status=status,
        counts=counts,
        statuses=STATUSES,
        status_labels=mail_status_labels(),
        status_classes=STATUS_CLASSES,
        pager=pager,
        smtp_configured=bool(runtime(request).settings.smtp_host),
    )


@get("/admin/utboks/{message_id:int}", name="core:admin_outbox_message", guards=ADMIN)
async def outbox_message(request: AnyRequest, message_id: FromPath[int]) -> Template:
    message = await MailMessage.select().where(MailMessage.id == message_id).first()
    if message is None:
        raise NotFoundException()
    return await page(
        request,
        "admin/utboks_melding.html",
        message=message,
        status_labels=mail_status_labels(),
        status_classes=STATUS_CLASSES,
        smtp_configured=bool(runtime(request).settings.smtp_host),
    )


ADMIN_SEND_SECONDS = 10.0
"""Time cap of «Send nå» in the web request (the job's cap is ``outbox_run_seconds``)."""


@post("/admin/utboks/send", name="core:admin_outbox_send", guards=ADMIN, status_code=303)
async def outbox_send(request: AnyRequest) -> Redirect:
    """Send what is due in the outbox now (the same as the ``core.send_outbox`` job, with a
    shorter time cap: the admin waits for the answer; the rest is left for the job)."""
    user = current_user(request)
    summary = await send_pending(runtime(request).settings, run_seconds=ADMIN_SEND_SECONDS)
    await audit.record(
        actor_id=user.person_id,
        action="mail.outbox_sent",
        object_type="mail",
        object_id="-",
        summary=str(summary),
        details={"sent": summary.sent, "failed": summary.failed, "deferred": summary.deferred},
    )
    if summary.skipped_no_smtp:
        flash(request, str(summary), "warning")
    else:
        flash(request, _("Utboksen er sendt: %(summary)s.") % {"summary": summary}, "success")
    return Redirect("/admin/utboks", status_code=303)


@post(
    "/admin/utboks/{message_id:int}/legg-i-ko",
    name="core:admin_outbox_requeue",
    guards=ADMIN,
    status_code=303,
)
async def outbox_requeue(request: AnyRequest, message_id: FromPath[int]) -> Redirect:
    """Put a failed (or stuck) message back in the queue: a person's decision, audited."""
    user = current_user(request)
    if not await MailMessage.exists().where(MailMessage.id == message_id):
        raise NotFoundException()
    if await requeue(message_id):
        await audit.record(
            actor_id=user.person_id,
            action="mail.requeued",
            object_type="mail",
            object_id=message_id,
            summary=_("E-posten er lagt i kø på nytt"),
        )
        flash(request, _("E-posten er lagt i kø på nytt og sendes ved neste utsending."), "success")
    else:
        flash(request, _("Bare e-post som har feilet eller står fast, kan legges i kø på nytt."), "warning")
    return Redirect(f"/admin/utboks/{message_id}", status_code=303)


# --- Jobber -------------------------------------------------------------------------------


def schedule_info(job: Job) -> dict[str, Any]:
    try:
        validate_schedule(job.schedule)
    except ValueError as exc:
        return {"next": None, "error": str(exc)}
    return {"next": next_slot(job), "error": ""}


def find_job(request: AnyRequest, name: str) -> Job:
    job = runtime(request).job(name)
    if job is None:
        raise NotFoundException()
    return job


@get("/admin/jobber", name="core:admin_jobs", guards=ADMIN)
async def jobs(request: AnyRequest) -> Template:
    rows = []
    for job in runtime(request).jobs:
        runs = (
            await JobRun.select()
            .where(JobRun.job == job.name)
            .order_by(JobRun.slot, ascending=False)
            .order_by(JobRun.id, ascending=False)
            .limit(LATEST_RUNS)
        )
        rows.append({"job": job, "runs": runs, **schedule_info(job)})
    return await page(
        request,
        "admin/jobber.html",
        jobs=rows,
        status_labels=run_status_labels(),
        status_classes=STATUS_CLASSES,
        latest=LATEST_RUNS,
    )


@get("/admin/jobber/{name:str}", name="core:admin_job", guards=ADMIN)
async def job_detail(request: AnyRequest, name: FromPath[str], side: FromQuery[int] = 1) -> Template:
    job = find_job(request, name)
    pager = paging(await JobRun.count().where(JobRun.job == job.name), side)
    runs = (
        await JobRun.select()
        .where(JobRun.job == job.name)
        .order_by(JobRun.slot, ascending=False)
        .order_by(JobRun.id, ascending=False)
        .limit(PAGE_SIZE)
        .offset(pager["offset"])
    )
    return await page(
        request,
        "admin/jobb.html",
        job=job,
        runs=runs,
        pager=pager,
        status_labels=run_status_labels(),
        status_classes=STATUS_CLASSES,
        **schedule_info(job),
    )


@post("/admin/jobber/{name:str}/kjor", name="core:admin_job_run", guards=ADMIN, status_code=303)
async def job_run_now(request: AnyRequest, name: FromPath[str]) -> Redirect:
    """Run a job for the current minute. A slot that already ran (by the scheduler or by
    someone else's click) is skipped, exactly as for ``arkivrutiner jobs run``."""
    user = current_user(request)
    job = find_job(request, name)
    result = await run_job(runtime(request), job, current_slot())
    await audit.record(
        actor_id=user.person_id,
        action="job.run_manually",
        object_type="job",
        object_id=job.name,
        summary=f"{result.status} {result.message}".strip(),
        details={"slot": result.slot.isoformat(), "status": result.status, "ran": result.ran},
    )
    if result.status == "ok":
        if result.message:
            text = _("Jobben %(job)s er kjørt: %(message)s") % {"job": job.name, "message": result.message}
        else:
            text = _("Jobben %(job)s er kjørt.") % {"job": job.name}
        flash(request, text, "success")
    elif result.status == "failed":
        flash(
            request,
            _("Jobben %(job)s feilet: %(error)s") % {"job": job.name, "error": result.message},
            "error",
        )
    else:
        flash(
            request,
            _("Jobben %(job)s er allerede kjørt for dette minuttet. Prøv igjen om et minutt.")
            % {"job": job.name},
            "warning",
        )
    return Redirect("/admin/jobber", status_code=303)


# --- Tillegg ------------------------------------------------------------------------------


@get("/admin/tillegg", name="core:admin_plugins", guards=ADMIN)
async def plugins(request: AnyRequest) -> Template:
    rt = runtime(request)
    rows = [
        {
            "meta": plugin.meta,
            "package": plugin.package,
            "hooks": hooks_implemented(rt.pm, plugin.meta.name),
            "templates": shown_path(plugin.templates),
            "static": shown_path(plugin.static),
            "piccolo_app": plugin.piccolo_app or "",
            "jobs": [job.name for job in rt.jobs if job.name.split(".", 1)[0] == plugin.meta.name],
        }
        for plugin in rt.plugins
    ]
    return await page(
        request,
        "admin/tillegg.html",
        plugins=rows,
        core_hooks=hooks_implemented(rt.pm, "core"),
        permissions=rt.permissions,
    )


ROUTES = [outbox, outbox_message, outbox_send, outbox_requeue, jobs, job_detail, job_run_now, plugins]
