"""Small core modules: search folding, the e-mails' links, the signed unsubscribe tokens."""

from __future__ import annotations

from core.links import Links
from core.text import fold, words
from core.unsubscribe import Unsubscription, read_token, token_for


def test_fold_and_words_ignore_case_accents_and_stop_words():
    assert fold(" Hôpital Européen ") == "hopital europeen"
    assert words("The Mitral valve", None, "valve REPAIR of the heart") == ["mitral", "valve", "repair", "heart"]


def test_every_link_is_absolute_under_the_base_url():
    links = Links("https://m.example/")
    made = [links.booking("b 1"), links.my_bookings(), links.training("t"), links.reviews("t"),
            links.expert_training("t"), links.credentials(), links.certificates(), links.sponsorship("s"),
            links.admin_experts(), links.preferences(), links.unsubscribe("tok")]  # fmt: skip
    assert all(u.startswith("https://m.example/") and "//" not in u[8:] for u in made)
    assert links.booking("b 1").endswith("/bookings/b%201") and links.reviews("t").endswith("#reviews")


def test_a_token_reads_back_only_under_its_key_and_unaltered():
    token = token_for(b"k", "user-1", "reminders")
    assert read_token(b"k", token) == Unsubscription("user-1", "reminders")
    assert read_token(b"other", token) is None
    body, mac = token.split(".")
    assert read_token(b"k", f"{body}x.{mac}") is None
    assert read_token(b"k", "no-dot") is None and read_token(b"k", "!!.??") is None
