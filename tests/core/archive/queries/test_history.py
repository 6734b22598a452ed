"""The history of a case and of a post (core.archive.queries.history): the events of the record,
its posts and their korrespondanseparter, not another record's that shares a number; read by
the index of the hendelseslogg, not by reading it all."""

from __future__ import annotations

from typing import Any

import pytest

from core import audit
from core.archive.queries import history
from core.archive.queries.visibility import Viewer
from core.archive.tables import Journalpost
from tests.core.archive.service_org import incoming, make_org, post_row, recipient
from tests.support.plans import plan_of

pytestmark = pytest.mark.anyio


async def log(object_type: str, object_id: int, action: str) -> None:
    await audit.record(actor_id=None, action=action, object_type=object_type, object_id=object_id)


async def actions(page: Any) -> list[str]:
    return [row["action"] for row in page.items]


async def test_a_case_and_a_post_show_their_own_records_events(settings, db, monkeypatch) -> None:
    org = await make_org()
    post = await incoming(settings, org)
    case = int((await post_row(post))["saksmappe"])
    part = int((await recipient(post))["id"])
    other_post = await incoming(settings, org)
    other_case = int((await post_row(other_post))["saksmappe"])
    await log("saksmappe", case, "test.case")
    await log("journalpost", post, "test.post")
    await log("korrespondansepart", part, "test.part")
    await log("saksmappe", other_case, "test.other_case")
    await log("journalpost", other_post, "test.other_post")
    viewer = Viewer(person_id=org.archivist, codes=frozenset())
    for listed in (history.MAX_LISTED, 0):  # ids named in the statement, or read by a subquery
        monkeypatch.setattr(history, "MAX_LISTED", listed)
        case_actions = await actions(await history.case_history(viewer, case, case_visible=True))
        assert {"test.case", "test.post", "test.part"} <= set(case_actions), case_actions
        assert not {"test.other_case", "test.other_post"} & set(case_actions)
        post_actions = await actions(await history.post_history(viewer, post))
        assert {"test.post", "test.part"} <= set(post_actions) and "test.case" not in post_actions


async def test_the_history_reads_the_hendelseslogg_by_its_index(settings, db) -> None:
    """20 000 events of other records: the case's history is index ranges of
    ``core_audit_event_object`` (the posts' and recipients' ids named in the statement), not a
    read of the whole hendelseslogg (which an ``OR`` of subqueries made PostgreSQL do)."""
    org = await make_org()
    post = await incoming(settings, org)
    case = int((await post_row(post))["saksmappe"])
    await Journalpost.raw(
        "INSERT INTO core_audit_event (at, action, object_type, object_id, summary, details) "
        "SELECT CURRENT_TIMESTAMP, 'test.other', 'korrespondansepart', CAST(i + 1000000 AS VARCHAR(80)), '', {} "
        "FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) SELECT i FROM n) serie",
        "{}",
    )
    await Journalpost.raw("ANALYZE core_audit_event")
    try:
        await assert_the_history_uses_the_index(case, post)
    finally:  # the next tests must not plan for these rows
        await Journalpost.raw("DELETE FROM core_audit_event WHERE action = 'test.other'")
        await Journalpost.raw("ANALYZE core_audit_event")


async def assert_the_history_uses_the_index(case: int, post: int) -> None:
    for where in (await history._case_events(case), await history._post_events(post)):
        query = history.QueryString("SELECT e.id FROM core_audit_event e WHERE {}", where)
        if (
            Journalpost._meta.db.engine_type == "postgres"
        ):  # the planner's own choice (plan_of forbids seq scans)
            rows = await Journalpost.raw("EXPLAIN {}", query)
            plan = "\n".join(str(row["QUERY PLAN"]) for row in rows)
        else:
            plan = await plan_of(query)
        assert "core_audit_event_object" in plan, plan
        assert "Seq Scan on core_audit_event" not in plan and "SCAN e\n" not in plan + "\n", plan
