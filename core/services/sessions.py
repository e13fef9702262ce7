"""One's signed-in sessions: the list, and ending any one of them.

A session is shown by an opaque id made when it began; the token and its hash never leave the
core, so no URL, page or log line can carry a usable credential. Sessions begun before they had
an id are not listed (they expire within a token's lifetime; signing out everywhere ends them).

"Last used" is not shown: it would cost a write per authenticated request (and wake every API
process's cache of sessions through the change stream) for a date people rarely need; the client
address and user agent of the sign-in say which device a session is.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import NotFound
from core.model import User
from core.ports import SessionInfo
from core.services.accounts import digest
from core.services.deps import Deps
from core.words import N_, Worded


@dataclass(frozen=True)
class MySession:
    """One session as its owner sees it; ``current``: the one this request came with."""

    info: SessionInfo
    current: bool


def my_sessions(deps: Deps, user: User, token: str | None) -> list[MySession]:
    """The account's live sessions, newest first, the one in use marked."""
    mine = digest(token) if token else None
    return [MySession(info, token_hash == mine) for token_hash, info in deps.sessions.of_user(user.id, deps.clock())]


def end_session(deps: Deps, user: User, session_id: str) -> None:
    """End one of the account's sessions (its token stops working at once); 404 if not one of theirs."""
    if not deps.sessions.end(user.id, session_id):
        raise NotFound(Worded(N_("No session %(id)s of yours."), id=session_id))
