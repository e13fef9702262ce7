"""The README says what the code does: its processes, its events and who consumes them, its
notification categories and the chaos suite's duration are checked against the code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from core.handlers import certificates
from core.services.delivery import CATEGORIES
from events import ALL_EVENTS
from workers import capacity, payments
from workers import notifications as notifications_worker

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CONSUMERS = {
    "capacity": capacity.HANDLERS,
    "payments": payments.HANDLERS,
    "notifications": notifications_worker.HANDLERS,  # the notices, the alerts and the account's own e-mails
    "certificates": certificates.HANDLERS,
}


def _event_rows() -> dict[str, list[str]]:
    """Event type -> the cells of its row in the README's events table."""
    rows: dict[str, list[str]] = {}
    for line in README.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 5:
            for name in re.findall(r"`([a-z_]+\.[a-z_]+)`", cells[0]):
                rows[name] = cells
    return rows


def test_every_process_of_the_procfile_is_in_what_runs() -> None:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            name, command = (part.strip() for part in line.split(":", 1))
            row = next((r for r in README.splitlines() if r.startswith(f"| `{name}` |")), None)
            assert row is not None, f"{name} is not in the README's 'What runs' table"
            if command.startswith("python -m workers."):
                assert f"`{command}`" in row


def test_every_event_type_has_its_row_with_its_topic_and_its_consumers() -> None:
    rows = _event_rows()
    for kind in ALL_EVENTS:
        event_type = kind.TYPE
        assert event_type in rows, f"{event_type} is not in the README's events table"
        _, topic, _, consumed_by, _ = rows[event_type]
        assert topic == str(kind.TOPIC), event_type
        # A registry is keyed by class; one not rewritten yet may still key by the wire name.
        groups = [group for group, handlers in CONSUMERS.items() if kind in handlers or event_type in handlers]
        for group in groups:
            assert group in consumed_by, f"{event_type}: the README does not say {group} consumes it"
        assert ("(none yet)" in consumed_by) == (not groups), f"{event_type}: consumers are {groups or 'none'}"


def test_the_notification_categories_are_the_ones_people_can_switch() -> None:
    listed = re.search(r"and category \(([^)]*)\)", " ".join(README.split()))
    assert listed is not None
    assert [c.strip() for c in listed.group(1).split(",")] == list(CATEGORIES)


def test_the_chaos_suite_takes_as_long_in_the_readme_as_in_its_marker() -> None:
    markers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["markers"]
    chaos = next(m for m in markers if m.startswith("chaos:"))
    duration = re.search(r"about ([a-z ]+)\)", chaos)
    assert duration is not None
    assert f"(marker `chaos`, about {duration.group(1)})" in README
