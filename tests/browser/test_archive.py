"""Case work in a real browser (the app's CSP applies): Fellestjenesten/Arkiv registers incoming
post with an uploaded document and sees its number; the handler's in-page actions work with
htmx (remark, new version, ekspeder) and a stale page gets a Norwegian conflict message."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Watch, sign_in, wait_for_htmx
from tests.browser.test_shell import assert_clean

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"\b(20\d\d/\d{5}-\d+)\b")


def first_unit(page: Any, select: str) -> str:
    """Pick the first real unit in a select (after the empty choice); return its label."""
    option = page.locator(f"{select} option:not([value=''])").first
    page.locator(select).select_option(value=option.get_attribute("value"))
    return str(option.inner_text())


def register_incoming(page: Any, tmp_path: Path, title: str) -> str:
    """Fill in and send "Registrer inngående post" with a main document; return the number."""
    letter = tmp_path / "søknad.pdf"
    letter.write_bytes(b"%PDF-1.4 testbrev")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Registrer post").click()
    page.wait_for_url("**/arkiv/registrer")
    wait_for_htmx(page)
    page.get_by_label("Opprett ny sak").check()
    page.get_by_label("Inngående dokument (I)").check()
    page.locator("#avsender_navn").fill("Ola Nordmann")
    page.locator("#avsender_poststed").fill("Verdal")
    page.locator("#tittel").fill(title)
    first_unit(page, "#mottaker_enhet_id")
    page.locator("#hoveddokument").set_input_files(str(letter))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Registrer posten").click()
    wait_for_htmx(page)
    assert "/arkiv/registrer/kvittering/" in page.url, page.locator("main").inner_text()
    match = NUMBER.search(page.locator(".receipt-number").inner_text())
    assert match, page.locator("main").inner_text()
    return match.group(1)


def test_archive_registers_incoming_post_with_upload(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople, tmp_path: Path
) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.arkiv)
    number = register_incoming(page, tmp_path, "Søknad om deling av grunneiendom (nettlesertest)")
    assert number.endswith("-1")
    assert page.get_by_text("søknad", exact=False).count() > 0

    # The post page shows the document, and the version downloads with its bytes.
    page.get_by_role("link", name=f"Åpne journalpost {number}").click()
    page.wait_for_url(re.compile(r"/arkiv/journalpost/\d+$"))
    wait_for_htmx(page)
    assert number in page.locator("h1").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Last ned versjon 1")).first.click()
    download = info.value
    assert download.suggested_filename == "søknad.pdf"
    assert Path(download.path()).read_bytes() == b"%PDF-1.4 testbrev"

    # Searching for the number goes straight to the post.
    page.goto("/arkiv/sok")
    page.locator("#q").fill(number)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Søk", exact=True).click()
    assert re.search(r"/arkiv/journalpost/\d+$", page.url)
    assert_clean(watch)


def test_handler_works_on_a_case_in_place(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople, tmp_path: Path
) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.handler)
    page.goto("/arkiv/sak/ny")
    page.locator("#tittel").fill("Tilskudd til drenering (nettlesertest)")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Opprett sak").click()
    wait_for_htmx(page)
    assert re.search(r"/arkiv/sak/\d+$", page.url), page.locator("main").inner_text()

    # A remark is saved in place.
    page.locator("#merknadstekst").fill("Venter på kart fra søker.")
    page.get_by_role("button", name="Lagre merknad").click()
    page.locator("#meldinger").get_by_text("Merknaden er lagret.").wait_for()
    wait_for_htmx(page)
    assert "Venter på kart fra søker." in page.locator("#merknader").inner_text()

    # A new outgoing letter with a document, then a new version, then ekspeder.
    page.get_by_role("link", name="Ny journalpost").click()
    wait_for_htmx(page)
    draft = tmp_path / "vedtak.txt"
    draft.write_bytes(b"utkast 1")
    page.get_by_label("Utgående brev (U)").check()
    page.locator("#tittel").fill("Vedtak om tilskudd")
    page.locator("#mottaker_navn_1").fill("Ola Bonde")
    page.locator("#hoveddokument").set_input_files(str(draft))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Opprett journalpost", exact=True).last.click()
    wait_for_htmx(page)
    assert re.search(r"/arkiv/journalpost/\d+$", page.url), page.locator("main").inner_text()

    draft.write_bytes(b"utkast 2")
    upload = page.locator("form.upload-form").first
    upload.locator("input[type=file]").set_input_files(str(draft))
    upload.get_by_role("button", name="Last opp ny versjon").click()
    page.locator("#meldinger").get_by_text("Den nye versjonen er lastet opp.").wait_for()
    wait_for_htmx(page)
    assert page.get_by_role("link", name=re.compile("Last ned versjon 2")).count() == 1

    # A stale page (someone else ekspederte first) gets the conflict message in the message area.
    page.evaluate(
        "() => { document.querySelector(\"#jp-status form[action$='/ekspeder'] input[name=version]\").value = '999'; }"
    )
    page.get_by_role("button", name="Ekspeder").click()
    page.locator("#meldinger [role=alert]").wait_for()
    wait_for_htmx(page)
    assert "Noen andre endret journalposten" in page.locator("#meldinger").inner_text()
    page.reload()
    wait_for_htmx(page)
    page.get_by_role("button", name="Ekspeder").click()
    page.locator("#meldinger").get_by_text("Journalposten er ekspedert.").wait_for()
    wait_for_htmx(page)
    assert "Ekspedert" in page.locator("#jp-status").inner_text()
    assert page.get_by_role("button", name="Ekspeder").count() == 0
    assert_clean(watch)
