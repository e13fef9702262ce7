"""The bare stack's ceiling: the essential work of a booking with no application around it, on
the same broker and database server, so the storm's figures read as a ratio of what is possible.

A booking's essential work: the request is produced and acknowledged (acks=all), a consumer
reads it, applies one conditional seat update and one journaled insert, produces the decision
and commits its offset. The application adds validation, the envelope, deduplication, the
state machine, more events (the PaymentIntent, the payment, the confirmation) and the HTTP
around all of it.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition
from pymongo import MongoClient, UpdateOne, WriteConcern

from adapters.config import Config
from adapters.kafka_bus import ensure_topics, partitions_known
from bench.measure import Progress, rate

PAYLOAD = 600  # bytes: about an encoded booking.requested event
SEAT_DOCS = 5


def _until_known(config: Config, topics: list[str], deadline_s: float = 60) -> None:
    """Wait until the broker's metadata lists every topic's partitions (see ``partitions_known``)."""
    probe = KafkaConsumer(bootstrap_servers=config.kafka_bootstrap_servers, group_id=None)
    try:
        partitions_known(probe, topics, deadline_s)
    finally:
        probe.close()


def _producer(config: Config) -> KafkaProducer:
    # The application's producer settings (adapters/kafka_bus.py).
    return KafkaProducer(
        bootstrap_servers=config.kafka_bootstrap_servers, acks="all", enable_idempotence=True, linger_ms=2
    )


def run(config: Config, n: int, clients: int) -> dict[str, Any]:
    """Produce-only, database-only, and the whole pipeline of ``n`` bookings' essential work."""
    prefix = f"bench-ceiling-{uuid.uuid4().hex[:6]}."
    produced, requested, decided = f"{prefix}produced", f"{prefix}requested", f"{prefix}decided"
    ensure_topics(config.kafka_bootstrap_servers, [produced, requested, decided])
    _until_known(config, [produced, requested, decided])
    client: MongoClient = MongoClient(config.mongodb_uri, tz_aware=True)
    db = client.get_database(f"{config.mongodb_database}_ceiling", write_concern=WriteConcern(w="majority", j=True))
    try:
        return {
            "bookings": n,
            "produce_acked_per_s": _produce_only(config, produced, n, clients),
            "consume_per_s": _consume_only(config, produced, n),
            "database": _database_only(db, n, clients),
            "pipeline_bookings_per_s": _pipeline(config, db, requested, decided, n, clients),
        }
    finally:
        client.drop_database(db.name)
        client.close()


def _body(i: int) -> bytes:
    raw = json.dumps({"booking_id": str(uuid.uuid4()), "training_id": f"t{i % SEAT_DOCS}", "i": i})
    return raw.ljust(PAYLOAD).encode()


def _produce_only(config: Config, topic: str, n: int, clients: int) -> float | None:
    producer = _producer(config)
    start = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda i: producer.send(topic, _body(i), key=f"t{i % SEAT_DOCS}".encode()).get(30), range(n)))
    end = time.time()
    producer.close()
    return rate(n, start, end)


def _consume_only(config: Config, topic: str, n: int) -> float | None:
    """One consumer reading back what produce-only wrote, from the first record to the last."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=config.kafka_bootstrap_servers, auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None, max_poll_records=500,
    )  # fmt: skip
    read, start, end = 0, None, time.time()
    deadline = time.monotonic() + 120
    while read < n and time.monotonic() < deadline:
        batch = consumer.poll(timeout_ms=500)
        if batch and start is None:
            start = time.time()
        read += sum(len(records) for records in batch.values())
        end = time.time()
    consumer.close()
    return rate(read, start, end) if start is not None else None


BULK = 500  # documents per bulk request


def _database_only(db: Any, n: int, clients: int) -> dict[str, float | None]:
    db.seats.insert_many([{"_id": f"t{i}", "held": 0, "capacity": 10**9} for i in range(SEAT_DOCS)])
    start = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(
            pool.map(
                lambda i: db.seats.update_one(
                    {"_id": f"t{i % SEAT_DOCS}", "held": {"$lt": 10**9}}, {"$inc": {"held": 1}}
                ),
                range(n),
            )
        )
    middle = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda i: db.bookings.insert_one({"_id": f"db-{i}", "n": i}), range(n)))
    end = time.time()
    # The same documents written in bulk, as a batch-deciding worker writes them: inserts, then
    # one guarded update each, BULK to a request (unordered), one writer as one worker.
    docs = [{"_id": f"bulk-{i}", "n": i, "status": "requested", "history": []} for i in range(n)]
    bulk_start = time.time()
    for chunk in range(0, n, BULK):
        db.bulk.insert_many(docs[chunk : chunk + BULK], ordered=False)
    bulk_middle = time.time()
    for chunk in range(0, n, BULK):
        db.bulk.bulk_write([UpdateOne({"_id": d["_id"], "status": "requested"},
                                      {"$set": {"status": "held"}, "$push": {"history": {"step": "held"}}})
                            for d in docs[chunk : chunk + BULK]], ordered=False)  # fmt: skip
    bulk_end = time.time()
    return {
        "conditional_updates_per_s": rate(n, start, middle),
        "inserts_per_s": rate(n, middle, end),
        "bulk_inserted_docs_per_s": rate(n, bulk_start, bulk_middle),
        "bulk_updated_docs_per_s": rate(n, bulk_middle, bulk_end),
    }


def _pipeline(config: Config, db: Any, requested: str, decided: str, n: int, clients: int) -> float | None:
    """Producers as the API, one consumer as the capacity worker, until every decision is acked."""
    done = threading.Event()
    decisions = [0]
    last = [0.0]

    def consume() -> None:
        consumer = KafkaConsumer(
            requested,
            bootstrap_servers=config.kafka_bootstrap_servers,
            group_id=f"{requested}g",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=50,
        )
        producer = _producer(config)
        try:
            while not consumer.assignment():  # joined its group, as the storm's workers have before it starts
                consumer.poll(timeout_ms=200)
            joined.set()
            while decisions[0] < n:
                for tp, records in consumer.poll(timeout_ms=500).items():
                    for record in records:
                        seat = record.key.decode()
                        db.seats.update_one({"_id": seat, "held": {"$lt": 10**9}}, {"$inc": {"held": 1}})
                        db.pipeline.insert_one({"_id": f"{tp.partition}-{record.offset}", "seat": seat})
                        producer.send(decided, record.value, key=record.key).get(30)
                        consumer.commit(
                            {TopicPartition(tp.topic, tp.partition): OffsetAndMetadata(record.offset + 1, None, -1)}
                        )
                        decisions[0] += 1
                        last[0] = time.time()
        finally:
            producer.close()
            consumer.close()
            done.set()

    joined = threading.Event()
    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    joined.wait(120)
    progress = Progress("ceiling", n, lambda: decisions[0])
    progress.start()
    producer = _producer(config)
    start = time.time()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda i: producer.send(requested, _body(i), key=f"t{i % SEAT_DOCS}".encode()).get(30), range(n)))
    producer.close()
    done.wait(600)
    progress.finish()
    return rate(decisions[0], start, last[0])
