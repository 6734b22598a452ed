"""Reading the monthly mail runs: the preview of a run (recipients, warnings, every mail's
text), one mail, the latest runs, and a month's run. Only Fellestjenesten/Arkiv."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from piccolo.query.functions.aggregate import Count

from core.auth.user import User
from core.errors import NotFound
from core.i18n import _
from core.validation import MAX_ID
from plugins.restanse.services.mailing import (
    KIND_HANDLER,
    KIND_LEADER,
    KINDS,
    SENT,
    kind_label,
    month_label,
    require_archive,
)
from plugins.restanse.tables import MailItem, MailRun


@dataclass
class Preview:
    run: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sendable(self) -> list[dict[str, Any]]:
        """Items that *Send* would queue now."""
        return [i for i in self.items if i["sendt"] is None and i["email"] and i["active"]]

    @property
    def missing_email(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["sendt"] is None and not (i["email"] and i["active"])]

    @property
    def handlers(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["kind"] == KIND_HANDLER]

    @property
    def leaders(self) -> list[dict[str, Any]]:
        return [i for i in self.items if i["kind"] == KIND_LEADER]

    @property
    def is_sent(self) -> bool:
        return bool(self.run["status"] == SENT)


_RUN_COLUMNS = (
    MailRun.id,
    MailRun.maaned,
    MailRun.rapportdato,
    MailRun.sammenligningsdato,
    MailRun.terskel,
    MailRun.frist,
    MailRun.status,
    MailRun.forberedt,
    MailRun.sendt,
    MailRun.version,
    MailRun.forberedt_av.name.as_alias("forberedt_av_navn"),
    MailRun.sendt_av.name.as_alias("sendt_av_navn"),
)


async def _run(run_id: int) -> dict[str, Any]:
    if not 0 < run_id <= MAX_ID:
        raise NotFound(_("Fant ingen utsending med dette nummeret."))
    row = await MailRun.select(*_RUN_COLUMNS).where(MailRun.id == run_id).first()
    if row is None:
        raise NotFound(_("Fant ingen utsending med dette nummeret."))
    row["maaned_navn"] = month_label(row["maaned"])
    return row


async def preview(user: User, run_id: int) -> Preview:
    """The run and its mails (recipient, address, kind, count, subject, text, outbox status)."""
    require_archive(user)
    run = await _run(run_id)
    items = await MailItem.select(
        MailItem.id,
        MailItem.kind,
        MailItem.person,
        MailItem.antall,
        MailItem.emne,
        MailItem.tekst,
        MailItem.sendt,
        MailItem.person.name.as_alias("name"),
        MailItem.person.email.as_alias("email"),
        MailItem.person.active.as_alias("active"),
        MailItem.melding.status.as_alias("outbox_status"),
    ).where(MailItem.run == run_id)
    order = {kind: n for n, kind in enumerate(KINDS)}
    items.sort(key=lambda i: (order.get(i["kind"], 9), str(i["name"]).casefold(), i["id"]))
    for item in items:
        item["kind_label"] = kind_label(item["kind"])
    return Preview(run, items)


async def item(user: User, run_id: int, item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """One mail of a run (for its own preview page)."""
    view = await preview(user, run_id)
    found = next((i for i in view.items if i["id"] == item_id), None)
    if found is None:
        raise NotFound(_("Fant ingen e-post med dette nummeret i utsendingen."))
    return view.run, found


async def recent_runs(user: User, limit: int = 12) -> list[dict[str, Any]]:
    """The latest months' runs with their number of mails, newest first."""
    require_archive(user)
    runs = await MailRun.select(*_RUN_COLUMNS).order_by(MailRun.maaned, ascending=False).limit(limit)
    counts: dict[int, int] = {}
    if runs:
        rows = await (
            MailItem.select(MailItem.run, Count(MailItem.id, alias="n"))
            .where(MailItem.run.is_in([r["id"] for r in runs]))
            .group_by(MailItem.run)
        )
        counts = {int(r["run"]): int(r["n"]) for r in rows}
    for run in runs:
        run["maaned_navn"] = month_label(run["maaned"])
        run["antall"] = counts.get(int(run["id"]), 0)
    return runs


async def run_of_month(maaned: str) -> dict[str, Any] | None:
    row: dict[str, Any] | None = (
        await MailRun.select(MailRun.id, MailRun.status).where(MailRun.maaned == maaned).first()
    )
    return row
