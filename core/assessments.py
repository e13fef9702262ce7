"""The expert's assessment of a trainee's day: what they did, how independently, and what next.

The scale is the usual one of procedural training, from watching to doing alone. An assessment
belongs to one booking (one trainee at one training); the expert may revise it, and each revision
is counted, so the trainee knows it changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.words import N_

# From watching to doing alone, in order.
PRACTICE = ("observed", "assisted", "performed_supervised", "performed_independently")
PRACTICE_WORDS = {
    "observed": N_("Observed"),
    "assisted": N_("Assisted"),
    "performed_supervised": N_("Performed under supervision"),
    "performed_independently": N_("Performed independently"),
}


@dataclass(frozen=True)
class Competency:
    """One thing the trainee did on the day, and how far they went with it."""

    name: str
    level: str  # one of PRACTICE


@dataclass
class Assessment:
    """The training's expert's word on one trainee's day; seen by the two of them only."""

    booking_id: str
    training_id: str
    trainee_id: str
    expert_id: str
    competencies: list[Competency]
    comment: str
    next_step: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    revision: int = 1
    # What the portfolio shows beside it, copied when it is given: the training may change later.
    training_title: str = ""
    expert_name: str = ""


FOLLOW_UP_DAYS = 90  # how long after the day the private thread stays open, unless the expert says otherwise
MESSAGE_MAX = 4000


@dataclass(frozen=True)
class MessageReport:
    """One party's report of a message as inappropriate: the admins read it, and the message, then."""

    reporter_id: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class FollowUpMessage:
    """One message of the private thread between a trainee and the training's expert, after the day."""

    id: str
    booking_id: str
    training_id: str
    author_id: str
    by: str  # "trainee" or "expert"
    text: str
    created_at: datetime
    reports: tuple[MessageReport, ...] = ()
    reported_at: datetime | None = None  # the latest report: the moderation desk's order
    hidden_at: datetime | None = None
    hidden_reason: str | None = None

    def reported_by(self, user_id: str) -> bool:
        """Whether this person reported it already."""
        return any(r.reporter_id == user_id for r in self.reports)
