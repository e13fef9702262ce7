"""Contract of ``Inbox`` and ``Outbox``: once per (person, event), newest first, leased sending."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ports import Email, Notification
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def _note(user_id: str, event_id: str) -> Notification:
    return Notification(user_id=user_id, event_id=event_id, kind="booking.confirmed", title="Confirmed", body="See you")


def _mail(n: int) -> Email:
    return Email(to="ann@example.org", subject=f"Mail {n}", text="Hello", message_id=f"<m{n}@example.org>")


def test_the_inbox_keeps_one_per_person_and_event_newest_first(ports: Ports) -> None:
    assert ports.inbox.add(_note("ann", "e1"), NOW) is True
    assert ports.inbox.add(_note("ann", "e1"), NOW + timedelta(seconds=5)) is False  # a replay
    assert ports.inbox.add(_note("ann", "e2"), NOW + timedelta(seconds=1)) is True
    assert ports.inbox.add(_note("bob", "e1"), NOW) is True
    newest = ports.inbox.for_user("ann", limit=10)
    assert [n["event_id"] for n in newest] == ["e2", "e1"]
    assert (
        newest[0]["title"] == "Confirmed"
        and newest[0]["read"] is False
        and newest[0]["created_at"] == NOW + timedelta(seconds=1)
    )
    assert [n["event_id"] for n in ports.inbox.for_user("ann", limit=1)] == ["e2"]
    assert ports.inbox.unread_count("ann") == 2


def test_reading_notifications(ports: Ports) -> None:
    for n in range(3):
        ports.inbox.add(_note("ann", f"e{n}"), NOW + timedelta(seconds=n))
    ports.inbox.add(_note("bob", "e9"), NOW)
    first = ports.inbox.for_user("ann", limit=10)[-1]["_id"]
    bobs = ports.inbox.for_user("bob", limit=10)[0]["_id"]
    assert ports.inbox.mark_read("ann", first, NOW) is True
    assert ports.inbox.mark_read("ann", first, NOW) is True  # read again: still the user's
    assert ports.inbox.mark_read("ann", bobs, NOW) is False  # not hers
    assert [n["event_id"] for n in ports.inbox.for_user("ann", limit=10, unread_only=True)] == ["e2", "e1"]
    assert ports.inbox.mark_all_read("ann", NOW) == 2
    assert ports.inbox.unread_count("ann") == 0 and ports.inbox.unread_count("bob") == 1


def test_the_outbox_queues_once_and_leases_the_oldest_due_mail(ports: Ports) -> None:
    assert ports.outbox.enqueue("ann", "e2", _mail(2), NOW - timedelta(seconds=1)) is True
    assert ports.outbox.enqueue("ann", "e1", _mail(1), NOW - timedelta(seconds=2)) is True
    assert ports.outbox.enqueue("ann", "e1", _mail(1), NOW) is False  # a replay
    assert ports.outbox.enqueue("ann", "later", _mail(3), NOW + timedelta(hours=1)) is True
    lease = NOW + timedelta(minutes=1)
    first = ports.outbox.claim_due(NOW, lease)
    assert first is not None and first.email == _mail(1) and first.attempts == 1
    second = ports.outbox.claim_due(NOW, lease)
    assert second is not None and second.email == _mail(2)
    assert ports.outbox.claim_due(NOW, lease) is None  # both leased, the third not due
    ports.outbox.mark_sent(first.id, NOW)
    again = ports.outbox.claim_due(lease, lease + timedelta(minutes=1))  # the lease of the unsent one ended
    assert again is not None and again.id == second.id and again.attempts == 2
    assert ports.outbox.claim_due(lease, lease + timedelta(minutes=1)) is None  # sent: never again


def test_a_failed_send_is_retried_later_or_given_up(ports: Ports) -> None:
    ports.outbox.enqueue("ann", "e1", _mail(1), NOW)
    ports.outbox.enqueue("ann", "e2", _mail(2), NOW + timedelta(seconds=1))
    one = ports.outbox.claim_due(NOW, NOW + timedelta(minutes=1))
    assert one is not None and one.email == _mail(1)
    ports.outbox.retry_later(one.id, "451 try later", NOW + timedelta(minutes=5))
    two = ports.outbox.claim_due(NOW + timedelta(seconds=1), NOW + timedelta(minutes=1))
    assert two is not None and two.email == _mail(2)
    ports.outbox.retry_later(two.id, "550 no such user", None)  # given up
    assert ports.outbox.claim_due(NOW + timedelta(minutes=4), NOW + timedelta(minutes=10)) is None
    retried = ports.outbox.claim_due(NOW + timedelta(minutes=5), NOW + timedelta(minutes=10))
    assert retried is not None and retried.id == one.id and retried.attempts == 2
    last = ports.outbox.claim_due(NOW + timedelta(days=1), NOW + timedelta(days=2))
    assert last is not None and last.id == one.id  # the given-up one never comes back
