"""The API and the workers as real processes: they serve, and SIGTERM stops them cleanly."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from adapters.bootstrap import bootstrap
from devstack.services import free_port
from devstack.stack import WORKERS, Infra, prepare, start_api, start_worker
from tests.support import ApiClient, make_config, wait_for
from tests.support.reading import log_records


@pytest.fixture
def processes(infra: Infra) -> Iterator[tuple[ApiClient, dict, object]]:
    port = free_port()
    config = make_config(infra, port)
    prepare(infra, config, webhook_name="tests")
    api = start_api(infra, config, port, name=f"api-{port}")
    workers = {group: start_worker(infra, config, group, name=f"{group}-{port}") for group in WORKERS}
    yield ApiClient(api.url, bootstrap(config)), workers, config
    for handle in [api, *workers.values()]:
        handle.stop()
        infra.extra.remove(handle)


def test_processes_serve_a_booking_and_stop_cleanly_on_sigterm(processes) -> None:
    api, workers, _config = processes
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert)
    accepted = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"])
    assert accepted.status_code == 202
    url = accepted.json()["status_url"]
    wait_for(
        lambda: api.call("GET", url, trainee["token"]).json()["payment"].get("intent_id"),
        what="hold and PaymentIntent made by the worker processes",
    )

    for group, handle in workers.items():
        handle.process.send_signal(signal.SIGTERM)
        assert handle.process.wait(timeout=30) == 0, group
        lines, not_json = log_records(handle.log_path)
        assert not_json == []
        assert f"{group} worker stopped" in [line["message"] for line in lines]
        # kafka-python may log a socket race of its own while closing; ours must be clean.
        ours = [line for line in lines if line["logger"].startswith(("workers.", "core.", "adapters."))]
        assert [line["message"] for line in ours if line["level"] in ("ERROR", "CRITICAL")] == []
