"""Test helpers (the fixtures are in ``tests/conftest.py``): import them from here."""

from __future__ import annotations

from tests.support.client import ApiClient
from tests.support.inputs import (
    TRAINING,
    TRAINING_DAYS_AHEAD,
    TRAINING_ENDS,
    TRAINING_STARTS,
    day_ahead,
    local_day,
    request_data,
)
from tests.support.reading import csrf_of, maildir_of, page_text, read_topic, text_of, wait_for
from tests.support.stack import WORKER_SPECS, Stack, bare_config, make_config, running_stack, serving

__all__ = [
    "TRAINING",
    "TRAINING_DAYS_AHEAD",
    "TRAINING_ENDS",
    "TRAINING_STARTS",
    "WORKER_SPECS",
    "ApiClient",
    "Stack",
    "bare_config",
    "csrf_of",
    "day_ahead",
    "local_day",
    "make_config",
    "maildir_of",
    "read_topic",
    "request_data",
    "running_stack",
    "serving",
    "page_text",
    "text_of",
    "wait_for",
]
