"""The UI shell: error pages (full and htmx), security headers, CSRF, sign-in guard."""

from __future__ import annotations

import inspect

import pytest
from litestar import get

from tests.support.factories import csrf, login, make_person, make_unit

pytestmark = pytest.mark.anyio


async def signed_in(client) -> int:
    person = await make_person(unit=await make_unit())
    await login(client, person)
    return person


async def test_unknown_page_is_a_full_norwegian_404_page(client) -> None:
    await signed_in(client)
    response = await client.get("/finnes-ikke")
    assert response.status_code == 404
    assert "<h1>Fant ikke siden</h1>" in response.text
    assert "<!doctype html>" in response.text


async def test_unknown_page_is_shown_in_the_users_language_with_navigation(client) -> None:
    await signed_in(client)
    await client.post("/sprak", data={"sprak": "nn", "tilbake": "/"}, headers=csrf(client))
    response = await client.get("/finst/ikkje/her")
    assert response.status_code == 404
    assert "<h1>Fann ikkje sida</h1>" in response.text
    assert 'action="/logg-ut"' in response.text


async def test_unsafe_request_to_unknown_address_is_404_not_405(client) -> None:
    await signed_in(client)
    response = await client.post("/finnes-ikke", headers=csrf(client))
    assert response.status_code == 404


async def test_unknown_fragment_is_retargeted_to_the_message_area(client) -> None:
    await signed_in(client)
    response = await client.get("/finnes-ikke", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["hx-retarget"] == "#meldinger"
    assert "<html" not in response.text
    assert 'role="alert"' in response.text and "Fant ikke siden" in response.text


async def test_every_response_has_a_strict_content_security_policy(client) -> None:
    for path in ("/", "/finnes-ikke", "/dev-logg-inn", "/static/core/app.css"):
        csp = (await client.get(path)).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "style-src 'self'" in csp


async def test_pages_have_no_inline_script_or_style(client) -> None:
    await signed_in(client)
    html = (await client.get("/")).text
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert 'src="/static/core/htmx-2.0.11.min.js"' in html


async def test_unsafe_request_without_csrf_token_is_refused(client) -> None:
    await signed_in(client)
    refused = await client.post("/sprak", data={"sprak": "nn"})
    assert refused.status_code == 403
    accepted = await client.post("/sprak", data={"sprak": "nn"}, headers=csrf(client))
    assert accepted.status_code == 303


async def test_htmx_request_without_session_gets_a_client_redirect(client) -> None:
    response = await client.get("/fordeling/kort", headers={"HX-Request": "true"})
    assert response.headers["hx-redirect"] == "/logg-inn?neste=/fordeling/kort"


async def test_open_redirect_after_sign_in_is_refused(client) -> None:
    person = await make_person(unit=await make_unit())
    await client.get("/dev-logg-inn")
    response = await client.post(
        "/dev-logg-inn", data={"person_id": str(person), "neste": "//evil.example/"}, headers=csrf(client)
    )
    assert response.headers["location"] == "/"


async def test_internal_error_shows_an_error_code_not_a_stack_trace(settings, db) -> None:
    from litestar.testing import AsyncTestClient

    from core.app import create_app

    app = create_app(settings)

    @get("/krasj", name="test:crash")
    async def crash() -> None:
        raise RuntimeError("hemmelig detalj")

    app.register(crash)
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as test_client:
        test_client.follow_redirects = False
        await signed_in(test_client)
        response = await test_client.get("/krasj")
        assert response.status_code == 500
        assert "Noe gikk galt" in response.text and "Feilkode" in response.text
        assert "hemmelig detalj" not in response.text and "Traceback" not in response.text


async def test_deactivated_person_loses_the_session(client) -> None:
    from core.tables import Person

    person = await signed_in(client)
    assert (await client.get("/")).status_code == 200
    await Person.update({Person.active: False}).where(Person.id == person)
    assert (await client.get("/")).status_code == 302


async def test_sign_out_ends_the_session(client) -> None:
    await signed_in(client)
    response = await client.post("/logg-ut", headers=csrf(client))
    assert response.status_code == 303
    assert (await client.get("/")).status_code == 302


async def test_signed_in_pages_fragments_and_exports_are_not_stored_by_caches(client) -> None:
    from core.roles import ADMIN

    await login(client, await make_person(roles=(ADMIN,)))
    for path in ("/", "/admin/hendelseslogg", "/admin/hendelseslogg/eksport?format=csv", "/finnes-ikke"):
        response = await client.get(path)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert response.headers["cache-control"] == "no-store", path
    fragment = await client.get("/", headers={"HX-Request": "true"})
    assert fragment.headers["cache-control"] == "no-store"
    static = await client.get("/static/core/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("cache-control", "")


async def test_hsts_only_when_the_public_address_is_https(settings, db) -> None:
    import dataclasses

    from litestar.testing import AsyncTestClient

    from core.app import create_app

    for base_url, expected in (
        ("https://arkiv.kommune.example", "max-age=31536000; includeSubDomains"),
        ("http://127.0.0.1:8000", None),
    ):
        app = create_app(dataclasses.replace(settings, public_base_url=base_url))
        async with AsyncTestClient(app=app) as test_client:
            for path in ("/healthz", "/dev-logg-inn", "/static/core/app.css"):
                response = await test_client.get(path)
                assert response.headers.get("strict-transport-security") == expected, (base_url, path)


async def test_no_route_guard_runs_in_a_thread(app) -> None:
    """Litestar runs a plain function guard in its thread pool: a thread hop on every request.
    Every guard of every route is a coroutine function."""
    checked = 0
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for guard in handler.guards or []:
                assert inspect.iscoroutinefunction(guard), f"{handler}: {guard}"
                checked += 1
    for guard in app.guards:
        assert inspect.iscoroutinefunction(guard), guard
        checked += 1
    assert checked > 1
