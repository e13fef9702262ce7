"""If the broker or the database is down: a booking fails with 503 and nothing is accepted; a change
the API owns is stored with its event, which is published once the broker is back."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.bootstrap import bootstrap
from adapters.mongo_pending import FIELD as PENDING
from devstack.kafka import start_broker
from devstack.services import free_port, start_mongo
from devstack.stack import Infra
from events.codec import decode
from events.types import Topic, topic_name
from tests.conftest import TRAINING, ApiClient, make_config, read_topic, running_stack, wait_for


def test_a_stopped_broker_makes_booking_answer_503_and_accept_nothing(
    infra: Infra, api_server: Callable[..., str], tmp_path: Path
) -> None:
    broker = start_broker(tmp_path)  # our own broker: stopping it disturbs no other test
    try:
        port = free_port()
        config = make_config(infra, port, kafka_bootstrap_servers=broker.url, publish_timeout_seconds=3.0)
        api = ApiClient(api_server(config, port), bootstrap(config))
        expert, trainee = api.expert(), api.user("trainee")
        training = api.published_training(expert)
        assert api.call("GET", "/healthz").json()["broker"] is True

        broker.stop()

        response = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"])
        assert response.status_code == 503, response.text
        body = response.json()
        assert body["code"] == "broker_unavailable"
        assert body["status"] == 503
        assert "Traceback" not in response.text
        assert response.headers["Retry-After"]
        mine = api.call("GET", "/api/v1/me/bookings", trainee["token"])
        assert mine.status_code == 200 and mine.json()["items"] == []
        deps = bootstrap(config)
        assert deps.bookings.active_for(trainee["id"], training["id"]) is None

        health = api.call("GET", "/healthz")
        assert health.status_code == 503
        assert health.json() == {"status": "degraded", "broker": False, "database": True}
    finally:
        broker.stop()


def test_a_stopped_database_answers_503_not_500(infra: Infra, api_server: Callable[..., str], tmp_path: Path) -> None:
    mongo = start_mongo(tmp_path)
    try:
        port = free_port()
        config = make_config(infra, port, mongodb_uri=mongo.url)
        api = ApiClient(api_server(config, port), bootstrap(config))
        trainee = api.user("trainee")
        mongo.stop()
        response = api.call("GET", "/api/v1/me/bookings", trainee["token"])
        assert response.status_code == 503, response.text
        assert response.json()["code"] == "unavailable"
        assert response.headers["Retry-After"]
        assert api.call("GET", "/healthz").json()["database"] is False
    finally:
        mongo.stop()


def test_a_change_made_while_the_broker_is_down_is_stored_with_its_event_and_announced_when_it_is_back(
    infra: Infra, api_server: Callable[..., str], tmp_path: Path
) -> None:
    broker = start_broker(tmp_path)
    try:
        overrides = {"kafka_bootstrap_servers": broker.url, "publish_timeout_seconds": 3.0, "event_relay_seconds": 0.5}
        with running_stack(infra, api_server, ["capacity"], **overrides) as stack:
            expert = stack.api.expert()
            broker.stop()

            created = stack.api.call("POST", "/api/v1/trainings", expert["token"], json=TRAINING)
            assert created.status_code == 201, created.text  # the change is kept, its event with it
            training_id = created.json()["id"]
            waiting = stack.db.trainings.find_one({"_id": training_id})[PENDING]
            assert [w["event"]["type"] for w in waiting] == ["training.created"]
            event_id = waiting[0]["id"]

            broker.restart()  # the capacity worker's relay sends it
            topic = topic_name(stack.config.kafka_topic_prefix, Topic.TRAININGS)

            def announced() -> list[str]:
                events = [decode(r.value) for r in read_topic(stack.config, topic)]
                return [e.id for e in events if e.subject == training_id]

            assert wait_for(announced, timeout=60, what="training.created relayed") == [event_id]
            wait_for(lambda: not stack.db.trainings.find_one({"_id": training_id}).get(PENDING), what="marked sent")
            assert announced() == [event_id]  # once
    finally:
        broker.stop()
