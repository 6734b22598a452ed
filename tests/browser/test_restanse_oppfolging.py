"""Restanseoppfølging and the trend page in a real browser, with the demo data: the archive
service switches to the per-handler view, sorts and filters through htmx without a page load,
and axe finds nothing on the table, the per-handler view, the error state and the trend page
(SVG chart and table). Normal browsing (the app's CSP applies) logs no CSP violation or
JavaScript error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Watch, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

ARCHIVE = "Unni Karlgård"
"""Fellestjenesten/Arkiv in the demo data (docs/demo-data.md)."""


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def test_archive_service_uses_the_table_without_a_page_load(page_and_watch: tuple[Any, Watch]) -> None:
    page, watch = page_and_watch
    sign_in(page, ARCHIVE)
    page.goto("/restanse/oppfolging")
    wait_for_htmx(page)
    table = page.locator("#oppfolging table")
    assert table.locator("tfoot th").inner_text() == "Sum"
    page.evaluate("() => { window.__ingenSidelasting = true; }")

    # Sort on the report date's count, highest first (two clicks on the column header).
    header = page.locator("#oppfolging thead th").nth(3)
    header.locator("a").click()
    page.wait_for_url(re.compile(r"sorter=rapport"))
    wait_for_htmx(page)
    page.locator("#oppfolging thead th").nth(3).locator("a").click()
    page.wait_for_url(re.compile(r"retning=synkende"))
    wait_for_htmx(page)
    assert page.locator("#oppfolging thead th").nth(3).get_attribute("aria-sort") == "descending"
    first = page.locator("#oppfolging tbody tr").first.locator("th").inner_text()
    assert first.startswith("LMA")  # the demo data's busiest unit

    # Per handler, with the handlers at or over the threshold marked in words.
    page.get_by_label("Per saksbehandler").check()
    page.get_by_role("button", name="Vis restanser").click()
    page.wait_for_url(re.compile(r"visning=saksbehandler"))
    wait_for_htmx(page)
    # The mark follows the person's restanser on the report date in all units (the monthly
    # mail's total), read from the table itself: how many reach 30 in the demo data depends on
    # the day it was made (three to five people).
    rows = [row.locator("td, th").all_inner_texts() for row in page.locator("#oppfolging tbody tr").all()]
    totals: dict[str, int] = {}
    for cells in rows:
        totals[cells[2]] = totals.get(cells[2], 0) + int(re.sub(r"\D", "", cells[4]))
    marked = {cells[2] for cells in rows if "30 eller flere" in cells[6]}
    assert marked == {name for name, n in totals.items() if n >= 30 and name != "(uten saksbehandler)"}
    assert len(marked) >= 3

    # Filter on a unit.
    page.get_by_label("Filtrer på enhet eller saksbehandler").fill("TDR")
    page.get_by_label("Filtrer på enhet eller saksbehandler").press("Enter")
    page.wait_for_url(re.compile(r"filter=TDR"))
    wait_for_htmx(page)
    codes = {c.inner_text() for c in page.locator("#oppfolging tbody tr td:first-child").all()}
    assert codes == {"TDR"}
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    assert_clean(watch)


def test_pages_pass_axe(new_page: Any, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    sign_in(page, ARCHIVE)
    page.goto("/restanse/oppfolging")
    wait_for_htmx(page)
    found = axe(page, axe_source)
    page.goto("/restanse/oppfolging?visning=saksbehandler")
    wait_for_htmx(page)
    found += axe(page, axe_source)

    # The error state after an htmx submit: summary, field errors, the typed values kept.
    page.get_by_label("Rapportdato").fill("31.02.2026")
    page.get_by_role("button", name="Vis restanser").click()
    page.locator("#feiloppsummering").wait_for()
    wait_for_htmx(page)
    assert page.get_by_label("Rapportdato").input_value() == "31.02.2026"
    found += axe(page, axe_source)

    page.goto("/restanse/trend")
    wait_for_htmx(page)
    assert page.locator("svg[role=img] rect").count() == 12
    found += axe(page, axe_source)
    lma = page.locator("#enhet option", has_text=re.compile(r"^LMA ")).first.get_attribute("value")
    page.get_by_label("Enhet", exact=True).select_option(lma)
    page.get_by_role("button", name="Vis", exact=True).click()
    page.wait_for_url(re.compile(r"enhet=\d+"))
    wait_for_htmx(page)
    found += axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == []
