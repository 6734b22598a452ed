"""Avskriv JP from Egne restanser: one or many at once, with and without JavaScript, the
avskrivningsmåter (BU with the answering post), the merknad, partial success reported per
restanse, one winner when two people write off the same restanse at the same moment (run on
both databases), invalid input keeping the form, and refusals (the foreløpig svar is in
test_egne.py)."""

from __future__ import annotations

import asyncio
import html as htmllib
import re
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.archive import services as archive
from core.archive.queries import recipients
from core.archive.tables import Avskrivning, Journalpost, Merknad
from core.tables import AuditEvent
from core.timeutil import today
from tests.support.factories import as_user, csrf, login, make_deputy
from tests.support.restanse_builders import Org, Restanse, make_case, make_org, make_restanse

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}


def ago(days: int) -> date:
    return today() - timedelta(days=days)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def numbers(*restanser: Restanse) -> dict[int, str]:
    rows = await recipients.recipients_by_id([r.korrespondansepart_id for r in restanser])
    return {part_id: row["nummer"] for part_id, row in rows.items()}


def form(*restanser: Restanse, maate: str = "TE", version: int = 1, **fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "valgt": [f"{r.korrespondansepart_id}:{version}" for r in restanser],
        "avskrivningsmaate": maate,
    }
    values.update({k: str(v) for k, v in fields.items()})
    return values


async def post(client, url: str, data: dict[str, Any], htmx: bool = False):
    return await client.post(url, data=data, headers={**csrf(client), **(HTMX if htmx else {})})


def messages(html: str, category: str) -> list[str]:
    return [
        htmllib.unescape(m)
        for m in re.findall(rf'<div class="message message--{category}">([^<]*)</div>', html)
    ]


async def written_off(r: Restanse) -> list[dict[str, Any]]:
    return await Avskrivning.select().where(Avskrivning.korrespondansepart == r.korrespondansepart_id)


async def test_handler_writes_off_two_at_once_without_javascript(client, org: Org) -> None:
    restanser = [await make_restanse(org.unit, org.handler, journaldato=ago(10 - i)) for i in range(3)]
    await login(client, org.handler)
    response = await post(
        client,
        "/restanse/avskriv",
        form(*restanser[:2], merknad="Lest og tatt til etterretning.", sorter="nyest"),
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/restanse?sorter=nyest"
    for r in restanser[:2]:
        [row] = await written_off(r)
        assert row["avskrivningsmaate"] == "TE" and row["avskrevet_av"] == org.handler
        [remark] = await Merknad.select().where(Merknad.journalpost == r.post)
        assert remark["merknadstekst"] == "Lest og tatt til etterretning."
        assert remark["merknadstype"] == "MS"
    assert await written_off(restanser[2]) == []
    page = await client.get(response.headers["location"])
    assert "2 restanser er avskrevet: Tatt til etterretning." in page.text
    assert f'value="{restanser[2].korrespondansepart_id}:1"' in page.text
    assert f'value="{restanser[0].korrespondansepart_id}:' not in page.text
    events = await AuditEvent.select().where(AuditEvent.action == "archive.written_off")
    assert len(events) == 2 and all(e["actor"] == org.handler for e in events)


async def test_htmx_write_off_updates_list_badge_and_card(client, org: Org) -> None:
    restanser = [await make_restanse(org.unit, org.handler, journaldato=ago(5)) for _ in range(3)]
    await login(client, org.handler)
    labels = await numbers(*restanser)
    response = await post(client, "/restanse/avskriv", form(restanser[0], maate="TO"), htmx=True)
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "restanse-endret"
    html = response.text
    assert "<html" not in html and '<section id="egne"' in html
    assert '<div id="meldinger" hx-swap-oob="innerHTML">' in html
    assert messages(html, "success") == [
        f"{labels[restanser[0].korrespondansepart_id]} er avskrevet: Tatt til orientering."
    ]
    assert (
        """hx-swap-oob="innerHTML:.main-nav a[href='/restanse']">Restanser <span class="badge">2<""" in html
    )
    assert (
        f'value="{restanser[0].korrespondansepart_id}:' not in html
        and f'value="{restanser[1].korrespondansepart_id}:1"' in html
    )
    card = await client.get("/restanse/kort", headers=HTMX)
    assert "2 restanser" in card.text


async def test_partial_success_is_reported_per_restanse(client, settings, org: Org) -> None:
    restanser = [await make_restanse(org.unit, org.handler, journaldato=ago(5)) for _ in range(4)]
    labels = await numbers(*restanser)
    # Meanwhile the leader writes one off (the page still shows version 1).
    await archive.avskriv(
        settings, await as_user(org.leader), restanser[1].korrespondansepart_id, "TO", version=1
    )
    await login(client, org.handler)
    response = await post(client, "/restanse/avskriv", form(*restanser), htmx=True)
    assert response.status_code == 200
    assert messages(response.text, "success") == ["3 restanser er avskrevet: Tatt til etterretning."]
    assert messages(response.text, "error") == [
        f"{labels[restanser[1].korrespondansepart_id]} var allerede avskrevet av Lene Leder (Tatt til orientering)."
    ]
    assert len(await Avskrivning.select()) == 4
    # Everything already gone: 409, and each told.
    again = await post(client, "/restanse/avskriv", form(*restanser[:2]), htmx=True)
    assert again.status_code == 409
    assert len(messages(again.text, "error")) == 2


async def test_parallel_write_off_has_exactly_one_winner(client, org: Org) -> None:
    """The handler and the leader's deputy write off the same restanser at the same moment:
    for each, exactly one succeeds; the other is told who wrote it off. No double write-off."""
    restanser = [await make_restanse(org.unit, org.handler, journaldato=ago(5)) for _ in range(3)]
    labels = await numbers(*restanser)
    deputy = org.handler2
    await make_deputy(org.unit, org.leader, deputy, ago(1), ago(-3))
    second = AsyncTestClient(app=client.app, raise_server_exceptions=False)
    async with second:
        second.follow_redirects = False
        await login(client, org.handler)
        await login(second, deputy)
        for r in restanser:
            results = await asyncio.gather(
                post(client, "/restanse/avskriv", form(r, maate="TE"), htmx=True),
                post(second, "/restanse/avskriv", form(r, maate="TO"), htmx=True),
            )
            statuses = [res.status_code for res in results]
            assert sorted(statuses) == [200, 409], [res.text[:300] for res in results]
            [row] = await written_off(r)
            winner = org.handler if row["avskrivningsmaate"] == "TE" else deputy
            assert row["avskrevet_av"] == winner
            loser = results[1] if winner == org.handler else results[0]
            [text] = messages(loser.text, "error")
            maate = "Tatt til etterretning" if winner == org.handler else "Tatt til orientering"
            who = "Hanne Handler" if winner == org.handler else "Harald Handler"
            assert text == f"{labels[r.korrespondansepart_id]} var allerede avskrevet av {who} ({maate})."
            events = await AuditEvent.select().where(
                (AuditEvent.action == "archive.written_off")
                & (AuditEvent.object_id == str(r.korrespondansepart_id))
            )
            assert len(events) == 1 and events[0]["actor"] == winner
            if winner == deputy:
                assert events[0]["on_behalf_of"] == org.leader


async def test_bu_needs_an_answering_post_from_the_case(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    r = await make_restanse(org.unit, org.handler, journaldato=ago(5), case=case)
    letter = await make_restanse(org.unit, None, type="I", case=case, journaldato=ago(4))
    # Turn two posts of the case into own posts: a U letter and an X note.
    await Journalpost.update({Journalpost.journalposttype: "U", Journalpost.tittel: "Svar på søknad"}).where(
        Journalpost.id == letter.post
    )
    note = await make_restanse(org.unit, None, type="N", case=case, journaldato=ago(3))
    await Journalpost.update({Journalpost.journalposttype: "X", Journalpost.tittel: "Internt notat"}).where(
        Journalpost.id == note.post
    )
    other_case = await make_case(unit=org.unit)
    elsewhere = await make_restanse(org.unit, None, case=other_case, journaldato=ago(3))
    await Journalpost.update({Journalpost.journalposttype: "U"}).where(Journalpost.id == elsewhere.post)
    await login(client, org.handler)

    page = await client.get("/restanse")
    select = re.search(
        rf'<select id="svar-{r.korrespondansepart_id}" name="svar-{r.korrespondansepart_id}">(.*?)</select>',
        page.text,
        re.S,
    )
    assert select, page.text
    assert f'value="{letter.post}"' in select.group(1) and "(U) Svar på søknad" in select.group(1)
    assert f'value="{note.post}"' in select.group(1)
    assert f'value="{elsewhere.post}"' not in select.group(1)
    assert f'value="{r.post}"' not in select.group(1)

    missing = await post(client, "/restanse/avskriv", form(r, maate="BU"))
    assert missing.status_code == 422
    assert "Velg journalposten som besvarte" in missing.text
    assert f'href="#svar-{r.korrespondansepart_id}"' in missing.text
    wrong_type = await post(
        client, "/restanse/avskriv", form(r, maate="BU", **{f"svar-{r.korrespondansepart_id}": note.post})
    )
    assert wrong_type.status_code == 422
    assert "Besvart med brev passer ikke til" in htmllib.unescape(wrong_type.text)
    assert f'<option value="{note.post}" selected>' in wrong_type.text
    foreign = await post(
        client,
        "/restanse/avskriv",
        form(r, maate="BU", **{f"svar-{r.korrespondansepart_id}": elsewhere.post}),
    )
    assert foreign.status_code == 422 and "Velg en av sakens egne journalposter" in foreign.text
    assert await written_off(r) == []

    done = await post(
        client, "/restanse/avskriv", form(r, maate="BU", **{f"svar-{r.korrespondansepart_id}": letter.post})
    )
    assert done.status_code == 303
    [row] = await written_off(r)
    assert row["avskrivningsmaate"] == "BU" and row["avskrives_av_journalpost"] == letter.post


async def test_bn_with_a_note(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    r = await make_restanse(org.unit, org.handler, journaldato=ago(5), case=case)
    note = await make_restanse(org.unit, None, type="N", case=case, journaldato=ago(3))
    await login(client, org.handler)
    done = await post(
        client, "/restanse/avskriv", form(r, maate="BN", **{f"svar-{r.korrespondansepart_id}": note.post})
    )
    assert done.status_code == 303
    [row] = await written_off(r)
    assert (row["avskrivningsmaate"], row["avskrives_av_journalpost"]) == ("BN", note.post)


async def test_invalid_input_keeps_the_form(client, org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=ago(5))
    await login(client, org.handler)
    nothing = await post(client, "/restanse/avskriv", {"avskrivningsmaate": "TE"})
    assert nothing.status_code == 422
    assert "Velg minst én restanse." in nothing.text and 'href="#valgt"' in nothing.text
    text = "Ringte søkeren – saken er avklart."
    bad = await post(client, "/restanse/avskriv", form(r, maate="", merknad=text))
    assert bad.status_code == 422
    assert "Velg en avskrivningsmåte." in bad.text and 'href="#avskrivningsmaate"' in bad.text
    assert f'value="{r.korrespondansepart_id}:1" checked' in bad.text
    assert f">{text}</textarea>" in bad.text
    assert "<title>Feil: Egne restanser" in bad.text
    too_long = await post(client, "/restanse/avskriv", form(r, maate="TLF", merknad="x" * 5000), htmx=True)
    assert too_long.status_code == 422 and '<section id="egne"' in too_long.text
    assert "Merknaden kan ha høyst" in too_long.text
    assert 'value="TLF" aria-describedby="avskrivningsmaate-TLF-hint" checked' in too_long.text
    for garbage in ("x:1", "1", "99999999999:1"):
        response = await post(client, "/restanse/avskriv", {"valgt": garbage, "avskrivningsmaate": "TE"})
        assert response.status_code == 422 and "Valget av restanser er ugyldig." in response.text
    unknown = await post(client, "/restanse/avskriv", form(r, maate="SA"))
    assert unknown.status_code == 422
    assert await written_off(r) == [] and await Merknad.count() == 0


async def test_others_may_not_write_off_or_mark(client, org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=ago(5))
    labels = await numbers(r)
    await login(client, org.other_handler)
    refused = await post(client, "/restanse/avskriv", form(r), htmx=True)
    assert refused.status_code == 403
    [text] = messages(refused.text, "error")
    # Someone else's restanse is not named by its number (nor its title) in the refusal.
    assert text == f"Restansen ({r.korrespondansepart_id}): Du kan ikke avskrive eller endre denne restansen."
    assert labels[r.korrespondansepart_id] not in refused.text
    marked = await post(
        client,
        "/restanse/foreloepig",
        {"foreloepig": f"{r.korrespondansepart_id}:1", "dato": today().strftime("%d.%m.%Y")},
        htmx=True,
    )
    assert marked.status_code == 403
    assert (await client.get(f"/restanse/foreloepig/{r.korrespondansepart_id}")).status_code == 403
    assert await written_off(r) == []
    # Without the CSRF token nothing happens at all.
    await login(client, org.handler)
    response = await client.post("/restanse/avskriv", data=form(r))
    assert response.status_code == 403
    assert await written_off(r) == []
