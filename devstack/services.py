"""The three small embedded services: MongoDB (SecantusDB), the Stripe mock (localstripe), the SMTP sink.

This is the single place that knows how to launch them and tell when each is ready; the
Apache Kafka broker has ``devstack.kafka``, and how any service process is supervised
(logs, readiness, stop, restart) is ``devstack.process``. Both the run command and the
pytest session fixtures start them from here, so both see exactly the same services.
"""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path
from typing import Any

import requests

from devstack.process import DEFAULT_TIMEOUT, ServiceHandle, free_port, python_env, start_process

# Importers take the supervision's names from here, as before the split.
__all__ = [
    "DEFAULT_TIMEOUT",
    "ServiceHandle",
    "clear_stripe",
    "free_port",
    "register_stripe_webhook",
    "start_mongo",
    "start_process",
    "start_smtp",
    "start_stripe",
]


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


def http_ok(url: str) -> bool:
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
        "stripe", argv, run_dir, python_env(),
        lambda: http_ok(url + "/js.stripe.com/v3/"), url, port, timeout=timeout,
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
        "smtp", argv, run_dir, python_env(),
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
