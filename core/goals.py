"""A trainee's learning goals: what they want to learn, at which stage of their career, where and in which language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The stages of a clinical career, in order: a training says which of them it is for.
LEVELS = ("resident", "fellow", "specialist", "senior")


@dataclass(frozen=True)
class Budget:
    """The most a trainee will pay for one session, in minor units of one currency."""

    amount: int
    currency: str  # lower case, as trainings' prices are


@dataclass
class LearningGoals:
    """What a trainee wants from the platform; recommendations are ranked against it."""

    trainee_id: str
    specialties: list[str] = field(default_factory=list)
    techniques: list[str] = field(default_factory=list)
    level: str | None = None  # one of LEVELS
    languages: list[str] = field(default_factory=list)  # ISO 639-1, the ones they can follow a day in
    countries: list[str] = field(default_factory=list)  # ISO 3166-1 alpha-2, where they would travel
    budget: Budget | None = None
    updated_at: datetime | None = None

    @property
    def empty(self) -> bool:
        """Nothing to match against: neither a specialty nor a technique."""
        return not self.specialties and not self.techniques
