"""Egne restanser: the handler's own list (age, journaldato, forfallsdato, case, sender, the
foreløpig svar flag and the § 11 a warning), sorting and paging, the card, the menu badge, the
export and the guide page."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, timedelta

import pytest

from core.archive.queries import restanse_lists
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.tables import ListPreference, Person
from core.timeutil import now, today
from tests.support.factories import csrf, login
from tests.support.restanse_builders import Org, make_case, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}


def ago(days: int) -> date:
    return today() - timedelta(days=days)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def test_own_list_shows_only_own_restanser_with_their_details(client, org: Org) -> None:
    old = await make_restanse(org.unit, org.handler, journaldato=ago(40), tittel="Klage på vedtak")
    due = await make_restanse(
        org.unit, org.handler, journaldato=ago(5), forfallsdato=ago(1), avsender="Byggmester Hansen AS"
    )
    answered = await make_restanse(org.unit, org.handler, journaldato=ago(45), foreloepig_svar=ago(10))
    note = await make_restanse(
        org.unit,
        org.handler,
        type="N",
        journaldato=ago(2),
        author=org.other_handler,
        author_unit=org.other_unit,
        tittel="Notat om grøfter",
    )
    others = await make_restanse(org.unit, org.handler2, journaldato=ago(3), tittel="Harald sin")
    gone = await make_restanse(org.unit, org.handler, journaldato=ago(20), tittel="Avskrevet allerede")
    await write_off(gone.korrespondansepart_id, ago(1))
    copy = await make_restanse(
        org.other_unit, org.other_handler, copy_recipients=[(org.unit, org.handler)], tittel="Bare kopi"
    )
    await login(client, org.handler)

    page = await client.get("/restanse")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Egne restanser</h1>" in html
    for shown in (old, due, answered, note):
        assert f'value="{shown.korrespondansepart_id}:1"' in html
    for hidden in (others, gone, copy):
        assert f'value="{hidden.korrespondansepart_id}:1"' not in html
    assert "Harald sin" not in html and "Avskrevet allerede" not in html and "Bare kopi" not in html
    # Age, journaldato, forfallsdato marked with text, case, sender, N author.
    assert "40 dager" in html and ago(40).strftime("%d.%m.%Y") in html
    assert ago(1).strftime("%d.%m.%Y") in html and ">Forfalt<" in html
    assert "Byggmester Hansen AS" in html
    assert "Trine Teknisk (TDR)" in html
    assert f'href="/arkiv/sak/{old.case}"' in html
    # Foreløpig svar flag, the § 11 a warning on the old I post only.
    assert f"Sendt {ago(10).strftime('%d.%m.%Y')}" in html
    assert html.count("§ 11 a: over en måned uten svar") == 1
    assert "1 inngående brev er eldre enn en måned og har verken fått svar eller foreløpig svar." in html
    assert "4 restanser" in html and "1 forfalt" in html and "1 med foreløpig svar" in html
    # The guide is linked; captions and headers for the table.
    assert 'href="/restanse/veiledning"' in html
    assert '<caption id="egne-tabell">Egne restanser (1–4 av 4)</caption>' in html
    assert 'scope="col"' in html
    # A fresh form has TE (tatt til etterretning) chosen.
    assert 'value="TE" aria-describedby="avskrivningsmaate-hint" checked' in html


async def test_sort_and_paging(client, org: Org) -> None:
    restanser = [await make_restanse(org.unit, org.handler, journaldato=ago(60 - i)) for i in range(53)]
    await login(client, org.handler)
    first = await client.get("/restanse")
    assert "(1–50 av 53)" in first.text and "Side 1 av 2" in first.text
    assert f'value="{restanser[0].korrespondansepart_id}:1"' in first.text
    assert f'value="{restanser[52].korrespondansepart_id}:1"' not in first.text
    second = await client.get("/restanse?side=2")
    assert (
        "(51–53 av 53)" in second.text and f'value="{restanser[52].korrespondansepart_id}:1"' in second.text
    )
    newest = await client.get("/restanse?sorter=nyest", headers=HTMX)
    assert newest.status_code == 200 and "<html" not in newest.text
    assert '<section id="egne"' in newest.text
    body = newest.text
    assert body.index(f'value="{restanser[52].korrespondansepart_id}:1"') < body.index(
        f'value="{restanser[51].korrespondansepart_id}:1"'
    )
    assert 'href="/restanse?sorter=nyest&amp;side=2"' in body
    # An unknown sort falls back to the default.
    assert (await client.get("/restanse?sorter=drop")).status_code == 200


async def test_card_and_menu_badge(client, org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=ago(40))
    await make_restanse(org.unit, org.handler, journaldato=ago(3), forfallsdato=ago(1))
    await make_restanse(org.unit, org.handler, journaldato=ago(1))
    await make_restanse(org.unit, org.handler2, journaldato=ago(1))
    await login(client, org.handler)
    card = await client.get("/restanse/kort", headers=HTMX)
    assert card.status_code == 200 and "<html" not in card.text
    assert '<p class="card__figure">3 restanser</p>' in card.text
    assert "1 forfalt" in card.text and "1 eldre enn en måned uten svar (§ 11 a)" in card.text
    assert 'hx-trigger="restanse-endret from:body"' in card.text
    assert "/restanse/enhet" not in card.text  # a plain handler has no unit report
    home = await client.get("/")
    assert re.search(r'href="/restanse"[^>]*>Restanser <span class="badge">3<', home.text)
    assert (await restanse_lists.own_summary(org.handler)).total == 3

    await login(client, org.handler2)
    assert "1 restanse</p>" in (await client.get("/restanse/kort")).text
    await login(client, org.other_handler)
    empty = await client.get("/restanse/kort")
    assert "Du har ingen restanser." in empty.text
    assert "Du har ingen restanser. Godt jobbet!" in (await client.get("/restanse")).text


async def test_the_restanse_count_runs_once_per_request(client, org: Org, statements: list[str]) -> None:
    """The menu badge, the list's total and the summary's total are one number: the ledger's
    count statement runs once for GET /restanse, and the rule's COUNT over the recipients not
    at all."""
    await make_restanse(org.unit, org.handler, journaldato=ago(40))
    await make_restanse(org.unit, org.handler, journaldato=ago(3), forfallsdato=ago(1))
    await login(client, org.handler)
    statements.clear()
    page = await client.get("/restanse")
    assert page.status_code == 200
    assert re.search(r'href="/restanse"[^>]*>Restanser <span class="badge">2<', page.text)
    assert '<caption id="egne-tabell">Egne restanser (1–2 av 2)</caption>' in page.text
    assert "2 restanser" in page.text and "1 forfalt" in page.text
    counts = [sql for sql in statements if "core_restanse_month" in sql]
    assert len(counts) == 1, counts
    assert not [sql for sql in statements if "COUNT(*)" in sql and "core_korrespondansepart" in sql]
    # A new request counts again (the memo lives for one request).
    statements.clear()
    assert (await client.get("/restanse/kort", headers=HTMX)).status_code == 200
    assert len([sql for sql in statements if "core_restanse_month" in sql]) == 1


async def test_leader_sees_link_to_unit_report(client, org: Org) -> None:
    await login(client, org.leader)
    page = await client.get("/restanse")
    assert 'href="/restanse/enhet"' in page.text
    assert 'href="/restanse/enhet"' in (await client.get("/restanse/kort")).text


async def test_export_csv_and_xlsx(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler, tittel="Sak=1")
    await make_restanse(org.unit, org.handler, journaldato=ago(40), case=case, tittel="=Farlig tittel")
    await make_restanse(org.unit, org.handler2, journaldato=ago(3))
    await login(client, org.handler)
    response = await client.get("/restanse/eksport?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "egne-restanser-" in response.headers["content-disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Journalpost", "Type", "Tittel"]
    assert len(rows) == 2
    assert rows[1][2] == "'=Farlig tittel" and rows[1][6] == ago(40).strftime("%d.%m.%Y")
    assert rows[1][7] == "40" and rows[1][11] == "Ja"
    xlsx = await client.get("/restanse/eksport?format=xlsx")
    assert xlsx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "=Farlig tittel" in sheet and "Journalpost" in sheet
    assert (await client.get("/restanse/eksport?format=pdf")).status_code == 404


async def test_guide_page_for_every_signed_in_user(client, org: Org) -> None:
    anonymous = await client.get("/restanse/veiledning")
    assert anonymous.status_code in (302, 303, 307)
    await login(client, org.other_handler)
    page = await client.get("/restanse/veiledning")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Avskriving av restanser som ikke skal besvares med utgående brev</h1>" in html
    for text in ("TE – Tatt til etterretning", "TO – Tatt til orientering", "BU – Besvart med brev"):
        assert text in html
    assert "Registrer foreløpig svar" in html and "forvaltningsloven § 11 a" in html
    assert "30 eller flere" in html
    assert "Når skal du kontakte Arkiv?" in html


async def test_pages_are_csp_safe(client, org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=ago(40))
    await login(client, org.handler)
    for url in ("/restanse", "/restanse/veiledning"):
        html = (await client.get(url)).text
        assert "style=" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert 'href="/static/restanse/restanse.css"' in html


async def test_restanse_moved_to_another_handler_leaves_the_list(client, org: Org) -> None:
    moved = await make_restanse(org.unit, org.handler, journaldato=ago(4))
    await Korrespondansepart.update({Korrespondansepart.saksbehandler: org.handler2}).where(
        Korrespondansepart.id == moved.korrespondansepart_id
    )
    await login(client, org.handler)
    assert f'value="{moved.korrespondansepart_id}:1"' not in (await client.get("/restanse")).text


async def test_the_bulk_bar_counts_ticked_rows_in_bokmal_and_nynorsk(client, org: Org) -> None:
    """The list is cards on narrow screens (a data-label on every cell) and Avskriv valgte sits in
    the bulk bar, whose count text app.js fills from data-en / data-flere ("#" is the number)."""
    for days in (10, 20):
        await make_restanse(org.unit, org.handler, journaldato=ago(days))
    await login(client, org.handler)
    page = (await client.get("/restanse")).text
    assert '<table class="table-stack">' in page
    assert 'data-label="Journalpost"' in page and 'data-label="Foreløpig svar"' in page
    bar = re.search(r'<div class="[^"]*bulk-bar[^"]*" data-bulk-bar="valgt">(.*?)</div>', page, re.S)
    assert bar is not None and "Avskriv valgte" in bar.group(1)
    assert 'aria-live="polite" data-en="# valgt" data-flere="# valgt"' in bar.group(1)

    await Person.update({Person.language: "nn"}).where(Person.id == org.handler)
    await login(client, org.handler)
    page = (await client.get("/restanse")).text
    assert 'data-en="# vald" data-flere="# valde"' in page
    assert 'data-label="Førebels svar"' in page


# --- «Ny» and the remembered sort (core.web.list_preferences) ------------------------------


def numbers_in(html: str) -> list[str]:
    table = html.split('id="egne-tabell"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'/arkiv/journalpost/\d+">(\d{4}/\d{5}-\d+)</a>', table)


def marked_new(html: str) -> list[str]:
    table = html.split('id="egne-tabell"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'/arkiv/journalpost/\d+">(\d{4}/\d{5}-\d+)</a> <span class="status status--new">Ny</span>', table
    )


async def number_of(restanse) -> str:
    post = (
        await Journalpost.select(Journalpost.journalpostnummer, Journalpost.saksmappe)
        .where(Journalpost.id == restanse.post)
        .first()
    )
    case = (
        await Saksmappe.select(Saksmappe.saksaar, Saksmappe.sakssekvensnummer)
        .where(Saksmappe.id == post["saksmappe"])
        .first()
    )
    return f"{case['saksaar']}/{case['sakssekvensnummer']:05d}-{post['journalpostnummer']}"


async def test_restanser_distributed_since_the_last_visit_are_marked_and_can_come_first(
    client, org: Org
) -> None:
    old = await make_restanse(org.unit, org.handler, journaldato=ago(30))
    older = await make_restanse(org.unit, org.handler, journaldato=ago(40))
    fresh = await make_restanse(org.unit, org.handler, journaldato=ago(20))
    long_ago = now() - timedelta(days=20)
    await Korrespondansepart.update({Korrespondansepart.fordelt_dato: long_ago}).where(
        Korrespondansepart.id.is_in([old.korrespondansepart_id, older.korrespondansepart_id])
    )
    earlier = now() - timedelta(hours=2)
    await ListPreference(
        person=org.handler, list_key="restanse.egne", seen_at=earlier, new_since=earlier
    ).save()
    await login(client, org.handler)

    page = (await client.get("/restanse")).text
    expected = [await number_of(r) for r in (older, old, fresh)]
    assert numbers_in(page) == expected  # oldest first
    assert marked_new(page) == [expected[2]]
    assert '<option value="nye">Nye først</option>' in page
    new_first = (await client.get("/restanse?sorter=nye", headers=HTMX)).text
    assert numbers_in(new_first) == [expected[2], expected[0], expected[1]]
    assert marked_new(new_first) == [expected[2]]
    # Remembered: the menu link opens the list new first; so does the list after a write-off.
    again = (await client.get("/restanse")).text
    assert numbers_in(again)[0] == expected[2] and '<option value="nye" selected>' in again
    assert '<input type="hidden" name="sorter" value="nye">' in again
    response = await client.post(
        "/restanse/avskriv",
        data={"valgt": f"{older.korrespondansepart_id}:1", "avskrivningsmaate": "TE", "sorter": "nye"},
        headers={**csrf(client), **HTMX},
    )
    assert response.status_code == 200
    assert numbers_in(response.text) == [expected[2], expected[1]]
    assert marked_new(response.text) == [expected[2]]
    # Another handler's list keeps its own sort.
    await login(client, org.handler2)
    assert '<option value="nye" selected>' not in (await client.get("/restanse")).text
