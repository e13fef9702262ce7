"""Start the embedded development services as child processes.

This is the single place that knows how to launch MongoDB (SecantusDB), the
Stripe mock (localstripe) and the SMTP sink, and, in ``devstack.kafka``, the
Apache Kafka broker. It is used both by the run command and by the pytest
session fixtures, so both see exactly the same services.

Every service runs in its own session (process group), logs to
``run_dir/logs/NAME.log`` and is returned only once it really answers.
"""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

DEFAULT_TIMEOUT = 60.0
# How often readiness probes are retried while waiting for a service.
_POLL_INTERVAL = 0.1
# The project root, put on the children's PYTHONPATH so `-m devstack.X` works
# whatever the caller's working directory is.
_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex((host, port)) == 0


def _log_tail(path: Path, max_bytes: int = 4000) -> str:
    """Return the last `max_bytes` of a log file (empty if it is missing)."""
    try:
        with path.open("rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - max_bytes))
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


@dataclass
class ServiceHandle:
    """A running service process and how to reach, stop and restart it."""

    name: str
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    argv: list[str]
    env: dict[str, str]
    ready_check: Callable[[], bool] | None = None
    cwd: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    # Service-specific extras, e.g. {"maildir": Path} for the SMTP sink.
    data: dict[str, Any] = field(default_factory=dict)

    def alive(self) -> bool:
        """Tell whether the service process is still running."""
        return self.process.poll() is None

    def _signal_group(self, sig: signal.Signals) -> None:
        """Send `sig` to the service's process group (falling back to its pid)."""
        try:
            # start_new_session=True makes the child a group leader (pgid ==
            # pid), so this also reaches any helper processes it spawned.
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            # The group id is not ours any more; signal the process only.
            if self.alive():
                self.process.send_signal(sig)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop gracefully (SIGTERM), then SIGKILL if not gone within `timeout`."""
        if not self.alive():
            self.process.wait()
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Kill the service at once (SIGKILL), as a crash would, and reap it."""
        if self.alive():
            self._signal_group(signal.SIGKILL)
        self.process.wait()

    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until the readiness probe succeeds.

        Raises RuntimeError (with the end of the log) if the process exits or
        the probe does not succeed within `timeout` seconds.
        """
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise RuntimeError(
                    f"{self.name} exited with code {self.process.returncode} "
                    f"before becoming ready; log {self.log_path}:\n"
                    f"{_log_tail(self.log_path)}"
                )
            if self.ready_check is None or self.ready_check():
                return
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"{self.name} not ready on {self.url} after {timeout:.0f}s; "
                    f"log {self.log_path}:\n{_log_tail(self.log_path)}"
                )
            time.sleep(_POLL_INTERVAL)

    def restart(self) -> None:
        """Start the service again (same argv, env and port) and wait until ready.

        Used after stop()/kill() to check that data and clients survive a
        server restart or crash. A still-running process is stopped first.
        """
        if self.alive():
            self.stop()
        self.process = _spawn(self.name, self.argv, self.env, self.log_path, self.cwd)
        try:
            self.wait_ready()
        except BaseException:
            self.kill()
            raise


def _spawn(
    name: str, argv: list[str], env: dict[str, str], log_path: Path, cwd: Path | None
) -> subprocess.Popen[bytes]:
    """Launch `argv` in its own session with stdout+stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        # A banner separates the runs when a service is restarted.
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        log.write(f"\n=== {stamp} starting {name}: {' '.join(argv)}\n".encode())
        log.flush()
        # Own session: Ctrl-C in a terminal reaches only the parent (which
        # then stops us once), and stop() can signal the whole group.
        return subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_process(
    name: str,
    argv: list[str],
    run_dir: Path,
    env: Mapping[str, str] | None,
    ready: Callable[[], bool],
    url: str,
    port: int,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    cwd: Path | None = None,
    data: dict[str, Any] | None = None,
) -> ServiceHandle:
    """Start `argv` as service `name` and return its handle once `ready()` is true.

    `env` is added on top of os.environ. Output goes to run_dir/logs/NAME.log
    (appended). `cwd` defaults to `run_dir`, so stray files a service writes
    in its working directory stay in the run directory. Raises RuntimeError
    with the log tail if the port is already taken, or if the process exits
    or is not ready within `timeout` seconds.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "logs" / f"{name}.log"
    # Refuse a busy port: the probe would otherwise happily talk to whatever
    # already listens there and report a service that is not ours as ready.
    if _port_accepts(port):
        raise RuntimeError(f"cannot start {name}: port {port} is already in use")
    child_env = {**os.environ, **(env or {})}
    workdir = run_dir if cwd is None else Path(cwd)
    handle = ServiceHandle(
        name=name,
        url=url,
        port=port,
        process=_spawn(name, argv, child_env, log_path, workdir),
        log_path=log_path,
        argv=list(argv),
        env=child_env,
        ready_check=ready,
        cwd=workdir,
        timeout=timeout,
        data=dict(data or {}),
    )
    try:
        handle.wait_ready(timeout)
    except BaseException:
        # Never leave a half-started process behind.
        handle.kill()
        raise
    return handle


def _python_env() -> dict[str, str]:
    """Extra env letting a child `python -m devstack.X` import this package."""
    current = os.environ.get("PYTHONPATH", "")
    path = str(_PROJECT_ROOT) + (os.pathsep + current if current else "")
    # Unbuffered output so the log file shows what happened before a crash.
    return {"PYTHONPATH": path, "PYTHONUNBUFFERED": "1"}


def kafka_ready(bootstrap: str, port: int) -> bool:
    """Tell whether the Kafka broker answers a DescribeCluster request."""
    # Cheap TCP check first: a KafkaAdminClient whose bootstrap fails in
    # __init__ cannot be closed, and would leave its IO thread behind.
    if not _port_accepts(port):
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


def _mongo_ready(url: str) -> bool:
    """Tell whether the MongoDB server answers a ping."""
    from pymongo import MongoClient

    client: MongoClient[dict[str, Any]] = MongoClient(url, serverSelectionTimeoutMS=2000)
    try:
        client.admin.command("ping")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return False
    finally:
        client.close()


def start_mongo(
    run_dir: Path,
    port: int | None = None,
    storage_path: Path | str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServiceHandle:
    """Start SecantusDB (MongoDB protocol) storing its data in `storage_path`.

    `storage_path` defaults to run_dir/mongo; ":memory:" gives an ephemeral
    store. The url has retryWrites=false since the server is a single node.
    """
    port = free_port() if port is None else port
    storage = str(Path(run_dir) / "mongo") if storage_path is None else str(storage_path)
    if storage != ":memory:":
        # Absolute, because the child runs in run_dir rather than our cwd.
        storage = str(Path(storage).absolute())
    # The console script sits next to the interpreter (not resolved: a venv's
    # python is a symlink to the base interpreter).
    exe = Path(sys.executable).parent / "secantusd-py"
    argv = [str(exe), "--host", "127.0.0.1", "--port", str(port), "--storage-path", storage]
    url = f"mongodb://127.0.0.1:{port}/?retryWrites=false"
    return start_process(
        "mongo", argv, run_dir, None, lambda: _mongo_ready(url), url, port,
        timeout=timeout, data={"storage_path": storage},
    )  # fmt: skip


def _http_ok(url: str) -> bool:
    """Tell whether GET `url` answers 200."""
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def start_stripe(run_dir: Path, port: int | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> ServiceHandle:
    """Start the localstripe mock, listening on 127.0.0.1 only, from an empty store."""
    port = free_port() if port is None else port
    argv = [sys.executable, "-m", "devstack.stripe_server", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    return start_process(
        "stripe", argv, run_dir, _python_env(),
        lambda: _http_ok(url + "/js.stripe.com/v3/"), url, port, timeout=timeout,
    )  # fmt: skip


def _smtp_ready(host: str, port: int) -> bool:
    """Tell whether an SMTP server on host:port answers NOOP."""
    try:
        with smtplib.SMTP(host, port, timeout=2) as smtp:
            code, _ = smtp.noop()
            return code == 250
    except (OSError, smtplib.SMTPException):
        return False


def start_smtp(
    run_dir: Path,
    port: int | None = None,
    maildir: Path | str | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> ServiceHandle:
    """Start the SMTP sink; received mails land in handle.data["maildir"].

    `maildir` defaults to run_dir/mail; read it with
    `devstack.smtp_sink.read_maildir`.
    """
    port = free_port() if port is None else port
    box = Path(run_dir) / "mail" if maildir is None else Path(maildir)
    # Absolute, because the child runs in run_dir rather than our cwd.
    box = box.absolute()
    argv = [
        sys.executable, "-m", "devstack.smtp_sink",
        "--port", str(port), "--maildir", str(box),
    ]  # fmt: skip
    url = f"smtp://127.0.0.1:{port}"
    return start_process(
        "smtp", argv, run_dir, _python_env(),
        lambda: _smtp_ready("127.0.0.1", port), url, port,
        timeout=timeout, data={"maildir": box},
    )  # fmt: skip


def _check_2xx(response: requests.Response, what: str) -> None:
    """Raise RuntimeError unless `response` has a 2xx status."""
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{what} failed: HTTP {response.status_code}: {response.text[:500]}")


def register_stripe_webhook(stripe_url: str, name: str, target_url: str, secret: str) -> None:
    """Make localstripe POST its events to `target_url`, signed with `secret`."""
    response = requests.post(
        f"{stripe_url}/_config/webhooks/{name}",
        data={"url": target_url, "secret": secret},
        timeout=10,
    )
    _check_2xx(response, f"registering localstripe webhook {name!r}")


def clear_stripe(stripe_url: str) -> None:
    """Delete every object stored in localstripe (webhooks stay registered)."""
    response = requests.delete(f"{stripe_url}/_config/data", timeout=10)
    _check_2xx(response, "clearing localstripe data")
