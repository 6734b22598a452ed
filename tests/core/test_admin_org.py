"""The organisation pages over HTTP: /admin/enheter, /admin/personer, /admin/stedfortredere,
/fravaer and /admin/hendelseslogg — access, forms (422 keeps input), audit rows, CSV and
Excel exports, paging."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from core import audit, roles
from core.tables import AuditEvent, DeputyPeriod, Leadership, Person, PersonRole, Unit
from core.timeutil import OSLO, today
from tests.support.factories import csrf, login, make_deputy, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio

ADMIN_PAGES = [
    "/admin/enheter",
    "/admin/enheter/ny",
    "/admin/personer",
    "/admin/personer/ny",
    "/admin/stedfortredere",
    "/admin/stedfortredere/ny",
    "/admin/hendelseslogg",
]


@pytest.fixture(autouse=True)
async def _detach_sub_units() -> AsyncIterator[None]:
    """See tests/core/test_organisation.py: let empty_all_tables delete sub-units on SQLite."""
    yield
    await Unit.update({Unit.parent: None}, force=True)


async def sign_in(client, *role_names: str, unit: int | None = None, name: str | None = None) -> int:
    person = await make_person(name=name, unit=unit or await make_unit(), roles=role_names)
    await login(client, person)
    return person


async def actions() -> list[str]:
    return [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


def assert_no_inline_script_or_style(html: str) -> None:
    assert " style=" not in html
    assert " onclick=" not in html
    assert "<script>" not in html


# --- access --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [roles.ADMIN, roles.ARKIV])
async def test_every_page_renders_for_admin_and_archive(client, role) -> None:
    person = await sign_in(client, role)
    unit = await make_unit(code="LMA", name="Landbruk, miljø og arealforvaltning")
    await make_leader(unit, person)
    for url in [*ADMIN_PAGES, f"/admin/enheter/{unit}", f"/admin/personer/{person}", "/fravaer"]:
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text[:500])
        assert "<h1>" in response.text
        assert_no_inline_script_or_style(response.text)


async def test_plain_handler_gets_403_everywhere(client) -> None:
    unit = await make_unit()
    person = await sign_in(client, unit=unit)
    other = await make_person(unit=unit)
    for url in [
        *ADMIN_PAGES,
        f"/admin/enheter/{unit}",
        f"/admin/personer/{other}",
        "/fravaer",
        "/admin/hendelseslogg/eksport.csv",
        "/admin/hendelseslogg/eksport?format=csv",
        "/admin/hendelseslogg/eksport?format=xlsx",
    ]:
        response = await client.get(url)
        assert response.status_code == 403, url
        assert "Ingen tilgang" in response.text
    posts = {
        "/admin/enheter/ny": {"code": "NY", "name": "Ny"},
        f"/admin/enheter/{unit}": {"code": "NY", "name": "Ny"},
        f"/admin/enheter/{unit}/leder": {"leader": str(person)},
        f"/admin/enheter/{unit}/deaktiver": {},
        "/admin/personer/ny": {"name": "A", "initials": "A", "email": "a@k.no"},
        f"/admin/personer/{other}/deaktiver": {},
        "/admin/stedfortredere/ny": {"unit": str(unit), "deputy": str(other)},
        "/fravaer": {"unit": str(unit), "deputy": str(other)},
    }
    for url, data in posts.items():
        response = await client.post(url, data=data, headers=csrf(client))
        assert response.status_code == 403, url
    assert await Leadership.count() == 0
    assert await Unit.count() == 1
    assert "org." not in " ".join(await actions())


async def test_admin_menu_links_for_maintainers(client) -> None:
    await sign_in(client, roles.ARKIV)
    response = await client.get("/admin/enheter")
    for href in ("/admin/enheter", "/admin/personer", "/admin/stedfortredere", "/admin/hendelseslogg"):
        assert f'href="{href}"' in response.text
    assert 'aria-current="page">Enheter' in response.text


async def test_unsafe_request_without_csrf_token_is_refused(client) -> None:
    await sign_in(client, roles.ADMIN)
    response = await client.post("/admin/enheter/ny", data={"code": "X", "name": "X"})
    assert response.status_code == 403
    assert await Unit.count() == 1


# --- enheter -------------------------------------------------------------------------------


async def test_unit_form_keeps_input_and_shows_errors(client) -> None:
    await sign_in(client, roles.ADMIN)
    response = await client.post(
        "/admin/enheter/ny", data={"code": "", "name": "Økonomi & lønn"}, headers=csrf(client)
    )
    assert response.status_code == 422
    html = response.text
    assert 'value="Økonomi &amp; lønn"' in html
    assert "Skriv inn en kode for enheten." in html
    assert re.search(r'id="code"[^>]*aria-describedby="code-hint code-feil" aria-invalid="true"', html)
    assert 'href="#code"' in html  # the error summary links to the field
    assert "<title>Feil: Ny enhet" in html


async def test_unit_create_edit_leader_and_deactivate(client) -> None:
    admin = await sign_in(client, roles.ADMIN)
    response = await client.post(
        "/admin/enheter/ny", data={"code": "TDR", "name": "Teknisk drift"}, headers=csrf(client)
    )
    assert response.status_code == 303
    unit = (await Unit.select(Unit.id).where(Unit.code == "TDR").first())["id"]
    assert response.headers["location"] == f"/admin/enheter/{unit}"
    page = await client.get(response.headers["location"])
    assert "Enheten TDR er opprettet." in page.text

    duplicate = await client.post(
        "/admin/enheter/ny", data={"code": "tdr", "name": "Kopi"}, headers=csrf(client)
    )
    assert duplicate.status_code == 422
    assert "er allerede brukt av TDR Teknisk drift" in duplicate.text
    assert 'value="tdr"' in duplicate.text

    child = await make_unit(code="VEI", parent=unit)
    cycle = await client.post(
        f"/admin/enheter/{unit}",
        data={"code": "TDR", "name": "Teknisk drift", "parent": str(child)},
        headers=csrf(client),
    )
    assert cycle.status_code == 422
    assert "egne underenheter" in cycle.text

    renamed = await client.post(
        f"/admin/enheter/{unit}",
        data={"code": "TDR", "name": "Teknisk drift og eiendom"},
        headers=csrf(client),
    )
    assert renamed.status_code == 303

    leader = await make_person(name="Lene Leder")
    set_leader = await client.post(
        f"/admin/enheter/{unit}/leder", data={"leader": str(leader)}, headers=csrf(client)
    )
    assert set_leader.status_code == 303
    assert await Leadership.select(Leadership.person).where(Leadership.unit == unit) == [{"person": leader}]
    listing = await client.get("/admin/enheter")
    assert "Lene Leder" in listing.text and "Teknisk drift og eiendom" in listing.text

    inactive = await make_person(active=False)
    bad_leader = await client.post(
        f"/admin/enheter/{unit}/leder", data={"leader": str(inactive)}, headers=csrf(client)
    )
    assert bad_leader.status_code == 422
    assert "Velg en aktiv person som leder." in bad_leader.text

    refused = await client.post(f"/admin/enheter/{unit}/deaktiver", headers=csrf(client))
    assert refused.status_code == 409
    assert "kan ikke deaktiveres" in refused.text
    await Unit.update({Unit.active: False}).where(Unit.id == child)
    assert (await client.post(f"/admin/enheter/{unit}/deaktiver", headers=csrf(client))).status_code == 303
    assert not (await Unit.select(Unit.active).where(Unit.id == unit).first())["active"]

    events = await AuditEvent.select().where(AuditEvent.object_type == "unit").order_by(AuditEvent.id)
    assert [e["action"] for e in events] == [
        "org.unit_created",
        "org.unit_updated",
        "org.leader_set",
        "org.unit_deactivated",
    ]
    assert {e["actor"] for e in events} == {admin}


async def test_htmx_post_gets_a_client_redirect(client) -> None:
    await sign_in(client, roles.ADMIN)
    response = await client.post(
        "/admin/enheter/ny",
        data={"code": "HX", "name": "Htmx"},
        headers={**csrf(client), "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.headers["hx-redirect"].startswith("/admin/enheter/")


async def test_unit_list_is_paged(client) -> None:
    await sign_in(client, roles.ADMIN)
    for n in range(55):
        await make_unit(code=f"E{n:03d}")
    first = await client.get("/admin/enheter")
    assert first.text.count('href="/admin/enheter/') == 50 + 1  # 50 rows and the "Ny enhet" button
    assert 'href="/admin/enheter?status=aktive&amp;side=2"' in first.text
    second = await client.get("/admin/enheter?status=aktive&side=2")
    assert "Side 2 av 2" in second.text
    assert "E054" in second.text and "E000" not in second.text


# --- personer ------------------------------------------------------------------------------


async def test_person_form_validation_keeps_input(client) -> None:
    await sign_in(client, roles.ADMIN)
    taken = await make_person(name="Ola Opptatt", email="ola@kommune.no")
    initials = (await Person.select(Person.initials).where(Person.id == taken).first())["initials"]
    response = await client.post(
        "/admin/personer/ny",
        data={
            "name": "Kari Nordmann",
            "initials": initials.lower(),
            "email": "kari@",
            "active": "1",
            "role_lonn": "1",
        },
        headers=csrf(client),
    )
    assert response.status_code == 422
    html = response.text
    assert (
        'value="Kari Nordmann"' in html and 'value="kari@"' in html and f'value="{initials.lower()}"' in html
    )
    assert "Skriv inn en gyldig e-postadresse" in html
    assert "er allerede brukt av Ola Opptatt" in html
    assert re.search(r'id="email"[^>]*aria-invalid="true"', html)
    assert re.search(r'id="role_lonn" name="role_lonn" value="1" checked', html)

    response = await client.post(
        "/admin/personer/ny",
        data={"name": "Kari Nordmann", "initials": "KNO", "email": "OLA@kommune.no", "active": "1"},
        headers=csrf(client),
    )
    assert response.status_code == 422
    assert "E-postadressen er allerede registrert på Ola Opptatt." in response.text


async def test_person_create_edit_and_deactivate(client) -> None:
    admin = await sign_in(client, roles.ADMIN)
    unit = await make_unit(code="RIL")
    response = await client.post(
        "/admin/personer/ny",
        data={
            "name": "Kari Nordmann",
            "initials": "kn",
            "email": "Kari.Nordmann@kommune.no",
            "unit": str(unit),
            "active": "1",
            "role_arkiv": "1",
            "role_ikt": "1",
        },
        headers=csrf(client),
    )
    assert response.status_code == 303
    person = (await Person.select(Person.id).where(Person.initials == "KN").first())["id"]
    assert response.headers["location"] == f"/admin/personer/{person}"
    assert sorted(
        r["role"] for r in await PersonRole.select(PersonRole.role).where(PersonRole.person == person)
    ) == [
        roles.ARKIV,
        roles.IKT,
    ]
    page = await client.get(f"/admin/personer/{person}")
    assert 'value="kari.nordmann@kommune.no"' in page.text
    assert "Fellestjenesten/Arkiv" in page.text and "Lønningskontoret" in page.text

    response = await client.post(
        f"/admin/personer/{person}",
        data={
            "name": "Kari N. Nordmann",
            "initials": "KN",
            "email": "kari.nordmann@kommune.no",
            "unit": str(unit),
            "active": "1",
            "role_ikt": "1",
        },
        headers=csrf(client),
    )
    assert response.status_code == 303
    assert [
        r["role"] for r in await PersonRole.select(PersonRole.role).where(PersonRole.person == person)
    ] == [roles.IKT]

    assert (await client.post(f"/admin/personer/{person}/deaktiver", headers=csrf(client))).status_code == 303
    assert not (await Person.select(Person.active).where(Person.id == person).first())["active"]
    self_deactivate = await client.post(f"/admin/personer/{admin}/deaktiver", headers=csrf(client))
    assert self_deactivate.status_code == 409
    assert "Du kan ikke deaktivere deg selv." in self_deactivate.text

    assert await actions() == [
        "auth.signed_in",
        "org.person_created",
        "org.person_updated",
        "org.person_deactivated",
    ]


async def test_archive_user_cannot_tick_admin(client) -> None:
    await sign_in(client, roles.ARKIV)
    form = await client.get("/admin/personer/ny")
    assert re.search(r'id="role_admin" name="role_admin" value="1" disabled', form.text)
    response = await client.post(
        "/admin/personer/ny",
        data={"name": "Snik", "initials": "SN", "email": "snik@kommune.no", "active": "1", "role_admin": "1"},
        headers=csrf(client),
    )
    assert response.status_code == 422
    assert "Bare administratorer kan gi eller fjerne rollen Administrator." in response.text


async def test_people_search_and_paging(client) -> None:
    await sign_in(client, roles.ADMIN, name="Aaron Admin")
    for n in range(52):
        await make_person(name=f"Bente {n:02d}")
    await make_person(name="Zakarias Zahl", email="zz@kommune.no")
    first = await client.get("/admin/personer")
    assert first.status_code == 200
    assert "Bente 48" in first.text and "Bente 49" not in first.text  # Aaron + Bente 00–48 = 50
    assert "1–50 av 54" in first.text
    second = await client.get("/admin/personer?side=2")
    assert "Bente 49" in second.text and "Zakarias Zahl" in second.text
    found = await client.get("/admin/personer?sok=zz%40kommune")
    assert "Zakarias Zahl" in found.text and "Bente" not in found.text
    assert 'value="zz@kommune"' in found.text
    none = await client.get("/admin/personer?sok=finnesikke")
    assert "Ingen personer passer til søket." in none.text


# --- stedfortredere -------------------------------------------------------------------------


async def test_admin_registers_lists_and_deletes_deputy_period(client) -> None:
    admin = await sign_in(client, roles.ARKIV)
    unit = await make_unit(code="LMA", name="Landbruk")
    leader = await make_person(name="Lene Leder", unit=unit)
    deputy = await make_person(name="Stein Stedfortreder", unit=unit)
    await make_leader(unit, leader)
    form = await client.get(f"/admin/stedfortredere/ny?enhet={unit}")
    assert "leder: Lene Leder" in form.text

    data = {
        "unit": str(unit),
        "deputy": str(deputy),
        "starts": today().isoformat(),
        "ends": (today() - timedelta(days=1)).isoformat(),
        "reason": "Ferie",
    }
    response = await client.post("/admin/stedfortredere/ny", data=data, headers=csrf(client))
    assert response.status_code == 422
    assert "Til-dato kan ikke være før fra-dato." in response.text
    assert 'value="Ferie"' in response.text

    response = await client.post(
        "/admin/stedfortredere/ny", data={**data, "deputy": str(leader)}, headers=csrf(client)
    )
    assert response.status_code == 422
    assert "Lederen kan ikke være sin egen stedfortreder." in response.text

    response = await client.post(
        "/admin/stedfortredere/ny",
        data={**data, "ends": (today() + timedelta(days=7)).isoformat()},
        headers=csrf(client),
    )
    assert response.status_code == 303
    listing = await client.get("/admin/stedfortredere")
    assert "Stein Stedfortreder" in listing.text and "Lene Leder" in listing.text
    assert "Gjeldende" in listing.text

    period = (await DeputyPeriod.select(DeputyPeriod.id).first())["id"]
    response = await client.post(f"/admin/stedfortredere/{period}/slett", headers=csrf(client))
    assert response.status_code == 303
    assert await DeputyPeriod.count() == 0
    rows = await AuditEvent.select().where(AuditEvent.object_type == "deputy_period").order_by(AuditEvent.id)
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("org.deputy_registered", admin),
        ("org.deputy_removed", admin),
    ]


# --- fravær ---------------------------------------------------------------------------------


async def test_leader_registers_and_cancels_own_absence(client) -> None:
    unit = await make_unit(code="GDO", name="Geodata")
    leader = await sign_in(client, unit=unit, name="Lene Leder")
    await make_leader(unit, leader)
    deputy = await make_person(name="Stein Stedfortreder", unit=unit)
    page = await client.get("/fravaer")
    assert page.status_code == 200
    assert f'<option value="{unit}" selected>GDO Geodata</option>' in page.text
    assert "Stein Stedfortreder" in page.text
    assert (
        "Lene Leder (" not in page.text.split('id="deputy"')[1].split("</select>")[0]
    )  # not their own deputy

    bad = await client.post(
        "/fravaer",
        data={"unit": str(unit), "deputy": "", "starts": "i morgen", "ends": "", "reason": "Kurs"},
        headers=csrf(client),
    )
    assert bad.status_code == 422
    assert "Velg en aktiv person som stedfortreder." in bad.text
    assert 'value="i morgen"' in bad.text and 'value="Kurs"' in bad.text

    starts, ends = today() + timedelta(days=1), today() + timedelta(days=3)
    response = await client.post(
        "/fravaer",
        data={
            "unit": str(unit),
            "deputy": str(deputy),
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "reason": "Kurs",
        },
        headers=csrf(client),
    )
    assert response.status_code == 303
    period = await DeputyPeriod.select().first()
    assert (period["leader"], period["deputy"], period["created_by"]) == (leader, deputy, leader)
    page = await client.get("/fravaer")
    assert "Fraværet og stedfortrederen er registrert." in page.text
    assert "Kommende" in page.text and "Stein Stedfortreder" in page.text

    response = await client.post(f"/fravaer/{period['id']}/avlys", headers=csrf(client))
    assert response.status_code == 303
    assert await DeputyPeriod.count() == 0
    assert [a for a in await actions() if a.startswith("org.")] == [
        "org.deputy_registered",
        "org.deputy_removed",
    ]


@pytest.mark.parametrize(
    ("url", "labels"),
    [
        ("/fravaer", ("Borte fra og med", "Borte til og med")),
        ("/admin/stedfortredere/ny", ("Fra og med", "Til og med")),
    ],
)
async def test_the_period_dates_are_typed_dd_mm_yyyy(client, url: str, labels: tuple[str, str]) -> None:
    """Fravær and a new deputy period: the form starts at today as dd.mm.åååå, takes dates typed
    that way, and brings an impossible one back as typed with the message naming the field."""
    unit = await make_unit(code="GDO", name="Geodata")
    leader = await sign_in(client, roles.ARKIV, unit=unit, name="Lene Leder")
    await make_leader(unit, leader)
    deputy = await make_person(name="Stein Stedfortreder", unit=unit)
    page = await client.get(url)
    assert f'id="starts" name="starts" value="{today().strftime("%d.%m.%Y")}"' in page.text
    assert 'type="date"' not in page.text
    data = {"unit": str(unit), "deputy": str(deputy), "starts": "31.02.2026", "ends": "00.01.2026"}
    bad = await client.post(url, data=data, headers=csrf(client))
    assert bad.status_code == 422
    for name, label, typed in (("starts", labels[0], "31.02.2026"), ("ends", labels[1], "00.01.2026")):
        assert f"«{label}» må være en dato som finnes, skrevet dd.mm.åååå" in bad.text
        assert f'id="{name}" name="{name}" value="{typed}"' in bad.text
    starts, ends = today() + timedelta(days=1), today() + timedelta(days=3)
    data.update(starts=f"{starts.day}.{starts.month}.{starts.year}", ends=ends.strftime("%d.%m.%Y"))
    assert (await client.post(url, data=data, headers=csrf(client))).status_code == 303
    period = await DeputyPeriod.select().first()
    assert (period["starts"], period["ends"]) == (starts, ends)


async def test_absence_is_only_for_the_units_own_leader(client) -> None:
    unit, other_unit = await make_unit(), await make_unit()
    leader, other_leader = await make_person(unit=unit), await make_person(unit=other_unit)
    await make_leader(unit, leader)
    await make_leader(other_unit, other_leader)
    deputy = await make_person(unit=unit)
    await make_deputy(unit, leader, deputy, today(), today())
    foreign = await make_deputy(other_unit, other_leader, deputy, today(), today())

    await login(client, deputy)  # acting as leader today, but not the unit's leader
    assert (await client.get("/fravaer")).status_code == 403
    await login(client, leader)
    response = await client.post(
        "/fravaer",
        data={
            "unit": str(other_unit),
            "deputy": str(deputy),
            "starts": today().isoformat(),
            "ends": today().isoformat(),
        },
        headers=csrf(client),
    )
    assert response.status_code == 403
    assert (await client.post(f"/fravaer/{foreign}/avlys", headers=csrf(client))).status_code == 403
    assert await DeputyPeriod.count() == 2


# --- hendelseslogg --------------------------------------------------------------------------


async def test_audit_log_filters_shows_on_behalf_of_and_pages(client) -> None:
    admin = await sign_in(client, roles.ADMIN, name="Anne Admin")
    leader = await make_person(name="Lene Leder")
    deputy = await make_person(name="Stein Stedfortreder")
    await audit.record(
        actor_id=deputy,
        on_behalf_of=leader,
        action="godkjenning.approved",
        object_type="case",
        object_id="2026/17",
        summary="Godkjent på vegne av leder",
    )
    for n in range(55):
        await audit.record(
            actor_id=admin, action="test.bulk", object_type="test", object_id=n, summary=f"Masse {n}"
        )

    page = await client.get("/admin/hendelseslogg")
    assert page.status_code == 200
    assert "Side 1 av 2" in page.text and "Masse 54" in page.text
    assert "Godkjent på vegne av leder" not in page.text  # oldest of 57 rows is on page 2

    filtered = await client.get(f"/admin/hendelseslogg?utfort_av={deputy}")
    assert "Godkjent på vegne av leder" in filtered.text
    assert "Stein Stedfortreder" in filtered.text and "Lene Leder" in filtered.text
    assert "Masse" not in filtered.text
    assert f'href="/admin/hendelseslogg/eksport?format=csv&amp;utfort_av={deputy}"' in filtered.text
    assert f'href="/admin/hendelseslogg/eksport?format=xlsx&amp;utfort_av={deputy}"' in filtered.text
    assert "hx-get" not in filtered.text.split("eksport?format=csv")[0].rsplit("<a", 1)[1]

    text = await client.get("/admin/hendelseslogg?tekst=vegne&objekttype=case&objekt=2026%2F17")
    assert "Godkjent på vegne av leder" in text.text

    invalid = await client.get("/admin/hendelseslogg?fra=2026-13-01&til=i%20går")
    assert invalid.status_code == 422
    assert 'value="2026-13-01"' in invalid.text and 'value="i går"' in invalid.text
    assert "«Fra dato» må være en dato som finnes, skrevet dd.mm.åååå" in invalid.text
    assert "«Til dato» må være en dato som finnes" in invalid.text


async def test_audit_log_csv_export(client) -> None:
    admin = await sign_in(client, roles.ARKIV, name="Arne Arkiv")
    leader = await make_person(name="Lene Leder")
    await audit.record(
        actor_id=admin,
        on_behalf_of=leader,
        action="org.unit_created",
        object_type="unit",
        object_id=1,
        summary="Enhet opprettet: LMA; Landbruk «miljø»",
        details={"code": "LMA"},
    )
    await audit.record(
        actor_id=None, action="test.system", object_type="job", object_id="-", summary="=SUM(A1)"
    )

    response = await client.get("/admin/hendelseslogg/eksport.csv?objekttype=unit")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "charset=utf-8" in response.headers["content-type"]
    assert response.headers["content-disposition"].startswith('attachment; filename="hendelseslogg-')
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert (
        lines[0] == "Tidspunkt;Utført av;På vegne av;Handling;Kode;Objekttype;Objekt-ID;Sammendrag;Detaljer"
    )
    assert len(lines) == 2
    assert ";Arne Arkiv (" in lines[1] and ";Lene Leder (" in lines[1]
    assert ';Enhet opprettet;org.unit_created;unit;1;"Enhet opprettet: LMA; Landbruk «miljø»";' in lines[1]
    assert re.match(r"\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d;", lines[1])

    everything = (await client.get("/admin/hendelseslogg/eksport.csv")).content.decode("utf-8-sig")
    assert ";'=SUM(A1);" in everything  # a spreadsheet must not run it as a formula
    assert "auth.signed_in" in everything

    invalid = await client.get("/admin/hendelseslogg/eksport.csv?fra=x")
    assert invalid.status_code == 303
    assert invalid.headers["location"] == "/admin/hendelseslogg?fra=x"

    same = await client.get("/admin/hendelseslogg/eksport?objekttype=unit")  # csv is the default
    assert same.headers["content-type"] == "text/csv; charset=utf-8"
    assert same.headers["cache-control"] == "no-store"
    assert same.content.decode("utf-8-sig").splitlines() == lines
    for wrong in ("/admin/hendelseslogg/eksport?format=pdf", "/admin/hendelseslogg/eksport.csv?format=xlsx"):
        assert (await client.get(wrong)).status_code == 404


async def test_audit_log_xlsx_export(client) -> None:
    from tests.core.test_tabular import read_xlsx

    admin = await sign_in(client, roles.ARKIV, name="Arne Arkiv")
    leader = await make_person(name="Lene Leder")
    await audit.record(
        actor_id=admin,
        on_behalf_of=leader,
        action="org.unit_created",
        object_type="unit",
        object_id=1,
        summary="=Enhet opprettet: LMA",
        details={"code": "LMA"},
    )
    for n in range(3):
        await audit.record(
            actor_id=admin, action="test.bulk", object_type="test", object_id=n, summary=f"R {n}"
        )

    response = await client.get("/admin/hendelseslogg/eksport?format=xlsx&objekttype=unit")
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == (
        f'attachment; filename="hendelseslogg-{today():%Y%m%d}.xlsx"'
    )
    assert response.headers["cache-control"] == "no-store"
    sheet = read_xlsx(response.content)
    assert sheet.name == f"Hendelseslogg {today():%d.%m.%Y}"
    assert sheet.frozen_rows == 1 and sheet.cells["A1"].bold
    assert sheet.row(1, "ABCDEFGHI") == [
        "Tidspunkt",
        "Utført av",
        "På vegne av",
        "Handling",
        "Kode",
        "Objekttype",
        "Objekt-ID",
        "Sammendrag",
        "Detaljer",
    ]
    assert sheet.dimension == "A1:I2"
    event = await AuditEvent.select().where(AuditEvent.action == "org.unit_created").first()
    assert event is not None
    when = sheet.cells["A2"]
    local = event["at"].astimezone(OSLO).replace(tzinfo=None)
    assert when.number_format == "dd.mm.yyyy hh:mm:ss"  # a real date and time, to the second
    assert when.value * 86400 == pytest.approx((local - datetime(1899, 12, 30)).total_seconds(), abs=1)
    assert sheet.cells["B2"].value.startswith("Arne Arkiv (")
    assert sheet.cells["C2"].value.startswith("Lene Leder (")
    assert sheet.row(2, "DEFGHI") == [
        "Enhet opprettet",
        "org.unit_created",
        "unit",
        "1",
        "=Enhet opprettet: LMA",  # a text cell: Excel never runs it
        '{"code": "LMA"}',
    ]

    everything = read_xlsx((await client.get("/admin/hendelseslogg/eksport?format=xlsx")).content)
    assert everything.dimension == f"A1:I{await AuditEvent.count() + 1}"

    invalid = await client.get("/admin/hendelseslogg/eksport?format=xlsx&fra=x")
    assert invalid.status_code == 303
    assert invalid.headers["location"] == "/admin/hendelseslogg?fra=x"
