"""Fixtures: each embedded service once per session, started only when a test asks for it;
per test a fresh database, fresh topics, an API on a free port and the workers it names.
Adapter and contract tests take ``database`` alone (SecantusDB and none of the rest), the
mailer's tests ``smtp_sink``. The helpers are in ``tests.support``."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database
from waitress.server import create_server

from adapters.bootstrap import create_database_indexes, release
from adapters.config import Config
from adapters.mongo import connect
from api import create_app
from devstack.kafka import start_broker
from devstack.process import ServiceHandle
from devstack.services import start_mongo, start_smtp, start_stripe
from devstack.stack import Infra
from tests.support import WORKER_SPECS, Stack, running_stack
from tests.support.reading import lines_not_json


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``workers`` marker (the suite runs with ``--strict-markers``)."""
    config.addinivalue_line(
        "markers",
        "workers(*groups): the consumer groups the `stack` fixture starts; none for the API alone "
        "(default: one member of every group)",
    )


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Where the session's services keep their logs and files. At the end of the session, every
    line every API and worker process wrote (the e2e and chaos suites start them) must be JSON."""
    path = tmp_path_factory.mktemp("stack")
    yield path
    not_json = list(lines_not_json(path / "logs"))
    assert not_json == [], f"{len(not_json)} log line(s) of the API or a worker are not JSON: {not_json[:5]}"


@pytest.fixture(scope="session")
def kafka_broker(services_dir: Path) -> Iterator[ServiceHandle]:
    """Apache Kafka, started once on a free port."""
    handle = start_broker(services_dir)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def mongo_server(services_dir: Path) -> Iterator[ServiceHandle]:
    """SecantusDB, started once and kept in memory: every test has a database of its own on it."""
    handle = start_mongo(services_dir, storage_path=":memory:")
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def mongo_url(mongo_server: ServiceHandle) -> str:
    """The session's SecantusDB: the adapters' tests need nothing else."""
    return mongo_server.url


@pytest.fixture(scope="session")
def stripe_server(services_dir: Path) -> Iterator[ServiceHandle]:
    """localstripe, started once on a free port."""
    handle = start_stripe(services_dir)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def smtp_sink(services_dir: Path) -> Iterator[ServiceHandle]:
    """The SMTP sink, started once; what it receives is in ``handle.data["maildir"]``."""
    handle = start_smtp(services_dir)
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def infra(
    services_dir: Path,
    kafka_broker: ServiceHandle,
    mongo_server: ServiceHandle,
    stripe_server: ServiceHandle,
    smtp_sink: ServiceHandle,
) -> Iterator[Infra]:
    """All four services, the same ones the narrower fixtures give (one of each per session)."""
    stack = Infra(broker=kafka_broker, mongo=mongo_server, stripe=stripe_server, smtp=smtp_sink, run_dir=services_dir)
    yield stack
    # The services stop with their own fixtures; the application processes tests added go first.
    for handle in reversed(stack.extra):
        handle.stop()


@pytest.fixture
def database(mongo_url: str) -> Iterator[Database]:
    """A fresh database per test, with every index the application creates."""
    db = connect(mongo_url, f"t_{uuid.uuid4().hex[:10]}")
    create_database_indexes(db)
    yield db
    db.client.drop_database(db.name)
    db.client.close()


@pytest.fixture
def api_server() -> Iterator[Callable[[Config, int], str]]:
    """Serve ``create_app(config)`` with waitress in a thread; returns the base URL."""
    servers: list[tuple[Any, Any]] = []
    stopping = threading.Event()

    def run(server: Any) -> None:
        try:
            server.run()
        except OSError:
            # Closing its sockets under its select() is how a waitress server stops (webtest's
            # StopableWSGIServer does the same); before that, an error is an error.
            if not stopping.is_set():
                raise

    def serve(config: Config, port: int) -> str:
        app = create_app(config)
        server = create_server(app, host="127.0.0.1", port=port, threads=16)
        threading.Thread(target=run, args=(server,), daemon=True).start()
        servers.append((server, app))
        return f"http://127.0.0.1:{port}"

    yield serve
    stopping.set()
    for server, app in servers:
        server.close()
        server.task_dispatcher.shutdown(timeout=5)  # its threads, not only its socket
        release(app.extensions["marketplace.deps"])


@pytest.fixture
def stack(infra: Infra, api_server: Callable[..., str], request: pytest.FixtureRequest) -> Iterator[Stack]:
    """A fresh marketplace: the API plus one member of each consumer group the test names,
    by ``@pytest.mark.workers(...)`` or an indirect parameter; every group if it names none."""
    marker = request.node.get_closest_marker("workers")
    groups = getattr(request, "param", None) or (list(marker.args) if marker else list(WORKER_SPECS))
    with running_stack(infra, api_server, groups) as result:
        yield result
