"""E-mail over SMTP; ``SMTP_URL`` is ``smtp://[user:password@]host:port`` (``smtps://`` for TLS)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlparse

from core.errors import Unavailable
from core.ports import Email


class SmtpMailer:
    """Implements ``Mailer``: one connection per message, which is plenty at our volume."""

    def __init__(self, url: str, sender: str, timeout_s: float = 10.0) -> None:
        parsed = urlparse(url)
        self._tls = parsed.scheme == "smtps"
        self._host = parsed.hostname or "127.0.0.1"
        self._port = parsed.port or (465 if self._tls else 25)
        self._user = unquote(parsed.username) if parsed.username else None
        self._password = unquote(parsed.password) if parsed.password else None
        self._sender = sender
        self._timeout = timeout_s

    def send(self, email: Email) -> None:
        """Deliver to the SMTP server, or raise ``Unavailable`` (the runner retries)."""
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = email.to
        msg["Subject"] = email.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{email.message_id}@marketplace>"
        msg.set_content(email.text)
        smtp_cls = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
        try:
            with smtp_cls(self._host, self._port, timeout=self._timeout) as smtp:
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise Unavailable(f"SMTP server did not take the e-mail: {exc}") from exc
