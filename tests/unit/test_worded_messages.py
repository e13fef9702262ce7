"""A core message made of a marked template and its facts reads as English anywhere a ``str`` goes,
and keeps what a page needs to word it again for a reader of another language."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from core.errors import Conflict
from core.model import BookingStatus, TrainingStatus, Verification
from core.words import N_, STATE_WORDS, Worded


def test_a_worded_message_is_its_english_and_keeps_its_template_and_facts() -> None:
    message = Worded(N_("A %(status)s training can no longer be edited."), status=TrainingStatus.CANCELLED)
    assert message == "A cancelled training can no longer be edited."
    assert message.template == "A %(status)s training can no longer be edited."
    assert message.facts == {"status": TrainingStatus.CANCELLED}
    assert json.dumps({"message": message}) == '{"message": "A cancelled training can no longer be edited."}'
    error = Conflict(message)
    assert error.message == str(error) == "A cancelled training can no longer be edited."


def test_a_day_reads_as_the_english_messages_always_wrote_it() -> None:
    closed = Worded(N_("Reviews can be changed for 14 days; this one closed on %(day)s."),
                    day=datetime(2024, 3, 5, 10, tzinfo=UTC))  # fmt: skip
    assert closed == "Reviews can be changed for 14 days; this one closed on 05 March 2024."


def test_every_state_a_message_may_name_is_marked_for_the_catalogue() -> None:
    assert set(TrainingStatus) | set(BookingStatus) | set(Verification) <= set(STATE_WORDS)
