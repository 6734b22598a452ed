"""The mails about tasks: a new task, a reminder, an escalation to the receiver's leader.

Each goes through the outbox (:func:`core.mail.enqueue`) with an idempotency key, so a second
call never mails twice, and is written in the recipient's own language (``Person.language``,
else ``ARKIV_DEFAULT_LANGUAGE``). A mail names only the task's ``title``, which the creator made
safe for the receiver (the public title of a restricted record); it never reads the record.

Who gets a mail about a task (:func:`recipients`): the person it waits for (key ``<key>``), or
each active member of the receiving role while nobody has taken it (``<key>:<person id>``); and
each deputy acting for that person today, during a registered absence (``<key>:<person id>``).
People without an active account or an e-mail address get none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core import mail
from core.i18n import _, current_language, format_dato, set_language
from core.organisation import deputies_of
from core.roles import ROLE_LABELS
from core.settings import Settings
from core.tasks import queries
from core.tasks.permissions import holder

SOURCE = "core.tasks"
"""The outbox's ``source`` of every task mail."""

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Recipient:
    """One mail: to whom, under which key, and in which capacity."""

    person: Row
    key: str
    deputy_for: str = ""
    """The name of the receiver a deputy gets the mail for."""
    role: str = ""
    """The role a member gets the mail as (a role task nobody has taken)."""


def _mailable(person: Row | None) -> bool:
    return person is not None and bool(person["active"]) and bool(person["email"])


async def recipients(task: Row, key: str, day: date) -> list[Recipient]:
    """Who to mail about ``task`` on ``day`` (see the module's description)."""
    person_id = holder(task)
    if person_id is None:
        role = str(task["receiver_role"])
        return [
            Recipient(member, f"{key}:{member['id']}", role=role)
            for member in await queries.role_members(role)
            if _mailable(member)
        ]
    deputies = (await deputies_of([person_id], day)).get(person_id, [])
    people = await queries.people([person_id, *deputies])
    receiver = people.get(person_id)
    found = [Recipient(receiver, key)] if receiver is not None and _mailable(receiver) else []
    name = str(receiver["name"]) if receiver is not None else ""
    for deputy in deputies:
        if deputy != person_id and _mailable(people.get(deputy)):
            found.append(Recipient(people[deputy], f"{key}:{deputy}", deputy_for=name))
    return found


async def send(
    settings: Settings, to: Sequence[Recipient], compose: Callable[[Recipient], tuple[str, str]]
) -> int:
    """Queue one mail per recipient, composed in the recipient's language; returns how many
    were new (a key already used queues nothing)."""
    language = current_language()
    queued = 0
    try:
        for recipient in to:
            set_language(recipient.person["language"] or settings.default_language)
            subject, body = compose(recipient)
            queued += await mail.enqueue(
                key=recipient.key,
                to_address=str(recipient.person["email"]),
                to_name=str(recipient.person["name"]),
                subject=subject[:300],
                body_text=body,
                source=SOURCE,
            )
    finally:
        set_language(language)
    return queued


def task_url(settings: Settings, task_id: int) -> str:
    return f"{settings.public_base_url}/oppgaver/{task_id}"


def _task_lines(settings: Settings, task: Row, *, link: bool = True) -> list[str]:
    lines = [str(task["title"])]
    if task["message"]:
        lines += ["", str(task["message"])]
    if task["due"]:
        lines += ["", _("Frist: %(date)s") % {"date": format_dato(task["due"])}]
    if link:
        lines += [
            "",
            _("Åpne oppgaven: %(url)s") % {"url": task_url(settings, int(task["id"]))},
            _("Alle oppgavene dine finner du under Mottatte oppgaver: %(url)s")
            % {"url": f"{settings.public_base_url}/oppgaver"},
        ]
    return lines


def _letter(name: str, intro: str, lines: list[str]) -> str:
    greeting = _("Hei, %(name)s.") % {"name": name}
    footer = _("Denne e-posten er sendt automatisk fra Arkivrutiner.")
    return "\n".join([greeting, "", intro, "", *lines, "", footer]) + "\n"


def _role(role: str) -> str:
    return _(ROLE_LABELS.get(role, role))


async def new_task(
    settings: Settings, task: Row, *, sender_name: str, day: date, reassigned: bool = False
) -> int:
    """Mail the receiver of a new task (key ``task.new:<id>``), or the person it was given to
    (``task.reassigned:<id>:<version>``)."""
    key = f"task.reassigned:{task['id']}:{task['version']}" if reassigned else f"task.new:{task['id']}"

    def compose(to: Recipient) -> tuple[str, str]:
        sender = sender_name or _("Arkivrutiner")
        if to.role:
            intro = _(
                "%(role)s har fått en ny oppgave fra %(sender)s. Den som tar oppgaven først, behandler den."
            ) % {"role": _role(to.role), "sender": sender}
        elif to.deputy_for:
            intro = _(
                "Du får denne e-posten som stedfortreder for %(leader)s, som har fått en ny oppgave "
                "fra %(sender)s."
            ) % {"leader": to.deputy_for, "sender": sender}
        elif reassigned:
            intro = _("Fellestjenesten/Arkiv har gitt deg en oppgave fra %(sender)s.") % {"sender": sender}
        else:
            intro = _("Du har fått en ny oppgave fra %(sender)s.") % {"sender": sender}
        subject = _("Ny oppgave: %(title)s") % {"title": task["title"]}
        return subject, _letter(str(to.person["name"]), intro, _task_lines(settings, task))

    return await send(settings, await recipients(task, key, day), compose)


async def reminder(settings: Settings, task: Row, *, day: date, waiting_since: date) -> int:
    """Remind whoever the task waits for (key ``task.reminder:<id>:<day>``)."""
    key = f"task.reminder:{task['id']}:{day.isoformat()}"

    def compose(to: Recipient) -> tuple[str, str]:
        if to.role:
            intro = _("Denne oppgaven til %(role)s har ventet siden %(date)s. Ingen har tatt den ennå.") % {
                "role": _role(to.role),
                "date": format_dato(waiting_since),
            }
        elif to.deputy_for:
            intro = _(
                "Denne oppgaven har ventet på %(leader)s siden %(date)s. Du får påminnelsen som "
                "stedfortreder."
            ) % {"leader": to.deputy_for, "date": format_dato(waiting_since)}
        else:
            intro = _("Denne oppgaven har ventet på deg siden %(date)s.") % {
                "date": format_dato(waiting_since)
            }
        subject = _("Påminnelse: %(title)s") % {"title": task["title"]}
        return subject, _letter(str(to.person["name"]), intro, _task_lines(settings, task))

    return await send(settings, await recipients(task, key, day), compose)


async def escalation(
    settings: Settings,
    task: Row,
    *,
    leader: Row,
    unit_label: str,
    for_leader: str,
    day: date,
    waiting_since: date,
) -> int:
    """Tell the acting leader of the receiver's unit (key ``task.escalation:<id>:<day>``). The
    mail names the task and who it waits for; it has no link (the leader may not open it)."""
    key = f"task.escalation:{task['id']}:{day.isoformat()}"
    name = str(task["taken_by_name"] or task["receiver_name"] or "")

    def compose(to: Recipient) -> tuple[str, str]:
        waiting = _("%(name)s har ikke behandlet denne oppgaven, som har ventet siden %(date)s.") % {
            "name": name,
            "date": format_dato(waiting_since),
        }
        if for_leader:
            capacity = _("Du får denne e-posten som stedfortreder for %(leader)s, leder for %(unit)s.") % {
                "leader": for_leader,
                "unit": unit_label,
            }
        else:
            capacity = _("Du får denne e-posten som leder for %(unit)s.") % {"unit": unit_label}
        subject = _("Oppgave venter hos %(name)s: %(title)s") % {"name": name, "title": task["title"]}
        return subject, _letter(
            str(to.person["name"]), f"{waiting} {capacity}", _task_lines(settings, task, link=False)
        )

    if not _mailable(leader):
        return 0
    return await send(settings, [Recipient(leader, key)], compose)
