"""Onboarding's leaver checklist and training pages in a real browser: axe-core finds no WCAG 2.1
A/AA violation on the checklist (the demo leaver), the transfer preview, the training signals
page and a follow-up; and none of them is wider than 320 px (reflow). The transfer itself is not
confirmed here, so the shared demo data stays as it is."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Server, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser


def _leaver(server: Server) -> int:
    """A handler with unsent posts and restanser (the checklist has lines and items)."""
    rows = server.query(
        "select j.saksbehandler from core_journalpost j join core_person p on p.id = j.saksbehandler "
        "where j.journalposttype = 'U' and j.journalstatus in ('R', 'S') and p.active "
        "and p.id not in (select person from core_leadership) group by j.saksbehandler "
        "order by count(*) desc, j.saksbehandler limit 1"
    )
    assert rows
    return int(rows[0][0])


def test_onboarding_pages_pass_axe(
    new_page: Any, server: Server, demo_people: DemoPeople, axe_source: str
) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.arkiv)
    leaver = _leaver(server)
    page.goto(f"/onboarding/sjekkliste/{leaver}")
    wait_for_htmx(page)
    assert page.locator("h1").inner_text().startswith("Sjekkliste ved avgang")
    found = axe(page, axe_source, reflow=True)
    page.locator("#til").select_option(index=1)
    page.get_by_role("button", name="Se hva som flyttes").click()
    page.wait_for_url(lambda url: "/flytt?til=" in url)
    wait_for_htmx(page)
    assert page.get_by_role("button", name="Flytt alt").is_visible()
    found += axe(page, axe_source, reflow=True)
    page.goto("/onboarding/opplaering")
    wait_for_htmx(page)
    found += axe(page, axe_source, reflow=True)
    page.locator("a[href^='/onboarding/opplaering/']").filter(has_not_text="Start").first.click()
    wait_for_htmx(page)
    assert page.locator("h1").inner_text().startswith("Oppfølging av opplæring")
    found += axe(page, axe_source, reflow=True)
    assert not found, "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == [], watch.page_errors + watch.server_errors
