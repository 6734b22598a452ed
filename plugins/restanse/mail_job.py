"""The monthly job: prepare the draft of the month's restanse mails and tell the archive service.

``restanse.monthly_mail_draft`` runs at 07:00 on the first seven days of the month and does its
work on the first weekday among them (on a weekend it does nothing; once the month has a run it
does nothing either, so a day the scheduler was down is caught up on the next weekday):

* it prepares the draft with the report date today, the comparison date a month earlier, the
  deadline 14 days later and the threshold from ``ARKIV_RESTANSE_TERSKEL``, unless the month
  already has a run (prepared by hand, or by an earlier run of the job): it never replaces a
  draft someone made, and never prepares a month twice;
* it mails each active person in Fellestjenesten/Arkiv (role ``arkiv``) with an e-mail address
  that the draft is ready, with a link to the preview. The outbox key
  ``restanse.monthly_draft:<maaned>:<person id>`` keeps that to one mail per person and month.

Nothing is sent to handlers or leaders: the archive service looks the draft over and sends it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core import mail, roles
from core.i18n import _, current_language, ngettext, set_language
from core.tables import PersonRole
from core.timeutil import OSLO
from plugins.restanse import mailing

if TYPE_CHECKING:
    from core.jobs import JobContext

DRAFT_JOB = "restanse.monthly_mail_draft"
DRAFT_SCHEDULE = "0 7 1-7 * *"


def ready_key(maaned: str, person_id: int) -> str:
    return f"restanse.monthly_draft:{maaned}:{person_id}"


async def archive_staff() -> list[dict[str, object]]:
    """Active people with the role ``arkiv`` (name, e-mail, language)."""
    rows: list[dict[str, object]] = await (
        PersonRole.select(
            PersonRole.person.as_alias("id"),
            PersonRole.person.name.as_alias("name"),
            PersonRole.person.email.as_alias("email"),
            PersonRole.person.language.as_alias("language"),
        )
        .where((PersonRole.role == roles.ARKIV) & (PersonRole.person._.active.eq(True)))
        .order_by(PersonRole.person.name)
    )
    return rows


def _ready_text(prepared: mailing.Prepared, name: str, url: str) -> tuple[str, str]:
    month = mailing.month_label(prepared.maaned)
    subject = _("Restanse-e-postene for %(month)s er klare til gjennomsyn") % {"month": month}
    lines = [
        _("Hei, %(name)s!") % {"name": name},
        "",
        _("Utkastet til de månedlige restanse-e-postene for %(month)s er laget.") % {"month": month},
        _("E-poster til saksbehandlere: %(num)s") % {"num": prepared.handlers},
        _("E-poster til ledere: %(num)s") % {"num": prepared.leaders},
    ]
    if prepared.without_email:
        lines.append(
            ngettext(
                "%(num)s mottaker mangler e-postadresse.",
                "%(num)s mottakere mangler e-postadresse.",
                prepared.without_email,
            )
            % {"num": prepared.without_email}
        )
    lines += [
        "",
        _("Ingenting er sendt ennå. Se over mottakerne og tekstene, endre fristen om nødvendig, og send:"),
        url,
        "",
        _("Hilsen Arkivrutiner"),
    ]
    return subject, "\n".join(lines)


async def monthly_mail_draft(ctx: JobContext) -> str:
    day = ctx.slot.astimezone(OSLO).date()
    if day.weekday() >= 5:
        return _("%(day)s er en helgedag; utkastet lages første hverdag i måneden") % {"day": day.isoformat()}
    maaned = mailing.month_of(day)
    if await mailing.run_of_month(maaned) is not None:
        return _("Restanse-e-postene for %(month)s er allerede forberedt") % {"month": maaned}
    settings = ctx.runtime.settings
    prepared = await mailing.prepare_draft(settings, mailing.default_dates(day), actor_id=None, only_new=True)
    if prepared is None:
        return _("Restanse-e-postene for %(month)s er allerede forberedt") % {"month": maaned}
    url = f"{settings.public_base_url.rstrip('/')}/restanse/utsending/{prepared.run_id}"
    language = current_language()
    notified = 0
    try:
        for person in await archive_staff():
            if not person["email"]:
                continue
            set_language(str(person["language"] or settings.default_language))
            subject, body = _ready_text(prepared, str(person["name"]), url)
            notified += await mail.enqueue(
                key=ready_key(maaned, int(str(person["id"]))),
                to_address=str(person["email"]),
                to_name=str(person["name"]),
                subject=subject,
                body_text=body,
                source=mailing.SOURCE,
            )
    finally:
        set_language(language)
    return _(
        "Utkast for %(month)s: %(handlers)s til saksbehandlere, %(leaders)s til ledere; "
        "%(notified)s i Arkiv varslet"
    ) % {
        "month": maaned,
        "handlers": prepared.handlers,
        "leaders": prepared.leaders,
        "notified": notified,
    }
