"""What an operator sees of one booking, with the API and the four workers as real processes, as
``make run`` starts them: every process's /metrics moved, every line of every log is JSON and the
booking's lines share one correlation id from the HTTP request to the confirmation e-mail, the
workers answer /healthz and /readyz, and ``flask --app api trace`` prints the whole journey."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from adapters.bootstrap import bootstrap
from adapters.config import Config
from devstack.process import ServiceHandle
from devstack.services import free_port
from devstack.smtp_sink import read_maildir
from devstack.stack import PROJECT_ROOT, WORKERS, Infra, app_env, prepare, start_api, start_worker
from tests.support import ApiClient, make_config, wait_for
from tests.support.reading import log_records


@dataclass
class Processes:
    api: ApiClient
    api_handle: ServiceHandle
    workers: dict[str, ServiceHandle]
    config: Config
    infra: Infra


@pytest.fixture
def processes(infra: Infra) -> Iterator[Processes]:
    port = free_port()
    # DEBUG: the most an operator can ask for; every line must still be JSON and keep no secret.
    config = make_config(infra, port, log_level="DEBUG", gauge_sample_seconds=1.0)
    prepare(infra, config, webhook_name="tests")
    api = start_api(infra, config, port, name=f"api-{port}")
    workers = {group: start_worker(infra, config, group, name=f"{group}-{port}") for group in WORKERS}
    yield Processes(ApiClient(api.url, bootstrap(config)), api, workers, config, infra)
    for handle in [api, *workers.values()]:
        handle.stop()
        infra.extra.remove(handle)


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page, by name and labels."""
    page = requests.get(f"{url}/metrics", timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/plain")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(page.text)
        for s in family.samples
    }


def total(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in found.items() if n == name and wanted <= ls)


def log_lines(handle: ServiceHandle) -> list[dict[str, Any]]:
    """Every line the process wrote, each parsed as JSON (a line that is not fails the test)."""
    records, not_json = log_records(handle.log_path)
    assert not_json == []
    return records


def book_pay_and_confirm(p: Processes, request_id: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """A trainee books (the request carries ``request_id``), pays on the server, is confirmed and
    e-mailed; the trainee, the training and the booking id."""
    api = p.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert)
    accepted = api.call("POST", f"/api/v1/trainings/{training['id']}/bookings", trainee["token"],
                        headers={"X-Request-ID": request_id})  # fmt: skip
    assert accepted.status_code == 202, accepted.text
    assert accepted.headers["X-Request-ID"] == request_id
    booking_id = accepted.json()["booking"]["id"]
    status_url = accepted.json()["status_url"]
    wait_for(lambda: api.call("GET", status_url, trainee["token"]).json()["payment"].get("intent_id"),
             what="hold and PaymentIntent made by the worker processes")  # fmt: skip
    paid = api.call("POST", f"/api/v1/bookings/{booking_id}/payment", trainee["token"],
                    json={"payment_method": "pm_card_visa"})  # fmt: skip
    assert paid.status_code == 202, paid.text
    wait_for(lambda: api.call("GET", status_url, trainee["token"]).json()["status"] == "confirmed",
             what="confirmation")  # fmt: skip
    wait_for(lambda: [m for m in read_maildir(p.infra.maildir)
                      if trainee["email"] in str(m["To"]) and "confirmed" in str(m["Subject"]).lower()],
             what="the confirmation e-mail", timeout=60)  # fmt: skip
    return trainee, training, booking_id


def test_one_booking_shows_in_every_process_metrics_logs_and_health(processes: Processes) -> None:
    p = processes
    urls = {"api": p.api_handle.url, **{g: h.url for g, h in p.workers.items()}}
    before = {name: samples(url) for name, url in urls.items()}
    request_id = f"complaint-{uuid.uuid4().hex}"

    trainee, training, booking_id = book_pay_and_confirm(p, request_id)
    # The e-mail counter moves once the sender has marked it sent, a moment after the SMTP sink has it.
    wait_for(lambda: total(samples(urls["notifications"]), "marketplace_emails_sent_total")
             > total(before["notifications"], "marketplace_emails_sent_total"), what="e-mails counted")  # fmt: skip
    after = {name: samples(url) for name, url in urls.items()}

    def moved(process: str, name: str, **labels: str) -> float:
        return total(after[process], name, **labels) - total(before[process], name, **labels)

    route = "/api/v1/trainings/<training_id>/bookings"
    assert moved("api", "marketplace_http_requests_total", route=route, method="POST", status="202") == 1
    assert moved("api", "marketplace_http_request_duration_seconds_count", route=route, method="POST") == 1
    assert moved("api", "marketplace_events_published_total", event_type="booking.requested") == 1
    assert moved("api", "marketplace_events_published_total", event_type="payment.submitted") == 1
    assert moved("payments", "marketplace_events_published_total", event_type="payment.intent_created") == 1
    assert "marketplace_http_requests_in_flight" in {n for n, _ in after["api"]}
    # Each process shows what it does, not zeros for what the others do.
    names = {process: {n for n, _ in found} for process, found in after.items()}
    assert not [n for n in names["api"] if n.startswith("marketplace_consumer_")]
    assert not [n for g in WORKERS for n in names[g] if n.startswith("marketplace_http_")]
    assert (
        "marketplace_emails_sent_total" in names["notifications"]
        and "marketplace_emails_sent_total" not in names["capacity"]
    )
    assert "marketplace_reconciliation_last_run_timestamp_seconds" in names["payments"]

    for group, handled in {
        "capacity": ("booking.requested", "payment.succeeded"),
        "payments": ("booking.held", "payment.submitted"),
        "notifications": ("booking.confirmed",),
    }.items():
        for event_type in handled:
            assert moved(group, "marketplace_events_handled_total", group=group, event_type=event_type) >= 1, (
                group, event_type)  # fmt: skip
        assert moved(group, "marketplace_handler_duration_seconds_count", group=group) >= len(handled), group
        assert moved(group, "marketplace_batch_size_records_count", group=group) >= 1, group
        assert moved(group, "marketplace_batch_duration_seconds_count", group=group) >= 1, group
    # The certificates group reads the trainings topic only: the training's creation reached it.
    assert moved("certificates", "marketplace_events_received_total", event_type="training.created") >= 1
    assert moved("certificates", "marketplace_batch_size_records_count", group="certificates") >= 1
    assert moved("payments", "marketplace_payment_intents_created_total", currency="eur") == 1
    assert moved("notifications", "marketplace_emails_sent_total") >= 1
    for group in WORKERS:
        assert total(after[group], "marketplace_consumer_assigned_partitions", group=group) > 0, group
        assert any(n == "marketplace_consumer_lag_records" and ("group", group) in ls for n, ls in after[group]), group

    # Health: alive, and ready once assigned, consuming and caught up.
    for group, url in urls.items():
        if group == "api":
            health = requests.get(f"{url}/healthz", timeout=10).json()
            assert health["status"] == "ok" and health["outbox"]["events"] >= 0
            continue
        assert requests.get(f"{url}/healthz", timeout=10).status_code == 200, group
        ready = wait_for(lambda u=url: (r := requests.get(f"{u}/readyz", timeout=10)).status_code == 200 and r.json(),
                         what=f"{group} ready")  # fmt: skip
        assert ready["assigned_partitions"] and ready["consuming"] and ready["lag"], ready
        assert ready["database"] and ready["broker"], ready
    assert requests.get(f"{urls['capacity']}/nowhere", timeout=10).status_code == 404

    # Logs: every line of every process is JSON, and the booking's lines share one correlation.
    logs = {name: log_lines(h) for name, h in [("api", p.api_handle), *p.workers.items()]}
    about = [(name, line) for name, lines in logs.items() for line in lines if line.get("booking_id") == booking_id]
    assert {name for name, _ in about} >= {"api", "capacity", "payments", "notifications"}
    strays = [(name, line["message"], line.get("correlation_id")) for name, line in about
              if line.get("correlation_id") != request_id]  # fmt: skip
    assert strays == []
    access = [line for line in logs["api"] if line["logger"] == "api.access" and line.get("route") == route]
    assert [(a["method"], a["status"], a["correlation_id"], a["request_id"]) for a in access] == [
        ("POST", 202, request_id, request_id)
    ]
    assert access[0]["duration_ms"] > 0
    sent = [line for line in logs["notifications"] if "sent" in line["message"] and line["logger"] == "core.delivery"]
    assert any(line.get("correlation_id") == request_id for line in sent), "the confirmation e-mail's sending"
    for name, line in about:
        assert line["process"] == name

    # No secret in any line, at DEBUG.
    everything = "\n".join(h.log_path.read_text() for h in [p.api_handle, *p.workers.values()])
    stored = p.api.deps.bookings.get(booking_id)
    assert stored is not None
    secrets = {
        "a bearer token": trainee["token"],
        "the password": "correct horse battery",
        "a client secret": stored.payment["client_secret"],
        "Stripe's secret key": p.config.stripe_api_key,
        "the webhook secret": p.config.stripe_webhook_secret,
        "the web secret": p.config.web_secret_key,
    }
    assert [what for what, value in secrets.items() if value and value in everything] == []


def test_trace_prints_a_confirmed_booking_s_whole_journey(processes: Processes) -> None:
    p = processes
    request_id = f"trace-{uuid.uuid4().hex}"
    trainee, _training, booking_id = book_pay_and_confirm(p, request_id)

    def trace(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "flask", "--app", "api", "trace", *args],
                              capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
                              env=app_env(p.config))  # fmt: skip

    # The notifications of the confirmation are handled a moment after the e-mail left.
    def journey() -> dict[str, Any] | None:
        done = trace(booking_id, "--json")
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        kinds = {n["kind"]: n for n in found["notifications"]}
        return found if (kinds.get("booking.confirmed") or {}).get("email") == "sent" else None

    found = wait_for(journey, what="the confirmation e-mailed, as the trace sees it", timeout=60)
    types = [e["type"] for e in found["events"]]
    expected = ["booking.requested", "booking.held", "payment.intent_created", "payment.submitted",
                "payment.succeeded", "booking.confirmed"]  # fmt: skip
    assert [t for t in types if t in expected] == expected
    assert found["correlation_ids"] == [request_id]
    by_type = {e["type"]: e for e in found["events"]}
    assert {h["group"] for h in by_type["booking.requested"]["handled_by"]} >= {"capacity", "notifications"}
    assert {h["group"] for h in by_type["payment.submitted"]["handled_by"]} >= {"payments"}
    assert {h["group"] for h in by_type["payment.succeeded"]["handled_by"]} >= {"capacity"}
    assert {h["group"] for h in by_type["booking.confirmed"]["handled_by"]} >= {"notifications"}
    times = [e["time"] for e in found["events"]]
    assert times == sorted(times)
    assert found["events"][0]["since_previous_seconds"] is None
    assert all(e["since_previous_seconds"] >= 0 for e in found["events"][1:])
    assert all(h["after_seconds"] >= 0 for e in found["events"] for h in e["handled_by"])
    confirmed = next(n for n in found["notifications"] if n["kind"] == "booking.confirmed")
    assert confirmed["user_id"] == trainee["id"] and confirmed["email_sent_at"]

    printed = trace(booking_id)
    assert printed.returncode == 0, printed.stderr
    rows = [line for line in printed.stdout.splitlines() if any(t in line for t in expected)]
    assert [next(t for t in expected if f" {t} " in row) for row in rows if "to " not in row][:6] == expected
    assert f"correlation {request_id}" in printed.stdout
    assert "capacity +" in printed.stdout and "payments +" in printed.stdout
    assert "booking.confirmed" in printed.stdout.split("notification(s):")[1]

    missing = trace("no-such-booking")
    assert missing.returncode != 0 and "No booking no-such-booking" in missing.stderr
