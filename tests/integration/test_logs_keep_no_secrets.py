"""What the processes log never holds a secret: passwords, tokens, keys, client secrets."""

from __future__ import annotations

import logging

import pytest

from tests.support import Stack


def test_a_whole_booking_leaves_no_secret_in_the_logs(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # the most an operator can ask for (LOG_LEVEL=DEBUG)
    api = stack.api
    expert, trainee = api.expert(), api.user("trainee")
    training = api.published_training(expert, capacity=2)
    wrong = api.call("POST", "/api/v1/auth/login", json={"email": trainee["email"], "password": "my wrong Secret 42"})
    assert wrong.status_code == 401
    unknown = api.call("GET", "/api/v1/me", "not-a-real-token-but-secret-looking")
    assert unknown.status_code == 401

    booking = stack.book(trainee, training)
    stack.pay(trainee, booking, method="pm_card_chargeCustomerFail")  # declined: logged as a failure
    stack.intent_of(booking, attempt=2)
    stack.pay(trainee, booking)
    confirmed = stack.wait_status(booking, "confirmed")
    client_secret = confirmed["payment"]["client_secret"]
    assert client_secret and "_secret_" in client_secret

    # A password reset by e-mail, its link opened on the web and over the API.
    assert api.call("POST", "/api/v1/auth/password-reset", json={"email": trainee["email"]}).status_code == 202
    reset = stack.link_in_mail(trainee["email"], "Reset your password", "reset-password")
    assert api.call("GET", f"/reset-password/{reset}").status_code == 200
    done = api.call(
        "POST", "/api/v1/auth/password-reset/confirm", json={"token": reset, "password": "my new Secret 43"}
    )
    assert done.status_code == 200, done.text
    verify = stack.link_in_mail(trainee["email"], "Confirm your e-mail address", "verify-email")

    assert len(caplog.records) > 20  # the processes did log, at DEBUG
    secrets = {
        "password": "correct horse battery",
        "wrong password": "my wrong Secret 42",
        "a bearer token": trainee["token"],
        "an unknown token": "not-a-real-token-but-secret-looking",
        "Stripe's secret key": stack.config.stripe_api_key,
        "the webhook secret": stack.config.stripe_webhook_secret,
        "the web secret": stack.config.web_secret_key,
        "the certificate key": stack.config.certificate_signing_key,
        "a client secret": client_secret,
        "a password-reset link": reset,
        "its signature": reset.split(".")[1],
        "the new password": "my new Secret 43",
        "an address-verification link": verify,
    }
    # The test's own HTTP client logs the URLs it opens (the link it was sent, here): not the processes' logs.
    ours = stack.api.base_url.removeprefix("http://")
    logged_by_processes = "\n".join(
        r.getMessage() for r in caplog.records if not (r.name.startswith("urllib3") and ours in r.getMessage())
    )
    leaked = [what for what, value in secrets.items() if value in logged_by_processes]
    assert leaked == [], f"logged: {leaked}"
