"""The app starts, redirects anonymous users to sign-in, and shows the front page's cards."""

from __future__ import annotations

import pytest

from tests.support.factories import login, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio


async def test_anonymous_user_is_sent_to_sign_in(client) -> None:
    response = await client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/logg-inn?neste=/"


async def test_front_page_shows_a_card_per_plugin(client) -> None:
    # A leader sees every routine's card (fordeling's card is for those who distribute).
    unit = await make_unit()
    person = await make_person(unit=unit)
    await make_leader(unit, person)
    await login(client, person)
    response = await client.get("/")
    assert response.status_code == 200
    for url in (
        "/fordeling/kort?rolle=leder",
        "/restanse/kort",
        "/restanse/enhet/kort",
        "/godkjenning/kort",
        "/onboarding/kort?rolle=leder",
    ):
        assert f'hx-get="{url}"' in response.text
