"""``python -m bench.broker``: how long the embedded broker takes to start, and the memory it holds.

Each run starts the broker on an empty data directory (the first start, which formats it),
produces and reads back one record with acks=all, stops it, and starts it again on the same
data (a restart, which must still hold the record). Printed with the target beside each figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaProducer

from adapters import kafka_ops
from adapters.kafka_bus import ensure_topics
from devstack.kafka import start_broker

# What a developer's machine and CI can live with: the suite starts a broker several times.
TARGET_START_S = 10.0
TARGET_RSS_MIB = 768  # a 512 MB heap, plus the JVM's own


def _peak_rss_mib(pid: int) -> float:
    """The peak resident memory (VmHWM) of a process, in MiB."""
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(status["VmHWM"].split()[0]) / 1024


def one_run(run_dir: Path) -> dict[str, float]:
    """First start, a record acknowledged by all, restart, the record read back."""
    began = time.monotonic()
    broker = start_broker(run_dir)
    first = time.monotonic() - began
    try:
        topic = f"bench-{uuid.uuid4().hex[:8]}"
        ensure_topics(broker.url, [topic])
        producer = KafkaProducer(bootstrap_servers=broker.url, acks="all")
        producer.send(topic, b"kept").get(timeout=30)
        producer.close()
        peak_first = _peak_rss_mib(broker.process.pid)
        broker.stop()
        began = time.monotonic()
        broker.restart()
        again = time.monotonic() - began
        records = kafka_ops.read_topic(broker.url, topic, 30)
        if [r.value for r in records] != [b"kept"]:
            raise AssertionError(f"the restarted broker lost the record: {records}")
        peak_again = _peak_rss_mib(broker.process.pid)
    finally:
        broker.stop()
    return {"first_start_s": first, "restart_s": again, "peak_rss_mib": max(peak_first, peak_again)}


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.broker", description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-broker-") as tmp:
            runs.append(one_run(Path(tmp)))
        print(f"run {i + 1}: {runs[-1]}", file=sys.stderr)
    first = statistics.median(r["first_start_s"] for r in runs)
    again = statistics.median(r["restart_s"] for r in runs)
    peak = max(r["peak_rss_mib"] for r in runs)
    print(f"Embedded broker, {args.runs} runs (median; peak over all runs)")
    print(f"  first start (format + ready)  {first:6.2f} s     target < {TARGET_START_S:.0f} s")
    print(f"  restart on its data           {again:6.2f} s     target < {TARGET_START_S:.0f} s")
    print(f"  peak RSS                      {peak:6.0f} MiB   target < {TARGET_RSS_MIB} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
