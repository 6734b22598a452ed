"""Tilgangskoder (skjerming) on the person page /admin/personer/{id}: Fellestjenesten/Arkiv and
administrators give and take codes (plain forms and htmx), errors keep the page usable, others
see no section and get 403, and every change is in the hendelseslogg."""

from __future__ import annotations

import json
import re

import pytest

from core import roles
from core.archive import kodelister
from core.archive.tables import Tilgang
from core.tables import AuditEvent
from tests.support.factories import csrf, login, make_leader, make_person, make_unit

pytestmark = pytest.mark.anyio

HEADING = "Tilgang til skjermede opplysninger"
HX = {"HX-Request": "true"}


async def sign_in(client, *role_names: str) -> int:
    person = await make_person(name="Arne Arkiv", unit=await make_unit(), roles=role_names)
    await login(client, person)
    return person


async def held(person: int) -> list[str]:
    rows = await Tilgang.select(Tilgang.tilgangsrestriksjon).where(Tilgang.person == person)
    return sorted(r["tilgangsrestriksjon"] for r in rows)


async def events() -> list[dict]:
    rows = await AuditEvent.select(
        AuditEvent.action, AuditEvent.actor, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.details
    ).order_by(AuditEvent.id)
    rows = [r for r in rows if r["action"].startswith("archive.access")]
    for row in rows:
        if isinstance(row["details"], str):
            row["details"] = json.loads(row["details"])
    return rows


def section(html: str) -> str:
    match = re.search(r'<section class="panel" id="tilgang".*?</section>', html, re.S)
    assert match, html[:2000]
    return match.group(0)


def assert_no_inline_script_or_style(html: str) -> None:
    assert " style=" not in html
    assert " onclick=" not in html
    assert "<script>" not in html
    assert "hx-on" not in html


@pytest.mark.parametrize("role", [roles.ARKIV, roles.ADMIN])
async def test_grant_and_revoke_without_javascript(client, role) -> None:
    actor = await sign_in(client, role)
    kari = await make_person(name="Kari Nordmann")

    page = await client.get(f"/admin/personer/{kari}")
    assert page.status_code == 200
    html = section(page.text)
    assert f'<h2 id="tilgang-overskrift">{HEADING}</h2>' in html
    assert "Kari Nordmann har ingen tilgangskoder." in html
    assert '<label for="tilgangsrestriksjon">Tilgangskode</label>' in html
    assert '<option value="P">P Personalsaker</option>' in html
    assert "Gi tilgang</button>" in html
    assert "autofocus" not in page.text  # a full page never moves focus
    assert_no_inline_script_or_style(page.text)

    response = await client.post(
        f"/admin/personer/{kari}/tilgang", data={"tilgangsrestriksjon": "P"}, headers=csrf(client)
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/personer/{kari}#tilgang"
    assert await held(kari) == ["P"]
    page = await client.get(f"/admin/personer/{kari}")
    assert "Kari Nordmann har fått tilgangskode P Personalsaker." in page.text  # flash
    html = section(page.text)
    assert "<td>P</td>" in html and "<td>Personalsaker</td>" in html
    assert '<option value="P">' not in html  # not offered again
    assert (
        'Fjern<span class="visually-hidden"> tilgangskode P Personalsaker for Kari Nordmann</span></button>'
        in html
    )

    response = await client.post(
        f"/admin/personer/{kari}/tilgang/fjern", data={"tilgangsrestriksjon": "P"}, headers=csrf(client)
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/admin/personer/{kari}#tilgang"
    assert await held(kari) == []
    page = await client.get(f"/admin/personer/{kari}")
    assert "Tilgangskode P Personalsaker er fjernet fra Kari Nordmann." in page.text

    assert [
        (e["action"], e["actor"], e["object_type"], e["object_id"], e["details"]) for e in await events()
    ] == [
        ("archive.access_granted", actor, "person", str(kari), {"tilgangsrestriksjon": "P"}),
        ("archive.access_revoked", actor, "person", str(kari), {"tilgangsrestriksjon": "P"}),
    ]


async def test_grant_and_revoke_with_htmx_swap_the_section(client) -> None:
    await sign_in(client, roles.ARKIV)
    kari = await make_person(name="Kari Nordmann")
    page = await client.get(f"/admin/personer/{kari}")
    html = section(page.text)
    assert f'hx-post="/admin/personer/{kari}/tilgang" hx-target="#tilgang" hx-swap="outerHTML"' in html
    assert f'action="/admin/personer/{kari}/tilgang#tilgang"' in html

    response = await client.post(
        f"/admin/personer/{kari}/tilgang",
        data={"tilgangsrestriksjon": "KL"},
        headers={**csrf(client), **HX},
    )
    assert response.status_code == 200
    assert "hx-redirect" not in response.headers
    assert "<html" not in response.text  # the section only
    assert response.text.strip().startswith('<div id="meldinger" hx-swap-oob="innerHTML">')
    assert "Kari Nordmann har fått tilgangskode KL Klientsaker." in response.text
    html = section(response.text)
    assert '<h2 id="tilgang-overskrift" tabindex="-1" autofocus>' in html
    assert "<td>KL</td>" in html
    assert f'hx-post="/admin/personer/{kari}/tilgang/fjern"' in html
    assert html.count('name="_csrf_token"') == 2  # the remove form and the add form
    assert await held(kari) == ["KL"]

    response = await client.post(
        f"/admin/personer/{kari}/tilgang/fjern",
        data={"tilgangsrestriksjon": "KL"},
        headers={**csrf(client), **HX},
    )
    assert response.status_code == 200
    assert "Tilgangskode KL Klientsaker er fjernet fra Kari Nordmann." in response.text
    assert "Kari Nordmann har ingen tilgangskoder." in section(response.text)
    assert await held(kari) == []
    assert [e["action"] for e in await events()] == ["archive.access_granted", "archive.access_revoked"]
    # the flash is not left over for the next full page
    page = await client.get(f"/admin/personer/{kari}")
    assert "er fjernet fra" not in page.text


async def test_unknown_and_duplicate_codes_keep_the_page_usable(client) -> None:
    await sign_in(client, roles.ARKIV)
    kari = await make_person(name="Kari Nordmann")
    await Tilgang.insert(Tilgang(person=kari, tilgangsrestriksjon="P"))

    # unknown code, plain form: the whole page again, with the field error
    response = await client.post(
        f"/admin/personer/{kari}/tilgang", data={"tilgangsrestriksjon": "ZZ"}, headers=csrf(client)
    )
    assert response.status_code == 422
    assert "<title>Feil: Kari Nordmann" in response.text
    html = section(response.text)
    assert "Velg en tilgangskode fra listen." in html
    assert re.search(
        r'id="tilgangsrestriksjon"[^>]*aria-describedby="tilgangsrestriksjon-feil" aria-invalid="true"', html
    )
    assert "Opplysninger om personen" in response.text  # the rest of the page is there

    # nothing chosen, htmx: the section with the error, focus on the field
    response = await client.post(
        f"/admin/personer/{kari}/tilgang", data={"tilgangsrestriksjon": ""}, headers={**csrf(client), **HX}
    )
    assert response.status_code == 422
    html = section(response.text)
    assert "Velg en tilgangskode fra listen." in html
    assert re.search(r"<select[^>]*autofocus", html)
    assert "hx-swap-oob" not in response.text

    # already held
    response = await client.post(
        f"/admin/personer/{kari}/tilgang", data={"tilgangsrestriksjon": "P"}, headers={**csrf(client), **HX}
    )
    assert response.status_code == 422
    assert "Kari Nordmann har allerede tilgangskode P Personalsaker." in section(response.text)

    # not held (any more): 409 with an alert, the list shown as it is now
    response = await client.post(
        f"/admin/personer/{kari}/tilgang/fjern", data={"tilgangsrestriksjon": "KL"}, headers=csrf(client)
    )
    assert response.status_code == 409
    html = section(response.text)
    assert 'role="alert">Kari Nordmann har ikke tilgangskode KL Klientsaker. Listen er oppdatert.' in html
    assert "<td>P</td>" in html

    # unknown code to remove, htmx
    response = await client.post(
        f"/admin/personer/{kari}/tilgang/fjern",
        data={"tilgangsrestriksjon": "ZZ"},
        headers={**csrf(client), **HX},
    )
    assert response.status_code == 422
    assert "Velg en tilgangskode fra listen." in section(response.text)

    assert await held(kari) == ["P"]
    assert await events() == []


async def test_every_code_held_hides_the_form(client) -> None:
    await sign_in(client, roles.ADMIN)
    kari = await make_person(name="Kari Nordmann")
    codes = kodelister.codes(kodelister.TILGANGSRESTRIKSJON)
    await Tilgang.insert(*[Tilgang(person=kari, tilgangsrestriksjon=c) for c in codes])
    html = section((await client.get(f"/admin/personer/{kari}")).text)
    assert "Kari Nordmann har alle tilgangskodene." in html
    assert "Gi tilgang" not in html
    assert html.count("Fjern<span") == len(codes)


async def test_plain_handler_sees_no_section_and_gets_403(client) -> None:
    unit = await make_unit()
    handler = await make_person(name="Hilde Handler", unit=unit)
    await login(client, handler)
    kari = await make_person(name="Kari Nordmann", unit=unit)
    await Tilgang.insert(Tilgang(person=kari, tilgangsrestriksjon="P"))

    page = await client.get(f"/admin/personer/{kari}")
    assert page.status_code == 403
    assert HEADING not in page.text
    for url, code in (
        (f"/admin/personer/{kari}/tilgang", "KL"),
        (f"/admin/personer/{kari}/tilgang/fjern", "P"),
    ):
        for headers in (csrf(client), {**csrf(client), **HX}):
            response = await client.post(url, data={"tilgangsrestriksjon": code}, headers=headers)
            assert response.status_code == 403, url
            assert (
                "Bare Fellestjenesten/Arkiv og administratorer kan gi eller ta bort tilgangskoder."
                in response.text
            )
    # own person too: a handler cannot give themself a code
    response = await client.post(
        f"/admin/personer/{handler}/tilgang", data={"tilgangsrestriksjon": "P"}, headers=csrf(client)
    )
    assert response.status_code == 403
    assert await held(kari) == ["P"]
    assert await held(handler) == []
    assert await events() == []


@pytest.mark.parametrize("role", [roles.LONN, roles.IKT, "leder"])
async def test_other_roles_see_no_section(client, role) -> None:
    """The section is for arkiv and admin only (today also the only ones who see the page)."""
    unit = await make_unit()
    person = await make_person(unit=unit, roles=() if role == "leder" else (role,))
    if role == "leder":
        await make_leader(unit, person)
    await login(client, person)
    kari = await make_person(name="Kari Nordmann", unit=unit)
    page = await client.get(f"/admin/personer/{kari}")
    assert page.status_code == 403
    assert HEADING not in page.text
    response = await client.post(
        f"/admin/personer/{kari}/tilgang", data={"tilgangsrestriksjon": "P"}, headers=csrf(client)
    )
    assert response.status_code == 403
    assert await held(kari) == []


async def test_csrf_token_is_required(client) -> None:
    await sign_in(client, roles.ARKIV)
    kari = await make_person(name="Kari Nordmann")
    await Tilgang.insert(Tilgang(person=kari, tilgangsrestriksjon="P"))
    for url, code in (
        (f"/admin/personer/{kari}/tilgang", "KL"),
        (f"/admin/personer/{kari}/tilgang/fjern", "P"),
    ):
        for headers in ({}, HX):
            response = await client.post(url, data={"tilgangsrestriksjon": code}, headers=headers)
            assert response.status_code == 403, url
    assert await held(kari) == ["P"]
    assert await events() == []


async def test_unknown_person_is_404(client) -> None:
    await sign_in(client, roles.ARKIV)
    response = await client.post(
        "/admin/personer/999999/tilgang", data={"tilgangsrestriksjon": "P"}, headers=csrf(client)
    )
    assert response.status_code == 404
    assert await Tilgang.count() == 0
