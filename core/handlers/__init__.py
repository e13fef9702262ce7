"""The saga's handlers: what each worker does with an event, given only the ports it uses.

A handler is a function ``handler(event, **ports)``; its parameter names say which ports it
needs (``bookings``, ``seats``, ``publisher``, ``clock``...), and ``inject`` hands it exactly
those, taken from the ``Deps`` the bootstrap wired (cosmicpython's ``inject_dependencies``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from core.services.deps import Deps
from events.envelope import Event

Handler = Callable[..., None]
Bound = Callable[[Event], None]


def inject(handler: Handler, deps: Deps) -> Bound:
    """``handler`` with every parameter but the event bound to the port of the same name."""
    names = list(inspect.signature(handler).parameters)[1:]
    missing = [n for n in names if not hasattr(deps, n)]
    if missing:
        raise TypeError(f"{handler.__qualname__} asks for {missing}: no such port")
    return functools.partial(handler, **{n: getattr(deps, n) for n in names})


def bind_all(handlers: Mapping[Any, list[Handler]], deps: Deps) -> dict[Any, list[Bound]]:
    """Every handler of a registry with its ports bound, once, when the worker starts."""
    return {kind: [inject(h, deps) for h in hs] for kind, hs in handlers.items()}
