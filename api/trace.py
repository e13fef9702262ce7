"""``flask --app api trace BOOKING_ID``: one booking's journey through every process."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import Flask, current_app

from adapters.config import Config
from adapters.journey import as_json
from api import operations
from core.errors import DomainError


def register(app: Flask) -> None:
    """Attach ``trace`` to the app's commands."""

    @app.cli.command("trace")
    @click.argument("booking_id")
    @click.option("--json", "as_json_", is_flag=True, help="The journey as one JSON object.")
    def trace(booking_id: str, as_json_: bool) -> None:
        """Every event of a booking's life in order (type, time, the groups that applied it and how
        long after, any dead letter), then the notifications it caused, with their e-mails."""
        config: Config = current_app.extensions["marketplace.config"]
        try:
            journey = operations.journey(config, booking_id)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        if as_json_:
            click.echo(json.dumps(as_json(journey), indent=2))
            return
        click.echo(f"booking {journey.booking_id}  training {journey.training_id}")
        click.echo(f"correlation {', '.join(journey.correlation_ids) or '-'}")
        click.echo(f"{'TIME':<24} {'+PREVIOUS':>10}  {'EVENT':<28} {'TOPIC':<9} HANDLED BY")
        for step in journey.steps:
            since = f"+{step.since_previous_s:.3f}s" if step.since_previous_s is not None else ""
            handled = ", ".join(
                f"{h.group} DEAD-LETTERED ({h.error.splitlines()[-1] if h.error else '?'})" if h.dead_lettered
                else f"{h.group} +{h.after_s:.3f}s" if h.after_s is not None else h.group
                for h in step.handled
            ) or "-"  # fmt: skip
            click.echo(f"{_time(step.at):<24} {since:>10}  {step.event.type:<28} {step.topic:<9} {handled}")
        click.echo(f"{len(journey.notices)} notification(s):")
        for n in journey.notices:
            mail = "inbox only"
            if n.email:
                mail = f"e-mail {n.email}" + (f" {_time(n.email_sent_at)}" if n.email_sent_at else "")
            click.echo(f"  {_time(n.at):<24} {n.kind:<26} to {n.user_id}  {mail}  {n.title}")
        click.echo(f"{len(journey.steps)} event(s)", err=True)


def _time(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
