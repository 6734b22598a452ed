"""The monthly mails' pages: the form with the latest runs, and the preview of one run."""

from __future__ import annotations

from typing import Any

from litestar.response import Template

from core.i18n import _
from core.web.pages import AnyRequest, current_user, page
from plugins.restanse import config
from plugins.restanse.queries import mail_runs
from plugins.restanse.services import mail_texts, mailing


async def form_page(
    request: AnyRequest,
    form: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    alert: str = "",
    status_code: int = 200,
) -> Template:
    runs = await mail_runs.recent_runs(current_user(request))
    return await page(
        request,
        "restanse/utsending.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        alert=alert,
        runs=runs,
        terskel=config.threshold(),
        status_label=mailing.status_label,
    )


async def preview_context(request: AnyRequest, run_id: int) -> dict[str, Any]:
    view = await mail_runs.preview(current_user(request), run_id)
    return {
        "view": view,
        "run": view.run,
        "again_query": "&".join(
            f"{name}={mail_texts.long_date(view.run[name])}"
            for name in ("rapportdato", "sammenligningsdato", "frist")
            if view.run[name]
        ),
        "outbox_labels": {
            "queued": _("I utboksen"),
            "sending": _("Sendes"),
            "sent": _("Sendt"),
            "failed": _("Feilet"),
        },
    }
