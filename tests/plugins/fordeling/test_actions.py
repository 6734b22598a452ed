"""Distributing, sending to another unit, suggestions, permissions, the audit trail, one winner
under concurrency, redistribution and the e-mail to the handler."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.archive.tables import Merknad, Saksmappe
from core.tables import AuditEvent, MailMessage
from tests.plugins.fordeling.conftest import Org, Post, absent, grant, make_case, make_post, part
from tests.support.factories import csrf, login

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}


def form(*posts: Post, handling: str = "fordel", **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"handling": handling, "valgt": [f"{p.korrespondansepart_id}:1" for p in posts]}
    values.update({k: str(v) for k, v in fields.items()})
    return values


async def post_form(client, url: str, data: dict[str, Any], htmx: bool = False):
    headers = {**csrf(client), **(HTMX if htmx else {})}
    return await client.post(url, data=data, headers=headers)


async def events_for(part_id: int) -> list[dict]:
    return (
        await AuditEvent.select()
        .where((AuditEvent.object_type == "korrespondansepart") & (AuditEvent.object_id == str(part_id)))
        .order_by(AuditEvent.id)
    )


async def handler_of(post: Post) -> int | None:
    return (await part(post.korrespondansepart_id))["saksbehandler"]


# --- fordel --------------------------------------------------------------------------------


async def test_leader_distributes_three_at_once_without_javascript(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler2)
    posts = [await make_post(case, unit=org.unit, age=3 - i) for i in range(4)]
    await login(client, org.leader)
    response = await post_form(
        client,
        "/fordeling/fordel",
        form(*posts[:3], enhet=org.unit, saksbehandler=org.handler, sorter="nyest"),
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/fordeling?enhet={org.unit}&sorter=nyest"
    for post in posts[:3]:
        row = await part(post.korrespondansepart_id)
        assert row["saksbehandler"] == org.handler
        assert row["fordelt_dato"] is not None
        [event] = [e for e in await events_for(post.korrespondansepart_id) if e["actor"] == org.leader]
        assert event["on_behalf_of"] is None
    assert await handler_of(posts[3]) is None
    page = await client.get(response.headers["location"])
    assert "3 journalposter er fordelt til Hanne Handler." in page.text
    assert posts[3].number in page.text and posts[0].number not in page.text


async def test_htmx_distribution_updates_queue_card_and_badge(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    posts = [await make_post(case, unit=org.unit) for _ in range(4)]
    await login(client, org.leader)
    response = await post_form(
        client, "/fordeling/fordel", form(*posts[:3], enhet=org.unit, saksbehandler=org.handler), htmx=True
    )
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "fordeling-endret"
    html = response.text
    assert "<html" not in html
    assert '<section id="kurv"' in html
    assert '<div id="meldinger" hx-swap-oob="innerHTML">' in html
    assert "3 journalposter er fordelt til Hanne Handler." in html
    assert (
        """hx-swap-oob="innerHTML:.main-nav a[href='/fordeling']">Til fordeling <span class="badge">1<"""
        in html
    )
    assert posts[3].number in html and posts[0].number not in html
    card = await client.get("/fordeling/kort", headers=HTMX)
    assert "1 ufordelt" in card.text


async def test_validation_errors_keep_the_selection(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    post = await make_post(case, unit=org.unit)
    await login(client, org.leader)
    nothing = await post_form(client, "/fordeling/fordel", form(enhet=org.unit, saksbehandler=org.handler))
    assert nothing.status_code == 422
    assert "Velg minst én journalpost." in nothing.text
    for bad in (org.inactive, org.other_handler, "x"):
        response = await post_form(client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=bad))
        assert response.status_code == 422
        assert "Velg en saksbehandler i enheten." in response.text
        assert f'value="{post.korrespondansepart_id}:1" checked' in response.text
    for garbage in ("²:1", "1:x", "99999999999:1", "1"):
        response = await post_form(
            client, "/fordeling/fordel", {"handling": "fordel", "enhet": str(org.unit), "valgt": garbage}
        )
        assert response.status_code == 422, garbage
        assert "Valget av journalposter er ugyldig." in response.text
    fragment = await post_form(client, "/fordeling/fordel", form(post, enhet=org.unit), htmx=True)
    assert fragment.status_code == 422 and '<section id="kurv"' in fragment.text
    assert await handler_of(post) is None


async def test_first_post_of_a_new_case_sets_saksansvarlig(client, org: Org) -> None:
    new_case = await make_case()
    first = await make_post(new_case, unit=org.unit)
    other_case = await make_case()
    second = await make_post(other_case, unit=org.unit)
    await login(client, org.leader)
    page = await client.get(f"/fordeling?enhet={org.unit}")
    assert (
        "Ny sak" in page.text
        and '<label for="saksansvarlig">Saksansvarlig for nye saker</label>' in page.text
    )
    # Default: the handler becomes saksansvarlig.
    await post_form(client, "/fordeling/fordel", form(first, enhet=org.unit, saksbehandler=org.handler))
    case_row = await Saksmappe.select().where(Saksmappe.id == new_case).first()
    assert case_row["saksansvarlig"] == org.handler
    assert case_row["administrativ_enhet"] == org.unit
    # Or someone else chosen in the form.
    await post_form(
        client,
        "/fordeling/fordel",
        form(second, enhet=org.unit, saksbehandler=org.handler, saksansvarlig=org.handler2),
    )
    case_row = await Saksmappe.select().where(Saksmappe.id == other_case).first()
    assert case_row["saksansvarlig"] == org.handler2
    assert await handler_of(second) == org.handler


async def test_send_to_another_unit(client, org: Org) -> None:
    case = await make_case()
    post = await make_post(case, unit=org.unit)
    await login(client, org.leader)
    response = await post_form(
        client,
        "/fordeling/fordel",
        form(post, handling="send", enhet=org.unit, enhet_til=org.other_unit),
        htmx=True,
    )
    assert response.status_code == 200
    assert "sendt til TDR Teknisk drift" in response.text
    row = await part(post.korrespondansepart_id)
    assert row["administrativ_enhet"] == org.other_unit and row["saksbehandler"] is None
    same = await post_form(
        client, "/fordeling/fordel", form(handling="send", enhet=org.unit, enhet_til=org.unit)
    )
    assert same.status_code == 422

    other = AsyncTestClient(app=client.app, raise_server_exceptions=False)
    async with other:
        other.follow_redirects = False
        await login(other, org.other_leader)
        queue = await other.get("/fordeling")
        assert post.number in queue.text


async def test_archive_sends_central_post_to_a_unit(client, org: Org) -> None:
    case = await make_case()
    post = await make_post(case, unit=None)
    await login(client, org.archive)
    refused = await post_form(
        client, "/fordeling/fordel", form(post, enhet="sentral", saksbehandler=org.handler)
    )
    assert refused.status_code == 422
    response = await post_form(
        client, "/fordeling/fordel", form(post, handling="send", enhet="sentral", enhet_til=org.unit)
    )
    assert response.status_code == 303
    assert (await part(post.korrespondansepart_id))["administrativ_enhet"] == org.unit
    page = await client.get(response.headers["location"])
    assert "sendt til LMA Landbruk, miljø og arealforvaltning" in page.text


# --- suggestions ---------------------------------------------------------------------------


async def test_suggestion_from_saksansvarlig_and_from_the_sender(client, org: Org) -> None:
    owned = await make_case(unit=org.unit, saksansvarlig=org.handler2)
    post = await make_post(owned, unit=org.unit, avsender="Bonde Berg")
    earlier_case = await make_case(unit=org.unit, saksansvarlig=org.leader)
    await make_post(earlier_case, unit=org.unit, avsender="Skogeier Lie", handler=org.handler)
    fresh_case = await make_case()
    from_lie = await make_post(fresh_case, unit=org.unit, avsender="Skogeier Lie")
    unknown = await make_post(fresh_case, unit=org.unit, avsender="Ny Person")
    await login(client, org.leader)
    html = (await client.get(f"/fordeling?enhet={org.unit}")).text
    assert f'name="forslag" value="{post.korrespondansepart_id}:1:{org.handler2}"' in html
    assert f'name="forslag" value="{from_lie.korrespondansepart_id}:1:{org.handler}"' in html
    assert f'value="{unknown.korrespondansepart_id}:1:' not in html  # no suggestion for an unknown sender
    response = await post_form(
        client,
        "/fordeling/fordel",
        {"enhet": str(org.unit), "forslag": f"{post.korrespondansepart_id}:1:{org.handler2}"},
    )
    assert response.status_code == 303
    assert await handler_of(post) == org.handler2


async def test_a_restricted_earlier_post_gives_no_sender_suggestion(client, org: Org) -> None:
    # Kari Nordmann's earlier letter is restricted (13) and went to Hanne; the leader lacks the
    # code, so the queue must not hint that Kari wrote to Hanne before.
    secret_case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    await make_post(
        secret_case, unit=org.unit, avsender="Kari Nordmann", handler=org.handler, tilgangsrestriksjon="13"
    )
    fresh = await make_post(await make_case(), unit=org.unit, avsender="Kari Nordmann")
    await login(client, org.leader)
    html = (await client.get(f"/fordeling?enhet={org.unit}")).text
    assert f'value="{fresh.korrespondansepart_id}:1:' not in html
    assert "fikk forrige post fra avsenderen" not in html


# --- permissions and the audit trail -------------------------------------------------------


async def test_others_get_403(client, org: Org) -> None:
    case = await make_case()
    post = await make_post(case, unit=org.unit)
    other_post = await make_post(case, unit=org.other_unit)
    for person in (org.handler, org.deputy, org.archive):
        await login(client, person)
        response = await post_form(
            client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=org.handler)
        )
        assert response.status_code == 403, person
    await login(client, org.leader)
    response = await post_form(
        client, "/fordeling/fordel", form(other_post, enhet=org.other_unit, saksbehandler=org.other_handler)
    )
    assert response.status_code == 403
    # Smuggling another unit's post into one's own queue form: the archive service refuses it.
    response = await post_form(
        client, "/fordeling/fordel", form(other_post, enhet=org.unit, saksbehandler=org.handler)
    )
    assert await handler_of(other_post) is None
    assert await handler_of(post) is None
    assert (
        await post_form(
            client, "/fordeling/fordel", form(post, handling="send", enhet="sentral", enhet_til=org.unit)
        )
    ).status_code == 403


async def test_deputy_distributes_on_behalf_of_the_leader_only_while_absent(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    post = await make_post(case, unit=org.unit)
    await absent(org, today_inside=False)
    await login(client, org.deputy)
    refused = await post_form(
        client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=org.handler)
    )
    assert refused.status_code == 403
    await absent(org, today_inside=True)
    await login(client, org.deputy)  # the user (and its authorities) is loaded per request
    response = await post_form(
        client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=org.handler)
    )
    assert response.status_code == 303
    assert await handler_of(post) == org.handler
    [event] = [e for e in await events_for(post.korrespondansepart_id) if e["actor"] == org.deputy]
    assert event["on_behalf_of"] == org.leader


# --- one winner ----------------------------------------------------------------------------


async def test_parallel_distribution_has_exactly_one_winner(client, org: Org) -> None:
    """The leader (in two tabs) and the deputy distribute the same posts at the same moment,
    each to a different handler: for every post exactly one succeeds, and the others are told
    who distributed it and to whom. No post is assigned twice or lost."""
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    posts = [await make_post(case, unit=org.unit) for _ in range(3)]
    await absent(org, today_inside=True)
    names = {org.leader: "Lene Leder", org.deputy: "Didrik Stedfortreder"}
    handlers = {org.handler: "Hanne Handler", org.handler2: "Harald Handler", org.leader: "Lene Leder"}
    tab2 = AsyncTestClient(app=client.app, raise_server_exceptions=False)
    deputy = AsyncTestClient(app=client.app, raise_server_exceptions=False)
    async with tab2, deputy:
        contenders = [
            (client, org.leader, org.handler),
            (tab2, org.leader, org.handler2),
            (deputy, org.deputy, org.leader),
        ]
        for browser, person, _handler in contenders:
            browser.follow_redirects = False
            await login(browser, person)
        for post in posts:
            results = await asyncio.gather(
                *(
                    post_form(
                        browser,
                        "/fordeling/fordel",
                        form(post, enhet=org.unit, saksbehandler=handler),
                        htmx=True,
                    )
                    for browser, _person, handler in contenders
                )
            )
            statuses = [r.status_code for r in results]
            assert sorted(statuses) == [200, 409, 409], [r.text[:300] for r in results]
            winner = statuses.index(200)
            _browser, winner_person, winner_handler = contenders[winner]
            assert await handler_of(post) == winner_handler
            for index, result in enumerate(results):
                if index == winner:
                    continue
                message = re.search(r'<div class="message message--error">([^<]*)</div>', result.text)
                assert message, result.text
                text = message.group(1)
                assert text.startswith(f"{post.number} er allerede fordelt av {names[winner_person]}")
                assert text.endswith(f"til {handlers[winner_handler]}.")
            distributions = [
                e
                for e in await events_for(post.korrespondansepart_id)
                if e["action"] == "archive.distributed"
            ]
            assert len(distributions) == 1
            assert distributions[0]["actor"] == winner_person
            assert (await part(post.korrespondansepart_id))["version"] == 2


async def test_stale_page_is_told_who_got_there_first(client, org: Org) -> None:
    """Without JavaScript: the loser's redirect shows the winner's name in the message."""
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    post = await make_post(case, unit=org.unit)
    await absent(org, today_inside=True)
    await login(client, org.deputy)
    assert (
        await post_form(client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=org.handler2))
    ).status_code == 303
    await client.get("/fordeling")  # the deputy's own flash message is shown and consumed
    await login(client, org.leader)
    response = await post_form(
        client, "/fordeling/fordel", form(post, enhet=org.unit, saksbehandler=org.handler)
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert (
        f"{post.number} er allerede fordelt av Didrik Stedfortreder på vegne av Lene Leder til Harald Handler."
        in page.text
    )
    assert await handler_of(post) == org.handler2


# --- omfordel ------------------------------------------------------------------------------


async def test_redistribute_all_open_posts_of_a_handler(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    posts = [await make_post(case, unit=org.unit, handler=org.handler) for _ in range(2)]
    kept = await make_post(case, unit=org.unit, handler=org.handler2)
    await login(client, org.leader)
    page = await client.get(f"/fordeling/omfordel?enhet={org.unit}&fra={org.handler}")
    assert page.status_code == 200
    assert posts[0].number in page.text and kept.number not in page.text
    missing = await post_form(
        client,
        "/fordeling/omfordel",
        {
            "enhet": str(org.unit),
            "fra": str(org.handler),
            "handling": "alle",
            "vist": shown_at(page.text),
            "saksbehandler": str(org.handler2),
        },
    )
    assert missing.status_code == 422 and "Skriv hvorfor journalpostene omfordeles." in missing.text
    response = await post_form(
        client,
        "/fordeling/omfordel",
        {
            "enhet": str(org.unit),
            "fra": str(org.handler),
            "handling": "alle",
            "vist": shown_at(page.text),
            "saksbehandler": str(org.handler2),
            "merknad": "Hanne har permisjon.",
        },
        htmx=True,
    )
    assert response.status_code == 200, response.text
    assert "2 journalposter er omfordelt til Harald Handler." in response.text
    for post in posts:
        assert await handler_of(post) == org.handler2
        [event] = [
            e for e in await events_for(post.korrespondansepart_id) if e["action"] == "archive.redistributed"
        ]
        assert event["actor"] == org.leader
        remarks = await Merknad.select().where(Merknad.journalpost == post.id)
        assert any("Hanne har permisjon." in r["merknadstekst"] for r in remarks)
    assert await handler_of(kept) == org.handler2


def shown_at(html: str) -> str:
    """The redistribution form's ``vist``: when the page was shown."""
    found = re.search(r'name="vist" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


async def test_redistribute_pages_the_open_posts_and_moves_all_the_page_counted(client, org: Org) -> None:
    """A busy handler's open posts come 50 to a page; *Omfordel alle* moves those on every
    page that the page counted when shown, not a post distributed to the handler afterwards; a
    form without the time it was shown moves nothing and says why."""
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    posts = [await make_post(case, unit=org.unit, handler=org.handler, age=60 - n) for n in range(52)]
    await login(client, org.leader)
    url = f"/fordeling/omfordel?enhet={org.unit}&fra={org.handler}"
    first = (await client.get(url)).text
    assert posts[0].number + "<" in first and posts[49].number + "<" in first
    assert posts[50].number + "<" not in first
    assert "Side 1 av 2" in first and "Omfordel alle 52" in first and "(52)" in first
    assert "Velg alle på siden" in first
    second = (await client.get(url + "&side=2")).text
    assert posts[50].number + "<" in second and posts[51].number + "<" in second
    assert posts[0].number + "<" not in second
    form = {
        "enhet": str(org.unit),
        "fra": str(org.handler),
        "handling": "alle",
        "saksbehandler": str(org.handler2),
        "merknad": "Permisjon.",
    }
    assert (
        await post_form(client, "/fordeling/omfordel", {**form, "vist": "2026-12-01\x00"})
    ).status_code == 400
    for bad in ("", "i går", "2026-12-01T10:00:00", "99999-01-01T00:00:00+00:00"):
        refused = await post_form(client, "/fordeling/omfordel", {**form, "vist": bad})
        assert refused.status_code == 422, bad
        assert "Vis journalpostene på nytt før du omfordeler alle" in refused.text
        assert "Permisjon." in refused.text  # what was typed is kept
    assert await handler_of(posts[0]) == org.handler
    later = await make_post(case, unit=org.unit, handler=org.handler)  # distributed after the page
    response = await post_form(client, "/fordeling/omfordel", {**form, "vist": shown_at(second)}, htmx=True)
    assert response.status_code == 200, response.text
    assert "52 journalposter er omfordelt til Harald Handler." in response.text
    assert {await handler_of(post) for post in posts} == {org.handler2}
    assert await handler_of(later) == org.handler


async def test_redistribute_lists_the_restanser_not_the_copies(client, org: Org) -> None:
    """A handler's open posts on the omfordeling page are their restanser: a copy (IK) needs
    no answer and is not "open" for its handler, so the count matches Egne restanser."""
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    letter = await make_post(case, unit=org.unit, handler=org.handler)
    copy = await make_post(case, unit=org.unit, handler=org.handler, parttype="IK")
    await login(client, org.leader)
    page = (await client.get(f"/fordeling/omfordel?enhet={org.unit}&fra={org.handler}")).text
    assert letter.number in page and copy.number not in page
    assert "(1 åpen)" in page  # not 2


async def test_redistribute_is_for_leaders(client, org: Org) -> None:
    await login(client, org.handler)
    assert (await client.get(f"/fordeling/omfordel?enhet={org.unit}")).status_code == 403
    await login(client, org.archive)
    assert (await client.get(f"/fordeling/omfordel?enhet={org.unit}")).status_code == 403
    assert (await client.get("/fordeling/omfordel")).status_code == 403


# --- e-mail to the handler -----------------------------------------------------------------


async def test_optional_mail_to_the_handler(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    posts = [await make_post(case, unit=org.unit, tittel=f"Søknad {i}") for i in range(2)]
    secret = await make_post(
        case,
        unit=org.unit,
        tittel="Klage fra Kari Hansen",
        offentlig_tittel="Klage fra *****",
        tilgangsrestriksjon="P",
    )
    await grant(org.leader, "P")
    await login(client, org.leader)
    await post_form(client, "/fordeling/fordel", form(posts[0], enhet=org.unit, saksbehandler=org.handler))
    assert await MailMessage.count() == 0
    await post_form(
        client,
        "/fordeling/fordel",
        form(posts[1], secret, enhet=org.unit, saksbehandler=org.handler, varsle=1),
    )
    [message] = await MailMessage.select()
    assert message["idempotency_key"].startswith(f"fordeling.varsel:{org.handler}:")
    assert message["subject"] == "Du har fått 2 journalposter fra Lene Leder"
    assert f"- {posts[1].number}: Søknad 1" in message["body_text"]
    assert f"- {secret.number}: Klage fra *****" in message["body_text"]
    assert "Kari" not in message["body_text"]
