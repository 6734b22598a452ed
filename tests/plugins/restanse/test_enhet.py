"""Restanser i egen enhet: counts per handler (with the row for restanser without a handler) on
the report date and a week earlier, the list behind a count, sub-units, saved criteria,
validation, export, and who may see it (leader, deputy only during the absence, archive)."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from core.tables import AuditEvent, DeputyPeriod
from core.timeutil import today
from plugins.restanse.tables import SavedCriteria
from tests.support.factories import csrf, login, make_deputy
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

HTMX = {"HX-Request": "true"}


def ago(days: int) -> date:
    return today() - timedelta(days=days)


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


def query(org: Org, **extra: Any) -> str:
    values: list[tuple[str, str]] = [("enhet", str(extra.pop("enhet", org.unit)))]
    for t in extra.pop("typer", ("I", "N")):
        values.append(("typer", t))
    values.append(("underenheter", str(extra.pop("underenheter", "0"))))
    values += [(k, str(v)) for k, v in extra.items()]
    return urlencode(values)


def row_of(html: str, name: str) -> list[str]:
    """The cells (text) of the table row whose header is ``name``."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        if re.search(rf'<th scope="row"[^>]*>\s*{re.escape(name)}', row):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
            return [htmllib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
    raise AssertionError(f"fant ingen rad for {name}")


async def unit_data(org: Org) -> None:
    await make_restanse(org.unit, org.handler, journaldato=ago(10))
    await make_restanse(org.unit, org.handler, journaldato=ago(3))
    gone = await make_restanse(org.unit, org.handler2, journaldato=ago(20))
    await write_off(gone.korrespondansepart_id, ago(2))
    await make_restanse(org.unit, None, journaldato=ago(1), tittel="Venter på fordeling")
    await make_restanse(org.sub_unit, org.sub_handler, journaldato=ago(12))
    await make_restanse(org.other_unit, org.other_handler, journaldato=ago(12))


async def test_leader_sees_counts_per_handler_now_and_a_week_ago(client, org: Org) -> None:
    await unit_data(org)
    await login(client, org.leader)
    page = await client.get(f"/restanse/enhet?{query(org)}")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Restanser i egen enhet</h1>" in html
    week = ago(7).strftime("%d.%m.%Y")
    now = today().strftime("%d.%m.%Y")
    assert f"Restanser per saksbehandler {week} og {now}" in html
    # Hanne: 1 a week ago, 2 now (+1); Harald: 1 then, 0 now (-1); the unit's row without a handler.
    hanne = row_of(html, "Hanne Handler")
    assert hanne[1:] == ["1", "2 restanser hos Hanne Handler: vis listen", "+1 flere", "0"]
    harald = row_of(html, "Harald Handler")
    assert harald[1:] == ["1", "0", "−1 færre", "0"]
    assert row_of(html, "Uten saksbehandler")[1:3] == ["0", "1 restanser hos Uten saksbehandler: vis listen"]
    assert row_of(html, "Sum")[1:] == ["2", "3", "+1 flere", "0"]
    assert "Bjørn Bygg" not in html and "Trine Teknisk" not in html
    assert 'scope="col"' in html and "<caption" in html


async def test_forfalt_per_handler_on_the_report_date_opens_the_list_forfalt_first(client, org: Org) -> None:
    late = await make_restanse(org.unit, org.handler, journaldato=ago(20), forfallsdato=ago(2))
    await make_restanse(org.unit, org.handler, journaldato=ago(30), forfallsdato=today())
    await make_restanse(org.unit, org.handler, journaldato=ago(40))
    gone = await make_restanse(org.unit, org.handler2, journaldato=ago(20), forfallsdato=ago(10))
    await write_off(gone.korrespondansepart_id, ago(5))
    await make_restanse(org.unit, None, journaldato=ago(9), forfallsdato=ago(1))
    await make_restanse(org.other_unit, org.other_handler, journaldato=ago(9), forfallsdato=ago(1))
    await login(client, org.leader)
    html = (await client.get(f"/restanse/enhet?{query(org)}")).text
    assert row_of(html, "Hanne Handler")[4] == "1 forfalt hos Hanne Handler: vis listen, forfalt først"
    assert row_of(html, "Harald Handler")[4] == "0"  # written off before it fell due
    assert row_of(html, "Uten saksbehandler")[4].startswith("1 ")
    assert row_of(html, "Sum")[4] == "2"
    link = htmllib.unescape(re.search(rf'href="([^"]*hvem={org.handler}&amp;sorter=forfall)"', html).group(1))
    listing = (await client.get(link, headers=HTMX)).text
    first_row = listing[listing.index("<tbody>") :].split("</tr>")[0]
    assert f"/arkiv/journalpost/{late.post}" in first_row and "Forfalt</span>" in first_row
    assert listing.count("Forfalt</span>") == 1
    # On a report date before the write-off, Harald's was forfalt too.
    earlier = (await client.get(f"/restanse/enhet?{query(org, dato=ago(6).isoformat())}")).text
    assert row_of(earlier, "Harald Handler")[4].startswith("1 ")
    assert row_of(earlier, "Hanne Handler")[4] == "0"  # hers fell due later


async def test_the_list_behind_a_count(client, org: Org) -> None:
    restricted = await make_restanse(
        org.unit,
        org.handler,
        journaldato=ago(4),
        tittel="Klage fra Kari Nordmann",
        offentlig_tittel="Klage fra *****",
        tilgangsrestriksjon="P",
    )
    plain = [await make_restanse(org.unit, org.handler, journaldato=ago(60 - i)) for i in range(51)]
    waiting = await make_restanse(org.unit, None, journaldato=ago(1), tittel="Venter på fordeling")
    await login(client, org.leader)
    base = f"/restanse/enhet/liste?{query(org)}&liste_enhet={org.unit}"
    listing = await client.get(f"{base}&hvem={org.handler}", headers=HTMX)
    assert listing.status_code == 200 and "<html" not in listing.text
    html = listing.text
    assert '<section id="enhet-liste"' in html
    assert "Restanser hos Hanne Handler i LMA Landbruk, miljø og arealforvaltning" in html
    assert "(1–50 av 52)" in html and 'hx-get="/restanse/enhet/liste?' in html
    second = await client.get(f"{base}&hvem={org.handler}&side=2", headers=HTMX)
    assert "(51–52 av 52)" in second.text
    # Skjerming: the leader holds no code P, so the real title never shows.
    both = html + second.text
    assert "Klage fra Kari Nordmann" not in both and "Klage fra *****" in both
    assert f"/arkiv/journalpost/{restricted.post}" in both and f"/arkiv/journalpost/{plain[0].post}" in both
    assert f"/arkiv/journalpost/{waiting.post}" not in both
    none = await client.get(f"{base}&hvem=ingen", headers=HTMX)
    assert "Restanser uten saksbehandler i LMA" in none.text
    assert f"/arkiv/journalpost/{waiting.post}" in none.text and "(1–1 av 1)" in none.text
    # Without JavaScript the same URL is the whole page with the table and the list.
    full = await client.get(f"{base}&hvem=ingen")
    assert "<html" in full.text and "Restanser per saksbehandler" in full.text
    assert f"/arkiv/journalpost/{waiting.post}" in full.text
    # A count links to its list.
    report = await client.get(f"/restanse/enhet?{query(org)}")
    assert f"liste_enhet={org.unit}&amp;hvem={org.handler}" in report.text
    assert f"liste_enhet={org.unit}&amp;hvem=ingen" in report.text
    assert (await client.get(f"{base}&hvem=x")).status_code == 404


async def test_sub_units(client, org: Org) -> None:
    await unit_data(org)
    await login(client, org.leader)
    without = await client.get(f"/restanse/enhet?{query(org, underenheter=0)}")
    assert "Bjørn Bygg" not in without.text
    with_sub = await client.get(f"/restanse/enhet?{query(org, underenheter=1)}")
    bjorn = row_of(with_sub.text, "Bjørn Bygg")
    assert bjorn[:2] == ["LMA-BYG", "Bjørn Bygg"]
    assert row_of(with_sub.text, "Sum")[1:3] == ["3", "4"]
    base = f"/restanse/enhet/liste?liste_enhet={org.sub_unit}&hvem={org.sub_handler}"
    assert (await client.get(f"{base}&{query(org, underenheter=1)}", headers=HTMX)).status_code == 200
    outside = await client.get(f"{base}&{query(org, underenheter=0)}", headers=HTMX)
    assert outside.status_code == 403


async def test_who_may_see_the_report(client, org: Org) -> None:
    await unit_data(org)
    url = f"/restanse/enhet?{query(org)}"
    listing = f"/restanse/enhet/liste?{query(org)}&liste_enhet={org.unit}&hvem={org.handler}"
    export = f"/restanse/enhet/eksport?{query(org)}"
    # A plain handler: 403 everywhere.
    await login(client, org.handler)
    for target in ("/restanse/enhet", url, listing, export):
        assert (await client.get(target)).status_code == 403, target
    response = await client.post(
        "/restanse/enhet", data={"enhet": str(org.unit), "typer": "I"}, headers=csrf(client)
    )
    assert response.status_code == 403
    # Another unit's leader: own unit yes, LMA no.
    await login(client, org.other_leader)
    assert (await client.get(url)).status_code == 403
    assert (await client.get(listing)).status_code == 403
    own = await client.get("/restanse/enhet")
    assert own.status_code == 200 and "TDR Teknisk drift" in own.text
    assert f'<option value="{org.unit}"' not in own.text
    # A deputy only while the leader's absence is registered.
    period = await make_deputy(org.unit, org.leader, org.handler2, ago(10), ago(3))
    await login(client, org.handler2)
    assert (await client.get(url)).status_code == 403
    await DeputyPeriod.update({DeputyPeriod.ends: ago(-3)}).where(DeputyPeriod.id == period)
    await login(client, org.handler2)
    deputy_page = await client.get(url)
    assert deputy_page.status_code == 200
    assert "Du ser enheten som stedfortreder for Lene Leder." in deputy_page.text
    assert (await client.get(listing, headers=HTMX)).status_code == 200
    # Fellestjenesten/Arkiv: every unit.
    await login(client, org.archive)
    assert (await client.get(url)).status_code == 200
    other = await client.get(f"/restanse/enhet?{query(org, enhet=org.other_unit)}")
    assert other.status_code == 200 and "Trine Teknisk" in other.text


async def test_saved_criteria_come_back(client, org: Org) -> None:
    await unit_data(org)
    await login(client, org.leader)
    first = await client.get("/restanse/enhet")
    assert first.status_code == 200
    # No saved criteria yet: the unit the user leads, both types, sub-units included.
    assert f'<option value="{org.unit}" selected>' in first.text
    assert 'id="typer-N" name="typer" value="N" checked' in first.text
    assert 'id="underenheter" name="underenheter" value="1" checked' in first.text
    data = {"enhet": str(org.unit), "fra": ago(30).isoformat(), "til": "", "typer": ["I"], "dato": ""}
    response = await client.post("/restanse/enhet", data=data, headers=csrf(client))
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/restanse/enhet?") and f"fra={ago(30).isoformat()}" in location
    assert "underenheter=0" in location and "typer=N" not in location
    [saved] = await SavedCriteria.select().where(SavedCriteria.person == org.leader)
    assert saved["rapport"] == "enhet"
    [event] = await AuditEvent.select().where(AuditEvent.action == "restanse.criteria_saved")
    assert event["actor"] == org.leader and event["object_id"] == str(org.leader)
    # The same criteria again change nothing and log nothing.
    assert (await client.post("/restanse/enhet", data=data, headers=csrf(client))).status_code == 303
    assert await AuditEvent.count().where(AuditEvent.action == "restanse.criteria_saved") == 1
    # Next time the form comes back as it was.
    again = await client.get("/restanse/enhet")
    assert f'value="{ago(30).strftime("%d.%m.%Y")}"' in again.text
    assert 'id="typer" name="typer" value="I" checked' in again.text
    assert 'id="typer-N" name="typer" value="N">' in again.text
    assert 'id="underenheter" name="underenheter" value="1">' in again.text
    # Running it again with htmx replaces the saved criteria (one row) and pushes the URL.
    data = {"enhet": str(org.unit), "typer": ["I", "N"], "underenheter": "1"}
    htmx = await client.post("/restanse/enhet", data=data, headers={**csrf(client), **HTMX})
    assert htmx.status_code == 200 and '<div id="enhet-innhold"' in htmx.text
    assert htmx.headers["hx-push-url"].startswith("/restanse/enhet?enhet=")
    rows = await SavedCriteria.select().where(SavedCriteria.person == org.leader)
    assert len(rows) == 1
    assert "Bjørn Bygg" in htmx.text
    # Opening a link with criteria does not change what is saved.
    await client.get(f"/restanse/enhet?{query(org, typer=('N',))}")
    assert (await SavedCriteria.select().where(SavedCriteria.person == org.leader))[0]["endret"] == rows[0][
        "endret"
    ]


async def test_invalid_criteria_keep_the_form(client, org: Org) -> None:
    await login(client, org.leader)
    data = {"enhet": str(org.unit), "fra": "31.12.2026", "til": "01.01.2026", "dato": "32.13.2026"}
    response = await client.post("/restanse/enhet", data=data, headers=csrf(client))
    assert response.status_code == 422
    html = htmllib.unescape(response.text)
    assert "Til-dato kan ikke være før fra-dato." in html
    assert "Velg minst én journalposttype." in html and 'href="#typer"' in html
    assert "«Rapportdato» må være en dato som finnes, skrevet dd.mm.åååå, for eksempel 17.05.2026." in html
    assert 'value="31.12.2026"' in html and 'value="32.13.2026"' in html
    assert "<title>Feil: Restanser i egen enhet" in html
    # The query string (links, bookmarks) takes the same dates: dd.mm.åååå, d.m.åååå or ISO.
    typed = await client.get(f"/restanse/enhet?{query(org, fra='1.1.2026', til=ago(1).strftime('%d.%m.%Y'))}")
    assert typed.status_code == 200 and 'value="01.01.2026"' in typed.text
    assert f'value="{ago(1).strftime("%d.%m.%Y")}"' in typed.text
    iso = await client.get(f"/restanse/enhet?{query(org, fra='2026-01-01')}")
    assert iso.status_code == 200 and 'id="fra" name="fra" value="01.01.2026"' in iso.text
    wrong = await client.get(f"/restanse/enhet?{query(org, fra='31.02.2026', til='1.1.26')}")
    assert wrong.status_code == 422
    assert "«Journaldato fra og med» må være en dato som finnes" in wrong.text
    assert "«Journaldato til og med» må være en dato som finnes" in wrong.text
    assert 'value="31.02.2026"' in wrong.text and 'value="1.1.26"' in wrong.text
    future = await client.get(f"/restanse/enhet?{query(org, dato=ago(-2).isoformat())}")
    assert future.status_code == 422 and "Rapportdatoen kan ikke være etter i dag." in future.text
    missing = await client.post("/restanse/enhet", data={"typer": "I"}, headers={**csrf(client), **HTMX})
    assert missing.status_code == 422 and "Velg en av enhetene i listen." in missing.text
    assert await SavedCriteria.count() == 0


async def test_report_date_in_the_past(client, org: Org) -> None:
    r = await make_restanse(org.unit, org.handler, journaldato=ago(30))
    await write_off(r.korrespondansepart_id, ago(5))
    await login(client, org.leader)
    now = await client.get(f"/restanse/enhet?{query(org)}")
    assert row_of(now.text, "Hanne Handler")[1:3] == ["1", "0"]
    earlier = await client.get(f"/restanse/enhet?{query(org, dato=ago(10).isoformat())}")
    assert row_of(earlier.text, "Hanne Handler")[1:3] == ["1", "1 restanser hos Hanne Handler: vis listen"]
    listing = await client.get(
        f"/restanse/enhet/liste?{query(org, dato=ago(10).isoformat())}&liste_enhet={org.unit}&hvem={org.handler}",
        headers=HTMX,
    )
    assert f"/arkiv/journalpost/{r.post}" in listing.text


async def test_export_of_the_table(client, org: Org) -> None:
    await unit_data(org)
    await login(client, org.leader)
    response = await client.get(f"/restanse/enhet/eksport?{query(org, underenheter=1)}&format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["Enhetskode", "Enhet", "Saksbehandler"]
    assert rows[0][3] == f"Antall {ago(7).strftime('%d.%m.%Y')}"
    assert rows[0][6] == f"Forfalt {today().strftime('%d.%m.%Y')}"
    assert ["LMA", "Landbruk, miljø og arealforvaltning", "Hanne Handler", "1", "2", "1", "0"] in rows
    assert ["LMA", "Landbruk, miljø og arealforvaltning", "Uten saksbehandler", "0", "1", "1", "0"] in rows
    assert rows[-1] == ["Sum", "", "", "3", "4", "1", "0"]
    xlsx = await client.get(f"/restanse/enhet/eksport?{query(org)}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


async def test_the_list_behind_a_count_is_sorted_and_the_sort_remembered(client, org: Org) -> None:
    first = await make_restanse(org.unit, org.handler, journaldato=ago(9), tittel="Kartbestilling")
    await make_restanse(org.unit, org.handler, journaldato=ago(2), tittel="Klagesak")
    await make_restanse(org.unit, org.handler2, journaldato=ago(5), tittel="Haralds")
    await make_restanse(org.unit, org.handler2, journaldato=ago(6), tittel="Haralds andre")
    await login(client, org.leader)
    base = f"/restanse/enhet/liste?{query(org)}&liste_enhet={org.unit}"
    listing = (await client.get(f"{base}&hvem={org.handler}", headers=HTMX)).text
    assert listing.index("Kartbestilling") < listing.index("Klagesak")
    assert '<label for="liste-sorter">Sorter etter</label>' in listing
    assert f'<input type="hidden" name="hvem" value="{org.handler}">' in listing
    newest = (await client.get(f"{base}&hvem={org.handler}&sorter=nyest", headers=HTMX)).text
    assert newest.index("Klagesak") < newest.index("Kartbestilling")
    # Another count's list opens with the sort chosen last.
    again = (await client.get(f"{base}&hvem={org.handler}", headers=HTMX)).text
    assert (
        again.index("Klagesak") < again.index("Kartbestilling") and '<option value="nyest" selected>' in again
    )
    assert '<option value="nyest" selected>' in (await client.get(f"{base}&hvem={org.handler2}")).text
    assert (await client.get(f"{base}&hvem={org.handler}&sorter=nye")).status_code == 200  # not here
    del first
