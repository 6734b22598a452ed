"""Onboarding's front-page cards: the leader's (``/onboarding/kort?rolle=leder``: the forms under
way, and the people leaving the units led today whose checklist has open lines, as the list
``/onboarding`` marks them) and the training follow-up's (``/onboarding/opplaering/kort``:
handlers with many old restanser, follow-ups under way, as the page shows them)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from core.archive import ledger, services
from core.archive.tables import Journalpost
from core.db import writing
from core.runtime import runtime_of
from core.timeutil import today
from plugins.onboarding import forms
from plugins.onboarding.services import checklist, form, training
from plugins.onboarding.tables.forms import OnboardingForm
from tests.core.archive.leaver_org import make_work
from tests.core.archive.service_org import incoming, recipient
from tests.support.factories import as_user, login, make_person

pytestmark = pytest.mark.anyio

HX = {"HX-Request": "true"}


def tall(text: str, key: str) -> int | None:
    found = re.search(rf'data-tall="{key}" data-verdi="(\d+)"', text)
    return int(found.group(1)) if found else None


async def avgang(settings: Any, leader: int, unit: int, person: int, *, send: bool = True) -> int:
    entered = forms.Entered(kind="avgang", unit=str(unit), person=str(person), ends=str(today()))
    return await form.save(settings, await as_user(leader), entered, send=send)


async def person_without_lines(app: Any, unit: int) -> int:
    """A person of ``unit`` whose checklist has no open line (the test plugin's line counts
    ``person_id % 3``, so an id divisible by 3)."""
    pm = runtime_of(app).pm
    while True:
        person = await make_person(name="Nina Ny", unit=unit)
        if not await checklist.open_lines(pm, person):
            return person


async def test_the_leaders_card_names_the_leavers_with_open_lines_as_the_list_marks_them(
    app, client, settings
) -> None:
    work = await make_work(settings)
    org = work.org
    pm = runtime_of(app).pm
    done = await person_without_lines(app, org.lma)
    await avgang(settings, org.leader, org.lma, org.handler)  # restanse, cases, unsent, a task
    await avgang(settings, org.leader, org.lma, org.colleague, send=False)  # a draft counts too
    await avgang(settings, org.leader, org.lma, done)
    await avgang(settings, org.oko_leader, org.oko, org.oko_handler)  # another unit's
    expected = await checklist.open_counts(pm, [org.handler, org.colleague, done])
    assert set(expected) == {org.handler, org.colleague}

    await login(client, org.leader)
    card = (await client.get("/onboarding/kort?rolle=leder", headers=HX)).text
    assert tall(card, "avgang") == 2 and "2 som slutter, har åpne punkter i sjekklisten:" in card
    for person, count in expected.items():
        assert f'<a href="/onboarding/sjekkliste/{person}">' in card
        assert f"({count} åpne punkter)" in card or f"({count} åpent punkt)" in card
    assert (
        f"/onboarding/sjekkliste/{done}" not in card
        and f"/onboarding/sjekkliste/{org.oko_handler}" not in card
    )
    assert tall(card, "under-behandling") == 2 and tall(card, "utkast") == 1
    listing = (await client.get("/onboarding")).text
    marked = set(re.findall(r'class="skjema-sjekkliste" href="/onboarding/sjekkliste/(\d+)"', listing))
    assert marked == {str(p) for p in expected}
    # Without ?rolle=leder (the other sections) the card does not name leavers.
    assert tall((await client.get("/onboarding/kort")).text, "avgang") is None

    # The deputy today acts for the leader: the same leavers.
    await login(client, org.deputy)
    assert tall((await client.get("/onboarding/kort?rolle=leder")).text, "avgang") == 2
    # The other unit's leader sees only his own leaver, if it has open lines.
    await login(client, org.oko_leader)
    card = (await client.get("/onboarding/kort?rolle=leder")).text
    assert tall(card, "avgang") == len(await checklist.open_counts(pm, [org.oko_handler]))
    assert f"/onboarding/sjekkliste/{org.handler}" not in card

    # A completed avgang is no longer a leaver on the card or in the list.
    await OnboardingForm.update({OnboardingForm.state: "fullfort"}).where(
        OnboardingForm.person == org.handler
    )
    await login(client, org.leader)
    card = (await client.get("/onboarding/kort?rolle=leder")).text
    assert tall(card, "avgang") == 1 and f"/onboarding/sjekkliste/{org.handler}" not in card
    assert f'sjekkliste/{org.handler}"' not in (await client.get("/onboarding")).text
    # Fellestjenesten/Arkiv sees the marks of every unit in the list.
    await login(client, org.archivist)
    listing = (await client.get("/onboarding")).text
    marked = set(re.findall(r'class="skjema-sjekkliste" href="/onboarding/sjekkliste/(\d+)"', listing))
    assert marked == {str(p) for p in await checklist.open_counts(pm, [org.colleague, org.oko_handler])}


async def test_the_training_card_counts_what_the_page_shows(app, client, settings) -> None:
    work = await make_work(settings)
    org = work.org
    leader = await as_user(org.leader)
    posts = []
    for number in range(5):
        post = await incoming(settings, org, tittel=f"Gammel {number}")
        part = await recipient(post)
        await services.fordel(settings, leader, part["id"], org.colleague, version=part["version"])
        posts.append(post)
    old_day = today() - timedelta(days=120)
    await Journalpost.update({Journalpost.journaldato: old_day}).where(Journalpost.id.is_in(posts))
    async with writing(Journalpost):  # moved back by hand: refresh the ledger as a write does
        await ledger.refresh_posts(posts)
    await training.register(settings, await as_user(org.archivist), org.handler, "Skriver av uten svar.")

    await login(client, org.archivist)
    card = (await client.get("/onboarding/opplaering/kort", headers=HX)).text
    assert tall(card, "gamle-restanser") == 1 and tall(card, "oppfolginger") == 1
    assert "saksbehandler med 5 eller flere restanser eldre enn tre måneder" in card
    assert '<a href="/onboarding/opplaering">' in card
    page = (await client.get("/onboarding/opplaering")).text
    rows = re.findall(r'<td class="num" data-label="Restanser eldre enn tre måneder">(\d+)</td>', page)
    assert sum(1 for n in rows if int(n)) == 1
    home = (await client.get("/")).text
    assert 'hx-get="/onboarding/opplaering/kort"' in home

    await login(client, org.oko_leader)  # a leader sees only the units led
    card = (await client.get("/onboarding/opplaering/kort")).text
    assert tall(card, "gamle-restanser") == 0 and tall(card, "oppfolginger") == 0
    await login(client, org.handler)
    assert (await client.get("/onboarding/opplaering/kort")).status_code == 403
