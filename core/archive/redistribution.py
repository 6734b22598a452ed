"""*Omfordeling* of many internal recipients at once: a leader (or active deputy) moves a
handler's open posts in the unit to another handler, with a remark on each post, in ONE write
transaction.

Per recipient it writes what :func:`core.archive.recipients.fordel` and
:func:`core.archive.lifecycle.add_merknad` write for one (the recipient's handler,
``fordelt_dato`` and name; an incoming post's own handler and unit when it is the main
recipient; a new case's saksansvarlig; the merknad, its merknadstype decided for each post as
:func:`core.archive.permissions.post_worker` decides it; the hendelseslogg rows
``archive.redistributed``, ``archive.case_owner_set`` and ``archive.remark_added``), but the
reads, the updates, the sender suggestions and the restanse ledger are set-based: moving one
post at a time took 76 statements and 22–48 ms per post (2 856 posts in 138 s at a million
posts, docs/benchmarks.md).

One remark per post: two chosen recipients of one post (rare: two internal main recipients
with the same handler) share it, where the one-at-a-time path wrote one per recipient. All the
moved recipients get the same ``fordelt_dato``.

A recipient that changed since the page showed it (another version, another handler or unit,
written off, gone, not an internal I/N recipient) is left as it is and returned in
``changed``; the others move. Any error moves nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core import audit
from core.archive import ledger, permissions, rules, sender_handlers
from core.archive.access import access_codes
from core.archive.queries.common import QueryString, in_list, run
from core.archive.recipients import case_owner_set, distributed, is_incoming
from core.archive.records import (
    CASE_COLUMNS,
    PART_COLUMNS,
    POST_COLUMNS,
    Row,
    active_people,
    chunks,
    is_postgres,
    post_label,
    touch_many,
)
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.auth.user import User
from core.db import writing
from core.errors import ValidationFailed
from core.i18n import _
from core.timeutil import now

OBJECT = "korrespondansepart"


@dataclass
class Redistributed:
    """What :func:`redistribute` did: the recipients moved (in the order given) and those left
    because they changed since they were shown."""

    moved: list[int] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)


async def _rows(
    table: Any, columns: Sequence[Any], ids: Sequence[int], *, lock: bool = False
) -> dict[int, Row]:
    """Rows of ``table`` by id, in id order (locked on PostgreSQL with ``lock``, as
    :func:`core.archive.records.load_case` locks one)."""
    found: dict[int, Row] = {}
    for chunk in chunks(sorted(set(ids))):
        query = (
            table.select(*columns)
            .where(table._meta.primary_key.is_in(chunk))
            .order_by(table._meta.primary_key)
        )
        if lock and is_postgres():
            query = query.lock_rows("NO KEY UPDATE")
        for row in await query:
            found[int(row["id"])] = row
    return found


async def _written_off(ids: Sequence[int]) -> set[int]:
    """The recipients among ``ids`` written off, by their own avskrivning or one of their whole
    post (:func:`core.archive.recipients.is_written_off` for many)."""
    found: set[int] = set()
    for chunk in chunks(ids):
        rows = await run(
            QueryString(
                "SELECT DISTINCT k.id FROM core_korrespondansepart k JOIN core_avskrivning a "
                "ON a.journalpost = k.journalpost AND (a.korrespondansepart = k.id OR a.korrespondansepart IS NULL) "
                "WHERE {}",
                in_list("k.id", chunk),
            )
        )
        found.update(int(r["id"]) for r in rows)
    return found


async def redistribute(
    user: User,
    unit_id: int,
    from_handler: int,
    to_handler: int,
    chosen: Sequence[tuple[int, int]],
    merknad: str,
) -> Redistributed:
    """Move the recipients ``chosen`` (id, the version shown) of ``unit_id`` from
    ``from_handler`` to ``to_handler`` with the remark ``merknad`` on each post (see the
    module). Only a leader or active deputy of the unit (audited on behalf of the leader)."""
    acting = permissions.as_leader(user, unit_id)
    if acting is None:
        raise permissions.leader_refused()
    errors: dict[str, str] = {}
    text = rules.check_merknad(merknad, errors)
    shown = {int(id_): int(version) for id_, version in chosen}
    order = list(dict.fromkeys(int(id_) for id_, _ in chosen))
    result = Redistributed()
    async with writing(Korrespondansepart):
        people = await active_people([to_handler])
        handler = people.get(to_handler)
        if handler is None or handler["unit"] != unit_id:
            rules.add(errors, "saksbehandler_id", _("Velg en aktiv saksbehandler i enheten."))
        elif to_handler == from_handler:
            rules.add(
                errors, "saksbehandler_id", _("Journalposten er allerede fordelt til denne saksbehandleren.")
            )
        if errors or handler is None:
            raise ValidationFailed(errors)
        parts = await _rows(Korrespondansepart, PART_COLUMNS, order)
        post_ids = {int(p["journalpost"]) for p in parts.values()}
        unlocked_posts = await _rows(Journalpost, (Journalpost.id, Journalpost.saksmappe), list(post_ids))
        # Locked as fordel locks one: the cases, then the posts (then the recipients, updated).
        cases = await _rows(
            Saksmappe, CASE_COLUMNS, [int(p["saksmappe"]) for p in unlocked_posts.values()], lock=True
        )
        posts = await _rows(Journalpost, POST_COLUMNS, list(post_ids), lock=True)
        parts = await _rows(Korrespondansepart, PART_COLUMNS, order, lock=True)
        written_off = await _written_off(order)
        moving: list[int] = []
        for part_id in order:
            part = parts.get(part_id)
            post = posts.get(int(part["journalpost"])) if part else None
            if (
                part is None
                or post is None
                or part["version"] != shown[part_id]
                or part["saksbehandler"] != from_handler
                or part["administrativ_enhet"] != unit_id
                or not part["intern"]
                or part["korrespondanseparttype"] not in rules.INTERNAL_PART_TYPES
                or post["journalposttype"] not in rules.RESTANSE_TYPES
                or post["journalstatus"] == "U"
                or part_id in written_off
            ):
                result.changed.append(part_id)
            else:
                moving.append(part_id)
        if not moving:
            return result
        at = now()
        await touch_many(
            Korrespondansepart,
            moving,
            "saksbehandler = {}, fordelt_dato = {}, navn = {}",
            to_handler,
            at,
            handler["name"][:300],
        )
        main = [p for p in moving if parts[p]["korrespondanseparttype"] == "IM"]
        incoming = [p for p in main if is_incoming(posts[int(parts[p]["journalpost"])])]
        await touch_many(
            Journalpost,
            sorted({int(parts[p]["journalpost"]) for p in incoming}),
            "saksbehandler = {}, administrativ_enhet = {}",
            to_handler,
            unit_id,
        )
        # A new case (no saksansvarlig yet) gets the handler, as a first distribution gives it.
        owners: dict[int, int] = {}
        for part_id in main:
            case = cases[int(posts[int(parts[part_id]["journalpost"])]["saksmappe"])]
            if case["saksansvarlig"] is None and int(case["id"]) not in owners:
                owners[int(case["id"])] = part_id
        await touch_many(
            Saksmappe,
            sorted(c for c in owners if cases[c]["administrativ_enhet"] is not None),
            "saksansvarlig = {}",
            to_handler,
            where=" AND saksansvarlig IS NULL",
        )
        await touch_many(
            Saksmappe,
            sorted(c for c in owners if cases[c]["administrativ_enhet"] is None),
            "saksansvarlig = {}, administrativ_enhet = {}",
            to_handler,
            unit_id,
            where=" AND saksansvarlig IS NULL",
        )
        # The sender suggestions: the new handler got these senders' posts now; the previous one's
        # latest may be an older post, or none (set-based, as a leaver's transfer does).
        await sender_handlers.record(moving)
        await sender_handlers.rebuild_for(from_handler)
        await ledger.refresh_parts(moving)
        # The rows as they are now, for the hendelseslogg and the remarks' capacity (fordel's
        # add_merknad read the post and case again after the move).
        for part_id in incoming:
            post = posts[int(parts[part_id]["journalpost"])]
            post["saksbehandler"], post["administrativ_enhet"] = to_handler, unit_id
        for case_id in owners:
            cases[case_id]["saksansvarlig"] = to_handler
            cases[case_id]["administrativ_enhet"] = cases[case_id]["administrativ_enhet"] or unit_id
        names = await active_people([from_handler])
        previous = names[from_handler]["name"] if from_handler in names else from_handler
        events = []
        for part_id in moving:
            post = posts[int(parts[part_id]["journalpost"])]
            case = cases[int(post["saksmappe"])]
            owner = to_handler if owners.get(int(case["id"])) == part_id else None
            events.append(
                distributed(
                    user, acting, case, post, part_id, unit_id, (from_handler, previous), handler, owner
                )
            )
            if owner is not None:
                events.append(case_owner_set(user, acting, case, post, handler, part_id, unit_id))
        await audit.record_many(events)
        await _remarks(user, moving, parts, posts, cases, text, at)  # after, as fordel then add_merknad
    result.moved = moving
    return result


async def _remarks(
    user: User,
    moving: Sequence[int],
    parts: dict[int, Row],
    posts: dict[int, Row],
    cases: dict[int, Row],
    text: str,
    at: Any,
) -> None:
    """The remark on each moved recipient's post (one per post), as
    :func:`core.archive.lifecycle.add_merknad` writes it after the move: its merknadstype from
    :func:`core.archive.permissions.post_worker` with the post's recipients as they are now."""
    post_ids = list(dict.fromkeys(int(parts[p]["journalpost"]) for p in moving))
    recipients: dict[int, list[Row]] = {post_id: [] for post_id in post_ids}
    for chunk in chunks(post_ids):
        rows = await run(
            QueryString(
                "SELECT journalpost, administrativ_enhet, saksbehandler FROM core_korrespondansepart "
                "WHERE intern AND {}",
                in_list("journalpost", chunk),
            )
        )
        for row in rows:
            recipients[int(row["journalpost"])].append(row)
    codes = await access_codes(user.person_id)
    workers = {}
    for post_id in post_ids:
        post = posts[post_id]
        workers[post_id] = await permissions.post_worker(
            user,
            post,
            cases[int(post["saksmappe"])],
            as_recipient=True,
            recipients=recipients[post_id],
            codes=codes,
        )
    remark_ids: dict[int, int] = {}
    for chunk in chunks(post_ids):
        values: list[Any] = []
        for post_id in chunk:
            values += [post_id, text, workers[post_id].merknadstype, at, user.person_id]
        rows = await run(
            QueryString(
                "INSERT INTO core_merknad (journalpost, merknadstekst, merknadstype, merknadsdato, registrert_av) "  # noqa: S608 - placeholders only
                f"VALUES {', '.join(['({}, {}, {}, {}, {})'] * len(chunk))} RETURNING id, journalpost",
                *values,
            )
        )
        remark_ids.update({int(r["journalpost"]): int(r["id"]) for r in rows})
    events = []
    for post_id in post_ids:
        post = posts[post_id]
        worker = workers[post_id]
        events.append(
            audit.Event(
                actor_id=user.person_id,
                on_behalf_of=worker.on_behalf_of,
                action="archive.remark_added",
                object_type="journalpost",
                object_id=post_id,
                summary=post_label(cases[int(post["saksmappe"])], post),
                details={"merknad_id": remark_ids[post_id], "merknadstype": worker.merknadstype},
            )
        )
    await audit.record_many(events)
