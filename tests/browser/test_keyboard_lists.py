"""Lists that are quick to work through with the keyboard alone (issue 14), in a real browser with
the demo data: a leader distributes three posts from *Til fordeling* to a handler, and that
handler writes off two restanser in *Egne restanser*, with ``page.keyboard`` only (Tab,
Shift+Tab, the arrows, Space, Enter), counting every key press from the page's load.

Measured on main before this change (d5ae68a, the same demo data, 1280 × 900, the personas
this test picks: Astrid Indahl's queue of four posts, and Arne Indahl, who gets the three posts
and then has 16 restanser), the shortest way with the keys the pages had then (ArrowDown between
rows and Space already worked; Tab through everything else):

* *Til fordeling*: 24 Tab presses to the first row's checkbox, 5 to tick three rows, 7 Tabs past
  the rest of the rows to the handler, 1 ArrowDown, 3 Tabs to *Fordel valgte* (past
  «Saksansvarlig for nye saker» and the e-mail box), Enter: **41**.
* *Egne restanser*: 24 Tab presses to the first row's checkbox, 3 to tick two rows, 58 Tabs past
  the other rows to *Avskriv valgte*, Enter: **86** (with a full page of 50 rows, as the busiest
  demo handler has, 212; the button is then 6 000 px below the form).

Now: «Gå til listen» is the second tab stop (after «Hopp til hovedinnhold») and leads to the
list, so the first row's checkbox is Tab, Tab, Enter, Tab from the page's load; Enter on a row
goes to the bulk bar's button or link, wherever the bar is. Counted when this was written:
**17** (4 + 5 ticks + Enter, Enter, Tab to the handler, ArrowDown, 3 Tabs, Enter; **22** with the
saksansvarlig step below) and **9**
(4 + 3 + Enter + Enter). When the three posts start more than one new case (the demo's queues
hold new cases), *Fordel valgte* first asks for the saksansvarlig of each (the handler by
default): Tab to «Fordel og sett saksansvarlig» past one select per case, and Enter, a few
presses more. The test asserts the bounds :data:`BOUNDS`; the counting is in :class:`Keys`, and
the bounds are the only numbers to adjust. ``-s`` prints the counts.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Server, Watch, sign_in, wait_for_htmx

pytestmark = [pytest.mark.browser, pytest.mark.both_databases]

BOUNDS = {"first_row": 4, "fordeling": 24, "restanse": 10}
"""At most this many key presses: from the page's load to the first row's checkbox (Tab, Tab,
Enter, Tab), and each whole task."""
BEFORE = {"first_row": 24, "fordeling": 41, "restanse": 86}
"""What the same tasks took before (module docstring); each bound must stay below."""

# A leader (no app roles, no deputy for the unit) with at least three posts waiting and no copies
# (every row a restanse once distributed), the least busy such one: the other browser tests use
# the busiest queue and must keep theirs.
QUIET_LEADER = """
select p.name, l.unit, sum(case when k.korrespondanseparttype = 'IM' then 1 else 0 end) as n
from core_korrespondansepart k
join core_journalpost j on j.id = k.journalpost
join core_leadership l on l.unit = k.administrativ_enhet
join core_person p on p.id = l.person
where k.intern and k.saksbehandler is null and k.korrespondanseparttype in ('IM', 'IK')
  and (j.journalposttype = 'I' or (j.journalposttype = 'N' and j.journalstatus in ('E', 'J', 'A')))
  and j.journalstatus <> 'U' and p.active
  and p.id not in (select person from core_person_role)
  and l.unit not in (select unit from core_deputy_period)
  and not exists (select 1 from core_avskrivning a where a.korrespondansepart = k.id)
group by p.id, p.name, l.unit
having sum(case when k.korrespondanseparttype = 'IM' then 1 else 0 end) >= 3
   and sum(case when k.korrespondanseparttype = 'IK' then 1 else 0 end) = 0
order by n, p.id limit 1
"""

FIRST_ROW_JS = (
    "(form) => document.activeElement === document.querySelector(form + ' tbody input[name=valgt]')"
)


class Keys:
    """The keyboard, counted: every key press of the tests goes through :meth:`press`."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.count = 0
        self.pressed: list[str] = []

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1
            self.pressed.append(key)

    def focused(self) -> dict[str, str]:
        return dict(
            self.page.evaluate(
                "() => { const e = document.activeElement;"
                " return {id: e.id || '', text: (e.textContent || '').trim(), tag: e.tagName,"
                " name: e.getAttribute('name') || '', value: e.getAttribute('value') || ''}; }"
            )
        )

    def tab_until(self, predicate_js: str, arg: Any = None, *, key: str = "Tab", limit: int = 40) -> int:
        """Press ``key`` until ``predicate_js(arg)`` is true of the page; how many presses."""
        for presses in range(limit + 1):
            if self.page.evaluate(predicate_js, arg):
                return presses
            self.press(key)
        raise AssertionError(f"Fokus kom ikke fram etter {limit} × {key}: {self.focused()}")

    def to_first_row(self, form: str) -> int:
        """From the page's load to the list's first checkbox: «Gå til listen», then one Tab."""
        start = self.count
        self.press("Tab")
        assert self.focused()["text"] == "Hopp til hovedinnhold"
        self.press("Tab")
        assert self.focused()["text"] == "Gå til listen"
        self.press("Enter")
        self.page.wait_for_function("() => document.activeElement && document.activeElement.id === 'liste'")
        self.tab_until(FIRST_ROW_JS, form, limit=3)
        return self.count - start


@pytest.fixture(scope="module")
def quiet_leader(server: Server) -> tuple[str, int]:
    rows = server.query(QUIET_LEADER)
    assert rows, "Demodataene skal ha en leder med minst tre ufordelte journalposter"
    return str(rows[0][0]), int(rows[0][1])


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def test_distribute_three_and_write_off_two_with_the_keyboard_only(
    new_page: Any, quiet_leader: tuple[str, int]
) -> None:
    leader, unit = quiet_leader
    counted: dict[str, int] = {}

    # --- the leader: three posts from Til fordeling to one handler -----------------------------
    page, watch = new_page()
    sign_in(page, leader)
    page.goto(f"/fordeling?enhet={unit}")
    wait_for_htmx(page)
    keys = Keys(page)
    counted["first_row_fordeling"] = keys.to_first_row("#kurv")
    numbers = [
        page.locator("#kurv tbody tr").nth(i).locator("td").nth(1).locator("a").first.inner_text()
        for i in range(3)
    ]
    keys.press("Space")
    for _ in range(2):
        keys.press("ArrowDown")
        keys.press("Space")
    page.wait_for_function("() => document.querySelector('[data-bulk-count]').textContent === '3 valgt'")
    keys.press("Enter")  # to the bulk bar: «Velg saksbehandler og fordel»
    assert keys.focused()["text"] == "Velg saksbehandler og fordel"
    keys.press("Enter")  # the link leads to the actions
    keys.tab_until("() => document.activeElement.id === 'saksbehandler'", limit=2)
    keys.press("ArrowDown")  # the first handler of the unit
    chosen = page.locator("#saksbehandler").evaluate("(s) => s.options[s.selectedIndex].textContent")
    assert page.locator("#saksbehandler").input_value(), "ArrowDown valgte ingen saksbehandler"
    handler = chosen.split(" (")[0]
    keys.tab_until("() => document.activeElement.matches('button[name=handling][value=fordel]')", limit=6)
    keys.press("Enter")
    wait_for_htmx(page)
    step = page.get_by_role("button", name="Fordel og sett saksansvarlig")
    page.locator("#meldinger .message--success").or_(step).wait_for()
    if step.count():  # more than one new case: the saksansvarlig of each, the handler by default
        keys.tab_until(
            "() => document.activeElement.matches('#kurv button[name=handling][value=fordel]')", limit=8
        )
        keys.press("Enter")
        page.locator("#meldinger .message--success").wait_for()
        wait_for_htmx(page)
    assert (
        page.locator("#meldinger .message--success")
        .inner_text()
        .startswith(f"3 journalposter er fordelt til {handler}.")
    )
    shown = page.locator("#kurv").inner_text()
    assert not [n for n in numbers if n in shown], "De fordelte journalpostene står fortsatt i kurven"
    counted["fordeling"] = keys.count
    assert_clean(watch)

    # --- the handler: two restanser written off (Avskriv valgte, TE is chosen) ----------------
    page, watch = new_page()
    sign_in(page, handler)
    page.goto("/restanse")
    wait_for_htmx(page)
    keys = Keys(page)
    counted["first_row_restanse"] = keys.to_first_row("#egne")
    assert page.get_by_label("TE – Tatt til etterretning").is_checked()  # the required field
    written = [
        page.locator("#egne tbody tr").nth(i).locator("td").nth(1).locator("a").first.inner_text()
        for i in range(2)
    ]
    keys.press("Space")
    keys.press("ArrowDown")
    keys.press("Space")
    page.wait_for_function("() => document.querySelector('[data-bulk-count]').textContent === '2 valgt'")
    keys.press("Enter")  # to the bulk bar's «Avskriv valgte», 5 000 px further down
    assert keys.focused()["text"] == "Avskriv valgte"
    keys.press("Enter")
    page.locator("#meldinger .message--success").wait_for()
    wait_for_htmx(page)
    assert page.locator("#meldinger .message--success").inner_text() == (
        "2 restanser er avskrevet: Tatt til etterretning."
    )
    shown = page.locator("#egne").inner_text()
    assert not [n for n in written if n in shown], "De avskrevne restansene står fortsatt i listen"
    counted["restanse"] = keys.count
    assert_clean(watch)

    print(f"\nTastetrykk (før → nå): {BEFORE} → {counted}")
    assert counted["first_row_fordeling"] <= BOUNDS["first_row"] < BEFORE["first_row"]
    assert counted["first_row_restanse"] <= BOUNDS["first_row"]
    assert counted["fordeling"] <= BOUNDS["fordeling"] < BEFORE["fordeling"], counted
    assert counted["restanse"] <= BOUNDS["restanse"] < BEFORE["restanse"], counted
