"""A real SMTP server for the tests (aiosmtpd on loopback), which can refuse a number of messages first, or hang."""

import asyncio
import contextlib
import email
import socket
import threading
from email.message import Message

from aiosmtpd.controller import Controller


class Inbox:
    """What the server accepted; it answers "451 try again later" to the first `refuse` messages.

    After `hang()` it stops answering each conversation once told the recipient, as a hung server does (the
    message is not taken), until `answer()`; `hung` counts the conversations it left waiting.
    """

    def __init__(self, refuse: int = 0):
        self.refuse = refuse
        self.refused = 0
        self.hung = 0
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self._answering = threading.Event()
        self._answering.set()

    def hang(self) -> None:
        self._answering.clear()

    def answer(self) -> None:
        self._answering.set()

    def clear(self) -> None:
        """Forget what arrived, and answer again."""
        self.answer()
        with self._lock:
            self.messages.clear()
            self.refused = self.hung = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's hook
        if not self._answering.is_set():
            self.hung += 1
            while not self._answering.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self._lock:
            if self.refused < self.refuse:
                self.refused += 1
                return "451 4.3.0 Mailbox temporarily unavailable, try again later"
            message = email.message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 2.0.0 OK: queued"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server(inbox: Inbox, port: int | None = None):
    """Serve `inbox` on 127.0.0.1:port (a free port when None) until the block ends; yields the port."""
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


@contextlib.contextmanager
def blackholed_port():
    """A port that takes the TCP connection and then never says a word, as a hung mail server does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
