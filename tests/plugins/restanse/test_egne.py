"""Egne restanser: the handler's own list (age, journaldato, forfallsdato, case, sender, the
foreløpig svar flag and the § 11 a warning), sorting and paging, the card, the menu badge, the
export and the guide page; the foreløpig svar's form (a page of its own, or the htmx panel), with
its date and the post of the case that was the reply, and undoing it (its registrant, the same
day)."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest

from core.archive import recipients as recipients_module
from core.archive.queries import restanse_lists
from core.archive.queries.recipients import recipients_by_id
from core.archive.tables import Journalpost, Korrespondansepart, Saksmappe
from core.tables import AuditEvent, ListPreference, Person
from core.timeutil import now, today
from tests.support.factories import csrf, login
from tests.support.restanse_builders import Org, Restanse, make_case, make_org, make_restanse, write_off

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
    assert rows[1][7] == "40" and rows[1][12] == "Ja"
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


# --- foreløpig svar: the form, registering, undoing -----------------------------------------


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


async def send(client, url: str, data: dict[str, Any], htmx: bool = False):
    return await client.post(url, data=data, headers={**csrf(client), **(HTMX if htmx else {})})


def messages(html: str, category: str) -> list[str]:
    found = re.findall(rf'<div class="message message--{category}">([^<]*)</div>', html)
    return [htmllib.unescape(m) for m in found]


async def part_row(r: Restanse) -> dict[str, Any]:
    row = await Korrespondansepart.select().where(Korrespondansepart.id == r.korrespondansepart_id).first()
    assert row is not None
    return row


async def with_reply(org: Org, **kwargs: Any) -> tuple[Restanse, Restanse]:
    """An I restanse of the handler, 40 days old, and an outgoing letter (U) in its case."""
    r = await make_restanse(org.unit, org.handler, journaldato=ago(40), **kwargs)
    reply = await make_restanse(
        org.unit, org.handler, type="U", status="E", case=r.case, journaldato=ago(5), tittel="Vi svarer snart"
    )
    return r, reply


async def test_foreloepig_svar_with_date_and_post_without_javascript(client, org: Org) -> None:
    r, reply = await with_reply(org)
    part_id = r.korrespondansepart_id
    number = (await recipients_by_id([part_id]))[part_id]["nummer"]
    await login(client, org.handler)
    listing = (await client.get("/restanse?sorter=nyest")).text
    link = f'href="/restanse/foreloepig/{part_id}?sorter=nyest" id="foreloepig-{part_id}"'
    assert link in listing and f'hx-get="/restanse/foreloepig/{part_id}?sorter=nyest"' in listing

    page = await client.get(f"/restanse/foreloepig/{part_id}?sorter=nyest")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Registrer foreløpig svar</h1>" in html
    assert f"Foreløpig svar på {number}" in html
    assert f'id="dato" name="dato" value="{dmy(today())}"' in html
    assert f'<option value="{reply.post}">' in html and "Vi svarer snart" in html
    assert f'<option value="{r.post}">' not in html  # not the post itself
    assert f'value="{part_id}:1"' in html and 'name="sorter" value="nyest"' in html
    assert f'href="/restanse?sorter=nyest#foreloepig-{part_id}"' in html  # Avbryt, back to the row

    response = await send(
        client,
        "/restanse/foreloepig",
        {
            "foreloepig": f"{part_id}:1",
            "dato": dmy(ago(3)),
            "foreloepig_svar_journalpost_id": str(reply.post),
            "sorter": "nyest",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/restanse?sorter=nyest"
    row = await part_row(r)
    assert (row["foreloepig_svar_dato"], row["foreloepig_svar_journalpost"]) == (ago(3), reply.post)
    assert row["foreloepig_svar_av"] == org.handler and row["version"] == 2
    after = (await client.get("/restanse")).text
    assert f"Foreløpig svar er registrert for {number}. Restansen står til den er avskrevet." in after
    assert f"Sendt {dmy(ago(3))}" in after
    reply_number = (await recipients_by_id([reply.korrespondansepart_id]))[reply.korrespondansepart_id][
        "nummer"
    ]
    assert f'med <a href="/arkiv/journalpost/{reply.post}">{reply_number}</a>' in after
    assert f'name="angre" value="{part_id}:2" formaction="/restanse/foreloepig/angre"' in after
    assert "§ 11 a: over en måned uten svar" not in after
    # The journal post page shows the date and the post.
    post_page = (await client.get(f"/arkiv/journalpost/{r.post}")).text
    assert (
        f'foreløpig svar {dmy(ago(3))} (med <a href="/arkiv/journalpost/{reply.post}">{reply_number}</a>)'
        in post_page
    )
    # The form is not offered again.
    again = await client.get(f"/restanse/foreloepig/{part_id}")
    assert again.status_code == 409 and "Det er allerede registrert et foreløpig svar" in again.text
    # The export has the post's number next to the date.
    rows = list(
        csv.reader(
            io.StringIO((await client.get("/restanse/eksport?format=csv")).content.decode().lstrip("\ufeff")),
            delimiter=";",
        )
    )
    assert rows[0][10:13] == ["Foreløpig svar", "Foreløpig svar (journalpost)", "§ 11 a"]
    assert [row[10:12] for row in rows[1:] if row[0] == number] == [[dmy(ago(3)), reply_number]]


async def test_the_form_keeps_what_was_typed_and_explains(client, org: Org) -> None:
    r, reply = await with_reply(org)
    other, elsewhere = await with_reply(org)
    part_id = r.korrespondansepart_id
    await login(client, org.handler)
    bad = await send(
        client,
        "/restanse/foreloepig",
        {"foreloepig": f"{part_id}:1", "dato": "31.02.2026", "foreloepig_svar_journalpost_id": "x"},
    )
    assert bad.status_code == 422
    html = bad.text
    assert "<title>Feil: Registrer foreløpig svar" in html and 'id="feiloppsummering"' in html
    assert "«Dato for foreløpig svar» må være en dato som finnes" in html and 'href="#dato"' in html
    assert "Velg journalposten med det foreløpige svaret fra listen." in html
    assert 'value="31.02.2026"' in html and 'aria-invalid="true"' in html
    # The rules of core: not in the future, not before the journaldato, a post of the same case.
    for dato, chosen, text in (
        (
            dmy(today() + timedelta(days=1)),
            str(reply.post),
            "Datoen for foreløpig svar kan ikke være fram i tid.",
        ),
        (dmy(ago(41)), "", "Datoen for foreløpig svar kan ikke være før journaldatoen."),
        (dmy(today()), str(elsewhere.post), "Journalposten med det foreløpige svaret må høre til samme sak."),
        (dmy(today()), str(r.post), "ikke journalposten som skal besvares"),
    ):
        response = await send(
            client,
            "/restanse/foreloepig",
            {"foreloepig": f"{part_id}:1", "dato": dato, "foreloepig_svar_journalpost_id": chosen},
            htmx=True,
        )
        assert response.status_code == 422, text
        assert response.headers["hx-retarget"] == "#foreloepig-skjema", text
        assert response.text.lstrip().startswith('<section id="foreloepig-skjema"'), text
        assert text in response.text and f'value="{dato}"' in response.text
    empty = await send(client, "/restanse/foreloepig", {"foreloepig": f"{part_id}:1", "dato": ""})
    assert empty.status_code == 422 and "Skriv datoen da det foreløpige svaret ble sendt." in empty.text
    assert (await part_row(r))["foreloepig_svar_dato"] is None
    for garbage in ("x", "1", "99999999999:1"):
        invalid = await send(client, "/restanse/foreloepig", {"foreloepig": garbage, "dato": dmy(today())})
        assert invalid.status_code == 422 and "Valget av restanse er ugyldig." in invalid.text
    assert (await client.get("/restanse/foreloepig/2000000000")).status_code == 404
    assert (await client.get(f"/restanse/foreloepig/{other.korrespondansepart_id}")).status_code == 200


async def test_foreloepig_svar_inline_with_htmx(client, org: Org) -> None:
    r, reply = await with_reply(org)
    part_id = r.korrespondansepart_id
    await login(client, org.handler)
    panel = await client.get(f"/restanse/foreloepig/{part_id}", headers=HTMX)
    assert panel.status_code == 200
    html = panel.text.lstrip()
    assert html.startswith('<section id="foreloepig-skjema"') and "data-focus-region" in html
    assert "<h1>" not in html and '<h2 id="foreloepig-overskrift">' in html
    assert 'hx-post="/restanse/foreloepig" hx-target="#egne"' in html
    assert f'data-lukk-panel="foreloepig-{part_id}"' in html
    done = await send(
        client,
        "/restanse/foreloepig",
        {
            "foreloepig": f"{part_id}:1",
            "dato": dmy(today()),
            "foreloepig_svar_journalpost_id": str(reply.post),
        },
        htmx=True,
    )
    assert done.status_code == 200 and done.headers["hx-trigger"] == "restanse-endret"
    assert '<section id="egne"' in done.text and '<div id="foreloepig-skjema"></div>' in done.text
    [text] = messages(done.text, "success")
    assert text.startswith("Foreløpig svar er registrert for ")
    # Undone the same day, with htmx.
    undone = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"}, htmx=True)
    assert undone.status_code == 200
    [text] = messages(undone.text, "success")
    assert text.startswith("Det foreløpige svaret for ") and text.endswith(" er angret.")
    assert f'id="foreloepig-{part_id}"' in undone.text  # the form can be opened again
    row = await part_row(r)
    assert row["foreloepig_svar_dato"] is None and row["foreloepig_svar_journalpost"] is None
    assert row["version"] == 3
    [event] = await AuditEvent.select().where(AuditEvent.action == "archive.foreloepig_svar_angret")
    assert event["actor"] == org.handler


async def test_only_the_registrant_undoes_the_same_day(
    client, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    r, _reply = await with_reply(org)
    part_id = r.korrespondansepart_id
    number = (await recipients_by_id([part_id]))[part_id]["nummer"]
    # The leader registers it for the handler's restanse.
    await login(client, org.leader)
    assert (await client.get(f"/restanse/foreloepig/{part_id}")).status_code == 200
    registered = await send(
        client, "/restanse/foreloepig", {"foreloepig": f"{part_id}:1", "dato": dmy(today())}
    )
    assert registered.status_code == 303
    # The handler sees it without the undo button; a forged undo is refused (403).
    await login(client, org.handler)
    listing = (await client.get("/restanse")).text
    assert f"Sendt {dmy(today())}" in listing and 'name="angre"' not in listing
    refused = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"}, htmx=True)
    assert refused.status_code == 403
    assert messages(refused.text, "error") == [
        f"{number}: Bare Lene Leder, som registrerte det foreløpige svaret, kan angre det."
    ]
    # Someone outside the unit is refused before anything is named.
    await login(client, org.other_handler)
    outside = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"}, htmx=True)
    assert outside.status_code == 403 and number not in outside.text
    # The leader, the next day: too late (409).
    await login(client, org.leader)
    monkeypatch.setattr(recipients_module, "today", lambda: today() + timedelta(days=1))
    late = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"}, htmx=True)
    assert late.status_code == 409
    assert messages(late.text, "error") == [
        f"{number}: Et foreløpig svar kan bare angres samme dag som det ble registrert. "
        f"Dette ble registrert {dmy(today())}."
    ]
    monkeypatch.undo()
    # The same day the leader may; a second undo from the same page is told who was first.
    done = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"})
    assert done.status_code == 303
    stale = await send(client, "/restanse/foreloepig/angre", {"angre": f"{part_id}:2"}, htmx=True)
    assert stale.status_code == 409
    [text] = messages(stale.text, "error")
    assert (
        text
        == f"Lene Leder angret foreløpig svar på {number} i mellomtiden. Last siden på nytt og prøv igjen."
    )
    assert (await part_row(r))["foreloepig_svar_dato"] is None
    invalid = await send(client, "/restanse/foreloepig/angre", {"angre": "x"})
    assert invalid.status_code == 422


async def test_the_form_is_refused_for_others_and_closed_restanser(client, org: Org) -> None:
    r, _reply = await with_reply(org)
    gone, _ = await with_reply(org)
    await write_off(gone.korrespondansepart_id, ago(1))
    await login(client, org.other_handler)
    refused = await client.get(f"/restanse/foreloepig/{r.korrespondansepart_id}")
    assert refused.status_code == 403 and "Vi svarer snart" not in refused.text
    await login(client, org.handler)
    closed = await client.get(f"/restanse/foreloepig/{gone.korrespondansepart_id}")
    assert closed.status_code == 409 and "er allerede avskrevet av" in closed.text
    # Without the CSRF token nothing is registered.
    no_token = await client.post(
        "/restanse/foreloepig", data={"foreloepig": f"{r.korrespondansepart_id}:1", "dato": dmy(today())}
    )
    assert no_token.status_code == 403 and (await part_row(r))["foreloepig_svar_dato"] is None
