"""Egne restanser and Restanser i egen enhet in a real browser, with the demo data: a handler
writes off two restanser at once (one ticked with the keyboard) and they leave the list, the
card and the menu badge without a page load; axe finds nothing on Egne restanser (also in its
error state), the guide, and Restanser i egen enhet with the list behind a count open.
Normal browsing (the app's CSP applies) must log no CSP violation or JavaScript error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Server, Watch, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

FIGURE = re.compile(r"^(\d+) restanser?$")

# The demo handler (no app roles, leads and deputises for nobody) with the most open restanser,
# by the rule: internal main recipients of I and sent N posts, not utgår, not written off.
BUSIEST_HANDLER = """
select p.name, count(*) as n
from core_korrespondansepart k
join core_journalpost j on j.id = k.journalpost
join core_person p on p.id = k.saksbehandler
where k.intern and k.korrespondanseparttype = 'IM' and j.journalposttype in ('I', 'N')
  and j.journalstatus <> 'U' and (j.journalposttype <> 'N' or j.journalstatus in ('E', 'J', 'A'))
  and j.journaldato <= date('now') and p.active
  and p.id not in (select person from core_person_role)
  and p.id not in (select person from core_leadership)
  and p.id not in (select deputy from core_deputy_period)
  and not exists (select 1 from core_avskrivning a where a.journalpost = j.id
                  and (a.korrespondansepart = k.id or a.korrespondansepart is null))
group by p.id, p.name order by n desc, p.id limit 1
"""

# A leader (no roles, no deputy period for the unit) whose unit has restanser with handlers.
BUSIEST_LEADER = """
select p.name, count(*) as n
from core_korrespondansepart k
join core_journalpost j on j.id = k.journalpost
join core_leadership l on l.unit = k.administrativ_enhet
join core_person p on p.id = l.person
where k.intern and k.korrespondanseparttype = 'IM' and j.journalposttype in ('I', 'N')
  and j.journalstatus <> 'U' and k.saksbehandler is not null and p.active
  and p.id not in (select person from core_person_role)
  and l.unit not in (select unit from core_deputy_period)
  and not exists (select 1 from core_avskrivning a where a.journalpost = j.id
                  and (a.korrespondansepart = k.id or a.korrespondansepart is null))
group by p.id, p.name order by n desc, p.id limit 1
"""


def _one(server: Server, sql: str, minimum: int) -> str:
    rows = server.query(sql)
    row = rows[0] if rows else None
    assert row is not None and row[1] >= minimum, f"Demodataene mangler noen med minst {minimum}: {row}"
    return str(row[0])


@pytest.fixture(scope="module")
def handler(server: Server) -> str:
    return _one(server, BUSIEST_HANDLER, 4)


@pytest.fixture(scope="module")
def leader(server: Server) -> str:
    return _one(server, BUSIEST_LEADER, 2)


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def card_count(page: Any) -> int:
    text = page.locator(".restanse-kort .card__figure").inner_text().strip()
    match = FIGURE.match(text)
    assert match, f"Kortet viser «{text}»"
    return int(match.group(1))


def badge(page: Any) -> int:
    link = page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/restanse']")
    return int(link.locator(".badge").inner_text().split()[0])


@pytest.mark.both_databases
def test_handler_writes_off_two_restanser_without_a_page_load(
    page_and_watch: tuple[Any, Watch], handler: str
) -> None:
    page, watch = page_and_watch
    sign_in(page, handler)

    card = page.locator("section.card", has=page.locator("h3", has_text="Restanser"))
    card.locator(".restanse-kort").wait_for()
    before = card_count(card)
    assert before >= 4

    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name=re.compile(r"^Restanser")
    ).click()
    page.wait_for_url(re.compile(r"/restanse$"))
    wait_for_htmx(page)
    assert badge(page) == before
    page.evaluate("() => { window.__ingenSidelasting = true; }")

    assert page.get_by_label("Velg alle på siden").is_visible()  # shown by core/static/app.js
    rows = page.locator("#egne tbody tr")
    numbers = [rows.nth(i).locator("td").nth(1).locator("a").inner_text() for i in range(2)]
    # Tick the first with the keyboard, the second with the mouse.
    first = rows.nth(0).locator("input[name=valgt]")
    first.focus()
    page.keyboard.press("Space")
    assert first.is_checked()
    page.get_by_label(f"Velg {numbers[1]}", exact=True).check()
    # The answering-post column is only shown for BU/BN.
    assert not page.locator("th.restanse-svarkolonne").is_visible()
    te = page.get_by_label("TE – Tatt til etterretning")
    te.focus()
    page.keyboard.press("Space")
    assert te.is_checked()
    page.get_by_label("Merknad (valgfritt)").fill("Tatt til etterretning etter gjennomgang.")
    page.get_by_role("button", name="Avskriv valgte").focus()
    page.keyboard.press("Enter")

    message = page.locator("#meldinger .message--success")
    message.wait_for()
    wait_for_htmx(page)
    assert message.inner_text() == "2 restanser er avskrevet: Tatt til etterretning."
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'meldinger'")
    shown = page.locator("#egne").inner_text()
    for number in numbers:
        assert number not in shown, f"{number} står fortsatt i listen"
    assert badge(page) == before - 2

    # A foreløpig svar on one row (its form opens above the list, today filled in): the row
    # stays, flagged. tests/browser/test_foreloepig_svar.py has the form in full.
    row = page.locator("#egne tbody tr").filter(has=page.locator("a.restanse-foreloepig")).first
    post = row.locator("td").nth(1).locator("a").inner_text()
    row.locator("a.restanse-foreloepig").click()
    page.locator("#foreloepig-skjema h2").wait_for()
    page.locator("#foreloepig-skjema").get_by_role("button", name="Registrer foreløpig svar").click()
    page.locator(
        "#meldinger .message--success", has_text=f"Foreløpig svar er registrert for {post}."
    ).wait_for()
    wait_for_htmx(page)
    flagged = page.locator("#egne tbody tr", has=page.get_by_role("link", name=post, exact=True))
    assert "Sendt " in flagged.inner_text()
    assert badge(page) == before - 2
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"

    # BU shows the answering-post column.
    page.get_by_label("BU – Besvart med brev").check()
    assert page.locator("th.restanse-svarkolonne").is_visible()

    page.goto("/")
    wait_for_htmx(page)
    card = page.locator("section.card", has=page.locator("h3", has_text="Restanser"))
    card.locator(".restanse-kort").wait_for()
    assert card_count(card) == before - 2
    assert_clean(watch)


def test_restanse_pages_pass_axe(new_page: Any, handler: str, leader: str, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, handler)
    page.goto("/restanse")
    wait_for_htmx(page)
    found = axe(page, axe_source, reflow=True)

    # The error state after an htmx submit without a choice; then BU with its column shown.
    page.get_by_role("button", name="Avskriv valgte").click()
    page.locator("#feiloppsummering").wait_for()
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)
    page.get_by_label("BU – Besvart med brev").check()
    found += axe(page, axe_source, reflow=True)

    page.goto("/restanse/veiledning")
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)

    other, _watch = new_page(bypass_csp=True)
    sign_in(other, leader)
    other.goto("/restanse/enhet")
    wait_for_htmx(other)
    assert other.locator("#rapport-tabell").is_visible()
    found += axe(other, axe_source, reflow=True)
    other.locator("#enhet-innhold tbody td.num a").first.click()
    other.locator("#enhet-liste h2").wait_for()
    wait_for_htmx(other)
    assert other.locator("#enhet-liste tbody tr").count() > 0
    found += axe(other, axe_source, reflow=True)
    # Invalid criteria: the error summary.
    other.get_by_label("Inngående brev (I)").uncheck()
    other.get_by_label("Interne notater (N)").uncheck()
    other.get_by_role("button", name="Vis rapport").click()
    other.locator("#feiloppsummering").wait_for()
    wait_for_htmx(other)
    found += axe(other, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == []
