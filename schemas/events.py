"""Schemas of the envelope and of every event type's payload."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from events.types import EventType


def _amount(required: bool = True) -> fields.Integer:
    """A non-negative integer in minor units (or a count)."""
    return fields.Integer(required=required, allow_none=not required, strict=True, validate=validate.Range(min=0))


class EnvelopeSchema(Schema):
    """The envelope; ``data`` is checked against the type's own schema."""

    class Meta:
        unknown = RAISE

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.OneOf([str(t) for t in EventType]))
    version = fields.Integer(required=True, strict=True)
    time = fields.AwareDateTime(required=True)
    source = fields.String(required=True)
    subject = fields.String(required=True, validate=validate.Length(min=1))
    correlation_id = fields.String(required=True)
    key = fields.String(required=True, validate=validate.Length(min=1))
    data = fields.Dict(required=True)


class _Payload(Schema):
    class Meta:
        # Newer producers may add fields; older consumers must still apply the event.
        unknown = "exclude"


class TrainingReminderDue(_Payload):
    training_id = fields.String(required=True)
    starts_at = fields.String(required=True)


class AttendanceRecorded(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    present = fields.Boolean(required=True)


class CertificateIssued(_Payload):
    certificate_id = fields.String(required=True)
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)


class ReviewChanged(_Payload):
    review_id = fields.String(required=True)
    training_id = fields.String(required=True)
    expert_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    rating = fields.Integer(required=True, validate=validate.Range(min=1, max=5))


class UserRegistered(_Payload):
    user_id = fields.String(required=True)
    email = fields.Email(required=True)
    role = fields.String(required=True)
    name = fields.String(required=True)


class ExpertVerification(_Payload):
    expert_id = fields.String(required=True)
    status = fields.String(required=True)
    reason = fields.String(allow_none=True)
    admin_id = fields.String(allow_none=True)


class TrainingChanged(_Payload):
    training_id = fields.String(required=True)
    expert_id = fields.String(required=True)
    title = fields.String(required=True)
    capacity = _amount(required=False)
    price = _amount(required=False)
    currency = fields.String(allow_none=True)
    starts_at = fields.String(allow_none=True)
    status = fields.String(required=True)
    changes = fields.List(fields.String())
    reason = fields.String()


class BookingMoney(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    amount = _amount()
    currency = fields.String(required=True)


class RefundTermsSchema(Schema):
    full_refund_days_before = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))


class BookingRequested(BookingMoney):
    """Everything the booking is: the capacity worker rebuilds it from this alone if need be."""

    service_fee = _amount()
    voucher_code = fields.String(allow_none=True)
    requested_at = fields.AwareDateTime(required=True, format="iso")
    refund_terms = fields.Nested(RefundTermsSchema, required=True)


class BookingHeld(BookingMoney):
    expires_at = fields.String(required=True)
    promoted = fields.Boolean()


class BookingRef(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)


class BookingExpiryDue(BookingRef):
    expires_at = fields.String(required=True)


class ApprovalDecided(BookingRef):
    approved = fields.Boolean(required=True)
    reason = fields.String(allow_none=True)
    expert_id = fields.String(required=True)


class CancellationRequested(BookingRef):
    requested_at = fields.String()


class BookingCancelled(BookingRef):
    reason = fields.String(required=True)
    refund_amount = _amount()
    currency = fields.String(required=True)
    by = fields.String(required=True, validate=validate.OneOf(["trainee", "expert"]))
    was = fields.String(allow_none=True)  # the status it was cancelled in


class BookingClosed(BookingRef):
    reason = fields.String(required=True)


class RefundRequested(BookingRef):
    payment_intent_id = fields.String(required=True)
    amount = _amount()
    currency = fields.String(required=True)
    reason = fields.String(required=True)
    # True when the cancellation notice already told the trainee this refund is coming.
    announced = fields.Boolean(load_default=False)


class PaymentRefunded(RefundRequested):
    refund_id = fields.String(required=True)


class BookingWaitlisted(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    position = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


class BookingConfirmed(BookingMoney):
    payment_intent_id = fields.String(required=True)


class BookingRejected(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    reason = fields.String(required=True)


class PaymentIntentCreated(BookingMoney):
    payment_intent_id = fields.String(required=True)


class PaymentSubmitted(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    trainee_id = fields.String(required=True)
    payment_intent_id = fields.String(required=True)
    payment_method = fields.String(required=True)


class PaymentSucceeded(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    payment_intent_id = fields.String(required=True)
    amount = _amount()
    currency = fields.String(required=True)


class PaymentFailed(_Payload):
    booking_id = fields.String(required=True)
    training_id = fields.String(required=True)
    payment_intent_id = fields.String(required=True)
    code = fields.String(allow_none=True)
    reason = fields.String(required=True)


class DemoChanged(_Payload):
    demo_id = fields.String(required=True)
    sponsor_id = fields.String(required=True)
    title = fields.String(required=True)
    training_id = fields.String(allow_none=True)
    expert_id = fields.String(allow_none=True)


class SponsorshipChanged(_Payload):
    sponsorship_id = fields.String(required=True)
    sponsor_id = fields.String(required=True)
    training_id = fields.String(required=True)
    seats = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    amount = _amount()
    currency = fields.String(required=True)
    payment_intent_id = fields.String(allow_none=True)
    payment_method = fields.String(allow_none=True)
    codes = fields.List(fields.String())
    refund_id = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


PAYLOADS: dict[EventType, type[Schema]] = {
    EventType.USER_REGISTERED: UserRegistered,
    EventType.EXPERT_VERIFICATION_REQUESTED: ExpertVerification,
    EventType.EXPERT_VERIFIED: ExpertVerification,
    EventType.EXPERT_REJECTED: ExpertVerification,
    EventType.EXPERT_VERIFICATION_WITHDRAWN: ExpertVerification,
    EventType.TRAINING_CREATED: TrainingChanged,
    EventType.TRAINING_PUBLISHED: TrainingChanged,
    EventType.TRAINING_UPDATED: TrainingChanged,
    EventType.TRAINING_CANCELLED: TrainingChanged,
    EventType.TRAINING_COMPLETED: TrainingChanged,
    EventType.TRAINING_REMINDER_DUE: TrainingReminderDue,
    EventType.ATTENDANCE_RECORDED: AttendanceRecorded,
    EventType.CERTIFICATE_ISSUED: CertificateIssued,
    EventType.REVIEW_POSTED: ReviewChanged,
    EventType.REVIEW_EDITED: ReviewChanged,
    EventType.REVIEW_ANSWERED: ReviewChanged,
    EventType.BOOKING_REQUESTED: BookingRequested,
    EventType.BOOKING_HELD: BookingHeld,
    EventType.BOOKING_WAITLISTED: BookingWaitlisted,
    EventType.BOOKING_CONFIRMED: BookingConfirmed,
    EventType.BOOKING_REJECTED: BookingRejected,
    EventType.BOOKING_AWAITING_APPROVAL: BookingExpiryDue,
    EventType.BOOKING_APPROVAL_DECIDED: ApprovalDecided,
    EventType.BOOKING_APPROVED: BookingRef,
    EventType.BOOKING_EXPIRY_DUE: BookingExpiryDue,
    EventType.BOOKING_EXPIRED: BookingExpiryDue,
    EventType.BOOKING_CANCELLATION_REQUESTED: CancellationRequested,
    EventType.BOOKING_CANCELLED: BookingCancelled,
    EventType.BOOKING_CLOSED: BookingClosed,
    EventType.REFUND_REQUESTED: RefundRequested,
    EventType.PAYMENT_REFUNDED: PaymentRefunded,
    EventType.PAYMENT_INTENT_CREATED: PaymentIntentCreated,
    EventType.PAYMENT_SUBMITTED: PaymentSubmitted,
    EventType.PAYMENT_SUCCEEDED: PaymentSucceeded,
    EventType.PAYMENT_FAILED: PaymentFailed,
    EventType.DEMO_CREATED: DemoChanged,
    EventType.DEMO_LINK_REQUESTED: DemoChanged,
    EventType.DEMO_LINK_ACCEPTED: DemoChanged,
    EventType.DEMO_LINK_DECLINED: DemoChanged,
    EventType.SPONSORSHIP_REQUESTED: SponsorshipChanged,
    EventType.SPONSORSHIP_PAYMENT_SUBMITTED: SponsorshipChanged,
    EventType.SPONSORSHIP_PAID: SponsorshipChanged,
    EventType.VOUCHERS_ISSUED: SponsorshipChanged,
    EventType.SPONSORSHIP_CANCELLED: SponsorshipChanged,
    EventType.SPONSORSHIP_REFUNDED: SponsorshipChanged,
}


def payload_schema(event_type: EventType) -> Schema:
    """A fresh schema instance for the payload of ``event_type``."""
    return PAYLOADS[event_type]()
