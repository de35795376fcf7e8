"""Managed detection rules over REST: the centre's set and each member's own, versioned.

Thin, as every route: the rule desk checks the caller's scope and role, loads a text as
it would run and refuses it whole with every load error (422, ``errors`` in the problem
document). ``set`` names a rule set: ``centre``, a member's id, or (absent) the caller's
own. A rule of a set the caller may not see is "not found", exactly like an absent one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response
from pydantic import Field, StringConstraints

from shieldwall.api.deps import PrincipalDep, ServicesDep
from shieldwall.api.schemas import Strict
from shieldwall.live import rule_json

router = APIRouter(prefix="/api/v1", tags=["rules"])
MAX_TEXT = 256 * 1024
RuleId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")]
SetName = Annotated[
    str | None, Query(alias="set", pattern=r"^(centre|[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)$")
]
EventFormat = Literal["json", "zeek", "suricata", "syslog", "cef", "auditd", "sysmon_linux"]


class RuleIn(Strict):
    """A Sigma rule (or a correlation with its rules) as YAML text."""

    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]


class RuleTestIn(Strict):
    """A rule, as text or by id (of ``set``), and the NDJSON events to run it over."""

    text: Annotated[str | None, Field(min_length=1, max_length=MAX_TEXT)] = None
    rule_id: Annotated[
        str | None, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")
    ] = None
    set: Annotated[str | None, StringConstraints(max_length=64)] = None
    events: Annotated[str, Field(max_length=16 << 20)]
    format: EventFormat | None = None


def _json(body: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code, media_type="application/json")


@router.get("/rules")
def list_rules(
    svc: ServicesDep,
    who: PrincipalDep,
    rule_set: SetName = None,
    check: Annotated[bool, Query()] = False,
) -> Response:
    """The newest version of every rule the caller may see; ``check``: their load errors."""
    desk = svc.rules
    body: dict[str, Any] = {"rules": [rule_json(v) for v in desk.current(who, rule_set=rule_set)]}
    if check:
        body["problems"] = [
            {"source": p.source, "rule": p.rule_id, "message": p.reason} for p in desk.problems(who)
        ]
    return _json(body)


@router.post("/rules")
def add_rule(
    svc: ServicesDep, who: PrincipalDep, rule: RuleIn, rule_set: SetName = None
) -> Response:
    """Add a rule, or a new version of it (same id); every load error refuses it (422)."""
    return _json(rule_json(svc.rules.add(who, rule.text, rule_set=rule_set)), 201)


@router.post("/rules/test")
def test_rule(svc: ServicesDep, who: PrincipalDep, request: RuleTestIn) -> Response:
    """Run a rule over the events given; nothing is stored."""
    report = svc.rules.test(
        who,
        request.events.encode(),
        text=request.text,
        rule_id=request.rule_id,
        rule_set=request.set,
        forced=request.format,
    )
    return _json(report.as_json())


@router.get("/rules/{rule_id}")
def show_rule(
    svc: ServicesDep, who: PrincipalDep, rule_id: RuleId, rule_set: SetName = None
) -> Response:
    """The rule's newest version with its text, and its history; 404 if absent or hidden."""
    versions = svc.rules.history(who, rule_id, rule_set=rule_set)
    body = rule_json(versions[-1], with_text=True)
    body["history"] = [rule_json(version) for version in versions]
    return _json(body)


@router.post("/rules/{rule_id}/enable")
def enable_rule(
    svc: ServicesDep, who: PrincipalDep, rule_id: RuleId, rule_set: SetName = None
) -> Response:
    """Enable a rule (a new version unless it already is)."""
    return _json(rule_json(svc.rules.set_enabled(who, rule_id, True, rule_set=rule_set)))


@router.post("/rules/{rule_id}/disable")
def disable_rule(
    svc: ServicesDep, who: PrincipalDep, rule_id: RuleId, rule_set: SetName = None
) -> Response:
    """Disable a rule (a new version unless it already is)."""
    return _json(rule_json(svc.rules.set_enabled(who, rule_id, False, rule_set=rule_set)))
