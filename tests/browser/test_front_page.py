"""The front page per role in a real browser, with the demo data: each demo persona (handler,
leader, deputy, Fellestjenesten/Arkiv, Lønn, IKT) sees a section per role with only that role's
cards; the restanse and fordeling cards show the numbers of the list pages they link to; axe finds
nothing on the front page of any of them."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import DemoPeople, Server, Watch, axe, sign_in, wait_for_htmx

pytestmark = pytest.mark.browser


def number(text: str) -> int:
    """The first number in ``text`` (the app writes 1 234 with a no-break space)."""
    match = re.search(r"\d[\d\s\u00a0\u202f]*", text)
    assert match, f"Ingen tall i «{text}»"
    return int(re.sub(r"\D", "", match.group(0)))


def caption_total(page: Any, caption: str) -> int:
    """N in a list table's caption «… (1–50 av N)», or 0 when the page shows no table."""
    locator = page.locator(caption)
    if locator.count() == 0:
        return 0
    match = re.search(r"av ([\d\s\u00a0\u202f]+)\)", locator.inner_text())
    assert match, locator.inner_text()
    return number(match.group(1))


def role_person(server: Server, role: str) -> str:
    rows = server.query(
        "select p.name from core_person p join core_person_role r on r.person = p.id "
        "where r.role = ? and p.active and p.id not in (select person from core_leadership) "
        "order by (select count(*) from core_person_role o where o.person = p.id), p.id",
        (role,),
    )
    assert rows, f"Demodataene mangler en person med rollen {role}"
    return str(rows[0][0])


def open_front_page(page: Any, name: str) -> list[str]:
    """Sign in as ``name``; wait until every card has loaded; the sections' roles, in order."""
    sign_in(page, name)
    for body in page.locator(".card__body").all():
        body.locator(".loading").wait_for(state="detached")
    wait_for_htmx(page)
    return [s.get_attribute("data-rolle") for s in page.locator("section.rolle").all()]


def card(page: Any, role: str, key: str) -> Any:
    return page.locator(f"section.rolle[data-rolle={role}] section.card[data-kort={key}]")


def heading(page: Any, role: str) -> str:
    return page.locator(f"#rolle-{role}").inner_text().strip()


def assert_clean(watch: Watch) -> None:
    assert watch.page_errors == [], "JavaScript-feil:\n" + "\n".join(watch.page_errors)
    assert watch.server_errors == [], "Serverfeil:\n" + "\n".join(watch.server_errors)


def check_own_restanser(page: Any) -> None:
    """The handler's restanse card equals the caption of Egne restanser behind its link."""
    body = card(page, "saksbehandler", "restanse")
    figure = body.locator(".restanse-kort .card__figure")
    shown = number(figure.inner_text()) if figure.count() else 0
    body.get_by_role("link", name="Gå til Egne restanser").click()
    page.wait_for_url(re.compile(r"/restanse$"))
    wait_for_htmx(page)
    assert caption_total(page, "#egne-tabell") == shown
    page.goto("/")


def test_handler(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    assert open_front_page(page, demo_people.handler) == ["saksbehandler"]
    assert heading(page, "saksbehandler") == "Saksbehandler"
    assert page.locator("section.card[data-kort=fordeling]").count() == 0
    found = axe(page, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    check_own_restanser(page)

    # Mine journalposter: both counts equal the lists on /arkiv/mine.
    wait_for_htmx(page)
    mine = card(page, "saksbehandler", "mine")
    counts = {
        key: number(mine.locator(f"[data-tall={key}]").inner_text()) for key in ("utgaaende", "fordelt")
    }
    mine.get_by_role("link", name="Gå til utgående som ikke er ekspedert").click()
    page.wait_for_url(re.compile(r"/arkiv/mine#utgaaende$"))
    for key, count in counts.items():
        caption = page.locator(f"#{key}-tabell")
        assert (number(caption.inner_text().rsplit("(", 1)[1]) if caption.count() else 0) == count, key
    found = axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert_clean(watch)


@pytest.mark.both_databases
def test_leader(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    assert open_front_page(page, demo_people.leader) == ["saksbehandler", "leder"]
    assert heading(page, "leder").startswith("Leder for ")
    for key in ("fordeling", "restanse", "onboarding"):
        assert card(page, "leder", key).count() == 1, key
    found = axe(page, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)

    # Til fordeling: the card's count is the queue's (the leader leads one unit in the demo).
    fordeling = card(page, "leder", "fordeling")
    figure = fordeling.locator(".fordeling-kort .card__figure")
    shown = number(figure.inner_text()) if figure.count() else 0
    fordeling.get_by_role("link", name="Gå til Til fordeling").click()
    page.wait_for_url(re.compile(r"/fordeling$"))
    wait_for_htmx(page)
    assert caption_total(page, "#kurv-tabell") == shown
    page.goto("/")
    wait_for_htmx(page)

    # The unit's restanser: the card's figure is the report's Sum for today.
    restanse = card(page, "leder", "restanse")
    restanse.locator(".restanse-enhet-kort").wait_for()
    shown = number(restanse.locator(".card__figure").first.inner_text())
    restanse.get_by_role("link", name=re.compile(r"^Gå til Restanser i ")).first.click()
    page.wait_for_url(re.compile(r"/restanse/enhet\?"))
    wait_for_htmx(page)
    if shown:
        total = (
            page.locator("tfoot tr").filter(has=page.locator("th", has_text="Sum")).locator("td.num").nth(1)
        )
        assert number(total.inner_text()) == shown
    page.goto("/")
    wait_for_htmx(page)
    check_own_restanser(page)
    assert_clean(watch)


def test_deputy(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    assert open_front_page(page, demo_people.deputy) == ["saksbehandler", "leder"]
    assert heading(page, "leder").startswith("Stedfortreder for ")
    assert card(page, "leder", "restanse").locator(".restanse-enhet-kort").count() == 1
    found = axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert_clean(watch)


def test_archive(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    roles = open_front_page(page, demo_people.arkiv)
    assert roles[0] == "saksbehandler" and "arkiv" in roles, roles
    assert heading(page, "arkiv") == "Fellestjenesten/Arkiv"
    found = axe(page, axe_source, reflow=True)
    assert found == [], "axe-brudd:\n" + "\n".join(found)

    # Every queue on the card (the central queue and each unit with post waiting) has the count
    # of the queue behind its link, and the figure is their sum.
    fordeling = card(page, "arkiv", "fordeling")
    figure = fordeling.locator(".fordeling-kort .card__figure")
    total = number(figure.inner_text()) if figure.count() else 0
    queues = {
        str(item.locator("a").get_attribute("href")): number(item.inner_text().split(":", 1)[1])
        if "ingen" not in item.inner_text()
        else 0
        for item in fordeling.locator(".fordeling-kort li").all()
    }
    assert sum(queues.values()) == total
    for href, count in list(queues.items())[:4]:  # the central queue and the first units
        page.goto(href)
        wait_for_htmx(page)
        assert caption_total(page, "#kurv-tabell") == count, href
    assert_clean(watch)


@pytest.mark.parametrize("role", ["lonn", "ikt"])
def test_lonn_and_ikt(new_page: Any, server: Server, axe_source: str, role: str) -> None:
    page, watch = new_page(bypass_csp=True)
    roles = open_front_page(page, role_person(server, role))
    assert roles == ["saksbehandler", role], roles
    assert heading(page, role) == {"lonn": "Lønningskontoret", "ikt": "IKT"}[role]
    assert card(page, role, "onboarding").count() == 1
    assert page.locator("section.card[data-kort=fordeling]").count() == 0
    found = axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    assert_clean(watch)
