"""The foreløpig svar in the restanse lists (core/archive/queries/restanse_lists.py): one
restanse as a list item (``restanse_of``), the post a foreløpig svar names (number only) and who
registered it, and the posts a foreløpig svar may name (``foreloepig_svar_options``), with
skjerming; and the plan of a page's rows by id (PostgreSQL)."""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any

import pytest

from core.archive.queries import restanse_lists
from core.archive.queries.restanser import Scope, restanse_where
from core.archive.queries.visibility import Viewer
from core.archive.tables import Korrespondansepart
from core.querystrings import compile_for_postgres
from core.timeutil import now
from tests.support.factories import grant_code
from tests.support.restanse_builders import Org, make_case, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

D = date(2026, 4, 15)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


def viewer(person: int, *codes: str) -> Viewer:
    return Viewer(person_id=person, codes=frozenset(codes))


async def test_restanse_of_is_the_list_item_while_it_is_a_restanse(org: Org) -> None:
    r = await make_restanse(
        org.unit, org.handler, journaldato=date(2026, 3, 2), recipients=[(org.unit, None)]
    )
    copy = await make_restanse(org.unit, org.handler, copy_recipients=[(org.other_unit, None)])
    item = await restanse_lists.restanse_of(viewer(org.handler), r.korrespondansepart_id, D)
    assert item is not None
    page = await restanse_lists.open_restanser(
        viewer(org.handler), Scope(saksbehandler_id=org.handler), day=D
    )
    assert item == next(i for i in page.items if i["korrespondansepart_id"] == r.korrespondansepart_id)
    assert (
        await restanse_lists.restanse_of(viewer(org.handler), r.korrespondansepart_id, date(2026, 3, 1))
        is None
    )
    assert await restanse_lists.restanse_of(viewer(org.handler), copy.copies[0], D) is None
    assert await restanse_lists.restanse_of(viewer(org.handler), 2_000_000_000, D) is None
    await write_off(r.korrespondansepart_id, date(2026, 4, 1))
    assert await restanse_lists.restanse_of(viewer(org.handler), r.korrespondansepart_id, D) is None
    assert await restanse_lists.restanse_of(viewer(org.handler), r.parts[1], D) is not None  # the other IM


async def test_items_name_the_foreloepig_svar_post_and_who_registered_it(org: Org) -> None:
    r = await make_restanse(
        org.unit, org.handler, journaldato=date(2026, 1, 5), foreloepig_svar=date(2026, 2, 1)
    )
    reply = await make_restanse(
        org.unit,
        org.handler,
        type="U",
        status="E",
        case=r.case,
        tittel="Foreløpig svar",
        tilgangsrestriksjon="Ugradert/13",
    )
    at = now()
    await Korrespondansepart.update(
        {
            Korrespondansepart.foreloepig_svar_journalpost: reply.post,
            Korrespondansepart.foreloepig_svar_av: org.handler,
            Korrespondansepart.foreloepig_svar_registrert: at,
        }
    ).where(Korrespondansepart.id == r.korrespondansepart_id)
    item = await restanse_lists.restanse_of(viewer(org.leader), r.korrespondansepart_id, D)
    assert item is not None
    assert item["foreloepig_svar_dato"] == date(2026, 2, 1)
    assert item["foreloepig_svar_journalpost_id"] == reply.post
    assert item["foreloepig_svar_nummer"].startswith("2026/") and item["foreloepig_svar_nummer"].endswith(
        "-2"
    )
    assert item["foreloepig_svar_av"] == org.handler
    assert abs((item["foreloepig_svar_registrert"] - at).total_seconds()) < 1
    # Only the number: the restricted reply's title is not in the item.
    assert "Foreløpig svar" not in str(item)
    plain = await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 2))
    bare = await restanse_lists.restanse_of(viewer(org.handler), plain.korrespondansepart_id, D)
    assert bare is not None and bare["foreloepig_svar_nummer"] == "" and bare["foreloepig_svar_av"] is None


async def test_options_are_the_case_replies_with_titles_masked(org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    incoming = await make_restanse(org.unit, org.handler, case=case, journaldato=date(2026, 3, 2))
    letter = await make_restanse(
        org.unit, org.handler, type="U", status="E", case=case, tittel="Svar til Ola", offentlig_tittel="Svar"
    )
    secret = await make_restanse(
        org.unit,
        org.handler,
        type="U",
        status="R",
        case=case,
        tittel="Hemmelig svar",
        tilgangsrestriksjon="Ugradert/13",
    )
    gone = await make_restanse(org.unit, org.handler, type="U", status="U", case=case, tittel="Utgått")
    before = await make_restanse(
        org.unit,
        org.handler,
        type="U",
        status="E",
        case=case,
        journaldato=date(2026, 2, 1),
        tittel="Eldre brev",
    )
    memo = await make_restanse(org.unit, org.handler, type="X", status="J", case=case, tittel="Notat X")
    item = await restanse_lists.restanse_of(viewer(org.handler), incoming.korrespondansepart_id, D)
    assert item is not None
    # For an I post: its case's U posts, newest first, not utgått, not journalført before it;
    # the handler is involved.
    options = await restanse_lists.foreloepig_svar_options(viewer(org.handler), item)
    assert [(o["id"], o["tittel"]) for o in options] == [
        (secret.post, "Hemmelig svar"),
        (letter.post, "Svar til Ola"),
    ]
    # The leader holds no code and is not involved: the restricted title is masked.
    masked = await restanse_lists.foreloepig_svar_options(viewer(org.leader), item)
    assert [o["tittel"] for o in masked] == ["Skjermet tittel", "Svar til Ola"]
    await grant_code(org.leader, "Ugradert/13")
    shown = await restanse_lists.foreloepig_svar_options(viewer(org.leader, "Ugradert/13"), item)
    assert shown[0]["tittel"] == "Hemmelig svar"
    assert {gone.post, memo.post, before.post}.isdisjoint(o["id"] for o in options)
    # For an N note: the case's N and X posts, not the note itself.
    note = await make_restanse(org.unit, org.handler, type="N", case=case, author=org.handler2)
    note_item = await restanse_lists.restanse_of(viewer(org.handler), note.korrespondansepart_id, D)
    assert note_item is not None
    assert [
        o["id"] for o in await restanse_lists.foreloepig_svar_options(viewer(org.handler), note_item)
    ] == [memo.post]


# --- the page's rows by id: one plan for every scope --------------------------------------


def literal(value: object) -> str:
    """``value`` as an SQL literal for ``EXECUTE`` (the statement's parameter types are
    inferred by ``PREPARE``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in plan_nodes(child))]


@pytest.mark.skipif(os.environ.get("ARKIV_TEST_DATABASE") != "postgres", reason="PostgreSQL's planner")
async def test_the_rows_of_a_page_are_read_by_their_ids_in_a_generic_plan(org: Org) -> None:
    """The rows of a page are read by id with a generic plan (planned once per connection,
    for every viewer and scope); the scope's conditions must not become a way in. Planned as
    one join, PostgreSQL took a handler's condition for as selective as the 50 ids and read
    the busiest handler's 26 834 recipients to find them (105 ms at a million posts). The ids
    sit in a subquery fenced with OFFSET 0, and the handler's condition filters its rows."""
    made = [await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, day)) for day in (2, 3, 4)]
    ids = [r.korrespondansepart_id for r in made]
    scope = Scope(unit_ids=(org.unit,), saksbehandler_id=org.handler)
    query = restanse_lists.items_by_id_query(viewer(org.handler), ids, now(), restanse_where(scope, D))
    sql, args = compile_for_postgres(query)
    engine = Korrespondansepart._meta.db
    connection = await engine.get_new_connection()
    try:
        await connection.execute("SET plan_cache_mode = force_generic_plan")
        await connection.execute(f"PREPARE rows_by_id AS {sql}")
        execute = f"EXECUTE rows_by_id({', '.join(literal(a) for a in args)})"
        assert sorted(r["korrespondansepart_id"] for r in await connection.fetch(execute)) == sorted(ids)
        plan = json.loads(await connection.fetchval(f"EXPLAIN (FORMAT JSON) {execute}"))[0]["Plan"]
        generic = await connection.fetchval(
            "SELECT generic_plans FROM pg_prepared_statements WHERE name = 'rows_by_id'"
        )
    finally:
        await connection.close()
    assert generic >= 1
    nodes = plan_nodes(plan)
    fenced = [n for n in nodes if n["Node Type"] == "Subquery Scan" and n.get("Alias") == "k"]
    assert len(fenced) == 1 and "saksbehandler" in fenced[0]["Filter"]
    recipients = [n for n in plan_nodes(fenced[0]) if n.get("Relation Name") == "core_korrespondansepart"]
    assert recipients and all(
        "saksbehandler" not in n.get("Index Cond", "") + n.get("Filter", "")
        and "administrativ_enhet" not in n.get("Index Cond", "") + n.get("Filter", "")
        for n in recipients
    )
