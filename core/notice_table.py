"""Which notices each event causes: event type -> rows of (audience, notice, page, conditions).

A row's ``kind`` names its notice: the words and the preferences category are in
``core.notices``, the e-mail templates are ``adapters/email_templates/{kind}.*`` (else the
default ones). Audiences, pages, conditions and calendar files are names that the notifications
handler (``core.handlers.notifications``) resolves against the event's facts. ``SILENT`` lists
the event types the notifications worker reads and that tell no one, so leaving one out is a choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from core.notices import NOTICES, Notice
from events import (
    AssessmentRecorded,
    AttendanceRecorded,
    BookingApprovalDecided,
    BookingApproved,
    BookingAwaitingApproval,
    BookingCancellationRequested,
    BookingCancelled,
    BookingClosed,
    BookingConfirmed,
    BookingExpired,
    BookingExpiryDue,
    BookingHeld,
    BookingRejected,
    BookingRequested,
    BookingWaitlisted,
    CertificateIssued,
    DemoCreated,
    DemoLinkAccepted,
    DemoLinkDeclined,
    DemoLinkRequested,
    ExpertRejected,
    ExpertVerificationRequested,
    ExpertVerificationWithdrawn,
    ExpertVerified,
    FollowUpMessageHidden,
    FollowUpMessagePosted,
    FollowUpMessageReported,
    LearningGoalsSet,
    PaymentFailed,
    PaymentIntentCreated,
    PaymentRefunded,
    PaymentSubmitted,
    PaymentSucceeded,
    QuestionAnswered,
    QuestionAsked,
    QuestionHidden,
    QuestionReported,
    RefundRequested,
    ReviewAnswered,
    ReviewEdited,
    ReviewPosted,
    SponsorshipCancelled,
    SponsorshipPaid,
    SponsorshipPaymentSubmitted,
    SponsorshipRefunded,
    SponsorshipRequested,
    TrainingCancelled,
    TrainingCompleted,
    TrainingCreated,
    TrainingPublished,
    TrainingReminderDue,
    TrainingUpdated,
    UserRegistered,
    VouchersIssued,
)
from events.accounts import AccountClosed, EmailVerificationRequested, PasswordResetRequested

Audience = Literal[
    "trainee",  # the one the event names, else the booking's
    "expert",  # the one the event names (credentials, reviews)
    "training's expert",
    "sponsor",  # the one the event names
    "voucher's sponsor",  # whose voucher paid the booking's seat
    "admins",  # every one of them
    "booked trainees",  # every live booking of the training (requested to confirmed), one notice each
    "confirmed trainees",  # every confirmed seat of the training, one notice each
]
Page = Literal[
    "booking",
    "expert's training",
    "training",
    "sponsorship",
    "credentials",
    "admin desk",
    "certificates",
    "reviews",
    "portfolio",
    "messages",
    "questions",
    "expert's questions",
    "question desk",
    "message desk",
]
Condition = Literal[
    "promoted",
    "by the expert",
    "refund announced",
    "training known",
    "material change",
    "no longer waiting",
    "revised",
]
# The .ics file sent with the notice: the seat's invitation, or its cancellation; "if confirmed":
# only to a seat that is (or, cancelled, was) confirmed, as only those were sent an invitation.
Calendar = Literal["invitation", "invitation if confirmed", "cancellation if confirmed"]
Context = Literal["training", "codes"]  # what the e-mail templates show besides the words


@dataclass(frozen=True)
class Row:
    """One notice an event causes: to whom, which (``kind``), linking to which page, and when."""

    audience: Audience
    kind: str
    page: Page
    when: Condition | None = None  # only if this holds
    unless: Condition | None = None  # not if this holds
    calendar: Calendar | None = None
    inbox_only_if: Condition | None = None  # when it holds, no e-mail (another one said it already)
    context: tuple[Context, ...] = ("training",)

    @property
    def notice(self) -> Notice:
        """The words and category of this row's notice."""
        return NOTICES[self.kind]


NOTICE_TABLE: dict[str, tuple[Row, ...]] = {  # keyed by the wire name, as events arrive
    # --- a trainee's booking, and the expert and sponsor it concerns ----------------------
    BookingRequested.TYPE: (Row("trainee", "booking.requested", "booking"),),
    BookingHeld.TYPE: (
        Row("trainee", "booking.held", "booking", unless="promoted"),
        Row("trainee", "waitlist.promoted", "booking", when="promoted"),
    ),
    BookingAwaitingApproval.TYPE: (
        Row("trainee", "booking.awaiting_approval", "booking"),
        Row("training's expert", "approval.requested", "expert's training"),
    ),
    BookingApproved.TYPE: (Row("trainee", "booking.approved", "booking"),),
    # Told after what is urgent (workers/notifications.py): by then the seat may have come.
    BookingWaitlisted.TYPE: (Row("trainee", "booking.waitlisted", "booking", unless="no longer waiting"),),
    BookingConfirmed.TYPE: (
        Row("trainee", "booking.confirmed", "booking", calendar="invitation"),
        Row("voucher's sponsor", "sponsorship.redeemed", "sponsorship", when="training known"),
        Row("training's expert", "booking.new", "expert's training"),
    ),
    BookingRejected.TYPE: (Row("trainee", "booking.rejected", "booking"),),
    BookingExpired.TYPE: (Row("trainee", "booking.expired", "booking"),),
    BookingClosed.TYPE: (Row("trainee", "booking.closed", "booking"),),
    BookingCancelled.TYPE: (
        Row("trainee", "booking.cancelled", "booking", unless="by the expert", calendar="cancellation if confirmed"),
        Row("trainee", "training.cancelled", "booking", when="by the expert", calendar="cancellation if confirmed"),
    ),
    # When the cancellation notice already said how much comes back, the receipt goes to the
    # inbox only: one e-mail per cancellation.
    PaymentRefunded.TYPE: (Row("trainee", "payment.refunded", "booking", inbox_only_if="refund announced"),),
    PaymentFailed.TYPE: (Row("trainee", "payment.failed", "booking"),),
    # --- every trainee of a training ------------------------------------------------------
    TrainingUpdated.TYPE: (
        Row(
            "booked trainees", "training.updated", "booking", when="material change", calendar="invitation if confirmed"
        ),
    ),
    TrainingReminderDue.TYPE: (Row("confirmed trainees", "training.reminder", "booking"),),
    CertificateIssued.TYPE: (Row("trainee", "certificate.issued", "certificates"),),
    ReviewPosted.TYPE: (Row("expert", "review.posted", "reviews", context=()),),
    ReviewAnswered.TYPE: (Row("trainee", "review.answered", "reviews", context=()),),
    FollowUpMessagePosted.TYPE: (
        Row("trainee", "message.from_expert", "messages", when="by the expert"),
        Row("training's expert", "message.from_trainee", "messages", unless="by the expert"),
    ),
    FollowUpMessageReported.TYPE: (Row("admins", "message.reported", "message desk", context=()),),
    FollowUpMessageHidden.TYPE: (
        Row("trainee", "message.hidden", "messages", unless="by the expert"),
        Row("training's expert", "message.hidden", "messages", when="by the expert"),
    ),
    AssessmentRecorded.TYPE: (
        Row("trainee", "assessment.recorded", "portfolio", unless="revised"),
        Row("trainee", "assessment.revised", "portfolio", when="revised"),
    ),
    # --- questions before booking: the expert asked, the asker answered, admins to moderate --
    QuestionAsked.TYPE: (Row("expert", "question.asked", "expert's questions", context=()),),
    QuestionAnswered.TYPE: (Row("trainee", "question.answered", "questions", context=()),),
    QuestionReported.TYPE: (Row("admins", "question.reported", "question desk", context=()),),
    QuestionHidden.TYPE: (Row("trainee", "question.hidden", "questions", context=()),),
    # --- experts' credentials -------------------------------------------------------------
    ExpertVerificationRequested.TYPE: (Row("admins", "expert.verification_requested", "admin desk", context=()),),
    ExpertVerified.TYPE: (Row("expert", "expert.verified", "credentials", context=()),),
    ExpertRejected.TYPE: (Row("expert", "expert.rejected", "credentials", context=()),),
    ExpertVerificationWithdrawn.TYPE: (Row("expert", "expert.verification_withdrawn", "credentials", context=()),),
    # --- sponsors' demos and purchases ----------------------------------------------------
    DemoLinkRequested.TYPE: (Row("training's expert", "demo.proposed", "expert's training", context=()),),
    DemoLinkAccepted.TYPE: (Row("sponsor", "demo.accepted", "training", when="training known", context=()),),
    DemoLinkDeclined.TYPE: (Row("sponsor", "demo.declined", "training", when="training known", context=()),),
    VouchersIssued.TYPE: (Row("sponsor", "vouchers.issued", "sponsorship", context=("training", "codes")),),
    SponsorshipRefunded.TYPE: (Row("sponsor", "sponsorship.refunded", "sponsorship"),),
    SponsorshipCancelled.TYPE: (Row("sponsor", "sponsorship.cancelled", "sponsorship"),),
}

# Read by the notifications worker (on the topics it consumes), telling no one: the steps in
# between, and what another event already tells (a training cancelled: each booking cancelled).
SILENT = frozenset(
    {
        # The account's own e-mails (address verification, password reset) are core/handlers/account_mail.py's:
        # they skip the inbox and the preferences. A closed account is told nothing more (core/services/delivery.py).
        UserRegistered.TYPE,
        EmailVerificationRequested.TYPE,
        PasswordResetRequested.TYPE,
        AccountClosed.TYPE,
        LearningGoalsSet.TYPE,  # the trainee's own doing: recommendations follow it
        TrainingCreated.TYPE,
        TrainingPublished.TYPE,
        TrainingCancelled.TYPE,
        TrainingCompleted.TYPE,
        AttendanceRecorded.TYPE,
        ReviewEdited.TYPE,
        BookingApprovalDecided.TYPE,
        BookingExpiryDue.TYPE,
        BookingCancellationRequested.TYPE,
        RefundRequested.TYPE,
        PaymentIntentCreated.TYPE,
        PaymentSubmitted.TYPE,
        PaymentSucceeded.TYPE,
        DemoCreated.TYPE,
        SponsorshipRequested.TYPE,
        SponsorshipPaymentSubmitted.TYPE,
        SponsorshipPaid.TYPE,
    }
)
