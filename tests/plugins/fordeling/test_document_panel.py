"""The document panel of *Til fordeling* (``GET /fordeling/dokument/<korrespondansepart>``): the
main document of a waiting post for those who may see its queue, as a panel fragment (htmx)
or a page (without JavaScript); skjerming applied; PDFs and images shown, other files offered
as downloads."""

from __future__ import annotations

import re

import pytest

from core.archive.tables import Dokumentbeskrivelse
from tests.plugins.fordeling.conftest import Org, absent, add_file, grant, make_case, make_post, write_off
from tests.support.factories import login

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}
PDF = b"%PDF-1.7 Soknad om dispensasjon"


async def test_the_queue_links_each_row_to_its_panel(client, org: Org) -> None:
    case = await make_case(unit=org.unit)
    post = await make_post(case, unit=org.unit)
    await login(client, org.leader)
    html = (await client.get(f"/fordeling?enhet={org.unit}&sorter=nyest&jptype=I")).text
    url = f"/fordeling/dokument/{post.korrespondansepart_id}?jptype=I&amp;sorter=nyest"
    # A plain link (works without JavaScript), loaded into the panel beside the queue with htmx.
    assert (
        f'<a class="fordeling-vis" href="{url}" hx-get="{url}" hx-target="#dokumentpanel" '
        'hx-swap="innerHTML" data-dokumentpanel-apne>Vis dokument<span class="visually-hidden"> '
        f"{post.number}</span></a>"
    ) in html
    # The panel is outside the queue region (#kurv), which htmx swaps on its own.
    assert re.search(
        r'<section id="kurv".*</section>\s*<section id="dokumentpanel" class="dokumentpanel" '
        r'aria-labelledby="dokumentpanel-tittel" hidden></section>',
        html,
        re.S,
    )
    assert '<script src="/static/fordeling/fordeling.js" defer></script>' in html
    # The type filter travels under its own name (jptype), in the links and the forms alike.
    assert '<input type="hidden" name="jptype" value="I">' in html


async def test_panel_shows_the_post_and_its_pdf(client, org: Org, settings) -> None:
    case = await make_case(unit=org.unit, tittel="Dispensasjon Gnr. 7/1")
    post = await make_post(
        case, unit=org.unit, tittel="Søknad om dispensasjon", avsender="Bonde Berg", vedlegg=1
    )
    await add_file(settings, post, b"%PDF-1.7 utkast")
    version = await add_file(settings, post, PDF, filnavn="soknad.pdf")
    attachment = await add_file(settings, post, b"%PDF-1.7 kart", filnavn="kart.pdf", dokumentnummer=2)
    await login(client, org.leader)
    fragment = await client.get(f"/fordeling/dokument/{post.korrespondansepart_id}", headers=HTMX)
    assert fragment.status_code == 200
    html = fragment.text
    assert "<html" not in html
    assert f'<h2 id="dokumentpanel-tittel" tabindex="-1">Hoveddokument for {post.number}</h2>' in html
    assert "data-dokumentpanel-lukk>Lukk" in html
    for text in ("Søknad om dispensasjon", "Bonde Berg", "Dispensasjon Gnr. 7/1", "Ny sak"):
        assert text in html, text
    assert 'Brev <span class="doc-kind">(versjon 2)</span>' in html  # the active version
    assert (
        f'<iframe class="dokumentpanel__pdf" src="/arkiv/dokument/{version}/vis" '
        'title="Dokumentet Brev"></iframe>'
    ) in html
    assert f'href="/arkiv/dokument/{version}/fil" download>Last ned dokumentet' in html
    assert f'<a href="/arkiv/dokument/{attachment}/fil" download>Vedlegg 1</a>' in html
    assert f'href="/arkiv/journalpost/{post.id}"' in html
    shown = await client.get(f"/arkiv/dokument/{version}/vis")
    assert shown.status_code == 200 and shown.content == PDF


async def test_without_javascript_the_panel_is_a_page_leading_back_to_the_queue(
    client, org: Org, settings
) -> None:
    post = await make_post(await make_case(unit=org.unit), unit=org.unit)
    await add_file(settings, post, PDF)
    await login(client, org.leader)
    page = await client.get(f"/fordeling/dokument/{post.korrespondansepart_id}?sorter=nyest&side=2&sok=x%26y")
    assert page.status_code == 200
    html = page.text
    assert "<html" in html
    assert f'<h1 id="dokumentpanel-tittel" tabindex="-1">Hoveddokument for {post.number}</h1>' in html
    assert "data-dokumentpanel-lukk" not in html  # no close button on a page
    assert (
        f'href="/fordeling?enhet={org.unit}&amp;sok=x%26y&amp;sorter=nyest&amp;side=2">Tilbake til kurven'
        in html
    )


async def test_images_are_shown_other_files_are_downloads(client, org: Org, settings) -> None:
    case = await make_case(unit=org.unit)
    image_post = await make_post(case, unit=org.unit)
    image = await add_file(
        settings, image_post, b"\x89PNG\r\n\x1a\n0000", format="image/png", filnavn="kart.png"
    )
    text_post = await make_post(case, unit=org.unit)
    text = await add_file(settings, text_post, b"# Notat", format="text/markdown", filnavn="notat.md")
    bare = await make_post(case, unit=org.unit)
    await login(client, org.leader)
    html = (await client.get(f"/fordeling/dokument/{image_post.korrespondansepart_id}", headers=HTMX)).text
    assert (
        f'<img class="dokumentpanel__bilde" src="/arkiv/dokument/{image}/vis" alt="Dokumentet Brev">' in html
    )
    html = (await client.get(f"/fordeling/dokument/{text_post.korrespondansepart_id}", headers=HTMX)).text
    assert "<iframe" not in html and "<img" not in html
    assert "Dokumentet kan ikke vises her. Last det ned for å lese det." in html
    assert f'href="/arkiv/dokument/{text}/fil" download' in html
    html = (await client.get(f"/fordeling/dokument/{bare.korrespondansepart_id}", headers=HTMX)).text
    assert "Ingen filer." in html
    await Dokumentbeskrivelse.delete().where(Dokumentbeskrivelse.journalpost == bare.id)
    html = (await client.get(f"/fordeling/dokument/{bare.korrespondansepart_id}", headers=HTMX)).text
    assert "Journalposten har ikke noe hoveddokument." in html


async def test_a_restricted_title_stays_masked_for_a_leader_without_the_code(
    client, org: Org, settings
) -> None:
    case = await make_case(
        unit=org.unit,
        tittel="Barnevern Kari Hansen",
        offentlig_tittel="Barnevern *****",
        tilgangsrestriksjon="13",
    )
    post = await make_post(
        case,
        unit=org.unit,
        tittel="Bekymringsmelding om Kari Hansen",
        offentlig_tittel="Bekymringsmelding om *****",
        tilgangsrestriksjon="13",
        avsender="Hemmelig Avsendersen",
    )
    version = await add_file(settings, post, PDF)
    await login(client, org.leader)
    for headers in (HTMX, {}):
        html = (await client.get(f"/fordeling/dokument/{post.korrespondansepart_id}", headers=headers)).text
        assert "Kari Hansen" not in html and "Hemmelig Avsendersen" not in html
        assert "Bekymringsmelding om *****" in html and "Barnevern *****" in html
        assert "Skjermet" in html and "Dokumentet er skjermet for deg." in html
        assert f"/arkiv/dokument/{version}/" not in html  # neither shown nor offered
    await grant(org.leader, "13")
    html = (await client.get(f"/fordeling/dokument/{post.korrespondansepart_id}", headers=HTMX)).text
    assert "Bekymringsmelding om Kari Hansen" in html and "Hemmelig Avsendersen" in html
    assert f'src="/arkiv/dokument/{version}/vis"' in html


async def test_only_who_may_see_the_queue_row_sees_the_panel(client, org: Org, settings) -> None:
    post = await make_post(await make_case(), unit=org.unit)
    central = await make_post(await make_case(), unit=None)
    url = f"/fordeling/dokument/{post.korrespondansepart_id}"
    for person in (org.handler, org.deputy, org.other_leader):
        await login(client, person)
        refused = await client.get(url)
        assert refused.status_code == 403, person
        assert "Søknad om dispensasjon" not in refused.text
    await absent(org, today_inside=True)
    for person in (org.deputy, org.leader, org.archive):  # the archive may look at every queue
        await login(client, person)
        assert (await client.get(url)).status_code == 200, person
    # The central queue: Fellestjenesten/Arkiv only.
    central_url = f"/fordeling/dokument/{central.korrespondansepart_id}"
    assert (await client.get(central_url)).status_code == 200
    await login(client, org.leader)
    assert (await client.get(central_url)).status_code == 403


async def test_a_post_no_longer_waiting_has_no_panel(client, org: Org) -> None:
    case = await make_case(unit=org.unit, saksansvarlig=org.handler)
    taken = await make_post(case, unit=org.unit, handler=org.handler)
    done = await make_post(case, unit=org.unit)
    await write_off(done)
    await login(client, org.leader)
    for post in (taken, done):
        response = await client.get(f"/fordeling/dokument/{post.korrespondansepart_id}", headers=HTMX)
        assert response.status_code == 404
        assert "Journalposten venter ikke lenger på fordeling. Last kurven på nytt." in response.text
        assert response.headers["hx-retarget"] == "#meldinger"
    assert (await client.get("/fordeling/dokument/99999999")).status_code == 404
    assert (await client.get("/fordeling/dokument/0")).status_code == 404
