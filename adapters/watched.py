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
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import PyMongoError

from adapters.mongo_compat import CHANGE_STREAM_IDLE_S, next_change

log = logging.getLogger(__name__)


class WatchedDocs:
    """Documents of one collection by ``_id``, cached while its change stream runs."""

    def __init__(self, collection: Collection[Any], capacity: int = 100_000) -> None:
        self._c = collection
        self._capacity = capacity
        self._docs: OrderedDict[Any, dict[str, Any]] = OrderedDict()
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
            else:
                self._docs.pop(key, None)

    def forget_where(self, matches: Callable[[dict[str, Any]], bool]) -> None:
        """Drop every cached document ``matches`` accepts (a bulk change by this process)."""
        with self._lock:
            self._changes += 1
            for key in [k for k, d in self._docs.items() if matches(d)]:
                del self._docs[key]

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
                    self.forget()  # whatever was cached before the stream opened may be stale
                    self._open.set()
                    backoff = 0.5
                    while stream.alive and not self._closed.is_set():
                        change = next_change(stream, self._closed)
                        if change is not None:
                            self.forget(change.get("documentKey", {}).get("_id"))
            except PyMongoError as exc:
                log.warning("change stream on %s broke (%s); reading through until it reopens", self._c.name, exc)
            self._open.clear()
            self.forget()
            time.sleep(backoff)
            backoff = min(5.0, backoff * 2)
