"""Events of trainings, their day, attendance, certificates and reviews, keyed by the training."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from events.base import DomainEvent, amount, optional, wire
from events.types import Topic


@dataclass(frozen=True, kw_only=True)
class TrainingChanged(DomainEvent):
    """A training as it stands after a change (shared by the five ``training.*`` lifecycle types)."""

    training_id: str
    expert_id: str
    title: str
    capacity: int | None = amount(optional=True)
    price: int | None = amount(optional=True)
    currency: str | None = None
    starts_at: str | None = None  # ISO-8601, as the training stores it
    status: str
    changes: list[str] | None = optional()  # training.updated: the fields that changed
    reason: str | None = optional()  # a cancelled training's reason, when the expert gave one

    def subject(self) -> str:
        """The training."""
        return self.training_id


@dataclass(frozen=True, kw_only=True)
class TrainingCreated(TrainingChanged):
    """An expert drafted a training."""

    TYPE = "training.created"
    TOPIC = Topic.TRAININGS


# Every event that changes a training's seats travels on BOOKINGS, keyed by the training, so
# one partition, hence one capacity worker, applies them all in order.
@dataclass(frozen=True, kw_only=True)
class TrainingPublished(TrainingChanged):
    """A training opened for bookings."""

    TYPE = "training.published"
    TOPIC = Topic.BOOKINGS


@dataclass(frozen=True, kw_only=True)
class TrainingUpdated(TrainingChanged):
    """A training's details (perhaps its capacity) changed."""

    TYPE = "training.updated"
    TOPIC = Topic.BOOKINGS


@dataclass(frozen=True, kw_only=True)
class TrainingCancelled(TrainingChanged):
    """The expert cancelled a training."""

    TYPE = "training.cancelled"
    TOPIC = Topic.BOOKINGS


@dataclass(frozen=True, kw_only=True)
class TrainingCompleted(TrainingChanged):
    """A training's day (and its grace for corrections) is over."""

    TYPE = "training.completed"
    TOPIC = Topic.TRAININGS


@dataclass(frozen=True, kw_only=True)
class TrainingReminderDue(DomainEvent):
    """A training starts soon: time for the day-before reminders."""

    TYPE = "training.reminder_due"
    TOPIC = Topic.TRAININGS

    training_id: str
    starts_at: str

    def subject(self) -> str:
        """The training."""
        return self.training_id


@dataclass(frozen=True, kw_only=True)
class AttendanceRecorded(DomainEvent):
    """The expert marked a trainee present or absent."""

    TYPE = "attendance.recorded"
    TOPIC = Topic.TRAININGS

    booking_id: str
    training_id: str
    trainee_id: str
    present: bool

    def subject(self) -> str:
        """The booking."""
        return self.booking_id


@dataclass(frozen=True, kw_only=True)
class CertificateIssued(DomainEvent):
    """A trainee who attended got a certificate."""

    TYPE = "certificate.issued"
    TOPIC = Topic.TRAININGS

    certificate_id: str
    booking_id: str
    training_id: str
    trainee_id: str

    def subject(self) -> str:
        """The certificate."""
        return self.certificate_id


@dataclass(frozen=True, kw_only=True)
class ReviewChanged(DomainEvent):
    """A review as it stands (shared by the three ``review.*`` types)."""

    TOPIC = Topic.TRAININGS

    review_id: str
    training_id: str
    expert_id: str
    trainee_id: str
    # Not strict, as before the classes: the one integer field that never was.
    rating: int = wire(schema_field=fields.Integer(required=True, validate=validate.Range(min=1, max=5)))

    def subject(self) -> str:
        """The review."""
        return self.review_id


@dataclass(frozen=True, kw_only=True)
class ReviewPosted(ReviewChanged):
    """A trainee reviewed a training."""

    TYPE = "review.posted"


@dataclass(frozen=True, kw_only=True)
class ReviewEdited(ReviewChanged):
    """A trainee changed their review."""

    TYPE = "review.edited"


@dataclass(frozen=True, kw_only=True)
class ReviewAnswered(ReviewChanged):
    """The expert answered a review."""

    TYPE = "review.answered"


@dataclass(frozen=True, kw_only=True)
class AssessmentRecorded(DomainEvent):
    """The training's expert assessed (or revised their assessment of) a trainee's day."""

    TYPE = "assessment.recorded"
    TOPIC = Topic.TRAININGS

    booking_id: str
    training_id: str
    trainee_id: str
    expert_id: str
    revision: int

    def subject(self) -> str:
        """The booking it is about."""
        return self.booking_id


@dataclass(frozen=True, kw_only=True)
class FollowUpMessagePosted(DomainEvent):
    """A trainee or the training's expert wrote in their private thread after the day."""

    TYPE = "message.posted"
    TOPIC = Topic.TRAININGS

    message_id: str
    booking_id: str
    training_id: str
    trainee_id: str
    expert_id: str
    by: str  # "trainee" or "expert": the other side is told

    def subject(self) -> str:
        """The message."""
        return self.message_id


@dataclass(frozen=True, kw_only=True)
class FollowUpMessageModerated(DomainEvent):
    """A follow-up message reported by one of its two parties, or hidden by an admin (the two types below)."""

    TOPIC = Topic.TRAININGS

    message_id: str
    booking_id: str
    training_id: str
    trainee_id: str
    expert_id: str
    by: str  # who wrote the message: "trainee" or "expert"
    reason: str
    reporter_id: str | None = optional()
    admin_id: str | None = optional()

    def subject(self) -> str:
        """The message."""
        return self.message_id


@dataclass(frozen=True, kw_only=True)
class FollowUpMessageReported(FollowUpMessageModerated):
    """One of the two parties reported a message: the admins read it, and decide."""

    TYPE = "message.reported"


@dataclass(frozen=True, kw_only=True)
class FollowUpMessageHidden(FollowUpMessageModerated):
    """An admin hid a message: its author is told why."""

    TYPE = "message.hidden"
