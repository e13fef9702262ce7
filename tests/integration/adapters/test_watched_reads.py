"""Sessions and users answered from an API process's memory are never stale beyond the change
stream's latency: a token revoked or a user changed through another process is seen within a
second, and a process's own writes at once (adapters/watched.py), on the real database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

from adapters.mongo import MongoSessions, MongoUsers
from adapters.watched import WatchedDocs
from core.model import Role, User
from tests.support.reading import wait_for


def _user(user_id: str) -> User:
    return User(id=user_id, email=f"{user_id}@example.org", name="Anna Kowalska", role=Role.TRAINEE,
                password_hash="x", created_at=datetime.now(UTC))  # fmt: skip


def _watching(database: Database) -> tuple[MongoSessions, MongoUsers]:
    sessions, users = MongoSessions(database, watched=True), MongoUsers(database, watched=True)
    sessions.user_id_for("warm-up", datetime.now(UTC))  # starts the streams
    users.get("warm-up")
    assert wait_for(lambda: sessions._watched._open.is_set() and users._watched._open.is_set(), 10)  # type: ignore[union-attr]
    return sessions, users


def test_a_token_revoked_by_another_process_stops_working_within_a_second(database: Database) -> None:
    api, other = _watching(database), (MongoSessions(database), MongoUsers(database))
    now = datetime.now(UTC)
    other[0].add("tok-1", "u1", now + timedelta(hours=1))
    other[0].add("tok-2", "u1", now + timedelta(hours=1))
    assert api[0].user_id_for("tok-1", now) == "u1"
    assert api[0].user_id_for("tok-1", now) == "u1"  # the second from memory
    other[0].revoke("tok-1")
    assert wait_for(lambda: api[0].user_id_for("tok-1", now) is None, 1.0)
    other[0].revoke_all("u1")
    assert wait_for(lambda: api[0].user_id_for("tok-2", now) is None, 1.0)


def test_a_processs_own_revocation_and_an_expiry_apply_at_once(database: Database) -> None:
    sessions, _ = _watching(database)
    now = datetime.now(UTC)
    sessions.add("tok-1", "u1", now + timedelta(minutes=5))
    sessions.add("tok-2", "u2", now + timedelta(minutes=5))
    assert sessions.user_id_for("tok-1", now) == "u1" and sessions.user_id_for("tok-2", now) == "u2"
    sessions.revoke("tok-1")
    assert sessions.user_id_for("tok-1", now) is None
    sessions.revoke_all("u2")
    assert sessions.user_id_for("tok-2", now) is None
    sessions.add("tok-3", "u3", now + timedelta(minutes=5))
    assert sessions.user_id_for("tok-3", now) == "u3"
    assert sessions.user_id_for("tok-3", now + timedelta(minutes=6)) is None  # expired, though cached


def test_a_user_changed_anywhere_is_read_as_changed(database: Database) -> None:
    (_, api), other = _watching(database), MongoUsers(database)
    other.add(_user("u1"))
    assert api.get("u1").name == "Anna Kowalska"  # type: ignore[union-attr]
    other.update("u1", {"name": "Anna Nowak"})
    assert wait_for(lambda: api.get("u1").name == "Anna Nowak", 1.0)  # type: ignore[union-attr]
    api.update("u1", {"name": "Anna Maria Nowak"})
    assert api.get("u1").name == "Anna Maria Nowak"  # type: ignore[union-attr]  # its own write, at once
    mine = api.get("u1")
    assert mine is not None
    mine.name = "changed by a caller"  # a caller's copy, not the cache's
    assert dataclasses.replace(api.get("u1")).name == "Anna Maria Nowak"  # type: ignore[arg-type]


def test_a_token_issued_by_another_process_is_known_before_its_first_use(database: Database) -> None:
    (api, _), other = _watching(database), MongoSessions(database)
    now = datetime.now(UTC)
    other.add("tok-new", "u1", now + timedelta(hours=1))
    assert wait_for(lambda: "tok-new" in api._watched._docs, 2.0)  # type: ignore[union-attr]  # from the stream's insert
    assert api.user_id_for("tok-new", now) == "u1"
    other.revoke("tok-new")
    assert wait_for(lambda: api.user_id_for("tok-new", now) is None, 1.0)


def test_a_token_this_process_revoked_is_not_brought_back_by_its_late_insert(database: Database) -> None:
    (api, _), other = _watching(database), MongoSessions(database)
    now = datetime.now(UTC)
    for i in range(5):
        other.add(f"tok-a{i}", "u1", now + timedelta(hours=1))
        api.revoke(f"tok-a{i}")  # before the stream delivered the insert, most likely
        other.add(f"tok-b{i}", "u2", now + timedelta(hours=1))
    api.revoke_all("u2")
    deadline = datetime.now(UTC) + timedelta(seconds=1.5)
    while datetime.now(UTC) < deadline:  # the inserts go by meanwhile: none is answered
        assert all(api.user_id_for(f"tok-{s}{i}", now) is None for s in "ab" for i in range(5))
    assert not any(k.startswith("tok-") for k in api._watched._docs)  # type: ignore[union-attr]


def test_a_user_stays_cached_through_the_outbox_and_is_dropped_by_a_real_change(database: Database) -> None:
    (_, api), other = _watching(database), MongoUsers(database)
    other.add(_user("u7"))
    database.users.update_one({"_id": "u7"}, {"$set": {"pending_events": [{"id": "e1"}]}})
    database.users.update_one({"_id": "u7"}, {"$pull": {"pending_events": {"id": "e1"}}})  # the relay's write
    assert api.get("u7").name == "Anna Kowalska"  # type: ignore[union-attr]
    assert wait_for(lambda: "u7" in api._watched._docs, 2.0)  # type: ignore[union-attr]
    other.update("u7", {"name": "Anna Nowak"})
    assert wait_for(lambda: api.get("u7").name == "Anna Nowak", 1.0)  # type: ignore[union-attr]


def test_an_insert_delivered_after_this_processs_own_change_is_not_cached(database: Database) -> None:
    # The stream's order, played by hand: the insert of a token this process already revoked (or
    # of a user whose tokens it revoked all) arrives late, in a batch of its own.
    docs = WatchedDocs(database.sessions)

    def insert(key: str, user_id: str) -> dict[str, object]:
        return {
            "operationType": "insert",
            "documentKey": {"_id": key},
            "fullDocument": {"_id": key, "user_id": user_id},
        }

    docs.forget("revoked")
    docs.forget_where(lambda doc: doc.get("user_id") == "u2")
    for change in (insert("revoked", "u1"), insert("of-u2", "u2"), insert("fresh", "u3")):
        docs._changed(change)
    assert list(docs._docs) == ["fresh"]
    docs._changed({"operationType": "delete", "documentKey": {"_id": "fresh"}})
    assert not docs._docs
