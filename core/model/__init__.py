"""The domain: users, one-day trainings, bookings and the booking state machine, seat holds.

One module per concept; every name is re-exported here, so ``from core.model import X``
reads the same wherever X lives.
"""

from __future__ import annotations

from core.model.bookings import (
    ACTIVE_STATUSES,
    DECIDED_STATUSES,
    SEATED_STATUSES,
    TRANSITIONS,
    Booking,
    BookingStatus,
    can_transition,
    sources_of,
)
from core.model.pictures import Picture, Rendition
from core.model.seats import SeatHold, SeatOutcome, free_seats
from core.model.trainings import (
    FROZEN_AFTER_PUBLISH,
    TRAINING_TRANSITIONS,
    Training,
    TrainingStatus,
    Venue,
    can_move_training,
    zone_of,
)
from core.model.users import PROFILE_FIELDS, UI_LANGUAGES, VERIFICATION_TRANSITIONS, Role, User, Verification

__all__ = [
    "ACTIVE_STATUSES",
    "DECIDED_STATUSES",
    "FROZEN_AFTER_PUBLISH",
    "PROFILE_FIELDS",
    "SEATED_STATUSES",
    "TRAINING_TRANSITIONS",
    "UI_LANGUAGES",
    "TRANSITIONS",
    "VERIFICATION_TRANSITIONS",
    "Booking",
    "BookingStatus",
    "Picture",
    "Rendition",
    "Role",
    "SeatHold",
    "SeatOutcome",
    "Training",
    "TrainingStatus",
    "User",
    "Venue",
    "Verification",
    "can_move_training",
    "can_transition",
    "free_seats",
    "sources_of",
    "zone_of",
]
