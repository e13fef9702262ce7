"""A chaos stack: every process of the marketplace real and killable, its data surviving the kills."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adapters.bootstrap import bootstrap
from adapters.config import Config
from devstack.kafka import start_broker
from devstack.services import ServiceHandle, free_port, start_mongo, start_smtp, start_stripe
from devstack.stack import Infra, prepare, start_api, start_worker
from tests.support import ApiClient


@dataclass
class ChaosStack:
    infra: Infra
    config: Config
    api: ServiceHandle
    workers: dict[str, ServiceHandle]
    client: ApiClient


@contextlib.contextmanager
def chaos_stack(run_dir: Path, name: str, groups: tuple[str, ...], **overrides: Any) -> Iterator[ChaosStack]:
    """Its own broker (data on disk), MongoDB, Stripe and SMTP; the API and these workers as processes."""
    started: list[ServiceHandle] = []
    infra: Infra | None = None
    try:
        started.append(start_broker(run_dir))
        started.append(start_mongo(run_dir))
        started.append(start_stripe(run_dir))
        started.append(start_smtp(run_dir))
        infra = Infra(*started, run_dir=run_dir)  # type: ignore[misc]
        port = free_port()
        config = infra.config(port, kafka_topic_prefix=f"{name}.", mongodb_database=name, **overrides)
        prepare(infra, config, webhook_name=name)
        api = start_api(infra, config, port)
        workers = {group: start_worker(infra, config, group) for group in groups}
        yield ChaosStack(infra, config, api, workers, ApiClient(api.url, bootstrap(config)))
    finally:
        # The application processes first (start_api and start_worker register them on the infra).
        for handle in reversed(infra.extra if infra else []):
            handle.stop()
        for handle in reversed(started):
            handle.stop()
