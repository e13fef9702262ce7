"""After the day: a private thread between a trainee who was there and the training's expert, about the
trainee's own cases, open for the period the expert set on the training (90 days unless they said otherwise)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.assessments import MESSAGE_MAX, FollowUpMessage, MessageReport
from core.booking_rules import was_present
from core.errors import Conflict, NotFound, ValidationError
from core.model import Booking, Role, Training, TrainingStatus, User
from core.questions import REASON_LENGTH, plain_text
from core.services import limits
from core.services.accounts import require_role
from core.services.announce import announce
from core.services.assessments import between_its_parties, booking_and_training
from core.services.deps import Deps
from core.words import N_, Worded
from events import FollowUpMessageHidden, FollowUpMessageModerated, FollowUpMessagePosted, FollowUpMessageReported
from events.envelope import Event, new_event


def thread_of(deps: Deps, viewer: User, booking_id: str, limit: int = 100, offset: int = 0) -> ThreadView:
    """The thread of a booking, for its trainee and the training's expert only (404 for anyone else)."""
    booking, training = between_its_parties(deps, viewer, booking_id)
    messages, total = deps.follow_ups.of_booking(booking.id, limit, offset)
    opens, closes = opens_at(training), closes_at(training)
    now = deps.clock()
    is_open = was_present(booking) and _day_over(training, now) and now < closes
    return ThreadView(booking, training, messages, total, opens, closes, is_open, not _day_over(training, now))


def post_message(deps: Deps, author: User, booking_id: str, text: str) -> FollowUpMessage:
    """Write in the thread while it is open; the other side is told."""
    booking, training = between_its_parties(deps, author, booking_id)
    now = deps.clock()
    if not was_present(booking):
        raise Conflict("The follow-up is for trainees who attended: the expert marks attendance on the day.")
    if not _day_over(training, now):
        raise Conflict("The follow-up opens after the day; until then, ask your question on the training's page.")
    if now >= closes_at(training):
        raise Conflict(Worded(N_("The follow-up closed on %(day)s: the expert kept it open %(days)s days."),
                              day=closes_at(training), days=training.follow_up_days))  # fmt: skip
    said = text.strip()
    if not said or len(said) > MESSAGE_MAX:
        raise ValidationError("Write between 1 and 4000 characters.", {"text": ["1 to 4000 characters."]})
    limits.throttle(deps.rate_limits, f"message:{author.id}", deps.policy.messages_per_user, now, "messages")
    by = "trainee" if author.id == booking.trainee_id else "expert"
    message = FollowUpMessage(
        id=f"msg_{uuid.uuid4().hex[:16]}", booking_id=booking.id, training_id=training.id, author_id=author.id,
        by=by, text=said, created_at=now,
    )  # fmt: skip
    event = FollowUpMessagePosted(
        message_id=message.id, booking_id=booking.id, training_id=training.id, trainee_id=booking.trainee_id,
        expert_id=training.expert_id, by=by,
    )  # fmt: skip
    deps.follow_ups.add(message, announcing=new_event(event, deps.policy.source))
    announce(deps, "follow_ups", message.id)
    return message


def _day_over(training: Training, now: datetime) -> bool:
    """The day ended, or the training was marked completed (by its expert, or the sweep after the day)."""
    return training.status is TrainingStatus.COMPLETED or now >= opens_at(training)


def opens_at(training: Training) -> datetime:
    """The thread opens once the day is over."""
    assert training.ends_at is not None and training.starts_at is not None  # published trainings have times
    return training.ends_at


def closes_at(training: Training) -> datetime:
    """... and stays open the expert's number of days."""
    return opens_at(training) + timedelta(days=training.follow_up_days)


@dataclass(frozen=True)
class ThreadView:
    """A thread as its two parties see it: the messages, and whether and until when one may write."""

    booking: Booking
    training: Training
    messages: list[FollowUpMessage]
    total: int
    opens_at: datetime
    closes_at: datetime
    open: bool
    not_yet: bool  # the day is not over


def report_message(deps: Deps, user: User, message_id: str, reason: str) -> FollowUpMessage:
    """One of the thread's two parties reports a message, once; the admins are told and may read it."""
    message = deps.follow_ups.get(message_id)
    if message is None:
        raise NotFound(Worded(N_("No message %(id)s."), id=message_id))
    booking, training = between_its_parties(deps, user, message.booking_id)  # 404 for anyone else
    if message.hidden_at is not None:
        raise Conflict("This message is hidden already.")
    if message.reported_by(user.id):
        raise Conflict("You have reported this message already.")
    why = plain_text("reason", reason, REASON_LENGTH)
    event = _moderated(deps, FollowUpMessageReported, message, booking, training, why, reporter_id=user.id)
    if not deps.follow_ups.report(message.id, MessageReport(user.id, why, deps.clock()), announcing=event):
        raise Conflict("This message was reported or hidden meanwhile; reload.")
    announce(deps, "follow_ups", message.id)
    return _stored(deps, message.id)


def hide_message(deps: Deps, admin: User, message_id: str, reason: str) -> FollowUpMessage:
    """An admin hides a message: its two parties see the reason instead of the words; its author is told."""
    require_role(admin, Role.ADMIN)
    message = deps.follow_ups.get(message_id)
    if message is None:
        raise NotFound(Worded(N_("No message %(id)s."), id=message_id))
    booking, training = booking_and_training(deps, message.booking_id)
    why = plain_text("reason", reason, REASON_LENGTH)
    event = _moderated(deps, FollowUpMessageHidden, message, booking, training, why, admin_id=admin.id)
    if not deps.follow_ups.hide(message.id, why, deps.clock(), announcing=event):
        raise Conflict("This message is hidden already.")
    announce(deps, "follow_ups", message.id)
    return _stored(deps, message.id)


def messages_under_review(deps: Deps, admin: User, limit: int, offset: int) -> tuple[list[FollowUpMessage], int]:
    """The moderation desk: reported messages not hidden yet, the latest report first (admins)."""
    require_role(admin, Role.ADMIN)
    return deps.follow_ups.under_review(limit, offset)


def _moderated(
    deps: Deps, kind: type[FollowUpMessageModerated], message: FollowUpMessage, booking: Booking, training: Training,
    reason: str, **who: str,
) -> Event:  # fmt: skip
    changed = kind(
        message_id=message.id, booking_id=booking.id, training_id=training.id, trainee_id=booking.trainee_id,
        expert_id=training.expert_id, by=message.by, reason=reason, **who,
    )  # fmt: skip
    return new_event(changed, deps.policy.source)


def _stored(deps: Deps, message_id: str) -> FollowUpMessage:
    stored = deps.follow_ups.get(message_id)
    assert stored is not None
    return stored
