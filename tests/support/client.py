"""An HTTP client of the test's API, signing people up and in as a person would."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from core.services import accounts
from core.services.deps import Deps
from tests.support.inputs import TRAINING
from tests.support.reading import csrf_of


class ApiClient:
    """A requests session bound to the test's API, with a bearer token per user.

    With ``deps`` it can make an admin (as the ``flask create-admin`` command does) and
    so verified experts, through the same HTTP endpoints a person uses.
    """

    def __init__(self, base_url: str, deps: Deps | None = None) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.deps = deps
        self._admin: dict[str, Any] | None = None

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> requests.Response:
        """One request; ``path`` is relative to the server root."""
        headers = dict(kwargs.pop("headers", {}) or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.http.request(method, self.base_url + path, headers=headers, timeout=30, **kwargs)

    def user(self, role: str, name: str | None = None) -> dict[str, Any]:
        """Register and log in a fresh user; returns its id, e-mail and token."""
        email = f"{role}-{uuid.uuid4().hex[:10]}@example.org"
        reg = self.call(
            "POST",
            "/api/v1/auth/register",
            json={"email": email, "password": "correct horse battery", "name": name or role.title(), "role": role},
        )
        assert reg.status_code == 201, reg.text
        login = self.call("POST", "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
        assert login.status_code == 200, login.text
        return {"id": reg.json()["id"], "email": email, "token": login.json()["access_token"]}

    def web_session(self, email: str) -> tuple[requests.Session, str]:
        """A browser-like session signed in through the web form, and its CSRF token."""
        session = requests.Session()
        signed = session.post(
            f"{self.base_url}/login",
            data={"csrf": csrf_of(session.get(f"{self.base_url}/login").text), "email": email,
                  "password": "correct horse battery"},
        )  # fmt: skip
        assert signed.status_code == 200, signed.text
        return session, csrf_of(signed.text)

    def admin(self) -> dict[str, Any]:
        """An admin account, created once per client through the core (never over HTTP)."""
        if self._admin is None:
            assert self.deps is not None, "ApiClient(base_url, deps) is needed to make an admin"
            email = f"admin-{uuid.uuid4().hex[:10]}@example.org"
            user = accounts.create_admin(self.deps, email, "correct horse battery", "Admin")
            login = self.call("POST", "/api/v1/auth/login", json={"email": email, "password": "correct horse battery"})
            self._admin = {"id": user.id, "email": email, "token": login.json()["access_token"]}
        return self._admin

    def expert(self, name: str | None = None) -> dict[str, Any]:
        """An expert who submitted credentials and whom an admin verified."""
        expert = self.user("expert", name)
        submitted = self.call(
            "POST",
            "/api/v1/me/credentials",
            expert["token"],
            json={
                "credentials": [
                    {"kind": "medical_license", "number": "FR-123456", "issuer": "Ordre des médecins", "country": "FR"}
                ]
            },
        )
        assert submitted.status_code == 202, submitted.text
        verified = self.call("POST", f"/api/v1/admin/experts/{expert['id']}/verify", self.admin()["token"])
        assert verified.status_code == 200, verified.text
        return expert

    def published_training(self, expert: dict[str, Any], **fields: Any) -> dict[str, Any]:
        """A complete training, published by ``expert``."""
        body = {**TRAINING, **fields}
        created = self.call("POST", "/api/v1/trainings", expert["token"], json=body)
        assert created.status_code == 201, created.text
        published = self.call("POST", f"/api/v1/trainings/{created.json()['id']}/publish", expert["token"])
        assert published.status_code == 200, published.text
        return published.json()
