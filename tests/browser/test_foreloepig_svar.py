"""Foreløpig svar on Egne restanser in a real browser, with the demo data: a handler opens the
form from the keyboard (an htmx panel above the list, focus on its heading), is told what is
wrong with a date in the future (focus on the error summary), registers the foreløpig svar with
a chosen date and the case's outgoing letter, sees it on the row and on the journal post page,
and undoes it; «Avbryt» closes the panel and gives the focus back to the row's link. Without
JavaScript the form is a page of its own and the same steps work with plain requests. axe finds
nothing in any of these states (the page of its own included), and no CSP violation or
JavaScript error is logged."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from core.timeutil import today as oslo_today
from tests.browser.conftest import Server, Watch, axe, sign_in, wait_for_htmx
from tests.browser.test_restanse import BUSIEST_HANDLER

pytestmark = pytest.mark.browser

# Open restanser (I, unrestricted, no foreløpig svar) of plain handlers (no roles, lead and
# deputise for nobody) whose case has an outgoing letter (U) journalført on or after it to name,
# with the handler's count of open restanser (all on the list's first page when 50 or fewer).
CANDIDATES = """
select p.name, k.id, j.id, j.journaldato,
  (select max(u.id) from core_journalpost u where u.saksmappe = j.saksmappe and u.journalposttype = 'U'
     and u.journalstatus <> 'U' and u.tilgangsrestriksjon = '' and u.journaldato >= j.journaldato),
  (select count(*) from core_korrespondansepart k2 join core_journalpost j2 on j2.id = k2.journalpost
     where k2.saksbehandler = p.id and k2.intern and k2.korrespondanseparttype = 'IM'
       and j2.journalposttype in ('I', 'N') and j2.journalstatus <> 'U'
       and not exists (select 1 from core_avskrivning a2 where a2.journalpost = j2.id
                       and (a2.korrespondansepart = k2.id or a2.korrespondansepart is null)))
from core_korrespondansepart k
join core_journalpost j on j.id = k.journalpost
join core_person p on p.id = k.saksbehandler
where k.intern and k.korrespondanseparttype = 'IM' and j.journalposttype = 'I' and j.journalstatus <> 'U'
  and j.tilgangsrestriksjon = '' and k.foreloepig_svar_dato is null and p.active
  and p.id not in (select person from core_person_role)
  and p.id not in (select person from core_leadership)
  and p.id not in (select deputy from core_deputy_period)
  and not exists (select 1 from core_avskrivning a where a.journalpost = j.id
                  and (a.korrespondansepart = k.id or a.korrespondansepart is null))
  and exists (select 1 from core_journalpost u where u.saksmappe = j.saksmappe and u.journalposttype = 'U'
              and u.journalstatus <> 'U' and u.tilgangsrestriksjon = '' and u.journaldato >= j.journaldato)
order by p.id, k.id
"""


def as_day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def pick(server: Server, *, skip: set[str]) -> tuple[str, int, int, int, date]:
    """(handler, korrespondansepart, journalpost, the U to name, journaldato): a restanse at
    least two days old of a handler with 50 or fewer, not one of ``skip``."""
    busiest = server.query(BUSIEST_HANDLER)
    taken = {str(busiest[0][0])} if busiest else set()
    today = oslo_today()
    for name, part, post, journaldato, letter, count in server.query(CANDIDATES):
        day = as_day(journaldato)
        if name in taken | skip or count > 50 or (today - day).days < 2:
            continue
        return str(name), int(part), int(post), int(letter), day
    raise AssertionError("Demodataene mangler en restanse med et utgående brev i saken")


def stored(server: Server, part: int) -> tuple[Any, Any]:
    [(dato, letter)] = server.query(
        "select foreloepig_svar_dato, foreloepig_svar_journalpost from core_korrespondansepart where id = ?",
        (part,),
    )
    return (as_day(dato) if dato else None), letter


def focused_id(page: Any) -> str:
    return str(page.evaluate("() => document.activeElement ? document.activeElement.id : ''"))


def row_of(page: Any, post: int) -> Any:
    return page.locator("#egne tbody tr", has=page.locator(f"td a[href='/arkiv/journalpost/{post}']"))


@pytest.mark.both_databases
def test_register_with_date_and_letter_then_undo(new_page: Any, server: Server, axe_source: str) -> None:
    name, part, post, letter, journaldato = pick(server, skip=set())
    page, watch = new_page()
    sign_in(page, name)
    page.goto("/restanse")
    wait_for_htmx(page)
    page.evaluate("() => { window.__ingenSidelasting = true; }")
    row = row_of(page, post)
    number = row.locator("td").nth(1).locator("a").first.inner_text()
    opener = row.get_by_role("link", name=f"Registrer foreløpig svar for {number}")

    # Avbryt closes the panel and the focus is back on the row's link.
    opener.focus()
    page.keyboard.press("Enter")
    panel = page.locator("#foreloepig-skjema")
    panel.locator("h2").wait_for()
    wait_for_htmx(page)
    assert focused_id(page) == "foreloepig-overskrift"
    assert panel.locator("h2").inner_text() == f"Foreløpig svar på {number}"
    panel.get_by_role("link", name="Avbryt").click()
    page.wait_for_function("() => !document.querySelector('#foreloepig-skjema h2')")
    assert focused_id(page) == f"foreloepig-{part}"

    # Opened again: today is filled in; the letter of the case is among the choices.
    page.keyboard.press("Enter")
    panel.locator("h2").wait_for()
    wait_for_htmx(page)
    date_field = panel.locator("#dato")
    assert date_field.input_value() == dmy(oslo_today())
    select = panel.locator("#foreloepig_svar_journalpost_id")
    assert select.locator(f"option[value='{letter}']").count() == 1
    found = axe(page, axe_source, reflow=True)

    # A date in the future: the error summary, focused; the choice is kept.
    date_field.fill(dmy(oslo_today() + timedelta(days=1)))
    select.select_option(value=str(letter))
    panel.get_by_role("button", name="Registrer foreløpig svar").click()
    summary = page.locator("#foreloepig-skjema #feiloppsummering")
    summary.wait_for()
    wait_for_htmx(page)
    assert "Datoen for foreløpig svar kan ikke være fram i tid." in summary.inner_text()
    assert focused_id(page) == "feiloppsummering"
    assert page.locator("#foreloepig_svar_journalpost_id").input_value() == str(letter)
    found += axe(page, axe_source, reflow=True)

    # The day after the journaldato, with the letter.
    chosen = journaldato + timedelta(days=1)
    page.locator("#dato").fill(dmy(chosen))
    page.locator("#foreloepig-skjema").get_by_role("button", name="Registrer foreløpig svar").click()
    message = page.locator(
        "#meldinger .message--success", has_text=f"Foreløpig svar er registrert for {number}."
    )
    message.wait_for()
    wait_for_htmx(page)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'meldinger'")
    assert page.locator("#foreloepig-skjema h2").count() == 0
    assert stored(server, part) == (chosen, letter)
    row = row_of(page, post)
    assert f"Sendt {dmy(chosen)}" in row.inner_text()
    letter_link = row.locator(f"a[href='/arkiv/journalpost/{letter}']")
    assert letter_link.count() == 1
    letter_number = letter_link.inner_text()
    found += axe(page, axe_source, reflow=True)

    # The journal post page shows it too.
    other = page.context.new_page()
    other.goto(f"/arkiv/journalpost/{post}")
    wait_for_htmx(other)
    assert (
        f"foreløpig svar {dmy(chosen)} (med {letter_number})"
        in other.locator("#jp-parter").locator("..").inner_text()
    )
    other.close()

    # Undone from the keyboard: the link to the form is back, nothing is stored.
    undo = row.get_by_role("button", name=f"Angre foreløpig svar for {number}")
    undo.focus()
    page.keyboard.press("Enter")
    page.locator(
        "#meldinger .message--success", has_text=f"Det foreløpige svaret for {number} er angret."
    ).wait_for()
    wait_for_htmx(page)
    assert stored(server, part) == (None, None)
    assert row_of(page, post).get_by_role("link", name=f"Registrer foreløpig svar for {number}").count() == 1
    assert page.evaluate("() => window.__ingenSidelasting === true"), "Siden ble lastet på nytt"
    found += axe(page, axe_source)

    # The form as a page of its own (what a browser without JavaScript gets).
    page.goto(f"/restanse/foreloepig/{part}")
    wait_for_htmx(page)
    assert page.locator("h1").inner_text() == "Registrer foreløpig svar"
    found += axe(page, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert_clean(watch)


def test_register_and_undo_without_javascript(new_page: Any, server: Server) -> None:
    name, part, post, letter, journaldato = pick(server, skip=set())
    page, watch = new_page(javascript=False)
    sign_in_plain(page, name)
    page.goto("/restanse")
    row = row_of(page, post)
    number = row.locator("td").nth(1).locator("a").first.inner_text()
    row.get_by_role("link", name=f"Registrer foreløpig svar for {number}").click()
    page.wait_for_url(f"**/restanse/foreloepig/{part}")
    assert page.locator("h1").inner_text() == "Registrer foreløpig svar"

    page.locator("#dato").fill("31.02.2026")
    page.get_by_role("button", name="Registrer foreløpig svar").click()
    page.locator("#feiloppsummering").wait_for()
    assert page.title().startswith("Feil: ")
    assert page.locator("#dato").input_value() == "31.02.2026"

    page.locator("#dato").fill(dmy(journaldato))
    page.locator("#foreloepig_svar_journalpost_id").select_option(value=str(letter))
    page.get_by_role("button", name="Registrer foreløpig svar").click()
    page.wait_for_url("**/restanse")
    assert f"Foreløpig svar er registrert for {number}." in page.locator("#meldinger").inner_text()
    assert stored(server, part) == (journaldato, letter)

    row_of(page, post).get_by_role("button", name=f"Angre foreløpig svar for {number}").click()
    page.wait_for_url("**/restanse")
    assert f"Det foreløpige svaret for {number} er angret." in page.locator("#meldinger").inner_text()
    assert stored(server, part) == (None, None)
    assert watch.page_errors == [] and watch.server_errors == []


def sign_in_plain(page: Any, name: str) -> None:
    """Sign in without JavaScript (no htmx to wait for)."""
    page.goto("/dev-logg-inn")
    option = page.locator("#person_id option").filter(has_text=name + " (")
    page.locator("#person_id").select_option(value=option.first.get_attribute("value"))
    with page.expect_navigation():
        page.locator("form[action='/dev-logg-inn'] button[type=submit]").click()


def assert_clean(watch: Watch) -> None:
    watch.assert_clean()
