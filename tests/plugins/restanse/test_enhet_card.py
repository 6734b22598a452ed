"""The leader's front-page card (``GET /restanse/enhet/kort``): the unit's restanser (with
sub-units), the change since a week before, the forfalt ones and the handlers at or over the
threshold, the figures of the report it links to (its Sum row and marks)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date, timedelta

import pytest

from core.timeutil import today
from tests.support.factories import login, make_deputy, make_leader
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio


def ago(days: int) -> date:
    return today() - timedelta(days=days)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def test_the_card_shows_the_reports_sum_and_links_to_it(client, org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=ago(10))
    await make_restanse(org.unit, org.handler, journaldato=ago(3))
    gone = await make_restanse(org.unit, org.handler2, journaldato=ago(20))
    await write_off(gone.korrespondansepart_id, ago(2))
    await make_restanse(org.unit, None, journaldato=ago(1))
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=ago(12))
    await make_restanse(org.other_unit, org.other_handler, journaldato=ago(12))
    await login(client, org.leader)
    card = await client.get("/restanse/enhet/kort", headers={"HX-Request": "true"})
    assert card.status_code == 200
    text = card.text
    assert '<p class="card__figure">4 restanser</p>' in text  # 2 + 1 without handler + 1 in the sub-unit
    link = htmllib.unescape(re.search(r'<a href="(/restanse/enhet\?[^"]+)"', text).group(1))
    report = await client.get(link)
    assert report.status_code == 200
    total = re.search(
        r'<th scope="row"[^>]*>Sum</th>\s*<td class="num">[^<]*</td>\s*<td class="num">(\d+)</td>',
        report.text,
    )
    assert total is not None and total.group(1) == "4"


def figure(text: str, key: str) -> int:
    found = re.search(rf'data-tall="{key}" data-verdi="(-?\d+)"', text)
    assert found is not None, key
    return int(found.group(1))


def sum_row(html: str) -> list[str]:
    row = re.search(r'<th scope="row"[^>]*>Sum</th>(.*?)</tr>', html, re.S)
    assert row is not None
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


async def test_change_since_a_week_and_forfalt_equal_the_reports_sum_row(client, org: Org) -> None:
    # A week ago: two open (one written off since). Now: three (two new), two of them forfalt.
    await make_restanse(org.unit, org.handler, journaldato=ago(10), forfallsdato=ago(1))
    gone = await make_restanse(org.unit, org.handler2, journaldato=ago(20), forfallsdato=ago(5))
    await write_off(gone.korrespondansepart_id, ago(2))
    await make_restanse(org.unit, None, journaldato=ago(3), forfallsdato=ago(2))
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=ago(2), forfallsdato=today())
    await make_restanse(org.other_unit, org.other_handler, journaldato=ago(12), forfallsdato=ago(9))
    await login(client, org.leader)
    text = (await client.get("/restanse/enhet/kort", headers={"HX-Request": "true"})).text
    assert '<p class="card__figure">3 restanser</p>' in text
    assert figure(text, "endring") == 1 and "1 mer enn for en uke siden" in text
    assert figure(text, "forfalt") == 2 and "2 forfalt" in text  # due today is not forfalt yet
    assert figure(text, "terskel") == 0
    link = htmllib.unescape(re.search(r'<a href="(/restanse/enhet\?[^"]+)"', text).group(1))
    report = (await client.get(link)).text
    assert f"Forfalt {today().strftime('%d.%m.%Y')}" in report
    assert sum_row(report) == ["2", "3", "+1 flere", "2"]


async def test_fewer_than_a_week_ago_is_said_so(client, org: Org) -> None:
    for days in (9, 10):
        gone = await make_restanse(org.unit, org.handler, journaldato=ago(days))
        await write_off(gone.korrespondansepart_id, ago(1))
    await make_restanse(org.unit, org.handler, journaldato=ago(8))
    await login(client, org.leader)
    text = (await client.get("/restanse/enhet/kort")).text
    assert figure(text, "endring") == -2 and "2 færre enn for en uke siden" in text
    await make_restanse(org.unit, org.handler, journaldato=ago(1))
    await make_restanse(org.unit, org.handler, journaldato=ago(1))
    text = (await client.get("/restanse/enhet/kort")).text
    assert figure(text, "endring") == 0 and "Like mange som for en uke siden" in text


async def test_handlers_at_the_threshold_are_counted(client, org: Org, monkeypatch) -> None:
    from plugins.restanse import config

    monkeypatch.setattr(config, "threshold", lambda: 2)
    await make_restanse(org.unit, org.handler, journaldato=ago(10))
    await make_restanse(org.unit, org.handler, journaldato=ago(3))
    await make_restanse(org.unit, org.handler2, journaldato=ago(3))
    await make_restanse(org.unit, None, journaldato=ago(3))
    await make_restanse(org.unit, None, journaldato=ago(4))
    await login(client, org.leader)
    text = (await client.get("/restanse/enhet/kort")).text
    assert "1 saksbehandler har 2 eller flere" in text and figure(text, "terskel") == 1


def units_on(text: str) -> list[tuple[str, int, int, int]]:
    """Per unit on the card: its name, restanser, forfalt and handlers at the threshold."""
    found = []
    for block in re.findall(r'<div class="restanse-enhet-kort__enhet".*?</ul>', text, re.S):
        name = re.search(r"<strong>([^<]+)</strong>", block)
        total = re.search(r'data-enhet-total="(\d+)"', block)
        assert total is not None
        found.append(
            (
                name.group(1) if name else "",
                int(total.group(1)),
                figure(block, "forfalt"),
                figure(block, "terskel"),
            )
        )
    return found


async def test_every_led_unit_is_read_in_the_same_statements(
    client, org: Org, statements: list[str], monkeypatch
) -> None:
    """A leader of two units gets both on the card, each with its report's figures, from as many
    statements as a leader of one: the units, the ledger's counts and the forfalt ones are each
    read for all the led units at once."""
    from plugins.restanse import config

    monkeypatch.setattr(config, "threshold", lambda: 2)
    await make_restanse(org.unit, org.handler, journaldato=ago(10), forfallsdato=ago(1))
    await make_restanse(org.unit, org.handler, journaldato=ago(4))
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=ago(3), forfallsdato=ago(2))
    await make_restanse(org.other_unit, org.other_handler, journaldato=ago(12), forfallsdato=ago(9))
    await make_restanse(org.archive_unit, org.archive, journaldato=ago(12), forfallsdato=ago(9))
    await make_restanse(org.archive_unit, None, journaldato=ago(2), forfallsdato=ago(1))
    await make_restanse(org.archive_unit, None, journaldato=ago(2), forfallsdato=today())
    await login(client, org.leader)
    statements.clear()
    one = (await client.get("/restanse/enhet/kort", headers={"HX-Request": "true"})).text
    for_one = len(statements)
    assert units_on(one) == [("", 3, 2, 1)]
    await make_leader(org.archive_unit, org.leader)
    statements.clear()
    two = (await client.get("/restanse/enhet/kort", headers={"HX-Request": "true"})).text
    assert len(statements) == for_one, statements
    assert units_on(two) == [
        ("Landbruk, miljø og arealforvaltning", 3, 2, 1),
        ("Stab, utvikling og virksomhetsstøtte", 3, 2, 0),
    ]
    for link in re.findall(r'<a href="(/restanse/enhet\?[^"]+)"', two):
        report = (await client.get(htmllib.unescape(link))).text
        total, forfalt = (3, 2)
        assert sum_row(report)[1] == str(total) and sum_row(report)[3] == str(forfalt)


async def test_only_leaders_and_deputies_today_get_the_card(client, org: Org) -> None:
    await login(client, org.handler)
    assert (await client.get("/restanse/enhet/kort")).status_code == 403
    await make_deputy(org.unit, org.leader, org.handler, ago(1), today() + timedelta(days=1))
    text = (await client.get("/restanse/enhet/kort")).text
    assert "0 restanser" in text


async def test_the_archives_card_shows_this_months_mailing(client, org: Org) -> None:
    from core.timeutil import now
    from plugins.restanse.services import mailing
    from plugins.restanse.tables import MailRun

    await login(client, org.handler)
    assert (await client.get("/restanse/utsending/kort")).status_code == 403
    await login(client, org.archive)
    home = (await client.get("/")).text
    assert 'hx-get="/restanse/utsending/kort"' in home
    card = (await client.get("/restanse/utsending/kort", headers={"HX-Request": "true"})).text
    assert "er ikke forberedt." in card and 'href="/restanse/utsending"' in card
    run = MailRun(
        maaned=mailing.month_of(today()),
        rapportdato=today(),
        sammenligningsdato=ago(30),
        terskel=30,
        forberedt=now(),
        status=mailing.DRAFT,
    )
    await run.save()
    card = (await client.get("/restanse/utsending/kort")).text
    assert "er forberedt, men ikke sendt." in card and f'href="/restanse/utsending/{run.id}"' in card
    await MailRun.update({MailRun.status: mailing.SENT, MailRun.sendt: now()}).where(MailRun.id == run.id)
    assert "er sendt." in (await client.get("/restanse/utsending/kort")).text
