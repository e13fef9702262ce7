"""Saved searches on the fakes: what matches (as the catalogue would list it), once per alert and
training, at once or in one digest a day, and a capacity raise that reopens seats."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.alerts import BROAD, key_of, keys_of, matches
from core.errors import Conflict, NotFound
from core.handlers import inject
from core.handlers.alerts import DIGEST_HOUR, match_alerts, send_alert_digests
from core.model import Role
from core.seats import SeatLedger
from core.services import alerts
from events import TrainingPublished, TrainingUpdated
from events.envelope import new_event
from tests.fakes import FakeClock, fake_deps
from tests.unit import builders

TAVI = {"technique": "TAVI", "specialty": "Cardiology", "title": "TAVI in Lyon",
        "venue": {"institution": "HCL", "address": "1 rue", "city": "Lyon", "country": "FR"}}  # fmt: skip


def _published(deps, t, kind=TrainingPublished, **extra):
    event = kind(training_id=t.id, expert_id=t.expert_id, title=t.title, status=str(t.status), **extra)
    inject(match_alerts, deps)(new_event(event, "test"))


def _alert(deps, user, delivery="instant", **filters):
    return alerts.create_alert(deps, user, {"filters": filters, "delivery": delivery, "name": "Mine"})


def test_an_alert_matches_what_the_catalogue_would_list():
    deps = fake_deps()
    t = builders.training(deps, builders.user(deps, Role.EXPERT), **TAVI, price=90_000)
    assert matches({"technique": "tavi"}, t, 4) and matches({"q": "lyon tavi"}, t, 4)
    assert matches({"city": "LYON", "country": "FR", "language": "en"}, t, 4)
    assert not matches({"technique": "TAVR"}, t, 4)  # the catalogue's exact filter, as the search has it
    assert matches({"price_max": 90_000, "currency": "eur"}, t, 4)
    assert not matches({"price_max": 89_999, "currency": "eur"}, t, 4)
    assert not matches({"price_max": 90_000, "currency": "gbp"}, t, 4)
    assert matches({"free_seats": True, "city": "Lyon"}, t, 1) and not matches({"free_seats": True}, t, 0)
    assert key_of({"technique": "TAVI", "city": "Lyon"}) == "technique:tavi" and key_of({"language": "fr"}) != BROAD
    assert key_of({"q": "lyon", "country": "FR"}) == "word:lyon" and "word:lyon" in keys_of(t)


def test_a_publication_tells_instant_alerts_once_and_keeps_daily_ones_for_the_digest():
    deps = fake_deps()
    anna, ben, carl = (builders.user(deps, name=n) for n in ("Anna K", "Ben D", "Carl Z"))
    _alert(deps, anna, technique="TAVI")
    _alert(deps, ben, "daily", city="Lyon")
    _alert(deps, carl, technique="PCNL")
    t = builders.training(deps, builders.user(deps, Role.EXPERT), **TAVI)
    _published(deps, t)
    _published(deps, t)  # a replay
    assert [(n["user_id"], n["kind"]) for n in deps.inbox.rows.values()] == [(anna.id, "alert.matched")]
    [notice] = deps.inbox.rows.values()
    assert notice["title"] == "New training for your alert: TAVI in Lyon" and notice["category"] == "alerts"
    assert len(deps.outbox.rows) == 1  # one e-mail
    assert {(m.user_id, m.delivery) for m in deps.alert_matches.rows.values()} == {(anna.id, "instant"),
                                                                                  (ben.id, "daily")}  # fmt: skip
    assert deps.alerts.reads == 2  # one candidate read per publication, whatever the number of alerts


def test_alerts_and_digests_are_e_mailed_only_to_verified_addresses_the_inbox_has_them_all():
    deps = fake_deps()
    unverified = builders.user(deps, name="Dora N", email_verified_at=None)
    daily = builders.user(deps, name="Eli M", email_verified_at=None)
    _alert(deps, unverified, technique="TAVI")
    _alert(deps, daily, "daily", city="Lyon")
    _published(deps, builders.training(deps, builders.user(deps, Role.EXPERT), **TAVI))
    deps.clock.advance(days=1)
    assert send_alert_digests(deps) == 1
    assert {n["user_id"] for n in deps.inbox.rows.values()} == {unverified.id, daily.id}
    assert deps.outbox.rows == {}  # neither address is verified: no e-mail at all


def test_a_capacity_raise_that_reopens_seats_tells_alerts_that_wanted_a_seat():
    deps = fake_deps()
    anna = builders.user(deps)
    _alert(deps, anna, technique="TAVI", free_seats=True)
    t = builders.training(deps, builders.user(deps, Role.EXPERT), **TAVI, capacity=1)
    full, _ = SeatLedger.open(t.id, 1).request("b-1")
    deps.seats.save(full)
    _published(deps, t)
    assert deps.inbox.rows == {}  # full: the alert wants a seat
    _published(deps, t, TrainingUpdated, changes=["description"])
    assert deps.inbox.rows == {}
    deps.seats.save(deps.seats.load(t.id).resize(2, "raise"))
    _published(deps, t, TrainingUpdated, changes=["capacity"])
    assert [n["kind"] for n in deps.inbox.rows.values()] == ["alert.matched"]
    _published(deps, t, TrainingUpdated, changes=["capacity"])
    assert len(deps.inbox.rows) == 1  # once per alert and training


def test_one_digest_a_day_of_what_matched_before_the_digest_hour():
    start = datetime.now(UTC).replace(hour=DIGEST_HOUR + 2, minute=0, second=0, microsecond=0)
    deps = fake_deps(clock=FakeClock(start))
    ben = builders.user(deps)
    _alert(deps, ben, "daily", city="Lyon")
    expert = builders.user(deps, Role.EXPERT)
    first, second = (builders.training(deps, expert, **{**TAVI, "title": f"Session {n}"}) for n in (1, 2))
    _published(deps, first)
    _published(deps, second)
    assert send_alert_digests(deps) == 0  # matched after today's digest hour: tomorrow's digest
    deps.clock.advance(days=1)
    assert send_alert_digests(deps) == 1
    [digest] = deps.inbox.rows.values()
    assert digest["title"] == "2 new trainings match your saved searches" and "- Session 1" in digest["body"]
    assert send_alert_digests(deps) == 0  # sent: not again
    third = builders.training(deps, expert, **{**TAVI, "title": "Session 3"})
    _published(deps, third)
    deps.clock.advance(hours=2)
    assert send_alert_digests(deps) == 0  # the next one is tomorrow's
    deps.clock.advance(days=1)
    assert send_alert_digests(deps) == 1 and len(deps.inbox.rows) == 2


def test_alerts_are_mine_limited_and_need_a_filter():
    deps = fake_deps()
    anna, ben = builders.user(deps), builders.user(deps)
    made = _alert(deps, anna, technique=" TAVI ", free_seats=False)
    assert made.filters == {"technique": "TAVI"} and made.key == "technique:tavi"
    assert [a.id for a in alerts.my_alerts(deps, anna)] == [made.id] and alerts.my_alerts(deps, ben) == []
    with pytest.raises(NotFound):
        alerts.delete_alert(deps, ben, made.id)
    alerts.delete_alert(deps, anna, made.id)
    assert alerts.my_alerts(deps, anna) == []
    for n in range(50):
        _alert(deps, anna, city=f"City {n}")
    with pytest.raises(Conflict, match="At most 50"):
        _alert(deps, anna, city="One more")
