"""Every event type the marketplace emits, and the topic each one travels on."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    """Event types, past tense, ``aggregate.fact``."""

    USER_REGISTERED = "user.registered"
    EXPERT_VERIFICATION_REQUESTED = "expert.verification_requested"
    EXPERT_VERIFIED = "expert.verified"
    EXPERT_REJECTED = "expert.rejected"
    EXPERT_VERIFICATION_WITHDRAWN = "expert.verification_withdrawn"
    TRAINING_CREATED = "training.created"
    TRAINING_PUBLISHED = "training.published"
    TRAINING_UPDATED = "training.updated"
    TRAINING_CANCELLED = "training.cancelled"
    TRAINING_COMPLETED = "training.completed"
    TRAINING_REMINDER_DUE = "training.reminder_due"
    ATTENDANCE_RECORDED = "attendance.recorded"
    CERTIFICATE_ISSUED = "certificate.issued"
    REVIEW_POSTED = "review.posted"
    REVIEW_EDITED = "review.edited"
    REVIEW_ANSWERED = "review.answered"
    BOOKING_REQUESTED = "booking.requested"
    BOOKING_HELD = "booking.held"
    BOOKING_WAITLISTED = "booking.waitlisted"
    BOOKING_CONFIRMED = "booking.confirmed"
    BOOKING_REJECTED = "booking.rejected"
    BOOKING_AWAITING_APPROVAL = "booking.awaiting_approval"
    BOOKING_APPROVAL_DECIDED = "booking.approval_decided"
    BOOKING_APPROVED = "booking.approved"
    BOOKING_EXPIRY_DUE = "booking.expiry_due"
    BOOKING_EXPIRED = "booking.expired"
    BOOKING_CANCELLATION_REQUESTED = "booking.cancellation_requested"
    BOOKING_CANCELLED = "booking.cancelled"
    BOOKING_CLOSED = "booking.closed"
    REFUND_REQUESTED = "refund.requested"
    PAYMENT_REFUNDED = "payment.refunded"
    PAYMENT_INTENT_CREATED = "payment.intent_created"
    PAYMENT_SUBMITTED = "payment.submitted"
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    DEMO_CREATED = "demo.created"
    DEMO_LINK_REQUESTED = "demo.link_requested"
    DEMO_LINK_ACCEPTED = "demo.link_accepted"
    DEMO_LINK_DECLINED = "demo.link_declined"
    SPONSORSHIP_REQUESTED = "sponsorship.requested"
    SPONSORSHIP_PAYMENT_SUBMITTED = "sponsorship.payment_submitted"
    SPONSORSHIP_PAID = "sponsorship.paid"
    VOUCHERS_ISSUED = "vouchers.issued"
    SPONSORSHIP_CANCELLED = "sponsorship.cancelled"
    SPONSORSHIP_REFUNDED = "sponsorship.refunded"


class Topic(StrEnum):
    """Logical topic names; the deployment may prefix them (see ``topic_name``)."""

    ACCOUNTS = "accounts"
    TRAININGS = "trainings"
    BOOKINGS = "bookings"
    PAYMENTS = "payments"
    SPONSORS = "sponsors"


TOPIC_OF: dict[EventType, Topic] = {
    EventType.USER_REGISTERED: Topic.ACCOUNTS,
    EventType.EXPERT_VERIFICATION_REQUESTED: Topic.ACCOUNTS,
    EventType.EXPERT_VERIFIED: Topic.ACCOUNTS,
    EventType.EXPERT_REJECTED: Topic.ACCOUNTS,
    EventType.EXPERT_VERIFICATION_WITHDRAWN: Topic.ACCOUNTS,
    EventType.TRAINING_CREATED: Topic.TRAININGS,
    # Every event that changes a training's seats travels on BOOKINGS, keyed by the
    # training, so one partition, hence one capacity worker, applies them all in order.
    EventType.TRAINING_PUBLISHED: Topic.BOOKINGS,
    EventType.TRAINING_UPDATED: Topic.BOOKINGS,
    EventType.TRAINING_CANCELLED: Topic.BOOKINGS,
    EventType.TRAINING_COMPLETED: Topic.TRAININGS,
    EventType.TRAINING_REMINDER_DUE: Topic.TRAININGS,
    EventType.ATTENDANCE_RECORDED: Topic.TRAININGS,
    EventType.CERTIFICATE_ISSUED: Topic.TRAININGS,
    EventType.REVIEW_POSTED: Topic.TRAININGS,
    EventType.REVIEW_EDITED: Topic.TRAININGS,
    EventType.REVIEW_ANSWERED: Topic.TRAININGS,
    EventType.BOOKING_REQUESTED: Topic.BOOKINGS,
    EventType.BOOKING_HELD: Topic.BOOKINGS,
    EventType.BOOKING_WAITLISTED: Topic.BOOKINGS,
    EventType.BOOKING_CONFIRMED: Topic.BOOKINGS,
    EventType.BOOKING_REJECTED: Topic.BOOKINGS,
    EventType.BOOKING_AWAITING_APPROVAL: Topic.BOOKINGS,
    EventType.BOOKING_APPROVAL_DECIDED: Topic.BOOKINGS,
    EventType.BOOKING_APPROVED: Topic.BOOKINGS,
    EventType.BOOKING_EXPIRY_DUE: Topic.BOOKINGS,
    EventType.BOOKING_EXPIRED: Topic.BOOKINGS,
    EventType.BOOKING_CANCELLATION_REQUESTED: Topic.BOOKINGS,
    EventType.BOOKING_CANCELLED: Topic.BOOKINGS,
    EventType.BOOKING_CLOSED: Topic.BOOKINGS,
    EventType.REFUND_REQUESTED: Topic.PAYMENTS,
    EventType.PAYMENT_REFUNDED: Topic.PAYMENTS,
    EventType.PAYMENT_INTENT_CREATED: Topic.PAYMENTS,
    EventType.PAYMENT_SUBMITTED: Topic.PAYMENTS,
    # Confirms a seat already held, so it need not wait behind the training's queued
    # requests; keyed by the training, it lands on the same partition number of PAYMENTS,
    # which the range assignor gives to the member that owns the training's BOOKINGS one.
    EventType.PAYMENT_SUCCEEDED: Topic.PAYMENTS,
    EventType.PAYMENT_FAILED: Topic.PAYMENTS,
    EventType.DEMO_CREATED: Topic.SPONSORS,
    EventType.DEMO_LINK_REQUESTED: Topic.SPONSORS,
    EventType.DEMO_LINK_ACCEPTED: Topic.SPONSORS,
    EventType.DEMO_LINK_DECLINED: Topic.SPONSORS,
    EventType.SPONSORSHIP_REQUESTED: Topic.SPONSORS,
    EventType.SPONSORSHIP_PAYMENT_SUBMITTED: Topic.SPONSORS,
    EventType.SPONSORSHIP_PAID: Topic.SPONSORS,
    EventType.VOUCHERS_ISSUED: Topic.SPONSORS,
    EventType.SPONSORSHIP_CANCELLED: Topic.SPONSORS,
    EventType.SPONSORSHIP_REFUNDED: Topic.SPONSORS,
}

# The consumer groups, one per worker; each has its dead-letter topic.
GROUPS = ("capacity", "payments", "notifications", "certificates")

# Three partitions: enough for two or three members of one consumer group to share
# the work, while one training (the Kafka key) always lands on one partition.
PARTITIONS = 3


def topic_name(prefix: str, topic: Topic | str) -> str:
    """The broker-level name of a logical topic under a deployment prefix."""
    return f"{prefix}{topic}"


def dead_letter_topic(prefix: str, group: str) -> str:
    """The dead-letter topic of one consumer group: what that group could not apply."""
    return f"{prefix}deadletter.{group}"


def all_topics(prefix: str, groups: tuple[str, ...] = ()) -> list[str]:
    """Every topic a deployment needs, dead-letter topics of ``groups`` included."""
    names = [topic_name(prefix, t) for t in Topic]
    names += [dead_letter_topic(prefix, g) for g in groups]
    return names
