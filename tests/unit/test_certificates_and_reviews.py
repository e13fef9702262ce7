"""The pure rules of certificates (signing, codes as typed) and of reviews (edit window, averages)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

from core.certificates import CODE_LENGTH, Certificate, is_authentic, normalize_code, sign, signed_content
from core.model import Role, User
from core.reviews import EDIT_WINDOW, Rating, Review
from core.services import reviews

KEY = b"test-key"
NOW = datetime(2026, 3, 17, 5, 0, tzinfo=UTC)


def _certificate(**changes: object) -> Certificate:
    fields = dict(
        id="cert_b1", booking_id="b1", training_id="t1", trainee_id="u1", expert_id="e1", trainee_name="Anna K",
        expert_name="Dr E", expert_title=None, institution="HEGP", city="Paris", country="FR",
        training_title="TAVI", specialty="cardiology", technique="TAVI", day="2026-03-16", starts_local="08:00",
        ends_local="17:00", timezone="Europe/Paris", hours=9.0, cme_credits=7.0, issued_at=NOW,
    )  # fmt: skip
    return Certificate(**{**fields, **changes})  # type: ignore[arg-type]


def test_a_signed_certificate_verifies_only_with_our_key_and_unchanged_content() -> None:
    signed = sign(_certificate(), KEY)
    assert len(signed.code.replace("-", "")) == CODE_LENGTH and signed.code.count("-") == 4
    assert is_authentic(signed, KEY)
    assert not is_authentic(signed, b"another-key")
    for change in ({"cme_credits": 70.0}, {"trainee_name": "Someone Else"}, {"day": "2026-03-17"}):
        assert not is_authentic(dataclasses.replace(signed, **change), KEY), change  # type: ignore[arg-type]


def test_the_signature_reads_numbers_by_value_and_times_in_utc() -> None:
    signed = sign(_certificate(), KEY)
    same = dataclasses.replace(signed, cme_credits=7, hours=9, issued_at=NOW.astimezone(timezone(timedelta(hours=1))))  # type: ignore[arg-type]
    assert signed_content(same) == signed_content(signed) and is_authentic(same, KEY)


def test_codes_are_read_as_people_type_them() -> None:
    code = sign(_certificate(), KEY).code
    assert normalize_code(code.lower()) == code
    assert normalize_code(code.replace("-", " ")) == code
    assert normalize_code(" " + code.replace("-", "") + " ") == code
    assert normalize_code("ABCD-EFGH-IJKL-MN0P-QRST") == "ABCD-EFGH-IJKL-MNOP-QRST"  # a zero read as an O
    for not_a_code in ("", "ABCD", code + "A", "ABCD-EFGH-IJKL-MNOP-QRS!", "x" * 500):
        assert normalize_code(not_a_code) is None, not_a_code


def test_a_review_is_editable_for_fourteen_days() -> None:
    review = Review(id="r", training_id="t", series_id="t", expert_id="e", trainee_id="u", booking_id="b", rating=4,
                    text="Good", created_at=NOW, updated_at=NOW, author_name="Anna K.")  # fmt: skip
    assert review.editable(NOW + EDIT_WINDOW - timedelta(seconds=1))
    assert not review.editable(NOW + EDIT_WINDOW)
    assert EDIT_WINDOW == timedelta(days=14)


def test_ratings_average_to_two_decimals_and_none_without_reviews() -> None:
    assert Rating.of([]) == Rating(None, 0)
    assert Rating.of([5, 2]) == Rating(3.5, 2)
    assert Rating.of([5, 4, 4]) == Rating(4.33, 3)


def test_a_review_is_signed_with_the_first_name_and_an_initial_titles_left_out() -> None:
    def shown(name: str) -> str:
        return reviews.shown_name(User(id="u", email="u@x", name=name, role=Role.TRAINEE, password_hash="",
                                        created_at=NOW))  # fmt: skip

    assert shown("Anna Karlsson") == "Anna K."
    assert shown("Dr Sam Taylor") == "Sam T."
    assert shown("Prof. Jean-Luc de la Tour") == "Jean-Luc T."
    assert shown("Dr Who") == "Dr W."  # a title and one name: nothing to leave out
    assert shown("Cher") == "Cher"
