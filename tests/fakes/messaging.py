"""Fakes of the messaging ports: the publisher, the events waiting in documents, the markers, a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from core.errors import PublishFailed
from events.envelope import Event

# The aggregates whose documents carry their waiting events (adapters/mongo_pending.COLLECTIONS).
KINDS = ("users", "trainings", "demos", "sponsorships", "reviews", "goals", "assessments", "follow_ups", "questions")


@dataclass
class FakeClock:
    """A clock a test moves by hand; ``deps.clock`` is the instance itself."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)``; the new time."""
        self.now += timedelta(**delta)
        return self.now


@dataclass
class RecordingPublisher:
    """Keeps every published envelope in ``.published``; ``down = True`` refuses like a dead broker."""

    published: list[Event] = field(default_factory=list)
    down: bool = False

    def publish(self, event: Event) -> None:
        """Record the event, or raise ``PublishFailed`` while down."""
        if self.down:
            raise PublishFailed("broker down (fake)")
        self.published.append(event)

    def publish_many(self, events: list[Event]) -> None:
        """Record each, in order (all or none while down)."""
        if self.down:
            raise PublishFailed("broker down (fake)")
        self.published.extend(events)

    def types(self) -> list[str]:
        """The types of what was published, in order (each event class's ``TYPE``)."""
        return [str(e.type) for e in self.published]


@dataclass
class FakePendingEvents:
    """The events stored with their documents, as ``with_pending``/``push_pending`` keep them."""

    waiting: dict[tuple[str, str], list[Event]] = field(default_factory=dict)

    def keep(self, kind: str, doc_id: str, event: Event | None) -> None:
        """What a repository does with ``announcing=``: the event waits in the document."""
        if event is not None:
            self.waiting.setdefault((kind, doc_id), []).append(event)

    def of(self, kind: str, doc_id: str) -> list[Event]:
        """The document's events, oldest first."""
        if kind not in KINDS:
            raise ValueError(f"no outbox in {kind!r}")
        return list(self.waiting.get((kind, doc_id), []))

    def sent(self, kind: str, doc_id: str, event_ids: list[str]) -> None:
        """Forget the acknowledged ones."""
        if event_ids and (kind, doc_id) in self.waiting:
            left = [e for e in self.waiting[(kind, doc_id)] if e.id not in event_ids]
            self.waiting[(kind, doc_id)] = left

    def due(self, stored_before: datetime, limit: int) -> list[tuple[str, str]]:
        """Documents with an event stored before ``stored_before``, collection by collection."""
        due: list[tuple[str, str]] = []
        for kind in KINDS:
            for (k, doc_id), events in self.waiting.items():
                if k == kind and any(_stored_at(e) < stored_before for e in events) and len(due) < limit:
                    due.append((k, doc_id))
        return due

    def count(self) -> int:
        """How many events wait, over all documents (a test's one-line check)."""
        return sum(len(v) for v in self.waiting.values())


def _stored_at(event: Event) -> datetime:
    return datetime.fromisoformat(event.time.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class FakeDeferredEvents:
    """Deferred events per group, in the order deferred."""

    kept: dict[str, dict[str, Event]] = field(default_factory=dict)

    def defer(self, group: str, events: list[Event], at: datetime) -> None:
        """Keep each once."""
        mine = self.kept.setdefault(group, {})
        for event in events:
            mine.setdefault(event.id, event)

    def due(self, group: str, limit: int) -> list[Event]:
        """Oldest first."""
        return list(self.kept.get(group, {}).values())[:limit]

    def done(self, group: str, event_ids: list[str]) -> None:
        """Forget them."""
        for event_id in event_ids:
            self.kept.get(group, {}).pop(event_id, None)


@dataclass
class FakeProcessedEvents:
    """Event ids each consumer group applied."""

    marks: set[tuple[str, str]] = field(default_factory=set)

    def seen(self, group: str, event_id: str) -> bool:
        """Whether the group applied the event."""
        return (group, event_id) in self.marks

    def seen_many(self, group: str, event_ids: list[str]) -> set[str]:
        """The ones the group applied."""
        return {e for e in event_ids if (group, e) in self.marks}

    def mark_many(self, group: str, event_ids: list[str], at: datetime) -> None:
        """Remember them (a mark already there is kept)."""
        self.marks.update((group, e) for e in event_ids)


@dataclass
class FakeProviderEvents:
    """Stripe event ids already handled."""

    handled: dict[str, datetime] = field(default_factory=dict)

    def seen(self, provider_event_id: str) -> bool:
        """Whether handled."""
        return provider_event_id in self.handled

    def record(self, provider_event_id: str, at: datetime) -> None:
        """Remember it (the first time stands)."""
        self.handled.setdefault(provider_event_id, at)
