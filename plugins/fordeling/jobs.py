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

from core.archive.queries.distribution import age_days
from core.archive.queries.distribution_counts import units_waiting_since
from core.i18n import _, ngettext
from core.leader_mail import mail_acting_leaders
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
    settings = ctx.runtime.settings
    by_id = {u["unit_id"]: u for u in units}

    def compose(unit_id: int, person: dict[str, Any], leader_name: str) -> tuple[str, str]:
        url = f"{settings.public_base_url}/fordeling?enhet={unit_id}"
        return _mail_text(by_id[unit_id], person, leader_name, days, url)

    sent = await mail_acting_leaders(
        settings,
        day,
        [(u["unit_id"], u["code"]) for u in units],
        compose=compose,
        key=lambda unit_id: reminder_key(unit_id, day),
        source="fordeling",
    )
    queued, without_leader = sent.queued, sent.without_leader
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
