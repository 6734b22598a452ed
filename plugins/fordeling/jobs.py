"""The daily reminder: the acting leader of each unit whose queue *Til fordeling* holds posts
older than ``ARKIV_FORDELING_PURREDAGER`` working days gets one e-mail (through the outbox).

* Acting leader: the deputy registered for today (the leader is away), else the leader.
* Never twice for the same unit and day: the outbox's idempotency key is
  ``fordeling.purring:<unit id>:<date>``, so a second run (another slot, ``jobs run``, a second
  scheduler) adds nothing.
* Set-based: one grouped query for the queues, one each for leaders, deputies and people.
* On weekends and public holidays the job does nothing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from core import mail
from core.archive.queries.distribution import age_days
from core.archive.queries.distribution_counts import units_waiting_since
from core.archive.queries.people import people_by_id
from core.i18n import _, current_language, ngettext, set_language
from core.organisation import acting_leaders
from core.timeutil import OSLO
from core.workdays import is_working_day, working_days_before
from plugins.fordeling import config

if TYPE_CHECKING:
    from core.jobs import JobContext

REMINDER_JOB = "fordeling.daily_reminder"
REMINDER_SCHEDULE = "30 7 * * 1-5"


def reminder_key(unit_id: int, day: date) -> str:
    return f"fordeling.purring:{unit_id}:{day.isoformat()}"


def _mail_text(
    unit: dict[str, Any], person: dict[str, Any], leader_name: str, days: int, url: str
) -> tuple[str, str]:
    label = f"{unit['code']} {unit['name']}"
    count, overdue = unit["count"], unit["overdue"]
    oldest = age_days(unit["oldest"])
    subject = ngettext(
        "Til fordeling: %(num)s journalpost venter i %(unit)s",
        "Til fordeling: %(num)s journalposter venter i %(unit)s",
        count,
    ) % {"num": count, "unit": label}
    lines = [
        _("Hei, %(name)s!") % {"name": person["name"]},
        "",
        ngettext(
            "I kurven Til fordeling for %(unit)s venter %(num)s journalpost.",
            "I kurven Til fordeling for %(unit)s venter %(num)s journalposter.",
            count,
        )
        % {"num": count, "unit": label},
        ngettext(
            "%(num)s av dem har ventet lenger enn %(days)s arbeidsdag(er).",
            "%(num)s av dem har ventet lenger enn %(days)s arbeidsdag(er).",
            overdue,
        )
        % {"num": overdue, "days": days},
        ngettext("Den eldste kom for %(num)s dag siden.", "Den eldste kom for %(num)s dager siden.", oldest)
        % {"num": oldest},
    ]
    if leader_name:
        lines += ["", _("Du får denne e-posten som stedfortreder for %(leader)s.") % {"leader": leader_name}]
    lines += ["", _("Fordel dem her: %(url)s") % {"url": url}, "", _("Hilsen Arkivrutiner")]
    return subject, "\n".join(lines)


async def daily_reminder(ctx: JobContext) -> str:
    day = ctx.slot.astimezone(OSLO).date()
    if not is_working_day(day):
        return _("%(day)s er ikke en arbeidsdag; ingen påminnelser") % {"day": day.isoformat()}
    days = config.nudge_days()
    units = await units_waiting_since(working_days_before(day, days))
    acting = await acting_leaders([u["unit_id"] for u in units], day)
    people = await people_by_id(sorted({pid for pair in acting.values() for pid in pair if pid is not None}))
    settings = ctx.runtime.settings
    language = current_language()
    queued = 0
    without_leader: list[str] = []
    try:
        for unit in units:
            person_id, leader_id = acting.get(unit["unit_id"], (None, None))
            person = people.get(person_id) if person_id is not None else None
            if person is None or not person["active"] or not person["email"]:
                without_leader.append(unit["code"])
                continue
            set_language(person["language"] or settings.default_language)
            leader_name = people[leader_id]["name"] if leader_id is not None and leader_id in people else ""
            url = f"{settings.public_base_url}/fordeling?enhet={unit['unit_id']}"
            subject, body = _mail_text(unit, person, leader_name, days, url)
            queued += await mail.enqueue(
                key=reminder_key(unit["unit_id"], day),
                to_address=person["email"],
                to_name=person["name"],
                subject=subject,
                body_text=body,
                source="fordeling",
            )
    finally:
        set_language(language)
    summary = _(
        "%(queued)s påminnelser lagt i utboksen, %(units)s enheter med journalposter eldre enn %(days)s arbeidsdag(er)"
    ) % {
        "queued": queued,
        "units": len(units),
        "days": days,
    }
    if without_leader:
        summary += "; " + _("uten leder med e-post: %(units)s") % {"units": ", ".join(without_leader)}
    return summary
