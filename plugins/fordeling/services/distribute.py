"""*Fordel valgte*: the ticked posts of a unit's queue to one handler of the unit, each new case
with its saksansvarlig, and the optional e-mail to the handler.

A distribution is checked first (:func:`prepare` gives a :class:`Plan`: the handler, the
posts as the leader saw them, the new cases among them and the saksansvarlig of each), then
carried out (:func:`carry_out`), one transaction per post: ``core.archive.services.fordel``
sets the handler and, for the first post of a case without saksansvarlig, the case's
saksansvarlig in the same transaction, and logs both (``archive.distributed`` and
``archive.case_owner_set``, on behalf of the leader for a deputy). When several new cases are
ticked, the queue asks for the saksansvarlig of each before distributing (the route's
*saksansvarlig* step); the default is the one chosen in the form, else the handler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core import mail
from core.archive import services as archive
from core.archive.queries import people
from core.archive.queries.distribution import items_by_id
from core.archive.queries.visibility import Viewer
from core.auth.user import User
from core.i18n import _, ngettext
from core.organisation import Authority
from core.runtime import Runtime
from core.web.actions import Done, Outcome, Selected
from plugins.fordeling.services.access import require_distributor
from plugins.fordeling.services.common import check_form, emit_done, parse_person, try_one

OWNER_FIELD = "saksansvarlig-"
"""Prefix of the per-case saksansvarlig fields: ``saksansvarlig-<saksmappe id>``."""


def owner_field(case_id: int) -> str:
    return f"{OWNER_FIELD}{case_id}"


@dataclass(frozen=True)
class NewCase:
    """A case the ticked posts start: it has no saksansvarlig yet, and one of its ticked posts
    is its main recipient (IM) in this unit, whose distribution sets the saksansvarlig."""

    id: int
    number: str
    """``2026/00012``."""
    title: str
    """As the leader may see it (the public title of a restricted case)."""
    posts: tuple[str, ...]
    """The ticked posts in it, ``2026/00012-1``."""

    @property
    def field(self) -> str:
        return owner_field(self.id)


@dataclass(frozen=True)
class Plan:
    """A checked *Fordel valgte* form: what :func:`carry_out` does (``errors`` when it may not)."""

    unit_id: int
    authority: Authority | None
    selected: list[Selected]
    items: dict[int, dict[str, Any]]
    handler_id: int | None
    new_cases: list[NewCase]
    owners: dict[int, int]
    """Saksansvarlig per new case (saksmappe id → person), defaults filled in."""
    default_owner: int | None
    """The form's *Saksansvarlig for nye saker*, if chosen."""
    candidates: list[dict[str, Any]]
    """The unit's active people (the selects' choices)."""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> dict[int, str]:
        return {int(p["id"]): str(p["name"]) for p in self.candidates}

    def check(self) -> int:
        """The handler, or :class:`ValidationFailed` with every problem of the form."""
        return check_form(self.selected, self.handler_id, dict(self.errors))


def new_cases_of(
    unit_id: int, selected: list[Selected], items: Mapping[int, dict[str, Any]]
) -> list[NewCase]:
    """The new cases among the ticked posts, in the order ticked, each once."""
    posts: dict[int, list[str]] = {}
    about: dict[int, tuple[str, str]] = {}
    for choice in selected:
        item = items.get(choice.id)
        if item is None or item["enhet"] != unit_id or not item["ny_sak"] or item["kopi"]:
            continue
        case_id = int(item["saksmappe_id"])
        posts.setdefault(case_id, []).append(str(item["registrerings_id"]))
        about[case_id] = (str(item["mappe_id"]), str(item["sak_tittel"]))
    return [NewCase(cid, about[cid][0], about[cid][1], tuple(p)) for cid, p in posts.items()]


async def prepare(
    user: User,
    unit_id: int,
    selected: list[Selected],
    handler_value: str | None,
    saksansvarlig_value: str | None = None,
    owner_values: Mapping[int, str | None] | None = None,
) -> Plan:
    """Check a *Fordel valgte* form without changing anything (:class:`~core.errors.Forbidden`
    when the user may not distribute from the unit's queue). ``owner_values``: the
    saksansvarlig step's choice per case (saksmappe id → the select's value)."""
    authority = require_distributor(user, unit_id)
    candidates = await people.unit_people(unit_id)
    errors: dict[str, str] = {}
    default_owner = parse_person(saksansvarlig_value, candidates)
    if saksansvarlig_value and default_owner is None:
        errors["saksansvarlig"] = _("Velg en saksansvarlig i enheten.")
    handler_id = parse_person(handler_value, candidates)
    items = await items_by_id(await Viewer.of(user), [s.id for s in selected]) if selected else {}
    cases = new_cases_of(unit_id, selected, items)
    owners: dict[int, int] = {}
    for case in cases:
        value = (owner_values or {}).get(case.id)
        chosen = parse_person(value, candidates) if value else None
        if value and chosen is None:
            errors[case.field] = _("Velg en saksansvarlig i enheten for %(case)s.") % {"case": case.number}
        owner = chosen or default_owner or handler_id
        if owner is not None:
            owners[case.id] = owner
    return Plan(
        unit_id, authority, selected, items, handler_id, cases, owners, default_owner, candidates, errors
    )


async def carry_out(runtime: Runtime, user: User, plan: Plan, *, notify: bool = False) -> Outcome:
    """Distribute the plan's posts, each in its own transaction (one that someone else took
    first does not undo the others). A post that set its case's saksansvarlig has it in its
    :class:`~core.web.actions.Done`'s ``extra``: ``saksansvarlig`` (id), ``saksansvarlig_navn``
    and ``sak`` (the case's number)."""
    handler_id = plan.check()
    names = plan.names
    outcome = Outcome()
    settings = runtime.settings
    for choice in plan.selected:
        item = plan.items.get(choice.id)
        owner = plan.owners.get(int(item["saksmappe_id"])) if item else None
        extra: dict[str, Any] = {}

        async def act(
            choice: Selected = choice,
            owner: int | None = owner or plan.default_owner,
            extra: dict[str, Any] = extra,
            item: dict[str, Any] | None = item,
        ) -> None:
            new_owner = await archive.fordel(
                settings, user, choice.id, handler_id, version=choice.version, saksansvarlig_id=owner
            )
            if new_owner is not None:
                extra.update(
                    saksansvarlig=new_owner,
                    saksansvarlig_navn=names.get(new_owner, ""),
                    sak=item["mappe_id"] if item else "",
                )

        await try_one(outcome, choice, item, act, names.get(handler_id, ""), extra)
    if notify and outcome.done:
        await notify_handler(runtime, user, handler_id, outcome.done)
    await emit_done(
        runtime,
        user,
        "fordeling.distributed",
        plan.authority,
        outcome,
        lambda entry: {"saksansvarlig_id": entry.extra.get("saksansvarlig")},
        unit_id=plan.unit_id,
        saksbehandler_id=handler_id,
    )
    return outcome


async def distribute(
    runtime: Runtime,
    user: User,
    unit_id: int,
    selected: list[Selected],
    handler_value: str | None,
    saksansvarlig_value: str | None = None,
    *,
    owners: Mapping[int, str | None] | None = None,
    notify: bool = False,
) -> Outcome:
    """Distribute the selected posts of a unit's queue to one handler of the unit: check
    (:func:`prepare`; :class:`~core.errors.ValidationFailed` with every problem) and carry out.

    For a post that is the first in a case without saksansvarlig, the case gets its
    ``owners`` entry, else ``saksansvarlig_value``, else the handler.
    """
    plan = await prepare(user, unit_id, selected, handler_value, saksansvarlig_value, owners)
    return await carry_out(runtime, user, plan, notify=notify)


def owners_set(outcome: Outcome) -> list[tuple[str, str]]:
    """``(case number, saksansvarlig)`` for each new case the distribution gave a saksansvarlig."""
    return [
        (str(entry.extra["sak"]), str(entry.extra["saksansvarlig_navn"]))
        for entry in outcome.done
        if entry.extra.get("saksansvarlig") is not None
    ]


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
