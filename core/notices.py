"""What each kind of notification says: wording as data, one row per kind.

Subjects and bodies are ``str.format`` templates over the facts of the event
(``core.services.notice_facts``: ``title``, ``money``, ``until``, ``reason``...). Which events
cause which notices, to whom, linking to which page, is the table in ``core.notice_table``;
a notice's kind also names its e-mail templates (``adapters/email_templates/{kind}.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Notice:
    """The words of one kind of notification and the preferences category it belongs to."""

    category: str
    subject: str
    body: str
    action: str | None = None  # the e-mail button's label; None: "See the details"
    emailed: bool = True  # False: inbox only, whatever the preferences
    untitled: str = "your training"  # the ``title`` when the training is not known

    def words(self, facts: Mapping[str, Any]) -> tuple[str, str]:
        """The subject and body with the facts filled in; a fact the event lacks raises ``KeyError``."""
        values = _Facts(facts, self.untitled)
        return self.subject.format_map(values), self.body.format_map(values)


class _Facts(dict[str, Any]):
    """The facts a notice's words name, the training's ``title`` its ``untitled`` where the facts lack it."""

    def __init__(self, facts: Mapping[str, Any], untitled: str) -> None:
        super().__init__()
        self._facts, self._untitled = facts, untitled

    def __missing__(self, name: str) -> Any:
        if name == "title" and name not in self._facts:
            return self._untitled
        return self._facts[name]


NOTICES: dict[str, Notice] = {
    # --- trainees: their bookings ---------------------------------------------------------
    "booking.requested": Notice(
        "bookings",
        "Request received: {title}",
        "We received your request for a seat and are checking availability.",
        # The hold or the waitlist follows within a second, and that one is e-mailed.
        emailed=False,
    ),
    "booking.held": Notice(
        "bookings",
        "Seat held: {title}",
        "A seat is held for you until {until}. Pay {money} to confirm it.",
        action="Pay now",
    ),
    "waitlist.promoted": Notice(
        "waitlist",
        "A seat freed up for you: {title}",
        "You were first on the waitlist: a seat is held for you until {until}. Pay {money} to confirm it.",
        action="Pay now",
    ),
    "booking.awaiting_approval": Notice(
        "bookings",
        "Request sent: {title}",
        "This training's expert approves each trainee. Your seat is kept until {until} while they decide; "
        "you pay only once approved.",
    ),
    "booking.approved": Notice(
        "bookings",
        "Approved: {title}",
        "The expert approved your request. Pay now to confirm your seat.",
        action="Pay now",
    ),
    "booking.waitlisted": Notice(
        "waitlist",
        "Waitlisted: {title}",
        "The training is full. You are number {position} on the waitlist; we will tell you when a seat frees up.",
    ),
    "booking.confirmed": Notice(
        "bookings",
        "Booking confirmed: {title}",
        "Your payment of {money} was received and your seat is confirmed.\n\nCancellation terms of your seat: {terms}",
    ),
    "booking.rejected": Notice("bookings", "Booking refused: {title}", "{reason}"),
    "booking.expired": Notice(
        "bookings",
        "Hold expired: {title}",
        "Your seat was held but not paid in time, so it went back on sale.",
    ),
    "booking.closed": Notice(
        "bookings",
        "Request closed: {title}",
        "{reason} Your request is closed; nothing more will be charged, and a payment that still goes "
        "through is refunded in full.",
    ),
    "booking.cancelled": Notice("bookings", "Booking cancelled: {title}", "{reason}{refund}"),
    "training.cancelled": Notice(
        "trainings",
        "Training cancelled: {title}",
        "The expert cancelled this training: {reason}{refund}",
    ),
    "payment.refunded": Notice("payments", "Refund issued: {title}", "We refunded {money} to your card ({reason})."),
    "payment.failed": Notice(
        "payments",
        "Payment failed: {title}",
        "Your payment was declined: {reason}\n\nYour seat stays held until the hold expires; you can pay with "
        "another card.",
        action="Pay with another card",
    ),
    "training.updated": Notice(
        "trainings",
        "Training changed: {title}",
        "The expert changed this training ({what}). The details below are the new ones.",
    ),
    "training.reminder": Notice(
        "reminders",
        "Tomorrow: {title}",
        "Your training starts on {day} at {starts} ({zone}). Please arrive 15 minutes early with an ID.",
    ),
    "assessment.recorded": Notice(
        "mentoring",
        "Your expert's assessment: {title}",
        "The expert of {title} wrote their assessment of your day: what you did, how independently, and "
        "what to work on next. Only you and the expert can read it; it is kept in your portfolio.",
        action="Read the assessment",
    ),
    "assessment.revised": Notice(
        "mentoring",
        "Your assessment was updated: {title}",
        "The expert of {title} revised their assessment of your day. The new version is in your portfolio.",
        action="Read the assessment",
    ),
    "message.from_expert": Notice(
        "mentoring",
        "A message from your expert: {title}",
        "The expert of {title} wrote to you in your follow-up thread. Reply there: only the two of you read it.",
        action="Read and reply",
    ),
    "message.from_trainee": Notice(
        "mentoring",
        "A follow-up question: {title}",
        "A trainee of {title} wrote to you in their follow-up thread about their own cases.",
        action="Read and reply",
    ),
    "message.hidden": Notice(
        "mentoring",
        "Your follow-up message was hidden: {title}",
        "An admin hid one of your messages in a follow-up thread on {title}; the thread shows the reason "
        "instead.\n\nReason: {reason}",
    ),
    "certificate.issued": Notice(
        "certificates",
        "Your certificate: {title}",
        "Your certificate of attendance for {title} is ready. Download it from your certificates; anyone can "
        "check it with its verification code.",
        action="Download",
    ),
    "review.answered": Notice(
        "reviews",
        "Answer to your review: {title}",
        "The expert of {title} answered your review.",
        action="Read the answer",
    ),
    "question.answered": Notice(
        "questions",
        "Your question was answered: {title}",
        "The expert of {title} answered your question. Question and answer are now on the training's page "
        "for everyone to read, with your first name and initial.",
        action="Read the answer",
    ),
    "question.hidden": Notice(
        "questions",
        "Your question was hidden: {title}",
        "An admin hid your question on {title}; no one but the admins sees it now.\n\nReason: {reason}",
    ),
    # --- experts --------------------------------------------------------------------------
    "question.asked": Notice(
        "questions",
        "New question: {title}",
        "A trainee asks you a question about {title} before booking. Answer it from your training's page: "
        "question and answer are then shown publicly.",
        action="Read and answer",
    ),
    "approval.requested": Notice(
        "expert",
        "A trainee asks to join: {title}",
        "{trainee} asks for a seat. Approve or reject the request from your training's page.",
        action="Decide",
    ),
    "booking.new": Notice("expert", "New booking: {title}", "{trainee} booked and paid a seat on {title}."),
    "review.posted": Notice(
        "reviews",
        "New review: {title}",
        "A trainee rated {title} {rating} out of 5. You may answer the review once, publicly.",
        action="Read and answer",
    ),
    "demo.proposed": Notice(
        "expert",
        "A sponsor proposes a demo: {title}",
        "{company} proposes to show “{demo}” at {title}. Accept or decline it from your training's page; "
        "only demos you accept are shown.",
        action="Decide",
    ),
    "expert.verified": Notice(
        "account",
        "Your credentials are verified",
        "An admin checked your credentials: you can now publish trainings, and they show the verified badge.",
    ),
    "expert.rejected": Notice(
        "account",
        "Your credentials could not be verified",
        "Reason: {reason}\n\nYou can correct them and submit again.",
    ),
    "expert.verification_withdrawn": Notice(
        "account",
        "Your verification was withdrawn",
        "Reason: {reason}\n\nYour trainings no longer show the verified badge, and you cannot publish new ones "
        "until an admin verifies the credentials you submit again. Trainees already booked keep their seats.",
    ),
    # --- sponsors -------------------------------------------------------------------------
    "vouchers.issued": Notice(
        "sponsors",
        "Your sponsored seats: {title}",
        "Payment received for {seats} sponsored seat(s) on {title}. Give one code to each trainee you sponsor; "
        "they enter it when booking.",
        untitled="the training",
    ),
    "sponsorship.redeemed": Notice(
        "sponsors",
        "Sponsored seat redeemed: {title}",
        "A trainee redeemed voucher {code} and holds a confirmed seat on {title}.",
    ),
    "sponsorship.refunded": Notice(
        "sponsors",
        "Sponsorship refunded: {title}",
        "{reason} We refunded {money} in full to your card, and the voucher codes of this purchase are void.",
        untitled="the training",
    ),
    "sponsorship.cancelled": Notice(
        "sponsors",
        "Sponsorship called off: {title}",
        "The expert cancelled {title} before your payment went through: there is nothing to pay, and nothing "
        "was charged.",
        untitled="the training",
    ),
    "demo.accepted": Notice(
        "sponsors",
        "Demo accepted: {title}",
        "The expert agreed to show “{demo}” at {title}.",
    ),
    "demo.declined": Notice(
        "sponsors",
        "Demo declined: {title}",
        "The expert of {title} decided not to show “{demo}” there.",
    ),
    # --- admins ---------------------------------------------------------------------------
    "message.reported": Notice(
        "admin",
        "Follow-up message reported: {title}",
        "One of the two parties of a follow-up thread on {title} reported a message as inappropriate.\n\n"
        "Their reason: {reason}\n\nRead it on the moderation desk, and hide it if it breaks the rules.",
        action="Open the desk",
    ),
    "question.reported": Notice(
        "admin",
        "Question reported: {title}",
        "Someone reported a question on {title} (or its answer) as inappropriate.\n\nTheir reason: {reason}\n\n"
        "Read it on the moderation desk, and hide it if it breaks the rules.",
        action="Open the desk",
    ),
    "expert.verification_requested": Notice(
        "admin",
        "Credentials to check: {expert}",
        "{expert} submitted credentials for verification. Check them and verify or reject the expert.",
        action="Open the desk",
    ),
}


# Notices no event row gives: a saved search's match, worked out by core/handlers/alerts.py.
ALERT_NOTICES: dict[str, Notice] = {
    "alert.matched": Notice(
        "alerts",
        "New training for your alert: {title}",
        '{title} ({day}, {place}) matches your saved search "{alert}". Seats are limited: book on its page.',
        action="See the training",
    ),
    "alert.digest": Notice(
        "alerts",
        "{count} new trainings match your saved searches",
        "Published since your last digest:\n{lines}",
        action="See my alerts",
    ),
}
