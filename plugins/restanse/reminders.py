"""The weekly reminder (Monday morning): each acting leader gets one e-mail per unit with
restanser, with the unit's count today and the change since a week ago, and a link to
*Restanser i egen enhet*.

* Acting leader: the deputy registered for today (the leader is away), else the leader (as
  fordeling's daily reminder finds them).
* The counts come from the records (journaldato and avskrivningsdato) for today and today − 7
  in one statement over all units (:func:`plugins.restanse.rule.counts_per_unit`).
* No titles in the mail: only the unit, the numbers and the link.
* Never twice for the same unit and week: the outbox's idempotency key is
  ``restanse.ukentlig:<unit id>:<ISO year>-W<ISO week>``, so a second run (another slot,
  ``jobs run``, a second scheduler) adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from core import mail
from core.i18n import _, current_language, ngettext, set_language
from core.tables import DeputyPeriod, Leadership
from core.timeutil import OSLO
from plugins.restanse import queries_enhet, rule

if TYPE_CHECKING:
    from core.jobs import JobContext

WEEKLY_JOB = "restanse.weekly_leader_reminder"
WEEKLY_SCHEDULE = "0 7 * * 1"
"""Mondays at 07:00, Oslo time."""


def weekly_key(unit_id: int, day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"restanse.ukentlig:{unit_id}:{year}-W{week:02d}"


async def acting_leaders(unit_ids: list[int], day: date) -> dict[int, tuple[int, int | None]]:
    """Unit → (person to mail, the leader they act for or None). A deputy registered for
    ``day`` for the unit's current leader acts; with several, the first registered."""
    if not unit_ids:
        return {}
    leaders = {
        r["unit"]: r["person"]
        for r in await Leadership.select(Leadership.unit, Leadership.person).where(
            Leadership.unit.is_in(unit_ids)
        )
    }
    deputies = await (
        DeputyPeriod.select(DeputyPeriod.unit, DeputyPeriod.leader, DeputyPeriod.deputy)
        .where(DeputyPeriod.unit.is_in(unit_ids) & (DeputyPeriod.starts <= day) & (DeputyPeriod.ends >= day))
        .order_by(DeputyPeriod.id)
    )
    acting: dict[int, tuple[int, int | None]] = {unit: (leader, None) for unit, leader in leaders.items()}
    for row in deputies:
        unit = row["unit"]
        if unit in acting and leaders.get(unit) == row["leader"] and acting[unit][1] is None:
            acting[unit] = (row["deputy"], row["leader"])
    return acting


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
    unit: rule.UnitCount, person: dict[str, Any], leader_name: str, day: date, url: str
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
    counts = await rule.counts_per_unit([day - timedelta(days=7), day], include_empty=False)
    units = [c for c in counts if c.counts[1] > 0]
    acting = await acting_leaders([u.unit_id for u in units], day)
    people = await queries_enhet.people_by_id(
        sorted({pid for pair in acting.values() for pid in pair if pid is not None})
    )
    settings = ctx.runtime.settings
    language = current_language()
    queued = 0
    without_leader: list[str] = []
    try:
        for unit in units:
            person_id, leader_id = acting.get(unit.unit_id, (None, None))
            person = people.get(person_id) if person_id is not None else None
            if person is None or not person["active"] or not person["email"]:
                without_leader.append(unit.code)
                continue
            set_language(person["language"] or settings.default_language)
            leader_name = people[leader_id]["name"] if leader_id is not None and leader_id in people else ""
            url = f"{settings.public_base_url}/restanse/enhet?enhet={unit.unit_id}&typer=I&typer=N&underenheter=0"
            subject, body = mail_text(unit, person, leader_name, day, url)
            queued += await mail.enqueue(
                key=weekly_key(unit.unit_id, day),
                to_address=person["email"],
                to_name=person["name"],
                subject=subject,
                body_text=body,
                source="restanse",
            )
    finally:
        set_language(language)
    summary = _("%(queued)s ukentlige påminnelser lagt i utboksen, %(units)s enheter med restanser") % {
        "queued": queued,
        "units": len(units),
    }
    if without_leader:
        summary += "; " + _("uten leder med e-post: %(units)s") % {"units": ", ".join(without_leader)}
    return summary
