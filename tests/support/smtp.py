"""A real SMTP server for tests: aiosmtpd on a port the kernel picks, collecting what it receives.

``Controller(port=0)`` alone does not work (its readiness check connects to the configured port),
so :class:`PortZeroController` binds port 0 and records the port it got before that check. The
controller runs its own event loop in a thread.

``smtp_server(tls_dir=..., login=...)`` requires STARTTLS with a certificate from a throwaway CA
(``trustme``) and SMTP login; ``stall_to`` names recipients whose DATA is never answered (a
server that hangs in the middle of a message). :func:`silent_server` accepts connections and
never says a word.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, cast

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class PortZeroController(Controller):
    """An aiosmtpd controller that listens on a port the kernel picks (``self.port`` after start)."""

    def _create_server(self) -> Any:
        async def create() -> asyncio.AbstractServer:
            server = await self.loop.create_server(
                self._factory_invoker, host=self.hostname, port=0, ssl=self.ssl_context
            )
            self.port = int(server.sockets[0].getsockname()[1])
            return server

        return create()


_REFUSING: list[socket.socket] = []


def free_port() -> int:
    """A TCP port on 127.0.0.1 where connections are refused ("nothing answers there").

    The port stays bound (never listening) by this process until it ends, so no other server,
    in this run or another, can be handed it in the meantime.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    _REFUSING.append(sock)
    return int(sock.getsockname()[1])


@dataclass
class Received:
    """One delivered message: envelope addresses and the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    tls: bool = False
    """The message came after STARTTLS."""
    authenticated: bool = False


@dataclass
class Collector:
    """aiosmtpd handler that keeps every message it is given."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stall_to: frozenset[str] = frozenset()
    stalled: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        if self.stall_to.intersection(envelope.rcpt_tos):
            with self.lock:
                self.stalled.append(list(envelope.rcpt_tos))
            await asyncio.Event().wait()  # never answers; cancelled when the server stops
        content = envelope.original_content or envelope.content
        parsed = cast(EmailMessage, message_from_bytes(content, policy=policy.default))
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            parsed,
            tls=session.ssl is not None,
            authenticated=bool(session.authenticated),
        )
        with self.lock:
            self.received.append(received)
        return "250 Message accepted for delivery"


@dataclass
class PasswordCheck:
    """aiosmtpd authenticator that accepts one login and password, and counts the refusals."""

    login: str
    password: str
    refused: list[str] = field(default_factory=list)

    def __call__(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if (login, password) == (self.login, self.password):
                return AuthResult(success=True)
            self.refused.append(login)
        return AuthResult(success=False, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector
    ca_path: str = ""
    """PEM file of the CA that issued the server's certificate (with ``tls``)."""
    password_check: PasswordCheck | None = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.collector.lock:
            return [r.message for r in self.collector.received]

    @property
    def received(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.received)

    @property
    def stalled(self) -> list[list[str]]:
        """Recipients of the messages whose DATA was never answered."""
        with self.collector.lock:
            return list(self.collector.stalled)


@contextmanager
def smtp_server(
    *,
    tls_dir: Path | None = None,
    login: tuple[str, str] | None = None,
    stall_to: tuple[str, ...] = (),
) -> Iterator[SmtpServer]:
    """Run an SMTP server on 127.0.0.1 for the duration of the ``with`` block.

    With ``tls_dir``, the server offers STARTTLS with a certificate for 127.0.0.1 from a new
    CA (its PEM written to ``tls_dir``) and refuses mail before STARTTLS. With ``login``, it
    requires SMTP AUTH (PLAIN or LOGIN, only after STARTTLS) with that login and password.
    """
    collector = Collector(stall_to=frozenset(stall_to))
    options: dict[str, Any] = {}
    ca_path = ""
    if tls_dir is not None:
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        ca_path = str(tls_dir / "smtp-ca.pem")
        ca.cert_pem.write_to_path(ca_path)
        options.update(tls_context=context, require_starttls=True)
    check = PasswordCheck(*login) if login else None
    if check is not None:
        options.update(authenticator=check, auth_required=True)
    controller = PortZeroController(collector, hostname="127.0.0.1", port=0, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, collector, ca_path=ca_path, password_check=check)
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never answers (yields the port).

    The kernel completes the handshake for the listen backlog, so a client connects and then
    waits for a greeting that never comes."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])
