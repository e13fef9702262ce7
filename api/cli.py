"""``flask --app api ...`` commands for operators."""

from __future__ import annotations

import click
from flask import Flask

from api.context import deps
from core.errors import DomainError
from core.services import accounts


def register_commands(app: Flask) -> None:
    """Attach the operator commands to the app."""

    @app.cli.command("create-admin")
    @click.option("--email", required=True, help="The admin's e-mail, used to log in.")
    @click.option("--name", required=True, help="The admin's display name.")
    @click.password_option(envvar="ADMIN_PASSWORD", help="Prompted for (or ADMIN_PASSWORD).")
    def create_admin(email: str, name: str, password: str) -> None:
        """Create an admin account (admins are never made through the HTTP API)."""
        if len(password) < 10:
            raise click.BadParameter("at least 10 characters", param_hint="password")
        try:
            user = accounts.create_admin(deps(), email, password, name)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"admin {user.email} created (id {user.id})")
