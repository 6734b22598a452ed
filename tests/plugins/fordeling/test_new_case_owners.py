"""A saksansvarlig per new case when several new cases are distributed at once: the plan
(services.prepare), the distribution with each case's choice in the post's own transaction and
its own hendelseslogg row, the second step of the queue form (with and without htmx, back to
the queue, errors), the success message naming the handler and each case's saksansvarlig, and
one winner when someone else distributes one of the posts meanwhile."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.archive.tables import Saksmappe
from core.auth.user import load_user
from core.runtime import build_runtime
from core.tables import AuditEvent
from core.web.actions import Selected
from plugins.fordeling import services
from tests.plugins.fordeling.conftest import Org, Post, absent, make_case, make_post, part
from tests.support.factories import csrf, login

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}


def ticked(*posts: Post) -> list[str]:
    return [f"{p.korrespondansepart_id}:1" for p in posts]


def case_number(post: Post) -> str:
    return post.number.rsplit("-", 1)[0]


async def owner_of(post: Post) -> int | None:
    row = await Saksmappe.select(Saksmappe.saksansvarlig).where(Saksmappe.id == post.case).first()
    assert row is not None
    return row["saksansvarlig"]


async def owner_events() -> list[dict[str, Any]]:
    rows = (
        await AuditEvent.select().where(AuditEvent.action == "archive.case_owner_set").order_by(AuditEvent.id)
    )
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


async def post_form(client: Any, data: dict[str, Any], htmx: bool = False) -> Any:
    headers = {**csrf(client), **(HTMX if htmx else {})}
    return await client.post("/fordeling/fordel", data=data, headers=headers)


async def three_posts(org: Org) -> tuple[Post, Post, Post]:
    """Two new cases and a post in a case that has its saksansvarlig."""
    first = await make_post(await make_case(tittel="Deling av gnr. 12"), unit=org.unit)
    second = await make_post(await make_case(tittel="Nydyrking Ner-Huset"), unit=org.unit)
    owned = await make_post(await make_case(unit=org.unit, saksansvarlig=org.handler2), unit=org.unit)
    return first, second, owned


# --- the service ---------------------------------------------------------------------------


async def test_plan_and_distribution_set_each_new_cases_saksansvarlig(settings, org: Org) -> None:
    first, second, owned = await three_posts(org)
    # A copy (IK) in a new case does not set its saksansvarlig: that case is not "new" here.
    copy = await make_post(await make_case(), unit=org.unit, parttype="IK")
    await absent(org, today_inside=True)
    deputy = await load_user(org.deputy)
    assert deputy is not None
    selected = [Selected(p.korrespondansepart_id, 1) for p in (first, second, owned, copy)]
    plan = await services.prepare(deputy, org.unit, selected, str(org.handler))
    assert [c.id for c in plan.new_cases] == [first.case, second.case]
    assert plan.new_cases[0].title == "Deling av gnr. 12" and plan.new_cases[0].posts == (first.number,)
    assert plan.owners == {first.case: org.handler, second.case: org.handler}  # default: the handler
    assert plan.errors == {}

    plan = await services.prepare(
        deputy,
        org.unit,
        selected,
        str(org.handler),
        str(org.leader),  # the queue's «Saksansvarlig for nye saker»: the default of every case
        {second.case: str(org.handler2)},
    )
    assert plan.owners == {first.case: org.leader, second.case: org.handler2}
    outcome = await services.carry_out(build_runtime(settings), deputy, plan)
    assert len(outcome.done) == 4 and not outcome.problems
    assert (await owner_of(first), await owner_of(second), await owner_of(owned)) == (
        org.leader,
        org.handler2,
        org.handler2,
    )
    assert await owner_of(copy) is None
    assert services.owners_set(outcome) == [
        (case_number(first), "Lene Leder"),
        (case_number(second), "Harald Handler"),
    ]
    # One hendelseslogg row per case: who, on whose behalf, what.
    events = await owner_events()
    assert [(e["object_type"], e["object_id"]) for e in events] == [
        ("saksmappe", str(first.case)),
        ("saksmappe", str(second.case)),
    ]
    for event, owner in zip(events, (org.leader, org.handler2), strict=True):
        assert (event["actor"], event["on_behalf_of"]) == (org.deputy, org.leader)
        assert event["details"]["saksansvarlig"] == owner


async def test_plan_refuses_a_saksansvarlig_outside_the_unit(org: Org) -> None:
    first, second, _owned = await three_posts(org)
    leader = await load_user(org.leader)
    assert leader is not None
    selected = [Selected(p.korrespondansepart_id, 1) for p in (first, second)]
    plan = await services.prepare(
        leader,
        org.unit,
        selected,
        str(org.handler),
        owner_values={first.case: str(org.other_handler), second.case: str(org.inactive)},
    )
    assert plan.errors == {
        f"saksansvarlig-{first.case}": f"Velg en saksansvarlig i enheten for {case_number(first)}.",
        f"saksansvarlig-{second.case}": f"Velg en saksansvarlig i enheten for {case_number(second)}.",
    }


# --- the queue form ------------------------------------------------------------------------


async def test_two_new_cases_without_javascript(client, org: Org) -> None:
    first, second, owned = await three_posts(org)
    await login(client, org.leader)
    base = {"enhet": str(org.unit), "valgt": ticked(first, second, owned), "sorter": "nyest", "side": "1"}
    step = await post_form(
        client, {**base, "handling": "fordel", "saksbehandler": str(org.handler), "varsle": "1"}
    )
    assert step.status_code == 200
    html = step.text
    assert "<title>Saksansvarlig for de nye sakene – Til fordeling – Arkivrutiner</title>" in html
    assert (
        "Du fordeler 3 journalposter fra LMA Landbruk, miljø og arealforvaltning til Hanne Handler." in html
    )
    assert "De starter 2 nye saker uten saksansvarlig." in html
    for post, title in ((first, "Deling av gnr. 12"), (second, "Nydyrking Ner-Huset")):
        assert f'<label for="saksansvarlig-{post.case}">Saksansvarlig for {case_number(post)}' in html
        assert f"{title} (journalpost {post.number})" in html
        select = re.search(rf'<select id="saksansvarlig-{post.case}".*?</select>', html, re.S)
        assert select and f'<option value="{org.handler}" selected>' in select.group(0)
    assert f'<label for="saksansvarlig-{owned.case}"' not in html
    for value in ticked(first, second, owned):
        assert f'<input type="hidden" name="valgt" value="{value}">' in html
    assert '<input type="hidden" name="steg" value="saksansvarlig">' in html
    assert '<input type="hidden" name="varsle" value="1">' in html
    assert '<input type="hidden" name="sorter" value="nyest">' in html
    assert (await part(first.korrespondansepart_id))["saksbehandler"] is None  # nothing done yet

    done = await post_form(
        client,
        {
            **base,
            "handling": "fordel",
            "steg": "saksansvarlig",
            "saksbehandler": str(org.handler),
            f"saksansvarlig-{first.case}": str(org.handler),
            f"saksansvarlig-{second.case}": str(org.handler2),
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/fordeling?enhet={org.unit}&sorter=nyest"
    assert (await owner_of(first), await owner_of(second)) == (org.handler, org.handler2)
    for post in (first, second, owned):
        assert (await part(post.korrespondansepart_id))["saksbehandler"] == org.handler
    page = await client.get(done.headers["location"])
    assert (
        "3 journalposter er fordelt til Hanne Handler. Saksansvarlig satt for 2 nye saker: "
        f"{case_number(first)} Hanne Handler, {case_number(second)} Harald Handler."
    ) in page.text


async def test_two_new_cases_with_htmx_and_back_to_the_queue(client, org: Org) -> None:
    first, second, owned = await three_posts(org)
    await login(client, org.leader)
    base = {"enhet": str(org.unit), "valgt": ticked(first, second, owned), "saksbehandler": str(org.handler)}
    step = await post_form(
        client, {**base, "handling": "fordel", "saksansvarlig": str(org.handler2)}, htmx=True
    )
    assert step.status_code == 200
    assert "<html" not in step.text
    assert '<section id="kurv" data-focus-region' in step.text  # takes the queue region's place
    select = re.search(rf'<select id="saksansvarlig-{second.case}".*?</select>', step.text, re.S)
    assert select and f'<option value="{org.handler2}" selected>' in select.group(0)  # the queue's choice

    back = await post_form(
        client, {**base, "handling": "tilbake", "saksansvarlig": str(org.handler2)}, htmx=True
    )
    assert back.status_code == 200
    for value in ticked(first, second, owned):
        assert f'value="{value}" checked' in back.text
    assert f'<option value="{org.handler}" selected>' in back.text
    assert await owner_of(first) is None

    done = await post_form(
        client,
        {
            **base,
            "handling": "fordel",
            "steg": "saksansvarlig",
            f"saksansvarlig-{first.case}": str(org.leader),
            f"saksansvarlig-{second.case}": str(org.handler2),
        },
        htmx=True,
    )
    assert done.status_code == 200
    assert done.headers["hx-trigger"] == "fordeling-endret"
    assert (
        "3 journalposter er fordelt til Hanne Handler. Saksansvarlig satt for 2 nye saker: "
        f"{case_number(first)} Lene Leder, {case_number(second)} Harald Handler."
    ) in done.text
    assert '<section id="kurv"' in done.text and first.number not in done.text.split('id="kurv"', 1)[1]


async def test_a_wrong_choice_in_the_step_keeps_the_step(client, org: Org) -> None:
    first, second, _owned = await three_posts(org)
    await login(client, org.leader)
    response = await post_form(
        client,
        {
            "enhet": str(org.unit),
            "valgt": ticked(first, second),
            "saksbehandler": str(org.handler),
            "handling": "fordel",
            "steg": "saksansvarlig",
            f"saksansvarlig-{first.case}": str(org.handler2),
            f"saksansvarlig-{second.case}": str(org.other_handler),
            "saksansvarlig-x": "1",  # not a case: ignored
        },
    )
    assert response.status_code == 422
    html = response.text
    assert f"Velg en saksansvarlig i enheten for {case_number(second)}." in html
    assert f'href="#saksansvarlig-{second.case}"' in html  # the error summary links to the select
    select = re.search(rf'<select id="saksansvarlig-{first.case}".*?</select>', html, re.S)
    assert select and f'<option value="{org.handler2}" selected>' in select.group(0)  # kept
    assert (await part(first.korrespondansepart_id))["saksbehandler"] is None
    assert await owner_of(first) is None


async def test_one_new_case_needs_no_step(client, org: Org) -> None:
    case = await make_case()
    posts = [await make_post(case, unit=org.unit) for _ in range(2)]  # two posts of one new case
    owned = await make_post(await make_case(unit=org.unit, saksansvarlig=org.handler2), unit=org.unit)
    await login(client, org.leader)
    response = await post_form(
        client,
        {
            "enhet": str(org.unit),
            "valgt": ticked(*posts, owned),
            "handling": "fordel",
            "saksbehandler": str(org.handler),
            "saksansvarlig": str(org.leader),
        },
    )
    assert response.status_code == 303
    assert await owner_of(posts[0]) == org.leader
    assert len(await owner_events()) == 1
    page = await client.get(response.headers["location"])
    assert (
        f"3 journalposter er fordelt til Hanne Handler. Saksansvarlig satt for ny sak: {case_number(posts[0])} "
        "Lene Leder."
    ) in page.text
    # No new case: the message is as before.
    other = await make_post(await make_case(unit=org.unit, saksansvarlig=org.handler), unit=org.unit)
    response = await post_form(
        client,
        {
            "enhet": str(org.unit),
            "valgt": ticked(other),
            "handling": "fordel",
            "saksbehandler": str(org.handler),
        },
    )
    page = await client.get(response.headers["location"])
    assert f"{other.number} er fordelt til Hanne Handler." in page.text
    assert "Saksansvarlig satt" not in page.text


async def test_someone_else_distributes_a_new_case_while_the_step_is_open(client, org: Org) -> None:
    """The leader is at the saksansvarlig step when the deputy distributes one of the posts
    with another saksansvarlig. The leader's confirmation distributes the rest: the deputy's
    post is one winner's (the message names who), and its case keeps the deputy's choice."""
    first, second, _owned = await three_posts(org)
    await absent(org, today_inside=True)
    await login(client, org.leader)
    base = {"enhet": str(org.unit), "valgt": ticked(first, second), "saksbehandler": str(org.handler)}
    assert (await post_form(client, {**base, "handling": "fordel"}, htmx=True)).status_code == 200

    deputy = AsyncTestClient(app=client.app, raise_server_exceptions=False)
    async with deputy:
        deputy.follow_redirects = False
        await login(deputy, org.deputy)
        taken = await post_form(
            deputy,
            {
                "enhet": str(org.unit),
                "valgt": ticked(first),
                "handling": "fordel",
                "saksbehandler": str(org.handler2),
                "saksansvarlig": str(org.handler2),
            },
        )
        assert taken.status_code == 303

    done = await post_form(
        client,
        {
            **base,
            "handling": "fordel",
            "steg": "saksansvarlig",
            f"saksansvarlig-{first.case}": str(org.leader),
            f"saksansvarlig-{second.case}": str(org.leader),
        },
        htmx=True,
    )
    assert done.status_code == 200
    assert (
        f"{second.number} er fordelt til Hanne Handler. Saksansvarlig satt for ny sak: "
        f"{case_number(second)} Lene Leder."
    ) in done.text
    assert (
        f"{first.number} er allerede fordelt av Didrik Stedfortreder på vegne av Lene Leder til Harald Handler."
    ) in done.text
    assert (await part(first.korrespondansepart_id))["saksbehandler"] == org.handler2
    assert (await owner_of(first), await owner_of(second)) == (org.handler2, org.leader)
    assert [e["object_id"] for e in await owner_events()] == [str(first.case), str(second.case)]
