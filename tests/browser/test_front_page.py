"""The front page per role in a real browser, with the demo data: each demo persona (handler,
leader, deputy, Fellestjenesten/Arkiv, Lønn, IKT) sees a section per role with only that role's
cards; every card's numbers are those of the list behind its link (restanser, fordeling, the
unit's report, the tasks of a kind with the deputy's part and the overdue ones, the forms under
way and the leavers, the training signals); axe finds nothing on the front page of any of them.
Run with ``-s`` to see the numbers each persona got."""

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


def tall(body: Any, key: str) -> int:
    """A card's number ``key`` (its ``data-tall``), as written on the card and in ``data-verdi``."""
    item = body.locator(f"[data-tall={key}]")
    assert item.count() == 1, key
    value = int(str(item.get_attribute("data-verdi")))
    if value:
        assert number(item.inner_text()) == abs(value), (key, item.inner_text())
    return value


def inbox_totals(page: Any) -> tuple[int, int]:
    """The inbox's totals: own (its table's caption «(1–n av N)») and as deputy (the heading «Som
    stedfortreder (N oppgaver)»), 0 when a part is not shown."""
    own = caption_total(page, "#tabell-oppgaver")
    heading = page.locator("#stedfortreder-overskrift")
    deputy = number(heading.inner_text()) if heading.count() else 0
    return own, deputy


def check_task_card(page: Any, body: Any) -> dict[str, int]:
    """A kind's task card against the inbox filtered to the kind behind its link: the total is
    own plus as deputy, the deputy's part is the section's, and the overdue ones are the rows
    marked Forfalt (the inbox sorted by frist shows them first)."""
    found = {"totalt": 0, "stedfortreder": 0, "forfalt": 0}
    if body.locator("[data-tall=totalt]").count():
        found["totalt"] = tall(body, "totalt")
        found["forfalt"] = tall(body, "forfalt")
        if body.locator("[data-tall=stedfortreder]").count():
            found["stedfortreder"] = tall(body, "stedfortreder")
    body.get_by_role("link", name=re.compile(r"^Gå til .* i Mottatte oppgaver$")).click()
    page.wait_for_url(re.compile(r"/oppgaver\?oppgavetype="))
    wait_for_htmx(page)
    own, deputy = inbox_totals(page)
    assert (own + deputy, deputy) == (found["totalt"], found["stedfortreder"]), (own, deputy, found)
    if own + deputy <= 50:  # one page of each: count the marks
        marked = page.locator("#oppgaver td[data-label=Frist] .status--warn").count()
        assert marked == found["forfalt"], (marked, found)
    page.goto("/")
    wait_for_htmx(page)
    return found


UNDER_WAY = ("Hos Lønningskontoret", "Hos IKT", "Hos Fellestjenesten/Arkiv", "Returnert til leder")


def check_onboarding_card(page: Any, body: Any) -> dict[str, int]:
    """The onboarding card against /onboarding: the forms under way are the rows with those
    states; in the leader's section the leavers are the people the list marks."""
    found = {
        "under-behandling": tall(body, "under-behandling")
        if body.locator("[data-tall=under-behandling]").count()
        else 0
    }
    leader = body.locator("[data-tall=avgang]").count() == 1
    if leader:
        found["avgang"] = tall(body, "avgang")
        named = {
            str(a.get_attribute("href")) for a in body.locator("a[href^='/onboarding/sjekkliste/']").all()
        }
    body.get_by_role("link", name="Gå til IKT-tilgang/-avgang").click()
    page.wait_for_url(re.compile(r"/onboarding$"))
    states = [cell.inner_text().strip() for cell in page.locator("td[data-label=Status]").all()]
    assert sum(1 for state in states if state in UNDER_WAY) == found["under-behandling"], states
    if leader:
        marked = {str(a.get_attribute("href")) for a in page.locator("a.skjema-sjekkliste").all()}
        assert len(marked) == found["avgang"] and named <= marked, (marked, named)
    page.goto("/")
    wait_for_htmx(page)
    return found


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

    # The unit's restanser: the card's figures are the report's Sum row for today (restanser,
    # change since a week before, forfalt) and its marks (handlers at or over the threshold).
    seen = check_unit_restanser(page)
    print(f"\nLeder {demo_people.leader}: {seen}")
    seen = check_task_card(page, card(page, "leder", "godkjenning"))
    print(f"Leder, Til godkjenning: {seen}")
    seen = check_onboarding_card(page, card(page, "leder", "onboarding"))
    print(f"Leder, IKT-tilgang/-avgang: {seen}")
    check_own_restanser(page)
    assert_clean(watch)


def signed_change(text: str) -> int:
    """«+3 flere», «−2 færre» or «0» as a number."""
    value = number(text)
    return -value if text.strip().startswith(("−", "-")) else value


def check_unit_restanser(page: Any) -> dict[str, int]:
    restanse = card(page, "leder", "restanse")
    restanse.locator(".restanse-enhet-kort").wait_for()
    unit = restanse.locator(".restanse-enhet-kort__enhet").first
    found = {
        "restanser": number(unit.locator(".card__figure").inner_text()),
        "endring": tall(unit, "endring"),
        "forfalt": tall(unit, "forfalt"),
        "terskel": tall(unit, "terskel"),
    }
    unit.get_by_role("link", name=re.compile(r"^Gå til Restanser i ")).click()
    page.wait_for_url(re.compile(r"/restanse/enhet\?"))
    wait_for_htmx(page)
    report = {"restanser": 0, "endring": 0, "forfalt": 0, "terskel": 0}
    sums = page.locator("tfoot tr").filter(has=page.locator("th", has_text="Sum")).locator("td.num")
    if sums.count():
        report = {
            "restanser": number(sums.nth(1).inner_text()),
            "endring": signed_change(sums.nth(2).inner_text()),
            "forfalt": number(sums.nth(3).inner_text()),
            "terskel": page.locator("tbody th[scope=row] .status--warn").count(),
        }
    assert report == found, (report, found)
    page.goto("/")
    wait_for_htmx(page)
    return found


@pytest.mark.both_databases
def test_deputy(new_page: Any, demo_people: DemoPeople, axe_source: str) -> None:
    page, watch = new_page(bypass_csp=True)
    assert open_front_page(page, demo_people.deputy) == ["saksbehandler", "leder"]
    assert heading(page, "leder").startswith("Stedfortreder for ")
    assert card(page, "leder", "restanse").locator(".restanse-enhet-kort").count() == 1
    found = axe(page, axe_source)
    assert found == [], "axe-brudd:\n" + "\n".join(found)
    # The deputy decides the absent leader's approvals: the card counts them with the deputy's own.
    seen = check_task_card(page, card(page, "leder", "godkjenning"))
    print(f"\nStedfortreder {demo_people.deputy}, Til godkjenning: {seen}")
    print(f"Stedfortreder, Restanser i enheten: {check_unit_restanser(page)}")
    print(
        f"Stedfortreder, IKT-tilgang/-avgang: {check_onboarding_card(page, card(page, 'leder', 'onboarding'))}"
    )
    assert_clean(watch)


@pytest.mark.both_databases
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
    page.goto("/")
    wait_for_htmx(page)
    print(f"\nArkiv {demo_people.arkiv}: Til fordeling {total} ({len(queues)} køer)")

    # Registrering: the pages exist, and the newest receipt opens.
    registrer = card(page, "arkiv", "registrer")
    registered = tall(registrer, "registrert")
    for name in ("Registrer inngående post", "Opprett ny sak"):
        assert registrer.get_by_role("link", name=name).count() == 1
    receipt = registrer.locator("a[href^='/arkiv/registrer/kvittering/']")
    assert receipt.count() == (1 if registered else 0)
    print(f"Arkiv, Registrering: {registered} i dag")

    # Opplæring og veiledning: the handlers with old restanser and the follow-ups under way are
    # the rows of the page behind the link.
    training = card(page, "arkiv", "opplaering")
    old, follow_ups = tall(training, "gamle-restanser"), tall(training, "oppfolginger")
    training.get_by_role("link", name="Gå til Opplæring og veiledning").click()
    page.wait_for_url(re.compile(r"/onboarding/opplaering$"))
    cells = page.locator("td[data-label='Restanser eldre enn tre måneder']").all()
    assert sum(1 for cell in cells if number(cell.inner_text())) == old
    states = [
        c.inner_text().strip()
        for c in page.locator("#oppfolging-tabell").locator("xpath=..").locator("td[data-label=Status]").all()
    ]
    assert sum(1 for state in states if state != "Gjennomført") == follow_ups, states
    print(
        f"Arkiv, Opplæring og veiledning: {old} saksbehandlere med gamle restanser, {follow_ups} oppfølginger"
    )
    page.goto("/")
    wait_for_htmx(page)

    # The arkiv step of the IKT form, and the forms under way.
    print(f"Arkiv, Dine steg i IKT-skjemaet: {check_task_card(page, card(page, 'arkiv', 'onboarding_steg'))}")
    print(f"Arkiv, IKT-tilgang/-avgang: {check_onboarding_card(page, card(page, 'arkiv', 'onboarding'))}")
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
    # Their steps of the IKT form (earliest frist first, the overdue counted) and the forms under
    # way: each number is the list's behind the link.
    steps = check_task_card(page, card(page, role, "onboarding_steg"))
    forms = check_onboarding_card(page, card(page, role, "onboarding"))
    print(f"\n{role}: Dine steg i IKT-skjemaet {steps}; IKT-tilgang/-avgang {forms}")
    assert_clean(watch)
