"""Reviews: what the next trainee reads first, written only by those who were there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# A review may be corrected for this long after it was posted; then it stands as written.
EDIT_WINDOW = timedelta(days=14)
RATINGS = range(1, 6)


@dataclass
class Review:
    """One trainee's rating (1 to 5) and words on one training, and the expert's one answer."""

    id: str
    training_id: str
    series_id: str  # the reviews of every session of a programme are read together
    expert_id: str
    trainee_id: str
    booking_id: str
    rating: int
    text: str
    created_at: datetime
    updated_at: datetime
    author_name: str  # as shown beside the review
    answer: str | None = None
    answered_at: datetime | None = None

    @property
    def editable_until(self) -> datetime:
        """The end of the edit window."""
        return self.created_at + EDIT_WINDOW

    def editable(self, now: datetime) -> bool:
        """Whether its author may still change it."""
        return now < self.editable_until


@dataclass(frozen=True)
class Rating:
    """The average of a set of reviews (None when there are none), and how many there are."""

    average: float | None
    count: int

    @staticmethod
    def of(ratings: list[int]) -> Rating:
        """The average, to two decimals, of these ratings."""
        if not ratings:
            return Rating(None, 0)
        return Rating(round(sum(ratings) / len(ratings), 2), len(ratings))
