"""Merknader and the history (hendelseslogg rows) of a case or a journal post.

History rows come from ``core_audit_event`` by ``(object_type, object_id)`` (indexed): the case
itself, every post in it and their korrespondanseparter, whose ids are read first and named in
the statement (one index range per kind). A row's summary is shown only when the viewer may see the record
it is about; otherwise only what happened, who did it and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.admin.auditlog import action_label
from core.archive.numbering import registrerings_id
from core.archive.queries.common import Page, QueryString, as_bool, as_datetime, in_list, run, run_page
from core.archive.queries.visibility import Viewer, post_visible
from core.archive.tables import Merknad
from core.i18n import _

OBJECT_CASE = "saksmappe"
OBJECT_POST = "journalpost"

OBJECT_PART = "korrespondansepart"


def history_label(action: str, labels: Mapping[str, str] | None = None) -> str:
    """The label of an audit action as shown in a record's history (the audit log's labels:
    ``labels`` are the runtime's, core's and every plugin's)."""
    return action_label(action, labels)


async def remarks(
    viewer_sees: bool, *, saksmappe_id: int | None = None, journalpost_id: int | None = None
) -> list[dict[str, Any]]:
    """The remarks on a case or a post, oldest first; their text only when ``viewer_sees``."""
    where = (
        Merknad.saksmappe == saksmappe_id
        if saksmappe_id is not None
        else Merknad.journalpost == journalpost_id
    )
    rows: list[dict[str, Any]] = (
        await Merknad.select(
            Merknad.id,
            Merknad.merknadstekst,
            Merknad.merknadstype,
            Merknad.merknadsdato,
            Merknad.registrert_av.name.as_alias("registrert_av_navn"),
            Merknad.registrert_av.initials.as_alias("registrert_av_initialer"),
        )
        .where(where)
        .order_by(Merknad.merknadsdato, Merknad.id)
    )
    for row in rows:
        row["synlig"] = viewer_sees
        if not viewer_sees:
            row["merknadstekst"] = ""
    return rows


_EVENT_SELECT = (
    "SELECT e.id, e.at, e.action, e.object_type, e.object_id, e.summary, "
    "a.name AS actor_name, a.initials AS actor_initials, b.name AS on_behalf_of_name "
    "FROM core_audit_event e LEFT JOIN core_person a ON a.id = e.actor "
    "LEFT JOIN core_person b ON b.id = e.on_behalf_of WHERE {} ORDER BY e.at DESC, e.id DESC"
)


MAX_LISTED = 5000
"""Records of one kind named in the statement by id (beyond that, a subquery names them)."""


def _events_of(objects: list[tuple[str, list[int], QueryString | None]]) -> QueryString:
    """SQL over the audit event ``e``: about one of ``objects`` (object type, the ids, and a
    subquery of the same ids as text for when there are more than :data:`MAX_LISTED`). The ids
    are read first and written into the statement, so each kind is one range of the index
    ``core_audit_event_object``: with the subqueries in an ``OR`` PostgreSQL read the whole
    hendelseslogg for every case page (25 ms per statement at 74 000 events)."""
    branches = [
        QueryString(
            "(e.object_type = {} AND {})",
            object_type,
            in_list("e.object_id", [str(i) for i in ids])
            if subquery is None or len(ids) <= MAX_LISTED
            else QueryString("e.object_id IN ({})", subquery),
        )
        for object_type, ids, subquery in objects
        if ids
    ]
    return QueryString("({})".format(" OR ".join("{}" for _ in branches)), *branches)


async def _case_events(saksmappe_id: int) -> QueryString:
    """The case, its posts and their korrespondanseparter (fordeling, avskrivning)."""
    rows = await run(
        QueryString(
            "SELECT hj.id AS post, hk.id AS part FROM core_journalpost hj "
            "LEFT JOIN core_korrespondansepart hk ON hk.journalpost = hj.id WHERE hj.saksmappe = {}",
            saksmappe_id,
        )
    )
    posts = sorted({int(r["post"]) for r in rows})
    parts = sorted({int(r["part"]) for r in rows if r["part"] is not None})
    return _events_of(
        [
            (OBJECT_CASE, [saksmappe_id], None),
            (
                OBJECT_POST,
                posts,
                QueryString(
                    "SELECT CAST(hj.id AS VARCHAR(80)) FROM core_journalpost hj WHERE hj.saksmappe = {}",
                    saksmappe_id,
                ),
            ),
            (
                OBJECT_PART,
                parts,
                QueryString(
                    "SELECT CAST(hk.id AS VARCHAR(80)) FROM core_korrespondansepart hk "
                    "JOIN core_journalpost hkj ON hkj.id = hk.journalpost WHERE hkj.saksmappe = {}",
                    saksmappe_id,
                ),
            ),
        ]
    )


async def _post_events(journalpost_id: int) -> QueryString:
    """The post and its korrespondanseparter."""
    rows = await run(
        QueryString("SELECT hk.id FROM core_korrespondansepart hk WHERE hk.journalpost = {}", journalpost_id)
    )
    parts = sorted(int(r["id"]) for r in rows)
    return _events_of(
        [
            (OBJECT_POST, [journalpost_id], None),
            (
                OBJECT_PART,
                parts,
                QueryString(
                    "SELECT CAST(hk.id AS VARCHAR(80)) FROM core_korrespondansepart hk WHERE hk.journalpost = {}",
                    journalpost_id,
                ),
            ),
        ]
    )


def _ids(rows: list[dict[str, Any]], object_type: str) -> list[int]:
    return sorted(
        {int(r["object_id"]) for r in rows if r["object_type"] == object_type and r["object_id"].isdigit()}
    )


async def _finish(
    viewer: Viewer, result: Page, case_visible: bool, labels: Mapping[str, str] | None = None
) -> Page:
    """Labels, post numbers, and summaries only where the viewer may see the record."""
    part_ids = _ids(result.items, OBJECT_PART)
    part_posts: dict[str, int] = {}
    if part_ids:
        for row in await run(
            QueryString(
                "SELECT hk.id, hk.journalpost FROM core_korrespondansepart hk WHERE {}",
                in_list("hk.id", part_ids),
            )
        ):
            part_posts[str(row["id"])] = int(row["journalpost"])
    post_ids = sorted(set(_ids(result.items, OBJECT_POST)) | set(part_posts.values()))
    posts: dict[int, dict[str, Any]] = {}
    if post_ids:
        for row in await run(
            QueryString(
                "SELECT j.id, j.journalpostnummer, s.saksaar, s.sakssekvensnummer, "
                "CASE WHEN {} THEN 1 ELSE 0 END AS synlig "
                "FROM core_journalpost j JOIN core_saksmappe s ON s.id = j.saksmappe WHERE {}",
                post_visible(viewer, per_row=True),
                in_list("j.id", post_ids),
            )
        ):
            posts[int(row["id"])] = row
    for row in result.items:
        row["at"] = as_datetime(row["at"])
        row["action_label"] = history_label(row["action"], labels)
        post_id: int | None = None
        if row["object_type"] == OBJECT_POST and row["object_id"].isdigit():
            post_id = int(row["object_id"])
        elif row["object_type"] == OBJECT_PART:
            post_id = part_posts.get(row["object_id"])
        post = posts.get(post_id) if post_id is not None else None
        if post is not None:
            row["journalpost_id"] = post["id"]
            row["registrerings_id"] = registrerings_id(
                post["saksaar"], post["sakssekvensnummer"], post["journalpostnummer"]
            )
            visible = as_bool(post["synlig"])
        else:
            row["journalpost_id"] = None
            row["registrerings_id"] = ""
            visible = case_visible
        if not visible:
            row["summary"] = ""
    return result


async def case_history(
    viewer: Viewer,
    saksmappe_id: int,
    *,
    case_visible: bool,
    page: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Page:
    """Events on the case and its posts, newest first."""
    where = await _case_events(saksmappe_id)
    result = await run_page(
        QueryString(_EVENT_SELECT, where),
        QueryString("SELECT COUNT(*) AS n FROM core_audit_event e WHERE {}", where),
        page,
        size=20,
    )
    return await _finish(viewer, result, case_visible, labels)


async def post_history(
    viewer: Viewer, journalpost_id: int, *, page: int | None = None, labels: Mapping[str, str] | None = None
) -> Page:
    """Events on one post, newest first."""
    where = await _post_events(journalpost_id)
    result = await run_page(
        QueryString(_EVENT_SELECT, where),
        QueryString("SELECT COUNT(*) AS n FROM core_audit_event e WHERE {}", where),
        page,
        size=20,
    )
    return await _finish(viewer, result, case_visible=False, labels=labels)


# --- who changed a record last (for "someone else was first" messages) ----------------------


async def last_change(object_type: str, object_id: int | str) -> dict[str, Any] | None:
    """The newest hendelseslogg row about one record: ``action``, ``at``, ``actor_name`` and
    ``on_behalf_of_name`` (None when the log has nothing on it). One indexed read."""
    rows = await run(
        QueryString(
            "SELECT e.action, e.at, a.name AS actor_name, b.name AS on_behalf_of_name "
            "FROM core_audit_event e LEFT JOIN core_person a ON a.id = e.actor "
            "LEFT JOIN core_person b ON b.id = e.on_behalf_of "
            "WHERE e.object_type = {} AND e.object_id = {} ORDER BY e.id DESC LIMIT 1",
            object_type,
            str(object_id),
        )
    )
    if not rows:
        return None
    row = rows[0]
    row["at"] = as_datetime(row["at"])
    return row


def who_changed(change: dict[str, Any] | None) -> str:
    """ "Kari Nordmann", "Ola Hansen på vegne av Kari Nordmann" (a deputy), "systemet" for a
    change without a person, or "" when nothing is known."""
    if change is None:
        return ""
    who = str(change.get("actor_name") or "") or _("systemet")
    if change.get("on_behalf_of_name"):
        who = _("%(actor)s på vegne av %(leader)s") % {"actor": who, "leader": change["on_behalf_of_name"]}
    return who
