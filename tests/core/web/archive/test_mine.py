"""*Mine journalposter* (``/arkiv/mine``) and its front-page card (``/arkiv/mine/kort``): the
handler's outgoing letters not yet ekspedert and the posts distributed to them since their last
visit (the first visit: the last seven days); the card's counts equal the lists."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.archive.queries import mine
from core.archive.tables import Korrespondansepart
from core.tables import ListPreference
from core.timeutil import now
from tests.support.factories import login, make_case, make_part, make_person, make_post, make_unit

pytestmark = pytest.mark.anyio


async def distributed(post: int, person: int, unit: int, days_ago: float) -> None:
    part = await make_part(
        post, "Intern", korrespondanseparttype="IM", intern=True, unit=unit, saksbehandler=person
    )
    await Korrespondansepart.update(
        {Korrespondansepart.fordelt_dato: now() - timedelta(days=days_ago)}
    ).where(Korrespondansepart.id == part)


async def test_card_counts_equal_the_lists(client, db) -> None:
    unit = await make_unit()
    me = await make_person(unit=unit)
    other = await make_person(unit=unit)
    case = await make_case(unit=unit)
    for status in ("R", "F", "G"):
        await make_post(case, f"Brev {status}", journalposttype="U", journalstatus=status, saksbehandler=me)
    await make_post(case, "Ekspedert brev", journalposttype="U", journalstatus="E", saksbehandler=me)
    await make_post(case, "Notat", journalposttype="N", journalstatus="R", saksbehandler=me)
    await make_post(case, "Andres brev", journalposttype="U", journalstatus="R", saksbehandler=other)
    fresh = await make_post(case, "Ny søknad", journalposttype="I", journalstatus="J")
    await distributed(fresh, me, unit, 1)
    old = await make_post(case, "Gammel søknad", journalposttype="I", journalstatus="J")
    await distributed(old, me, unit, 8)
    theirs = await make_post(case, "Søknad til en annen", journalposttype="I", journalstatus="J")
    await distributed(theirs, other, unit, 1)

    assert await mine.counts(me) == mine.MineCounts(undispatched=3, distributed=1)
    await login(client, me)
    home = await client.get("/")
    assert 'hx-get="/arkiv/mine/kort"' in home.text
    card = await client.get("/arkiv/mine/kort", headers={"HX-Request": "true"})
    assert card.status_code == 200
    assert "3 utgående brev er ikke ekspedert" in card.text
    assert "1 journalpost fordelt til deg siden forrige besøk" in card.text
    page = await client.get("/arkiv/mine")
    assert page.status_code == 200
    html = page.text
    assert "Utgående brev som ikke er ekspedert (1–3 av 3)</caption>" in html
    assert "Fordelt til deg (1–1 av 1)</caption>" in html
    outgoing = html[html.index('id="utgaaende"') : html.index('id="fordelt"')]
    assert len(re.findall(r'<a href="/arkiv/journalpost/\d+">', outgoing)) == 3
    for title in ("Ekspedert brev", "Notat", "Andres brev", "Gammel søknad", "Søknad til en annen"):
        assert title not in html, title
    assert "Ny søknad" in html


async def test_a_post_distributed_to_the_person_twice_counts_once(client, db) -> None:
    """The card counts posts, not recipients: a post with two internal recipients for the same
    handler (the person and a copy, or distributed again) is one post on the card and in the
    list; another handler's recipients and internal recipients older than the window do not count."""
    unit = await make_unit()
    me = await make_person(unit=unit)
    other = await make_person(unit=unit)
    case = await make_case(unit=unit)
    twice = await make_post(case, "To ganger til meg", journalposttype="I", journalstatus="J")
    await distributed(twice, me, unit, 1)
    await distributed(twice, me, unit, 2)
    await distributed(twice, other, unit, 1)
    once = await make_post(case, "En gang til meg", journalposttype="N", journalstatus="J")
    await distributed(once, me, unit, 3)
    await distributed(once, me, unit, 9)  # outside the week: the post still counts once
    assert await mine.counts(me) == mine.MineCounts(undispatched=0, distributed=2)
    assert await mine.counts(other) == mine.MineCounts(undispatched=0, distributed=1)
    await login(client, me)
    assert (
        "2 journalposter fordelt til deg siden forrige besøk" in (await client.get("/arkiv/mine/kort")).text
    )
    html = (await client.get("/arkiv/mine")).text
    assert "Fordelt til deg (1–2 av 2)</caption>" in html
    listed = html[html.index('id="fordelt"') :]
    assert listed.count("To ganger til meg") == 1 and listed.count("En gang til meg") == 1


async def test_empty_lists_and_a_skjermet_title(client, db) -> None:
    unit = await make_unit()
    me = await make_person(unit=unit)
    await login(client, me)
    card = await client.get("/arkiv/mine/kort")
    assert "0 utgående brev er ikke ekspedert" in card.text
    assert "Ingen." in (await client.get("/arkiv/mine")).text
    # A skjermet post distributed to me: as its handler I am involved and see the title, marked.
    case = await make_case(unit=unit)
    post = await make_post(
        case, "Hemmelig navn", journalposttype="I", offentlig_tittel="Søknad", tilgangsrestriksjon="13"
    )
    await distributed(post, me, unit, 0)
    html = (await client.get("/arkiv/mine")).text
    assert 'Hemmelig navn <span class="status status--warn">Skjermet' in html


async def test_both_lists_are_paged_each_on_its_own(client, db, monkeypatch) -> None:
    """Each list shows one page (``uside``, ``fside``) and keeps the other's page in its links;
    the totals are the card's counts."""
    monkeypatch.setattr(mine, "LIST_PAGE_SIZE", 2)
    unit = await make_unit()
    me = await make_person(unit=unit)
    case = await make_case(unit=unit)
    for n in range(5):
        await make_post(case, f"Utkast {n}", journalposttype="U", journalstatus="R", saksbehandler=me)
    for n in range(3):
        await distributed(
            await make_post(case, f"Søknad {n}", journalposttype="I", journalstatus="J"), me, unit, 1
        )
    await login(client, me)
    first = (await client.get("/arkiv/mine")).text
    assert "Utgående brev som ikke er ekspedert (1–2 av 5)</caption>" in first
    assert "Fordelt til deg (1–2 av 3)</caption>" in first
    assert 'href="/arkiv/mine?uside=2#utgaaende"' in first and 'href="/arkiv/mine?fside=2#fordelt"' in first
    later = (await client.get("/arkiv/mine", params={"uside": 3, "fside": 2})).text
    assert "Utgående brev som ikke er ekspedert (5–5 av 5)</caption>" in later
    assert "Fordelt til deg (3–3 av 3)</caption>" in later
    assert 'href="/arkiv/mine?fside=2&amp;uside=2#utgaaende"' in later
    assert (await client.get("/arkiv/mine", params={"uside": 0})).status_code == 400


async def test_distributed_since_the_last_visit(client, db) -> None:
    """The card and the page count what was distributed after the previous visit (views half an
    hour apart or more); during one visit both keep the same posts."""
    unit = await make_unit()
    me = await make_person(unit=unit)
    case = await make_case(unit=unit)
    await distributed(
        await make_post(case, "Før besøket", journalposttype="I", journalstatus="J"), me, unit, 2
    )
    await login(client, me)
    card = (await client.get("/arkiv/mine/kort")).text
    assert "1 journalpost fordelt til deg siden forrige besøk" in card  # first visit: a week back
    # The visit ends; an hour later a post is distributed, and another half an hour after that.
    await ListPreference.update(
        {
            ListPreference.seen_at: now() - timedelta(hours=2),
            ListPreference.new_since: now() - timedelta(days=7),
        }
    ).where((ListPreference.person == me) & (ListPreference.list_key == "arkiv.mine"))
    await distributed(
        await make_post(case, "Etter besøket", journalposttype="I", journalstatus="J"), me, unit, 1 / 24
    )
    card = (await client.get("/arkiv/mine/kort")).text
    assert "1 journalpost fordelt til deg siden forrige besøk" in card
    html = (await client.get("/arkiv/mine")).text  # the same visit: the same post
    assert "Fordelt til deg (1–1 av 1)</caption>" in html
    assert "Etter besøket" in html and "Før besøket" not in html
    row = (
        await ListPreference.select()
        .where((ListPreference.person == me) & (ListPreference.list_key == "arkiv.mine"))
        .first()
    )
    assert row is not None and row["sort"] in ("", None)  # a visit, no sort
