"""Point reads an API process answers from memory, kept right by the collection's change stream.

The booking request and every status poll start with the same two reads: the session behind
the bearer token, then its user (bench/RESULTS.md, run 6). Both documents change rarely. Each
API process keeps the ones it read, and a MongoDB change stream on the collection (a replica
set's, or the embedded server's) drops a document's entry as soon as it changes anywhere, in any
process. Its own writes drop their entries at once, so this process never reads its own write
stale; another process's change reaches it within the stream's latency (milliseconds).

While the stream is not open (starting, or broken and reopening) nothing is cached and every
read goes to the database; when it breaks, everything cached is dropped, since a change may
have been missed. A read that raced with any change is not cached.

A document inserted anywhere is cached as the stream delivers its insert (a token issued by
another process is known here before its first use): the stream delivers a document's changes
in order, so whatever comes after the insert drops it again. One case needs care: this process
changing a document whose insert the stream has not delivered yet. The late insert must not
bring back what this process just revoked, so a key this process changed (or a document
matching a bulk change of its own) is never cached from an insert. Updates that only touch
fields the model ignores (``ignored_fields``, the outbox's ``pending_events``) keep the entry.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from adapters.mongo_compat import CHANGE_STREAM_IDLE_S, next_change

log = logging.getLogger(__name__)


class WatchedDocs:
    """Documents of one collection by ``_id``, cached while its change stream runs."""

    def __init__(
        self, collection: Collection[Any], capacity: int = 100_000, ignored_fields: tuple[str, ...] = ()
    ) -> None:
        self._c = collection
        self._capacity = capacity
        self._ignored = ignored_fields
        self._docs: OrderedDict[Any, dict[str, Any]] = OrderedDict()
        # What this process changed since the stream opened: never cached from a (late) insert.
        self._written: OrderedDict[Any, None] = OrderedDict()
        self._written_where: deque[Callable[[dict[str, Any]], bool]] = deque(maxlen=1_000)
        self._lock = threading.Lock()
        self._changes = 0  # every change seen (or the stream breaking) bumps it
        self._open = threading.Event()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self, key: Any, read: Callable[[], dict[str, Any] | None]) -> dict[str, Any] | None:
        """The document ``read`` returns, from memory when it is known not to have changed since."""
        self._start()
        if not self._open.is_set():
            return read()
        with self._lock:
            doc = self._docs.get(key)
            if doc is not None:
                self._docs.move_to_end(key)
                return copy.deepcopy(doc)
            seen = self._changes
        doc = read()
        if doc is not None:
            with self._lock:
                if self._changes == seen and self._open.is_set():  # nothing changed while it was read
                    self._docs[key] = copy.deepcopy(doc)
                    if len(self._docs) > self._capacity:
                        self._docs.popitem(last=False)
        return doc

    def forget(self, key: Any | None = None) -> None:
        """Drop one document (this process changed it), or every one."""
        with self._lock:
            self._changes += 1
            if key is None:
                self._docs.clear()
                return
            self._docs.pop(key, None)
            self._written[key] = None
            if len(self._written) > self._capacity:
                self._written.popitem(last=False)

    def forget_where(self, matches: Callable[[dict[str, Any]], bool]) -> None:
        """Drop every cached document ``matches`` accepts (a bulk change by this process)."""
        with self._lock:
            self._changes += 1
            self._written_where.append(matches)
            for key in [k for k, d in self._docs.items() if matches(d)]:
                del self._docs[key]

    def _changed(self, change: dict[str, Any]) -> None:
        """Apply one change from the stream: an insert is cached, anything else drops the entry."""
        key = change.get("documentKey", {}).get("_id")
        operation, doc = change.get("operationType"), change.get("fullDocument")
        with self._lock:
            self._changes += 1
            if operation == "update" and self._only_ignored(change.get("updateDescription")):
                return
            if operation != "insert" or doc is None:
                self._docs.pop(key, None)
                return
            if key in self._written or any(matches(doc) for matches in self._written_where):
                return
            self._docs[key] = doc
            if len(self._docs) > self._capacity:
                self._docs.popitem(last=False)

    def _only_ignored(self, description: dict[str, Any] | None) -> bool:
        if not description or not self._ignored:
            return False
        fields = [*description.get("updatedFields", {}), *description.get("removedFields", [])]
        fields += [t.get("field", "") for t in description.get("truncatedArrays", [])]
        return bool(fields) and all(f.split(".")[0] in self._ignored for f in fields)

    def _opened(self) -> None:
        """The stream (re)opened: nothing from before it is cached, and no earlier insert will come."""
        with self._lock:
            self._changes += 1
            self._docs.clear()
            self._written.clear()
            self._written_where.clear()

    def close(self) -> None:
        """Stop watching (the thread ends at its next change or timeout)."""
        self._closed.set()
        self._open.clear()

    def _start(self) -> None:
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._watch, daemon=True, name=f"watch-{self._c.name}")
                    self._thread.start()

    def _watch(self) -> None:
        backoff = 0.5
        while not self._closed.is_set():
            try:
                with self._c.watch(max_await_time_ms=int(CHANGE_STREAM_IDLE_S * 1000)) as stream:
                    self._opened()  # whatever was cached before the stream opened may be stale
                    self._open.set()
                    backoff = 0.5
                    while stream.alive and not self._closed.is_set():
                        change = next_change(stream, self._closed)
                        if change is not None:
                            self._changed(change)
            except PyMongoError as exc:
                log.warning("change stream on %s broke (%s); reading through until it reopens", self._c.name, exc)
            self._open.clear()
            self.forget()
            time.sleep(backoff)
            backoff = min(5.0, backoff * 2)
