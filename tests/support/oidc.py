"""A real OpenID Connect provider for tests: PyPI ``oidc-provider-mock`` over TLS.

The provider runs in a background thread on a free ``127.0.0.1`` port, mounted under
``/tenant`` (msal's ``oidc_authority`` needs https and a path segment). Its certificate is
issued by a throwaway CA made with ``trustme``; the CA's PEM file is what the app gets as
``oidc_ca_bundle``, so nothing is added to the process environment.

Use the ``oidc_provider`` fixture (session-scoped: one provider per run; import
``provider_fixture`` into the test module, or list this module in ``pytest_plugins``). Users are added per
test with :meth:`Provider.add_user`; the browser step ("the user picks an account at the
provider") is :meth:`Provider.authorize`.
"""

from __future__ import annotations

import ssl
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import oidc_provider_mock
import pytest
import requests
import trustme
import werkzeug.serving
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response

HOST = "127.0.0.1"
PREFIX = "/tenant"
TENANT_ID = "00000000-0000-4000-8000-00000000a7c1"


@dataclass
class Provider:
    """A running provider: its authority URL, the CA file, and an HTTP session trusting it."""

    authority: str
    ca_path: str
    http: requests.Session = field(repr=False)

    def add_user(
        self,
        *,
        email: str,
        name: str = "Kari Nordmann",
        roles: tuple[str, ...] = (),
        oid: str | None = None,
        tid: str = TENANT_ID,
        **extra: Any,
    ) -> str:
        """Register (or replace) a user at the provider; returns its ``sub``.

        The claims mimic Entra ID: ``oid``, ``tid``, ``preferred_username`` (the UPN),
        ``name`` and the app-roles claim ``roles``.
        """
        sub = f"user-{uuid.uuid4().hex[:12]}"
        claims: dict[str, Any] = {
            "oid": oid or str(uuid.uuid4()),
            "tid": tid,
            "preferred_username": email,
            "name": name,
            "roles": list(roles),
            **extra,
        }
        self.set_user(sub, claims)
        return sub

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """Replace the claims of user ``sub`` (e.g. a changed e-mail)."""
        response = self.http.put(f"{self.authority}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, auth_uri: str, sub: str, *, deny: bool = False) -> str:
        """The browser step: sign in as ``sub`` at ``auth_uri`` (or press «deny»).

        Returns the provider's redirect back to the app (``redirect_uri?code=..&state=..``).
        """
        assert auth_uri.startswith(self.authority + "/"), auth_uri
        form = {"sub": sub, **({"action": "deny"} if deny else {})}
        response = self.http.post(auth_uri, data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        location: str = response.headers["location"]
        return location


def callback_query(location: str) -> dict[str, str]:
    """The query parameters of the provider's redirect back to the app."""
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def _not_found(environ: Any, start_response: Any) -> Any:
    return Response("not found", status=404)(environ, start_response)


@pytest.fixture(scope="session", name="oidc_provider")
def provider_fixture() -> Iterator[Provider]:
    """Start the provider once per test run; stop it and remove the CA file at the end."""
    ca = trustme.CA()
    server_cert = ca.issue_cert("localhost", HOST)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_cert.configure_cert(server_context)

    with tempfile.TemporaryDirectory(prefix="arkivrutiner-oidc-") as tmp:
        ca_path = Path(tmp) / "ca.pem"
        ca.cert_pem.write_to_path(str(ca_path))

        provider_app = oidc_provider_mock.app(require_nonce=True)
        wsgi = DispatcherMiddleware(_not_found, {PREFIX: provider_app})
        server = werkzeug.serving.make_server(HOST, 0, wsgi, threaded=True, ssl_context=server_context)
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="oidc-provider-mock",
        )
        thread.start()

        http = requests.Session()
        http.verify = str(ca_path)
        http.trust_env = False  # REQUESTS_CA_BUNDLE and proxies in the environment must not apply
        authority = f"https://{HOST}:{server.server_port}{PREFIX}"
        try:
            discovery = http.get(f"{authority}/.well-known/openid-configuration", timeout=10)
            assert discovery.status_code == 200, discovery.text
            yield Provider(authority=authority, ca_path=str(ca_path), http=http)
        finally:
            http.close()
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
