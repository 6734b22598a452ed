"""Onboarding's leaver checklist and training pages in a real browser: axe-core finds no WCAG 2.1
A/AA violation on the checklist (the demo leaver), the transfer preview, the training signals
page and a follow-up; and none of them is wider than 320 px (reflow). The transfer itself is not
confirmed here, so the shared demo data stays as it is."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Server, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

WCAG = {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
AXE_RUN_JS = """
async (runOnly) => {
  const result = await axe.run(document, {runOnly: runOnly, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.map((t) => String(t)).join(' ')})),
  }));
}
"""
TOO_WIDE_JS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"


def _axe(page: Any, axe_source: str) -> list[str]:
    page.mouse.move(0, 0)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source)
    found = [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} → {n['target']}"
        for v in page.evaluate(AXE_RUN_JS, WCAG)
        for n in v["nodes"]
    ]
    page.set_viewport_size({"width": 320, "height": 640})
    if page.evaluate(TOO_WIDE_JS):
        found.append(f"{page.url}: wider than 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


def _leaver(server: Server) -> int:
    """A handler with unsent posts and restanser (the checklist has lines and items)."""
    con = sqlite3.connect(f"file:{server.db_path}?mode=ro", uri=True)
    try:
        row = con.execute(
            "select j.saksbehandler from core_journalpost j join core_person p on p.id = j.saksbehandler "
            "where j.journalposttype = 'U' and j.journalstatus in ('R', 'S') and p.active "
            "and p.id not in (select person from core_leadership) group by j.saksbehandler "
            "order by count(*) desc, j.saksbehandler limit 1"
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return int(row[0])


def test_onboarding_pages_pass_axe(
    new_page: Any, server: Server, demo_people: DemoPeople, axe_source: str
) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, demo_people.arkiv)
    leaver = _leaver(server)
    page.goto(f"/onboarding/sjekkliste/{leaver}")
    wait_for_htmx(page)
    assert page.locator("h1").inner_text().startswith("Sjekkliste ved avgang")
    found = _axe(page, axe_source)
    page.locator("#til").select_option(index=1)
    page.get_by_role("button", name="Se hva som flyttes").click()
    page.wait_for_url(lambda url: "/flytt?til=" in url)
    wait_for_htmx(page)
    assert page.get_by_role("button", name="Flytt alt").is_visible()
    found += _axe(page, axe_source)
    page.goto("/onboarding/opplaering")
    wait_for_htmx(page)
    found += _axe(page, axe_source)
    page.locator("a[href^='/onboarding/opplaering/']").filter(has_not_text="Start").first.click()
    wait_for_htmx(page)
    assert page.locator("h1").inner_text().startswith("Oppfølging av opplæring")
    found += _axe(page, axe_source)
    assert not found, "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == [], watch.page_errors + watch.server_errors
