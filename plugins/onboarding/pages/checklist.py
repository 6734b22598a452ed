"""What the leaver's checklist page (``/onboarding/sjekkliste/{person}``) and the transfer
preview show: each line with its count and the items behind core's lines, the successors the
leader may pick, and whether the avgang may be completed."""

from __future__ import annotations

from typing import Any

from core.archive.queries.leaver import deputy_periods
from core.archive.queries.people import people_by_id
from core.auth.user import User
from core.errors import NotFound
from core.i18n import _
from core.organisation import unit_label
from core.web.pages import AnyRequest, runtime
from plugins.onboarding.services import checklist, transfer

ITEM_LINES = {
    "archive.restanser": "restanser",
    "archive.cases": "cases",
    "archive.unsent": "unsent",
    "tasks.open": "tasks",
    "org.deputy_periods": "stedfortreder",
}
"""Core's lines whose items the page lists itself (the preview's kinds, and the deputy
periods): the line links to ``#liste-<value>``."""


async def person_of(person_id: int) -> dict[str, Any]:
    person = (await people_by_id([person_id])).get(person_id)
    if person is None:
        raise NotFound(_("Fant ingen person med dette nummeret."))
    person = dict(person)
    person["unit_label"] = await unit_label(person["unit"]) if person["unit"] else ""
    return person


def item_link(kind: str, item: dict[str, Any]) -> str:
    if kind == "restanser":
        return f"/arkiv/journalpost/{item['journalpost_id']}"
    if kind == "cases":
        return f"/arkiv/sak/{item['id']}"
    if kind == "unsent":
        return f"/arkiv/journalpost/{item['id']}"
    return f"/oppgaver/{item['id']}"


async def checklist_context(request: AnyRequest, user: User, person_id: int, **extra: Any) -> dict[str, Any]:
    """The checklist page: raises Forbidden for anyone but the acting leader and
    Fellestjenesten/Arkiv (through :func:`transfer.summary`)."""
    items, counts = await transfer.summary(user, person_id)
    pm = runtime(request).pm
    lines = await checklist.lines(pm, person_id)
    return {
        "person": await person_of(person_id),
        "lines": lines,
        "open_count": sum(1 for line in lines if line.count),
        "items": items,
        "item_lines": ITEM_LINES,
        "item_link": item_link,
        "counts": counts,
        "deputy_periods": await deputy_periods(person_id),
        "successors": await transfer.successors(user, person_id),
        "may_complete": await checklist.may_complete(pm, person_id),
        "has_override": await checklist.has_override(person_id),
        "errors": extra.pop("errors", {}),
        **extra,
    }


async def preview_context(user: User, person_id: int, to_person: int | None, **extra: Any) -> dict[str, Any]:
    """The transfer preview: what moves to ``to_person`` now (the counts of all, the first
    items of each kind: :func:`core.archive.transfer.summary`)."""
    items, counts = await transfer.summary(user, person_id)
    successors = await transfer.successors(user, person_id)
    successor = next((s for s in successors if s["id"] == to_person), None)
    return {
        "person": await person_of(person_id),
        "items": items,
        "item_link": item_link,
        "counts": counts,
        "successor": successor,
        "successors": successors,
        "errors": extra.pop("errors", {}),
        **extra,
    }
