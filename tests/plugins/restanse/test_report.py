"""Restanseoppfølging: the monthly table per unit and per handler (report.py and the page)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.timeutil import months_back, today
from plugins.restanse import forms
from plugins.restanse.forms import Criteria
from plugins.restanse.queries import report
from tests.support.factories import login
from tests.support.restanse_builders import Org, make_org, make_restanse, write_off

pytestmark = pytest.mark.anyio

D = date(2026, 4, 15)
C = date(2026, 3, 15)
URL = "/restanse/oppfolging"


@pytest.fixture
async def org(db: None) -> Org:
    return await make_org()


async def seed(org: Org) -> None:
    """LMA: 3 on C, 4 on D (one written off between, two new); TDR: 2 on C, 1 on D;
    Hanne Handler has 3 on D."""
    old = await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 1))
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 3, 2))
    gone = await make_restanse(org.unit, org.handler2, journaldato=date(2026, 3, 3))
    await write_off(gone.korrespondansepart_id, date(2026, 4, 1))
    await make_restanse(org.unit, org.handler, journaldato=date(2026, 4, 2))
    await make_restanse(org.unit, None, journaldato=date(2026, 4, 3))
    await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 2, 1))
    tdr = await make_restanse(org.other_unit, org.other_handler, journaldato=date(2026, 2, 2))
    await write_off(tdr.korrespondansepart_id, D)  # on the report date itself
    del old


def cells(html: str, tag: str = "td|th") -> list[list[str]]:
    """The text of each table row's cells (tags stripped, whitespace collapsed)."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        found = re.findall(rf"<(?:{tag})[^>]*>(.*?)</(?:{tag})>", row, re.S)
        texts = []
        for cell in found:
            cell = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell, flags=re.S)
            texts.append(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
        rows.append(texts)
    return rows


# --- report.py -----------------------------------------------------------------------------


async def test_unit_table_counts_change_and_sum(org: Org) -> None:
    await seed(org)
    table = await report.unit_table(Criteria(D, C))
    assert [(r.code, r.sammenligning, r.rapport, r.endring) for r in table.rows] == [
        ("LMA", 3, 4, 1),
        ("LMA-BYG", 0, 0, 0),
        ("SUV", 0, 0, 0),
        ("TDR", 2, 1, -1),
    ]
    assert (table.sum_sammenligning, table.sum_rapport, table.sum_endring) == (5, 5, 0)
    assert report.unit_rows(table)[-1] == ["Sum", "", 5, 5, 0]
    assert report.unit_header(Criteria(D, C)) == [
        "Enhetskode",
        "Enhet",
        "Restanser 15.03.2026",
        "Restanser 15.04.2026",
        "Endring",
    ]
    assert report.unit_rows(table, with_change=False)[0] == [
        "LMA",
        "Landbruk, miljø og arealforvaltning",
        3,
        4,
    ]


async def test_unit_table_sort_and_filter(org: Org) -> None:
    await seed(org)
    by_count = await report.unit_table(Criteria(D, C, sorter="rapport", retning="synkende"))
    assert [r.code for r in by_count.rows] == ["LMA", "TDR", "SUV", "LMA-BYG"]
    by_name = await report.unit_table(Criteria(D, C, sorter="navn"))
    assert [r.name for r in by_name.rows] == sorted(r.name for r in by_name.rows)
    by_change = await report.unit_table(Criteria(D, C, sorter="endring"))
    assert by_change.rows[0].code == "TDR"
    filtered = await report.unit_table(Criteria(D, C, filter="lma"))
    assert [r.code for r in filtered.rows] == ["LMA", "LMA-BYG"]
    assert filtered.total_units == 4
    assert filtered.sum_rapport == 4
    by_name_text = await report.unit_table(Criteria(D, C, filter="teknisk"))
    assert [r.code for r in by_name_text.rows] == ["TDR"]


async def test_handler_table_marks_at_or_over_the_threshold(org: Org) -> None:
    await seed(org)
    table = await report.handler_table(Criteria(D, C, visning="saksbehandler"), threshold=3)
    assert [(r.unit_code, r.label, r.sammenligning, r.rapport, r.over_terskel) for r in table.rows] == [
        ("LMA", "(uten saksbehandler)", 0, 1, False),
        ("LMA", "Hanne Handler", 2, 3, True),  # exactly the threshold: marked
        ("LMA", "Harald Handler", 1, 0, False),
        ("TDR", "Trine Teknisk", 2, 1, False),
    ]
    assert [r.name for r in table.over_threshold] == ["Hanne Handler"]
    assert report.handler_header(table)[-1] == "3 eller flere"
    assert report.handler_rows(table)[1][-1] == "Ja"
    assert report.handler_rows(table)[-1] == ["Sum", "", "", 5, 5, 0, ""]
    default = await report.handler_table(Criteria(D, C, visning="saksbehandler"))
    assert default.threshold == 30 and not default.over_threshold
    by_handler = await report.handler_table(Criteria(D, C, sorter="saksbehandler"), threshold=3)
    assert [r.name for r in by_handler.rows] == ["Hanne Handler", "Harald Handler", "Trine Teknisk", ""]
    only_trine = await report.handler_table(Criteria(D, C, filter="trine"), threshold=3)
    assert [r.name for r in only_trine.rows] == ["Trine Teknisk"]


async def test_the_mark_follows_the_person_across_units(org: Org) -> None:
    # Trine: 1 in TDR and 2 in LMA on D: 3 in all, as the monthly mail counts her.
    await seed(org)
    for day_ in (date(2026, 4, 5), date(2026, 4, 6)):
        await make_restanse(org.unit, org.other_handler, journaldato=day_)
    table = await report.handler_table(Criteria(D, C, visning="saksbehandler"), threshold=3)
    marked = [(r.unit_code, r.name) for r in table.rows if r.over_terskel]
    assert marked == [("LMA", "Hanne Handler"), ("LMA", "Trine Teknisk"), ("TDR", "Trine Teknisk")]
    assert [r.name for r in table.over_threshold] == ["Hanne Handler", "Trine Teknisk"]


def test_parse_criteria_defaults_and_errors() -> None:
    parsed = forms.parse_oppfolging({}, on=date(2026, 3, 31))
    assert parsed.criteria.rapportdato == date(2026, 3, 31)
    assert parsed.criteria.sammenligningsdato == date(2026, 2, 28)  # clamped to month end
    assert not parsed.errors
    typed = forms.parse_oppfolging({"rapportdato": "30.04.2026"})
    assert typed.criteria.sammenligningsdato == date(2026, 3, 30)
    iso = forms.parse_oppfolging({"rapportdato": "2026-04-30", "sammenligningsdato": "2025-04-30"})
    assert (iso.criteria.rapportdato, iso.criteria.sammenligningsdato) == (
        date(2026, 4, 30),
        date(2025, 4, 30),
    )
    bad = forms.parse_oppfolging({"rapportdato": "31.02.2026", "sammenligningsdato": "i går"})
    assert bad.errors == {
        "rapportdato": "«Rapportdato» må være en dato som finnes, skrevet dd.mm.åååå, for eksempel 17.05.2026.",
        "sammenligningsdato": "«Sammenligningsdato» må være en dato som finnes, skrevet dd.mm.åååå, for eksempel 17.05.2026.",
    }
    assert bad.entered["rapportdato"] == "31.02.2026"  # keeps what was typed
    later = forms.parse_oppfolging({"rapportdato": "01.04.2026", "sammenligningsdato": "02.04.2026"})
    assert later.errors == {"sammenligningsdato": "Sammenligningsdatoen må være før rapportdatoen."}
    odd = forms.parse_oppfolging({"visning": "x", "sorter": "'; drop", "retning": "opp"})
    assert (odd.criteria.visning, odd.criteria.sorter, odd.criteria.retning) == ("enhet", "kode", "stigende")
    assert forms.parse_oppfolging({"sorter": "saksbehandler"}).criteria.sorter == "kode"
    future = forms.parse_oppfolging({"rapportdato": "01.04.2026"}, on=date(2026, 3, 31))
    assert future.errors == {"rapportdato": "Rapportdatoen kan ikke være etter i dag."}
    assert future.criteria.rapportdato == date(2026, 3, 31)


# --- the page ------------------------------------------------------------------------------


async def test_only_the_archive_service_sees_the_page(client: object, org: Org) -> None:
    for person in (org.handler, org.leader):
        await login(client, person)
        for path in (URL, f"{URL}/eksport?format=csv", "/restanse/trend"):
            response = await client.get(path)  # type: ignore[attr-defined]
            assert response.status_code == 403, path
            assert "Fellestjenesten/Arkiv" in response.text


async def test_page_shows_the_unit_table(client: object, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    response = await client.get(URL, params={"rapportdato": "15.04.2026"})  # type: ignore[attr-defined]
    assert response.status_code == 200
    html = response.text
    assert "<h1>Restanseoppfølging</h1>" in html
    assert 'value="15.03.2026"' in html  # the default comparison date is filled in
    rows = cells(html)
    assert ["LMA", "Landbruk, miljø og arealforvaltning", "3", "4", "+1"] in rows
    assert ["TDR", "Teknisk drift", "2", "1", "−1"] in rows
    assert ["Sum", "", "5", "5", "0"] in rows
    assert 'aria-sort="ascending"' in html
    assert "/restanse/oppfolging/eksport?format=csv" in html


async def test_page_sorts_filters_and_switches_view(client: object, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    params = {"rapportdato": "15.04.2026", "sammenligningsdato": "15.03.2026"}
    sorted_page = await client.get(URL, params={**params, "sorter": "rapport", "retning": "synkende"})  # type: ignore[attr-defined]
    codes = [row[0] for row in cells(sorted_page.text) if row and row[0] in ("LMA", "TDR", "SUV", "LMA-BYG")]
    assert codes == ["LMA", "TDR", "SUV", "LMA-BYG"]
    assert 'aria-sort="descending"' in sorted_page.text
    filtered = await client.get(URL, params={**params, "filter": "TDR"})  # type: ignore[attr-defined]
    rows = cells(filtered.text)
    assert ["TDR", "Teknisk drift", "2", "1", "−1"] in rows
    assert not any(row and row[0] == "LMA" for row in rows)
    assert ["Sum", "", "2", "1", "−1"] in rows
    per_handler = await client.get(URL, params={**params, "visning": "saksbehandler"})  # type: ignore[attr-defined]
    assert per_handler.status_code == 200
    assert "30 eller flere" in per_handler.text
    rows = cells(per_handler.text)
    assert ["LMA", "Landbruk, miljø og arealforvaltning", "Hanne Handler", "2", "3", "+1", ""] in rows
    assert ["LMA", "Landbruk, miljø og arealforvaltning", "(uten saksbehandler)", "0", "1", "+1", ""] in rows


async def test_threshold_is_marked_in_the_page(
    client: object, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed(org)
    monkeypatch.setenv("ARKIV_RESTANSE_TERSKEL", "3")
    await login(client, org.archive)
    response = await client.get(  # type: ignore[attr-defined]
        URL, params={"rapportdato": "15.04.2026", "visning": "saksbehandler"}
    )
    assert "1 saksbehandler har 3 eller flere restanser per 15.04.2026." in response.text
    rows = cells(response.text)
    assert [
        "LMA",
        "Landbruk, miljø og arealforvaltning",
        "Hanne Handler",
        "2",
        "3",
        "+1",
        "3 eller flere",
    ] in rows


async def test_bad_dates_give_norwegian_errors_and_keep_the_input(client: object, org: Org) -> None:
    await login(client, org.archive)
    response = await client.get(URL, params={"rapportdato": "15/04/2026", "sammenligningsdato": "x"})  # type: ignore[attr-defined]
    assert response.status_code == 422
    html = response.text
    assert 'id="feiloppsummering"' in html
    assert "«Rapportdato» må være en dato som finnes, skrevet dd.mm.åååå" in html
    assert 'href="#rapportdato"' in html
    assert 'value="15/04/2026"' in html and 'value="x"' in html
    assert 'aria-invalid="true"' in html
    assert "<title>Feil:" in html
    export = await client.get(f"{URL}/eksport", params={"format": "csv", "rapportdato": "nei"})  # type: ignore[attr-defined]
    assert export.status_code == 422
    assert "«Rapportdato» må være en dato som finnes, skrevet dd.mm.åååå" in export.text


async def test_htmx_gets_only_the_region(client: object, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    response = await client.get(  # type: ignore[attr-defined]
        URL, params={"rapportdato": "15.04.2026"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="oppfolging"')
    assert "<h1>" not in response.text
    bad = await client.get(URL, params={"rapportdato": "x"}, headers={"HX-Request": "true"})  # type: ignore[attr-defined]
    assert bad.status_code == 422
    assert "feiloppsummering" in bad.text


async def test_default_dates_are_today_and_a_month_before(client: object, org: Org) -> None:
    await login(client, org.archive)
    response = await client.get(URL)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert f'value="{today():%d.%m.%Y}"' in response.text
    assert f'value="{months_back(today()):%d.%m.%Y}"' in response.text


async def test_a_form_with_errors_shows_no_table_and_no_downloads(client: object, org: Org) -> None:
    """After an error the old table and its CSV/Excel links must not stay under the form:
    a user could download the wrong month."""
    await seed(org)
    await login(client, org.archive)
    response = await client.get(  # type: ignore[attr-defined]
        URL, params={"rapportdato": "15.03.2026", "sammenligningsdato": "15.04.2026"}
    )
    assert response.status_code == 422
    html = response.text
    assert "Sammenligningsdatoen må være før rapportdatoen." in html
    assert "/eksport?" not in html
    assert "<table" not in html
    assert 'value="15.04.2026"' in html  # the form keeps what was typed


async def test_changing_only_the_report_date_moves_the_comparison_date(client: object, org: Org) -> None:
    """The form shows the default comparison date (a month before the report date); a user who
    then changes only the report date to an earlier month compares with the month before that,
    instead of getting an error for the old comparison date."""
    await seed(org)
    await login(client, org.archive)
    first = await client.get(URL, params={"rapportdato": "15.04.2026"})  # type: ignore[attr-defined]
    assert 'value="15.03.2026"' in first.text and 'name="avledet_fra" value="15.04.2026"' in first.text
    changed = await client.get(  # type: ignore[attr-defined]
        URL,
        params={"rapportdato": "10.03.2026", "sammenligningsdato": "15.03.2026", "avledet_fra": "15.04.2026"},
    )
    assert changed.status_code == 200
    assert 'value="10.02.2026"' in changed.text
    assert "Restanser per enhet 10.03.2026, sammenlignet med 10.02.2026" in changed.text
    chosen = await client.get(  # type: ignore[attr-defined]
        URL,
        params={"rapportdato": "10.03.2026", "sammenligningsdato": "01.01.2026", "avledet_fra": "15.04.2026"},
    )
    assert "sammenlignet med 01.01.2026" in chosen.text  # a date the user typed is kept


async def test_every_export_defaults_to_csv(client: object, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    for path in (f"{URL}/eksport?rapportdato=15.04.2026", "/restanse/eksport"):
        response = await client.get(path)  # type: ignore[attr-defined]
        assert response.status_code == 200, path
        assert response.headers["content-type"] == "text/csv; charset=utf-8"


async def test_the_sort_of_each_view_is_remembered(client: object, org: Org) -> None:
    await seed(org)
    await login(client, org.archive)
    params = {"rapportdato": "15.04.2026", "sammenligningsdato": "15.03.2026"}
    await client.get(URL, params={**params, "sorter": "rapport", "retning": "synkende"})  # type: ignore[attr-defined]
    again = await client.get(URL, params=params)  # type: ignore[attr-defined]
    codes = [row[0] for row in cells(again.text) if row and row[0] in ("LMA", "TDR", "SUV", "LMA-BYG")]
    assert codes == ["LMA", "TDR", "SUV", "LMA-BYG"]
    assert 'aria-sort="descending"' in again.text
    # The other view has its own (none chosen yet: by code), and the link to it sends no sort.
    view_links = re.findall(r'<a href="/restanse/oppfolging\?([^"]*visning=saksbehandler[^"]*)"', again.text)
    assert view_links and not [link for link in view_links if "sorter" in link or "retning" in link]
    per_handler = await client.get(URL, params={**params, "visning": "saksbehandler"})  # type: ignore[attr-defined]
    assert 'aria-sort="descending"' not in per_handler.text
    # A sort the view does not have: by code, and the one chosen stays.
    bad = await client.get(URL, params={**params, "sorter": "drop", "retning": "opp"})  # type: ignore[attr-defined]
    assert bad.status_code == 200 and 'aria-sort="descending"' not in bad.text
    assert 'aria-sort="descending"' in (await client.get(URL, params=params)).text  # type: ignore[attr-defined]
