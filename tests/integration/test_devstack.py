"""Integration tests for devstack: every embedded service really works.

No mocks: each test starts real server processes on free ports in a tmp_path
run directory, talks to them with the real client libraries, and stops them.
"""

from __future__ import annotations

import smtplib
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar

import pytest

from devstack.kafka import KAFKA_VERSION, lib_dir, start_broker
from devstack.services import (
    ServiceHandle,
    clear_stripe,
    free_port,
    register_stripe_webhook,
    start_mongo,
    start_process,
    start_smtp,
    start_stripe,
)
from devstack.smtp_sink import read_maildir

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], timeout: float = 15.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy, or fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def stop_and_check(handle: ServiceHandle) -> None:
    """Stop a service and assert that its process is really gone."""
    handle.stop()
    assert handle.process.poll() is not None
    assert not handle.alive()


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A fresh run directory for the services of one test."""
    return tmp_path / "run"


@pytest.fixture
def stripe_service(run_dir: Path) -> Iterator[ServiceHandle]:
    """A running localstripe, stopped (and checked gone) after the test."""
    handle = start_stripe(run_dir)
    try:
        yield handle
    finally:
        stop_and_check(handle)


def test_the_broker_is_apache_kafka_and_keeps_what_it_acknowledged_through_kill_9(run_dir: Path) -> None:
    """Every record acknowledged with acks=all is still there after SIGKILL and a restart."""
    from kafka import KafkaProducer

    from adapters.kafka_bus import ensure_topics
    from adapters.kafka_ops import read_topic

    assert (lib_dir() / f"kafka_2.13-{KAFKA_VERSION}.jar").is_file()  # Apache Kafka's own jars
    broker = start_broker(run_dir)
    try:
        assert "Kafka Server started" in broker.log_path.read_text()  # its log4j log, in the service log
        topic = f"durable-{uuid.uuid4().hex[:8]}"
        ensure_topics(broker.url, [topic])  # three partitions, as every topic of ours
        producer = KafkaProducer(bootstrap_servers=broker.url, acks="all", enable_idempotence=True)
        try:
            acked = [f"record-{i}".encode() for i in range(200)]
            for value in acked:
                producer.send(topic, key=value[-1:], value=value).get(timeout=15)  # acknowledged, one by one
        finally:
            producer.close()
        broker.kill()  # SIGKILL: no flush, no clean shutdown
        broker.restart()
        assert sorted(r.value for r in read_topic(broker.url, topic, timeout_s=60)) == sorted(acked)
    finally:
        broker.stop()


def test_broker_roundtrip(run_dir: Path) -> None:
    """A message produced to the broker can be read back."""
    from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.admin import NewTopic

    broker = start_broker(run_dir)
    try:
        assert broker.url == f"127.0.0.1:{broker.port}"
        assert broker.log_path == run_dir / "logs" / "broker.log"
        topic = f"devstack-{uuid.uuid4().hex[:8]}"
        admin = KafkaAdminClient(bootstrap_servers=broker.url, request_timeout_ms=5000)
        try:
            admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
        finally:
            admin.close()

        producer = KafkaProducer(bootstrap_servers=broker.url, request_timeout_ms=10000)
        try:
            producer.send(topic, key=b"k", value=b"hello devstack").get(timeout=15)
            producer.flush(timeout=15)
        finally:
            producer.close()

        consumer = KafkaConsumer(bootstrap_servers=broker.url, group_id=None, enable_auto_commit=False)
        try:
            partition = TopicPartition(topic, 0)
            consumer.assign([partition])
            consumer.seek_to_beginning(partition)
            received: list[bytes] = []

            def poll() -> list[bytes]:
                for records in consumer.poll(timeout_ms=500).values():
                    received.extend(record.value for record in records)
                return received

            assert wait_for(poll, timeout=30, what="the produced record") == [b"hello devstack"]
        finally:
            consumer.close()
    finally:
        stop_and_check(broker)


def test_mongo_data_survives_restart(run_dir: Path, tmp_path: Path) -> None:
    """Documents are stored, and survive a server stop()+restart()."""
    from pymongo import MongoClient

    storage = tmp_path / "mongo-data"
    mongo = start_mongo(run_dir, storage_path=storage)
    try:
        assert "retryWrites=false" in mongo.url
        with MongoClient(mongo.url, serverSelectionTimeoutMS=5000) as client:
            client.devstack.things.insert_one({"_id": "a", "value": 42})
            assert client.devstack.things.find_one({"_id": "a"}) == {"_id": "a", "value": 42}

        mongo.stop()
        assert mongo.process.poll() is not None
        port = mongo.port
        mongo.restart()
        assert mongo.alive() and mongo.port == port

        with MongoClient(mongo.url, serverSelectionTimeoutMS=5000) as client:
            assert client.devstack.things.find_one({"_id": "a"}) == {"_id": "a", "value": 42}
    finally:
        stop_and_check(mongo)


def test_stripe_payment_intent(stripe_service: ServiceHandle) -> None:
    """The official stripe client can create and retrieve a PaymentIntent."""
    import stripe

    client = stripe.StripeClient("sk_test_devstack", base_addresses={"api": stripe_service.url})
    created = client.v1.payment_intents.create(params={"amount": 1000, "currency": "eur"})
    assert created.id.startswith("pi_")
    fetched = client.v1.payment_intents.retrieve(created.id)
    assert (fetched.id, fetched.amount, fetched.currency) == (created.id, 1000, "eur")

    # The config API works, and clearing really empties the store.
    register_stripe_webhook(stripe_service.url, "devstack", "http://127.0.0.1:9/hook", "whsec_devstack")
    clear_stripe(stripe_service.url)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve(created.id)


def non_loopback_address() -> str | None:
    """Return a local non-loopback IPv4 address of this machine, if any."""
    candidates: list[str] = []
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    # Fallback when the host name maps to 127.x (common in containers): the
    # source address of a route to a TEST-NET address. A UDP connect only
    # picks the route; no packet is sent.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))
            candidates.append(probe.getsockname()[0])
        except OSError:
            pass
    for address in candidates:
        if address.startswith("127.") or address == "0.0.0.0":
            continue
        # Only an address we can bind to is really ours.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((address, 0))
            except OSError:
                continue
        return address
    return None


def test_stripe_listens_on_loopback_only(stripe_service: ServiceHandle) -> None:
    """localstripe is reachable on 127.0.0.1 but not on other addresses."""
    with socket.create_connection(("127.0.0.1", stripe_service.port), timeout=2):
        pass
    # localstripe's own start() binds '::'; ours must not answer on IPv6 either.
    if socket.has_ipv6:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            assert sock.connect_ex(("::1", stripe_service.port)) != 0
    address = non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        assert sock.connect_ex((address, stripe_service.port)) != 0


def test_smtp_sink_stores_mails(run_dir: Path) -> None:
    """Mails sent over SMTP (7-bit and 8-bit) end up in the Maildir."""
    smtp = start_smtp(run_dir)
    try:
        maildir = smtp.data["maildir"]
        assert maildir == (run_dir / "mail").absolute()
        msg = EmailMessage()
        msg["From"] = "app@example.test"
        msg["To"] = "user@example.test"
        msg["Subject"] = "Welcome to devstack"
        msg.set_content("Plain ASCII body.\n")
        raw_8bit = (
            "From: app@example.test\r\nTo: user@example.test\r\n"
            "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n"
        ).encode()
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=5) as client:
            client.send_message(msg)
            client.sendmail("app@example.test", ["user@example.test"], raw_8bit, mail_options=["BODY=8BITMIME"])

        mails = wait_for(
            lambda: (found := read_maildir(maildir)) and len(found) == 2 and found,
            what="two delivered mails",
        )
        assert [m["Subject"] for m in mails] == ["Welcome to devstack", "Grüße"]
        assert mails[0].get_content() == "Plain ASCII body.\n"
        assert mails[1].get_content().strip() == "Grüße aus Köln"
        assert mails[0]["X-Envelope-To"] == "user@example.test"
    finally:
        stop_and_check(smtp)


def test_kill_and_restart_keeps_port(run_dir: Path) -> None:
    """kill() simulates a crash; restart() brings the service back on its port."""
    smtp = start_smtp(run_dir)
    try:
        smtp.kill()
        assert smtp.process.poll() is not None
        smtp.restart()
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=5) as client:
            assert client.noop()[0] == 250
    finally:
        stop_and_check(smtp)


def test_start_process_reports_early_exit(run_dir: Path) -> None:
    """A service dying at start raises RuntimeError carrying its log tail."""
    argv = [sys.executable, "-c", "print('boom: bad config', flush=True); raise SystemExit(3)"]
    with pytest.raises(RuntimeError, match="boom: bad config"):
        start_process("broken", argv, run_dir, None, lambda: False, "none://", free_port())
    assert "boom: bad config" in (run_dir / "logs" / "broken.log").read_text()


def test_start_process_refuses_busy_port(run_dir: Path) -> None:
    """Starting on a port someone already listens on fails instead of lying."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(RuntimeError, match="already in use"):
            start_smtp(run_dir, port=port)
