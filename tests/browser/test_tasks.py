"""Mottatte oppgaver in a real browser, with the demo data: Fellestjenesten/Arkiv takes a role
task with the keyboard, and the list, the message and the focus update without a page load;
axe finds nothing on the inbox (with the deputy's section), the sent tasks, a task page and the
archive's list, at 1280 px and at 320 px. Normal browsing (the app's CSP applies) logs no CSP
violation or JavaScript error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Watch, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

ROLE_TASK = "Kontroller journalføringen av innkommende post"
"""A demo task to Fellestjenesten/Arkiv that nobody has taken."""


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def badge(page: Any) -> int:
    link = page.get_by_role("navigation", name="Hovedmeny").locator("a[href='/oppgaver']")
    return int(link.locator(".badge").inner_text().split()[0])


def test_archive_takes_a_role_task_with_the_keyboard(
    page_and_watch: tuple[Any, Watch], demo_people: DemoPeople
) -> None:
    page, watch = page_and_watch
    sign_in(page, demo_people.arkiv)
    card = page.locator("section.card", has=page.locator("h3", has_text="Mottatte oppgaver"))
    card.locator(".oppgaver-kort").wait_for()
    assert re.match(r"^\d+ oppgaver? venter", card.locator(".card__figure").inner_text())

    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name=re.compile(r"^Mottatte oppgaver")
    ).click()
    page.wait_for_url(re.compile(r"/oppgaver$"))
    wait_for_htmx(page)
    before = badge(page)
    page.evaluate("() => { window.__ingenSidelasting = true; }")
    row = page.locator("#oppgaver tbody tr", has=page.get_by_role("link", name=ROLE_TASK, exact=True))
    assert "Til Fellestjenesten/Arkiv" in row.inner_text()
    row.get_by_role("button", name=re.compile(rf"^Ta oppgaven\s*: {re.escape(ROLE_TASK)}$")).focus()
    page.keyboard.press("Enter")

    message = page.locator("#meldinger .message--success")
    message.wait_for()
    wait_for_htmx(page)
    assert message.inner_text().startswith(f"Du har tatt oppgaven «{ROLE_TASK}».")
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'meldinger'")
    row = page.locator("#oppgaver tbody tr", has=page.get_by_role("link", name=ROLE_TASK, exact=True))
    assert f"Tatt av {demo_people.arkiv}" in row.inner_text()
    assert row.get_by_role("button").count() == 0
    assert badge(page) == before  # still in her inbox, now as hers
    assert_clean(watch)


def test_task_pages_pass_axe(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.deputy)
    page.goto("/oppgaver")
    wait_for_htmx(page)
    deputy = page.locator(".oppgaver-stedfortreder")
    assert deputy.locator("h3").first.inner_text().startswith("Som stedfortreder for ")
    found = axe(page, axe_source, reflow=True)

    # The filter through htmx, then a task the deputy handles for the leader.
    page.get_by_label("Sorter etter").select_option("eldste")
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(re.compile(r"sorter=eldste"))
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)
    deputy.locator("tbody a").first.click()
    page.wait_for_url(re.compile(r"/oppgaver/\d+$"))
    wait_for_htmx(page)
    assert page.get_by_role("button", name="Marker som behandlet").is_visible()
    assert "som stedfortreder for" in page.locator(".message--info").inner_text()
    found += axe(page, axe_source, reflow=True)

    page.goto("/oppgaver/sendte")
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)

    # A leader's sent tasks; the archive's list of tasks whose receiver has left.
    page.locator("form[action='/logg-ut'] button[type=submit]").click()
    page.wait_for_url("**/logget-ut")
    sign_in(page, demo_people.leader)
    page.goto("/oppgaver/sendte")
    wait_for_htmx(page)
    assert page.locator("#sendte tbody tr").count() >= 1
    found += axe(page, axe_source, reflow=True)
    page.locator("#sendte tbody a").first.click()
    page.wait_for_url(re.compile(r"/oppgaver/\d+$"))
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)
    page.locator("form[action='/logg-ut'] button[type=submit]").click()
    page.wait_for_url("**/logget-ut")
    sign_in(page, demo_people.arkiv)
    page.goto("/admin/oppgaver")
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == []
