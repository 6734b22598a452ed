"""The UI shell in a real browser: sign-in, front-page cards, menu, language, htmx errors,
keyboard, sign-out. Normal browsing (the app's CSP applies) must log no CSP violation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Server, Watch, sign_in, sign_out, wait_for_htmx
from tests.conftest import ENGINE

pytestmark = pytest.mark.browser

PLUGIN_PAGES = {
    "Mottatte oppgaver": "/oppgaver",
    "Til fordeling": "/fordeling",
    "Restanser": "/restanse",
    "Godkjenning": "/godkjenning",
    "IKT-tilgang/-avgang": "/onboarding",
}
"""Menu links to the routines' pages (the inbox is core's; godkjenning's page shows a handler's
rounds and what can be sent)."""
CARDS = [*PLUGIN_PAGES]


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


@pytest.mark.both_databases
def test_sign_in_cards_and_menu(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople, tmp_path: Path
) -> None:
    page, watch = page_and_watch
    page.goto("/")
    assert page.url.split("?")[0].endswith("/dev-logg-inn"), "Utlogget besøk på / skal gå til innlogging"
    sign_in(page, demo_people.admin)

    # Core's task card and the four plugins' cards; their bodies are replaced by htmx ("Laster …"
    # disappears).
    cards = page.locator("section.card")
    titles = set(cards.locator("h3").all_inner_texts())
    assert {*CARDS, "Mine journalposter"} <= titles, titles  # more cards for the archive role
    for i in range(cards.count()):
        body = cards.nth(i).locator(".card__body")
        body.locator(".loading").wait_for(state="detached")
        assert "Laster" not in body.inner_text()
        assert body.inner_text().strip(), f"Kort {i} er tomt etter lasting"
    assert page.locator("#meldinger [role=alert]").count() == 0

    page.screenshot(path=str(tmp_path / "forside.png"), full_page=True)  # renders the whole page

    # Every plugin page through the main menu; the current link is marked.
    menu = page.get_by_role("navigation", name="Hovedmeny")
    for label, path in PLUGIN_PAGES.items():
        # By address: a link with a count is named "<label> <count> <what>" (the inbox's is).
        link = menu.locator(f"a[href='{path}']")
        assert link.inner_text().startswith(label)
        link.click()
        page.wait_for_url(f"**{path}")
        wait_for_htmx(page)
        assert page.locator("h1").inner_text().strip()
        assert menu.locator("a[aria-current=page]").inner_text().startswith(label)
    menu.get_by_role("link", name="Forside", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    wait_for_htmx(page)
    assert_clean(watch)


def _switch_language(page: Any, code: str) -> None:
    form = page.locator("form[action='/sprak']")
    form.locator("select[name=sprak]").select_option(code)
    with page.expect_navigation(wait_until="load"):
        form.locator("button[type=submit]").click()
    wait_for_htmx(page)
    assert page.locator("html").get_attribute("lang") == code


def test_language_switch_persists_per_person(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople
) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.arkiv)
    page.goto("/restanse")
    assert page.locator("html").get_attribute("lang") == "nb"
    try:
        _switch_language(page, "nn")
        assert page.url.endswith("/restanse"), "Språkbytte skal bli på samme side"
        assert page.locator("html").get_attribute("lang") == "nn"
        assert page.locator("#sprakvalg").input_value() == "nn"

        sign_out(page)
        sign_in(page, demo_people.arkiv)
        assert page.locator("html").get_attribute("lang") == "nn", "Språkvalget skal huskes på personen"
    finally:
        if page.locator("html").get_attribute("lang") != "nb" and page.locator("#sprakvalg").count():
            _switch_language(page, "nb")
    assert page.locator("html").get_attribute("lang") == "nb"
    sign_out(page)
    sign_in(page, demo_people.arkiv)
    assert page.locator("html").get_attribute("lang") == "nb"
    assert_clean(watch)


def test_htmx_error_lands_in_message_area(page_and_watch: tuple[Any, Watch], demo_people: DemoPeople) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.handler)
    heading = page.locator("h1").inner_text()
    page.evaluate("() => htmx.ajax('GET', '/finnes-ikke', '#hovedinnhold')")
    alert = page.locator("#meldinger [role=alert]")
    alert.wait_for()
    wait_for_htmx(page)
    assert "Fant ikke siden" in alert.inner_text()
    assert "finnes ikke" in alert.inner_text()
    # Retargeted: the page itself is untouched, and focus moved to the message (app.js).
    assert page.locator("h1").inner_text() == heading
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == "meldinger"
    assert_clean(watch)


def test_skip_link_is_first_tab_stop(page_and_watch: tuple[Any, Watch], demo_people: DemoPeople) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.leader)
    page.goto("/restanse")
    wait_for_htmx(page)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({cls: document.activeElement.className, href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert focused == {"cls": "skip-link", "href": "#hovedinnhold", "text": "Hopp til hovedinnhold"}
    # The skip link becomes visible when focused.
    box = page.locator(".skip-link[href='#hovedinnhold']").bounding_box()
    assert box is not None and box["y"] >= 0 and box["x"] >= 0 and box["width"] > 0
    # A list to work through has a second one, «Gå til listen» (tests/browser/test_keyboard_lists.py).
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Gå til listen"
    assert page.locator(".skip-link[href='#liste']").bounding_box() is not None
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'hovedinnhold'")
    assert page.url.endswith("/restanse#hovedinnhold")
    assert_clean(watch)


def test_sign_out(page_and_watch: tuple[Any, Watch], demo_people: DemoPeople, server: Server) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.deputy)
    sign_out(page)
    assert page.locator("h1").inner_text() == "Du er logget ut"
    assert page.locator(".user-name").count() == 0
    page.goto("/restanse")
    assert "/dev-logg-inn" in page.url, "Etter utlogging skal sidene kreve innlogging igjen"
    assert "neste=/restanse" in page.url
    assert_clean(watch)


def test_no_csp_violations_while_browsing(page_and_watch: tuple[Any, Watch], demo_people: DemoPeople) -> None:
    """Every menu page, with the app's own CSP in force, logs no CSP violation or JS error."""
    page, watch = page_and_watch
    for path in ("/dev-logg-inn", "/logget-ut", "/finnes-ikke"):
        page.goto(path)
        wait_for_htmx(page)
    sign_in(page, demo_people.admin)
    links = page.eval_on_selector_all(
        "header nav a[href^='/']", "els => els.map(e => e.getAttribute('href'))"
    )
    assert len(links) >= 5
    for href in links:
        page.goto(href)
        wait_for_htmx(page)
    assert_clean(watch)


def test_csp_violations_are_detected(page_and_watch: tuple[Any, Watch]) -> None:
    """Guard for the check above: an inline script is refused and reported."""
    page, watch = page_and_watch
    page.goto("/logget-ut")
    with page.expect_console_message(lambda msg: msg.type == "error" and "CSP violation" in msg.text):
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.x = 1';"
            " document.body.append(s); }"
        )
    assert page.evaluate("() => window.x === undefined")
    assert watch.csp_violations, "Et innebygd skript skulle gitt et CSP-brudd i konsollen"


@pytest.mark.both_databases
def test_the_server_runs_on_the_database_of_the_round(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople, server: Server
) -> None:
    """In the PostgreSQL round the browser flows run against a server on PostgreSQL: a sign-in
    through the browser lands in that database."""
    assert server.database_url.startswith("postgresql://" if ENGINE == "postgres" else "sqlite:///")
    signed_in = "select count(*) from core_audit_event where action = 'auth.signed_in'"
    before = server.query(signed_in)[0][0]
    page, watch = page_and_watch
    sign_in(page, demo_people.handler)
    assert server.query(signed_in)[0][0] == before + 1
    assert_clean(watch)
