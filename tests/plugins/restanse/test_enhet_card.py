"""The leader's front-page card (``GET /restanse/enhet/kort``): the unit's restanser (with
sub-units) and the handlers at or over the threshold, the figures of the report it links to."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date, timedelta

import pytest

from core.timeutil import today
from tests.support.factories import login, make_deputy
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
    assert "1 saksbehandler har 2 eller flere." in text


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
