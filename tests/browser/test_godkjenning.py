"""Godkjenning av journalposter in a real browser, with the demo data (issue 10, "Done when").

* A handler sends an outgoing letter through a two-step chain (the unit's leader, then the
  leader of another unit). The first leader opens the task from *Mottatte oppgaver*, uploads a
  changed version of the main document and forwards it; the second returns it *Ikke godkjent*
  with a comment, and it lands with the first leader (not the handler); the first leader
  forwards it again; the second approves it with the keyboard only; the handler gets *Godkjent –
  til ekspedering* and dispatches. The round page and the post page show the four dokumentflyt
  rows. Normal browsing (the app's CSP applies) logs no CSP violation or JavaScript error.
* axe-core finds nothing on /godkjenning, the send form (also refusing the handler as their own
  approver), the task page (also with an error), the round page, the return task, the chain
  templates and /oppgaver.
* Sending, a refused and an accepted decision, and dispatching work without JavaScript.

The people are picked from the server's database (read-only), each test with its own handler
and letter, so the tests do not depend on each other's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.conftest import VIEWPORT, Server, Watch, axe, sign_in, sign_out, wait_for_htmx

pytestmark = pytest.mark.browser

OWN_APPROVER = "Du kan ikke godkjenne din egen journalpost"
KEYBOARD_TO_OUTCOME = 15
"""Key presses from the top of the task page to the first outcome: Tab and Enter on the skip
link, then Tab past the post link and the documents (download links, the upload form)."""
KEYBOARD_DECISION = 5
"""Key presses after that (not counting the typed comment): Space, Tab, Tab, Tab, Enter."""

# Handlers (no app roles, lead nobody, deputise for nobody) with an outgoing letter under work
# (U, R, not skjermet, in no running round) whose unit's leader (no roles, not away today, not a
# deputy) is the acting leader: the send form's default chain. Letters never in a round first.
HANDLERS = """
select p.name, lp.name, p.unit,
       min(case when exists (select 1 from godkjenning_round r where r.journalpost = j.id)
           then 1 else 0 end) as had_round
from core_person p
join core_leadership l on l.unit = p.unit
join core_person lp on lp.id = l.person
join core_journalpost j on j.saksbehandler = p.id
where p.active and lp.active and p.id <> lp.id
  and j.journalposttype = 'U' and j.journalstatus = 'R' and j.tilgangsrestriksjon = ''
  and not exists (select 1 from godkjenning_round r where r.journalpost = j.id
                  and r.state in ('running', 'returned', 'approved'))
  and p.id not in (select person from core_person_role)
  and p.id not in (select person from core_leadership)
  and p.id not in (select deputy from core_deputy_period)
  and lp.id not in (select person from core_person_role)
  and lp.id not in (select deputy from core_deputy_period)
  and l.unit not in (select unit from core_deputy_period
                     where starts <= date('now') and ends >= date('now'))
group by p.id, p.name, lp.name, p.unit
order by had_round, p.id
"""

# Leaders of other units (no roles, not away today, not a deputy): the chain's second step.
OTHER_LEADERS = """
select p.name, l.unit
from core_leadership l
join core_person p on p.id = l.person
where p.active and p.id not in (select person from core_person_role)
  and p.id not in (select deputy from core_deputy_period)
  and l.unit not in (select unit from core_deputy_period
                     where starts <= date('now') and ends >= date('now'))
order by p.id
"""


@dataclass(frozen=True)
class Pair:
    handler: str
    leader: str
    unit: int


@dataclass(frozen=True)
class Cast:
    flow: Pair
    """The two-step round (with ``chief``)."""
    chief: str
    """The leader of another unit: step 2."""
    axe: Pair
    no_js: Pair


@pytest.fixture(scope="module")
def cast(server: Server) -> Cast:
    tables = server.tables()
    if "godkjenning_round" not in tables or "godkjenning_chain_template" not in tables:
        pytest.fail(
            "Serveren kjører ikke godkjenning fra denne arbeidskopien (tabellene mangler): "
            "kjør med PYTHONPATH satt til arbeidskopien."
        )
    pairs = [Pair(str(h), str(lead), int(unit)) for h, lead, unit, _had in server.query(HANDLERS)]
    leaders = server.query(OTHER_LEADERS)
    assert len(pairs) >= 3, (
        f"Demodataene skal ha tre saksbehandlere med et utgående brev under arbeid: {pairs}"
    )
    flow, axe, no_js = pairs[0], pairs[1], pairs[2]
    busy = {p.leader for p in pairs} | {p.handler for p in pairs}
    chief = next((str(name) for name, unit in leaders if unit != flow.unit and name not in busy), None)
    assert chief is not None, "Demodataene skal ha en leder for en annen enhet"
    return Cast(flow=flow, chief=chief, axe=axe, no_js=no_js)


def assert_clean(watch: Watch) -> None:
    assert watch.csp_violations == [], "CSP-brudd:\n" + "\n".join(watch.csp_violations)
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


# --- page helpers ------------------------------------------------------------------------------


def letter_to_send(page: Any) -> tuple[str, str]:
    """On /godkjenning: the first post under *Kan sendes til godkjenning*, as (number, href)."""
    link = page.locator("section[aria-labelledby=klare-overskrift] a").first
    match = re.fullmatch(r"Send (\S+) til godkjenning", link.inner_text().strip())
    assert match, f"Lenken heter «{link.inner_text()}»"
    href = link.get_attribute("href")
    assert href and re.fullmatch(r"/godkjenning/send/\d+", href), href
    return match.group(1), href


def task_links(page: Any, number: str) -> list[Any]:
    """The inbox's task links about journal post ``number`` (a task's title starts with it)."""
    links = page.locator("#oppgaver tbody td a")
    return [link for link in links.all() if link.inner_text().startswith(number + " ")]


def task_kinds_in_inbox(page: Any, number: str) -> list[str]:
    """The *Type* column of the inbox rows about ``number``."""
    rows = page.locator("#oppgaver tbody tr")
    return [
        row.locator("td").nth(1).inner_text().strip()
        for row in rows.all()
        if row.locator("td").first.inner_text().startswith(number + " ")
    ]


def open_task(page: Any, number: str, kind: str) -> str:
    """From *Mottatte oppgaver* (the menu link), open the one task about ``number``; its URL."""
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name=re.compile(r"^Mottatte oppgaver")
    ).click()
    page.wait_for_url(re.compile(r"/oppgaver$"))
    wait_for_htmx(page)
    assert task_kinds_in_inbox(page, number) == [kind]
    task_links(page, number)[0].click()
    page.wait_for_url(re.compile(r"/godkjenning/oppgave/\d+$"))
    wait_for_htmx(page)
    assert page.get_by_role("heading", level=1).inner_text() == f"{kind}: {number}"
    return str(page.url)


def decide(page: Any, outcome: str, comment: str = "") -> None:
    """Choose an outcome on the task page and save it (mouse)."""
    page.get_by_label(outcome).check()
    if comment:
        page.get_by_label("Kommentar").fill(comment)
    page.get_by_role("button", name="Lagre utfallet").click()
    page.wait_for_url(re.compile(r"/oppgaver$"))
    wait_for_htmx(page)


def success_message(page: Any) -> str:
    return str(page.locator("#meldinger .message--success").inner_text().strip())


def flow_rows(table: Any) -> list[tuple[str, str, str, str]]:
    """A dokumentflyt table as (fra, til, status, merknad) rows, oldest first."""
    rows = []
    for row in table.locator("tbody tr").all():
        cells = [cell.inner_text().strip() for cell in row.locator("td").all()]
        assert len(cells) == 6, cells
        rows.append((cells[0], cells[1], cells[4], "" if cells[5] == "–" else cells[5]))
    return rows


def chain_text(page: Any) -> str:
    return str(page.locator("ol.chain").inner_text())


# --- 1. the whole routine ----------------------------------------------------------------------


def test_two_step_round_with_a_new_version_a_return_and_dispatch(
    page_and_watch: tuple[Any, Watch], cast: Cast
) -> None:
    page, watch = page_and_watch
    handler, leader, chief = cast.flow.handler, cast.flow.leader, cast.chief

    # The handler sends the letter: step 1 the unit's leader (the default), step 2 another leader.
    sign_in(page, handler)
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name=re.compile(r"^Godkjenning")
    ).click()
    page.wait_for_url(re.compile(r"/godkjenning$"))
    wait_for_htmx(page)
    number, send_url = letter_to_send(page)
    post_id = send_url.rsplit("/", 1)[1]
    page.get_by_role("link", name=f"Send {number} til godkjenning").click()
    page.wait_for_url(re.compile(re.escape(send_url) + "$"))
    wait_for_htmx(page)
    step1 = page.locator("#steg-1-godkjenner")
    assert step1.evaluate("s => [...s.selectedOptions].map(o => o.text)") == [leader]
    page.locator("#steg-1-navn").fill("Avdelingsleder")
    page.locator("#steg-2-navn").fill("Kommunalsjef")
    page.locator("#steg-2-godkjenner").select_option(label=chief)
    page.get_by_label("Melding til godkjenneren").fill("Kan du se over brevet før det sendes?")
    page.get_by_role("button", name="Send til godkjenning", exact=True).click()
    page.wait_for_url(re.compile(r"/godkjenning/runde/\d+$"))
    wait_for_htmx(page)
    round_url = page.url
    assert success_message(page) == "Journalposten er sendt til godkjenning."
    assert page.get_by_role("heading", level=1).inner_text() == f"Godkjenning av {number}"
    assert "Steg 1: Avdelingsleder" in chain_text(page)
    assert f"{chief}: Venter" in chain_text(page)
    sign_out(page)

    # Step 1: the leader opens the task, uploads a changed main document, forwards.
    sign_in(page, leader)
    task_url = open_task(page, number, "Til godkjenning")
    assert "Kan du se over brevet før det sendes?" in page.locator("dl.meta").inner_text()
    assert page.get_by_label("Godkjent (til saksbehandler for ekspedering)").count() == 0  # not last step
    main_doc = page.locator("#dokumenter .document", has=page.locator(".doc-kind", has_text="Hoveddokument"))
    assert main_doc.count() == 1
    versions_before = main_doc.locator("ul.versions > li").count()
    main_doc.locator("input[type=file]").set_input_files(
        {
            "name": "brev-rettet.txt",
            "mimeType": "text/plain",
            "buffer": "Rettet brev\n\nVi viser til søknaden og gir tillatelse.\n".encode(),
        }
    )
    main_doc.get_by_role("button", name="Last opp ny versjon").click()
    page.locator("#meldinger .message--success", has_text="Den nye versjonen er lastet opp.").wait_for()
    wait_for_htmx(page)
    main_doc = page.locator("#dokumenter .document", has=page.locator(".doc-kind", has_text="Hoveddokument"))
    newest = main_doc.locator("ul.versions > li", has_text="brev-rettet.txt")
    assert main_doc.locator("ul.versions > li").count() == versions_before + 1
    assert newest.locator(".status", has_text="Gjeldende").count() == 1
    assert leader in newest.locator(".version-meta").inner_text()
    assert page.url == task_url
    decide(page, "Videresendt for godkjenning (til neste ledd)")
    assert success_message(page) == f"Journalposten er videresendt til {chief}."
    assert task_kinds_in_inbox(page, number) == []
    sign_out(page)

    # Step 2: the other leader sees the new version and returns the letter (Ikke godkjent).
    sign_in(page, chief)
    open_task(page, number, "Til godkjenning")
    newest = page.locator("#dokumenter ul.versions > li", has_text="brev-rettet.txt")
    assert newest.locator(".status", has_text="Gjeldende").count() == 1
    assert f"{leader}: Videresendt" in chain_text(page)
    return_comment = "Skriv klagefristen tydeligere."
    decide(page, "Ikke godkjent (tilbake for retting)", return_comment)
    assert success_message(page) == f"Journalposten er returnert til {leader} (ikke godkjent)."
    assert task_kinds_in_inbox(page, number) == []
    sign_out(page)

    # It is with the first leader again, not with the handler.
    sign_in(page, handler)
    page.goto("/oppgaver")
    wait_for_htmx(page)
    assert task_kinds_in_inbox(page, number) == [], "Returen fra steg 2 skal ikke til saksbehandleren"
    sign_out(page)
    sign_in(page, leader)
    open_task(page, number, "Til godkjenning")
    assert return_comment in page.locator("dl.meta").inner_text()
    assert chief in page.locator("dl.meta").inner_text()
    decide(page, "Videresendt for godkjenning (til neste ledd)")
    assert success_message(page) == f"Journalposten er videresendt til {chief}."
    sign_out(page)

    # Step 2 again: approved, with the keyboard only.
    sign_in(page, chief)
    open_task(page, number, "Til godkjenning")
    approve_comment = "Godkjent."
    decide_by_keyboard(page, approve_comment)
    page.wait_for_url(re.compile(r"/oppgaver$"))
    wait_for_htmx(page)
    assert success_message(page) == f"Journalposten er godkjent og sendt til {handler} for ekspedering."
    sign_out(page)

    # The handler gets "Godkjent – til ekspedering" and dispatches.
    sign_in(page, handler)
    open_task(page, number, "Godkjent – til ekspedering")
    page.get_by_role("button", name="Ekspeder journalposten").click()
    page.wait_for_url(round_url)
    wait_for_htmx(page)
    assert success_message(page) == "Journalposten er ekspedert."
    assert page.locator("dl.meta dd").first.inner_text() == "Ekspedert"

    expected = [
        (handler, leader, "Godkjent", ""),
        (leader, chief, "Ikke godkjent", return_comment),
        (chief, leader, "Godkjent", ""),
        (leader, chief, "Godkjent", approve_comment),
    ]
    flow_section = page.locator("section", has=page.get_by_role("heading", name="Dokumentflyt", exact=True))
    assert flow_rows(flow_section) == expected
    page.locator(f"a[href='/arkiv/journalpost/{post_id}']").first.click()
    page.wait_for_url(re.compile(rf"/arkiv/journalpost/{post_id}$"))
    wait_for_htmx(page)
    assert flow_rows(page.locator("#dokumentflyt")) == expected
    assert task_kinds_in_inbox_after(page, number) == []
    assert_clean(watch)


def task_kinds_in_inbox_after(page: Any, number: str) -> list[str]:
    page.goto("/oppgaver")
    wait_for_htmx(page)
    return task_kinds_in_inbox(page, number)


# --- 4. the decision by keyboard (used in the routine above) -----------------------------------


def _focused(page: Any) -> dict[str, str]:
    return dict(
        page.evaluate(
            "() => { const e = document.activeElement;"
            " return {tag: e ? e.tagName : '', name: (e && e.name) || '', value: (e && e.value) || '',"
            " type: (e && e.type) || '', text: e ? (e.textContent || '').trim() : ''}; }"
        )
    )


def decide_by_keyboard(page: Any, comment: str) -> None:
    """Approve (G, the last step) with Tab, Space, typing and Enter only, from the top of the
    page: the skip link, then Tab to the outcome."""
    page.mouse.move(0, 0)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    presses = 0

    def press(key: str) -> None:
        nonlocal presses
        page.keyboard.press(key)
        presses += 1

    press("Tab")
    assert _focused(page)["text"] == "Hopp til hovedinnhold"
    press("Enter")
    while _focused(page)["name"] != "utfall":
        assert presses < KEYBOARD_TO_OUTCOME, f"Utfallet er ikke nådd etter {presses} trykk: {_focused(page)}"
        press("Tab")
    # A radio group is one Tab stop; with nothing chosen the first choice (Godkjent) gets focus.
    assert _focused(page)["value"] == "G"
    to_outcome = presses
    press("Space")
    assert page.get_by_label("Godkjent (til saksbehandler for ekspedering)").is_checked()
    press("Tab")
    assert _focused(page)["name"] == "kommentar"
    page.keyboard.type(comment)
    press("Tab")
    assert _focused(page)["name"] == "til"
    press("Tab")
    assert _focused(page)["text"] == "Lagre utfallet"
    press("Enter")
    assert presses - to_outcome == KEYBOARD_DECISION


# --- 2. axe ------------------------------------------------------------------------------------


def test_godkjenning_pages_pass_axe(new_page: Any, cast: Cast, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    handler, leader = cast.axe.handler, cast.axe.leader
    sign_in(page, handler)
    page.goto("/godkjenning")
    wait_for_htmx(page)
    found = axe(page, axe_source)
    number, send_url = letter_to_send(page)
    page.goto(send_url)
    wait_for_htmx(page)
    found += axe(page, axe_source)

    # The handler names themself: refused, the form again with the error.
    page.locator("#steg-1-godkjenner").select_option(label=handler)
    page.get_by_role("button", name="Send til godkjenning", exact=True).click()
    page.locator("#feiloppsummering").wait_for()
    wait_for_htmx(page)
    assert OWN_APPROVER in page.locator("#feiloppsummering").inner_text()
    assert OWN_APPROVER in page.locator("#steg-1-feil").inner_text()
    assert page.locator("#steg-1-godkjenner").get_attribute("aria-invalid") == "true"
    assert page.title().startswith("Feil:")
    found += axe(page, axe_source)

    # Corrected: the round page (running, with the withdraw form).
    page.locator("#steg-1-godkjenner").select_option(label=leader)
    page.get_by_role("button", name="Send til godkjenning", exact=True).click()
    page.wait_for_url(re.compile(r"/godkjenning/runde/\d+$"))
    wait_for_htmx(page)
    round_url = page.url
    found += axe(page, axe_source)
    page.goto("/godkjenning/kjeder")
    wait_for_htmx(page)
    found += axe(page, axe_source)
    sign_out(page)

    # The leader: the inbox, the task page, its error state; the chain templates with the form.
    sign_in(page, leader)
    page.goto("/oppgaver")
    wait_for_htmx(page)
    found += axe(page, axe_source)
    task_links(page, number)[0].click()
    page.wait_for_url(re.compile(r"/godkjenning/oppgave/\d+$"))
    wait_for_htmx(page)
    found += axe(page, axe_source)
    page.get_by_label("Ikke godkjent (tilbake for retting)").check()
    page.get_by_role("button", name="Lagre utfallet").click()
    page.locator("#feiloppsummering").wait_for()
    wait_for_htmx(page)
    assert "Skriv hva som må rettes" in page.locator("#feiloppsummering").inner_text()
    found += axe(page, axe_source)
    decide(page, "Ikke godkjent (tilbake for retting)", "Mangler vedlegg.")
    page.goto("/godkjenning/kjeder")
    wait_for_htmx(page)
    assert page.get_by_role("button", name="Lagre kjeden").count() == 1
    found += axe(page, axe_source)
    sign_out(page)

    # The handler: the return task and the round page with a dokumentflyt row.
    sign_in(page, handler)
    page.goto("/oppgaver")
    wait_for_htmx(page)
    task_links(page, number)[0].click()
    page.wait_for_url(re.compile(r"/godkjenning/oppgave/\d+$"))
    wait_for_htmx(page)
    assert page.get_by_role("button", name="Send til godkjenning på nytt").count() == 1
    found += axe(page, axe_source)
    page.goto(round_url)
    wait_for_htmx(page)
    assert page.get_by_role("heading", name="Dokumentflyt", exact=True).count() == 1
    found += axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert watch.page_errors == [] and watch.server_errors == []


# --- 3. without JavaScript ---------------------------------------------------------------------


@pytest.fixture
def no_js_page(browser: Any, server: Server) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(
        base_url=server.base_url, viewport=VIEWPORT, locale="nb-NO", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    watch = Watch()
    watch.attach(page, server.base_url)
    try:
        yield page, watch
    finally:
        context.close()


def sign_in_without_js(page: Any, name: str) -> None:
    """The dev login as :func:`sign_in`, without waiting on htmx (no script runs)."""
    page.goto("/dev-logg-inn")
    option = page.locator("#person_id option").filter(has_text=re.compile(rf"^\s*{re.escape(name)} \("))
    assert option.count() == 1, f"Fant {option.count()} valg for «{name}»"
    page.get_by_label("Logg inn som").select_option(value=option.get_attribute("value"))
    page.locator("form[action='/dev-logg-inn'] button[type=submit]").click()
    page.wait_for_url(lambda url: url.split("?")[0].endswith("/"))
    assert page.locator(".user-name").inner_text().startswith(name)


def test_send_decide_and_dispatch_without_javascript(no_js_page: tuple[Any, Watch], cast: Cast) -> None:
    page, watch = no_js_page
    handler, leader = cast.no_js.handler, cast.no_js.leader
    sign_in_without_js(page, handler)
    page.goto("/godkjenning")
    number, send_url = letter_to_send(page)
    page.get_by_role("link", name=f"Send {number} til godkjenning").click()
    page.wait_for_url(re.compile(re.escape(send_url) + "$"))
    page.get_by_label("Melding til godkjenneren").fill("Uten skript.")
    page.get_by_role("button", name="Send til godkjenning", exact=True).click()
    page.wait_for_url(re.compile(r"/godkjenning/runde/\d+$"))
    round_url = page.url
    assert success_message(page) == "Journalposten er sendt til godkjenning."
    assert f"{leader}: Venter" in chain_text(page)
    sign_out(page)

    sign_in_without_js(page, leader)
    page.goto("/oppgaver")
    task_links(page, number)[0].click()
    page.wait_for_url(re.compile(r"/godkjenning/oppgave/\d+$"))
    task_url = page.url
    # Ikke godkjent without a comment: refused, the form again with the choice kept.
    page.get_by_label("Ikke godkjent (tilbake for retting)").check()
    page.get_by_role("button", name="Lagre utfallet").click()
    page.locator("#feiloppsummering").wait_for()
    assert page.url == task_url + "/behandle"
    assert "Skriv hva som må rettes" in page.locator("#feiloppsummering").inner_text()
    assert page.get_by_label("Ikke godkjent (tilbake for retting)").is_checked()
    # Godkjent (one step: the last).
    page.get_by_label("Godkjent (til saksbehandler for ekspedering)").check()
    page.get_by_role("button", name="Lagre utfallet").click()
    page.wait_for_url(re.compile(r"/oppgaver$"))
    assert success_message(page) == f"Journalposten er godkjent og sendt til {handler} for ekspedering."
    sign_out(page)

    sign_in_without_js(page, handler)
    page.goto("/oppgaver")
    assert task_kinds_in_inbox(page, number) == ["Godkjent – til ekspedering"]
    task_links(page, number)[0].click()
    page.wait_for_url(re.compile(r"/godkjenning/oppgave/\d+$"))
    page.get_by_role("button", name="Ekspeder journalposten").click()
    page.wait_for_url(round_url)
    assert success_message(page) == "Journalposten er ekspedert."
    flow_section = page.locator("section", has=page.get_by_role("heading", name="Dokumentflyt", exact=True))
    assert flow_rows(flow_section) == [(handler, leader, "Godkjent", "")]
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)
