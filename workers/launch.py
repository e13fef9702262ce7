"""A worker process: its configuration, logs, HTTP port and signals around the one runner.

``main`` is every worker module's entry point (``python -m workers.capacity`` ...): it reads
the environment, writes JSON log lines named after the group, wires a ``Runner`` with
``build_runner``, serves ``/metrics``, ``/healthz`` and ``/readyz`` on ``METRICS_PORT``
(workers/health.py), and stops on SIGTERM after the current message.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterable, Mapping

from prometheus_client.registry import Collector

from adapters import metrics
from adapters.bootstrap import bootstrap
from adapters.config import Config
from adapters.kafka_bus import KafkaPublisher, KafkaSource, ensure_topics
from adapters.logs import configure_logging
from core.services.deps import Deps
from events import DomainEvent
from events.types import GROUPS, Topic, all_topics, dead_letter_topic, topic_name
from workers.health import Health, serve
from workers.runner import UNREADABLE, Handler, Registry, Runner

log = logging.getLogger("workers.runner")


def build_runner(
    group: str,
    handlers: Registry,
    topics: Iterable[Topic],
    config: Config,
    stop: threading.Event | None = None,
    deps: Deps | None = None,
    periodic: list[tuple[float, Callable[[Deps], object]]] | None = None,
    batch_handlers: Mapping[type[DomainEvent], Handler] | None = None,
    max_poll_records: int = 50,
    deferred: frozenset[type[DomainEvent]] = frozenset(),
    apart: frozenset[Callable[[Deps], object]] = frozenset(),
) -> Runner:
    """Wire a runner for ``group`` from configuration; topics are created if missing."""
    deps = deps or bootstrap(config)
    prefix = config.kafka_topic_prefix
    ensure_topics(config.kafka_bootstrap_servers, all_topics(prefix, GROUPS))
    source = KafkaSource(config.kafka_bootstrap_servers, f"{prefix}{group}", [topic_name(prefix, t) for t in topics],
                         max_poll_records=max_poll_records)  # fmt: skip
    return Runner(
        group=group,
        handlers=handlers,
        source=source,
        deps=deps,
        dead_letters=KafkaPublisher(config.kafka_bootstrap_servers, prefix),
        dead_letter_topic=dead_letter_topic(prefix, group),
        max_attempts=config.worker_max_attempts,
        stop=stop or threading.Event(),
        periodic=list(periodic or []),
        batch_handlers=dict(batch_handlers or {}),
        deferred=deferred,
        apart=apart,
    )


def main(
    group: str,
    handlers: Registry,
    topics: Iterable[Topic],
    periodic: Callable[[Config], list[tuple[float, Callable[[Deps], object]]]] | None = None,
    batch_handlers: Mapping[type[DomainEvent], Handler] | None = None,
    max_poll_records: int = 50,
    deferred: frozenset[type[DomainEvent]] = frozenset(),
    apart: frozenset[Callable[[Deps], object]] = frozenset(),
    exported: Iterable[Collector] = (),
) -> None:
    """Entry point of a worker process: configuration from the environment, JSON logs, its HTTP
    port for /metrics, /healthz and /readyz (``METRICS_PORT``; 0: none), SIGTERM stops."""
    config = Config.from_env()
    configure_logging(group, config.log_level)
    runner = build_runner(group, handlers, topics, config, periodic=periodic(config) if periodic else None,
                          batch_handlers=batch_handlers, max_poll_records=max_poll_records,
                          deferred=deferred, apart=apart)  # fmt: skip
    metrics.export(*metrics.WORKER, *exported)  # and the worker's own (its e-mails, its reconciliation)
    # Every series an alert watches exists from the start, at 0: a first failure is an increase.
    for kind in runner.handled_types():
        for family in (metrics.EVENTS_HANDLED, metrics.EVENTS_RETRIED, metrics.EVENTS_DEAD_LETTERED):
            family.labels(group, kind)
    metrics.EVENTS_DEAD_LETTERED.labels(group, UNREADABLE)
    if config.metrics_port:
        serve(Health(runner.pulse, runner.deps, config.ready_max_lag), config.metrics_host, config.metrics_port)

    def _stop(signum: int, _frame: object) -> None:
        log.info("%s worker: signal %s, finishing the current message", group, signum)
        runner.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    runner.run()
