"""Every role against every endpoint: who may call it, and 403 (or 401) for everyone else.

The table must name every operation of the OpenAPI document: a new endpoint without a
row fails ``test_the_table_covers_every_endpoint``. Ownership comes from the same table: every
endpoint that names a resource and is limited to some roles is refused to another member of
those roles, unless listed in ``OPEN_TO_THE_ROLE``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Stack, day_ahead, wait_for

# The API's answers, on a world whose one booking the capacity worker holds.
pytestmark = pytest.mark.workers("capacity")

ROLES = ("trainee", "expert", "sponsor", "admin")
PUBLIC, SIGNED_IN, STRIPE = "public", "signed-in", "stripe"

# (method, path) -> who may call it, and a valid body (validation runs before authorization).
TABLE: dict[tuple[str, str], tuple[Any, dict[str, Any] | None]] = {
    ("POST", "/api/v1/auth/register"): (PUBLIC, None),
    ("POST", "/api/v1/auth/login"): (PUBLIC, None),
    ("POST", "/api/v1/auth/logout"): (SIGNED_IN, None),
    ("GET", "/api/v1/me"): (SIGNED_IN, None),
    ("PATCH", "/api/v1/me"): (SIGNED_IN, {"name": "New Name"}),
    ("POST", "/api/v1/me/credentials"): (
        {"expert"},
        {"credentials": [{"kind": "diploma", "number": "1", "issuer": "University", "country": "FR"}]},
    ),
    ("GET", "/api/v1/me/bookings"): ({"trainee"}, None),
    ("POST", "/api/v1/me/expert-application"): (
        {"trainee"},
        {
            "credentials": [{"kind": "diploma", "number": "1", "issuer": "University", "country": "FR"}],
            "institution": "CHU de Lyon",
            "specialty": "cardiology",
        },
    ),
    ("GET", "/api/v1/me/notifications"): (SIGNED_IN, None),
    ("POST", "/api/v1/me/notifications/read-all"): (SIGNED_IN, None),
    ("POST", "/api/v1/me/notifications/{notification_id}/read"): (SIGNED_IN, None),
    ("GET", "/api/v1/me/notification-preferences"): (SIGNED_IN, None),
    ("PUT", "/api/v1/me/notification-preferences"): (SIGNED_IN, {"email": {"reminders": False}}),
    ("GET", "/api/v1/me/trainings"): ({"expert"}, None),
    ("GET", "/api/v1/me/demo-requests"): ({"expert"}, None),
    ("GET", "/api/v1/me/sponsorships"): ({"sponsor"}, None),
    ("GET", "/api/v1/me/goals"): ({"trainee"}, None),
    ("PUT", "/api/v1/me/goals"): ({"trainee"}, {"techniques": ["TAVI"]}),
    ("GET", "/api/v1/me/recommendations"): ({"trainee"}, None),
    # Uploads are multipart; the role is checked before the (here missing) file.
    ("PUT", "/api/v1/me/portrait"): ({"expert"}, None),
    ("DELETE", "/api/v1/me/portrait"): ({"expert"}, None),
    ("GET", "/api/v1/experts"): (PUBLIC, None),
    ("GET", "/api/v1/experts/{expert_id}"): (PUBLIC, None),
    ("GET", "/api/v1/admin/experts"): ({"admin"}, None),
    ("POST", "/api/v1/admin/experts/{expert_id}/verify"): ({"admin"}, None),
    ("POST", "/api/v1/admin/experts/{expert_id}/reject"): ({"admin"}, {"reason": "Not in the register."}),
    ("POST", "/api/v1/admin/experts/{expert_id}/withdraw-verification"): ({"admin"}, {"reason": "Licence lapsed."}),
    ("GET", "/api/v1/trainings"): (PUBLIC, None),
    ("POST", "/api/v1/trainings"): ({"expert"}, {"title": "A new idea"}),
    ("GET", "/api/v1/trainings/{training_id}"): (PUBLIC, None),
    ("PATCH", "/api/v1/trainings/{training_id}"): ({"expert"}, {"description": "Updated."}),
    ("POST", "/api/v1/trainings/{training_id}/publish"): ({"expert"}, None),
    ("POST", "/api/v1/trainings/{training_id}/cancel"): ({"expert"}, {"reason": "The OR is closed."}),
    ("POST", "/api/v1/trainings/{training_id}/complete"): ({"expert"}, None),
    ("POST", "/api/v1/trainings/{training_id}/duplicate"): ({"expert"}, {"starts_at": day_ahead(150)[0]}),
    ("POST", "/api/v1/trainings/{training_id}/photos"): ({"expert"}, None),
    ("PATCH", "/api/v1/trainings/{training_id}/photos/{photo_id}"): ({"expert"}, {"alt": "The skills lab"}),
    ("DELETE", "/api/v1/trainings/{training_id}/photos/{photo_id}"): ({"expert"}, None),
    ("GET", "/media/{media_id}"): (PUBLIC, None),
    ("POST", "/api/v1/trainings/{training_id}/bookings"): ({"trainee"}, None),
    # A booking is shown to its trainee and the training's expert; anyone else gets 404,
    # which hides that it exists (see test_booking_privacy below).
    ("GET", "/api/v1/bookings/{booking_id}"): (SIGNED_IN, None),
    ("POST", "/api/v1/bookings/{booking_id}/payment"): ({"trainee"}, None),
    ("POST", "/api/v1/bookings/{booking_id}/cancel"): ({"trainee"}, None),
    ("POST", "/api/v1/bookings/{booking_id}/approve"): ({"expert"}, None),
    ("POST", "/api/v1/bookings/{booking_id}/reject"): ({"expert"}, {"reason": "Not the right level yet."}),
    ("GET", "/api/v1/me/approvals"): ({"expert"}, None),
    ("POST", "/api/v1/bookings/{booking_id}/attendance"): ({"expert"}, {"present": True}),
    ("GET", "/api/v1/trainings/{training_id}/attendance"): ({"expert"}, None),
    ("GET", "/api/v1/me/certificates"): ({"trainee"}, None),
    # The follow-up thread: the booking's trainee and the training's expert; 404 to others.
    ("GET", "/api/v1/bookings/{booking_id}/messages"): (SIGNED_IN, None),
    ("POST", "/api/v1/bookings/{booking_id}/messages"): (SIGNED_IN, {"text": "About my patient..."}),
    ("GET", "/api/v1/me/alerts"): (SIGNED_IN, None),
    ("POST", "/api/v1/me/alerts"): (SIGNED_IN, {"filters": {"technique": "TAVI"}}),
    ("DELETE", "/api/v1/me/alerts/{alert_id}"): (SIGNED_IN, None),
    ("POST", "/api/v1/messages/{message_id}/report"): (SIGNED_IN, {"reason": "Rude and off topic."}),
    ("POST", "/api/v1/messages/{message_id}/hide"): ({"admin"}, {"reason": "Rude and off topic."}),
    ("GET", "/api/v1/admin/messages/reported"): ({"admin"}, None),
    ("GET", "/api/v1/me/portfolio"): ({"trainee"}, None),
    ("GET", "/api/v1/me/portfolio.csv"): ({"trainee"}, None),
    ("GET", "/api/v1/me/portfolio.pdf"): ({"trainee"}, None),
    # An assessment is shown to the booking's trainee and the training's expert; 404 to others.
    ("GET", "/api/v1/bookings/{booking_id}/assessment"): (SIGNED_IN, None),
    ("PUT", "/api/v1/bookings/{booking_id}/assessment"): (
        {"expert"},
        {"competencies": [{"name": "Femoral access", "level": "assisted"}], "comment": "Steady hands."},
    ),
    # A certificate is shown to its trainee, the training's expert and admins; 404 to others.
    ("GET", "/api/v1/certificates/{certificate_id}"): (SIGNED_IN, None),
    ("GET", "/api/v1/certificates/{certificate_id}/pdf"): (SIGNED_IN, None),
    ("GET", "/api/v1/certificates/verify/{code}"): (PUBLIC, None),
    ("GET", "/api/v1/trainings/{training_id}/reviews"): (PUBLIC, None),
    ("POST", "/api/v1/trainings/{training_id}/reviews"): ({"trainee"}, {"rating": 5, "text": "A great day in the OR."}),
    ("PATCH", "/api/v1/reviews/{review_id}"): ({"trainee"}, {"rating": 4}),
    ("POST", "/api/v1/reviews/{review_id}/answer"): ({"expert"}, {"text": "Thank you."}),
    ("GET", "/api/v1/trainings/{training_id}/questions"): (PUBLIC, None),
    ("POST", "/api/v1/trainings/{training_id}/questions"): ({"trainee"}, {"text": "Is lunch provided on the day?"}),
    ("POST", "/api/v1/questions/{question_id}/answer"): ({"expert"}, {"text": "Yes, in the staff canteen."}),
    # A question is reported by anyone who can read it; 404 to those who cannot (test_questions.py).
    ("POST", "/api/v1/questions/{question_id}/report"): (SIGNED_IN, {"reason": "Insulting the expert."}),
    ("POST", "/api/v1/questions/{question_id}/hide"): ({"admin"}, {"reason": "Insulting the expert."}),
    ("GET", "/api/v1/admin/questions/reported"): ({"admin"}, None),
    ("GET", "/api/v1/me/payouts"): ({"expert"}, None),
    ("GET", "/api/v1/admin/payouts.csv"): ({"admin"}, None),
    ("GET", "/api/v1/demos"): (PUBLIC, None),
    ("POST", "/api/v1/demos"): ({"sponsor"}, {"title": "A device"}),
    ("GET", "/api/v1/demos/{demo_id}"): (PUBLIC, None),
    ("PATCH", "/api/v1/demos/{demo_id}"): ({"sponsor"}, {"description": "Better."}),
    ("POST", "/api/v1/demos/{demo_id}/trainings"): ({"sponsor"}, {"training_id": "{training_id}"}),
    ("GET", "/api/v1/trainings/{training_id}/demos"): (PUBLIC, None),
    ("POST", "/api/v1/trainings/{training_id}/demos/{demo_id}/accept"): ({"expert"}, None),
    ("POST", "/api/v1/trainings/{training_id}/demos/{demo_id}/decline"): ({"expert"}, None),
    ("POST", "/api/v1/trainings/{training_id}/sponsorships"): ({"sponsor"}, {"seats": 1}),
    ("GET", "/api/v1/sponsorships/{sponsorship_id}"): ({"sponsor"}, None),
    ("POST", "/api/v1/sponsorships/{sponsorship_id}/payment"): ({"sponsor"}, None),
    ("POST", "/api/v1/webhooks/stripe"): (STRIPE, None),
    ("GET", "/healthz"): (PUBLIC, None),
    ("GET", "/readyz"): (PUBLIC, None),
}


def test_the_table_covers_every_endpoint(stack: Stack) -> None:
    spec = stack.api.call("GET", "/api/openapi.json").json()
    operations = {
        (m.upper(), p)
        for p, item in spec["paths"].items()
        for m in item
        if m in ("get", "post", "patch", "put", "delete")
    }
    assert operations == set(TABLE)


# Ids of resources that exist in the world below (the others name nothing, so the route resolves).
REAL_IDS = ("training_id", "demo_id", "sponsorship_id", "booking_id", "expert_id", "question_id")


def build_world(stack: Stack) -> dict[str, Any]:
    """One user per role and one of each resource, so routes resolve and roles decide."""
    api = stack.api
    users = {"trainee": api.user("trainee"), "expert": api.expert(), "sponsor": api.user("sponsor"),
             "admin": api.admin()}  # fmt: skip
    training = api.published_training(users["expert"])
    demo = api.call("POST", "/api/v1/demos", users["sponsor"]["token"], json={"title": "A device"}).json()
    sponsorship = api.call("POST", f"/api/v1/trainings/{training['id']}/sponsorships", users["sponsor"]["token"],
                           json={"seats": 1}).json()  # fmt: skip
    booking = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", users["trainee"]["token"]).json()
    wait_for(lambda: (stack.booking(booking["booking"]["id"]) or {}).get("status") == "held", what="hold")
    question = api.call("POST", f"/api/v1/trainings/{training['id']}/questions", users["trainee"]["token"],
                        json={"text": "Do we scrub in for the live cases?"}).json()  # fmt: skip
    ids = {"training_id": training["id"], "demo_id": demo["id"], "sponsorship_id": sponsorship["id"],
           "booking_id": booking["booking"]["id"], "expert_id": users["expert"]["id"],
           "notification_id": "no-such-notification", "certificate_id": "no-such-certificate",
           "review_id": "no-such-review", "code": "ABCD-EFGH", "alert_id": "no-such-alert",
           "message_id": "no-such-message", "photo_id": "no-such-photo", "media_id": "no-such-image",
           "question_id": question["id"]}  # fmt: skip
    return {"users": users, "ids": ids}


@pytest.fixture
def world(stack: Stack) -> dict[str, Any]:
    """The world of ``build_world``, on the test's stack."""
    return build_world(stack)


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def test_every_role_outside_an_endpoints_audience_is_refused(stack: Stack, world: dict[str, Any]) -> None:
    api, users, ids = stack.api, world["users"], world["ids"]
    checked = 0
    for (method, path), (audience, body) in TABLE.items():
        if audience in (PUBLIC, STRIPE):
            continue
        url = path.format(**ids)
        anonymous = api.call(method, url, json=_fill(body, ids))
        assert anonymous.status_code == 401, (method, path, anonymous.text)
        if audience == SIGNED_IN:
            continue
        for role in ROLES:
            if role in audience:
                continue
            response = api.call(method, url, users[role]["token"], json=_fill(body, ids))
            assert response.status_code == 403, (method, path, role, response.status_code, response.text)
            assert response.json()["code"] == "forbidden"
            checked += 1
    assert checked >= 60


def test_booking_privacy(stack: Stack, world: dict[str, Any]) -> None:
    api, users, ids = stack.api, world["users"], world["ids"]
    url = f"/api/v1/bookings/{ids['booking_id']}"
    assert api.call("GET", url, users["trainee"]["token"]).status_code == 200
    assert api.call("GET", url, users["expert"]["token"]).status_code == 200  # the training's expert
    for role in ("sponsor", "admin"):
        assert api.call("GET", url, users[role]["token"]).status_code == 404
    assert api.call("GET", url, api.expert()["token"]).status_code == 404  # another expert
    assert api.call("GET", url, api.user("trainee")["token"]).status_code == 404  # another trainee


# Endpoints on one resource that any member of the audience may call, owner or not.
OPEN_TO_THE_ROLE = {
    ("POST", "/api/v1/trainings/{training_id}/bookings"),  # any trainee books any training
    ("POST", "/api/v1/trainings/{training_id}/sponsorships"),  # any sponsor sponsors any training
    ("GET", "/api/v1/bookings/{booking_id}"),  # SIGNED_IN; ownership in test_booking_privacy
    ("POST", "/api/v1/trainings/{training_id}/questions"),  # any trainee asks about any published training
}


def _owned() -> list[tuple[str, str, set[str], dict[str, Any] | None]]:
    """Every endpoint that names a resource and is limited to some roles: only its owner may call it."""
    return [
        (method, path, audience, body)
        for (method, path), (audience, body) in TABLE.items()
        if "{" in path and isinstance(audience, set) and audience != {"admin"}
        and (method, path) not in OPEN_TO_THE_ROLE
    ]  # fmt: skip


def test_a_stranger_of_the_right_role_cannot_touch_anothers_resource(stack: Stack, world: dict[str, Any]) -> None:
    """Another trainee, expert or sponsor gets 403 or 404 (never the owner's data), and nothing changes."""
    api, ids = stack.api, world["ids"]
    strangers = {"trainee": api.user("trainee"), "expert": api.expert(), "sponsor": api.user("sponsor")}
    training_before = api.call("GET", f"/api/v1/trainings/{ids['training_id']}").json()
    demo_before = api.call("GET", f"/api/v1/demos/{ids['demo_id']}").json()
    owned = _owned()
    for method, path, audience, body in owned:
        for role in audience:
            response = api.call(method, path.format(**ids), strangers[role]["token"], json=_fill(body, ids))
            assert response.status_code in (403, 404), (method, path, role, response.status_code, response.text)
            assert response.json()["code"] in ("forbidden", "not_found"), (method, path, response.text)
    assert len(owned) >= 18  # the table really is walked (20 endpoints today)
    assert api.call("GET", f"/api/v1/trainings/{ids['training_id']}").json() == training_before
    assert api.call("GET", f"/api/v1/demos/{ids['demo_id']}").json() == demo_before
    assert stack.booking(ids["booking_id"])["status"] == "held"
    sponsorship = world["users"]["sponsor"]
    view = api.call("GET", f"/api/v1/sponsorships/{ids['sponsorship_id']}", sponsorship["token"])
    assert view.status_code == 200 and view.json()["status"] != "paid"
    waiting = stack.deps.questions.get(ids["question_id"])
    assert waiting is not None and waiting.answer is None  # another expert's answer was refused
