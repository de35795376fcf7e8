"""`shieldwall notify channels|add|test|dead-letters|redrive`: members' notification channels
from the centre's machine.

The command line acts as the local operator (an admin of the centre) through the same
desk, permission table and audit log as the API (``runtime`` ``Services.notifications``).
A webhook's signing key is read from the environment variable ``--secret-env`` names (or
asked for without echo), never from the command line, where it would land in the shell's
history and the process list.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, err, out, reports_errors, services_from
from shieldwall.model.identity import Role
from shieldwall.model.notification import ChannelType, DeliveryStatus, Secret
from shieldwall.model.sharing import TlpLevel
from shieldwall.respond import ChannelRequest, channel_json, delivery_json

notify_app = typer.Typer(help="Notification channels and dead letters.", no_args_is_help=True)
LEVELS = {level.label.removeprefix("TLP:").lower(): level for level in TlpLevel}


def register(app: typer.Typer) -> None:
    """Mount `notify` on the main app."""
    app.add_typer(notify_app, name="notify")


def _level(name: str) -> TlpLevel:
    level = LEVELS.get(name.lower().removeprefix("tlp:"))
    if level is None:
        raise typer.BadParameter(f"one of {', '.join(LEVELS)}", param_hint="--max-tlp")
    return level


@notify_app.command("channels")
@reports_errors
def channels(
    org: str | None = typer.Option(None, "--org", help="One member's channels (else all)."),
    config: Path | None = ConfigOption,
) -> None:
    """List channels (webhooks are shown by their origin; keys never)."""
    table = Table(title="Notification channels")
    for column in ("id", "org", "type", "target", "max tlp", "for", "active"):
        table.add_column(column)
    for channel in services_from(config).notifications.channels(access.OPERATOR, org):
        shown = channel_json(channel)
        scope = channel.person_id or (channel.role.value if channel.role else "organisation")
        table.add_row(
            channel.id, channel.org_id, shown["type"], shown["target"], shown["max_tlp"],
            scope, "yes" if channel.active else "no",
        )  # fmt: skip
    out.print(table)


@notify_app.command("add")
@reports_errors
def add(
    org: str = typer.Option(..., "--org", help="The member the channel belongs to."),
    kind: ChannelType = typer.Option(..., "--type"),
    target: str = typer.Option(..., "--target", help="https:// URL or e-mail address."),
    max_tlp: str = typer.Option(..., "--max-tlp", help="clear, green, amber, amber+strict, red."),
    role: Role | None = typer.Option(None, "--role", help="Only for this role of the member."),
    person: str | None = typer.Option(None, "--person", help="Only for this person."),
    name: str = typer.Option("", "--name"),
    secret_env: str | None = typer.Option(
        None, "--secret-env", help="Variable holding the webhook's signing key (else asked)."
    ),
    config: Path | None = ConfigOption,
) -> None:
    """Add a channel to a member (a webhook needs a signing key of 32+ characters)."""
    secret: Secret | None = None
    if kind is ChannelType.WEBHOOK:
        value = os.environ.get(secret_env, "") if secret_env else ""
        secret = Secret(value or typer.prompt("Signing key", hide_input=True))
    request = ChannelRequest(org, kind, target, _level(max_tlp), role, person, name, secret)
    channel = services_from(config).notifications.add_channel(access.OPERATOR, request)
    out.print(f"channel {channel.id} added to {channel.org_id}")


@notify_app.command("test")
@reports_errors
def test(channel_id: str = typer.Argument(...), config: Path | None = ConfigOption) -> None:
    """Queue a TLP:CLEAR test message on a channel."""
    receipt = services_from(config).notifications.test_channel(access.OPERATOR, channel_id)
    out.print(f"test notification {receipt.notification_id} queued")


@notify_app.command("dead-letters")
@reports_errors
def dead_letters(
    org: str | None = typer.Option(None, "--org"),
    status: DeliveryStatus = typer.Option(DeliveryStatus.DEAD, "--status"),
    after: int = typer.Option(0, "--after", min=0),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    config: Path | None = ConfigOption,
) -> None:
    """List deliveries that failed every attempt (or of another status)."""
    desk = services_from(config).notifications
    page = desk.deliveries(access.OPERATOR, status, org_id=org, after=after, limit=limit)
    table = Table(title=f"Deliveries ({status.value})")
    for column in ("id", "org", "channel", "attempts", "why"):
        table.add_column(column)
    for delivery in page:
        shown = delivery_json(delivery)
        why = shown["last_error"] or shown["reason"]
        table.add_row(
            str(delivery.id), delivery.org_id, delivery.channel_id, str(delivery.attempts), why
        )
    out.print(table)
    if not page:
        err.print("no deliveries")


@notify_app.command("redrive")
@reports_errors
def redrive(
    delivery_id: int = typer.Argument(..., min=1), config: Path | None = ConfigOption
) -> None:
    """Put a dead letter back in the queue."""
    delivery = services_from(config).notifications.redrive(access.OPERATOR, delivery_id)
    out.print(f"delivery {delivery.id} queued again ({delivery.status.value})")
