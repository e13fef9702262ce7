"""``flask --app api ...`` commands for operators."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
from flask import Flask, current_app

from adapters.config import Config
from api import operations, trace
from api.context import deps
from core.errors import DomainError, NotFound
from core.services import accounts, ledger
from events.types import GROUPS


def register_commands(app: Flask) -> None:
    """Attach the operator commands to the app."""
    trace.register(app)

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

    @app.cli.command("lag")
    @click.option("--group", "groups", multiple=True, type=click.Choice(GROUPS), help="Only these groups.")
    def lag(groups: tuple[str, ...]) -> None:
        """Each consumer group's committed offset and pending records, per partition, counted by reading."""
        try:
            rows = operations.lag(_config(), groups)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        click.echo(f"{'GROUP':<14} {'TOPIC':<14} {'PART':>4} {'COMMITTED':>9} {'PENDING':>7}  OLDEST PENDING")
        for r in rows:
            committed = "-" if r.committed is None else str(r.committed)
            oldest = r.oldest_pending_at.isoformat(timespec="seconds") if r.oldest_pending_at else ""
            click.echo(f"{r.group:<14} {r.topic:<14} {r.partition:>4} {committed:>9} {r.pending:>7}  {oldest}")
        for group in dict.fromkeys(groups or GROUPS):
            pending = sum(r.pending for r in rows if r.group == group)
            click.echo(f"{group}: {pending} pending record(s)", err=True)

    @app.cli.group("dead-letters")
    def dead_letters() -> None:
        """Inspect what a consumer group gave up on, and replay it once the cause is fixed."""

    @dead_letters.command("list")
    @click.argument("group", type=click.Choice(GROUPS))
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per dead letter, value included.")
    def list_dead_letters(group: str, as_json: bool) -> None:
        """The group's dead letters, oldest first: ref, failure time, event, source, attempts, error."""
        try:
            found = operations.dead_letters(_config(), group)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        letters, replayed = found.letters, found.replayed
        for d in letters:
            event_type, event_id = d.headers.get("type", "?"), d.headers.get("id", "?")
            when = replayed.get(d.ref)
            if as_json:
                record = {"group": group, "ref": d.ref, "type": event_type, "id": event_id, "source": d.source,
                          "error": d.error, "error_type": d.headers.get("dlq.error_type"),
                          "attempts": d.headers.get("dlq.attempts"), "failed_at": d.headers.get("dlq.failed_at"),
                          "replayed_at": when.isoformat() if when else None,
                          "key": d.key.decode(errors="replace") if d.key else None,
                          "value": d.value.decode(errors="replace")}  # fmt: skip
                click.echo(json.dumps(record))
            else:
                mark = f"replayed {when:%Y-%m-%d %H:%M}" if when else ""
                error = d.error.splitlines()[-1] if d.error else ""
                click.echo(f"{d.ref:<8} {d.headers.get('dlq.failed_at', '')[:19]:<19} {event_type:<26} {event_id:<36} "
                           f"{d.source}  x{d.headers.get('dlq.attempts', '?')}  {error}  {mark}")  # fmt: skip
        click.echo(f"{len(letters)} dead letter(s) in {group}, {len(replayed)} replayed", err=True)

    @dead_letters.command("replay")
    @click.argument("group", type=click.Choice(GROUPS))
    @click.argument("refs", nargs=-1)
    @click.option("--all", "every", is_flag=True, help="Every dead letter of the group not replayed yet.")
    @click.option("--again", is_flag=True, help="Replay even the ones replayed before.")
    def replay_dead_letters(group: str, refs: tuple[str, ...], every: bool, again: bool) -> None:
        """Send chosen dead letters (REFS as PARTITION:OFFSET, from `list`) back to their source topic.

        Only GROUP applies them again; groups that applied the event before skip it.
        """
        if bool(refs) == every:
            raise click.UsageError("Name the dead letters to replay (PARTITION:OFFSET ...) or pass --all.")
        try:
            done = operations.replay(_config(), group, refs, again)
        except NotFound as exc:
            raise click.BadParameter(exc.message, param_hint="REFS") from exc
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        for r in done:
            if r.topic is None:
                click.echo(f"{r.letter.ref}: already replayed {r.before:%Y-%m-%d %H:%M}; --again to resend")
            else:
                click.echo(f"{r.letter.ref}: replayed to {r.topic}")
        click.echo(f"{sum(r.topic is not None for r in done)} dead letter(s) of {group} replayed", err=True)


def _config() -> Config:
    return current_app.extensions["marketplace.config"]  # type: ignore[no-any-return]
