"""Contract of ``Users``, ``Sessions`` and ``RateLimits``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict
from core.model import Role, User, Verification
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
