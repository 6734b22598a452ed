"""The restanse plugin's scheduled jobs (each safe to run twice: the outbox's idempotency keys
and the stored snapshot per date make a second run add nothing).

* ``restanse.snapshot`` (04:15 on the 1st): stores the restanser per unit and handler at the end
  of the month before (:func:`plugins.restanse.services.snapshots.take`), the record of what was
  reported and the trends' marks.
* ``restanse.weekly_leader_reminder`` (Mondays 07:00): each acting leader (the deputy registered
  for today while the leader is away, else the leader: :func:`core.organisation.acting_leaders`)
  gets one e-mail per unit with restanser, with today's count, the change since a week ago and a
  link to *Restanser i egen enhet*. No titles in the mail. Key
  ``restanse.ukentlig:<unit id>:<ISO year>-W<ISO week>``.
* ``restanse.monthly_mail_draft`` (07:00 on the first seven days): on the first weekday of the
  month, unless the month already has a run (prepared by hand or by an earlier run), prepares the
  draft of the month's mails and tells each active person in Fellestjenesten/Arkiv, with a link
  to the preview (key ``restanse.monthly_draft:<maaned>:<person id>``). Nothing is sent to
  handlers or leaders: the archive service looks the draft over and sends it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from core import mail, roles
from core.archive.ledger import counts_per_unit
from core.archive.queries.people import people_with_role
from core.archive.queries.restanser import UnitCount
from core.i18n import _, current_language, ngettext, set_language
from core.leader_mail import mail_acting_leaders
from core.timeutil import OSLO
from plugins.restanse.forms import default_mail_dates
from plugins.restanse.queries import mail_runs
from plugins.restanse.services import mailing, snapshots

if TYPE_CHECKING:
    from core.jobs import JobContext

SNAPSHOT_JOB = "restanse.snapshot"
SNAPSHOT_SCHEDULE = "15 4 1 * *"
"""04:15 on the 1st of every month (Europe/Oslo)."""


def report_date_for(slot_day: date) -> date:
    """The month-end before the job's run date (the job runs on the 1st)."""
    return slot_day.replace(day=1) - timedelta(days=1)


async def snapshot_job(ctx: JobContext) -> str:
    day = report_date_for(ctx.slot.astimezone(OSLO).date())
    rows = await snapshots.take(day)
    return _("Restanser per %(day)s lagret (%(rows)s rader)") % {
        "day": day.strftime("%d.%m.%Y"),
        "rows": rows,
    }


WEEKLY_JOB = "restanse.weekly_leader_reminder"
WEEKLY_SCHEDULE = "0 7 * * 1"
"""Mondays at 07:00, Oslo time."""


def weekly_key(unit_id: int, day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"restanse.ukentlig:{unit_id}:{year}-W{week:02d}"


def change_text(now: int, before: int) -> str:
    difference = now - before
    if difference > 0:
        return ngettext(
            "Det er %(num)s flere enn for en uke siden (%(before)s).",
            "Det er %(num)s flere enn for en uke siden (%(before)s).",
            difference,
        ) % {"num": difference, "before": before}
    if difference < 0:
        return ngettext(
            "Det er %(num)s færre enn for en uke siden (%(before)s).",
            "Det er %(num)s færre enn for en uke siden (%(before)s).",
            -difference,
        ) % {"num": -difference, "before": before}
    return _("Det er like mange som for en uke siden.")


def mail_text(
    unit: UnitCount, person: dict[str, Any], leader_name: str, day: date, url: str
) -> tuple[str, str]:
    label = f"{unit.code} {unit.name}"
    before, now = unit.counts
    subject = ngettext(
        "Restanser i %(unit)s: %(num)s denne uken",
        "Restanser i %(unit)s: %(num)s denne uken",
        now,
    ) % {"num": now, "unit": label}
    lines = [
        _("Hei, %(name)s!") % {"name": person["name"]},
        "",
        ngettext(
            "%(unit)s har %(num)s restanse i dag (%(day)s).",
            "%(unit)s har %(num)s restanser i dag (%(day)s).",
            now,
        )
        % {"unit": label, "num": now, "day": day.strftime("%d.%m.%Y")},
        change_text(now, before),
        "",
        _(
            "Restanser er inngående brev og interne notater som ikke er besvart eller avskrevet. "
            "Gå gjennom dem per saksbehandler, og få avskrevet det som kan avskrives."
        ),
    ]
    if leader_name:
        lines += ["", _("Du får denne e-posten som stedfortreder for %(leader)s.") % {"leader": leader_name}]
    lines += [
        "",
        _("Se restansene per saksbehandler her: %(url)s") % {"url": url},
        "",
        _("Hilsen Arkivrutiner"),
    ]
    return subject, "\n".join(lines)


async def weekly_leader_reminder(ctx: JobContext) -> str:
    day = ctx.slot.astimezone(OSLO).date()
    counts = await counts_per_unit([day - timedelta(days=7), day], include_empty=False)
    units = [c for c in counts if c.counts[1] > 0]
    settings = ctx.runtime.settings
    by_id = {u.unit_id: u for u in units}

    def compose(unit_id: int, person: dict[str, Any], leader_name: str) -> tuple[str, str]:
        url = f"{settings.public_base_url}/restanse/enhet?enhet={unit_id}&typer=I&typer=N&underenheter=0"
        return mail_text(by_id[unit_id], person, leader_name, day, url)

    sent = await mail_acting_leaders(
        settings,
        day,
        [(u.unit_id, u.code) for u in units],
        compose=compose,
        key=lambda unit_id: weekly_key(unit_id, day),
        source="restanse",
    )
    queued, without_leader = sent.queued, sent.without_leader
    summary = _("%(queued)s ukentlige påminnelser lagt i utboksen, %(units)s enheter med restanser") % {
        "queued": queued,
        "units": len(units),
    }
    if without_leader:
        summary += "; " + _("uten leder med e-post: %(units)s") % {"units": ", ".join(without_leader)}
    return summary


DRAFT_JOB = "restanse.monthly_mail_draft"
DRAFT_SCHEDULE = "0 7 1-7 * *"


def ready_key(maaned: str, person_id: int) -> str:
    return f"restanse.monthly_draft:{maaned}:{person_id}"


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
    if await mail_runs.run_of_month(maaned) is not None:
        return _("Restanse-e-postene for %(month)s er allerede forberedt") % {"month": maaned}
    settings = ctx.runtime.settings
    prepared = await mailing.prepare_draft(settings, default_mail_dates(day), actor_id=None, only_new=True)
    if prepared is None:
        return _("Restanse-e-postene for %(month)s er allerede forberedt") % {"month": maaned}
    url = f"{settings.public_base_url.rstrip('/')}/restanse/utsending/{prepared.run_id}"
    language = current_language()
    notified = 0
    try:
        for person in await people_with_role(roles.ARKIV):
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
