"""The day-before reminder: announced once per training date, then fanned out like any event."""

from __future__ import annotations

from datetime import timedelta

from core.services.deps import Deps
from events import TrainingReminderDue
from events.envelope import derived_id, new_event


def announce_reminders(deps: Deps, limit: int = 100) -> int:
    """Publish ``training.reminder_due`` for trainings starting within ``reminder_hours``; how many.

    The event id is derived from the training and its start, so a sweep that dies between
    publishing and marking publishes the same event again, which consumers skip; a training
    moved to another day is reminded again for the new day.
    """
    now = deps.clock()
    due = deps.trainings.due_for_reminder(now, now + timedelta(hours=deps.policy.reminder_hours), limit)
    for training in due:
        assert training.starts_at is not None  # published trainings have a date
        starts_at = training.starts_at.isoformat()
        deps.publisher.publish(
            new_event(
                TrainingReminderDue(training_id=training.id, starts_at=starts_at),
                deps.policy.source,
                id=derived_id(training.id, f"reminder/{starts_at}"),
            )
        )
        deps.trainings.mark_reminded(training.id, training.starts_at)
    return len(due)
