"""Til fordeling in a real browser, with the demo data: a leader ticks three posts (one with
the keyboard), distributes them, and the queue, the card and the menu badge update without a
page load; axe finds nothing on the queue page, its error state and the redistribution page.
Normal browsing (the app's CSP applies) must log no CSP violation or JavaScript error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, Watch, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

FIGURE = re.compile(r"^(\d+) ufordelte?, eldste")


BUSIEST_LEADER = """
select p.name, count(*) as n
from core_korrespondansepart k
join core_journalpost j on j.id = k.journalpost
join core_leadership l on l.unit = k.administrativ_enhet
join core_person p on p.id = l.person
where k.intern and k.saksbehandler is null and k.korrespondanseparttype in ('IM', 'IK')
  and (j.journalposttype = 'I' or (j.journalposttype = 'N' and j.journalstatus in ('E', 'J', 'A')))
  and j.journalstatus <> 'U' and p.active
  and p.id not in (select person from core_person_role)
  and not exists (select 1 from core_avskrivning a where a.korrespondansepart = k.id)
group by p.id, p.name order by n desc, p.id limit 1
"""


@pytest.fixture(scope="module")
def leader(server: Server) -> str:
    """The demo leader with the most posts waiting in the queue (read-only look at the data)."""
    rows = server.query(BUSIEST_LEADER)
    row = rows[0] if rows else None
    assert row is not None and row[1] >= 4, (
        f"Demodataene skal ha en leder med minst fire ufordelte journalposter: {row}"
    )
    return str(row[0])


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def waiting(page: Any) -> int:
    text = page.locator(".fordeling-kort .card__figure").inner_text().strip()
    match = FIGURE.match(text)
    assert match, f"Kortet viser «{text}»"
    return int(match.group(1))


def badge(page: Any) -> int:
    link = page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/fordeling']")
    return int(link.locator(".badge").inner_text().split()[0])


@pytest.mark.both_databases
def test_leader_distributes_three_posts_without_a_page_load(
    page_and_watch: tuple[Any, Watch], leader: str
) -> None:
    page, watch = page_and_watch
    sign_in(page, leader)

    # The front-page card shows the queue: "N ufordelte, eldste D dager".
    card = page.locator("section.card", has=page.locator("h3", has_text="Til fordeling"))
    card.locator(".fordeling-kort").wait_for()
    before = waiting(card)
    assert before >= 4

    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name=re.compile(r"^Til fordeling")
    ).click()
    page.wait_for_url(re.compile(r"/fordeling$"))
    wait_for_htmx(page)
    assert waiting(page) == before == badge(page)
    page.evaluate("() => { window.__ingenSidelasting = true; }")

    assert page.get_by_label("Velg alle på siden").is_visible()  # shown by core/static/app.js
    rows = page.locator("#kurv tbody tr")
    numbers = [rows.nth(i).locator("td").nth(1).locator("a").first.inner_text() for i in range(3)]
    # Tick the first with the keyboard, the next two with the mouse.
    first = rows.nth(0).locator("input[name=valgt]")
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    for i in (1, 2):
        page.get_by_label(f"Velg {numbers[i]}", exact=True).check()
    handler_select = page.locator("#saksbehandler")
    handler_value = handler_select.locator("option").nth(1).get_attribute("value")
    handler_name = handler_select.locator("option").nth(1).inner_text().split(" (")[0]
    handler_select.select_option(handler_value)
    page.get_by_role("button", name="Fordel valgte").focus()
    page.keyboard.press("Enter")

    message = page.locator("#meldinger .message--success")
    # When the posts start more than one new case, a second step asks for the saksansvarlig
    # of each (default: the handler); Enter distributes.
    confirm = page.get_by_role("button", name="Fordel og sett saksansvarlig")
    message.or_(confirm).first.wait_for()
    # htmx binds a swapped-in form when it settles (20 ms after the swap): Enter before that
    # submits the form without htmx, a page load (seen once in CI under load).
    wait_for_htmx(page)
    if confirm.is_visible():
        confirm.focus()
        page.keyboard.press("Enter")
    message.wait_for()
    wait_for_htmx(page)
    assert message.inner_text().startswith(f"3 journalposter er fordelt til {handler_name}.")
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    # Focus moves to the message, so keyboard and screen-reader users hear what happened.
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'meldinger'")
    assert re.search(r"/fordeling$", page.url)
    shown = page.locator("#kurv").inner_text()
    for number in numbers:
        assert number not in shown, f"{number} er fortsatt i kurven"
    page.wait_for_function(
        "(n) => { const f = document.querySelector('.fordeling-kort .card__figure');"
        " return f !== null && f.textContent.trim().startsWith(n + ' '); }",
        arg=before - 3,
    )
    assert waiting(page) == before - 3
    assert badge(page) == before - 3
    assert_clean(watch)


def test_queue_pages_pass_axe(new_page: Any, leader: str, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, leader)
    page.goto("/fordeling")
    wait_for_htmx(page)
    found = axe(page, axe_source)

    # The error state after an htmx submit without a choice: summary, field errors, messages.
    page.get_by_role("button", name="Fordel valgte").click()
    page.locator("#feiloppsummering").wait_for()
    wait_for_htmx(page)
    found += axe(page, axe_source)

    # A filter through htmx, then the redistribution page.
    page.get_by_label("Sorter etter").select_option("nyest")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(re.compile(r"sorter=nyest"))
    wait_for_htmx(page)
    found += axe(page, axe_source)
    page.get_by_role("link", name="Omfordel journalposter mellom saksbehandlere").click()
    page.wait_for_url(re.compile(r"/fordeling/omfordel"))
    wait_for_htmx(page)
    found += axe(page, axe_source)
    busiest = max(
        page.locator("#fra option").all()[1:],
        key=lambda option: int(re.search(r"\((\d+)", option.inner_text()).group(1)),  # type: ignore[union-attr]
    )
    page.locator("#fra").select_option(busiest.get_attribute("value"))
    page.get_by_role("button", name="Vis journalposter").click()
    page.wait_for_url(re.compile(r"fra=\d+"))
    wait_for_htmx(page)
    assert page.locator("#omfordeling tbody tr").count() > 0
    found += axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == []


NEW_CASE_ROW = "#kurv tbody tr:has(.status:text-is('Ny sak'))"


@pytest.mark.both_databases
def test_document_panel_by_keyboard_and_a_saksansvarlig_per_new_case(
    new_page: Any, leader: str, axe_source: str, server: Server
) -> None:
    """The leader opens a post's main document beside the queue with the keyboard (the focus
    moves into the panel, Escape closes it and the focus returns; what was ticked stays
    ticked), then distributes two new cases with a different saksansvarlig each and reads the
    message that names them. axe finds nothing with the panel open, at the saksansvarlig step
    and after."""
    page, watch = new_page()
    sign_in(page, leader)
    page.goto("/fordeling")
    wait_for_htmx(page)
    page.evaluate("() => { window.__ingenSidelasting = true; }")
    rows = page.locator("#kurv tbody tr")
    kept = rows.nth(1).locator("input[name=valgt]")
    kept.check()
    number = rows.nth(0).locator("td").nth(1).locator("a").first.inner_text()

    # Open the panel from the row's link with the keyboard.
    link = rows.nth(0).locator("a.fordeling-vis")
    link.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("region", name=f"Hoveddokument for {number}")
    panel.wait_for()
    wait_for_htmx(page)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'dokumentpanel-tittel'"
    )
    # The demo's letters are PDFs: shown in the page, from /vis, which the app lets itself frame.
    frame = panel.locator("iframe.dokumentpanel__pdf")
    src = frame.get_attribute("src") or ""
    assert re.fullmatch(r"/arkiv/dokument/\d+/vis", src), src
    page.wait_for_function(
        "(src) => Array.from(document.querySelectorAll('iframe')).some((f) => f.src.endsWith(src))", arg=src
    )
    shown = page.request.get(src)
    assert shown.status == 200 and shown.headers["content-type"] == "application/pdf"
    assert panel.get_by_role("link", name=re.compile(r"^Last ned dokumentet")).is_visible()
    assert link.get_attribute("aria-current") == "true"  # the row whose document is open
    found = axe(page, axe_source, reflow=True)

    page.keyboard.press("Escape")
    page.locator("#dokumentpanel").wait_for(state="hidden")
    page.wait_for_function(
        "(href) => document.activeElement && document.activeElement.getAttribute('href') === href",
        arg=link.get_attribute("href"),
    )
    assert kept.is_checked(), "Avkryssingen forsvant da panelet ble åpnet og lukket"
    assert link.get_attribute("aria-current") is None
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    assert re.search(r"/fordeling$", page.url), page.url  # the queue's address is kept

    # «Lukk» works too; under 700 px the panel takes the full width.
    page.set_viewport_size({"width": 390, "height": 800})
    link.click()
    panel.wait_for()
    wait_for_htmx(page)
    width = page.evaluate("() => document.getElementById('dokumentpanel').getBoundingClientRect().width")
    content = page.evaluate("() => document.getElementById('kurv').getBoundingClientRect().width")
    assert width >= content - 1, (width, content)
    panel.get_by_role("button", name="Lukk dokumentvisningen").click()
    page.locator("#dokumentpanel").wait_for(state="hidden")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Two new cases at once, each with its own saksansvarlig.
    kept.uncheck()
    new_cases = page.locator(NEW_CASE_ROW)
    assert new_cases.count() >= 2, "Demodataene skal ha minst to nye saker i kurven"
    cases = []
    for i in range(2):
        row = new_cases.nth(i)
        cases.append(row.locator("td").nth(5).locator("a").inner_text())
        row.locator("input[name=valgt]").focus()
        page.keyboard.press("Space")
    handler_select = page.locator("#saksbehandler")
    handler_select.select_option(index=1)
    handler = handler_select.locator("option").nth(1).inner_text().split(" (")[0]
    page.get_by_role("button", name="Fordel valgte").focus()
    page.keyboard.press("Enter")
    step = page.get_by_role("heading", name="Saksansvarlig for de nye sakene")
    step.wait_for()
    wait_for_htmx(page)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'kurv-overskrift'")
    found += axe(page, axe_source)
    owners = []
    for index, case in enumerate(cases):
        select = page.get_by_label(f"Saksansvarlig for {case}")
        assert select.locator("option:checked").inner_text().split(" (")[0] == handler  # the default
        option = select.locator("option").nth(index + 1)
        select.select_option(option.get_attribute("value"))
        owners.append(option.inner_text().split(" (")[0])
    assert owners[0] != owners[1]
    page.get_by_role("button", name="Fordel og sett saksansvarlig").focus()
    page.keyboard.press("Enter")

    message = page.locator("#meldinger .message--success")
    message.wait_for()
    wait_for_htmx(page)
    assert message.inner_text() == (
        f"2 journalposter er fordelt til {handler}. Saksansvarlig satt for 2 nye saker: "
        f"{cases[0]} {owners[0]}, {cases[1]} {owners[1]}."
    )
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'meldinger'")
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    for case, owner in zip(cases, owners, strict=True):
        year, seq = case.split("/")
        [(name,)] = server.query(
            "select p.name from core_saksmappe s join core_person p on p.id = s.saksansvarlig "
            "where s.saksaar = ? and s.sakssekvensnummer = ?",
            (int(year), int(seq)),
        )
        assert name == owner
    found += axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert_clean(watch)
