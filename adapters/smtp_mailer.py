"""E-mail over SMTP; ``SMTP_URL`` is ``smtp://[user:password@]host:port`` (``smtps://`` for TLS)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate
from urllib.parse import unquote, urlparse

from adapters import metrics
from core.errors import MailRefused, Unavailable
from core.ports import Attachment, Email


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
        """Deliver to the SMTP server.

        Raises ``MailRefused`` when the server refuses this message (its recipient, sender or
        content: the next message may well go) and ``Unavailable`` when the server cannot be
        reached or fails as a whole (the next message would fail too).
        """
        msg = self.message(email)
        smtp_cls = smtplib.SMTP_SSL if self._tls else smtplib.SMTP
        try:
            with smtp_cls(self._host, self._port, timeout=self._timeout) as smtp:
                if self._user:
                    smtp.login(self._user, self._password or "")
                smtp.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            metrics.EMAILS_REFUSED.labels("refused").inc()
            raise MailRefused(f"SMTP server refused the e-mail: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            metrics.EMAILS_REFUSED.labels("unavailable").inc()
            raise Unavailable(f"SMTP server did not take the e-mail: {exc}") from exc
        metrics.EMAILS_SENT.inc()

    def message(self, email: Email) -> EmailMessage:
        """The MIME message for ``email``: text, or text and HTML as alternatives, then attachments.

        With attachments the result is ``multipart/mixed`` holding the body (``text/plain`` or
        ``multipart/alternative``) first, then one part per attachment.
        """
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = email.to
        msg["Subject"] = email.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = f"<{email.message_id}@marketplace>"
        if email.unsubscribe_url:
            # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST
            # "List-Unsubscribe=One-Click" to the link, which switches this category off.
            msg["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        # Quoted-printable keeps the parts 7-bit, so no relay has to understand 8BITMIME.
        msg.set_content(email.text, cte="quoted-printable")
        if email.html is not None:
            msg.add_alternative(email.html, subtype="html", cte="quoted-printable")
        for attachment in email.attachments:
            _attach(msg, attachment)
        return msg


def _attach(msg: EmailMessage, attachment: Attachment) -> None:
    """Add one attachment part, keeping the parameters of its content type (``method=REQUEST``)."""
    content_type = default_policy.header_factory("Content-Type", attachment.content_type)
    params = dict(content_type.params)
    if content_type.maintype == "text":
        params["charset"] = params.get("charset", "utf-8")
    # Outlook takes the file name from the type's ``name``; others from the disposition.
    params["name"] = attachment.filename
    # Added as bytes in base64, so the part carries the text byte for byte: an .ics must keep
    # its CRLF line ends and 75-octet folding, which the text path would rewrite to LF.
    msg.add_attachment(
        attachment.content.encode(params.get("charset", "utf-8")),
        maintype=content_type.maintype,
        subtype=content_type.subtype,
        cte="base64",
        filename=attachment.filename,
        params=params,
    )
