"""What the task pages share: the menu link with its count, labels of states and kinds, the
links of a task and of the record it is about."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.archive.numbering import mappe_id, registrerings_id
from core.archive.tables import Journalpost, Saksmappe
from core.auth.user import User
from core.contributions import MenuLink, TaskKind
from core.i18n import _
from core.roles import ROLE_LABELS
from core.tasks import queries
from core.tasks.services import outcome_text
from core.tasks.tables import DONE, OPEN, TAKEN, WITHDRAWN
from core.timeutil import today
from core.validation import parse_id
from core.web.pages import AnyRequest, runtime

CHANGED_EVENT = "oppgaver-endret"
"""``HX-Trigger`` after an action on a task: the card refreshes itself."""
INBOX_URL = "/oppgaver"

OBJECT_PAGES = {"journalpost": "/arkiv/journalpost/{id}", "saksmappe": "/arkiv/sak/{id}"}
"""The page of the record a task is about, for the object types core knows."""


async def menu_link(user: User) -> MenuLink:
    """*Mottatte oppgaver* with the number of tasks waiting (own and as deputy)."""
    count = await queries.inbox_count(user)
    return MenuLink(_("Mottatte oppgaver"), INBOX_URL, order=5, count=count.total, count_label=_("oppgaver"))


def state_labels() -> dict[str, str]:
    return {OPEN: _("Åpen"), TAKEN: _("Tatt"), DONE: _("Behandlet"), WITHDRAWN: _("Trukket tilbake")}


def kinds_of(request: AnyRequest) -> dict[str, TaskKind]:
    return runtime(request).task_kinds


def kind_label(kinds: Mapping[str, TaskKind], name: str) -> str:
    kind = kinds.get(name)
    return _(kind.label) if kind else name


def task_link(kinds: Mapping[str, TaskKind], task: Mapping[str, Any]) -> str:
    """Where a row of the inbox leads: the kind's own page, else the generic task page."""
    kind = kinds.get(str(task["kind"]))
    return kind.url_for(int(task["id"])) if kind else f"/oppgaver/{task['id']}"


def object_link(task: Mapping[str, Any]) -> str:
    page = OBJECT_PAGES.get(str(task["object_type"]))
    return page.format(id=task["object_id"]) if page else ""


async def object_text(task: Mapping[str, Any]) -> str:
    """What the task is about, as people know it: "Sak 2026/00123", "Journalpost
    2026/00123-4" (numbers only, never a title), else the type and id."""
    record_id = parse_id(str(task["object_id"]))
    if record_id is not None and task["object_type"] == "saksmappe":
        case = (
            await Saksmappe.select(Saksmappe.saksaar, Saksmappe.sakssekvensnummer)
            .where(Saksmappe.id == record_id)
            .first()
        )
        if case:
            return _("Sak %(number)s") % {"number": mappe_id(case["saksaar"], case["sakssekvensnummer"])}
    if record_id is not None and task["object_type"] == "journalpost":
        post = (
            await Journalpost.select(
                Journalpost.journalpostnummer,
                Journalpost.saksmappe.saksaar.as_alias("saksaar"),
                Journalpost.saksmappe.sakssekvensnummer.as_alias("sekvens"),
            )
            .where(Journalpost.id == record_id)
            .first()
        )
        if post:
            number = registrerings_id(post["saksaar"], post["sekvens"], post["journalpostnummer"])
            return _("Journalpost %(number)s") % {"number": number}
    return f"{task['object_type']} {task['object_id']}"


def receiver_text(task: Mapping[str, Any]) -> str:
    """The person a task went to, or the role's name."""
    if task["receiver_person"] is not None:
        return str(task["receiver_name"] or "")
    role = str(task["receiver_role"] or "")
    return _(ROLE_LABELS.get(role, role))


def template_context(request: AnyRequest) -> dict[str, Any]:
    """What every task template uses to label and link rows."""
    kinds = kinds_of(request)
    return {
        "kinds": kinds,
        "kind_label": lambda name: kind_label(kinds, name),
        "task_link": lambda task: task_link(kinds, task),
        "object_link": object_link,
        "receiver_text": receiver_text,
        "outcome_text": outcome_text,
        "state_labels": state_labels(),
        "today": today(),
    }
