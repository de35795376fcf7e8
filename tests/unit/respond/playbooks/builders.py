"""CACAO 2.0 playbooks for the tests, built step by step with fresh UUIDs."""

from __future__ import annotations

import uuid
from typing import Any

import orjson

CREATED = "2026-01-05T10:00:00.000Z"
ENDPOINT_URL = "https://soar.example.org/api"


def ident(kind: str) -> str:
    """A fresh ``<kind>--<UUID>`` identifier."""
    return f"{kind}--{uuid.uuid4()}"


def shieldwall(action: str, **args: Any) -> dict[str, Any]:
    """An ``x-shieldwall`` command with its JSON arguments."""
    command: dict[str, Any] = {"type": "x-shieldwall", "command": action}
    if args:
        command["content"] = orjson.dumps(args).decode()
    return command


class Book:
    """A playbook under construction: add steps, link them, take the document."""

    def __init__(self, name: str = "test playbook") -> None:
        self.start = ident("start")
        self.doc: dict[str, Any] = {
            "type": "playbook",
            "spec_version": "cacao-2.0",
            "id": ident("playbook"),
            "name": name,
            "created_by": ident("identity"),
            "created": CREATED,
            "modified": CREATED,
            "workflow_start": self.start,
            "workflow": {self.start: {"type": "start"}},
        }

    def step(self, kind: str, **props: Any) -> str:
        step_id = ident(kind)
        self.doc["workflow"][step_id] = {"type": kind, **props}
        return step_id

    def end(self) -> str:
        return self.step("end")

    def action(self, *commands: dict[str, Any], **props: Any) -> str:
        return self.step("action", commands=list(commands), **props)

    def link(self, source: str, **links: Any) -> None:
        self.doc["workflow"][source].update(links)

    def variable(self, name: str, value: Any = None, **props: Any) -> None:
        entry: dict[str, Any] = {"type": "string", **props}
        if value is not None:
            entry["value"] = value
        self.doc.setdefault("playbook_variables", {})[name] = entry

    def json(self) -> bytes:
        return orjson.dumps(self.doc)


def coalition_block(members: list[str], required: int, expires_in: int = 3600) -> Book:
    """Enrich; N of M members approve; then a block measure; failure: notify."""
    book = Book("coalition-wide block")
    book.variable("__ip__", "203.0.113.7", external=True)
    enrich = book.action(shieldwall("enrich", value="__ip__:value"))
    approve = book.action(
        shieldwall("approval", members=members, required=required, expires_in=expires_in)
    )
    block = book.action(shieldwall("measure.issue", kind="block", value="__ip__:value"))
    notify = book.action(shieldwall("notify", text="block of __ip__:value not approved"))
    done, failed = book.end(), book.end()
    book.link(book.start, on_completion=enrich)
    book.link(enrich, on_completion=approve)
    book.link(approve, on_success=block, on_failure=notify)
    book.link(block, on_completion=done)
    book.link(notify, on_completion=failed)
    return book


def alpha_approves_enrich() -> Book:
    """Alpha's lead approves, then enrich; a rejection or expiry ends the run."""
    book = Book("alpha approves, then enrich")
    approve = book.action(shieldwall("approval", members=["alpha"], expires_in=600))
    enrich = book.action(shieldwall("enrich", techniques=["T1059"]), on_completion=book.end())
    book.link(book.start, on_completion=approve)
    book.link(approve, on_success=enrich, on_failure=book.end())
    return book
