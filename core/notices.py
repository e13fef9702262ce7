"""What each kind of notification says: wording as data, one row per kind.

Subjects and bodies are ``str.format`` templates over the facts of the event
(``core.services.notice_facts``: ``title``, ``money``, ``until``, ``reason``...), in English and
marked for the catalogue (``N_``; ``ngettext`` where a number picks the form): ``words`` says them
in the reader's language (a ``Wording``), the facts worded in it too. Which events cause which
notices, to whom, linking to which page, is the table in ``core.notice_table``; a notice's kind
also names its e-mail templates (``adapters/email_templates/{kind}.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.ports import Wording
from core.words import N_


@dataclass(frozen=True)
class Plural:
    """A message whose form follows a number: the English singular and plural, and the fact that counts."""

    singular: str
    plural: str
    count: str  # the name of the fact whose number picks the form


def ngettext(singular: str, plural: str, count: str) -> Plural:
    """Both forms marked for the catalogue (extraction reads ``ngettext`` as a message with a plural),
    the form picked when the notice is worded, by the number of the fact ``count``."""
    return Plural(singular, plural, count)


@dataclass(frozen=True)
class Notice:
    """The words of one kind of notification and the preferences category it belongs to."""

    category: str
    subject: str | Plural
    body: str | Plural
    action: str | None = None  # the e-mail button's label; None: "See the details"
    emailed: bool = True  # False: inbox only, whatever the preferences
    untitled: str = N_("your training")  # the ``title`` when the training is not known

    def words(self, facts: Mapping[str, Any], wording: Wording) -> tuple[str, str]:
        """The subject and body in ``wording``'s language with the facts (worded in it too) filled in;
        a fact the event lacks raises ``KeyError``."""
        values = _Facts(facts, wording.gettext(self.untitled))
        return say(self.subject, values, wording), say(self.body, values, wording)


def say(message: str | Plural, facts: Mapping[str, Any], wording: Wording) -> str:
    """One marked message in ``wording``'s language, the facts it names filled in."""
    if isinstance(message, Plural):
        told = wording.ngettext(message.singular, message.plural, int(facts[message.count]))
    else:
        told = wording.gettext(message)
    return told.format_map(facts)


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
        N_("Request received: {title}"),
        N_("We received your request for a seat and are checking availability."),
        # The hold or the waitlist follows within a second, and that one is e-mailed.
        emailed=False,
    ),
    "booking.held": Notice(
        "bookings",
        N_("Seat held: {title}"),
        N_("A seat is held for you until {until}. Pay {money} to confirm it."),
        action=N_("Pay now"),
    ),
    "waitlist.promoted": Notice(
        "waitlist",
        N_("A seat freed up for you: {title}"),
        N_("You were first on the waitlist: a seat is held for you until {until}. Pay {money} to confirm it."),
        action=N_("Pay now"),
    ),
    "booking.awaiting_approval": Notice(
        "bookings",
        N_("Request sent: {title}"),
        N_(
            "This training's expert approves each trainee. Your seat is kept until {until} while they decide; "
            "you pay only once approved."
        ),
    ),
    "booking.approved": Notice(
        "bookings",
        N_("Approved: {title}"),
        N_("The expert approved your request. Pay now to confirm your seat."),
        action=N_("Pay now"),
    ),
    "booking.waitlisted": Notice(
        "waitlist",
        N_("Waitlisted: {title}"),
        N_("The training is full. You are number {position} on the waitlist; we will tell you when a seat frees up."),
    ),
    "booking.confirmed": Notice(
        "bookings",
        N_("Booking confirmed: {title}"),
        N_(
            "Your payment of {money} was received and your seat is confirmed.\n\n"
            "Cancellation terms of your seat: {terms}"
        ),
    ),
    "booking.rejected": Notice("bookings", N_("Booking refused: {title}"), N_("{reason}")),
    "booking.expired": Notice(
        "bookings",
        N_("Hold expired: {title}"),
        N_("Your seat was held but not paid in time, so it went back on sale."),
    ),
    "booking.closed": Notice(
        "bookings",
        N_("Request closed: {title}"),
        N_(
            "{reason} Your request is closed; nothing more will be charged, and a payment that still goes "
            "through is refunded in full."
        ),
    ),
    "booking.cancelled": Notice("bookings", N_("Booking cancelled: {title}"), N_("{reason}{refund}")),
    "training.cancelled": Notice(
        "trainings",
        N_("Training cancelled: {title}"),
        N_("The expert cancelled this training: {reason}{refund}"),
    ),
    "payment.refunded": Notice(
        "payments", N_("Refund issued: {title}"), N_("We refunded {money} to your card ({reason}).")
    ),
    "payment.failed": Notice(
        "payments",
        N_("Payment failed: {title}"),
        N_(
            "Your payment was declined: {reason}\n\nYour seat stays held until the hold expires; you can pay with "
            "another card."
        ),
        action=N_("Pay with another card"),
    ),
    "training.updated": Notice(
        "trainings",
        N_("Training changed: {title}"),
        N_("The expert changed this training ({what}). The details below are the new ones."),
    ),
    "training.reminder": Notice(
        "reminders",
        N_("Tomorrow: {title}"),
        N_("Your training starts on {day} at {starts} ({zone}). Please arrive 15 minutes early with an ID."),
    ),
    "assessment.recorded": Notice(
        "mentoring",
        N_("Your expert's assessment: {title}"),
        N_(
            "The expert of {title} wrote their assessment of your day: what you did, how independently, and "
            "what to work on next. Only you and the expert can read it; it is kept in your portfolio."
        ),
        action=N_("Read the assessment"),
    ),
    "assessment.revised": Notice(
        "mentoring",
        N_("Your assessment was updated: {title}"),
        N_("The expert of {title} revised their assessment of your day. The new version is in your portfolio."),
        action=N_("Read the assessment"),
    ),
    "message.from_expert": Notice(
        "mentoring",
        N_("A message from your expert: {title}"),
        N_("The expert of {title} wrote to you in your follow-up thread. Reply there: only the two of you read it."),
        action=N_("Read and reply"),
    ),
    "message.from_trainee": Notice(
        "mentoring",
        N_("A follow-up question: {title}"),
        N_("A trainee of {title} wrote to you in their follow-up thread about their own cases."),
        action=N_("Read and reply"),
    ),
    "message.hidden": Notice(
        "mentoring",
        N_("Your follow-up message was hidden: {title}"),
        N_(
            "An admin hid one of your messages in a follow-up thread on {title}; the thread shows the reason "
            "instead.\n\nReason: {reason}"
        ),
    ),
    "certificate.issued": Notice(
        "certificates",
        N_("Your certificate: {title}"),
        N_(
            "Your certificate of attendance for {title} is ready. Download it from your certificates; anyone can "
            "check it with its verification code."
        ),
        action=N_("Download"),
    ),
    "review.answered": Notice(
        "reviews",
        N_("Answer to your review: {title}"),
        N_("The expert of {title} answered your review."),
        action=N_("Read the answer"),
    ),
    "question.answered": Notice(
        "questions",
        N_("Your question was answered: {title}"),
        N_(
            "The expert of {title} answered your question. Question and answer are now on the training's page "
            "for everyone to read, with your first name and initial."
        ),
        action=N_("Read the answer"),
    ),
    "question.hidden": Notice(
        "questions",
        N_("Your question was hidden: {title}"),
        N_("An admin hid your question on {title}; no one but the admins sees it now.\n\nReason: {reason}"),
    ),
    # --- experts --------------------------------------------------------------------------
    "question.asked": Notice(
        "questions",
        N_("New question: {title}"),
        N_(
            "A trainee asks you a question about {title} before booking. Answer it from your training's page: "
            "question and answer are then shown publicly."
        ),
        action=N_("Read and answer"),
    ),
    "approval.requested": Notice(
        "expert",
        N_("A trainee asks to join: {title}"),
        N_("{trainee} asks for a seat. Approve or reject the request from your training's page."),
        action=N_("Decide"),
    ),
    "booking.new": Notice("expert", N_("New booking: {title}"), N_("{trainee} booked and paid a seat on {title}.")),
    "review.posted": Notice(
        "reviews",
        N_("New review: {title}"),
        N_("A trainee rated {title} {rating} out of 5. You may answer the review once, publicly."),
        action=N_("Read and answer"),
    ),
    "demo.proposed": Notice(
        "expert",
        N_("A sponsor proposes a demo: {title}"),
        N_(
            "{company} proposes to show “{demo}” at {title}. Accept or decline it from your training's page; "
            "only demos you accept are shown."
        ),
        action=N_("Decide"),
    ),
    "expert.verified": Notice(
        "account",
        N_("Your credentials are verified"),
        N_("An admin checked your credentials: you can now publish trainings, and they show the verified badge."),
    ),
    "expert.rejected": Notice(
        "account",
        N_("Your credentials could not be verified"),
        N_("Reason: {reason}\n\nYou can correct them and submit again."),
    ),
    "expert.verification_withdrawn": Notice(
        "account",
        N_("Your verification was withdrawn"),
        N_(
            "Reason: {reason}\n\nYour trainings no longer show the verified badge, and you cannot publish new ones "
            "until an admin verifies the credentials you submit again. Trainees already booked keep their seats."
        ),
    ),
    # --- sponsors -------------------------------------------------------------------------
    "vouchers.issued": Notice(
        "sponsors",
        N_("Your sponsored seats: {title}"),
        ngettext(
            "Payment received for {seats} sponsored seat on {title}. Give its code to the trainee you sponsor; "
            "they enter it when booking.",
            "Payment received for {seats} sponsored seats on {title}. Give one code to each trainee you sponsor; "
            "they enter it when booking.",
            "seats",
        ),
        untitled=N_("the training"),
    ),
    "sponsorship.redeemed": Notice(
        "sponsors",
        N_("Sponsored seat redeemed: {title}"),
        N_("A trainee redeemed voucher {code} and holds a confirmed seat on {title}."),
    ),
    "sponsorship.refunded": Notice(
        "sponsors",
        N_("Sponsorship refunded: {title}"),
        N_("{reason} We refunded {money} in full to your card, and the voucher codes of this purchase are void."),
        untitled=N_("the training"),
    ),
    "sponsorship.cancelled": Notice(
        "sponsors",
        N_("Sponsorship called off: {title}"),
        N_(
            "The expert cancelled {title} before your payment went through: there is nothing to pay, and nothing "
            "was charged."
        ),
        untitled=N_("the training"),
    ),
    "demo.accepted": Notice(
        "sponsors",
        N_("Demo accepted: {title}"),
        N_(
            "The expert agreed to show “{demo}” at {title}.",
        ),
    ),
    "demo.declined": Notice(
        "sponsors",
        N_("Demo declined: {title}"),
        N_(
            "The expert of {title} decided not to show “{demo}” there.",
        ),
    ),
    # --- admins ---------------------------------------------------------------------------
    "message.reported": Notice(
        "admin",
        N_("Follow-up message reported: {title}"),
        N_(
            "One of the two parties of a follow-up thread on {title} reported a message as inappropriate.\n\n"
            "Their reason: {reason}\n\nRead it on the moderation desk, and hide it if it breaks the rules."
        ),
        action=N_("Open the desk"),
    ),
    "question.reported": Notice(
        "admin",
        N_("Question reported: {title}"),
        N_(
            "Someone reported a question on {title} (or its answer) as inappropriate.\n\nTheir reason: {reason}\n\n"
            "Read it on the moderation desk, and hide it if it breaks the rules."
        ),
        action=N_("Open the desk"),
    ),
    "expert.verification_requested": Notice(
        "admin",
        N_("Credentials to check: {expert}"),
        N_("{expert} submitted credentials for verification. Check them and verify or reject the expert."),
        action=N_("Open the desk"),
    ),
}


# Notices no event row gives: a saved search's match, worked out by core/handlers/alerts.py.
ALERT_NOTICES: dict[str, Notice] = {
    "alert.matched": Notice(
        "alerts",
        N_("New training for your alert: {title}"),
        N_('{title} ({day}, {place}) matches your saved search "{alert}". Seats are limited: book on its page.'),
        action=N_("See the training"),
    ),
    "alert.digest": Notice(
        "alerts",
        ngettext(
            "{count} new training matches your saved searches",
            "{count} new trainings match your saved searches",
            "count",
        ),
        N_("Published since your last digest:\n{lines}"),
        action=N_("See my alerts"),
    ),
}
