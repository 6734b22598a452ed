"""Moving posts: to another unit's queue (*Send valgte til en annen enhet*, and the central
queue's *Send valgte til en enhet*), and between the handlers of a unit (*omfordel*)."""

from __future__ import annotations

from datetime import datetime

from core.archive import services as archive
from core.archive.queries import choices, people
from core.archive.queries.distribution import items_by_id, open_item_choices
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.errors import ValidationFailed
from core.i18n import _
from core.runtime import Runtime
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected
from plugins.fordeling.services.access import require_distributor
from plugins.fordeling.services.common import (
    check_form,
    conflict_message,
    emit_done,
    label_of,
    parse_person,
    try_one,
)

REMARK_MAX = 1000


async def send_to_unit(
    runtime: Runtime, user: User, from_unit: int | None, selected: list[Selected], unit_value: str | None
) -> Outcome:
    """Move the selected posts to another unit's queue (from the central queue: give them a
    unit)."""
    authority = require_distributor(user, from_unit)
    active_units = await choices.units()
    errors: dict[str, str] = {}
    if not selected:
        errors["valgt"] = _("Velg minst én journalpost.")
    target = parse_id(unit_value)
    if target is None or target not in {u["id"] for u in active_units} or target == from_unit:
        errors["enhet_til"] = (
            _("Velg en annen enhet enn denne.")
            if target is not None and target == from_unit
            else _("Velg en enhet.")
        )
    if errors:
        raise ValidationFailed(errors)
    assert target is not None
    items = await items_by_id(await Viewer.of(user), [s.id for s in selected])
    outcome = Outcome()
    target_label = next(f"{u['code']} {u['name']}" for u in active_units if u["id"] == target)
    for choice in selected:

        async def act(choice: Selected = choice) -> None:
            await archive.set_recipient_unit(
                runtime.settings, user, choice.id, target, version=choice.version
            )

        await try_one(outcome, choice, items.get(choice.id), act, target_label)
    await emit_done(
        runtime, user, "fordeling.sent_to_unit", authority, outcome, from_unit_id=from_unit, unit_id=target
    )
    return outcome


async def redistribute(
    runtime: Runtime,
    user: User,
    unit_id: int,
    from_handler: int,
    selected: list[Selected],
    handler_value: str | None,
    remark: str,
) -> Outcome:
    """Move distributed posts from one handler of the unit to another, with a remark.

    All in one transaction, set-based (:func:`core.archive.services.redistribute`): each post
    ``fordel``-ed to the new handler (logged by the archive as ``archive.redistributed``, on
    behalf of the leader for a deputy) and the remark as a merknad on the journal post (logged
    too). A post changed since the page showed it stays, with a message saying who changed it.
    """
    authority = require_distributor(user, unit_id)
    candidates = await people.unit_people(unit_id)
    errors: dict[str, str] = {}
    new_handler = parse_person(handler_value, candidates)
    if new_handler is not None and new_handler == from_handler:
        errors["saksbehandler"] = _("Velg en annen saksbehandler enn den som har journalpostene nå.")
    remark = remark.strip()
    if not remark:
        errors["merknad"] = _("Skriv hvorfor journalpostene omfordeles.")
    elif len(remark) > REMARK_MAX:
        errors["merknad"] = _("Merknaden kan ha høyst %(max)s tegn.") % {"max": REMARK_MAX}
    handler_id = check_form(selected, new_handler, errors)
    items = await items_by_id(await Viewer.of(user), [s.id for s in selected])
    names = await people.person_names([from_handler, handler_id])
    outcome = Outcome()
    chosen: list[Selected] = []
    for choice in selected:
        item = items.get(choice.id)
        if item is None or item["enhet"] != unit_id:
            outcome.problems.append(
                _("%(post)s finnes ikke i enheten.") % {"post": label_of(item, choice.id)}
            )
        else:
            chosen.append(choice)
    text = _("Omfordelt fra %(from)s til %(to)s: %(remark)s") % {
        "from": names.get(from_handler, ""),
        "to": names.get(handler_id, ""),
        "remark": remark,
    }
    result = await archive.redistribute(
        runtime.settings, user, unit_id, from_handler, handler_id, [(c.id, c.version) for c in chosen], text
    )
    moved = set(result.moved)
    for choice in chosen:
        item = items.get(choice.id)
        if choice.id in moved:
            outcome.done.append(Done(choice, item, label_of(item, choice.id), names.get(handler_id, "")))
        else:
            outcome.conflicts += 1
            outcome.problems.append(await conflict_message(choice.id, item))
    await emit_done(
        runtime,
        user,
        "fordeling.redistributed",
        authority,
        outcome,
        unit_id=unit_id,
        from_saksbehandler_id=from_handler,
        saksbehandler_id=handler_id,
    )
    return outcome


async def redistribute_all(
    runtime: Runtime,
    user: User,
    unit_id: int,
    from_handler: int,
    shown_at: datetime,
    handler_value: str | None,
    remark: str,
) -> Outcome:
    """*Omfordel alle*: every open post of ``from_handler`` in the unit that the page counted
    when it was shown at ``shown_at`` (on all its pages; a post that reached the handler later
    stays), moved as :func:`redistribute` moves the ticked ones."""
    require_distributor(user, unit_id)
    chosen = [
        Selected(id_, version) for id_, version in await open_item_choices(unit_id, from_handler, shown_at)
    ]
    return await redistribute(runtime, user, unit_id, from_handler, chosen, handler_value, remark)
