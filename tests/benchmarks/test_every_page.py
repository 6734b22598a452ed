"""benchmarks/every_page.py: which pages each persona asks for, and which links it follows."""

from __future__ import annotations

import pytest

from benchmarks.every_page import LISTS, next_links, urls_for
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
