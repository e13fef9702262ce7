"""The roll call: only on the training's day, only the training's expert, only confirmed trainees;
after the day the training is completed by the sweep."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from core.errors import Conflict
from core.services import attendance
from events import AttendanceRecorded
from events.codec import decode
from events.types import topic_name
from tests.support import Stack, read_topic


def _at(stack: Stack, when: datetime):  # noqa: ANN202 - a Deps whose clock says ``when``
    return dataclasses.replace(stack.deps, clock=lambda: when)


def test_the_expert_marks_attendance_on_the_day_and_the_sweep_completes_the_training(stack: Stack) -> None:
    api = stack.api
    expert, present, absent, holding = api.expert(), api.user("trainee"), api.user("trainee"), api.user("trainee")
    training = api.published_training(expert, capacity=3)
    paid = []
    for trainee in (present, absent):
        booking = stack.book(trainee, training)
        stack.pay(trainee, booking)
        stack.wait_status(booking, "confirmed")
        paid.append(booking)
    held = stack.book(holding, training)
    stack.wait_status(held, "held")

    early = api.call("POST", f"/api/v1/bookings/{paid[0]}/attendance", expert["token"], json={"present": True})
    assert early.status_code == 409 and "opens on the day" in early.json()["message"]
    roll = api.call("GET", f"/api/v1/trainings/{training['id']}/attendance", expert["token"])
    assert roll.status_code == 200
    assert sorted(i["booking"]["id"] for i in roll.json()["items"]) == sorted(paid)  # confirmed ones only
    assert all(i["booking"]["attendance"] is None for i in roll.json()["items"])
    assert api.call("GET", f"/api/v1/trainings/{training['id']}/attendance", api.expert()["token"]).status_code == 404
    bad = api.call("POST", f"/api/v1/bookings/{paid[0]}/attendance", expert["token"], json={"present": "yes"})
    assert bad.status_code == 422 and "present" in bad.json()["errors"]

    starts = datetime.fromisoformat(training["starts_at"])
    on_the_day = _at(stack, starts + timedelta(hours=1))
    user = stack.deps.users.get(expert["id"])
    attendance.record_attendance(on_the_day, user, paid[0], present=False)
    attendance.record_attendance(on_the_day, user, paid[0], present=True)  # a correction
    attendance.record_attendance(on_the_day, user, paid[1], present=False)
    with pytest.raises(Conflict, match="confirmed"):
        attendance.record_attendance(on_the_day, user, held, present=True)
    assert [stack.booking(b)["attendance"] for b in paid] == ["present", "absent"]
    events = [decode(r.value) for r in read_topic(stack.config, topic_name(stack.config.kafka_topic_prefix,
                                                                          "trainings"))]  # fmt: skip
    marks = [(e.data["booking_id"], e.data["present"]) for e in events if e.type == AttendanceRecorded.TYPE]
    assert marks == [(paid[0], False), (paid[0], True), (paid[1], False)]

    ends = datetime.fromisoformat(training["ends_at"])
    assert attendance.complete_finished_trainings(_at(stack, ends + timedelta(hours=1))) == 0  # corrections still
    assert attendance.complete_finished_trainings(_at(stack, ends + attendance.GRACE + timedelta(minutes=1))) == 1
    assert stack.db.trainings.find_one({"_id": training["id"]})["status"] == "completed"
    assert attendance.complete_finished_trainings(_at(stack, ends + timedelta(days=2))) == 0
    with pytest.raises(Conflict, match="closed"):
        attendance.record_attendance(_at(stack, ends + timedelta(days=1)), user, paid[1], present=True)


def test_the_roll_call_page_waits_for_the_day(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee", "Rita Rollcall")
    training = api.published_training(expert)
    booking = stack.book(trainee, training)
    stack.pay(trainee, booking)
    stack.wait_status(booking, "confirmed")
    session, _csrf = api.web_session(expert["email"])
    page = session.get(f"{api.base_url}/me/trainings/{training['id']}/attendance")
    assert page.status_code == 200 and "Rita Rollcall" in page.text and "not marked" in page.text
    assert "The roll call opens on the day" in page.text and "Present: Rita Rollcall" not in page.text
