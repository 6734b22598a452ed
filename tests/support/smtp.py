"""A real SMTP server for tests: aiosmtpd on a port the kernel picks, collecting what it receives.

``Controller(port=0)`` alone does not work (its readiness check connects to the configured port),
so :class:`PortZeroController` binds port 0 and records the port it got before that check. The
controller runs its own event loop in a thread.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from aiosmtpd.controller import Controller


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


@dataclass
class Collector:
    """aiosmtpd handler that keeps every message it is given."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or envelope.content
        parsed = cast(EmailMessage, message_from_bytes(content, policy=policy.default))
        with self.lock:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    collector: Collector

    @property
    def messages(self) -> list[EmailMessage]:
        with self.collector.lock:
            return [r.message for r in self.collector.received]

    @property
    def received(self) -> list[Received]:
        with self.collector.lock:
            return list(self.collector.received)


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    """Run an SMTP server on 127.0.0.1 for the duration of the ``with`` block."""
    collector = Collector()
    controller = PortZeroController(collector, hostname="127.0.0.1", port=0)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, collector)
    finally:
        controller.stop()
