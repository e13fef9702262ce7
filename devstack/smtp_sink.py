"""An SMTP server that stores every received message into a Maildir.

Usage: ``python -m devstack.smtp_sink --port P --maildir DIR [--host 127.0.0.1]``

Tests (and people) read the delivered mails as files, or via `read_maildir`.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import mailbox
import signal
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    """aiosmtpd handler delivering each message into a Maildir."""

    def __init__(self, maildir: Path) -> None:
        """Open (and create if needed) the Maildir at `maildir`."""
        # mailbox.Maildir only creates the last path component (and only
        # when the directory is missing), so make the parents ourselves.
        maildir.parent.mkdir(parents=True, exist_ok=True)
        self.maildir = mailbox.Maildir(str(maildir), create=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Store the raw message, prefixed with its envelope, and accept it."""
        # original_content is the exact bytes received, so 8-bit bodies and
        # non-UTF-8 charsets survive untouched (decode_data=False).
        raw = envelope.original_content or b""
        # Prepend the envelope as headers, like a real MTA's delivery agent
        # does: tests can then check who the mail was really sent to (Bcc).
        rcpts = ", ".join(envelope.rcpt_tos)
        prefix = (f"X-Envelope-From: <{envelope.mail_from or ''}>\r\nX-Envelope-To: {rcpts}\r\n").encode(
            "utf-8", errors="surrogateescape"
        )
        # Store with Unix line endings, as Maildir files on disk usually are.
        data = (prefix + raw).replace(b"\r\n", b"\n")
        self.maildir.add(data)
        return "250 Message accepted for delivery"


def read_maildir(path: str | Path) -> list[EmailMessage]:
    """Parse every message of the Maildir at `path`, oldest delivery first.

    Messages are parsed with `email.policy.default` (so they are
    `EmailMessage` objects). A missing Maildir yields an empty list.
    """
    if not Path(path).is_dir():
        return []
    box = mailbox.Maildir(str(path), factory=None, create=False)
    entries: list[tuple[float, str, EmailMessage]] = []
    for key in box.iterkeys():
        # get_date() is the delivery time Maildir records; the key (which
        # starts with the delivery timestamp) breaks ties deterministically.
        delivered = box.get_message(key).get_date()
        msg = email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        entries.append((delivered, key, msg))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [msg for _, _, msg in entries]


async def serve(host: str, port: int, maildir: Path) -> None:
    """Run the SMTP sink on host:port until SIGTERM or SIGINT."""
    handler = MaildirHandler(maildir)
    loop = asyncio.get_running_loop()

    def factory() -> Any:
        # SMTPUTF8 lets clients send non-ASCII addresses/headers; 8BITMIME is
        # always advertised by aiosmtpd.
        return SMTP(handler, hostname="devstack-smtp-sink", enable_SMTPUTF8=True)

    server = await loop.create_server(factory, host=host, port=port)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        server.close()
        await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run the SMTP sink."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.maildir))


if __name__ == "__main__":
    main()
