"""`shieldwall assist request|list|show|offer|accept|close`: requests for assistance.

Requests are seen through the sharing gate, which decides for people: each command acts
``--as`` a person of a member (or of the centre), looked up by the local operator, and
goes through the same desk, gate, permission table and audit log as the API.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from shieldwall import access
from shieldwall.cli.context import ConfigOption, out, reports_errors, services_from
from shieldwall.model.assistance import Need, RequestStatus, Urgency
from shieldwall.model.identity import Principal
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond import AssistView, HelpWanted, assist_request_json, assist_view_json
from shieldwall.runtime import Services

assist_app = typer.Typer(help="Requests for assistance.", no_args_is_help=True)
LEVELS = {level.label.removeprefix("TLP:").lower(): level for level in TlpLevel}
AsOption = typer.Option(..., "--as", help="The person id acting (the gate decides for people).")


def register(app: typer.Typer) -> None:
    """Mount `assist` on the main app."""
    app.add_typer(assist_app, name="assist")


def acting(services: Services, person_id: str) -> Principal:
    """The principal of a person, as the operator finds them."""
    person = access.get_person(services.store, access.OPERATOR, person_id)
    org = access.get_organisation(services.store, access.OPERATOR, person.org_id)
    return Principal(person.id, org.id, person.role, org.kind, org.country, org.sectors)


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} s"


@assist_app.command("request")
@reports_errors
def request(
    title: str = typer.Option(..., "--title"),
    need: list[Need] = typer.Option(..., "--need", help="What is needed (repeat)."),
    urgency: Urgency = typer.Option(Urgency.HIGH, "--urgency"),
    tlp: str = typer.Option("amber", "--tlp", help="clear, green, amber, amber+strict, red."),
    description: str = typer.Option("", "--description"),
    to: list[str] = typer.Option([], "--to", help="Recipient organisation (repeat)."),
    person: list[str] = typer.Option([], "--person", help="Named person, for RED (repeat)."),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Ask for help."""
    level = LEVELS.get(tlp.lower().removeprefix("tlp:"))
    if level is None:
        raise typer.BadParameter(f"one of {', '.join(LEVELS)}", param_hint="--tlp")
    audience = Addressees(recipient_org_ids=frozenset(to), recipient_person_ids=frozenset(person))
    services = services_from(config)
    wanted = HelpWanted(title, description, tuple(need), urgency, level, audience)
    _print(services.assistance.request(acting(services, as_), wanted))


@assist_app.command("list")
@reports_errors
def list_(
    status: RequestStatus | None = typer.Option(None, "--status"),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Requests the person may see, with time to first offer and to acceptance."""
    services = services_from(config)
    table = Table(title="Requests for assistance")
    for column in ("id", "from", "urgency", "tlp", "status", "first offer", "accepted", "title"):
        table.add_column(column)
    for found in services.assistance.page(acting(services, as_), status):
        shown = assist_request_json(found)
        table.add_row(
            str(found.id), found.org_id, shown["urgency"], shown["tlp"], shown["status"],
            _seconds(found.seconds_to_first_offer), _seconds(found.seconds_to_acceptance),
            found.title,
        )  # fmt: skip
    out.print(table)


@assist_app.command("show")
@reports_errors
def show(
    request_id: int = typer.Argument(..., min=1),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """One request with its offers and timeline."""
    services = services_from(config)
    _print(services.assistance.get(acting(services, as_), request_id))


@assist_app.command("offer")
@reports_errors
def offer(
    request_id: int = typer.Argument(..., min=1),
    need: Need = typer.Option(..., "--need"),
    text: str = typer.Option(..., "--text"),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Offer help towards a request."""
    services = services_from(config)
    _print(services.assistance.offer(acting(services, as_), request_id, need, text))


@assist_app.command("accept")
@reports_errors
def accept(
    request_id: int = typer.Argument(..., min=1),
    offer_id: int = typer.Argument(..., min=1),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Accept an offer (the requester or the centre)."""
    services = services_from(config)
    _print(services.assistance.accept(acting(services, as_), request_id, offer_id))


@assist_app.command("close")
@reports_errors
def close(
    request_id: int = typer.Argument(..., min=1),
    reason: str = typer.Option(..., "--reason"),
    as_: str = AsOption,
    config: Path | None = ConfigOption,
) -> None:
    """Close a request (the requester or the centre)."""
    services = services_from(config)
    _print(services.assistance.close(acting(services, as_), request_id, reason))


def _print(view: AssistView) -> None:
    shown = assist_view_json(view)
    out.print(f"request {shown['id']} of {shown['org_id']}: {shown['title']}")
    out.print(f"{shown['tlp']}, urgency {shown['urgency']}, needs {', '.join(shown['needs'])}")
    out.print(f"status {shown['status']}")
    first, accepted = view.request.seconds_to_first_offer, view.request.seconds_to_acceptance
    out.print(f"time to first offer {_seconds(first)}, to acceptance {_seconds(accepted)}")
    offers = Table(title="Offers")
    for column in ("id", "org", "need", "status", "text"):
        offers.add_column(column)
    for item in shown["offers"]:
        offers.add_row(str(item["id"]), item["org_id"], item["need"], item["status"], item["text"])
    out.print(offers)
    history = Table(title="Timeline")
    for column in ("at", "who", "org", "what"):
        history.add_column(column)
    for event in shown["history"]:
        history.add_row(event["at"], event["actor"], event["org_id"], event["action"])
    out.print(history)
