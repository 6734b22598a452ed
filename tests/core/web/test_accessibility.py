"""The accessibility statement ``/tilgjengelighetserklaering``: public, linked from the footer of
every page, in bokmål and nynorsk, with all 50 WCAG 2.1 A/AA success criteria, the known
deviations and the municipality and contact from the settings (or a placeholder to fill in).

The axe check of the page in a browser is in ``tests/browser/test_accessibility.py``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.settings import ConfigError, Settings, load_settings
from core.tables import Person
from core.web.accessibility import statement
from tests.support.factories import login, make_person, make_unit

pytestmark = pytest.mark.anyio

URL = "/tilgjengelighetserklaering"
FOOTER_LINK = f'<a href="{URL}">'

WCAG21_A = [
    "1.1.1",
    "1.2.1",
    "1.2.2",
    "1.2.3",
    "1.3.1",
    "1.3.2",
    "1.3.3",
    "1.4.1",
    "1.4.2",
    "2.1.1",
    "2.1.2",
    "2.1.4",
    "2.2.1",
    "2.2.2",
    "2.3.1",
    "2.4.1",
    "2.4.2",
    "2.4.3",
    "2.4.4",
    "2.5.1",
    "2.5.2",
    "2.5.3",
    "2.5.4",
    "3.1.1",
    "3.2.1",
    "3.2.2",
    "3.3.1",
    "3.3.2",
    "4.1.1",
    "4.1.2",
]
WCAG21_AA = [
    "1.2.4",
    "1.2.5",
    "1.3.4",
    "1.3.5",
    "1.4.3",
    "1.4.4",
    "1.4.5",
    "1.4.10",
    "1.4.11",
    "1.4.12",
    "1.4.13",
    "2.4.5",
    "2.4.6",
    "2.4.7",
    "3.1.2",
    "3.2.3",
    "3.2.4",
    "3.3.3",
    "3.3.4",
    "4.1.3",
]
"""The WCAG 2.1 success criteria of level A (30) and AA (20), from the standard, not the code."""
ROW = re.compile(r'<th scope="row">(\d\.\d+\.\d+) ')


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[Any]:
    async with AsyncTestClient(app=create_app(settings), raise_server_exceptions=False) as client:
        client.follow_redirects = False
        yield client


def footer(html: str) -> str:
    return html[html.index('<footer class="site-footer">') :]


async def test_the_wcag_lists_of_this_test_have_50_criteria() -> None:
    assert len(WCAG21_A) == 30 and len(WCAG21_AA) == 20
    assert len(set(WCAG21_A + WCAG21_AA)) == 50


async def test_the_statement_has_every_criterion_once_with_its_level() -> None:
    levels = {c.number: c.level for c in statement.criteria()}
    assert len(statement.criteria()) == len(levels) == 50
    assert levels == {**dict.fromkeys(WCAG21_A, "A"), **dict.fromkeys(WCAG21_AA, "AA")}
    for criterion in statement.criteria():
        assert criterion.methods, criterion.number
        if criterion.status is statement.Status.DEVIATION:
            assert any(criterion.number in d.criteria for d in statement.DEVIATIONS), criterion.number
    assert [p.number for p in statement.PRINCIPLES] == ["1", "2", "3", "4"]
    for principle in statement.PRINCIPLES:
        assert all(c.number.startswith(principle.number + ".") for c in principle.criteria)


async def test_signed_out_the_page_shows_all_criteria_and_placeholders(client: Any) -> None:
    response = await client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="nb">' in html
    assert "<h1>Tilgjengelighets\u00aderklæring for Arkivrutiner</h1>" in html
    assert ROW.findall(html) == [c.number for c in statement.criteria()]
    assert len(ROW.findall(html)) == 50
    for heading in (
        "Status",
        "Kjente avvik",
        "Tilbakemelding og kontakt",
        "Tilsyn og klage",
        "Om erklæringen",
    ):
        assert f">{heading}</h2>" in html, heading
    assert "WCAG 2.1 på nivå A og AA" in html
    assert '<a href="https://www.uutilsynet.no/">uutilsynet.no</a>' in html
    assert "uustatus.no" in html
    assert "[Navnet på kommunen: settes med ARKIV_KOMMUNE]" in html
    # The long setting name may break at 320 px: <wbr> after each underscore.
    assert "[Kontaktpunkt: settes med ARKIV_<wbr>TILGJENGELIGHET_<wbr>KONTAKT]" in html
    # The known deviation: the session's idle limit (8 hours by default). The narrow layout is
    # met (tests/browser/test_narrow_screens.py) and says how it is checked.
    assert "<strong>1.4.4, 1.4.10</strong>" not in html
    assert "Nettlesertesten sjekker dette ved 390 px og ved 200 % zoom" in html
    assert "Innloggingen avsluttes etter 8 timer uten aktivitet" in html
    assert "Den manuelle kontrollen er ikke gjort ennå." in html
    assert "06.12.2026" in html
    assert FOOTER_LINK in footer(html)


async def test_the_municipality_and_contact_come_from_the_settings(settings: Settings, db: None) -> None:
    named = dataclasses.replace(
        settings, municipality="Eksempel <kommune>", accessibility_contact="uu@eksempel.kommune.no"
    )
    async with client_for(named) as client:
        html = (await client.get(URL)).text
    assert "Eksempel &lt;kommune&gt; er ansvarlig for Arkivrutiner" in html
    assert '<a href="mailto:uu@eksempel.kommune.no">uu@eksempel.kommune.no</a>' in html
    assert "ARKIV_KOMMUNE]" not in html and "KONTAKT]" not in html

    form = dataclasses.replace(settings, accessibility_contact="https://eksempel.kommune.no/uu")
    async with client_for(form) as client:
        html = (await client.get(URL)).text
    assert '<a href="https://eksempel.kommune.no/uu">https://eksempel.kommune.no/uu</a>' in html


async def test_a_long_idle_limit_is_no_deviation(settings: Settings, db: None) -> None:
    async with client_for(dataclasses.replace(settings, session_idle_hours=24)) as client:
        html = (await client.get(URL)).text
    assert "Innloggingen avsluttes etter" not in html
    assert "Innloggingen varer minst 20 timer uten aktivitet" in html
    assert "Ingen kjente avvik." in html


async def test_the_page_in_nynorsk(client: Any) -> None:
    person = await make_person(unit=await make_unit())
    await Person.update({Person.language: "nn"}).where(Person.id == person)
    await login(client, person)
    html = (await client.get(URL)).text
    assert '<html lang="nn">' in html
    assert "<h1>Tilgjengelegheits\u00aderklæring for Arkivrutiner</h1>" in html
    assert len(ROW.findall(html)) == 50
    assert "Ikkje-tekstleg innhald" in html
    assert "[Namnet på kommunen: blir sett med ARKIV_KOMMUNE]" in html
    assert f"{FOOTER_LINK}Tilgjengelegheitserklæring</a>" in footer(html)
    assert "Tilgjengelighetserklæring" not in html
    assert 'aria-label="Hovudmeny"' in html  # signed in: the page has the menu


async def test_signed_out_in_nynorsk_by_default(settings: Settings, db: None) -> None:
    async with client_for(dataclasses.replace(settings, default_language="nn")) as client:
        html = (await client.get(URL)).text
    assert '<html lang="nn">' in html
    assert "<h1>Tilgjengelegheits\u00aderklæring for Arkivrutiner</h1>" in html


async def test_the_footer_links_to_the_statement_signed_in_and_out(client: Any) -> None:
    for path in ("/logget-ut", "/dev-logg-inn", "/finnes-ikke"):
        response = await client.get(path)
        assert f"{FOOTER_LINK}Tilgjengelighetserklæring</a>" in footer(response.text), path
    await login(client, await make_person(unit=await make_unit()))
    for path in ("/", "/oppgaver", URL):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert f"{FOOTER_LINK}Tilgjengelighetserklæring</a>" in footer(response.text), path


async def test_the_contact_setting_is_an_address_or_https() -> None:
    assert load_settings({"ARKIV_TILGJENGELIGHET_KONTAKT": " uu@kommune.no "}).accessibility_contact == (
        "uu@kommune.no"
    )
    assert load_settings({"ARKIV_KOMMUNE": "Eksempel kommune"}).municipality == "Eksempel kommune"
    for bad in ("http://kommune.no/uu", "ring 12345678"):
        with pytest.raises(ConfigError, match="ARKIV_TILGJENGELIGHET_KONTAKT"):
            load_settings({"ARKIV_TILGJENGELIGHET_KONTAKT": bad})
