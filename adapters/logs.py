"""Logs as JSON, one object per line, from every process (docs/operations.md, "Logs").

Each line has ``time`` (UTC, ISO 8601), ``level``, ``process`` (``api``, ``capacity``...),
``logger`` and ``message``, and wherever known ``correlation_id``, ``request_id``, ``event_id``,
``event_type``, ``booking_id`` and ``training_id``: the API sets them per request, the worker
runner per event (``log_context``), and every line logged inside carries them, whichever
module logs it. The correlation also comes from ``events.envelope.correlated``, which the core
may use (it never imports this module). Fields passed as ``extra=`` join the object (the access log's ``method``,
``route``, ``status``, ``duration_ms``). A traceback is one string field, ``exception``, so a
line is always one line.

What is never logged is kept out where it comes from: the access log names the route
template, never the path or query (signed links carry tokens); pymongo's command log (whole
documents) is never on; no module logs a password, token, key or card.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from events.envelope import current_correlation

# The fields a line may carry from the context, in the order they are written.
CONTEXT_FIELDS = ("correlation_id", "request_id", "event_id", "event_type", "booking_id", "training_id")

_CONTEXT: ContextVar[dict[str, str]] = ContextVar("log_context", default={})  # noqa: B039 - never mutated
# Every attribute a bare LogRecord has: anything else on a record came from ``extra=``.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Lines logged inside carry these fields (empty ones are left out), on top of the outer ones."""
    token = _CONTEXT.set({**_CONTEXT.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current_context() -> dict[str, str]:
    """The fields lines logged now would carry."""
    return dict(_CONTEXT.get())


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self.process = process

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record.created),
            "level": record.levelname,
            "process": self.process,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _CONTEXT.get()
        if "correlation_id" not in context and (correlation := current_correlation()):
            line["correlation_id"] = correlation  # set by ``events.envelope.correlated``
        line.update({k: context[k] for k in CONTEXT_FIELDS if k in context})
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, default=str, ensure_ascii=False)


def _utc(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def configure_logging(process: str, level: str = "INFO") -> None:
    """JSON lines on stderr for the whole process, at ``level``; quiet libraries kept quiet.

    Under a host that already installed handlers (pytest's log capture), only the levels are set.
    Python warnings and uncaught exceptions, in any thread, become log lines too.
    """
    root = logging.getLogger()
    root.setLevel(level.upper())
    if not root.handlers:
        # The line names no source file, thread or process of its own: Python's logging then skips
        # walking the stack and the lookups for each record (its HOWTO, "Optimization"); the API's
        # middleware and access line went from 66 to 32 µs a request (bench/RESULTS.md, issue 21).
        # Only in our own processes: pytest's report shows each record's file and line.
        logging._srcfile = None  # type: ignore[attr-defined]
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter(process))
        root.addHandler(handler)
        logging.captureWarnings(True)
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_uncaught_in_thread
    # kafka-python narrates every connection at INFO; its warnings are what matter.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, root.level))
    # stripe logs every request at INFO; the outcome is what we log ourselves.
    logging.getLogger("stripe").setLevel(max(logging.WARNING, root.level))
    # pymongo's DEBUG command log prints whole documents (password hashes, client secrets):
    # never on, whatever LOG_LEVEL says.
    logging.getLogger("pymongo").setLevel(max(logging.INFO, root.level))


def _log_uncaught(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("uncaught").critical("uncaught %s: %s", kind.__name__, value, exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread else "?"
    logging.getLogger("uncaught").critical(
        "uncaught %s in thread %s: %s", args.exc_type.__name__, name, args.exc_value,
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )  # fmt: skip
