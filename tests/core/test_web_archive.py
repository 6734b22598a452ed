"""The case-work pages over HTTP (/arkiv/...): every page renders, skjerming in lists, search
and case pages, search by number/title/correspondent, downloads of every version with access
checks, paging, and the forms (which keep what the user typed on errors, and the files sent).

Read-side tests build records with the factories; the form tests go through
:mod:`core.archive.services`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from core import roles
from core.archive.tables import Dokumentobjekt, Journalpost, Korrespondansepart, Saksmappe
from core.timeutil import today
from tests.support.factories import (
    csrf,
    grant_code,
    login,
    make_case,
    make_document,
    make_part,
    make_person,
    make_post,
    make_unit,
)

pytestmark = pytest.mark.anyio

SECRET = "Barnevernsak Kari Hansen"
PUBLIC = "Barnevernsak *****"


def assert_no_inline_script_or_style(html: str) -> None:
    assert " style=" not in html
    assert " onclick=" not in html
    assert "<script>" not in html


def htmx(client: Any) -> dict[str, str]:
    return {**csrf(client), "HX-Request": "true"}


async def handler_in(unit: int | None = None, *role_names: str, name: str | None = None) -> int:
    return await make_person(name=name, unit=unit or await make_unit(), roles=role_names)


# --- pages render ---------------------------------------------------------------------------


async def test_every_page_renders_for_a_handler(client, settings) -> None:
    unit = await make_unit(code="LMA", name="Landbruk, miljø og arealforvaltning")
    me = await handler_in(unit)
    await login(client, me)
    case = await make_case("Dyrkingsplan Ner-Huset", unit=unit, saksansvarlig=me, sekvens=123)
    post = await make_post(case, "Søknad om nydyrking", unit=unit, saksbehandler=me)
    await make_part(post, "Per Bonde")
    await make_document(settings, post, [b"v1", b"v2"])
    pages = [
        "/arkiv/saker",
        "/arkiv/saker?vis=enhet",
        "/arkiv/saker?vis=mine&status=alle",
        "/arkiv/sak/ny",
        f"/arkiv/sak/{case}",
        f"/arkiv/sak/{case}/ny-journalpost",
        f"/arkiv/journalpost/{post}",
        "/arkiv/sok",
        "/arkiv/sok?q=nydyrking",
    ]
    for url in pages:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text[:800])
        assert "<h1>" in response.text
        assert_no_inline_script_or_style(response.text)
    case_page = (await client.get(f"/arkiv/sak/{case}")).text
    assert "2026/00123" in case_page
    assert "2026/00123-1" in case_page
    assert "Per Bonde" in case_page
    assert "Last ned versjon 2" in case_page and "Last ned versjon 1" in case_page


async def test_menu_links_and_register_page_only_for_the_archive(client) -> None:
    unit = await make_unit()
    handler = await handler_in(unit)
    await login(client, handler)
    home = (await client.get("/")).text
    assert 'href="/arkiv/saker"' in home and 'href="/arkiv/sok"' in home
    assert 'href="/arkiv/registrer"' not in home
    refused = await client.get("/arkiv/registrer")
    assert refused.status_code == 403
    assert "Fellestjenesten/Arkiv" in refused.text

    archivist = await handler_in(unit, roles.ARKIV)
    await client.post("/logg-ut", headers=csrf(client))
    await login(client, archivist)
    home = (await client.get("/")).text
    assert 'href="/arkiv/registrer"' in home
    page = await client.get("/arkiv/registrer")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text
    assert_no_inline_script_or_style(page.text)


async def test_unknown_case_and_post_are_404(client) -> None:
    await login(client, await handler_in())
    assert (await client.get("/arkiv/sak/999999")).status_code == 404
    assert (await client.get("/arkiv/journalpost/999999")).status_code == 404
    assert (await client.get("/arkiv/dokument/999999/fil")).status_code == 404


# --- lists ----------------------------------------------------------------------------------


async def test_my_cases_open_first_with_counts_from_sql(client) -> None:
    unit = await make_unit()
    me = await handler_in(unit)
    other = await handler_in(unit)
    await login(client, me)
    closed = await make_case("Avsluttet sak", unit=unit, saksansvarlig=me, sekvens=1, saksstatus="A")
    open_case = await make_case("Åpen sak", unit=unit, saksansvarlig=me, sekvens=2)
    await make_case("Kollegas sak", unit=unit, saksansvarlig=other, sekvens=3)
    incoming = await make_post(open_case, "Brev inn", journalposttype="I")
    await make_part(incoming, "Avsender AS")
    await make_part(incoming, "LMA", korrespondanseparttype="IM", intern=True, unit=unit, saksbehandler=me)
    await make_post(open_case, "Svar ut", journalposttype="U", journalstatus="E")

    html = (await client.get("/arkiv/saker?status=alle")).text
    assert "Kollegas sak" not in html
    assert html.index("Åpen sak") < html.index("Avsluttet sak")
    row = html[html.index(f'href="/arkiv/sak/{open_case}"') :].split("</tr>", 1)[0]
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row) == ["2", "1"]
    assert "Avsluttet sak" not in (await client.get("/arkiv/saker")).text  # default: open ones
    unit_html = (await client.get(f"/arkiv/saker?vis=enhet&enhet={unit}")).text
    assert "Kollegas sak" in unit_html and "Åpen sak" in unit_html
    assert f'href="/arkiv/sak/{closed}"' not in unit_html


async def test_case_list_pages(client) -> None:
    unit = await make_unit()
    me = await handler_in(unit)
    await login(client, me)
    for n in range(1, 53):
        await make_case(f"Sak nummer {n}", unit=unit, saksansvarlig=me, sekvens=n)
    first = (await client.get("/arkiv/saker")).text
    assert "1–50 av 52" in first
    assert 'href="/arkiv/saker?vis=mine&amp;status=apne&amp;side=2"' in first or "side=2" in first
    second = (await client.get("/arkiv/saker?side=2")).text
    assert "51–52 av 52" in second
    assert "Sak nummer 2<" in second and "Sak nummer 1<" in second


# --- skjerming ------------------------------------------------------------------------------


async def restricted_records(settings: Any, unit: int, owner: int | None = None) -> tuple[int, int, int]:
    case = await make_case(
        SECRET, offentlig_tittel=PUBLIC, unit=unit, saksansvarlig=owner, sekvens=777, tilgangsrestriksjon="P"
    )
    post = await make_post(
        case, f"Melding om {SECRET}", offentlig_tittel="Melding om *****", tilgangsrestriksjon="P"
    )
    await make_part(post, "Hemmelig Avsendersen")
    _doc, versions = await make_document(settings, post, [b"hemmelig innhold"], tittel="Bekymringsmelding")
    return case, post, versions[0]


async def test_restricted_titles_are_masked_for_a_person_without_access(client, settings) -> None:
    unit = await make_unit()
    owner = await handler_in(unit)
    case, post, version = await restricted_records(settings, unit, owner)
    outsider = await handler_in(unit)
    await login(client, outsider)
    pages = {
        "unit list": f"/arkiv/saker?vis=enhet&enhet={unit}",
        "case": f"/arkiv/sak/{case}",
        "post": f"/arkiv/journalpost/{post}",
        "search by public title": "/arkiv/sok?q=Barnevernsak",
    }
    for label, url in pages.items():
        html = (await client.get(url)).text
        assert "Kari Hansen" not in html, label
        assert "Hemmelig Avsendersen" not in html, label
        assert "Bekymringsmelding" not in html, label
        assert "Barnevernsak *****" in html or "Melding om *****" in html, label
    # The real title and the sender are not searchable for someone without access.
    for word in ("Kari", "Hansen", "Avsendersen"):
        html = (await client.get(f"/arkiv/sok?q={word}")).text
        assert "Ingen treff" in html, word
    assert (
        f'href="/arkiv/dokument/{version}/fil"' not in (await client.get(f"/arkiv/journalpost/{post}")).text
    )
    refused = await client.get(f"/arkiv/dokument/{version}/fil")
    assert refused.status_code == 403
    assert b"hemmelig" not in refused.content


async def test_restricted_titles_are_shown_with_the_code_or_when_involved(client, settings) -> None:
    unit = await make_unit()
    owner = await handler_in(unit)
    case, post, version = await restricted_records(settings, unit, owner)
    holder = await handler_in(unit)
    await grant_code(holder, "P")
    for person in (holder, owner):
        await login(client, person)
        for url in (
            f"/arkiv/sak/{case}",
            f"/arkiv/journalpost/{post}",
            f"/arkiv/saker?vis=enhet&enhet={unit}",
        ):
            assert SECRET in (await client.get(url)).text, (person, url)
        hits = (await client.get("/arkiv/sok?q=Hansen")).text
        assert "2026/00777" in hits and "2026/00777-1" in hits
        assert "2026/00777-1" in (await client.get("/arkiv/sok?q=Avsendersen")).text
        download = await client.get(f"/arkiv/dokument/{version}/fil")
        assert download.status_code == 200
        assert download.content == b"hemmelig innhold"
        await client.post("/logg-ut", headers=csrf(client))


async def test_involvement_through_a_post_shows_the_case_and_the_post(client, settings) -> None:
    """The case and post pages check involvement for their one record (correlated, per row):
    the handler of a post in the case and the handler of an internal recipient of it see the
    real titles on the case (and the recipient's handler on the post and its document); a
    colleague does not."""
    unit = await make_unit()
    case, post, version = await restricted_records(settings, unit)
    writer, recipient_handler, colleague = [await handler_in(unit) for _ in range(3)]
    await make_post(case, f"Svar om {SECRET}", tilgangsrestriksjon="P", saksbehandler=writer)
    await make_part(
        post,
        "Intern mottaker",
        korrespondanseparttype="IM",
        intern=True,
        unit=unit,
        saksbehandler=recipient_handler,
    )
    pages = (f"/arkiv/sak/{case}", f"/arkiv/journalpost/{post}")
    for person, sees_post in ((writer, False), (recipient_handler, True)):
        await login(client, person)
        case_page = (await client.get(pages[0])).text
        assert SECRET in case_page and "Barnevernsak *****" not in case_page, person
        post_page = (await client.get(pages[1])).text
        assert ("Melding om " + SECRET in post_page) is sees_post, person
        assert (await client.get(f"/arkiv/dokument/{version}/fil")).status_code == (200 if sees_post else 403)
        await client.post("/logg-ut", headers=csrf(client))
    await login(client, colleague)
    for url in pages:
        html = (await client.get(url)).text
        assert SECRET not in html and "Hemmelig Avsendersen" not in html, url


# --- search ---------------------------------------------------------------------------------


async def test_search_by_number_goes_to_the_record(client) -> None:
    await login(client, await handler_in())
    case = await make_case("Reguleringsplan Sentrum", sekvens=123)
    for n in range(1, 5):
        last = await make_post(case, f"Post {n}")
    for text in ("2026/00123", "2026/123", " 2026 / 00123 "):
        response = await client.get("/arkiv/sok", params={"q": text})
        assert response.status_code == 303, text
        assert response.headers["location"] == f"/arkiv/sak/{case}"
    response = await client.get("/arkiv/sok", params={"q": "2026/00123-4"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/arkiv/journalpost/{last}"
    missing = await client.get("/arkiv/sok", params={"q": "2026/00999"})
    assert missing.status_code == 200
    assert "Fant ingen sak eller journalpost med nummer 2026/00999" in missing.text


async def test_search_by_title_and_correspondent(client) -> None:
    await login(client, await handler_in())
    case = await make_case("Reguleringsplan Sentrum", sekvens=5)
    await make_case("Skoleskyss Haugen", sekvens=6)
    post = await make_post(case, "Merknad til planforslaget")
    await make_part(post, "Naboforeningen Sentrum Øst")
    both = (await client.get("/arkiv/sok", params={"q": "sentrum"})).text
    assert "2026/00005<" in both  # the case (title)
    assert "2026/00005-1" in both  # the post (correspondent)
    assert "Skoleskyss" not in both
    by_name = (await client.get("/arkiv/sok", params={"q": "naboforeningen"})).text
    assert "2026/00005-1" in by_name and "Naboforeningen Sentrum Øst" in by_name
    only_cases = (await client.get("/arkiv/sok", params={"q": "sentrum", "hva": "saker"})).text
    assert "2026/00005-1" not in only_cases and "2026/00005<" in only_cases
    # LIKE wildcards are literal.
    assert "Ingen treff" in (await client.get("/arkiv/sok", params={"q": "%%"})).text


async def test_a_big_hit_list_is_counted_only_up_to_the_cap(client, monkeypatch) -> None:
    """The hits are not counted to the end (an exact COUNT of a big list costs seconds at a
    million posts): beyond the cap the page says "over" and stops paging there."""
    from core.archive.queries import search

    monkeypatch.setattr(search, "COUNT_CAP", 3)
    await login(client, await handler_in())
    for sekvens in range(1, 6):
        await make_case(f"Gang- og sykkelvei etappe {sekvens}", sekvens=sekvens)
    many = (await client.get("/arkiv/sok", params={"q": "sykkelvei", "hva": "saker"})).text
    assert "1–3 av over 3" in many
    assert many.count('href="/arkiv/sak/') == 3
    assert "Viser de første 3 treffene" in many
    few = (await client.get("/arkiv/sok", params={"q": "etappe 5", "hva": "saker"})).text
    assert "1–1 av 1)" in few and "av over" not in few


async def test_search_with_too_short_text_keeps_it_and_explains(client) -> None:
    await login(client, await handler_in())
    response = await client.get("/arkiv/sok", params={"q": "a"})
    assert response.status_code == 422
    assert 'id="feiloppsummering"' in response.text
    assert 'href="#q"' in response.text
    assert 'value="a"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert "<title>Feil:" in response.text


async def test_case_picker_lists_open_cases_by_number_or_title(client) -> None:
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    case = await make_case("Oppmåling Gnr 12 bnr 3", sekvens=42)
    await make_case("Oppmåling Gnr 99", sekvens=43, saksstatus="A")
    by_number = await client.get(
        "/arkiv/saker/velg", params={"saksnummer": "2026/42"}, headers={"HX-Request": "true"}
    )
    assert by_number.status_code == 200
    assert f'value="{case}"' in by_number.text and "checked" in by_number.text
    assert "<html" not in by_number.text
    by_title = (await client.get("/arkiv/saker/velg", params={"saksnummer": "oppmåling"})).text
    assert "2026/00042" in by_title
    assert "2026/00043" not in by_title  # closed


# --- downloads ------------------------------------------------------------------------------


async def test_every_version_downloads_with_its_name_and_type(client, settings) -> None:
    me = await handler_in()
    await login(client, me)
    case = await make_case()
    post = await make_post(case)
    _doc, (v1, v2) = await make_document(
        settings, post, [b"%PDF-1 first", b"%PDF-1 second"], filnavn="søknad.pdf", format="application/pdf"
    )
    old = await client.get(f"/arkiv/dokument/{v1}/fil")
    assert old.status_code == 200
    assert old.content == b"%PDF-1 first"
    assert old.headers["content-type"].startswith("application/pdf")
    assert "filename*=UTF-8''s%C3%B8knad.pdf" in old.headers["content-disposition"]
    new = await client.get(f"/arkiv/dokument/{v2}/fil")
    assert new.content == b"%PDF-1 second"
    html = (await client.get(f"/arkiv/journalpost/{post}")).text
    assert html.index("Last ned versjon 2") < html.index("Last ned versjon 1")  # newest first
    assert "Gjeldende" in html
    assert f'href="/arkiv/dokument/{v1}/fil" download' in html


# --- forms (through the services) ----------------------------------------------------------


async def test_new_case_keeps_input_on_error_and_creates(client) -> None:
    unit = await make_unit()
    me = await handler_in(unit)
    await login(client, me)
    bad = await client.post(
        "/arkiv/sak/ny",
        data={
            "tittel": "",
            "offentlig_tittel": "Noe offentlig",
            "administrativ_enhet_id": str(unit),
            "saksansvarlig_id": str(me),
        },
        headers=csrf(client),
    )
    assert bad.status_code == 422, bad.text[:500]
    assert 'id="feiloppsummering"' in bad.text
    assert 'href="#tittel"' in bad.text
    assert "Noe offentlig" in bad.text
    assert 'aria-invalid="true"' in bad.text
    assert await Saksmappe.count() == 0

    good = await client.post(
        "/arkiv/sak/ny",
        data={
            "tittel": "Ny sak om skogsbilvei",
            "administrativ_enhet_id": str(unit),
            "saksansvarlig_id": str(me),
        },
        headers=csrf(client),
    )
    assert good.status_code == 303, good.text[:500]
    case_id = int(good.headers["location"].rsplit("/", 1)[1])
    page = await client.get(good.headers["location"])
    assert "Ny sak om skogsbilvei" in page.text
    assert re.search(r"Saken 20\d\d/\d{5} er opprettet", page.text)
    mine = (await client.get("/arkiv/saker")).text
    assert f'href="/arkiv/sak/{case_id}"' in mine


def upload(name: str, content: bytes, mime: str = "application/pdf") -> tuple[str, bytes, str]:
    return (name, content, mime)


async def test_register_incoming_with_documents_shows_the_number(client, settings) -> None:
    unit = await make_unit(code="LMA", name="Landbruk")
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    await client.get("/arkiv/registrer")
    response = await client.post(
        "/arkiv/registrer",
        data={
            "sak_valg": "ny",
            "journalposttype": "I",
            "avsender_navn": "Ola Nordmann",
            "avsender_poststed": "Verdal",
            "tittel": "Søknad om deling av grunneiendom",
            "mottatt_dato": "17.05.2026",
            "dokumentets_dato": "2026-05-15",
            "mottaker_enhet_id": str(unit),
        },
        files=[
            ("hoveddokument", upload("søknad.pdf", b"%PDF main")),
            ("vedlegg", upload("kart.png", b"PNG1", "image/png")),
            ("vedlegg", upload("C:\\fakepath\\situasjonsplan.pdf", b"%PDF plan")),
        ],
        headers=csrf(client),
    )
    assert response.status_code == 303, response.text[:1000]
    receipt = await client.get(response.headers["location"])
    assert receipt.status_code == 200
    number = re.search(r"(20\d\d/\d{5}-1)", receipt.text)
    assert number, receipt.text[:1000]
    assert "Søknad om deling av grunneiendom" in receipt.text
    assert "kart" in receipt.text and "situasjonsplan" in receipt.text
    post = await Journalpost.select().first()
    assert post is not None and post["journalposttype"] == "I"
    names = {r["filnavn"] for r in await Dokumentobjekt.select(Dokumentobjekt.filnavn)}
    assert names == {"søknad.pdf", "kart.png", "situasjonsplan.pdf"}
    sender = await Korrespondansepart.select().where(Korrespondansepart.intern.eq(False)).first()
    assert sender is not None and sender["navn"] == "Ola Nordmann"
    # Search by the new number lands on the post.
    found = await client.get("/arkiv/sok", params={"q": number.group(1)})
    assert found.headers["location"] == f"/arkiv/journalpost/{post['id']}"


async def test_the_registration_card_counts_todays_registrations_of_the_user(client, settings) -> None:
    """Fellestjenesten/Arkiv's card: the registration pages, the incoming posts the user
    registered today, and the receipt of the newest; others get 403."""
    unit = await make_unit(code="LMA", name="Landbruk")
    archivist = await handler_in(None, roles.ARKIV)
    colleague = await handler_in(None, roles.ARKIV, name="Arne Arkiv")
    await login(client, archivist)
    card = (await client.get("/arkiv/registrer/kort", headers=htmx(client))).text
    assert 'data-tall="registrert" data-verdi="0"' in card and "kvittering" not in card
    assert '<a href="/arkiv/registrer">Registrer inngående post</a>' in card
    assert '<a href="/arkiv/sak/ny">Opprett ny sak</a>' in card
    locations = []
    for title in ("Søknad om deling", "Klage på vedtak"):
        response = await client.post(
            "/arkiv/registrer",
            data={
                "sak_valg": "ny",
                "journalposttype": "I",
                "avsender_navn": "Ola Nordmann",
                "tittel": title,
                "mottatt_dato": today().strftime("%d.%m.%Y"),
                "mottaker_enhet_id": str(unit),
            },
            files=[("hoveddokument", upload("brev.pdf", b"%PDF main"))],
            headers=csrf(client),
        )
        assert response.status_code == 303, response.text[:500]
        locations.append(response.headers["location"])
    card = (await client.get("/arkiv/registrer/kort", headers=htmx(client))).text
    assert 'data-tall="registrert" data-verdi="2"' in card
    assert "2 journalposter registrert av deg i dag" in card
    assert f'<a href="{locations[-1]}">Kvittering for den siste, ' in card
    await login(client, colleague)  # the count is the user's own
    assert 'data-verdi="0"' in (await client.get("/arkiv/registrer/kort")).text
    await login(client, await handler_in(unit))
    assert (await client.get("/arkiv/registrer/kort")).status_code == 403


async def test_register_incoming_keeps_input_and_files_on_error(client) -> None:
    unit = await make_unit()
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    await client.get("/arkiv/registrer")
    first = await client.post(
        "/arkiv/registrer",
        data={
            "sak_valg": "ny",
            "journalposttype": "I",
            "avsender_navn": "Kari Nordmann",
            "tittel": "",
            "mottatt_dato": "32.13.2026",
            "mottaker_enhet_id": str(unit),
        },
        files=[("hoveddokument", upload("brev.pdf", b"%PDF brev"))],
        headers=csrf(client),
    )
    assert first.status_code == 422
    html = first.text
    assert 'id="feiloppsummering"' in html and 'href="#mottatt_dato"' in html
    assert 'value="Kari Nordmann"' in html and 'value="32.13.2026"' in html
    assert "Behold brev.pdf" in html
    token = re.search(r'name="behold_hoved" value="([^"]+)"', html)
    assert token
    assert await Journalpost.count() == 0

    second = await client.post(
        "/arkiv/registrer",
        data={
            "sak_valg": "ny",
            "journalposttype": "I",
            "avsender_navn": "Kari Nordmann",
            "tittel": "Klage på vedtak",
            "mottatt_dato": "17.05.2026",
            "mottaker_enhet_id": str(unit),
            "behold_hoved": token.group(1),
        },
        files=[("hoveddokument", ("", b"", "application/octet-stream"))],  # an empty file input
        headers=csrf(client),
    )
    assert second.status_code == 303, second.text[:1000]
    version = await Dokumentobjekt.select().first()
    assert version is not None and version["filnavn"] == "brev.pdf"
    assert (await client.get(f"/arkiv/dokument/{version['id']}/fil")).content == b"%PDF brev"


def stored_files(settings: Any) -> set[Path]:
    """Every file in the file store (shared by the whole test run, so compare before/after)."""
    root = Path(settings.file_store)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def summary_errors(html: str) -> list[tuple[str, str]]:
    """The error summary's (field, message) pairs, in order."""
    summary = html.split('id="feiloppsummering"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<li><a href="#([^"]+)">([^<]*)</a></li>', summary)


def field_errors(html: str) -> dict[str, str]:
    """The error shown at each field (``<span id="FIELD-feil">``)."""
    return {
        name: message.strip()
        for name, message in re.findall(
            r'<span class="error-text" id="([^"]+)-feil"><span class="visually-hidden">[^<]*</span>([^<]*)</span>',
            html,
        )
    }


async def _no_records_and_no_files(settings: Any, files_before: set[Path]) -> None:
    assert await Journalpost.count() == 0
    assert await Saksmappe.count() == 0
    assert await Dokumentobjekt.count() == 0
    assert stored_files(settings) == files_before


NO_FILE = ("", b"", "application/octet-stream")  # what a browser sends for a file input left empty


@pytest.mark.parametrize("use_htmx", [False, True], ids=["form", "htmx"])
async def test_register_incoming_empty_form_gives_each_error_once(client, settings, use_htmx) -> None:
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    await client.get("/arkiv/registrer")
    files_before = stored_files(settings)
    empty = {
        "sak_valg": "ny",
        "saksnummer": "",
        "sak_tittel": "",
        "sak_offentlig_tittel": "",
        "journalposttype": "I",
        "avsender_navn": "",
        "tittel": "",
        "offentlig_tittel": "",
        "mottatt_dato": today().isoformat(),
        "mottaker_enhet_id": "",
        "dokumenttittel": "",
    }
    response = await client.post(
        "/arkiv/registrer",
        data=empty,
        files=[("hoveddokument", NO_FILE), ("vedlegg", NO_FILE)],
        headers=htmx(client) if use_htmx else csrf(client),
    )
    assert response.status_code == 422, response.text[:1000]
    html = response.text
    summary = summary_errors(html)
    assert [field for field, _ in summary] == ["tittel", "avsender_navn", "hoveddokument"]
    assert len({message for _, message in summary}) == len(summary)  # no message twice
    assert field_errors(html) == {
        "tittel": "Skriv en tittel.",
        "avsender_navn": "Skriv hvem den inngående posten er fra.",
        "hoveddokument": "Velg filen med hoveddokumentet.",
    }
    assert html.count("Skriv en tittel.") == 2  # in the summary and at the post's title only
    assert 'id="sak_tittel-feil"' not in html and 'href="#sak_tittel"' not in html
    await _no_records_and_no_files(settings, files_before)

    existing = await client.post(
        "/arkiv/registrer",
        data={**empty, "sak_valg": "eksisterende"},
        files=[("hoveddokument", NO_FILE)],
        headers=htmx(client) if use_htmx else csrf(client),
    )
    assert existing.status_code == 422
    assert "sak_tittel" not in field_errors(existing.text)
    assert existing.text.count("Skriv en tittel.") == 0  # the web form stops at the case first
    assert [field for field, _ in summary_errors(existing.text)] == ["saksnummer"]
    await _no_records_and_no_files(settings, files_before)


@pytest.mark.parametrize("use_htmx", [False, True], ids=["form", "htmx"])
async def test_register_incoming_without_main_document_is_refused(client, settings, use_htmx) -> None:
    unit = await make_unit(code="LMA", name="Landbruk")
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    await client.get("/arkiv/registrer")
    headers = htmx(client) if use_htmx else csrf(client)
    files_before = stored_files(settings)
    typed = {
        "sak_valg": "ny",
        "sak_tittel": "Deling av gnr. 12 bnr. 3",
        "journalposttype": "I",
        "avsender_navn": "Kari Nordmann",
        "avsender_poststed": "Verdal",
        "tittel": "Søknad om deling",
        "offentlig_tittel": "Søknad om deling",
        "dokumentets_dato": "2026-05-15",
        "mottatt_dato": "2026-05-17",
        "mottaker_enhet_id": str(unit),
        "dokumenttittel": "Søknaden",
    }
    response = await client.post(
        "/arkiv/registrer",
        data=typed,
        files=[("hoveddokument", NO_FILE), ("vedlegg", NO_FILE)],
        headers=headers,
    )
    assert response.status_code == 422, response.text[:1000]
    html = response.text
    assert summary_errors(html) == [("hoveddokument", "Velg filen med hoveddokumentet.")]
    assert field_errors(html) == {"hoveddokument": "Velg filen med hoveddokumentet."}
    file_input = re.search(r'<input type="file" id="hoveddokument"[^>]*>', html)
    assert file_input and 'aria-invalid="true"' in file_input.group(0)
    assert "hoveddokument-feil" in file_input.group(0)
    # The dates come back as the field shows dates (dd.mm.åååå), the rest as typed.
    for text in ("Kari Nordmann", "Verdal", "15.05.2026", "17.05.2026", "Søknaden"):
        assert f'value="{text}"' in html, text
    assert ">Deling av gnr. 12 bnr. 3</textarea>" in html and ">Søknad om deling</textarea>" in html
    assert f'<option value="{unit}" selected>' in html
    await _no_records_and_no_files(settings, files_before)

    # Attachments alone are no main document; they are kept for the next try.
    with_attachment = await client.post(
        "/arkiv/registrer",
        data=typed,
        files=[("hoveddokument", NO_FILE), ("vedlegg", upload("kart.png", b"PNG kart", "image/png"))],
        headers=headers,
    )
    assert with_attachment.status_code == 422
    assert field_errors(with_attachment.text) == {"hoveddokument": "Velg filen med hoveddokumentet."}
    assert "Behold kart.png" in with_attachment.text
    token = re.search(r'name="behold_vedlegg" value="([^"]+)"', with_attachment.text)
    assert token
    assert await Journalpost.count() == 0 and await Saksmappe.count() == 0

    done = await client.post(
        "/arkiv/registrer",
        data={**typed, "behold_vedlegg": token.group(1)},
        files=[("hoveddokument", upload("søknad.pdf", b"%PDF soknad")), ("vedlegg", NO_FILE)],
        headers=headers,
    )
    assert done.status_code == (200 if use_htmx else 303), done.text[:1000]
    names = {r["filnavn"] for r in await Dokumentobjekt.select(Dokumentobjekt.filnavn)}
    assert names == {"søknad.pdf", "kart.png"}
    case = await Saksmappe.select(Saksmappe.tittel).first()
    assert case is not None and case["tittel"] == "Deling av gnr. 12 bnr. 3"


async def test_a_forged_kept_file_token_is_ignored(client, settings) -> None:
    from core.archive.services import UploadedFile
    from core.web.archive import uploads

    archivist = await handler_in(None, roles.ARKIV)
    other = await handler_in()
    kept = uploads.keep(settings, other, UploadedFile("annen.pdf", b"andres fil", "application/pdf"))
    assert uploads.restore(settings, other, kept.token) is not None
    assert uploads.restore(settings, archivist, kept.token) is None
    tampered = kept.token[:-1] + ("1" if kept.token.endswith("0") else "0")
    assert uploads.restore(settings, other, tampered) is None


async def own_case(client: Any) -> tuple[int, int]:
    unit = await make_unit()
    me = await handler_in(unit)
    await login(client, me)
    response = await client.post(
        "/arkiv/sak/ny",
        data={
            "tittel": "Tilskudd til drenering",
            "administrativ_enhet_id": str(unit),
            "saksansvarlig_id": str(me),
        },
        headers=csrf(client),
    )
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].rsplit("/", 1)[1]), me


async def test_new_post_keeps_input_and_adds_rows(client) -> None:
    case, _me = await own_case(client)
    form = await client.get(f"/arkiv/sak/{case}/ny-journalpost")
    assert form.status_code == 200
    more = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={
            "journalposttype": "U",
            "tittel": "Svar på søknad",
            "mottaker_navn_1": "Ola",
            "antall_mottakere": "1",
            "handling": "flere_mottakere",
        },
        files=[("hoveddokument", upload("svar.pdf", b"%PDF svar"))],
        headers=csrf(client),
    )
    assert more.status_code == 200
    assert 'id="mottaker_navn_2"' in more.text
    assert 'value="Ola"' in more.text and "Svar på søknad" in more.text
    assert "Behold svar.pdf" in more.text
    bad = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={"journalposttype": "U", "tittel": "", "dokumentets_dato": "i går", "mottaker_navn_1": "Ola"},
        files=[("hoveddokument", ("", b"", "application/octet-stream"))],
        headers=csrf(client),
    )
    assert bad.status_code == 422
    assert 'href="#dokumentets_dato"' in bad.text and 'value="i går"' in bad.text


async def test_new_post_ekspeder_and_conflict_with_htmx(client) -> None:
    case, _me = await own_case(client)
    created = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={
            "journalposttype": "U",
            "tittel": "Vedtak om tilskudd",
            "mottaker_navn_1": "Ola Bonde",
            "antall_mottakere": "1",
        },
        files=[("hoveddokument", upload("vedtak.pdf", b"%PDF vedtak"))],
        headers=csrf(client),
    )
    assert created.status_code == 303, created.text[:1000]
    post_url = created.headers["location"]
    post_id = int(post_url.rsplit("/", 1)[1])
    page = (await client.get(post_url)).text
    assert re.search(r"Journalpost 20\d\d/\d{5}-1 er opprettet", page)
    version = await Journalpost.select(Journalpost.version).where(Journalpost.id == post_id).first()
    assert version is not None
    answer = await client.post(
        f"/arkiv/journalpost/{post_id}/ekspeder",
        data={"version": str(version["version"])},
        headers=htmx(client),
    )
    assert answer.status_code == 200, answer.text[:800]
    assert 'id="jp-status"' in answer.text and "Ekspedert" in answer.text
    assert 'hx-swap-oob="true"' in answer.text and "Journalposten er ekspedert." in answer.text
    assert "<html" not in answer.text
    again = await client.post(
        f"/arkiv/journalpost/{post_id}/ekspeder",
        data={"version": str(version["version"])},
        headers=htmx(client),
    )
    assert again.status_code == 409
    assert again.headers["hx-retarget"] == "#meldinger"
    assert 'role="alert"' in again.text
    assert "Noen andre endret journalposten" in again.text
    # The history of the case and of the post, newest first.
    history = (await client.get(f"/arkiv/sak/{case}")).text.split('id="sak-historikk"', 1)[1]
    assert (
        history.index("Ekspedert") < history.index("Journalpost opprettet") < history.index("Sak opprettet")
    )
    post_history = (await client.get(post_url)).text.split('id="jp-historikk"', 1)[1]
    assert "Ekspedert" in post_history and "Sak opprettet" not in post_history


async def test_version_upload_and_remark_with_htmx(client) -> None:
    case, _me = await own_case(client)
    created = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={"journalposttype": "X", "tittel": "Arbeidsnotat"},
        files=[("hoveddokument", upload("notat.txt", b"utkast 1", "text/plain"))],
        headers=csrf(client),
    )
    assert created.status_code == 303, created.text[:1000]
    post_id = int(created.headers["location"].rsplit("/", 1)[1])
    doc_id = int(
        re.search(
            r"/arkiv/dokument/(\d+)/versjon", (await client.get(created.headers["location"])).text
        ).group(1)
    )
    missing = await client.post(f"/arkiv/dokument/{doc_id}/versjon", data={}, headers=htmx(client))
    assert missing.status_code == 422
    assert "Velg filen med den nye versjonen." in missing.text
    answer = await client.post(
        f"/arkiv/dokument/{doc_id}/versjon",
        files=[(f"fil-{doc_id}", upload("notat.txt", b"utkast 2", "text/plain"))],
        headers=htmx(client),
    )
    assert answer.status_code == 200, answer.text[:800]
    assert "Last ned versjon 2" in answer.text and "Last ned versjon 1" in answer.text
    ids = [
        r["id"]
        for r in await Dokumentobjekt.select(Dokumentobjekt.id).order_by(Dokumentobjekt.versjonsnummer)
    ]
    assert [(await client.get(f"/arkiv/dokument/{i}/fil")).content for i in ids] == [b"utkast 1", b"utkast 2"]

    empty = await client.post(
        f"/arkiv/journalpost/{post_id}/merknad", data={"merknadstekst": ""}, headers=htmx(client)
    )
    assert empty.status_code == 422
    assert 'id="merknader"' in empty.text and 'aria-invalid="true"' in empty.text
    remark = await client.post(
        f"/arkiv/journalpost/{post_id}/merknad",
        data={"merknadstekst": "Ringte søker 17. mai."},
        headers=htmx(client),
    )
    assert remark.status_code == 200
    assert "Ringte søker 17. mai." in remark.text and "Merknaden er lagret." in remark.text
    case_remark = await client.post(
        f"/arkiv/sak/{case}/merknad", data={"merknadstekst": "Venter på kart."}, headers=csrf(client)
    )
    assert case_remark.status_code == 303
    assert "Venter på kart." in (await client.get(f"/arkiv/sak/{case}")).text


async def test_close_case(client) -> None:
    case, _me = await own_case(client)
    version = await Saksmappe.select(Saksmappe.version).where(Saksmappe.id == case).first()
    assert version is not None
    response = await client.post(
        f"/arkiv/sak/{case}/avslutt", data={"version": str(version["version"])}, headers=csrf(client)
    )
    assert response.status_code == 303, response.text[:500]
    page = (await client.get(f"/arkiv/sak/{case}")).text
    assert "Saken er avsluttet." in page
    assert "Ny journalpost" not in page


async def test_others_are_refused_the_write_actions(client, settings) -> None:
    unit = await make_unit()
    owner = await handler_in(unit)
    case = await make_case("Eiers sak", unit=unit, saksansvarlig=owner)
    post = await make_post(
        case, "Utkast", journalposttype="U", journalstatus="R", unit=unit, saksbehandler=owner
    )
    doc, _versions = await make_document(settings, post, [b"v1"])
    stranger = await handler_in(await make_unit())
    await login(client, stranger)
    page = (await client.get(f"/arkiv/journalpost/{post}")).text
    assert "Ekspeder" not in page and "Last opp ny versjon" not in page
    assert "Ny journalpost" not in (await client.get(f"/arkiv/sak/{case}")).text
    refused = [
        await client.post(f"/arkiv/journalpost/{post}/ekspeder", data={"version": "1"}, headers=csrf(client)),
        await client.post(
            f"/arkiv/journalpost/{post}/ferdigstill", data={"version": "1"}, headers=csrf(client)
        ),
        await client.post(
            f"/arkiv/dokument/{doc}/versjon",
            files=[(f"fil-{doc}", upload("x.pdf", b"x"))],
            headers=csrf(client),
        ),
        await client.post(
            f"/arkiv/sak/{case}/ny-journalpost",
            data={"journalposttype": "X", "tittel": "Inntrenger"},
            files=[("hoveddokument", upload("x.pdf", b"x"))],
            headers=csrf(client),
        ),
        await client.post(f"/arkiv/sak/{case}/avslutt", data={"version": "1"}, headers=csrf(client)),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text[:300] for r in refused]
    assert await Journalpost.count() == 1


async def test_a_new_letter_answers_the_restanse_it_replies_to(client) -> None:
    unit = await make_unit(code="LMA", name="Landbruk")
    archivist = await handler_in(None, roles.ARKIV)
    await login(client, archivist)
    await client.get("/arkiv/registrer")
    registered = await client.post(
        "/arkiv/registrer",
        data={
            "sak_valg": "ny",
            "journalposttype": "I",
            "avsender_navn": "Ola Nordmann",
            "tittel": "Spørsmål om gjerde",
            "mottaker_enhet_id": str(unit),
        },
        files=[("hoveddokument", upload("brev.pdf", b"%PDF brev"))],
        headers=csrf(client),
    )
    assert registered.status_code == 303, registered.text[:800]
    incoming = await Journalpost.select().first()
    assert incoming is not None
    case = incoming["saksmappe"]
    part = await Korrespondansepart.select().where(Korrespondansepart.intern.eq(True)).first()
    assert part is not None
    case_page = (await client.get(f"/arkiv/sak/{case}")).text
    assert "Til fordeling" in (await client.get(f"/arkiv/journalpost/{incoming['id']}")).text
    assert "Åpen" in case_page
    form = (await client.get(f"/arkiv/sak/{case}/ny-journalpost")).text
    assert f'name="besvarer" value="{part["id"]}"' in form
    answer = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={
            "journalposttype": "U",
            "tittel": "Svar om gjerde",
            "mottaker_navn_1": "Ola Nordmann",
            "antall_mottakere": "1",
            "besvarer": str(part["id"]),
        },
        files=[("hoveddokument", upload("svar.pdf", b"%PDF svar"))],
        headers=csrf(client),
    )
    assert answer.status_code == 303, answer.text[:800]
    post_page = (await client.get(f"/arkiv/journalpost/{incoming['id']}")).text
    assert "Besvart med brev" in post_page
    assert re.search(r"med <a href=\"/arkiv/journalpost/\d+\">20\d\d/\d{5}-2</a>", post_page)
    assert (
        f'name="besvarer" value="{part["id"]}"'
        not in (await client.get(f"/arkiv/sak/{case}/ny-journalpost")).text
    )


async def test_ferdigstill_with_htmx_freezes_the_documents(client) -> None:
    case, _me = await own_case(client)
    created = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={"journalposttype": "X", "tittel": "Notat til saken"},
        files=[("hoveddokument", upload("notat.txt", b"ferdig", "text/plain"))],
        headers=csrf(client),
    )
    assert created.status_code == 303, created.text[:800]
    post_id = int(created.headers["location"].rsplit("/", 1)[1])
    before = (await client.get(created.headers["location"])).text
    assert "Last opp ny versjon" in before and "Ferdigstill" in before
    version = await Journalpost.select(Journalpost.version).where(Journalpost.id == post_id).first()
    assert version is not None
    answer = await client.post(
        f"/arkiv/journalpost/{post_id}/ferdigstill",
        data={"version": str(version["version"])},
        headers=htmx(client),
    )
    assert answer.status_code == 200, answer.text[:800]
    assert "Journalposten er ferdigstilt." in answer.text
    assert 'id="dokumenter"' in answer.text and "Last opp ny versjon" not in answer.text
    after = (await client.get(created.headers["location"])).text
    assert "Ferdigstilt" in after and "Ekspeder" in after and ">Ferdigstill<" not in after


# --- uploads: authorised before anything is stored, streamed, moved in on success ---------------


def temporary_files(settings: Any) -> set[Path]:
    root = Path(settings.file_store)
    return {p for p in root.rglob("*") if p.is_file() and (".tmp" in p.parts or p.name.startswith(".tmp"))}


async def test_an_upload_to_another_units_case_is_refused_before_anything_is_stored(client, settings) -> None:
    unit = await make_unit()
    owner = await handler_in(unit)
    case = await make_case("Eiers sak", unit=unit, saksansvarlig=owner)
    stranger = await handler_in(await make_unit())
    await login(client, stranger)
    await client.get("/arkiv")
    before = stored_files(settings)
    content = b"%PDF " + bytes(range(256)) * 4096  # 1 MB: rolled to disk by Litestar

    for headers in (csrf(client), htmx(client)):  # CSRF token in a header
        refused = await client.post(
            f"/arkiv/sak/{case}/ny-journalpost",
            data={"journalposttype": "X", "tittel": "Inntrenger"},
            files=[("hoveddokument", upload("stor.pdf", content)), ("vedlegg", upload("v.pdf", b"v"))],
            headers=headers,
        )
        assert refused.status_code == 403, refused.text[:300]
    # the token in the form body (a plain form): Litestar's CSRF check reads the body first
    refused = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={"journalposttype": "X", "tittel": "Inntrenger", "_csrf_token": client.cookies["arkiv_csrf"]},
        files=[("hoveddokument", upload("stor.pdf", content))],
    )
    assert refused.status_code == 403, refused.text[:300]
    unknown = await client.post(
        "/arkiv/sak/2147483000/ny-journalpost",
        data={"journalposttype": "X", "tittel": "x"},
        files=[("hoveddokument", upload("stor.pdf", content))],
        headers=csrf(client),
    )
    assert unknown.status_code == 404
    assert stored_files(settings) == before
    assert temporary_files(settings) == set()
    assert await Journalpost.count() == 0


async def test_a_large_upload_is_stored_with_its_checksum_and_nothing_left_in_temp(client, settings) -> None:
    import hashlib

    unit = await make_unit()
    owner = await handler_in(unit)
    case = await make_case("Stor sak", unit=unit, saksansvarlig=owner)
    await login(client, owner)
    await client.get(f"/arkiv/sak/{case}/ny-journalpost")
    content = hashlib.sha256(b"fro").digest() * (20 * 1024 * 1024 // 32)  # 20 MB
    created = await client.post(
        f"/arkiv/sak/{case}/ny-journalpost",
        data={"journalposttype": "X", "tittel": "Stort notat"},
        files=[("hoveddokument", upload("stor.pdf", content))],
        headers=csrf(client),
    )
    assert created.status_code == 303, created.text[:500]
    version = await Dokumentobjekt.select().first()
    assert version is not None
    assert version["sjekksum"] == hashlib.sha256(content).hexdigest()
    assert version["filstoerrelse"] == len(content)
    from core.archive.filestore import FileStore

    assert FileStore.from_settings(settings).path(version["sjekksum"]).read_bytes() == content
    assert temporary_files(settings) == set()


async def test_staging_an_upload_streams_through_a_bounded_buffer(settings) -> None:
    import hashlib
    import tracemalloc

    from litestar.datastructures import UploadFile

    from core.archive.filestore import CHUNK_BYTES, FileStore
    from core.web.archive import uploads

    value = UploadFile(content_type="application/pdf", filename="stor.pdf")
    block = hashlib.sha256(b"blokk").digest() * (1024 * 1024 // 32)
    for _ in range(20):
        await value.write(block)  # 20 MB, rolled to disk after the first
    tracemalloc.start()
    try:
        file = await uploads.read_upload(settings, value)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert file is not None and file.staged is not None
    try:
        assert peak < 3 * CHUNK_BYTES, peak
        assert file.size == 20 * len(block)
        assert file.staged.sjekksum == hashlib.sha256(block * 20).hexdigest()
        assert file.staged.path.parent == FileStore.from_settings(settings).tmp_dir
    finally:
        uploads.discard(settings, [file])
    assert not file.staged.path.exists()


async def test_a_refused_version_leaves_no_file_in_the_store_nor_in_temp(client, settings) -> None:
    from core.archive import services
    from core.archive.filestore import FileStore
    from core.auth.user import load_user
    from core.errors import Conflict

    unit = await make_unit()
    owner = await handler_in(unit)
    case = await make_case("Sak", unit=unit, saksansvarlig=owner)
    post = await make_post(
        case, "Ferdig", journalposttype="X", journalstatus="F", unit=unit, saksbehandler=owner
    )
    doc, _versions = await make_document(settings, post, [b"v1"])
    await Dokumentobjekt.raw("UPDATE core_dokumentbeskrivelse SET dokumentstatus = 'F' WHERE id = {}", doc)
    before = stored_files(settings)
    store = FileStore.from_settings(settings)
    staged = store.stage_bytes(b"ny versjon som ikke skal lagres")
    user = await load_user(owner)
    assert user is not None

    with pytest.raises(Conflict):
        await services.add_version(settings, user, doc, services.UploadedFile("ny.txt", staged=staged))

    assert not staged.path.exists()
    assert stored_files(settings) == before
    assert temporary_files(settings) == set()
