"""The fordeling routine's rules: who may work which queue, and the actions on it.

The archive records change only through :mod:`core.archive.services` (``fordel``,
``set_recipient_unit``, ``add_merknad``), which check authority again, lock optimistically on
the korrespondansepart's ``version`` and write the hendelseslogg. This module adds what the
routine needs around them: the queue a user works in, form validation, one transaction per
journal post through the action kit (:mod:`core.web.actions`: one post that someone else took
first does not undo the others), a clear message naming who got there first, the optional
e-mail to the handler and the ``fordeling.*`` events.

Permissions (see the README):

* a unit's queue: its leader, or the deputy inside a registered absence of the leader
  (:meth:`core.auth.user.User.authority_for`); a deputy acts on behalf of the leader;
* the central queue (posts without a unit): Fellestjenesten/Arkiv;
* Fellestjenesten/Arkiv may also look at every unit's queue, without acting on it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from core import mail
from core.archive import services as archive
from core.archive.queries import choices, people, units
from core.archive.queries.distribution import items_by_id
from core.archive.queries.history import last_change, who_changed
from core.archive.queries.recipients import recipient_state
from core.archive.queries.visibility import Viewer
from core.archive.tables import Korrespondansepart
from core.auth.user import User
from core.contributions import Event
from core.db import writing
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.events import emit
from core.i18n import _, ngettext
from core.organisation import Authority
from core.runtime import Runtime
from core.validation import parse_id
from core.web.actions import Done, Outcome, Selected, attempt

REMARK_MAX = 1000


# --- who may do what -----------------------------------------------------------------------


def uses_fordeling(user: User) -> bool:
    """Leaders (and deputies today) and Fellestjenesten/Arkiv see the menu link and the card."""
    return user.is_leader or user.is_archive


def may_distribute(user: User, unit_id: int | None) -> bool:
    if unit_id is None:
        return user.is_archive
    return user.authority_for(unit_id) is not None


def may_view(user: User, unit_id: int | None) -> bool:
    return may_distribute(user, unit_id) or user.is_archive


def require_distributor(user: User, unit_id: int | None) -> Authority | None:
    """The user's authority for the queue (None for the central queue), or :class:`Forbidden`."""
    if unit_id is None:
        if not user.is_archive:
            raise Forbidden(_("Bare Fellestjenesten/Arkiv kan fordele post som ikke har fått enhet ennå."))
        return None
    authority = user.authority_for(unit_id)
    if authority is None:
        raise Forbidden(
            _(
                "Bare lederen for enheten kan fordele enhetens post, eller stedfortrederen mens "
                "lederen har registrert fravær."
            )
        )
    return authority


def require_viewer(user: User, unit_id: int | None) -> None:
    if not may_view(user, unit_id):
        require_distributor(user, unit_id)


def default_queue(user: User) -> int | None:
    """The queue ``/fordeling`` opens without ``?enhet=``: the first led unit, else central."""
    if user.led_unit_ids:
        return user.led_unit_ids[0]
    if user.is_archive:
        return None
    raise Forbidden(
        _(
            "Til fordeling er for ledere, stedfortredere i lederens fravær og Fellestjenesten/Arkiv. "
            "Du leder ingen enhet i dag."
        )
    )


async def require_unit(unit_id: int) -> dict[str, Any]:
    unit = await units.unit_by_id(unit_id)
    if unit is None:
        raise NotFound(_("Fant ingen enhet med dette nummeret."))
    return unit


# --- form values the services check --------------------------------------------------------


def parse_person(value: str | None, candidates: list[dict[str, Any]]) -> int | None:
    """A person id from a select; it must be one of ``candidates`` (active in the unit)."""
    person_id = parse_id(value)
    if person_id is not None and person_id in {p["id"] for p in candidates}:
        return person_id
    return None


def _check_form(selected: list[Selected], handler_id: int | None, errors: dict[str, str]) -> int:
    """Raise :class:`ValidationFailed` with every problem in the form at once."""
    if not selected:
        errors = {"valgt": _("Velg minst én journalpost."), **errors}
    if handler_id is None:
        errors.setdefault("saksbehandler", _("Velg en saksbehandler i enheten."))
    if errors or handler_id is None:
        raise ValidationFailed(errors)
    return handler_id


# --- results -------------------------------------------------------------------------------


def _label(item: dict[str, Any] | None, korrespondansepart_id: int) -> str:
    if item:
        return str(item["registrerings_id"])
    return _("Journalposten (%(id)s)") % {"id": korrespondansepart_id}


async def conflict_message(korrespondansepart_id: int, item: dict[str, Any] | None) -> str:
    """Say who got there first: read the current state and the last change in the log."""
    label = _label(item, korrespondansepart_id)
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


async def _try(
    outcome: Outcome, choice: Selected, item: dict[str, Any] | None, action: Any, to: str = ""
) -> None:
    """One post's change through the kit; on success the post is added to ``outcome.done``."""
    label = _label(item, choice.id)

    async def on_conflict() -> str:
        return await conflict_message(choice.id, item)

    if await attempt(outcome, label, action, on_conflict):
        outcome.done.append(Done(choice, item, label, to))


async def _emit(
    runtime: Runtime, user: User, name: str, authority: Authority | None, outcome: Outcome, **data: Any
) -> None:
    """One event per post done, after its transaction committed."""
    for entry in outcome.done:
        item = entry.item or {}
        payload = {
            "korrespondansepart_id": entry.selected.id,
            "journalpost_id": item.get("journalpost_id"),
            **data,
        }
        payload["on_behalf_of"] = authority.on_behalf_of if authority else None
        await emit(runtime, Event(name, payload, actor_id=user.person_id))


# --- fordel --------------------------------------------------------------------------------


async def distribute(
    runtime: Runtime,
    user: User,
    unit_id: int,
    selected: list[Selected],
    handler_value: str | None,
    saksansvarlig_value: str | None = None,
    *,
    notify: bool = False,
) -> Outcome:
    """Distribute the selected posts of a unit's queue to one handler of the unit.

    For a post that is the first in a case without saksansvarlig, the case gets
    ``saksansvarlig_value`` (default: the handler).
    """
    authority = require_distributor(user, unit_id)
    candidates = await people.unit_people(unit_id)
    errors: dict[str, str] = {}
    owner_id = parse_person(saksansvarlig_value, candidates)
    if saksansvarlig_value and owner_id is None:
        errors["saksansvarlig"] = _("Velg en saksansvarlig i enheten.")
    handler_id = _check_form(selected, parse_person(handler_value, candidates), errors)
    items = await items_by_id(await Viewer.of(user), [s.id for s in selected])
    handler_name = (await people.person_names([handler_id])).get(handler_id, "")
    outcome = Outcome()
    settings = runtime.settings
    for choice in selected:

        async def act(choice: Selected = choice) -> None:
            await archive.fordel(
                settings, user, choice.id, handler_id, version=choice.version, saksansvarlig_id=owner_id
            )

        await _try(outcome, choice, items.get(choice.id), act, handler_name)
    if notify and outcome.done:
        await notify_handler(runtime, user, handler_id, outcome.done)
    await _emit(
        runtime,
        user,
        "fordeling.distributed",
        authority,
        outcome,
        unit_id=unit_id,
        saksbehandler_id=handler_id,
    )
    return outcome


async def notify_handler(runtime: Runtime, user: User, handler_id: int, done: list[Done]) -> bool:
    """One e-mail (through the outbox) to the handler listing the posts just distributed.

    Titles of restricted posts stay out of the mail: only the public title is used.
    """
    person = (await people.people_by_id([handler_id])).get(handler_id)
    if person is None or not person["email"]:
        return False
    base = runtime.settings.public_base_url
    lines = []
    for entry in done:
        item = entry.item or {}
        title = item.get("offentlig_tittel") if item.get("skjermet") else item.get("vist_tittel")
        lines.append(f"- {entry.label}: {title or _('Skjermet tittel')}")
    count = len(done)
    subject = ngettext(
        "Du har fått en journalpost fra %(leader)s",
        "Du har fått %(count)s journalposter fra %(leader)s",
        count,
    ) % {"count": count, "leader": user.name}
    body = "\n".join(
        [
            _("Hei, %(name)s!") % {"name": person["name"]},
            "",
            _("%(leader)s har fordelt dette til deg:") % {"leader": user.name},
            "",
            *lines,
            "",
            _("Du finner journalpostene i arkivet: %(url)s") % {"url": f"{base}/"},
            "",
            _("Hilsen Arkivrutiner"),
        ]
    )
    fingerprint = hashlib.sha256(
        ",".join(f"{e.selected.value}" for e in sorted(done, key=lambda e: e.selected.id)).encode()
    ).hexdigest()[:32]
    return await mail.enqueue(
        key=f"fordeling.varsel:{handler_id}:{fingerprint}",
        to_address=person["email"],
        to_name=person["name"],
        subject=subject,
        body_text=body,
        source="fordeling",
    )


# --- send to another unit ------------------------------------------------------------------


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

        await _try(outcome, choice, items.get(choice.id), act, target_label)
    await _emit(
        runtime, user, "fordeling.sent_to_unit", authority, outcome, from_unit_id=from_unit, unit_id=target
    )
    return outcome


# --- omfordel ------------------------------------------------------------------------------


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

    Each post in one transaction: ``fordel`` to the new handler (logged by the archive as
    ``archive.redistributed``, on behalf of the leader for a deputy) and the remark as a
    merknad on the journal post (logged too).
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
    handler_id = _check_form(selected, new_handler, errors)
    items = await items_by_id(await Viewer.of(user), [s.id for s in selected])
    names = await people.person_names([from_handler, handler_id])
    outcome = Outcome()
    settings = runtime.settings
    for choice in selected:
        item = items.get(choice.id)
        if item is None or item["enhet"] != unit_id:
            outcome.problems.append(_("%(post)s finnes ikke i enheten.") % {"post": _label(item, choice.id)})
            continue

        async def act(choice: Selected = choice, item: dict[str, Any] = item) -> None:
            async with writing(Korrespondansepart):
                current = await recipient_state(choice.id)
                if current is None or current["saksbehandler"] != from_handler:
                    raise Conflict(_("Journalposten er endret i mellomtiden."))
                await archive.fordel(settings, user, choice.id, handler_id, version=choice.version)
                text = _("Omfordelt fra %(from)s til %(to)s: %(remark)s") % {
                    "from": names.get(from_handler, ""),
                    "to": names.get(handler_id, ""),
                    "remark": remark,
                }
                await archive.add_merknad(settings, user, text, journalpost_id=item["journalpost_id"])

        await _try(outcome, choice, item, act, names.get(handler_id, ""))
    await _emit(
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
