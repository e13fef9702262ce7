"""``flask --app api ...`` commands for operators."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
from flask import Flask

from api.context import deps
from core.errors import DomainError
from core.services import accounts, ledger


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

    @app.cli.command("reconcile")
    @click.option("--from", "start", type=click.DateTime(), help="Period start (UTC); default 24 hours ago.")
    @click.option("--to", "end", type=click.DateTime(), help="Period end (UTC, excluded); default now.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per difference, for machines.")
    def reconcile(start: datetime | None, end: datetime | None, as_json: bool) -> None:
        """Compare the ledger with Stripe's PaymentIntents and refunds; exit 1 on any difference."""
        now = datetime.now(UTC)
        period_end = end.replace(tzinfo=UTC) if end else now
        period_start = start.replace(tzinfo=UTC) if start else period_end - timedelta(days=1)
        try:
            period = ledger.check_period(period_start, period_end)
            differences = ledger.reconcile(deps(), period)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        for d in differences:
            if as_json:
                click.echo(json.dumps({"kind": d.kind, "object_id": d.object_id, "detail": d.detail}))
            else:
                click.echo(f"{d.kind:<18} {d.object_id:<32} {d.detail}")
        summary = f"{len(differences)} difference(s) between the ledger and Stripe, {period.start} to {period.end}"
        click.echo(summary, err=True)
        if differences:
            raise SystemExit(1)
