"""The words an expert's, a sponsor's and an admin's pages show for the core's states and codes.

The core names states in English codes (``draft``, ``pending``, ``present``); a page shows each
in its reader's language. One table per kind, lazily translated, offered to every template (the
credentials page is rendered by ``account.py``, the roll call by ``expert.py``), so a state is
worded once whichever view shows it.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext

from api.web.blueprint import blp

TRAINING_STATUSES = {
    "draft": lazy_gettext("draft"),
    "published": lazy_gettext("published"),
    "cancelled": lazy_gettext("cancelled"),
    "completed": lazy_gettext("completed"),
}
VERIFICATION_STATES = {
    "unverified": lazy_gettext("unverified"),
    "pending": lazy_gettext("pending"),
    "verified": lazy_gettext("verified"),
    "rejected": lazy_gettext("rejected"),
    "withdrawn": lazy_gettext("withdrawn"),
}
ATTENDANCE_MARKS = {"present": lazy_gettext("present"), "absent": lazy_gettext("absent")}
LEVEL_NAMES = {
    "resident": lazy_gettext("Residents"),
    "fellow": lazy_gettext("Fellows"),
    "specialist": lazy_gettext("Specialists"),
    "senior": lazy_gettext("Seniors"),
}
CREDENTIAL_KINDS = {
    "medical_license": lazy_gettext("medical license"),
    "board_certification": lazy_gettext("board certification"),
    "hospital_appointment": lazy_gettext("hospital appointment"),
    "diploma": lazy_gettext("diploma"),
    "other": lazy_gettext("other"),
}
# How the reconciliation names a disagreement between the ledger and Stripe (core.services.ledger).
DIFFERENCE_KINDS = {
    "missing_in_ledger": lazy_gettext("missing in the ledger"),
    "missing_in_stripe": lazy_gettext("missing in Stripe"),
    "amount_mismatch": lazy_gettext("amount mismatch"),
}


@blp.app_context_processor
def state_words() -> dict[str, Any]:
    """The tables above, by the names the templates use."""
    return {"training_statuses": TRAINING_STATUSES, "verification_states": VERIFICATION_STATES,
            "attendance_marks": ATTENDANCE_MARKS, "credential_kinds": CREDENTIAL_KINDS,
            "difference_kinds": DIFFERENCE_KINDS}  # fmt: skip
