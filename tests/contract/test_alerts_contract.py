"""Contract of ``Alerts`` and ``AlertMatches``, and of the inbox's and outbox's bulk writes that tell them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.alerts import Alert, AlertMatch
from core.ports import Email, Notification
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def test_alerts_are_read_by_owner_and_by_key(ports: Ports) -> None:
    first = Alert("a1", "ann", {"technique": "TAVI"}, "instant", NOW, "TAVI", "technique:tavi")
    second = Alert("a2", "ann", {"city": "Lyon"}, "daily", NOW + timedelta(seconds=1), "", "city:lyon")
    ports.alerts.add(first)
    ports.alerts.add(second)
    ports.alerts.add(Alert("a3", "bob", {"technique": "TAVI"}, "instant", NOW, "", "technique:tavi"))
    assert [a.id for a in ports.alerts.of_user("ann")] == ["a1", "a2"]
    assert ports.alerts.of_user("ann")[0] == first
    assert sorted(a.id for a in ports.alerts.filed_under(["technique:tavi", "*"])) == ["a1", "a3"]
    assert ports.alerts.delete("a1", "bob") is False and ports.alerts.delete("a1", "ann") is True
    assert [a.id for a in ports.alerts.of_user("ann")] == ["a2"]


def test_a_match_is_kept_once_and_a_digest_marks_it(ports: Ports) -> None:
    told = AlertMatch("a1", "ann", "t1", "daily", NOW, "TAVI in Lyon")
    ports.alert_matches.add([told, AlertMatch("a2", "ann", "t1", "instant", NOW, "TAVI in Lyon")])
    ports.alert_matches.add([AlertMatch("a1", "ann", "t1", "daily", NOW + timedelta(hours=1), "Renamed")])  # a replay
    due = ports.alert_matches.unsent_daily(NOW + timedelta(minutes=1), 10)
    assert due == [told]  # the first kept; instant ones are never in a digest
    assert ports.alert_matches.unsent_daily(NOW, 10) == []  # matched before the cut only
    ports.alert_matches.mark_sent([told.id], "2026-01-01")
    assert ports.alert_matches.unsent_daily(NOW + timedelta(minutes=1), 10) == []


def test_bulk_writes_to_the_inbox_and_the_outbox_keep_one_per_person_and_event(ports: Ports) -> None:
    notice = Notification("ann", "ev1", "alert.matched", "New", "Body", None, "alerts")
    ports.inbox.add_many([notice, Notification("bob", "ev1", "alert.matched", "New", "Body", None, "alerts")], NOW)
    ports.inbox.add_many([Notification("ann", "ev1", "alert.matched", "Again", "Body", None, "alerts")], NOW)
    assert [n["title"] for n in ports.inbox.for_user("ann", 10)] == ["New"]
    assert ports.inbox.add(notice, NOW) is False  # the single write sees the bulk one's
    email = Email(to="ann@example.org", subject="New", text="Body", html="<p>Body</p>", message_id="<m@x>")
    ports.outbox.enqueue_many([("ann", "ev1", email), ("ann", "ev2", email)], NOW)
    ports.outbox.enqueue_many([("ann", "ev1", email)], NOW)
    assert ports.outbox.enqueue("ann", "ev2", email, NOW) is False
    claimed = {ports.outbox.claim_due(NOW, NOW + timedelta(minutes=2)) for _ in range(3)}
    assert len({c.id for c in claimed if c is not None}) == 2 and None in claimed
