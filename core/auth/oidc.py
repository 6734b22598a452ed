"""Entra ID (or any OIDC provider) sign-in with msal: auth-code flow with PKCE, state, nonce.

The flow dict (state, nonce, PKCE verifier) lives in the server-side session between the
redirect and the callback and is removed on first use, so a replayed callback fails. msal
validates state, nonce, issuer, audience and expiry. Users are keyed by ``oid`` + ``tid``; on
first sign-in the person is matched by e-mail or UPN.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import msal
import requests

from core.i18n import N_
from core.settings import Settings


class SignInError(Exception):
    """Sign-in failed; the message is Norwegian and safe to show."""


@dataclass(frozen=True)
class Claims:
    oid: str
    tid: str
    email: str
    name: str
    roles: tuple[str, ...]


HTTP_TIMEOUT = 10
"""Seconds for each request to the provider (discovery, token, end-session lookup)."""


def _http(settings: Settings) -> requests.Session:
    """An HTTP session for the provider: the configured CA (and then no ``REQUESTS_CA_BUNDLE``
    from the environment, which would override it) and a timeout on every request."""
    http = requests.Session()
    if settings.oidc_ca_bundle:
        http.verify = settings.oidc_ca_bundle
        http.trust_env = False
    http.request = functools.partial(http.request, timeout=HTTP_TIMEOUT)  # type: ignore[method-assign]
    return http


def _client(settings: Settings) -> msal.ConfidentialClientApplication:
    kwargs: dict[str, Any] = {
        "client_credential": settings.oidc_client_secret,
        "http_client": _http(settings),
    }
    if settings.oidc_authority:
        kwargs["oidc_authority"] = settings.oidc_authority
    else:
        kwargs["authority"] = settings.effective_oidc_authority
    return msal.ConfidentialClientApplication(settings.oidc_client_id, **kwargs)


UNREACHABLE = N_("Fikk ikke kontakt med identitetsleverandøren. Prøv igjen om litt.")


def _client_or_error(settings: Settings) -> msal.ConfidentialClientApplication:
    """The msal client; :class:`SignInError` if the provider's discovery document cannot be read."""
    try:
        return _client(settings)
    except (ValueError, requests.RequestException) as exc:
        raise SignInError(UNREACHABLE) from exc


def start_flow(settings: Settings) -> dict[str, Any]:
    """Begin sign-in. Store the returned dict in the session and redirect to ``auth_uri``.

    Raises :class:`SignInError` if the provider cannot be reached.
    """
    flow: dict[str, Any] = _client_or_error(settings).initiate_auth_code_flow(
        scopes=[], redirect_uri=settings.oidc_redirect_uri
    )
    return flow


def complete_flow(settings: Settings, flow: dict[str, Any] | None, query: dict[str, str]) -> Claims:
    """Finish sign-in with the callback's query parameters; raise :class:`SignInError`."""
    if not flow:
        raise SignInError(N_("Innloggingen er allerede brukt eller har gått ut. Start innloggingen på nytt."))
    if "error" in query:
        raise SignInError(N_("Innloggingen ble avbrutt hos identitetsleverandøren."))
    client = _client_or_error(settings)
    try:
        result = client.acquire_token_by_auth_code_flow(flow, query)
    except ValueError:  # state mismatch, nonce mismatch, or an ID token that fails msal's checks
        raise SignInError(N_("Innloggingen kunne ikke bekreftes (ugyldig tilstand).")) from None
    except requests.RequestException as exc:
        raise SignInError(UNREACHABLE) from exc
    if "error" in result or "id_token_claims" not in result:
        raise SignInError(N_("Innloggingen kunne ikke bekreftes av identitetsleverandøren."))
    claims = result["id_token_claims"]
    oid = claims.get("oid") or claims.get("sub")
    tid = claims.get("tid") or claims.get("iss", "")
    if not oid:
        raise SignInError(N_("Identitetsleverandøren sendte ingen bruker-id."))
    email = claims.get("email") or claims.get("preferred_username") or claims.get("upn") or ""
    return Claims(
        oid=str(oid),
        tid=str(tid),
        email=str(email).lower(),
        name=str(claims.get("name", "")),
        roles=tuple(str(r) for r in claims.get("roles", []) or []),
    )


def logout_url(settings: Settings) -> str | None:
    """The provider's end-session URL from its discovery document, if it publishes one.

    msal does not keep ``end_session_endpoint``, so the document is read here: for
    ``oidc_authority`` at ``<authority>/.well-known/openid-configuration`` (as msal does), for
    Entra ID at ``<authority>/v2.0/.well-known/openid-configuration``.
    """
    if settings.oidc_authority:
        discovery = f"{settings.oidc_authority.rstrip('/')}/.well-known/openid-configuration"
    else:
        discovery = f"{settings.effective_oidc_authority}/v2.0/.well-known/openid-configuration"
    try:
        with _http(settings) as http:
            response = http.get(discovery)
            response.raise_for_status()
            endpoint = response.json().get("end_session_endpoint")
    except Exception:  # logout must work even if the provider is unreachable
        return None
    if isinstance(endpoint, str) and endpoint.startswith("https://"):
        return endpoint
    return None
