"""benchmarks/every_page.py: which pages each persona asks for, and which links it follows."""

from __future__ import annotations

import pytest

from benchmarks.every_page import LISTS, UNIT_LIST_SORTS, next_links, unit_lists, urls_for
from benchmarks.pages import Persona

pytestmark = pytest.mark.engine_independent

PERSONAS = {
    key: Persona(key, key, person_id, f"Person {person_id}", "")
    for person_id, key in enumerate(("handler", "leader", "archive", "payroll"), start=1)
}


def test_each_persona_asks_for_its_lists_the_searches_and_the_busiest_handlers_checklist() -> None:
    words = ["søknad", "gnr."]
    leader = urls_for(PERSONAS["leader"], PERSONAS, words, "Bakken")
    assert leader[: len(LISTS["leader"])] == LISTS["leader"]
    assert "/arkiv/sok?q=Bakken" in leader and "/arkiv/sok?q=s%C3%B8knad" in leader
    assert "/onboarding/sjekkliste/1" in leader and "/fordeling?sok=gnr." in leader
    handler = urls_for(PERSONAS["handler"], PERSONAS, words, "Bakken")
    assert "/restanse/eksport?format=csv" in handler
    assert not [url for url in handler if "sjekkliste" in url or url.startswith("/fordeling")]


def test_it_follows_the_first_three_new_records_of_a_list_and_nothing_from_a_record() -> None:
    page = "".join(
        f'<a href="/arkiv/{kind}/{n}">x</a>'
        for kind, n in [("sak", 1), ("sak", 1), ("journalpost", 2), ("sak", 3), ("sak", 4)]
    )
    assert next_links("/restanse", page, {"/arkiv/sak/3"}) == [
        "/arkiv/sak/1",
        "/arkiv/journalpost/2",
        "/arkiv/sak/4",
    ]
    assert next_links("/arkiv/sak/1", page, set()) == []
    assert next_links("/arkiv/sok?q=x", page, set()) == []


def test_the_leader_asks_for_the_unit_reports_lists_of_the_busiest_handler_and_without_handler() -> None:
    report = (
        '<a href="/restanse/enhet/liste?enhet=16&amp;liste_enhet=16&amp;hvem=7">7</a>'
        '<a href="/restanse/enhet/liste?enhet=16&amp;liste_enhet=16&amp;hvem=1">1</a>'
        '<a href="/restanse/enhet/liste?enhet=16&amp;liste_enhet=16&amp;hvem=ingen">uten</a>'
    )
    urls = unit_lists(report, 1)
    assert len(urls) == 2 * len(UNIT_LIST_SORTS)
    assert urls[0] == "/restanse/enhet/liste?enhet=16&liste_enhet=16&hvem=1&sorter=eldst"
    assert "/restanse/enhet/liste?enhet=16&liste_enhet=16&hvem=ingen&sorter=sak&side=100" in urls
    assert not [url for url in urls if "hvem=7" in url]
    assert unit_lists("<p>Ingen restanser</p>", 1) == []
