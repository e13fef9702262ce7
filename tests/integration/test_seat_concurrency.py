"""Seats are counted by atomic conditional updates: never past capacity."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.support import Stack, wait_for


def test_fifty_concurrent_bookings_on_a_ten_seat_training(stack: Stack) -> None:
    stack.start_worker("capacity")  # a second member of the capacity group
    api = stack.api
    expert = api.expert()
    training = api.published_training(expert, capacity=10)
    with ThreadPoolExecutor(max_workers=10) as pool:
        trainees = list(pool.map(lambda _: api.user("trainee"), range(50)))
    with ThreadPoolExecutor(max_workers=25) as pool:
        responses = list(
            pool.map(lambda t: api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", t["token"]), trainees)
        )
    assert [r.status_code for r in responses] == [202] * 50
    ids = [r.json()["booking"]["id"] for r in responses]

    def settled() -> list[dict] | None:
        docs = list(stack.db.bookings.find({"_id": {"$in": ids}}))
        done = [d for d in docs if d["status"] != "requested"]
        return docs if len(done) == 50 else None

    docs = wait_for(settled, timeout=60, what="every booking held or waitlisted")
    statuses = Counter(d["status"] for d in docs)
    assert statuses["held"] + statuses["confirmed"] == 10
    assert statuses["waitlisted"] == 40
    positions = sorted(d["waitlist_position"] for d in docs if d["status"] == "waitlisted")
    assert positions == list(range(1, 41))
    seats = stack.deps.seats.snapshot(training["id"])
    assert len(seats["holders"]) == 10
    assert sorted(seats["holders"]) == sorted(d["_id"] for d in docs if d["status"] == "held")
    detail = api.call("GET", f"/api/v1/trainings/{training['id']}").json()
    assert detail["seats_left"] == 0
