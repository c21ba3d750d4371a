"""A real SMTP server for the tests (aiosmtpd, in a thread on a free local port).

``server.messages`` holds every message accepted, parsed; while
``server.refusing`` is set the server answers ``451`` to each recipient (the
way a server that is overloaded or greylisting refuses), so nothing is
accepted and the sender must try again later.
"""

from __future__ import annotations

import email
import socket
import threading
from email import policy

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """The aiosmtpd handler: records accepted messages, or refuses recipients while asked to."""

    def __init__(self):
        self.messages: list = []
        self.refused = 0
        self.refusing = False
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            with self._lock:
                self.refused += 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.handler = Recorder()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list:
        with self.handler._lock:
            return list(self.handler.messages)

    def to(self, address: str, kind: str | None = None) -> list:
        """The messages accepted for ``address`` (whose notifications include ``kind``)."""
        return [m for m in self.messages if address in str(m["To"])
                and (kind is None or kind in str(m["X-Notification-Kinds"]).split(","))]

    def refuse(self, on: bool) -> None:
        self.handler.refusing = on

    def settings(self) -> dict:
        """The worker's settings for this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_USE_TLS": "false",
                "MAIL_DEFAULT_SENDER": "Quản lý hồ sơ <no-reply@example.vn>"}


@pytest.fixture
def smtp_server():
    """A running local SMTP server (stopped at the end of the test)."""
    server = SmtpServer()
    server.controller.start()
    try:
        yield server
    finally:
        server.controller.stop()
