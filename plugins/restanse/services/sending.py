"""Sending a prepared month of restanse mails: every item not sent yet goes to core's outbox
(``core.mail.enqueue``, key ``restanse.monthly:<maaned>:<kind>:<person id>``, so no mail is ever
queued twice), and the items and the run are marked sent. The run's ``version`` decides between
two people pressing *Send* at once: one wins, the other is told who sent, and nothing is sent
twice. Audited as ``restanse.mails_sent``."""

from __future__ import annotations

from dataclasses import dataclass

from core import audit, mail
from core.auth.user import User
from core.db import writing
from core.errors import Conflict, NotFound
from core.i18n import _, format_tidspunkt, ngettext
from core.settings import Settings
from core.timeutil import now
from plugins.restanse.services import mail_texts
from plugins.restanse.services.mailing import (
    KIND_HANDLER,
    KIND_LEADER,
    SENT,
    SOURCE,
    mail_key,
    month_label,
    require_archive,
)
from plugins.restanse.tables import MailItem, MailRun


@dataclass(frozen=True)
class SendResult:
    maaned: str
    queued: int
    without_email: int
    first: bool
    """True when this call sent the run (its status went from utkast to sendt)."""

    def message(self) -> str:
        if self.queued == 0:
            text = _("Ingen nye e-poster: alle e-postene for %(month)s er allerede sendt.") % {
                "month": month_label(self.maaned)
            }
        else:
            text = ngettext(
                "%(num)s e-post er lagt i utboksen og sendes i løpet av et minutt.",
                "%(num)s e-poster er lagt i utboksen og sendes i løpet av et minutt.",
                self.queued,
            ) % {"num": self.queued}
        if self.without_email:
            text += " " + ngettext(
                "%(num)s mottaker uten e-postadresse fikk ingen e-post.",
                "%(num)s mottakere uten e-postadresse fikk ingen e-post.",
                self.without_email,
            ) % {"num": self.without_email}
        return text


async def _stale(run_id: int) -> Exception:
    """Why a send with an old version was refused: who sent or prepared the run meanwhile."""
    run = (
        await MailRun.select(
            MailRun.maaned,
            MailRun.status,
            MailRun.sendt,
            MailRun.forberedt,
            MailRun.sendt_av.name.as_alias("sent_by"),
            MailRun.forberedt_av.name.as_alias("prepared_by"),
        )
        .where(MailRun.id == run_id)
        .first()
    )
    if run is None:
        return NotFound(_("Fant ingen utsending med dette nummeret."))
    month = month_label(run["maaned"])
    if run["status"] == SENT:
        return Conflict(
            _(
                "E-postene for %(month)s ble nettopp sendt av %(who)s (%(when)s). Ingen e-post er "
                "sendt to ganger."
            )
            % {"month": month, "who": run["sent_by"] or _("systemet"), "when": format_tidspunkt(run["sendt"])}
        )
    return Conflict(
        _(
            "Utkastet for %(month)s er forberedt på nytt av %(who)s (%(when)s) etter at du åpnet det. "
            "Ingenting er sendt. Se over forhåndsvisningen og send på nytt."
        )
        % {
            "month": month,
            "who": run["prepared_by"] or _("den månedlige jobben"),
            "when": format_tidspunkt(run["forberedt"]),
        }
    )


async def send(settings: Settings, user: User, run_id: int, *, version: int) -> SendResult:
    """Queue every mail of the run not yet sent; ``version`` is the run's version the user saw
    in the preview (another send or prepare in between refuses this one)."""
    require_archive(user)
    async with writing(MailRun):
        claimed = (
            await MailRun.update({MailRun.version: MailRun.version + 1})
            .where((MailRun.id == run_id) & (MailRun.version == version))
            .returning(MailRun.maaned, MailRun.status)
        )
        if not claimed:
            raise await _stale(run_id)
        maaned, first = str(claimed[0]["maaned"]), claimed[0]["status"] != SENT
        stamp = now()
        if first:
            await MailRun.update(
                {MailRun.status: SENT, MailRun.sendt_av: user.person_id, MailRun.sendt: stamp}
            ).where(MailRun.id == run_id)
        items = await MailItem.select(
            MailItem.id,
            MailItem.kind,
            MailItem.person,
            MailItem.emne,
            MailItem.tekst,
            MailItem.person.name.as_alias("name"),
            MailItem.person.email.as_alias("email"),
            MailItem.person.language.as_alias("language"),
            MailItem.person.active.as_alias("active"),
        ).where((MailItem.run == run_id) & MailItem.sendt.is_null())
        done: set[int] = set()
        queued = without_email = 0
        for item in items:
            if not item["email"] or not item["active"]:
                without_email += 1
                continue
            language = item["language"] or settings.default_language
            queued += await mail.enqueue(
                key=mail_key(maaned, item["kind"], int(item["person"])),
                to_address=item["email"],
                to_name=item["name"],
                subject=item["emne"],
                body_text=item["tekst"],
                body_html=mail_texts.html_from_text(item["tekst"], subject=item["emne"], language=language),
                source=SOURCE,
            )
            done.add(int(item["id"]))
        if done:
            await MailItem.update({MailItem.sendt: stamp}).where(MailItem.id.is_in(sorted(done)))
            keys = {
                int(i["id"]): mail_key(maaned, i["kind"], int(i["person"]))
                for i in items
                if int(i["id"]) in done
            }
            message_ids = await mail.message_ids(list(keys.values()))
            for item_id, key in keys.items():
                if key in message_ids:
                    await MailItem.update({MailItem.melding: message_ids[key]}).where(
                        (MailItem.id == item_id) & MailItem.melding.is_null()
                    )
        result = SendResult(maaned, queued, without_email, first)
        if first or queued:
            await audit.record(
                actor_id=user.person_id,
                action="restanse.mails_sent",
                object_type="restanse_mail_run",
                object_id=run_id,
                summary=f"Restanse-e-poster for {maaned} sendt: {queued} lagt i utboksen",
                details={
                    "maaned": maaned,
                    "lagt_i_utboksen": queued,
                    "saksbehandlere": sum(1 for i in items if i["kind"] == KIND_HANDLER and i["id"] in done),
                    "ledere": sum(1 for i in items if i["kind"] == KIND_LEADER and i["id"] in done),
                    "uten_epost": without_email,
                },
            )
    return result
