"""If the broker or the database is down: a booking fails with 503 and nothing is accepted; a change
the API owns is stored with its event, which is published once the broker is back.

Each test starts the broker or the database it stops, and takes the session's other one: no
Stripe, no SMTP sink (``bare_config`` points them at a closed port)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from adapters.bootstrap import bootstrap
from adapters.kafka_bus import KafkaPublisher, ensure_topics
from adapters.mongo_pending import FIELD as PENDING
from core.errors import PublishFailed
from devstack.kafka import start_broker
from devstack.process import ServiceHandle
from devstack.services import free_port, start_mongo
from events.codec import decode
from events.types import Topic, topic_name
from tests.support import TRAINING, ApiClient, bare_config, read_topic, serving, wait_for


def test_a_stopped_broker_makes_booking_answer_503_and_accept_nothing(
    mongo_url: str, api_server: Callable[..., str], tmp_path: Path
) -> None:
    broker = start_broker(tmp_path)  # our own broker: stopping it disturbs no other test
    try:
        port = free_port()
        config = bare_config(port, broker.url, mongo_url, publish_timeout_seconds=3.0)
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
        assert health.json() == {"status": "degraded", "broker": False, "database": True,
                                 "outbox": {"events": 0, "oldest_age_seconds": 0.0}}  # fmt: skip
    finally:
        broker.stop()


def test_a_stopped_database_answers_503_not_500(
    kafka_broker: ServiceHandle, api_server: Callable[..., str], tmp_path: Path
) -> None:
    mongo = start_mongo(tmp_path)
    try:
        port = free_port()
        config = bare_config(port, kafka_broker.url, mongo.url)
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
    mongo_url: str, api_server: Callable[..., str], tmp_path: Path
) -> None:
    broker = start_broker(tmp_path)
    try:
        port = free_port()
        config = bare_config(port, broker.url, mongo_url, publish_timeout_seconds=3.0, event_relay_seconds=0.5)
        with serving(config, port, api_server, ["capacity"]) as stack:
            expert = stack.api.expert()
            broker.stop()

            created = stack.api.call("POST", "/api/v1/trainings", expert["token"], json=TRAINING)
            assert created.status_code == 201, created.text  # the change is kept, its event with it
            training_id = created.json()["id"]
            waiting = stack.db.trainings.find_one({"_id": training_id})[PENDING]
            assert [w["event"]["type"] for w in waiting] == ["training.created"]
            event_id = waiting[0]["id"]
            health = stack.api.call("GET", "/healthz")
            assert health.status_code == 503 and health.json()["outbox"]["events"] == 1  # what the operator sees

            broker.restart()  # the capacity worker's relay sends it
            topic = topic_name(stack.config.kafka_topic_prefix, Topic.TRAININGS)

            def announced() -> list[str]:
                events = [decode(r.value) for r in read_topic(stack.config, topic)]
                return [e.id for e in events if e.subject == training_id]

            assert wait_for(announced, timeout=60, what="training.created relayed") == [event_id]
            wait_for(lambda: not stack.db.trainings.find_one({"_id": training_id}).get(PENDING), what="marked sent")
            assert stack.api.call("GET", "/healthz").json()["outbox"]["events"] == 0
            assert announced() == [event_id]  # once
    finally:
        broker.stop()


def test_a_publisher_whose_records_were_in_flight_when_the_broker_died_publishes_again_once_it_is_back(
    tmp_path: Path,
) -> None:
    """kafka-python keeps an idempotent producer's sequence numbers after a batch expires; the broker
    then refuses the next ones and every send waited forever. The publisher starts a new producer."""
    broker = start_broker(tmp_path)
    publisher = KafkaPublisher(broker.url, "unused.", timeout_s=3.0)
    topic = f"probe-{uuid.uuid4().hex[:6]}"
    ensure_topics(broker.url, [topic])
    stop, refused = threading.Event(), []

    def keep_sending() -> None:
        while not stop.is_set():
            try:
                publisher.send_raw(topic, uuid.uuid4().hex[:2], b"storm")
            except PublishFailed as exc:
                refused.append(exc)

    senders = [threading.Thread(target=keep_sending, daemon=True) for _ in range(4)]
    try:
        for sender in senders:
            sender.start()
        time.sleep(1.0)
        broker.kill()  # batches in flight, unacknowledged
        time.sleep(6.0)  # long enough for them to expire
        broker.restart()

        def sent() -> bool:
            try:
                publisher.send_raw(topic, "k", b"after")
                return True
            except PublishFailed:
                return False

        assert wait_for(sent, timeout=60, what="a publish acknowledged after the restart")
        assert refused, "no send failed: the kill did not land while records were in flight"
    finally:
        stop.set()
        for sender in senders:
            sender.join(timeout=30)
        publisher.close()
        broker.stop()
