"""Accounts: registration, sign-in with its rate limits, bearer tokens, profiles and sessions."""

from __future__ import annotations

import pytest

from core.errors import Conflict, Forbidden, RateLimited, Unauthorized, ValidationError
from core.model import Role
from core.services import accounts, profiles
from core.services.deps import Policy
from core.services.limits import Limit
from events import UserRegistered
from tests.fakes import fake_deps
from tests.unit import builders


def test_register_stores_a_lower_cased_account_and_announces_it():
    deps = fake_deps()
    made = accounts.register(deps, "  Anna@Example.ORG ", "secret", " Anna K ", Role.TRAINEE, country="PL")
    stored = deps.users.get(made.id)
    assert stored is not None and stored.email == "anna@example.org" and stored.name == "Anna K"
    assert stored.password_hash == "hashed:secret" and stored.country == "PL"
    [event] = deps.publisher.published
    assert event.type == UserRegistered.TYPE and event.data["email"] == "anna@example.org"
    assert deps.pending_events.count() == 0  # acknowledged, so it left the document


def test_register_refuses_admin_role_by_field_and_writes_nothing():
    deps = fake_deps()
    with pytest.raises(Forbidden) as refused:
        accounts.register(deps, "a@example.org", "pw", "A", Role.ADMIN)
    assert "role" in refused.value.errors
    assert deps.users.rows == {} and deps.publisher.published == []


def test_a_taken_email_is_a_conflict_naming_the_field():
    deps = fake_deps()
    accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    with pytest.raises(Conflict) as taken:
        accounts.register(deps, "A@example.org", "pw", "B", Role.EXPERT)
    assert "email" in taken.value.errors and len(deps.publisher.published) == 1


def test_create_admin_makes_an_admin():
    deps = fake_deps()
    assert accounts.create_admin(deps, "root@example.org", "pw", "Root").role is Role.ADMIN


def test_an_account_stands_when_the_broker_is_down_and_its_event_waits():
    deps = fake_deps()
    deps.publisher.down = True
    made = accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    assert deps.users.get(made.id) is not None
    assert [e.type for e in deps.pending_events.of("users", made.id)] == [UserRegistered.TYPE]


def test_login_gives_a_token_that_authenticates_until_it_expires():
    deps = fake_deps()
    made = accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    token, who, ttl = accounts.login(deps, "A@example.org ", "pw")
    assert who.id == made.id and ttl == deps.policy.token_ttl_seconds
    assert accounts.authenticate(deps, token).id == made.id
    assert token not in deps.sessions.rows  # only its hash is stored
    deps.clock.advance(seconds=ttl + 1)
    with pytest.raises(Unauthorized):
        accounts.authenticate(deps, token)


@pytest.mark.parametrize("email, password", [("a@example.org", "wrong"), ("nobody@example.org", "pw")])
def test_wrong_credentials_get_one_answer(email, password):
    deps = fake_deps()
    accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    with pytest.raises(Unauthorized, match="Wrong e-mail or password"):
        accounts.login(deps, email, password)
    assert deps.sessions.rows == {}


def test_an_account_takes_only_so_many_attempts_per_window():
    deps = fake_deps(policy=Policy(logins_per_account=Limit(2, 60)))
    accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    accounts.login(deps, "a@example.org", "pw")
    accounts.login(deps, "a@example.org", "pw")
    with pytest.raises(RateLimited) as limited:
        accounts.login(deps, "a@example.org", "pw")
    assert 1 <= limited.value.retry_after_s <= 60


def test_a_client_that_failed_too_often_is_refused_before_its_password_is_checked():
    deps = fake_deps(policy=Policy(failed_logins_per_client=Limit(2, 600)))
    accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    for _ in range(2):
        with pytest.raises(Unauthorized):
            accounts.login(deps, "a@example.org", "bad", client="10.0.0.1")
    with pytest.raises(RateLimited):
        accounts.login(deps, "a@example.org", "pw", client="10.0.0.1")
    assert accounts.login(deps, "a@example.org", "pw", client="10.0.0.2")[1].email == "a@example.org"


def test_require_role_names_the_roles_allowed():
    deps = fake_deps()
    trainee = builders.user(deps)
    with pytest.raises(Forbidden, match="admin, expert"):
        accounts.require_role(trainee, Role.EXPERT, Role.ADMIN)
    accounts.require_role(trainee, Role.TRAINEE)  # no error


def test_update_profile_refuses_fields_of_another_role_by_name():
    deps = fake_deps()
    trainee = builders.user(deps)
    with pytest.raises(ValidationError) as refused:
        profiles.update_profile(deps, trainee, {"company": "Acme", "name": "X"})
    assert list(refused.value.errors) == ["company"]
    assert deps.users.get(trainee.id).name == trainee.name  # nothing written


def test_update_profile_changes_the_allowed_fields():
    deps = fake_deps()
    expert = builders.user(deps, Role.EXPERT)
    updated = profiles.update_profile(deps, expert, {"title": "Professor", "bio": "Surgeon"})
    assert (updated.title, updated.bio) == ("Professor", "Surgeon")


def test_update_profile_of_a_vanished_account_is_a_conflict():
    deps = fake_deps()
    trainee = builders.user(deps)
    del deps.users.rows[trainee.id]
    with pytest.raises(Conflict):
        profiles.update_profile(deps, trainee, {"name": "X"})


def test_logout_revokes_one_token_and_logout_everywhere_all():
    deps = fake_deps()
    made = accounts.register(deps, "a@example.org", "pw", "A", Role.TRAINEE)
    first, _, _ = accounts.login(deps, "a@example.org", "pw")
    second, _, _ = accounts.login(deps, "a@example.org", "pw")
    profiles.logout(deps, first)
    with pytest.raises(Unauthorized):
        accounts.authenticate(deps, first)
    assert accounts.authenticate(deps, second).id == made.id
    assert profiles.logout_everywhere(deps, made) == 1
    with pytest.raises(Unauthorized):
        accounts.authenticate(deps, second)
