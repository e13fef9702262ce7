"""Figures: percentiles, rates, and a progress bar that a person watching the run can read."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable


def summary(values: list[float]) -> dict[str, float | int | None]:
    """Count, mean, p50, p95, p99 and max of a list of durations (seconds), in milliseconds."""
    if not values:
        return {"n": 0, "mean_ms": None, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "n": len(ordered),
        "mean_ms": round(sum(ordered) / len(ordered) * 1000, 1),
        "p50_ms": round(rank(0.50), 1),
        "p95_ms": round(rank(0.95), 1),
        "p99_ms": round(rank(0.99), 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def rate(count: int, start: float, end: float) -> float | None:
    """Events per second over ``[start, end]``."""
    return round(count / (end - start), 1) if count and end > start else None


class Progress(threading.Thread):
    """Redraws ``[#####.....] 52%  label`` on stderr twice a second until stopped."""

    def __init__(self, title: str, total: int, done: Callable[[], int], detail: Callable[[], str] = lambda: "") -> None:
        super().__init__(daemon=True)
        self.title, self.total, self.done, self.detail = title, max(1, total), done, detail
        self.halt = threading.Event()
        self.started = time.monotonic()

    def line(self) -> str:
        done = min(self.done(), self.total)
        filled = int(30 * done / self.total)
        elapsed = time.monotonic() - self.started
        return (
            f"\r{self.title:<12} [{'#' * filled}{'.' * (30 - filled)}] {100 * done // self.total:3d}% "
            f"{done}/{self.total} {elapsed:6.1f}s {self.detail()}"
        )

    def run(self) -> None:
        # On a terminal the bar is redrawn in place; into a file, a line every 5 seconds.
        tty = sys.stderr.isatty()
        while not self.halt.wait(0.5 if tty else 5):
            sys.stderr.write(self.line()[:160].ljust(160) if tty else self.line()[1:] + "\n")
            sys.stderr.flush()

    def finish(self) -> None:
        """Draw the last state and end the line."""
        self.halt.set()
        self.join()
        sys.stderr.write(self.line()[:160].ljust(160) + "\n")
        sys.stderr.flush()
