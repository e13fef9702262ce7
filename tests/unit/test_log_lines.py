"""The log line format every process writes (adapters/logs.py), and the suite's check of it."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from adapters.logs import CONTEXT_FIELDS, JsonFormatter, current_context, log_context
from events.envelope import adopt, correlated, current_correlation, new_event
from events.trainings import TrainingCancelled
from tests.support.reading import lines_not_json


def record(message: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("core.delivery", logging.WARNING, __file__, 1, message, args,
                             sys.exc_info() if exc else None)  # fmt: skip
    made.__dict__.update(extra)
    return made


def line(made: logging.LogRecord) -> dict[str, object]:
    text = JsonFormatter("notifications").format(made)
    assert "\n" not in text  # one record, one line, whatever it holds
    parsed = json.loads(text)
    assert isinstance(parsed, dict)
    return parsed


def test_a_line_has_the_fixed_fields_and_the_context_of_the_moment() -> None:
    with log_context(event_id="e-1", event_type="booking.held", booking_id="b-1", training_id=None):
        with correlated("req-123"):
            parsed = line(record("e-mail %s sent", "q-1", status=250))
    assert parsed["level"] == "WARNING" and parsed["process"] == "notifications"
    assert parsed["logger"] == "core.delivery" and parsed["message"] == "e-mail q-1 sent"
    assert parsed["time"].endswith("Z")  # type: ignore[union-attr]
    assert parsed["correlation_id"] == "req-123"
    assert (parsed["event_id"], parsed["event_type"], parsed["booking_id"]) == ("e-1", "booking.held", "b-1")
    assert "training_id" not in parsed  # empty fields are left out
    assert parsed["status"] == 250  # extra= joins the object
    assert current_context() == {} and current_correlation() == ""  # both reset on the way out
    assert set(CONTEXT_FIELDS) >= {"correlation_id", "event_id", "event_type", "booking_id", "training_id"}


def test_a_traceback_is_one_field_of_one_line() -> None:
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        parsed = line(record("failed", exc=True))
    assert "ValueError: bad" in parsed["exception"]  # type: ignore[operator]
    assert "Traceback" in parsed["exception"]  # type: ignore[operator]


def test_events_made_in_a_correlated_scope_carry_it_and_adopting_joins_another_chain() -> None:
    cancelled = TrainingCancelled(training_id="t-1", expert_id="x-1", title="TAVI", status="cancelled")
    alone = new_event(cancelled, "test")
    assert alone.correlation_id == alone.id  # outside any scope: its own chain
    with correlated("req-1"):
        assert new_event(cancelled, "test").correlation_id == "req-1"
        assert new_event(cancelled, "test", correlation_id="given").correlation_id == "given"
        adopt("booking-chain")
        assert new_event(cancelled, "test").correlation_id == "booking-chain"
    adopt("ignored")  # outside any scope nothing changes
    assert current_correlation() == ""


def test_the_suites_check_finds_a_line_that_is_not_json(tmp_path: Path) -> None:
    good = json.dumps({"time": "t", "level": "INFO", "process": "api", "logger": "x", "message": "m"})
    (tmp_path / "api-1.log").write_text(f"\n=== 2026 starting api-1: python\n{good}\n")
    (tmp_path / "broker.log").write_text("[2026] INFO Kafka Server started\n")  # a service's own log
    assert list(lines_not_json(tmp_path)) == []
    (tmp_path / "payments-1.log").write_text(f"{good}\nTraceback (most recent call last):\n{{}}\n")
    assert list(lines_not_json(tmp_path)) == [
        "payments-1.log:2: Traceback (most recent call last):",
        "payments-1.log:3: {}",  # JSON, but not a log line
    ]
