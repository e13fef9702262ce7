"""The catalogue as the API serves it: published trainings and their experts in memory, loaded
once and kept fresh by one change stream on the database.

Every writer of trainings (the API's edits, the capacity worker's free seats, the reviews'
ratings, sponsors, the experts' badge) reaches the catalogue the same way: through the change
stream, as production MongoDB (a replica set) delivers it. The stream is opened before the
load, so nothing written during the load is missed; a broken stream is resumed after its last
token, and reloaded from scratch if it cannot be.

What this process writes itself is visible to its next search (read your writes): a mutating
request calls ``touched``, and the next search first writes a marker and waits for the stream
to deliver it, so every change committed before is applied. Other processes' changes are
applied as they arrive (milliseconds; the target is within a second).
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pymongo.change_stream import DatabaseChangeStream
from pymongo.database import Database
from pymongo.errors import PyMongoError

from adapters.mongo import _user
from adapters.mongo_catalogue import _training
from adapters.mongo_compat import next_change
from core.catalogue_index import CatalogueEntry, CatalogueIndex, CatalogueMatches
from core.model import Role, Training, TrainingStatus, User
from core.ports import TrainingQuery

log = logging.getLogger("catalogue")

MARKS = "catalogue_marks"  # one document per process holding a catalogue: its read-your-writes markers
_WATCHED = ["trainings", "users", MARKS]
_GONE = ("drop", "rename", "dropDatabase", "invalidate")


def catalogue_entry(doc: Mapping[str, Any]) -> CatalogueEntry:
    """A stored training as the index holds it: the training and the folded copies stored beside it.

    Values that repeat from training to training (places, specialties, languages, words) are
    shared, not held once per training: a 10,000-training catalogue is then some 40 MB.
    """
    search = doc.get("search") or {}
    training = _training(dict(doc))
    assert training is not None
    for name in _REPEATED:
        setattr(training, name, _shared(getattr(training, name)))
    for name in _REPEATED_IN_VENUE:
        setattr(training.venue, name, _shared(getattr(training.venue, name)))
    training.languages = [_shared(v) for v in training.languages]
    training.sponsor_ids = [_shared(v) for v in training.sponsor_ids]
    return CatalogueEntry(
        training,
        tuple(dict.fromkeys(_shared(w) for w in search.get("words") or () if isinstance(w, str))),
        _shared(search.get("specialty")),
        _shared(search.get("technique")),
        _shared(search.get("city")),
        _shared(search.get("country")),
    )


_REPEATED = ("expert_id", "specialty", "technique", "description", "timezone", "currency")
_REPEATED_IN_VENUE = ("institution", "address", "city", "postal_code", "country")


def _shared(value: Any) -> Any:
    return sys.intern(value) if isinstance(value, str) else value


def _published(doc: Mapping[str, Any] | None) -> bool:
    return doc is not None and doc.get("status") == str(TrainingStatus.PUBLISHED)


def _expert(doc: Mapping[str, Any] | None) -> bool:
    return doc is not None and doc.get("role") == str(Role.EXPERT)


class _Reload(Exception):
    """The stream cannot go on (the collection or database went away): load everything again."""


class LiveCatalogue:
    """The ``Catalogue`` port: an in-memory index fed by a change stream, started on first use."""

    def __init__(self, db: Database, load_timeout_s: float = 30.0, sync_timeout_s: float = 5.0) -> None:
        self._db = db
        self._load_timeout_s = load_timeout_s
        self._sync_timeout_s = sync_timeout_s
        self.index = CatalogueIndex()
        self._experts: dict[str, User] = {}
        self._experts_version = 0
        self._id = f"{uuid.uuid4()}"
        self._state = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._loaded = threading.Event()
        self._waited = False
        self._streaming = False  # the stream is open and read: what the index holds is current
        self._token: Mapping[str, Any] | None = None
        self._touches = 0  # mutating requests of this process
        self._synced = 0  # ... whose changes the index holds for sure
        self._marks_sent = 0
        self._marks_seen = 0
        self._sync_lock = threading.Lock()
        self._sync_wanted = threading.Event()

    # -- the port

    def matching(self, query: TrainingQuery) -> CatalogueMatches | None:
        """Every published training matching ``query``; None while it cannot answer exactly."""
        if not self._ready() or not self._caught_up():
            return None
        return self.index.matching(query)

    def holds(self, found: CatalogueMatches, experts_version: int, date_from: datetime | None) -> bool:
        """Whether ``found`` is still exact: caught up with this process's writes, nothing changed since."""
        return (
            self._ready()
            and self._caught_up()
            and experts_version == self._experts_version
            and self.index.holds(found, date_from)
        )

    def experts(self, expert_ids: Iterable[str]) -> dict[str, User]:
        """The experts with these ids that it holds."""
        held = self._experts
        return {i: held[i] for i in expert_ids if i in held}

    @property
    def experts_version(self) -> int:
        """Bumped by every change to an expert."""
        return self._experts_version

    def current(self, training_id: str) -> Training | None:
        """The published training as held, if the stream is current and this process wrote nothing
        since its last catch-up (the booking request: no read, and no marker round trip either)."""
        self._start()
        if not self._loaded.is_set() or not self._streaming or self._touches > self._synced:
            return None
        entry = self.index.get(training_id)
        return copy.copy(entry.training) if entry is not None else None

    def touched(self) -> None:
        """This process wrote something: its next search first catches up with the database (and a
        thread of its own catches up meanwhile, so ``current`` answers again without a search)."""
        with self._state:
            self._touches += 1
        self._sync_wanted.set()

    def close(self) -> None:
        """Stop following the database."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            try:
                self._db[MARKS].delete_one({"_id": self._id})
            except PyMongoError:
                pass  # the database may be gone already; the marker is one small document

    # -- start, load, follow

    def _start(self) -> None:
        if self._thread is None:
            with self._state:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._follow, name="catalogue", daemon=True)
                    self._thread.start()
                    threading.Thread(target=self._catch_up, name="catalogue-sync", daemon=True).start()

    def _catch_up(self) -> None:
        """After this process's writes, catch up in the background: one marker per burst of writes."""
        while not self._stopping.is_set():
            if not self._sync_wanted.wait(0.5):
                continue
            self._sync_wanted.clear()
            if self._loaded.is_set() and self._streaming and not self._caught_up():
                self._sync_wanted.set()  # the stream is late or away: try again shortly
                self._stopping.wait(0.5)

    def _ready(self) -> bool:
        self._start()
        # The first searches wait for the load; once one waited in vain (a database down at start),
        # the others do not wait again, and search the database until it is loaded.
        if not self._loaded.is_set() and (self._waited or not self._loaded.wait(self._load_timeout_s)):
            self._waited = True
            log.warning("the catalogue is not loaded yet: searching the database")
            return False
        return self._streaming

    def _caught_up(self) -> bool:
        """Whether every change this process made is applied (waiting for it, after a write)."""
        if self._touches <= self._synced:
            return True
        with self._sync_lock:
            touches = self._touches
            if touches <= self._synced:
                return True
            with self._state:
                self._marks_sent += 1
                mark = self._marks_sent
            try:
                self._db[MARKS].update_one({"_id": self._id}, {"$set": {"mark": mark}}, upsert=True)
            except PyMongoError as exc:
                log.warning("could not mark the catalogue's stream (%s): searching the database", exc)
                return False
            with self._state:
                if not self._state.wait_for(lambda: self._marks_seen >= mark, self._sync_timeout_s):
                    log.warning("the catalogue's stream is late: searching the database")
                    return False
            self._synced = touches
            return True

    def _follow(self) -> None:
        stream: DatabaseChangeStream | None = None
        delay = 0.1
        resumed = False  # the stream was resumed and has not delivered yet: a failure means reload
        while not self._stopping.is_set():
            try:
                if stream is None:
                    resumed = self._token is not None
                    stream = self._open()
                    self._streaming = True
                change = next_change(stream, self._stopping)  # paced: SecantusDB does not hold an empty getMore
                if change is not None:
                    self._apply(change)
                self._token = stream.resume_token
                resumed = False
                delay = 0.1
            except (PyMongoError, _Reload) as exc:
                self._streaming = False
                if isinstance(exc, _Reload) or resumed:
                    self._token = None
                log.warning("catalogue stream interrupted (%s); reopening", exc)
                if stream is not None:
                    _close_quietly(stream)
                stream = None
                self._stopping.wait(delay)
                delay = min(delay * 2, 5.0)
        if stream is not None:
            _close_quietly(stream)

    def _watch(self, resume_after: Mapping[str, Any] | None = None) -> DatabaseChangeStream:
        pipeline = [{"$match": {"ns.coll": {"$in": _WATCHED}}}]
        return self._db.watch(pipeline, full_document="updateLookup", resume_after=resume_after, max_await_time_ms=200)

    def _open(self) -> DatabaseChangeStream:
        """The stream after the last change applied; else a new one, and everything loaded again."""
        if self._token is not None:
            try:
                return self._watch(resume_after=self._token)
            except PyMongoError as exc:
                log.warning("cannot resume the catalogue stream (%s): loading it again", exc)
                self._token = None
        stream = self._watch()  # first: what is written during the load comes through it
        try:
            self._load()
        except BaseException:
            _close_quietly(stream)
            raise
        return stream

    def _load(self) -> None:
        # In batches of a few hundred: a server's 16 MB batch, decoded at once, was the process's peak memory.
        published = self._db.trainings.find({"status": str(TrainingStatus.PUBLISHED)}, batch_size=500)
        self.index.replace_all(catalogue_entry(doc) for doc in published)
        experts = (_user(doc) for doc in self._db.users.find({"role": str(Role.EXPERT)}))
        self._experts = {u.id: u for u in experts if u is not None}
        self._experts_version += 1
        log.info("catalogue loaded: %d published trainings, %d experts", len(self.index), len(self._experts))
        self._loaded.set()

    def _apply(self, change: Mapping[str, Any]) -> None:
        operation = change["operationType"]
        if operation in _GONE:
            raise _Reload(operation)
        collection = change["ns"]["coll"]
        doc = change.get("fullDocument")
        key = change.get("documentKey", {}).get("_id")
        if collection == "trainings":
            if operation != "delete" and _published(doc):
                self.index.upsert(catalogue_entry(doc))  # type: ignore[arg-type]
            else:
                self.index.remove(key)
        elif collection == "users":
            self._apply_user(operation, key, doc)
        elif collection == MARKS and key == self._id and doc is not None:
            with self._state:
                self._marks_seen = max(self._marks_seen, int(doc.get("mark", 0)))
                self._state.notify_all()

    def _apply_user(self, operation: str, user_id: Any, doc: Mapping[str, Any] | None) -> None:
        if operation != "delete" and _expert(doc):
            user = _user(dict(doc))  # type: ignore[arg-type]
            if user is not None:
                self._experts = {**self._experts, user.id: user}
                self._experts_version += 1
        elif user_id in self._experts:
            self._experts = {k: v for k, v in self._experts.items() if k != user_id}
            self._experts_version += 1


def _close_quietly(stream: DatabaseChangeStream) -> None:
    try:
        stream.close()
    except PyMongoError:
        pass  # closing a broken stream
