"""SmtpMailer against the real SMTP sink (and nothing else): text + HTML alternatives and an .ics invitation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from adapters.smtp_mailer import SmtpMailer
from core.errors import Unavailable
from core.ports import Attachment, Email
from devstack.process import ServiceHandle
from devstack.services import free_port
from devstack.smtp_sink import read_maildir
from tests.support import wait_for

TEXT = "Hello Dr Lovelace,\n\nYour seat at Hôpital Européen Georges-Pompidou is confirmed.\n"
HTML = '<!DOCTYPE html>\n<html lang="en"><body><p>Your seat at H&ocirc;pital Europ&eacute;en is confirmed.</p>\n' + (
    "<p>" + "A long line that a mail client must not break. " * 5 + "</p>\n</body></html>\n"
)
ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "SUMMARY:Réparation mitrale\\, une journée au bloc opératoire avec l'expert et son équ\r\n ipe\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def received_by(sink: ServiceHandle, address: str) -> EmailMessage:
    """The one message the sink delivered to ``address``, once it is there."""
    found = wait_for(
        lambda: [m for m in read_maildir(sink.data["maildir"]) if address in str(m["To"])], timeout=15, what=address
    )
    assert len(found) == 1
    return found[0]


def test_html_and_invitation_arrive_as_sent(smtp_sink: ServiceHandle) -> None:
    address = f"trainee-{uuid.uuid4().hex[:10]}@example.org"
    message_id = f"booking.confirmed-{uuid.uuid4().hex}"
    mailer = SmtpMailer(smtp_sink.url, "InSitu Marketplace <noreply@marketplace.example.org>")
    mailer.send(
        Email(
            to=address,
            subject="Votre réservation est confirmée",
            text=TEXT,
            html=HTML,
            message_id=message_id,
            attachments=(Attachment("invite.ics", "text/calendar; method=REQUEST", ICS),),
        )
    )

    msg = received_by(smtp_sink, address)
    assert msg["Message-ID"] == f"<{message_id}@marketplace>"
    assert msg["Subject"] == "Votre réservation est confirmée"
    assert msg["From"] == "InSitu Marketplace <noreply@marketplace.example.org>"
    # "-0000" (UTC, sender's zone not said) parses as a naive datetime.
    sent_at = msg["Date"].datetime.replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - sent_at) < timedelta(minutes=5)

    assert msg.get_content_type() == "multipart/mixed"
    body, invite = msg.get_payload()
    assert body.get_content_type() == "multipart/alternative"
    text_part, html_part = body.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert text_part.get_content() == TEXT
    assert html_part.get_content_type() == "text/html"
    assert html_part.get_content() == HTML

    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    assert invite.get_content_charset() == "utf-8"
    assert invite.get_content_disposition() == "attachment"
    assert invite.get_filename() == "invite.ics"
    assert invite.get_param("name") == "invite.ics"
    assert invite.get_content() == ICS  # CRLF line ends and folding intact
    assert invite.get_payload(decode=True) == ICS.encode("utf-8")


def test_text_only_stays_a_single_part(smtp_sink: ServiceHandle) -> None:
    address = f"trainee-{uuid.uuid4().hex[:10]}@example.org"
    SmtpMailer(smtp_sink.url, "noreply@marketplace.example.org").send(
        Email(to=address, subject="Plain", text=TEXT, message_id=uuid.uuid4().hex)
    )
    msg = received_by(smtp_sink, address)
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content() == TEXT


def test_a_server_that_does_not_answer_is_unavailable() -> None:
    mailer = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "noreply@marketplace.example.org", timeout_s=2)
    with pytest.raises(Unavailable):
        mailer.send(Email(to="a@example.org", subject="x", text="x\n", message_id="x"))
