"""The embedded Apache Kafka broker: its jars from Maven Central, one KRaft node on loopback.

``install()`` has Maven copy the broker's jars and their dependencies (``devstack/kafka/pom.xml``)
into ``.cache/kafka/<version>/lib``, once; ``make install`` runs it, so ``make run`` and ``make
test`` fetch the broker on a fresh machine, and a second run reuses the folder. ``start_broker``
formats a data directory on first use and runs ``kafka.Kafka`` as broker and controller in one
JVM with a bounded heap; its data outlives the process, so a restart (or a kill -9) keeps every
record it acknowledged. Its log goes to the service log, ``<run_dir>/logs/broker.log``.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path

from devstack.process import DEFAULT_TIMEOUT, ServiceHandle, free_port, port_accepts, start_process

KAFKA_VERSION = "4.3.1"  # the newest release kafka-python 3.0's test matrix covers; pom.xml says the same
HEAP = "512m"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
POM = Path(__file__).resolve().parent / "kafka" / "pom.xml"

# One node as broker and controller, tuned for a development machine and a test suite that
# creates and deletes topics by the hundred: no replication, small index files, the first
# group join without the rebalance delay.
_SETTINGS = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "num.partitions": "3",
    "default.replication.factor": "1",
    "min.insync.replicas": "1",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "3",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "3",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "log.index.size.max.bytes": str(1024 * 1024),
    "log.segment.bytes": str(64 * 1024 * 1024),
    "num.network.threads": "2",
    "num.io.threads": "4",
    "num.recovery.threads.per.data.dir": "2",
    "auto.create.topics.enable": "false",  # every topic is created on purpose (ensure_topics)
    "delete.topic.enable": "true",
}

_LOG4J2 = """\
status = warn
appender.console.type = Console
appender.console.name = console
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = console
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""


def lib_dir(version: str = KAFKA_VERSION) -> Path:
    """Where the broker's jars live once installed."""
    return PROJECT_ROOT / ".cache" / "kafka" / version / "lib"


def install(version: str = KAFKA_VERSION, quiet: bool = True) -> Path:
    """Fetch the broker's jars with Maven, unless a complete copy is there already; the folder."""
    target = lib_dir(version)
    done = target / ".complete"
    if done.is_file():
        return target
    mvn = shutil.which("mvn")
    if mvn is None:
        raise RuntimeError("Apache Kafka's jars come from Maven Central: install Maven (mvn) and Java 17+")
    partial = target.with_name("lib.partial")
    shutil.rmtree(partial, ignore_errors=True)
    argv = [mvn, "-B", "-Dstyle.color=never", *(["-q"] if quiet else []), "-f", str(POM), f"-Dkafka.version={version}",
            "dependency:copy-dependencies", f"-DoutputDirectory={partial}", "-DincludeScope=runtime"]  # fmt: skip
    done_run = subprocess.run(argv, capture_output=quiet, text=True)
    if done_run.returncode != 0:
        raise RuntimeError(f"Maven could not fetch Apache Kafka {version}:\n{(done_run.stdout or '')[-4000:]}")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)  # complete or absent: a download cut short is never taken for the broker
    done.write_text(version + "\n")
    return target


def java() -> str:
    """The ``java`` to run the broker with: ``$JAVA_HOME/bin/java``, else the one on the PATH."""
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    if candidate is not None and candidate.is_file():
        return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise RuntimeError("the embedded Kafka broker needs Java 17 or newer (java on the PATH, or JAVA_HOME)")
    return found


def cluster_id() -> str:
    """A new cluster id as ``kafka-storage random-uuid`` prints it: a UUID, URL-safe base64, unpadded."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()


def kafka_ready(bootstrap: str, port: int) -> bool:
    """Tell whether the Kafka broker answers a DescribeCluster request."""
    # Cheap TCP check first: a KafkaAdminClient whose bootstrap fails in
    # __init__ cannot be closed, and would leave its IO thread behind.
    if not port_accepts(port):
        return False
    from kafka import KafkaAdminClient

    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            request_timeout_ms=3000,
            bootstrap_timeout_ms=3000,
        )
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False
    try:
        admin.describe_cluster()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False
    finally:
        admin.close()


def _properties(port: int, controller_port: int, data_dir: Path, extra: Mapping[str, str]) -> str:
    values = {
        **_SETTINGS,
        "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
        "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
        "log.dirs": str(data_dir),
        **extra,
    }
    return "".join(f"{key}={value}\n" for key, value in values.items())


def start_broker(
    run_dir: Path,
    port: int | None = None,
    data_dir: Path | None = None,
    settings: Mapping[str, str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServiceHandle:
    """Start Apache Kafka (KRaft, one node) on 127.0.0.1; its url is a bootstrap-servers string.

    The data directory (``run_dir/kafka`` by default) is formatted the first time only, so a
    broker started again on it (``handle.restart()``) finds every record and committed offset.
    """
    libs = install()
    port = free_port() if port is None else port
    controller_port = free_port()
    data = (Path(run_dir) / "kafka" if data_dir is None else Path(data_dir)).absolute()
    conf = Path(run_dir).absolute() / "kafka-conf"
    conf.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    properties = conf / "server.properties"
    properties.write_text(_properties(port, controller_port, data, settings or {}))
    logging = conf / "log4j2.properties"
    logging.write_text(_LOG4J2)
    jvm = [java(), f"-Xmx{HEAP}", "-Xms128m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
           f"-Dlog4j2.configurationFile={logging}", "-cp", f"{libs}{os.sep}*"]  # fmt: skip
    if not (data / "meta.properties").is_file():
        # "=": an id may start with "-", which would read as an option.
        formatting = ["format", "--ignore-formatted", f"--cluster-id={cluster_id()}", f"--config={properties}"]
        subprocess.run([*jvm, "kafka.tools.StorageTool", *formatting], check=True, stdout=subprocess.DEVNULL)
    url = f"127.0.0.1:{port}"
    return start_process(
        "broker", [*jvm, "kafka.Kafka", str(properties)], Path(run_dir), None,
        lambda: kafka_ready(url, port), url, port, timeout=timeout,
        data={"data_dir": data, "controller_port": controller_port},
    )  # fmt: skip


def main() -> None:
    """``python -m devstack.kafka``: fetch the broker's jars (what ``make install`` runs)."""
    print(f"Apache Kafka {KAFKA_VERSION}: {install(quiet='-v' not in sys.argv)}")


if __name__ == "__main__":
    main()
