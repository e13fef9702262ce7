"""The operator's commands: consumer lag, the dead-letter topic, and replaying a letter once fixed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import Result

from api import create_app
from events import BookingRequested
from events.envelope import Event
from tests.support import TRAINING, Stack, request_data, wait_for


def flask(stack: Stack, *args: str) -> Result:
    """``flask --app api ARGS`` against the test's services, as an operator runs it."""
    return create_app(stack.config).test_cli_runner().invoke(args=list(args))


def lag_of(stack: Stack, group: str) -> dict[tuple[str, int], tuple[str, int]]:
    """``flask lag --group GROUP`` as {(topic, partition): (committed, pending)}."""
    result = flask(stack, "lag", "--group", group)
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.stdout.splitlines()[1:]]
    return {(r[1], int(r[2])): (r[3], int(r[4])) for r in rows}


def letters_of(stack: Stack, group: str) -> list[dict[str, Any]]:
    result = flask(stack, "dead-letters", "list", group, "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_a_dead_letter_is_listed_with_its_error_then_replayed_once_its_cause_is_fixed(stack: Stack) -> None:
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    # A draft with no capacity yet: a seat request for it cannot be decided.
    draft = api.call("POST", "/api/v1/trainings", expert["token"], json={"title": "Robotic prostatectomy"}).json()
    # Every group is formed (its member assigned) before the workers stop: the lag below is the group's.
    wait_for(lambda: all(runner.source.assigned() for runner, _ in stack.runners), what="workers in their groups")
    stack.stop_workers()
    request = Event(
        type=BookingRequested.TYPE,
        subject="b-early",
        key=draft["id"],
        data=request_data("b-early", draft["id"], trainee["id"], 45000),
    )  # fmt: skip
    stack.deps.publisher.publish(request)

    # With the capacity worker down, its lag shows the one record waiting.
    pending = {where: n for where, (_committed, n) in lag_of(stack, "capacity").items() if n}
    assert list(pending.values()) == [1]
    assert next(iter(pending))[0] == "bookings"

    stack.start_worker("capacity")
    stack.start_worker("notifications")
    letters = wait_for(lambda: letters_of(stack, "capacity"), timeout=60, what="a dead letter")
    assert len(letters) == 1
    letter = letters[0]
    assert letter["id"] == request.id and letter["type"] == "booking.requested"
    assert letter["error_type"] == "NeedsReconciliation"
    assert "unknown training" in letter["error"]
    assert letter["attempts"] == str(stack.config.worker_max_attempts)
    assert letter["source"].startswith(f"{stack.config.kafka_topic_prefix}bookings/")
    assert letter["replayed_at"] is None
    assert stack.booking("b-early") is None
    wait_for(lambda: not any(n for _c, n in lag_of(stack, "capacity").values()), timeout=60, what="capacity lag 0")
    readable = flask(stack, "dead-letters", "list", "capacity")
    assert letter["ref"] in readable.stdout and "unknown training" in readable.stdout

    # The cause is fixed: the expert completes and publishes the training.
    fixed = api.call("PATCH", f"/api/v1/trainings/{draft['id']}", expert["token"],
                     json={k: v for k, v in TRAINING.items() if k != "title"})  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    published = api.call("POST", f"/api/v1/trainings/{draft['id']}/publish", expert["token"])
    assert published.status_code == 200, published.text

    replayed = flask(stack, "dead-letters", "replay", "capacity", letter["ref"])
    assert replayed.exit_code == 0, replayed.output
    assert f"{letter['ref']}: replayed to {stack.config.kafka_topic_prefix}bookings" in replayed.stdout
    held = stack.wait_status("b-early", "held")
    assert [s["event_id"] for s in held["history"] if s["step"] == "requested"] == [request.id]
    [after] = letters_of(stack, "capacity")  # no new dead letter: it was applied this time
    assert after["replayed_at"] is not None

    # A second replay of the same letter is refused unless asked for, and changes nothing.
    again = flask(stack, "dead-letters", "replay", "capacity", letter["ref"])
    assert "already replayed" in again.stdout
    assert "0 dead letter(s) of capacity replayed" in again.output
    forced = flask(stack, "dead-letters", "replay", "capacity", "--all", "--again")
    assert forced.exit_code == 0, forced.output
    wait_for(lambda: not any(n for _c, n in lag_of(stack, "capacity").values()), timeout=60, what="capacity lag 0")
    assert stack.deps.seats.snapshot(draft["id"])["holders"] == ["b-early"]
    assert len(letters_of(stack, "capacity")) == 1

    unknown = flask(stack, "dead-letters", "replay", "capacity", "9:999")
    assert unknown.exit_code == 2 and "no such dead letter in capacity: 9:999" in unknown.output
