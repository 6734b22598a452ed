"""The lists on narrow screens, in a real browser with the demo data: below 700 CSS px every list
(table.table-stack) is one card per row, the header is one line with a menu button, and the bulk
action bars stick to the bottom of the window while rows are ticked.

Two sizes are checked:

* a phone, 390 × 844 CSS px (an iPhone 12–15 in portrait);
* 200 % zoom of a 1280 × 900 window. Playwright cannot press Ctrl + to zoom Chromium, but zoom
  only changes how many CSS pixels the window holds and how many device pixels each has: at 200 %
  the page gets a 640 × 450 CSS px viewport with ``devicePixelRatio`` 2. A context with that
  viewport and ``device_scale_factor=2`` is therefore what a zoomed window shows (media queries,
  layout and the pixel ratio alike); the mobile flags stay off, as on a desktop.

For each list page (signed in as the demo person who sees it) the page must not scroll sideways,
the first row's title and action must be visible once scrolled into view, the header must be at
most ~one line (≤ 80 px) with a keyboard-operable menu button, and axe (WCAG 2.1 A/AA) must
report nothing, with the menu folded and unfolded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import (
    AXE_RUN_JS,
    WCAG,
    DemoPeople,
    Server,
    Watch,
    inject_axe,
    sign_in,
    wait_for_htmx,
)
from tests.browser.test_fordeling import BUSIEST_LEADER as FORDELING_LEADER
from tests.browser.test_restanse import BUSIEST_HANDLER

pytestmark = pytest.mark.browser

SIZES = {
    "telefon-390": ({"width": 390, "height": 844}, 1),
    "zoom-200": ({"width": 640, "height": 450}, 2),
}
HEADER_MAX_PX = 80


@dataclass(frozen=True)
class ListPage:
    who: str
    """A DemoPeople field, or "fordeling_leader" / "restanse_handler"."""
    path: str
    title: str
    """Selector, inside the first row, of the row's title."""
    action: str
    """Selector, inside the first row, of the row's action."""


LIST_PAGES = [
    ListPage("fordeling_leader", "/fordeling", "td[data-label='Tittel']", "input[name=valgt]"),
    ListPage("restanse_handler", "/restanse", ".restanse-tittel", "input[name=valgt]"),
    ListPage("admin", "/oppgaver", "td[data-label='Oppgave'] a", "td[data-label='Oppgave'] a"),
    ListPage("restanse_handler", "/arkiv/saker", "td[data-label='Tittel']", "a"),
    ListPage("arkiv", "/onboarding/opplaering", "th[scope=row]", "a"),
]


@pytest.fixture(scope="module")
def people(server: Server, demo_people: DemoPeople) -> dict[str, str]:
    found = {name: getattr(demo_people, name) for name in ("admin", "arkiv", "leader", "handler")}
    for key, sql in (("fordeling_leader", FORDELING_LEADER), ("restanse_handler", BUSIEST_HANDLER)):
        rows = server.query(sql)
        assert rows and rows[0][1] >= 4, f"Demodataene mangler noen for {key}: {rows}"
        found[key] = str(rows[0][0])
    return found


@pytest.fixture
def narrow_page(new_page: Callable[..., tuple[Any, Watch]]) -> Callable[..., tuple[Any, Watch]]:
    """Factory: ``narrow_page(size, javascript=True) -> (page, watch)`` in a fresh context of one
    of SIZES (the shared ``new_page``; bypass_csp only so that axe can be injected, the app's
    CSP is checked by test_shell)."""

    def make(size: str, *, javascript: bool = True) -> tuple[Any, Watch]:
        viewport, scale = SIZES[size]
        return new_page(bypass_csp=True, viewport=viewport, device_scale_factor=scale, javascript=javascript)

    return make


def axe_violations(page: Any, axe_source: str) -> list[str]:
    page.mouse.move(0, 0)
    inject_axe(page, axe_source)
    return [
        f"{page.url} {v['id']} ({v['impact']}): {v['help']} → {n['target']}"
        for v in page.evaluate(AXE_RUN_JS, WCAG)
        for n in v["nodes"]
    ]


def in_viewport(page: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(
        box
        and box["width"] > 0
        and box["height"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
        and box["y"] + box["height"] <= size["height"] + 1
    )


def no_sideways_scroll(page: Any) -> str:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return (
        "" if width[0] <= width[1] else f"{page.url}: siden er {width[0]} px bred i et vindu på {width[1]} px"
    )


def check_header(page: Any) -> list[str]:
    """The header is one line with the menu folded; the menu button works by keyboard."""
    problems = []
    header = page.locator(".site-header")
    button = page.locator("[data-menu-button]")
    nav = page.get_by_role("navigation", name="Hovedmeny")
    height = header.bounding_box()["height"]
    if height > HEADER_MAX_PX:
        problems.append(f"{page.url}: toppen er {height:.0f} px høy (maks {HEADER_MAX_PX})")
    if not button.is_visible() or button.get_attribute("aria-expanded") != "false" or nav.is_visible():
        problems.append(f"{page.url}: menyknappen vises ikke, eller menyen er ikke lukket")
        return problems
    # Keyboard: Tab from the site name reaches the button; Enter opens, Escape closes.
    page.locator(".site-name").focus()
    page.keyboard.press("Tab")
    if not button.evaluate("(el) => el === document.activeElement"):
        problems.append(f"{page.url}: Tab fra navnet når ikke menyknappen")
    button.focus()
    page.keyboard.press("Enter")
    if button.get_attribute("aria-expanded") != "true" or not nav.is_visible():
        problems.append(f"{page.url}: Enter på menyknappen åpner ikke menyen")
    if no_sideways_scroll(page):
        problems.append(no_sideways_scroll(page) + " (med menyen åpen)")
    page.keyboard.press("Escape")
    if button.get_attribute("aria-expanded") != "false" or nav.is_visible():
        problems.append(f"{page.url}: Escape lukker ikke menyen")
    if not button.evaluate("(el) => el === document.activeElement"):
        problems.append(f"{page.url}: fokus er ikke tilbake på menyknappen etter Escape")
    return problems


@pytest.mark.parametrize("size", list(SIZES))
def test_lists_are_cards_with_a_one_line_header(
    narrow_page: Callable[..., tuple[Any, Watch]], people: dict[str, str], axe_source: str, size: str
) -> None:
    problems: list[str] = []
    signed_in: dict[str, tuple[Any, Watch]] = {}
    for spec in LIST_PAGES:
        if spec.who not in signed_in:
            signed_in[spec.who] = narrow_page(size)
            sign_in(signed_in[spec.who][0], people[spec.who])
        page, _watch = signed_in[spec.who]
        page.goto(spec.path)
        wait_for_htmx(page)
        problems += [p for p in [no_sideways_scroll(page)] if p]
        row = page.locator("table.table-stack > tbody > tr").first
        if not row.count():
            problems.append(f"{page.url}: ingen rader i listen")
            continue
        assert row.get_attribute("role") == "row", "app.js gir listen tabellroller"
        for what, selector in (("tittelen", spec.title), ("handlingen", spec.action)):
            target = row.locator(selector).first
            target.scroll_into_view_if_needed()
            if not target.is_visible() or not in_viewport(page, target):
                problems.append(f"{page.url}: {what} i første rad ({selector}) er ikke synlig")
        page.evaluate("() => window.scrollTo(0, 0)")
        problems += check_header(page)
        problems += axe_violations(page, axe_source)
        page.locator("[data-menu-button]").click()
        problems += [f"(menyen åpen) {v}" for v in axe_violations(page, axe_source)]
    assert not problems, "\n".join(problems)
    for _page, watch in signed_in.values():
        assert watch.page_errors == [] and watch.server_errors == [], watch.page_errors + watch.server_errors


@pytest.mark.parametrize(
    ("who", "path", "button"),
    [
        ("restanse_handler", "/restanse", "Avskriv valgte"),
        ("fordeling_leader", "/fordeling", "Velg saksbehandler og fordel"),
    ],
)
def test_bulk_bar_sticks_while_rows_are_ticked(
    narrow_page: Callable[..., tuple[Any, Watch]], people: dict[str, str], who: str, path: str, button: str
) -> None:
    page, watch = narrow_page("telefon-390")
    sign_in(page, people[who])
    page.goto(path)
    wait_for_htmx(page)
    bar = page.locator("[data-bulk-bar]")
    count = bar.locator("[data-bulk-count]")
    assert count.get_attribute("aria-live") == "polite"
    assert bar.get_by_role("link" if who == "fordeling_leader" else "button", name=button).count() == 1
    boxes = page.locator("table.table-stack input[name=valgt]")
    assert boxes.count() >= 3
    assert not in_viewport(page, bar), "Linjen skal ligge under listen før noe er valgt"

    boxes.nth(0).check()
    boxes.nth(1).check()
    page.wait_for_function(
        "() => document.querySelector('[data-bulk-bar]').classList.contains('bulk-bar--active')"
    )
    assert count.inner_text() == "2 valgt"
    boxes.nth(0).scroll_into_view_if_needed()
    box = bar.bounding_box()
    height = page.viewport_size["height"]
    assert in_viewport(page, bar), f"Linjen er ikke i vinduet: {box}"
    assert abs(box["y"] + box["height"] - height) <= 2, f"Linjen står ikke nederst i vinduet: {box}"
    assert bar.evaluate("(el) => getComputedStyle(el).position") == "sticky"

    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    page.wait_for_function(
        "() => !document.querySelector('[data-bulk-bar]').classList.contains('bulk-bar--active')"
    )
    assert count.inner_text() == ""
    assert bar.evaluate("(el) => getComputedStyle(el).position") == "static"
    assert not in_viewport(page, bar)
    assert watch.page_errors == [] and watch.server_errors == [], watch.page_errors + watch.server_errors


def test_without_javascript_the_menu_shows_and_the_bar_stays_in_place(
    narrow_page: Callable[..., tuple[Any, Watch]], people: dict[str, str]
) -> None:
    page, watch = narrow_page("telefon-390", javascript=False)
    page.goto("/dev-logg-inn")
    option = page.locator("#person_id option").filter(has_text=people["restanse_handler"] + " (")
    page.locator("#person_id").select_option(value=option.first.get_attribute("value"))
    with page.expect_navigation():
        page.locator("form[action='/dev-logg-inn'] button[type=submit]").click()
    page.goto("/restanse")
    assert page.locator("[data-menu-button]").is_hidden()
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
    assert page.locator("form[action='/logg-ut'] button").is_visible()
    assert no_sideways_scroll(page) == ""
    row = page.locator("table.table-stack > tbody > tr").first
    for selector in (".restanse-tittel", "input[name=valgt]"):
        target = row.locator(selector)
        target.scroll_into_view_if_needed()
        assert in_viewport(page, target), selector
    boxes = page.locator("table.table-stack input[name=valgt]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    bar = page.locator("[data-bulk-bar]")
    assert bar.evaluate("(el) => getComputedStyle(el).position") == "static"
    assert bar.locator("[data-bulk-count]").inner_text() == ""
    assert watch.server_errors == [], watch.server_errors


def test_rows_by_arrow_keys_and_the_keys_dialog(
    new_page: Callable[..., tuple[Any, Watch]], people: dict[str, str], axe_source: str
) -> None:
    """In *Egne restanser*, ArrowDown / ArrowUp move between the rows' checkboxes and Space
    ticks one (the bulk bar counts it); «?» while a list has the focus (not in a text field,
    not elsewhere: WCAG 2.1.4) opens the keys dialog, which Escape closes; axe finds nothing
    with the dialog open."""
    page, watch = new_page(bypass_csp=True)
    sign_in(page, people["restanse_handler"])
    page.goto("/restanse")
    boxes = page.locator("table.table-stack input[name=valgt]")
    assert boxes.count() >= 3
    boxes.nth(0).focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.id") == boxes.nth(1).get_attribute("id")
    page.keyboard.press("Space")
    assert boxes.nth(1).is_checked() and not boxes.nth(0).is_checked()
    page.wait_for_function("() => document.querySelector('[data-bulk-count]').textContent === '1 valgt'")
    # ArrowUp on the first row stays there.
    boxes.nth(0).focus()
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.id") == boxes.nth(0).get_attribute("id")

    page.locator("#merknad").focus()
    page.keyboard.type("?")
    assert not page.locator("#hurtigtaster").is_visible(), "«?» i et tekstfelt er bare et tegn"
    assert page.locator("#merknad").input_value() == "?"
    page.locator(".site-name").focus()
    page.keyboard.press("?")
    assert not page.locator("#hurtigtaster").is_visible(), "«?» utenfor en liste gjør ingenting"
    boxes.nth(0).focus()
    page.keyboard.press("?")
    dialog = page.locator("#hurtigtaster")
    dialog.wait_for(state="visible")
    assert "I en liste med avkrysningsbokser: neste / forrige rad" in dialog.inner_text()
    violations = axe_violations(page, axe_source)
    assert violations == [], violations
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.get_by_role("button", name="Hurtigtaster (?)").click()
    dialog.wait_for(state="visible")
    dialog.get_by_role("button", name="Lukk").click()
    dialog.wait_for(state="hidden")
    assert watch.page_errors == [] and watch.server_errors == [], watch.page_errors + watch.server_errors
