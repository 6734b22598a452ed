"""The action kit (core/web/actions.py): ticked rows, one action per row with one winner, and
the answer for a plain form and for htmx. The dummy plugin's ``POST /dummy_plugin/handling``
uses the kit as a routine page does."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.web.actions import Outcome, Selected, attempt, outcome_messages
from tests.support.factories import csrf, login, make_person, make_unit

pytestmark = pytest.mark.anyio
URL = "/dummy_plugin/handling"


def test_selected_parses_id_and_version() -> None:
    assert Selected.parse("12:3") == Selected(12, 3)
    assert Selected.parse("12:0") == Selected(12, 0)
    assert Selected(12, 3).value == "12:3"
    for bad in ("12", "12:", ":3", "0:1", "²:1", "12:x", "12:-1", "1:2:3", ""):
        assert Selected.parse(bad) is None, bad
    assert Selected.parse_all(["1:1", "2:5", "1:9"]) == [Selected(1, 1), Selected(2, 5)]  # first wins
    with pytest.raises(ValidationFailed) as failed:
        Selected.parse_all(["1:1", "x"], message="Last siden på nytt.")
    assert failed.value.errors == {"valgt": "Last siden på nytt."}


async def test_attempt_collects_each_row_and_goes_on() -> None:
    outcome = Outcome()

    async def ok() -> None:
        return None

    async def lost() -> None:
        raise Conflict("x")

    async def refused() -> None:
        raise Forbidden("Ikke lov.")

    async def gone() -> None:
        raise NotFound("Finnes ikke.")

    async def who() -> str:
        return "Ola var først."

    assert await attempt(outcome, "A", ok, who)
    assert not await attempt(outcome, "B", lost, who)
    assert not await attempt(outcome, "C", refused, who)
    assert not await attempt(outcome, "D", gone, who)
    assert outcome.problems == ["Ola var først.", "C: Ikke lov.", "D: Finnes ikke."]
    assert (outcome.conflicts, outcome.refused) == (1, 1)
    with pytest.raises(RuntimeError):  # a bug is not a refusal: it stops the batch

        async def broken() -> None:
            raise RuntimeError

        await attempt(outcome, "E", broken, who)


def test_status_code_and_messages() -> None:
    assert Outcome().status_code == 200
    lost = Outcome(problems=["x"], conflicts=1)
    assert lost.all_failed and lost.status_code == 409
    refused = Outcome()
    refused.refuse("nei")
    assert refused.status_code == 403
    gone = Outcome(problems=["borte"])
    assert gone.status_code == 200  # nothing done, nobody was first, not refused: the message says why
    assert [(m.text, m.category) for m in outcome_messages(lost, "Gjort.")] == [("x", "error")]


async def signed_in(client: Any) -> None:
    await login(client, await make_person(unit=await make_unit()))


async def test_answer_to_htmx_swaps_the_region_with_messages_badge_and_event(client: Any) -> None:
    await signed_in(client)
    response = await client.post(
        URL,
        data={"valgt": ["1:1", "2:1", "3:1", "4:1"]},
        headers={**csrf(client), "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "dummy-endret"
    html = response.text
    assert '<div id="meldinger" hx-swap-oob="innerHTML">' in html
    assert '<div class="message message--success">2 rader er gjort.</div>' in html
    assert "Rad 2 ble endret av Kari Nordmann først." in html
    assert "Rad 3: Du kan ikke dette." in html
    assert "hx-swap-oob=\"innerHTML:.main-nav a[href='/dummy_plugin']\"" in html
    assert '<span class="badge">2<span class="visually-hidden"> ting</span></span>' in html
    assert '<section id="liste" data-focus-region>' in html and "<html" not in html


async def test_answer_to_a_plain_form_flashes_and_redirects(client: Any) -> None:
    await signed_in(client)
    response = await client.post(URL, data={"valgt": ["1:1", "2:1"]}, headers=csrf(client))
    assert response.status_code == 303
    assert response.headers["location"] == "/dummy_plugin"
    page = (await client.get("/dummy_plugin")).text
    assert "1 rader er gjort." in page and "Rad 2 ble endret av Kari Nordmann først." in page


async def test_all_lost_is_409_and_all_refused_403(client: Any) -> None:
    await signed_in(client)
    hx = {**csrf(client), "HX-Request": "true"}
    assert (await client.post(URL, data={"valgt": ["2:1"]}, headers=hx)).status_code == 409
    assert (await client.post(URL, data={"valgt": ["3:1"]}, headers=hx)).status_code == 403
    bad = await client.post(URL, data={"valgt": ["x"]}, headers=hx)
    assert bad.status_code == 422  # the kit's ValidationFailed, shown in the message area
