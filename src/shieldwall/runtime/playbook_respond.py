"""The playbooks' response actions wired to the other parts of ``respond``.

``measure.issue``, ``notify``, ``case.open``, ``task.open`` and ``assistance.request`` are
carried out by the same desks the API and the CLI use, as the run's principal, so the gate
and the permission table judge a playbook's effect exactly as they judge a person's. The
step's journal key is the idempotency key wherever the desk takes one (measures,
notifications), so a step resumed after a crash issues nothing twice; a case is opened at
most once per incident by the database. A bad argument fails the step with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shieldwall.model.assistance import Need, Urgency
from shieldwall.model.errors import ShieldwallError
from shieldwall.model.identity import Principal
from shieldwall.model.sharing import Addressees, TlpLevel
from shieldwall.respond import (
    ActionFailedError,
    AssistDesk,
    CaseDesk,
    HelpWanted,
    IssueRequest,
    ItemDesk,
    MeasureDesk,
    NotificationDesk,
)

Args = Mapping[str, Any]
DEFAULT_MEASURE_DAYS = 7


@dataclass(frozen=True)
class RespondDesks:
    """The desks a playbook's response actions go through."""

    measures: MeasureDesk
    cases: CaseDesk
    items: ItemDesk
    notifications: NotificationDesk
    assistance: AssistDesk


def _text(args: Args, name: str, default: str = "") -> str:
    value = args.get(name, default)
    if not isinstance(value, str) or not value:
        raise ActionFailedError(f"argument {name!r} must be a non-empty string")
    return value


def _names(args: Args, name: str) -> frozenset[str]:
    value = args.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ActionFailedError(f"argument {name!r} must be a list of strings")
    return frozenset(value)


def _tlp(args: Args, default: str = "amber") -> TlpLevel:
    name = str(args.get("tlp", default)).lower().removeprefix("tlp:").replace("+", "_")
    try:
        return TlpLevel[name.upper()]
    except KeyError:
        raise ActionFailedError(f"unknown TLP {args.get('tlp')!r}") from None


def _until(args: Args) -> datetime:
    given = args.get("valid_until")
    if isinstance(given, str):
        try:
            moment = datetime.fromisoformat(given.replace("Z", "+00:00"))
        except ValueError:
            raise ActionFailedError("valid_until is not an ISO 8601 time") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    days = args.get("days", DEFAULT_MEASURE_DAYS)
    if not isinstance(days, int) or not 0 < days <= 365:
        raise ActionFailedError("days must be a whole number from 1 to 365")
    return datetime.now(UTC) + timedelta(days=days)


def _effect(call: Any) -> Any:
    """Run a desk call; a refusal (bad value, permission, allow-list) fails the step."""
    try:
        return call()
    except ShieldwallError as exc:
        raise ActionFailedError(str(exc)) from exc


def issue_measure(desks: RespondDesks, who: Principal, key: str, args: Args) -> Args:
    """A protective measure in the run's organisation's name, idempotent by the step key."""
    request = IssueRequest(
        kind=_text(args, "kind"),
        value=_text(args, "value"),
        reason=_text(args, "reason", "issued by a playbook"),
        valid_until=_until(args),
        tlp=str(args.get("tlp", "green")),
        communities=_names(args, "communities"),
        members=_names(args, "members"),
    )
    outcome = _effect(lambda: desks.measures.issue(who, request, key))
    return {"measure_id": outcome.measure.id, "replayed": outcome.replayed}


def notify(desks: RespondDesks, who: Principal, key: str, args: Args) -> Args:
    """A notification to the channels the gate allows, sent once per step key."""
    audience = Addressees(
        recipient_org_ids=_names(args, "members"), community_ids=_names(args, "communities")
    )
    subject = _text(args, "subject")
    body = str(args.get("body") or subject)
    kind = str(args.get("kind", "playbook"))
    desk = desks.notifications
    receipt = _effect(lambda: desk.notify(who, kind, subject, body, _tlp(args), audience, key))
    return {"notification_id": receipt.notification_id, "created": receipt.created}


def open_case(desks: RespondDesks, who: Principal, key: str, args: Args) -> Args:
    """The incident opened as a case (the case it has, when it has one)."""
    incident = args.get("incident_id")
    if not isinstance(incident, int):
        raise ActionFailedError("argument 'incident_id' must be a whole number")
    view = _effect(lambda: desks.cases.open(who, incident))
    return {"case_id": view.case.id}


def open_task(desks: RespondDesks, who: Principal, key: str, args: Args) -> Args:
    """A task in a case the run's organisation may work on."""
    case_id = args.get("case_id")
    if not isinstance(case_id, int):
        raise ActionFailedError("argument 'case_id' must be a whole number")
    item = _effect(lambda: desks.items.add_task(who, case_id, _text(args, "title"), _tlp(args)))
    return {"task_id": item.id}


def request_assistance(desks: RespondDesks, who: Principal, key: str, args: Args) -> Args:
    """A request for assistance in the run's organisation's name, once per step key."""
    try:
        needs = tuple(Need(str(n)) for n in args.get("needs", ["mitigation"]))
        urgency = Urgency(str(args.get("urgency", "high")))
    except ValueError as exc:
        raise ActionFailedError(str(exc)) from exc
    wanted = HelpWanted(
        title=_text(args, "title"), description=str(args.get("description", "")),
        needs=needs, urgency=urgency, tlp=_tlp(args),
        audience=Addressees(recipient_org_ids=_names(args, "members")),
    )  # fmt: skip
    view = _effect(lambda: desks.assistance.request(who, wanted, key))
    return {"request_id": view.request.id}
