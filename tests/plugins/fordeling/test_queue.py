"""The queue Til fordeling: what is in it, masking, sorting, filtering, paging, counts on the
menu and the card, and who may open it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.archive import ledger
from core.archive.queries import distribution, distribution_counts
from core.archive.queries.distribution import QueueFilter
from core.archive.queries.visibility import Viewer
from core.archive.tables import Journalpost
from core.auth.user import load_user
from core.tables import AuditEvent, ListPreference
from core.timeutil import now, today
from tests.plugins.fordeling.conftest import Org, Post, absent, grant, make_case, make_post, write_off
from tests.support.factories import csrf, login, make_leader, make_unit

pytestmark = pytest.mark.anyio


def rows(html: str) -> list[str]:
    """The registrerings-ids in the queue table, in order."""
    table = html.split('id="kurv-tabell"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'/arkiv/journalpost/\d+">(\d{4}/\d{5}-\d+)<', table)


async def queue_of(person: int, unit: int | None, filters: QueueFilter | None = None) -> list[dict]:
    user = await load_user(person)
    assert user is not None
    page = await distribution.queue_page(await Viewer.of(user), unit, filters or QueueFilter(), None)
    return page.items


async def test_unit_queue_holds_undistributed_incoming_posts_oldest_first(org: Org) -> None:
    case = await make_case(unit=org.unit)
    newest = await make_post(case, unit=org.unit, age=0, tittel="Ny søknad")
    oldest = await make_post(
        case, unit=org.unit, age=5, tittel="Gammel søknad", vedlegg=2, forfallsdato=today()
    )
    middle = await make_post(case, unit=org.unit, age=2, tittel="Midt i")
    note = await make_post(
        case,
        unit=org.unit,
        typ="N",
        status="E",
        tittel="Notat til enheten",
        author=org.other_handler,
        author_unit=org.other_unit,
    )
    # Not in the queue: distributed, another unit's, written off, cancelled (U), an unsent note,
    # and a post without unit (the central queue).
    await make_post(case, unit=org.unit, handler=org.handler)
    await make_post(case, unit=org.other_unit)
    written_off = await make_post(case, unit=org.unit)
    await write_off(written_off)
    await make_post(case, unit=org.unit, status="U")
    await make_post(case, unit=org.unit, typ="N", status="R", author=org.other_handler)
    central = await make_post(case, unit=None)

    items = await queue_of(org.leader, org.unit)
    assert [i["korrespondansepart_id"] for i in items] == [
        oldest.korrespondansepart_id,
        middle.korrespondansepart_id,
        newest.korrespondansepart_id,
        note.korrespondansepart_id,
    ]
    first = items[0]
    assert first["registrerings_id"] == oldest.number
    assert first["alder"] == 5
    assert first["avsender"] == "Ola Nordmann"
    assert first["vedlegg"] == 2
    assert first["forfallsdato"] == today()
    assert first["vist_tittel"] == "Gammel søknad"
    assert items[3]["avsender"] == "Trine Teknisk (TDR)"  # a note's sender is its author

    assert [i["korrespondansepart_id"] for i in await queue_of(org.archive, None)] == [
        central.korrespondansepart_id
    ]


async def test_restricted_title_and_sender_are_masked(org: Org) -> None:
    case = await make_case(
        unit=org.unit,
        tittel="Barnevernssak Kari",
        offentlig_tittel="Barnevernssak *****",
        tilgangsrestriksjon="P",
    )
    await make_post(
        case,
        unit=org.unit,
        tittel="Bekymringsmelding om Kari Hansen",
        offentlig_tittel="Bekymringsmelding om *****",
        tilgangsrestriksjon="P",
        avsender="Per Hansen",
    )
    [item] = await queue_of(org.leader, org.unit)
    assert item["vist_tittel"] == "Bekymringsmelding om *****"
    assert item["avsender"] == "Skjermet navn"
    assert item["sak_tittel"] == "Barnevernssak *****"
    # Searching does not reveal the real title or sender either.
    assert await queue_of(org.leader, org.unit, QueueFilter(sok="Kari")) == []
    assert await queue_of(org.leader, org.unit, QueueFilter(sok="Per Hansen")) == []

    await grant(org.leader, "P")
    [item] = await queue_of(org.leader, org.unit)
    assert item["vist_tittel"] == "Bekymringsmelding om Kari Hansen"
    assert item["avsender"] == "Per Hansen"
    assert len(await queue_of(org.leader, org.unit, QueueFilter(sok="kari"))) == 1


async def test_filter_sort_and_search_by_number(org: Org) -> None:
    case = await make_case(unit=org.unit)
    a = await make_post(case, unit=org.unit, age=1, tittel="Bestilling av kart", avsender="Zeta AS")
    b = await make_post(
        case,
        unit=org.unit,
        age=3,
        tittel="Klage på gebyr",
        avsender="Alfa AS",
        forfallsdato=today() + timedelta(days=9),
    )
    c = await make_post(
        case, unit=org.unit, typ="N", status="E", tittel="Internt notat", author=org.other_handler
    )
    assert [
        i["korrespondansepart_id"] for i in await queue_of(org.leader, org.unit, QueueFilter(sorter="nyest"))
    ] == [
        c.korrespondansepart_id,
        a.korrespondansepart_id,
        b.korrespondansepart_id,
    ]
    assert (await queue_of(org.leader, org.unit, QueueFilter(sorter="forfall")))[0][
        "korrespondansepart_id"
    ] == b.korrespondansepart_id
    assert [
        i["korrespondansepart_id"] for i in await queue_of(org.leader, org.unit, QueueFilter(type="N"))
    ] == [c.korrespondansepart_id]
    assert [
        i["korrespondansepart_id"] for i in await queue_of(org.leader, org.unit, QueueFilter(sok="gebyr"))
    ] == [b.korrespondansepart_id]
    assert [
        i["korrespondansepart_id"] for i in await queue_of(org.leader, org.unit, QueueFilter(sok="alfa"))
    ] == [b.korrespondansepart_id]
    assert [
        i["korrespondansepart_id"] for i in await queue_of(org.leader, org.unit, QueueFilter(sok=a.number))
    ] == [a.korrespondansepart_id]
    sender_sorted = await queue_of(org.leader, org.unit, QueueFilter(sorter="avsender", type="I"))
    assert [i["korrespondansepart_id"] for i in sender_sorted] == [
        b.korrespondansepart_id,
        a.korrespondansepart_id,
    ]


async def test_page_lists_sorts_and_pages(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    posts = [await make_post(case, unit=org.unit, age=60 - i, tittel=f"Brev {i}") for i in range(55)]
    await login(client, org.leader)
    response = await client.get(f"/fordeling?enhet={org.unit}")
    assert response.status_code == 200
    html = response.text
    assert rows(html)[:2] == [posts[0].number, posts[1].number]
    assert len(rows(html)) == 50
    assert "1–50 av 55" in html
    assert f"/fordeling?enhet={org.unit}&amp;side=2" in html
    second = await client.get(f"/fordeling?enhet={org.unit}&side=2")
    assert rows(second.text) == [p.number for p in posts[50:]]
    newest = await client.get(f"/fordeling?enhet={org.unit}&sorter=nyest")
    assert rows(newest.text)[0] == posts[-1].number
    # htmx gets only the queue region.
    fragment = await client.get(f"/fordeling?enhet={org.unit}&sok=Brev+54", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'id="kurv"' in fragment.text
    assert rows(fragment.text) == [posts[54].number]


async def test_page_markup_is_accessible_and_csp_safe(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit)
    await make_post(case, unit=org.unit)
    await login(client, org.leader)
    html = (await client.get("/fordeling")).text
    assert " style=" not in html and "<script>" not in html and " onclick=" not in html
    assert '<fieldset class="fordeling-utvalg"' in html and "<legend>Velg journalposter</legend>" in html
    assert 'class="table-wrap" role="region" aria-labelledby="kurv-tabell" tabindex="0"' in html
    assert '<caption id="kurv-tabell">' in html
    assert 'name="csrf_token"' in html or "csrf" in html
    assert '<label for="saksbehandler">' in html
    assert '<div class="checkbox" data-trenger-js hidden>' in html  # "select all" needs JavaScript
    assert 'data-select-all="valgt"' in html
    assert 'id="kurv" data-focus-region' in html  # core/static/app.js keeps focus after swaps
    # Every checkbox has a label.
    for part_id in re.findall(r'id="(valgt-\d+)"', html):
        assert f'<label for="{part_id}">' in html


async def test_counts_on_menu_and_card(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    for age in (0, 1, 3):
        await make_post(case, unit=org.unit, age=age)
    await make_post(case, unit=org.unit, handler=org.handler, age=9)
    await login(client, org.leader)
    home = await client.get("/")
    assert re.search(
        r'href="/fordeling">Til fordeling <span class="badge">3<span class="visually-hidden"> journalposter',
        home.text,
    )
    assert 'hx-get="/fordeling/kort?rolle=leder"' in home.text
    card = await client.get("/fordeling/kort", headers={"HX-Request": "true"})
    assert card.status_code == 200
    assert "3 ufordelte, eldste 3 dager" in card.text
    assert 'hx-trigger="fordeling-endret from:body"' in card.text


async def test_card_when_queue_is_empty(client, org: Org) -> None:
    await login(client, org.leader)
    card = await client.get("/fordeling/kort", headers={"HX-Request": "true"})
    assert "Ingen journalposter venter på fordeling." in card.text


async def test_summaries_are_aggregated_per_queue(org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, age=2)
    await make_post(case, unit=org.unit, age=7)
    await make_post(case, unit=org.other_unit, age=1)
    await make_post(case, unit=None, age=4)
    result = {
        s.key: (s.count, s.age)
        for s in await distribution_counts.summaries([org.unit, org.other_unit], central=True)
    }
    assert result == {"sentral": (1, 4), str(org.unit): (2, 7), str(org.other_unit): (1, 1)}
    waiting = await distribution_counts.summaries(None, only_waiting=True)
    assert {s.unit_id for s in waiting} == {org.unit, org.other_unit}


# --- who may open what ---------------------------------------------------------------------


async def test_leader_sees_own_queue_and_others_are_refused(client, org: Org) -> None:
    await login(client, org.leader)
    assert (await client.get("/fordeling")).status_code == 200
    assert (await client.get(f"/fordeling?enhet={org.unit}")).status_code == 200
    assert (await client.get(f"/fordeling?enhet={org.other_unit}")).status_code == 403
    assert (await client.get("/fordeling?enhet=sentral")).status_code == 403
    for garbage in ("tull", "²", "99999999999"):
        assert (await client.get(f"/fordeling?enhet={garbage}")).status_code == 404


async def test_plain_handler_gets_403_and_no_menu_link(client, org: Org) -> None:
    await login(client, org.handler)
    home = await client.get("/")
    assert 'href="/fordeling"' not in home.text
    assert "/fordeling/kort" not in home.text
    for url in ("/fordeling", f"/fordeling?enhet={org.unit}", "/fordeling?enhet=sentral", "/fordeling/kort"):
        assert (await client.get(url)).status_code == 403, url


async def test_deputy_only_inside_the_registered_absence(client, org: Org) -> None:
    await absent(org, today_inside=False)
    await login(client, org.deputy)
    assert (await client.get(f"/fordeling?enhet={org.unit}")).status_code == 403
    await absent(org, today_inside=True)
    response = await client.get(f"/fordeling?enhet={org.unit}")
    assert response.status_code == 200
    assert "Du fordeler som stedfortreder for Lene Leder" in response.text


async def test_archive_sees_central_queue_and_reads_unit_queues(client, org: Org) -> None:
    case = await make_case()
    await make_post(case, unit=None, tittel="Post uten enhet")
    await make_post(case, unit=org.unit, tittel="Post i LMA")
    await login(client, org.archive)
    central = await client.get("/fordeling")
    assert central.status_code == 200
    assert "Post uten enhet" in central.text
    assert "Send valgte til en enhet" in central.text
    assert "Fordel valgte" not in central.text  # the central queue goes to a unit, not a person
    assert "Alle enheters kurver" in central.text
    assert f'href="/fordeling?enhet={org.unit}"' in central.text
    unit_page = await client.get(f"/fordeling?enhet={org.unit}")
    assert unit_page.status_code == 200
    assert "Post i LMA" in unit_page.text
    assert 'name="valgt"' not in unit_page.text  # read only


async def test_leader_of_two_units_switches_queue(client, org: Org) -> None:
    second = await make_unit(code="GDO", name="Geodata og oppmåling")
    await make_leader(second, org.leader)
    case = await make_case()
    await make_post(case, unit=org.unit, age=1)
    await make_post(case, unit=second, age=4, tittel="Kartbestilling")
    await login(client, org.leader)
    page = await client.get("/fordeling")
    assert '<nav class="fordeling-kurver" aria-label="Kurver">' in page.text
    assert f'href="/fordeling?enhet={second}"' in page.text
    card = await client.get("/fordeling/kort", headers={"HX-Request": "true"})
    assert "2 ufordelte, eldste 4 dager" in card.text
    assert "GDO Geodata og oppmåling</a>: 1 ufordelt, eldste 4 dager" in card.text
    other = await client.get(f"/fordeling?enhet={second}")
    assert "Kartbestilling" in other.text


async def test_the_queue_counts_run_once_per_request(client, org: Org, statements: list[str]) -> None:
    """The menu badge *Til fordeling* and the page's queue overview are the same counts: one
    grouped statement for GET /fordeling; the next request counts again."""
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, age=1)
    await login(client, org.leader)
    statements.clear()
    page = await client.get("/fordeling")
    assert page.status_code == 200
    assert re.search(r'href="/fordeling"[^>]*>Til fordeling <span class="badge">1<', page.text), page.text[
        :2000
    ]
    grouped = [sql for sql in statements if "GROUP BY f.enhet" in sql and "COUNT(*)" in sql]
    assert len(grouped) == 1, grouped
    # The queue's own total is that count too: no second COUNT over the queue.
    assert not [sql for sql in statements if "SELECT COUNT(*) AS n FROM til_fordeling" in sql]
    assert "(1–1 av 1)</caption>" in page.text
    statements.clear()
    assert (await client.get("/fordeling")).status_code == 200
    assert len([sql for sql in statements if "GROUP BY f.enhet" in sql and "COUNT(*)" in sql]) == 1
    # A filtered queue counts what the filter leaves.
    statements.clear()
    filtered = await client.get("/fordeling", params={"sok": "finnes ikke"})
    assert filtered.status_code == 200
    assert len([sql for sql in statements if "SELECT COUNT(*) AS n FROM til_fordeling" in sql]) == 1


async def test_role_cards_show_the_leaders_units_and_the_archives_every_queue(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    await make_post(case, unit=org.unit, age=2)
    await make_post(case, unit=org.unit, age=5)
    await make_post(case, unit=org.other_unit, age=1)
    await make_post(case, unit=None, age=4)
    await login(client, org.leader)
    leader = (await client.get("/fordeling/kort?rolle=leder", headers={"HX-Request": "true"})).text
    assert "2 ufordelte, eldste 5 dager" in leader
    assert 'hx-get="/fordeling/kort?rolle=leder"' in leader  # refreshes itself with its role
    # The archive's card: the central queue and every unit with post waiting, each linked.
    await login(client, org.archive)
    archive = (await client.get("/fordeling/kort?rolle=arkiv", headers={"HX-Request": "true"})).text
    assert "4 ufordelte, eldste 5 dager" in archive
    assert (
        f'<a href="/fordeling?enhet={org.unit}">LMA Landbruk, miljø og arealforvaltning</a>: 2 ufordelte'
        in archive
    )
    assert f'<a href="/fordeling?enhet={org.other_unit}">' in archive
    assert '<a href="/fordeling?enhet=sentral">' in archive
    # A role the user does not have falls back to the user's own queues.
    assert (await client.get("/fordeling/kort?rolle=leder")).status_code == 200


# --- «Ny» and the remembered sort (core.web.list_preferences) ------------------------------


async def seen_an_hour_ago(person: int, key: str) -> None:
    """As if ``person`` last looked at the list ``key`` an hour ago (the visit before this one)."""
    earlier = now() - timedelta(hours=1)
    await ListPreference(
        person=person, list_key=key, seen_at=earlier, new_since=earlier - timedelta(days=1)
    ).save()


async def came_now(post: Post) -> None:
    """The post was registered just now (received days ago)."""
    await Journalpost.update({Journalpost.opprettet_dato: now()}).where(Journalpost.id == post.id)


def marked(html: str) -> list[str]:
    """The registrerings-ids marked «Ny» in the queue table, in order."""
    table = html.split('id="kurv-tabell"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'/arkiv/journalpost/\d+">(\d{4}/\d{5}-\d+)</a> <span class="status status--new">Ny</span>', table
    )


async def test_posts_that_came_since_the_last_visit_are_marked_and_can_come_first(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    seen = await make_post(case, unit=org.unit, age=2, tittel="Sett før")
    registered = await make_post(case, unit=org.unit, age=5, tittel="Mottatt for lenge siden, registrert nå")
    await came_now(registered)
    note = await make_post(
        case, unit=org.unit, typ="N", status="E", age=4, author=org.other_handler, author_unit=org.other_unit
    )
    await Journalpost.update({Journalpost.sendt_dato: now()}).where(Journalpost.id == note.id)
    await ledger.refresh_posts([note.id])  # as dispatching it does (core.archive.lifecycle)
    moved = await make_post(case, unit=org.other_unit, age=10, tittel="Sendt fra TDR")
    await seen_an_hour_ago(org.leader, f"fordeling.kurv:{org.unit}")
    # TDR's leader sends a post over to LMA's queue now: «Ny» there, whatever its age.
    await login(client, org.other_leader)
    sent = await client.post(
        "/fordeling/fordel",
        data={
            "handling": "send",
            "enhet": str(org.other_unit),
            "enhet_til": str(org.unit),
            "valgt": f"{moved.korrespondansepart_id}:1",
        },
        headers=csrf(client),
    )
    assert sent.status_code == 303

    await login(client, org.leader)
    page = (await client.get(f"/fordeling?enhet={org.unit}")).text
    assert rows(page) == [moved.number, registered.number, seen.number, note.number]  # oldest first
    assert marked(page) == [moved.number, registered.number, note.number]
    assert '<option value="nye">Nye først</option>' in page
    newest_first = (await client.get(f"/fordeling?enhet={org.unit}&sorter=nye")).text
    assert rows(newest_first) == [moved.number, registered.number, note.number, seen.number]
    # Within the visit the marks stay (paging, sorting, acting).
    again = (await client.get(f"/fordeling?enhet={org.unit}&sorter=nyest")).text
    assert marked(again) == [note.number, registered.number, moved.number]

    # Another queue's visits are its own: TDR's leader saw TDR's queue for the first time.
    await login(client, org.other_leader)
    assert "status--new" not in (await client.get(f"/fordeling?enhet={org.other_unit}")).text


async def test_the_sort_is_remembered_for_the_next_visit(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    posts = [await make_post(case, unit=org.unit, age=3 - i, tittel=f"Brev {i}") for i in range(3)]
    oldest_first = [p.number for p in posts]
    await login(client, org.leader)
    assert rows((await client.get("/fordeling")).text) == oldest_first
    chosen = await client.get("/fordeling?sorter=nyest", headers={"HX-Request": "true"})
    assert rows(chosen.text) == oldest_first[::-1]
    # Opened again without a sort (the menu link): the sort chosen last, also on the form.
    page = (await client.get("/fordeling")).text
    assert rows(page) == oldest_first[::-1]
    assert '<option value="nyest" selected>' in page
    assert '<input type="hidden" name="sorter" value="nyest">' in page  # the actions keep it
    # A sort that does not exist: the default for this request; never an error, never stored.
    for bad in ("drop", "nyest'--", "x" * 300):
        response = await client.get("/fordeling", params={"sorter": bad})
        assert response.status_code == 200 and rows(response.text) == oldest_first
    assert rows((await client.get("/fordeling")).text) == oldest_first[::-1]
    # An explicit sort wins and is remembered; the choice is in the hendelseslogg.
    assert rows((await client.get("/fordeling?sorter=eldst")).text) == oldest_first
    assert rows((await client.get("/fordeling")).text) == oldest_first
    events = await AuditEvent.select(AuditEvent.summary).where(
        AuditEvent.action == "person.list_sort_changed"
    )
    assert [e["summary"] for e in events] == ["fordeling.kurv: nyest", "fordeling.kurv: eldst"]
    # Another person's list is not affected.
    await login(client, org.archive)
    assert rows((await client.get(f"/fordeling?enhet={org.unit}")).text) == oldest_first


async def test_the_type_filter_survives_paging_and_actions(client, org: Org) -> None:
    """The hidden fields and the pager carry the filter under the query string's own names."""
    case = await make_case(unit=org.unit)
    for i in range(51):
        await make_post(case, unit=org.unit, typ="N", status="E", age=60 - i, author=org.other_handler)
    await make_post(case, unit=org.unit, tittel="Et brev")
    assert QueueFilter.from_query("", "N", "nye").params() == {"jptype": "N", "sorter": "nye"}
    await login(client, org.leader)
    page = (await client.get(f"/fordeling?enhet={org.unit}&jptype=N")).text
    assert '<input type="hidden" name="jptype" value="N">' in page
    assert f"/fordeling?enhet={org.unit}&amp;jptype=N&amp;side=2" in page
    second = (await client.get(f"/fordeling?enhet={org.unit}&jptype=N&side=2")).text
    assert "(51–51 av 51)" in second and "Et brev" not in second
