"""What every action on ticked posts shares: checking the form's people, the label of a post
in messages, "who got there first", one transaction per post through the action kit
(:func:`core.web.actions.attempt`) and the ``fordeling.*`` events after commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from core.archive.queries.history import last_change, who_changed
from core.archive.queries.recipients import recipient_state
from core.auth.user import User
from core.contributions import Event
from core.errors import ValidationFailed
from core.events import emit
from core.i18n import _
from core.organisation import Authority
from core.runtime import Runtime
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected, attempt


def parse_person(value: str | None, candidates: list[dict[str, Any]]) -> int | None:
    """A person id from a select; it must be one of ``candidates`` (active in the unit)."""
    person_id = parse_id(value)
    if person_id is not None and person_id in {p["id"] for p in candidates}:
        return person_id
    return None


def check_form(selected: list[Selected], handler_id: int | None, errors: dict[str, str]) -> int:
    """Raise :class:`ValidationFailed` with every problem in the form at once."""
    if not selected:
        errors = {"valgt": _("Velg minst én journalpost."), **errors}
    if handler_id is None:
        errors.setdefault("saksbehandler", _("Velg en saksbehandler i enheten."))
    if errors or handler_id is None:
        raise ValidationFailed(errors)
    return handler_id


def label_of(item: dict[str, Any] | None, korrespondansepart_id: int) -> str:
    if item:
        return str(item["registrerings_id"])
    return _("Journalposten (%(id)s)") % {"id": korrespondansepart_id}


async def conflict_message(korrespondansepart_id: int, item: dict[str, Any] | None) -> str:
    """Say who got there first: read the current state and the last change in the log."""
    label = label_of(item, korrespondansepart_id)
    state = await recipient_state(korrespondansepart_id)
    if state is None:
        return _("%(post)s finnes ikke lenger.") % {"post": label}
    who = who_changed(await last_change("korrespondansepart", korrespondansepart_id))
    if state["avskrevet"]:
        return _("%(post)s er allerede avskrevet, og kan ikke fordeles.") % {"post": label}
    if state["saksbehandler"] is not None:
        values = {"post": label, "handler": state["saksbehandler_navn"], "who": who}
        if who:
            return _("%(post)s er allerede fordelt av %(who)s til %(handler)s.") % values
        return _("%(post)s er allerede fordelt til %(handler)s.") % values
    if item is not None and state["enhet"] != item["enhet"]:
        unit = (
            f"{state['enhet_kode']} {state['enhet_navn']}"
            if state["enhet"] is not None
            else _("Fellestjenesten/Arkiv")
        )
        values = {"post": label, "unit": unit, "who": who}
        if who:
            return _("%(post)s er allerede sendt til %(unit)s av %(who)s.") % values
        return _("%(post)s er allerede sendt til %(unit)s.") % values
    return _("%(post)s er endret av noen andre i mellomtiden. Last siden på nytt og prøv igjen.") % {
        "post": label
    }


async def try_one(
    outcome: Outcome,
    choice: Selected,
    item: dict[str, Any] | None,
    action: Any,
    to: str = "",
    extra: dict[str, Any] | None = None,
) -> None:
    """One post's change through the kit; on success the post is added to ``outcome.done``
    (with ``extra``, which the action may have filled in)."""
    label = label_of(item, choice.id)

    async def on_conflict() -> str:
        return await conflict_message(choice.id, item)

    if await attempt(outcome, label, action, on_conflict):
        outcome.done.append(Done(choice, item, label, to, extra if extra is not None else {}))


async def emit_done(
    runtime: Runtime,
    user: User,
    name: str,
    authority: Authority | None,
    outcome: Outcome,
    per_post: Callable[[Done], dict[str, Any]] | None = None,
    **data: Any,
) -> None:
    """One event per post done, after its transaction committed (``per_post``: what differs
    from post to post)."""
    for entry in outcome.done:
        item = entry.item or {}
        payload = {
            "korrespondansepart_id": entry.selected.id,
            "journalpost_id": item.get("journalpost_id"),
            **data,
            **(per_post(entry) if per_post else {}),
        }
        payload["on_behalf_of"] = authority.on_behalf_of if authority else None
        await emit(runtime, Event(name, payload, actor_id=user.person_id))
