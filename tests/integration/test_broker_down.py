"""If the broker or the database is down, a request fails with 503 and nothing is accepted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adapters.bootstrap import bootstrap
from devstack.kafka import start_broker
from devstack.services import free_port, start_mongo
from devstack.stack import Infra
from tests.conftest import ApiClient, make_config


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
