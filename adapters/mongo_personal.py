"""MongoDB: everything stored about one person, found through indexed queries, to export or erase.

Which collection holds what about a person is written down once, here:

- only the person's (deleted on erasure): sessions, password-reset links, learning goals, saved
  searches and their matches, notification preferences, inbox, queued and sent e-mails,
  certificates, assessments of their days, sign-in counters;
- kept because others or the law rely on them, with the person's name and e-mail replaced by a
  placeholder wherever they were copied: bookings (their money moved), the ledger entries of their
  payments and refunds (accounting law), the vouchers they redeemed, their reviews, questions and
  follow-up messages (content others read), and the notices and e-mails that told others about
  them (the experts of their trainings, the admins);
- the account itself becomes a nameless placeholder document, so that what is kept still points at
  an id, which names nobody.
"""

from __future__ import annotations

import html
import re
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from core.model import Role, User
from core.services.accounts import digest

# Never handed over, even to their owner: credentials of any kind, and the API's own bookkeeping.
SECRET_KEYS = frozenset({"password_hash", "pending_events", "client_secret", "token_hash", "nonce"})


def create_personal_indexes(db: Database) -> None:
    """The queries that find a person's records where no other query needed an index by person."""
    db.outbox.create_index([("user_id", ASCENDING)], name="outbox_user")
    db.alert_matches.create_index([("user_id", ASCENDING)], name="alert_matches_user")
    db.follow_ups.create_index([("author_id", ASCENDING)], name="follow_ups_author")
    db.ledger.create_index([("reference", ASCENDING)], name="ledger_reference")


class MongoPersonalData:
    """Implements ``PersonalData`` over the marketplace's collections."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def export(self, user_id: str) -> dict[str, list[dict[str, Any]]]:
        """The person's records by kind, secrets left out."""
        db = self._db
        bookings = list(db.bookings.find({"trainee_id": user_id}))
        booking_ids = [b["_id"] for b in bookings]
        found = {
            "bookings": bookings,
            "payments": list(db.ledger.find({"reference": {"$in": booking_ids}})) if booking_ids else [],
            "certificates": list(db.certificates.find({"trainee_id": user_id})),
            "reviews": list(db.reviews.find({"trainee_id": user_id})),
            "questions": list(db.questions.find({"trainee_id": user_id})),
            "goals": list(db.goals.find({"_id": user_id})),
            "alerts": list(db.alerts.find({"user_id": user_id})),
            "alert_matches": list(db.alert_matches.find({"user_id": user_id})),
            "notification_preferences": list(db.notification_preferences.find({"_id": user_id})),
            "inbox": list(db.inbox.find({"user_id": user_id})),
            "assessments": list(db.assessments.find({"trainee_id": user_id})),
            "follow_up_messages": list(db.follow_ups.find({"author_id": user_id})),
            "sponsorships": list(db.sponsorships.find({"sponsor_id": user_id})),
        }
        return {kind: [_without_secrets(doc) for doc in docs] for kind, docs in found.items()}

    def erase(self, user: User, placeholder: str) -> dict[str, int]:
        """Delete what is only the person's; make the rest name nobody. Counts by collection."""
        db, uid = self._db, user.id
        bookings = list(db.bookings.find({"trainee_id": uid}, {"_id": 1, "training_id": 1, "voucher_code": 1}))
        booking_ids = [b["_id"] for b in bookings]
        counts = {
            name: int(db[name].delete_many(query).deleted_count)
            for name, query in (
                ("sessions", {"user_id": uid}), ("password_resets", {"user_id": uid}), ("goals", {"_id": uid}),
                ("alerts", {"user_id": uid}), ("alert_matches", {"user_id": uid}),
                ("notification_preferences", {"_id": uid}), ("inbox", {"user_id": uid}),
                ("outbox", {"user_id": uid}), ("certificates", {"trainee_id": uid}),
                ("assessments", {"trainee_id": uid}),
            )
        }  # fmt: skip
        for prefix in (f"login:{digest(user.email)}@", f"reset:{digest(user.email)}@"):
            db.rate_limits.delete_many({"_id": {"$regex": f"^{re.escape(prefix)}"}})
        scrub = _Scrubber(user, placeholder)
        codes = [b["voucher_code"] for b in bookings if b.get("voucher_code")]
        experts = {t["expert_id"] for t in db.trainings.find({"_id": {"$in": [b["training_id"] for b in bookings]}},
                                                            {"expert_id": 1}) if t.get("expert_id")}  # fmt: skip
        admins = [a["_id"] for a in db.users.find({"role": str(Role.ADMIN)}, {"_id": 1})]
        told = sorted(experts | set(admins))
        kept = (
            ("bookings", {"trainee_id": uid}),
            ("ledger", {"reference": {"$in": booking_ids}}),
            ("vouchers", {"code": {"$in": codes}}),
            ("reviews", {"trainee_id": uid}),
            ("questions", {"trainee_id": uid}),
            ("follow_ups", {"booking_id": {"$in": booking_ids}}),
            ("follow_ups", {"author_id": uid}),
            ("inbox", {"user_id": {"$in": told}}),
            ("outbox", {"user_id": {"$in": told}}),
        )
        for name, query in kept:
            counts[name] = counts.get(name, 0) + scrub.collection(db[name], query)
        db.users.replace_one({"_id": uid}, _placeholder_account(user, placeholder))
        return counts


def _placeholder_account(user: User, placeholder: str) -> dict[str, Any]:
    """What stays of the account: an id others' records point at, which names nobody and cannot sign in."""
    return {
        "_id": user.id,
        "email": f"closed-{user.id}@closed.invalid",  # unique, as the index wants, and nobody's
        "name": placeholder,
        "role": str(user.role),
        "password_hash": "!",  # no password's hash: signing in always fails
        "created_at": user.created_at,
        "closed_at": user.closed_at,
        "verification": str(user.verification),
        "former_roles": list(user.former_roles),
    }


class _Scrubber:
    """Replaces the person's name and e-mail, as written and as escaped in HTML, in every string of a document."""

    def __init__(self, user: User, placeholder: str) -> None:
        forms: dict[str, str] = {}
        for value, replacement in ((user.email, "[address removed]"), (user.name, placeholder)):
            for form in {value, html.escape(value), html.escape(value, quote=False)}:
                if form.strip():
                    forms[form] = replacement
        # The longest form first, whole words only, so "Ann" does not cut into "Annecy".
        self._pattern = re.compile(
            "|".join(rf"(?<!\w){re.escape(f)}(?!\w)" for f in sorted(forms, key=len, reverse=True))
        )
        self._forms = forms

    def collection(self, collection: Any, query: dict[str, Any]) -> int:
        """Rewrite the documents of ``query`` that mention the person; how many changed."""
        changed = 0
        for doc in collection.find(query):
            clean = self._value(doc)
            if clean != doc:
                collection.replace_one({"_id": doc["_id"]}, clean)
                changed += 1
        return changed

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._pattern.sub(lambda m: self._forms[m.group(0)], value)
        if isinstance(value, bytes):
            return self._value(value.decode("utf-8", "replace")).encode() if self._mentions(value) else value
        if isinstance(value, dict):
            return {k: self._value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._value(v) for v in value]
        return value

    def _mentions(self, raw: bytes) -> bool:
        return any(f.encode() in raw for f in self._forms)


def _without_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_secrets(v) for k, v in value.items() if k not in SECRET_KEYS}
    if isinstance(value, list):
        return [_without_secrets(v) for v in value]
    return value
