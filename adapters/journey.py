"""The journey of one booking, for ``flask --app api trace BOOKING_ID`` (docs/operations.md).

Every event about the booking, in order, from the broker: its topics are keyed by the training,
so only the one partition of each topic the training's key hashes to is read (as the producer
chose it: murmur2, as Kafka's clients do). For each event, which consumer groups applied it and
when (their markers in MongoDB), and which it was given up on (the groups' dead-letter topics);
then the notifications it caused: inbox entries and e-mails, with when each e-mail went out.

Events older than the topics' retention are gone from the broker (their markers stay in
MongoDB): the journey shows what the broker still holds. The database is read with ``tz_aware``
(adapters/mongo.py::connect), so every time here is in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition
from pymongo.database import Database

from adapters.kafka_ops import partitions_of, read_from
from events.codec import InvalidEvent, decode
from events.envelope import Event
from events.types import GROUPS, Topic, dead_letter_topic, topic_name

# Where a booking's events travel, all keyed by its training.
TOPICS = (Topic.BOOKINGS, Topic.PAYMENTS)


@dataclass(frozen=True)
class Handling:
    """One group's application of an event (or its giving up on it)."""

    group: str
    at: datetime | None
    dead_lettered: bool = False
    error: str = ""
    after_s: float | None = None  # how long after the event was made (None: not known)


@dataclass(frozen=True)
class Step:
    """One event of the journey."""

    event: Event
    at: datetime
    topic: str
    since_previous_s: float | None
    handled: tuple[Handling, ...]


@dataclass(frozen=True)
class Notice:
    """A notification one of the events caused."""

    event_id: str
    user_id: str
    kind: str
    title: str
    at: datetime
    email: str | None  # None: no e-mail; else "sent", "queued" or "failed"
    email_sent_at: datetime | None = None


@dataclass(frozen=True)
class Journey:
    """A booking's whole life as the processes saw it."""

    booking_id: str
    training_id: str
    correlation_ids: tuple[str, ...]
    steps: tuple[Step, ...]
    notices: tuple[Notice, ...]


def partition_for(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner sends ``key`` to."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def booking_journey(
    bootstrap_servers: str, prefix: str, db: Database, booking_id: str, timeout_s: float = 60.0
) -> Journey | None:
    """The journey of ``booking_id``; None when no such booking is stored."""
    booking = db.bookings.find_one({"_id": booking_id}, {"training_id": 1, "trainee_id": 1})
    if booking is None:
        return None
    training_id = booking["training_id"]
    training = db.trainings.find_one({"_id": training_id}, {"expert_id": 1}) or {}
    topics = [topic_name(prefix, t) for t in TOPICS] + [dead_letter_topic(prefix, g) for g in GROUPS]
    by_topic: dict[str, list[TopicPartition]] = {}
    for tp in partitions_of(bootstrap_servers, topics):  # one metadata read for them all
        by_topic.setdefault(tp.topic, []).append(tp)
    starts: dict[TopicPartition, int | None] = {
        parts[partition_for(training_id, len(parts))]: None for parts in by_topic.values()
    }
    records = read_from(bootstrap_servers, starts, timeout_s=timeout_s)
    found: dict[str, tuple[Event, datetime, str]] = {}
    given_up: dict[str, list[Handling]] = {}
    for tp, batch in records.items():
        for record in batch:
            try:
                event = decode(record.value)
            except InvalidEvent:
                continue  # not an event: nothing a process applied
            if booking_id not in (event.subject, event.data.get("booking_id")):
                continue
            headers = {k: v.decode(errors="replace") for k, v in (record.headers or [])}
            if "dlq.group" in headers:
                at = datetime.fromisoformat(headers["dlq.failed_at"]) if "dlq.failed_at" in headers else None
                given_up.setdefault(event.id, []).append(
                    Handling(headers["dlq.group"], at, dead_lettered=True, error=headers.get("dlq.error", ""))
                )
                continue
            at = datetime.fromisoformat(event.time.replace("Z", "+00:00"))
            found.setdefault(event.id, (event, at, tp.topic[len(prefix) :]))
    ordered = sorted(found.values(), key=lambda f: f[1])
    markers = _markers(db, [e.id for e, _, _ in ordered])
    steps: list[Step] = []
    previous: datetime | None = None
    for event, at, topic in ordered:
        applied = sorted(markers.get(event.id, []), key=lambda h: h.at or at) + given_up.get(event.id, [])
        handled = [replace(h, after_s=(h.at - at).total_seconds() if h.at else None) for h in applied]
        since = (at - previous).total_seconds() if previous else None
        steps.append(Step(event, at, topic, since, tuple(handled)))
        previous = at
    people = [p for p in (booking.get("trainee_id"), training.get("expert_id")) if p]
    notices = _notices(db, people, [s.event.id for s in steps])
    correlations = tuple(dict.fromkeys(s.event.correlation_id for s in steps))
    return Journey(booking_id, training_id, correlations, tuple(steps), notices)


def _markers(db: Database, event_ids: list[str]) -> dict[str, list[Handling]]:
    """Which group applied which event, and when: one ``$in`` read of the markers' ``_id``."""
    keys = [f"{g}:{e}" for g in GROUPS for e in event_ids]
    out: dict[str, list[Handling]] = {}
    for doc in db.processed_events.find({"_id": {"$in": keys}}) if keys else []:
        group, _, event_id = doc["_id"].partition(":")
        out.setdefault(event_id, []).append(Handling(group, doc.get("at")))
    return out


def _notices(db: Database, people: list[str], event_ids: list[str]) -> tuple[Notice, ...]:
    """The inbox entries and e-mails of the booking's trainee and expert caused by these events."""
    keys = [f"{p}:{e}" for p in people for e in event_ids]
    if not keys:
        return ()
    mails = db.outbox.find({"_id": {"$in": keys}}, {"status": 1, "sent_at": 1, "email.subject": 1})
    emails = {d["_id"]: d for d in mails}
    notices = []
    shown = {"kind": 1, "title": 1, "created_at": 1, "user_id": 1, "event_id": 1}
    entries = db.inbox.find({"_id": {"$in": keys}}, shown)
    for doc in entries:
        mail = emails.pop(doc["_id"], None)
        notices.append(Notice(doc["event_id"], doc["user_id"], doc.get("kind", ""), doc.get("title", ""),
                              doc.get("created_at") or datetime.now(UTC), mail["status"] if mail else None,
                              mail.get("sent_at") if mail else None))  # fmt: skip
    for key, mail in emails.items():  # e-mailed without an inbox entry (the inbox switched off)
        user_id, _, event_id = key.partition(":")
        notices.append(Notice(event_id, user_id, "", mail.get("email", {}).get("subject", ""),
                              mail.get("sent_at") or datetime.now(UTC), mail["status"],
                              mail.get("sent_at")))  # fmt: skip
    return tuple(sorted(notices, key=lambda n: n.at))


def as_json(journey: Journey) -> dict[str, Any]:
    """The journey as plain JSON types (``trace --json``)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat().replace("+00:00", "Z") if value else None

    return {
        "booking_id": journey.booking_id,
        "training_id": journey.training_id,
        "correlation_ids": list(journey.correlation_ids),
        "events": [
            {
                "type": s.event.type, "id": s.event.id, "time": iso(s.at), "topic": s.topic,
                "source": s.event.source, "correlation_id": s.event.correlation_id,
                "since_previous_seconds": s.since_previous_s,
                "handled_by": [
                    {"group": h.group, "at": iso(h.at), "dead_lettered": h.dead_lettered,
                     "after_seconds": round(h.after_s, 3) if h.after_s is not None else None,
                     **({"error": h.error} if h.error else {})}
                    for h in s.handled
                ],
            }
            for s in journey.steps
        ],
        "notifications": [
            {"event_id": n.event_id, "user_id": n.user_id, "kind": n.kind, "title": n.title, "at": iso(n.at),
             "email": n.email, "email_sent_at": iso(n.email_sent_at)}
            for n in journey.notices
        ],
    }  # fmt: skip
