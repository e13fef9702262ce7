"""Repeated searches answered at the door: a search asked again with the same query string gets
the same bytes, without Flask, for as long as the catalogue says the answer still holds.

Once a search's page came from memory, Flask itself (routing, arguments, hooks, headers) was
most of a search's time. Only answers of 200 that the view marked (``answered``) are kept, with
every header the application set; anything else goes through the application as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from api.observability import route_seen
from core.services.catalogue import CataloguePage
from core.services.deps import Deps

PATH = "/api/v1/trainings"
_ANSWER = "marketplace.catalogue_answer"


def answered(environ: dict[str, Any], found: CataloguePage) -> None:
    """The view says which answer it served (from the catalogue in memory), so it may be kept."""
    environ[_ANSWER] = found


@dataclass(frozen=True)
class _Kept:
    found: CataloguePage
    status: str
    headers: list[tuple[str, str]]
    body: bytes


class RepeatedSearches:
    """WSGI middleware in front of the application (``app.wsgi_app``)."""

    def __init__(self, app: Callable[..., Iterable[bytes]], deps: Deps, size: int = 1024) -> None:
        self._app = app
        self._deps = deps
        self._size = size
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        catalogue = self._deps.catalogue
        if catalogue is None or environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return self._app(environ, start_response)
        query = environ.get("QUERY_STRING", "")
        with self._lock:
            kept = self._kept.get(query)
        if kept is not None:
            found = kept.found
            date_from = self._deps.clock() if found.dated_by_now else None
            if found.matches is not None and catalogue.holds(found.matches, found.experts_version, date_from):
                route_seen(environ, PATH)
                start_response(kept.status, list(kept.headers))
                return [kept.body]
        return self._answer(query, environ, start_response)

    def _answer(self, query: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        said: dict[str, Any] = {}

        def listening(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            said["status"], said["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self._app(environ, listening)
        found = environ.get(_ANSWER)
        if found is None or not str(said.get("status", "")).startswith("200 "):
            return body
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        with self._lock:
            self._kept[query] = _Kept(found, said["status"], list(said["headers"]), data)
            self._kept.move_to_end(query)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return [data]
