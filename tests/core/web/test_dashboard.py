"""The front page: a section per role the user has, each with only the cards of that role."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core import roles
from core.timeutil import today
from tests.support.factories import csrf, login, make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio

SECTION = re.compile(r'<section class="rolle" aria-labelledby="rolle-([a-z]+)"')


def sections(html: str) -> list[str]:
    return SECTION.findall(html)


def section_html(html: str, role: str) -> str:
    start = html.index(f'aria-labelledby="rolle-{role}"')
    end = html.find('<section class="rolle"', start)
    return html[start : end if end != -1 else len(html)]


async def test_a_handler_sees_only_the_handler_section(client) -> None:
    person = await make_person(unit=await make_unit())
    await login(client, person)
    html = (await client.get("/")).text
    assert sections(html) == [roles.HANDLER]
    assert '<h2 id="rolle-saksbehandler">Saksbehandler</h2>' in html
    handler = section_html(html, roles.HANDLER)
    assert 'hx-get="/oppgaver/kort"' in handler and 'hx-get="/restanse/kort"' in handler
    assert "/fordeling/kort" not in html and "/restanse/enhet/kort" not in html
    assert 'hx-get="/arkiv/mine/kort"' in handler and "oppgavetype=" not in html


async def test_a_leader_gets_a_section_named_after_the_unit(client) -> None:
    unit = await make_unit(name="LMA Landbruk")
    person = await make_person(unit=unit)
    await make_leader(unit, person)
    await login(client, person)
    html = (await client.get("/")).text
    assert sections(html) == [roles.HANDLER, roles.LEADER]
    assert '<h2 id="rolle-leder">Leder for LMA Landbruk</h2>' in html
    leader = section_html(html, roles.LEADER)
    for url in (
        "/fordeling/kort?rolle=leder",
        "/restanse/enhet/kort",
        "/oppgaver/kort?oppgavetype=godkjenning.til_godkjenning",
        "/onboarding/kort?rolle=leder",
    ):
        assert f'hx-get="{url}"' in leader
    assert 'hx-get="/restanse/kort"' not in leader


async def test_an_active_deputy_gets_a_stedfortreder_section(client) -> None:
    unit = await make_unit(name="Skole")
    leader = await make_person(unit=unit)
    await make_leader(unit, leader)
    deputy = await make_person(unit=unit)
    await make_deputy(unit, leader, deputy, today() - timedelta(days=1), today() + timedelta(days=1))
    await login(client, deputy)
    html = (await client.get("/")).text
    assert sections(html) == [roles.HANDLER, roles.LEADER]
    assert '<h2 id="rolle-leder">Stedfortreder for Skole</h2>' in html


async def test_app_roles_get_their_own_sections_in_order(client) -> None:
    person = await make_person(unit=await make_unit(), roles=(roles.IKT, roles.ARKIV, roles.LONN))
    await login(client, person)
    html = (await client.get("/")).text
    assert sections(html) == [roles.HANDLER, roles.ARKIV, roles.LONN, roles.IKT]
    assert '<h2 id="rolle-arkiv">Fellestjenesten/Arkiv</h2>' in html
    assert 'hx-get="/fordeling/kort?rolle=arkiv"' in section_html(html, roles.ARKIV)
    assert 'hx-get="/restanse/utsending/kort"' in section_html(html, roles.ARKIV)
    assert 'hx-get="/arkiv/registrer/kort"' in section_html(html, roles.ARKIV)
    assert 'hx-get="/onboarding/opplaering/kort"' in section_html(html, roles.ARKIV)
    assert 'hx-get="/onboarding/kort"' in section_html(html, roles.ARKIV)
    for role in (roles.LONN, roles.IKT):
        assert 'hx-get="/onboarding/kort"' in section_html(html, role)
        assert f'hx-get="/oppgaver/kort?oppgavetype=onboarding.{role}"' in section_html(html, role)
        assert "/fordeling/kort" not in section_html(html, role)


async def test_front_page_in_nynorsk(client) -> None:
    unit = await make_unit(name="Kultur")
    person = await make_person(unit=unit)
    await make_leader(unit, person)
    await login(client, person)
    await client.post("/sprak", data={"sprak": "nn"}, headers=csrf(client))
    html = (await client.get("/")).text
    assert '<h2 id="rolle-saksbehandler">Sakshandsamar</h2>' in html
    assert '<h2 id="rolle-leder">Leiar for Kultur</h2>' in html
    assert "Mottekne oppgåver" in html
