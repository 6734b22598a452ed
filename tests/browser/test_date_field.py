"""The date field (macro ``date``, ``core/static/datepicker.js``) in a real browser whose language
is English (``en-US``): the field is text dd.mm.åååå whatever the browser's locale; the calendar
opens from the keyboard, moves with arrows, Page Up/Down, Home/End, picks with Enter and closes
with Escape, focus coming back to its button; the chosen date is submitted and read by the
server; axe finds nothing with the calendar open. Normal browsing (the app's CSP applies) logs
no CSP violation or JavaScript error."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser

URL = "/admin/hendelseslogg"


def focused(page: Any) -> str:
    """The focused element: its tag, its id and its accessible text (aria-label, else text)."""
    return str(
        page.evaluate(
            """() => { const el = document.activeElement;
              return el.tagName.toLowerCase() + '#' + (el.id || '') + ' '
                + (el.getAttribute('aria-label') || el.textContent.trim()); }"""
        )
    )


def open_calendar_by_keyboard(page: Any, field: str = "Fra dato") -> Any:
    page.get_by_label(field, exact=True).focus()
    page.keyboard.press("Tab")
    assert focused(page).startswith("button#"), focused(page)
    assert "Kalender for " + field in page.evaluate("() => document.activeElement.textContent")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=f"Velg dato: {field}")
    dialog.wait_for()
    return dialog


def test_the_calendar_by_keyboard_in_an_english_browser(new_page: Any, demo_people: DemoPeople) -> None:
    page, watch = new_page(locale="en-US")
    assert page.evaluate("() => navigator.language") == "en-US"
    sign_in(page, demo_people.admin)
    page.goto(URL)
    wait_for_htmx(page)
    field = page.get_by_label("Fra dato", exact=True)
    assert field.get_attribute("type") == "text" and field.get_attribute("inputmode") == "numeric"
    assert page.locator("#fra-hint").inner_text() == "dd.mm.åååå"
    field.fill("15.05.2026")

    dialog = open_calendar_by_keyboard(page)
    button = page.locator("button[data-datovelger=fra]")
    assert button.get_attribute("aria-expanded") == "true"
    assert dialog.locator(".datepicker__title").inner_text() == "mai 2026"
    headers = dialog.locator("thead th").all_inner_texts()
    assert headers == ["ma", "ti", "on", "to", "fr", "lø", "sø"]  # weeks start on Monday
    assert focused(page).endswith("fredag 15. mai 2026, valgt")  # the date in the field
    page.keyboard.press("ArrowRight")  # 16.05.2026
    page.keyboard.press("ArrowDown")  # 23.05.2026
    page.keyboard.press("PageDown")  # 23.06.2026, a Tuesday
    assert dialog.locator(".datepicker__title").inner_text() == "juni 2026"
    page.keyboard.press("Home")  # the Monday of that week
    assert focused(page).endswith("mandag 22. juni 2026")
    page.keyboard.press("End")
    assert focused(page).endswith("søndag 28. juni 2026")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("PageUp")  # 27.05.2026
    page.keyboard.press("PageDown")  # 27.06.2026
    page.keyboard.press("Enter")
    dialog.wait_for(state="detached")
    assert field.input_value() == "27.06.2026"
    assert button.get_attribute("aria-expanded") == "false"
    assert focused(page).startswith("button#") and "Kalender for Fra dato" in page.evaluate(
        "() => document.activeElement.textContent"
    )

    # Escape closes without choosing, and focus returns to the button.
    dialog = open_calendar_by_keyboard(page)
    assert focused(page).endswith("lørdag 27. juni 2026, valgt")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert field.input_value() == "27.06.2026"
    assert "Kalender for Fra dato" in page.evaluate("() => document.activeElement.textContent")

    # Tab stays inside the open dialog (it is modal).
    dialog = open_calendar_by_keyboard(page)
    for _ in range(4):
        page.keyboard.press("Tab")
        assert page.evaluate("() => !!document.activeElement.closest('[role=dialog]')")
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")

    # Submit: the server reads the date and shows it back as dd.mm.åååå, no error.
    page.get_by_label("Til dato", exact=True).fill("2026-06-30")  # ISO, as from an old link
    page.locator("form.filters button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"fra=27\.06\.2026"))
    wait_for_htmx(page)
    assert page.locator("#feiloppsummering").count() == 0
    assert page.get_by_label("Fra dato", exact=True).input_value() == "27.06.2026"
    assert page.get_by_label("Til dato", exact=True).input_value() == "30.06.2026"

    # An impossible date comes back as typed, with the message naming the field.
    page.get_by_label("Fra dato", exact=True).fill("31.02.2026")
    page.locator("form.filters button[type=submit]").first.click()
    page.locator("#feiloppsummering").wait_for()
    assert "«Fra dato» må være en dato som finnes" in page.locator("#feiloppsummering").inner_text()
    assert page.get_by_label("Fra dato", exact=True).input_value() == "31.02.2026"
    watch.assert_clean()


def test_axe_finds_nothing_with_the_calendar_open_also_at_320_px(
    new_page: Any, demo_people: DemoPeople, axe_source: str
) -> None:
    page, _watch = new_page(bypass_csp=True, locale="en-US")
    sign_in(page, demo_people.admin)
    page.goto(URL)
    wait_for_htmx(page)
    open_calendar_by_keyboard(page)
    found = axe(page, axe_source, reflow=True)  # also at 320 px: the calendar fits (1.4.10)
    assert found == [], "\n".join(found)
    page.keyboard.press("Escape")
