"""What tests read: a result polled for with a deadline, web pages, e-mails and topics."""

from __future__ import annotations

import html
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from adapters import kafka_ops
from adapters.config import Config
from devstack.stack import Infra


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")


def csrf_of(html: str) -> str:
    """The CSRF token a web page put in its forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def page_text(html_page: str) -> str:
    """What a reader of a web page sees: scripts and tags out, entities decoded, spaces collapsed."""
    without_code = re.sub(r"<(script|style)\b.*?</\1>", " ", html_page, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", without_code)).split())


def text_of(mail: Any) -> str:
    """The plain-text part of a received e-mail."""
    return str(mail.get_body(preferencelist=("plain",)).get_content())


def read_topic(config: Config, topic: str, timeout: float = 30.0) -> list[Any]:
    """Every record of a topic from its beginning to its end now, read without a consumer group."""
    return kafka_ops.read_topic(config.kafka_bootstrap_servers, topic, timeout)


def maildir_of(infra: Infra) -> Path:
    """The SMTP sink's Maildir."""
    return infra.maildir


# The fields every line of an API or worker process carries (adapters/logs.py).
LOG_FIELDS = {"time", "level", "process", "logger", "message"}
# The embedded services' own logs (Kafka's log4j, SecantusDB, localstripe, the SMTP sink).
SERVICE_LOGS = {"broker.log", "mongo.log", "stripe.log", "smtp.log"}


def log_records(path: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """An application process's log: its lines as JSON objects, and ``file:line: text`` of each
    line that is not a log object (the launcher's ``=== ... starting`` line before each start aside)."""
    records, strays = [], []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
        if not line.strip() or line.startswith("=== "):
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, dict) and LOG_FIELDS <= parsed.keys():
            records.append(parsed)
        else:
            strays.append(f"{path.name}:{number}: {line[:200]}")
    return records, strays


def lines_not_json(logs: Path) -> Iterator[str]:
    """Every line of every application process's log in ``logs`` that is not a JSON log object."""
    for log_file in sorted(logs.glob("*.log")) if logs.exists() else []:
        if log_file.name not in SERVICE_LOGS:
            yield from log_records(log_file)[1]
