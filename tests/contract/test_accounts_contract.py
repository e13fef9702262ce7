"""Contract of ``Users``, ``Sessions``, ``PasswordResets`` and ``RateLimits``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict
from core.model import Role, User, Verification
from core.ports import SessionInfo
from tests.contract.conftest import Ports

NOW = datetime.now(UTC).replace(microsecond=0)


def _user(user_id: str, role: Role = Role.TRAINEE, **fields: object) -> User:
    values: dict = {"email": f"{user_id}@example.org", "password_hash": "h", "name": user_id.title(),
                    "role": role, "created_at": NOW, **fields}  # fmt: skip
    return User(id=user_id, **values)


def test_users_are_unique_by_email_and_read_back_whole(ports: Ports) -> None:
    ports.users.add(_user("ann", Role.EXPERT, specialty="cardiology"))
    with pytest.raises(Conflict) as refused:
        ports.users.add(_user("ann2", email="ann@example.org"))
    assert refused.value.errors == {"email": ["Already registered."]}
    stored = ports.users.get("ann")
    assert stored == _user("ann", Role.EXPERT, specialty="cardiology")
    assert ports.users.by_email("ANN@example.org") == stored  # looked up lower-cased
    assert ports.users.get("nobody") is None and ports.users.by_email("nobody@example.org") is None


def test_an_update_is_a_compare_and_set(ports: Ports) -> None:
    ports.users.add(_user("ann", Role.EXPERT))
    pending = {"verification": Verification.PENDING}
    assert ports.users.update("ann", pending, expected={"verification": Verification.UNVERIFIED}) is True
    assert ports.users.update("ann", {"verification": Verification.VERIFIED},
                              expected={"verification": Verification.UNVERIFIED}) is False  # fmt: skip
    assert ports.users.update("nobody", {"name": "X"}) is False
    stored = ports.users.get("ann")
    assert stored is not None and stored.verification == Verification.PENDING


def test_experts_by_verification_oldest_submission_first_and_users_by_role(ports: Ports) -> None:
    for name, days_ago in [("late", 1), ("early", 3), ("middle", 2)]:
        ports.users.add(_user(name, Role.EXPERT))
        ports.users.update(name, {"verification": Verification.PENDING, "submitted_at": NOW - timedelta(days=days_ago)})
    ports.users.add(_user("unverified", Role.EXPERT))
    ports.users.add(_user("trainee"))
    experts, total = ports.users.experts(Verification.PENDING, limit=2, offset=0)
    assert [u.id for u in experts] == ["early", "middle"] and total == 3
    assert [u.id for u in ports.users.experts(Verification.PENDING, limit=2, offset=2)[0]] == ["late"]
    assert ports.users.experts(None, limit=10, offset=0)[1] == 4
    assert sorted(u.id for u in ports.users.with_role(Role.EXPERT)) == ["early", "late", "middle", "unverified"]
    assert set(ports.users.many(["trainee", "early", "nobody", "trainee"])) == {"trainee", "early"}


def test_sessions_live_until_they_expire_or_are_revoked(ports: Ports) -> None:
    ports.sessions.add("t1", "ann", NOW + timedelta(hours=1))
    ports.sessions.add("t2", "ann", NOW + timedelta(hours=1))
    ports.sessions.add("old", "ann", NOW - timedelta(seconds=1))
    ports.sessions.add("bob", "bob", NOW + timedelta(hours=1))
    assert ports.sessions.user_id_for("t1", NOW) == "ann"
    assert ports.sessions.user_id_for("old", NOW) is None and ports.sessions.user_id_for("unknown", NOW) is None
    ports.sessions.revoke("t1")
    assert ports.sessions.user_id_for("t1", NOW) is None and ports.sessions.user_id_for("t2", NOW) == "ann"
    assert ports.sessions.revoke_all("ann") == 2  # t2, and the expired one not yet swept
    assert ports.sessions.user_id_for("t2", NOW) is None and ports.sessions.user_id_for("bob", NOW) == "bob"


def test_rate_limits_count_per_key_and_window(ports: Ports) -> None:
    window, later = NOW.replace(second=0), NOW.replace(second=0) + timedelta(minutes=1)
    ends = window + timedelta(minutes=5)
    assert ports.rate_limits.count("login:ann", window) == 0
    assert [ports.rate_limits.hit("login:ann", window, ends) for _ in range(3)] == [1, 2, 3]
    assert ports.rate_limits.count("login:ann", window) == 3
    assert ports.rate_limits.hit("login:ann", later, ends) == 1  # a new window starts again
    assert ports.rate_limits.hit("login:bob", window, ends) == 1
    assert ports.rate_limits.count("login:ann", window) == 3


def test_taking_from_a_rate_limit_counts_only_while_under_it(ports: Ports) -> None:
    window, later = NOW.replace(second=0), NOW.replace(second=0) + timedelta(minutes=1)
    ends = window + timedelta(minutes=5)
    assert [ports.rate_limits.take("booking:ann", window, ends, 3) for _ in range(5)] == [True] * 3 + [False] * 2
    assert ports.rate_limits.count("booking:ann", window) == 3  # the refused ones are not counted
    assert ports.rate_limits.take("booking:ann", later, ends, 3) is True  # a new window starts again
    assert ports.rate_limits.take("booking:bob", window, ends, 0) is False
    assert ports.rate_limits.count("booking:bob", window) == 0


def test_sessions_are_listed_by_opaque_id_and_ended_one_by_one(ports: Ports) -> None:
    soon, later = NOW + timedelta(hours=1), NOW + timedelta(hours=2)
    ports.sessions.add("h1", "ann", soon, SessionInfo("s1", NOW, soon, "10.0.0.1", "Phone"))
    ports.sessions.add("h2", "ann", later, SessionInfo("s2", NOW, later, None, "Laptop"))
    ports.sessions.add("h3", "ann", NOW - timedelta(seconds=1), SessionInfo("s3", NOW, NOW - timedelta(seconds=1)))
    ports.sessions.add("h4", "ann", soon)  # from before sessions had an id: not listed
    ports.sessions.add("h5", "bob", soon, SessionInfo("s5", NOW, soon))
    assert [(h, i.id, i.user_agent) for h, i in ports.sessions.of_user("ann", NOW)] == [
        ("h2", "s2", "Laptop"), ("h1", "s1", "Phone")]  # fmt: skip
    assert ports.sessions.end("bob", "s1") is False  # not his
    assert ports.sessions.end("ann", "s1") is True and ports.sessions.end("ann", "s1") is False
    assert ports.sessions.user_id_for("h1", NOW) is None and ports.sessions.user_id_for("h2", NOW) == "ann"
    assert ports.sessions.revoke_others("ann", "h2") == 2  # h3 (expired, not swept yet) and h4
    assert ports.sessions.user_id_for("h2", NOW) == "ann" and ports.sessions.user_id_for("h4", NOW) is None
    assert ports.sessions.user_id_for("h5", NOW) == "bob"


def test_a_reset_link_is_used_once_before_it_expires_and_never_for_no_account(ports: Ports) -> None:
    soon = NOW + timedelta(hours=1)
    ports.password_resets.add("n1", "ann", soon, NOW)
    ports.password_resets.add("n2", "ann", soon, NOW)
    ports.password_resets.add("n3", None, soon, NOW)  # an address without an account
    ports.password_resets.add("n4", "bob", soon, NOW)
    assert ports.password_resets.consume("n3", NOW) is None
    assert ports.password_resets.consume("n1", soon) is None  # expired
    assert ports.password_resets.consume("n1", NOW) == "ann"
    assert ports.password_resets.consume("n1", NOW) is None  # once
    assert ports.password_resets.revoke_all("ann") == 2
    assert ports.password_resets.consume("n2", NOW) is None
    assert ports.password_resets.consume("n4", NOW) == "bob"
    assert ports.password_resets.consume("unknown", NOW) is None
