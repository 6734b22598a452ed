"""Sign-in with OpenID Connect through msal, against a real provider over TLS.

Each test drives the whole flow: ``/logg-inn`` → the provider's authorize endpoint (the
"browser" step) → ``/auth/callback`` → session → a guarded page. The provider is
``oidc-provider-mock`` started once per run by :mod:`tests.support.oidc`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import AsyncTestClient

from core.app import create_app
from core.sessions import SESSION_COOKIE
from core.settings import Settings
from core.tables import AuditEvent, Identity, Person, PersonRole
from tests.support.factories import csrf, make_person, make_unit
from tests.support.oidc import TENANT_ID, Provider, callback_query
from tests.support.oidc import provider_fixture as oidc_provider_fixture  # noqa: F401

pytestmark = pytest.mark.anyio

REDIRECT_URI = "http://testserver.local/auth/callback"


@pytest.fixture
def oidc_settings(settings: Settings, oidc_provider: Provider) -> Settings:
    return dataclasses.replace(
        settings,
        auth_mode="oidc",
        oidc_authority=oidc_provider.authority,
        oidc_client_id="arkivrutiner-test",
        oidc_client_secret="test-client-secret",  # the mock accepts any secret
        oidc_redirect_uri=REDIRECT_URI,
        oidc_ca_bundle=oidc_provider.ca_path,
        role_map={**settings.role_map, "Arkiv.Fellestjenesten": "arkiv", "Lonn.Kontoret": "lonn"},
    )


@pytest.fixture
def oidc_app(oidc_settings: Settings, db: None) -> Any:
    return create_app(oidc_settings)


async def _new_client(app: Any) -> AsyncTestClient[Any]:
    client: AsyncTestClient[Any] = AsyncTestClient(app=app, raise_server_exceptions=False)
    client.follow_redirects = False
    return client


@pytest.fixture
async def client(oidc_app: Any) -> AsyncIterator[AsyncTestClient[Any]]:
    async with await _new_client(oidc_app) as test_client:
        yield test_client


async def _to_provider(client: AsyncTestClient[Any], provider: Provider, neste: str = "/") -> str:
    """``/logg-inn`` and the redirect to the provider; returns the provider's auth URI."""
    response = await client.get("/logg-inn", params={"neste": neste})
    assert response.status_code == 302, response.text
    auth_uri = response.headers["location"]
    assert auth_uri.startswith(f"{provider.authority}/oauth2/authorize?")
    params = parse_qs(urlsplit(auth_uri).query)
    assert params["redirect_uri"] == [REDIRECT_URI]
    assert params["code_challenge_method"] == ["S256"]
    assert "state" in params and "nonce" in params
    return auth_uri


async def _back_from_provider(
    client: AsyncTestClient[Any], provider: Provider, sub: str, neste: str = "/"
) -> dict[str, str]:
    """Sign in at the provider as ``sub``; returns the callback's query (code and state)."""
    auth_uri = await _to_provider(client, provider, neste)
    location = provider.authorize(auth_uri, sub)
    assert location.startswith(REDIRECT_URI + "?")
    query = callback_query(location)
    assert query.keys() >= {"code", "state"}
    return query


async def _sign_in(client: AsyncTestClient[Any], provider: Provider, sub: str, neste: str = "/") -> Any:
    """The whole flow; returns the callback's response."""
    query = await _back_from_provider(client, provider, sub, neste)
    return await client.get("/auth/callback", params=query)


async def _assert_signed_out(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/")
    assert response.status_code == 302
    assert response.headers["location"] == "/logg-inn?neste=/"


async def _assert_refused(response: Any, message: str) -> None:
    assert response.status_code == 403
    assert "Innloggingen mislyktes" in response.text
    assert message in response.text
    assert 'href="/logg-inn"' in response.text


async def _audit(action: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await AuditEvent.select().where(AuditEvent.action == action)
    return rows


async def _roles(person_id: int) -> set[str]:
    rows = await PersonRole.select(PersonRole.role).where(PersonRole.person == person_id)
    return {row["role"] for row in rows}


async def test_full_sign_in_through_the_provider(client: Any, oidc_provider: Provider) -> None:
    unit = await make_unit(name="Fellestjenesten")
    person = await make_person(name="Kari Nordmann", unit=unit, email="kari.nordmann@kommune.example")
    sub = oidc_provider.add_user(email="kari.nordmann@kommune.example", oid="oid-kari")
    await _assert_signed_out(client)

    response = await _sign_in(client, oidc_provider, sub, neste="/hendelser")
    assert response.status_code == 302
    assert response.headers["location"] == "/hendelser"

    page = await client.get("/")
    assert page.status_code == 200
    assert "Kari Nordmann" in page.text
    identity = await Identity.select().where(Identity.person == person).first()
    assert identity is not None
    assert (identity["oid"], identity["tid"]) == ("oid-kari", TENANT_ID)
    assert identity["username"] == "kari.nordmann@kommune.example"
    signed_in = await _audit("auth.signed_in")
    assert [(row["actor"], row["object_id"]) for row in signed_in] == [(person, str(person))]
    assert "Entra ID" in signed_in[0]["summary"]
    assert len(await _audit("auth.identity_linked")) == 1


async def test_sign_in_replaces_the_session_id(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="ola@kommune.example")
    sub = oidc_provider.add_user(email="ola@kommune.example")
    query = await _back_from_provider(client, oidc_provider, sub)
    before = client.cookies.get(SESSION_COOKIE)
    assert before
    response = await client.get("/auth/callback", params=query)
    assert response.status_code == 302
    after = client.cookies.get(SESSION_COOKIE)
    assert after and after not in (before, "null")
    assert (await client.get("/")).status_code == 200

    # Someone who planted or copied the pre-sign-in cookie gets nothing from it.
    async with await _new_client(client.app) as planted:
        planted.cookies.set(SESSION_COOKIE, before)
        await _assert_signed_out(planted)


async def test_unsafe_next_target_is_ignored(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="ola@kommune.example")
    sub = oidc_provider.add_user(email="ola@kommune.example")
    response = await _sign_in(client, oidc_provider, sub, neste="//evil.example/")
    assert response.status_code == 302
    assert response.headers["location"] == "/"


async def test_upn_is_matched_without_regard_to_case(client: Any, oidc_provider: Provider) -> None:
    person = await make_person(name="Ola Nordmann", email="ola.nordmann@kommune.example")
    sub = oidc_provider.add_user(email="Ola.Nordmann@Kommune.Example")
    response = await _sign_in(client, oidc_provider, sub)
    assert response.status_code == 302
    page = await client.get("/")
    assert page.status_code == 200
    assert "Ola Nordmann" in page.text
    assert await Identity.count().where(Identity.person == person) == 1


async def test_like_wildcards_in_the_upn_match_nobody(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="ola.nordmann@kommune.example")
    sub = oidc_provider.add_user(email="ola_nordmann@kommune.example")
    response = await _sign_in(client, oidc_provider, sub)
    await _assert_refused(response, "ikke registrert")
    sub = oidc_provider.add_user(email="%")
    response = await _sign_in(client, oidc_provider, sub)
    await _assert_refused(response, "ikke registrert")
    assert await Identity.count() == 0


async def test_app_roles_claim_is_mapped_to_app_roles(client: Any, oidc_provider: Provider) -> None:
    person = await make_person(email="kari@kommune.example", roles=("admin",))
    sub = oidc_provider.add_user(
        email="kari@kommune.example", roles=("arkiv", "Lonn.Kontoret", "Ukjent.Rolle", "superbruker")
    )
    response = await _sign_in(client, oidc_provider, sub)
    assert response.status_code == 302
    assert await _roles(person) == {"arkiv", "lonn"}  # admin was not in the token: removed
    identity = await Identity.select(Identity.oid).where(Identity.person == person).first()
    assert identity is not None
    synced = await _audit("auth.roles_synced")
    assert len(synced) == 1
    details = synced[0]["details"]
    details = json.loads(details) if isinstance(details, str) else details
    assert details == {"before": ["admin"], "after": ["arkiv", "lonn"]}

    # Next sign-in with a changed roles claim: the app follows the token.
    oidc_provider.set_user(
        sub,
        {
            "oid": identity["oid"],
            "tid": TENANT_ID,
            "preferred_username": "kari@kommune.example",
            "name": "Kari",
            "roles": ["Arkiv.Fellestjenesten", "ikt"],
        },
    )
    async with await _new_client(client.app) as other:
        assert (await _sign_in(other, oidc_provider, sub)).status_code == 302
    assert await _roles(person) == {"arkiv", "ikt"}
    assert len(await _audit("auth.roles_synced")) == 2


async def test_no_roles_claim_removes_roles(client: Any, oidc_provider: Provider) -> None:
    person = await make_person(email="kari@kommune.example", roles=("arkiv",))
    sub = oidc_provider.add_user(email="kari@kommune.example")
    assert (await _sign_in(client, oidc_provider, sub)).status_code == 302
    assert await _roles(person) == set()


async def test_second_sign_in_uses_the_identity_even_if_the_email_changed(
    client: Any, oidc_app: Any, oidc_provider: Provider
) -> None:
    kari = await make_person(name="Kari Nordmann", email="kari@kommune.example")
    await make_person(name="Kari Hansen", email="kari.hansen@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example", oid="oid-kari-2")
    assert (await _sign_in(client, oidc_provider, sub)).status_code == 302

    # Kari married and got a new UPN, which happens to be another person's address.
    oidc_provider.set_user(
        sub,
        {
            "oid": "oid-kari-2",
            "tid": TENANT_ID,
            "preferred_username": "kari.hansen@kommune.example",
            "name": "Kari Hansen",
            "roles": [],
        },
    )
    async with await _new_client(oidc_app) as browser:
        assert (await _sign_in(browser, oidc_provider, sub)).status_code == 302
        page = await browser.get("/")
        assert page.status_code == 200
        assert "Kari Nordmann" in page.text
    assert await Identity.count() == 1
    identity = await Identity.select(Identity.person).first()
    assert identity is not None and identity["person"] == kari
    assert len(await _audit("auth.identity_linked")) == 1
    assert [row["actor"] for row in await _audit("auth.signed_in")] == [kari, kari]


async def test_same_oid_in_another_tenant_is_another_account(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example", oid="oid-shared")
    assert (await _sign_in(client, oidc_provider, sub)).status_code == 302
    other_tenant = oidc_provider.add_user(
        email="someone@elsewhere.example", oid="oid-shared", tid="11111111-2222-4333-8444-555555555555"
    )
    async with await _new_client(client.app) as browser:
        response = await _sign_in(browser, oidc_provider, other_tenant)
        await _assert_refused(response, "ikke registrert")
        await _assert_signed_out(browser)


async def test_tampered_state_is_refused(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    query = await _back_from_provider(client, oidc_provider, sub)

    response = await client.get("/auth/callback", params={**query, "state": query["state"] + "x"})
    await _assert_refused(response, "ugyldig tilstand")
    await _assert_signed_out(client)
    assert len(await _audit("auth.sign_in_failed")) == 1
    assert await _audit("auth.signed_in") == []
    assert await Identity.count() == 0

    # The flow was used up by the failed attempt: the genuine redirect no longer works either.
    response = await client.get("/auth/callback", params=query)
    await _assert_refused(response, "allerede brukt")
    await _assert_signed_out(client)


async def test_callback_without_a_started_sign_in_is_refused(client: Any, oidc_provider: Provider) -> None:
    response = await client.get("/auth/callback", params={"code": "abc", "state": "def"})
    await _assert_refused(response, "allerede brukt")
    await _assert_signed_out(client)


async def test_replayed_callback_is_refused_and_ends_the_session(
    client: Any, oidc_provider: Provider
) -> None:
    await make_person(name="Kari Nordmann", email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    query = await _back_from_provider(client, oidc_provider, sub)
    assert (await client.get("/auth/callback", params=query)).status_code == 302
    assert (await client.get("/")).status_code == 200

    response = await client.get("/auth/callback", params=query)
    await _assert_refused(response, "allerede brukt")
    await _assert_signed_out(client)
    assert len(await _audit("auth.signed_in")) == 1
    assert len(await _audit("auth.sign_in_failed")) == 1


async def test_callback_replayed_in_another_browser_is_refused(
    client: Any, oidc_app: Any, oidc_provider: Provider
) -> None:
    await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    query = await _back_from_provider(client, oidc_provider, sub)
    assert (await client.get("/auth/callback", params=query)).status_code == 302

    async with await _new_client(oidc_app) as attacker:
        response = await attacker.get("/auth/callback", params=query)  # no sign-in started
        await _assert_refused(response, "allerede brukt")
        await _assert_signed_out(attacker)

        await _to_provider(attacker, oidc_provider)  # a sign-in of its own: other state
        response = await attacker.get("/auth/callback", params=query)
        await _assert_refused(response, "ugyldig tilstand")
        await _assert_signed_out(attacker)
    assert len(await _audit("auth.signed_in")) == 1


async def test_unknown_user_is_refused(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="ukjent@kommune.example")
    response = await _sign_in(client, oidc_provider, sub)
    await _assert_refused(response, "Brukeren din er ikke registrert i arkivrutiner")
    await _assert_signed_out(client)
    failed = await _audit("auth.sign_in_failed")
    assert len(failed) == 1
    assert failed[0]["actor"] is None
    assert "ikke registrert" in failed[0]["summary"]
    assert await Identity.count() == 0
    assert await _audit("auth.signed_in") == []


async def test_deactivated_person_is_refused_on_first_sign_in(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="kari@kommune.example", active=False)
    sub = oidc_provider.add_user(email="kari@kommune.example")
    response = await _sign_in(client, oidc_provider, sub)
    await _assert_refused(response, "ikke registrert")
    await _assert_signed_out(client)
    assert await Identity.count() == 0


async def test_deactivated_person_with_a_linked_account_is_refused(
    client: Any, oidc_app: Any, oidc_provider: Provider
) -> None:
    person = await make_person(email="kari@kommune.example", roles=("arkiv",))
    sub = oidc_provider.add_user(email="kari@kommune.example", roles=("arkiv",))
    assert (await _sign_in(client, oidc_provider, sub)).status_code == 302
    assert (await client.get("/")).status_code == 200

    await Person.update({Person.active: False}).where(Person.id == person)
    await _assert_signed_out(client)  # the running session no longer counts
    async with await _new_client(oidc_app) as browser:
        response = await _sign_in(browser, oidc_provider, sub)
        await _assert_refused(response, "deaktivert")
        await _assert_signed_out(browser)
    assert len(await _audit("auth.signed_in")) == 1
    assert len(await _audit("auth.sign_in_failed")) == 1


async def test_cancelled_at_the_provider(client: Any, oidc_provider: Provider) -> None:
    await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    auth_uri = await _to_provider(client, oidc_provider)
    location = oidc_provider.authorize(auth_uri, sub, deny=True)
    query = callback_query(location)
    assert query["error"] == "access_denied"
    response = await client.get("/auth/callback", params=query)
    await _assert_refused(response, "avbrutt")
    await _assert_signed_out(client)


async def test_logout_clears_the_session(client: Any, oidc_provider: Provider) -> None:
    person = await make_person(name="Kari Nordmann", email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    assert (await _sign_in(client, oidc_provider, sub)).status_code == 302
    assert (await client.get("/")).status_code == 200

    response = await client.post("/logg-ut", headers=csrf(client))
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"{oidc_provider.authority}/oauth2/end_session?")
    back = parse_qs(urlsplit(location).query)["post_logout_redirect_uri"]
    assert back == ["http://127.0.0.1:8000/logget-ut"]
    await _assert_signed_out(client)
    signed_out = await _audit("auth.signed_out")
    assert [row["actor"] for row in signed_out] == [person]

    # The provider's end-session page leads back to the app's «logged out» page.
    end_session = oidc_provider.http.get(location, timeout=10)
    assert end_session.status_code == 200
    page = await client.get("/logget-ut")
    assert page.status_code == 200
    assert "Du er logget ut" in page.text


async def test_logout_works_when_the_provider_is_unreachable(
    oidc_settings: Settings, db: None, oidc_provider: Provider
) -> None:
    person = await make_person(email="kari@kommune.example")
    sub = oidc_provider.add_user(email="kari@kommune.example")
    app = create_app(oidc_settings)
    async with await _new_client(app) as browser:
        assert (await _sign_in(browser, oidc_provider, sub)).status_code == 302
        assert (await browser.get("/")).status_code == 200
        # The provider goes away (here: the app stops trusting its certificate).
        app.state["runtime"].settings = dataclasses.replace(oidc_settings, oidc_ca_bundle="")
        response = await browser.post("/logg-ut", headers=csrf(browser))
        assert response.status_code == 303
        assert response.headers["location"] == "/logget-ut"
        await _assert_signed_out(browser)
    assert [row["actor"] for row in await _audit("auth.signed_out")] == [person]


async def test_sign_in_when_the_provider_cannot_be_trusted(
    oidc_settings: Settings, db: None, oidc_provider: Provider
) -> None:
    # Without the test CA the provider's certificate does not verify: like an unreachable provider.
    app = create_app(dataclasses.replace(oidc_settings, oidc_ca_bundle=""))
    async with await _new_client(app) as browser:
        response = await browser.get("/logg-inn")
        assert response.status_code == 503
        assert "Fikk ikke kontakt med identitetsleverandøren" in response.text
        await _assert_signed_out(browser)
