"""Jinja2 templates shipped in the package, escaped by default, rendered with their timing.

Every page says how long it took to build in a ``Server-Timing`` header (``render``), so
the 300 ms budget is measured where it is spent, by the tests and by an operator's browser.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from shieldwall import __version__
from shieldwall.access import permits
from shieldwall.model.identity import Principal
from shieldwall.web.nav import entries_for
from shieldwall.web.session import Session

ENV = Environment(
    loader=PackageLoader("shieldwall.web", "templates"),
    autoescape=select_autoescape(("html", "svg"), default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Nothing loads from elsewhere, nothing frames the console, no page is cached."""


def page(
    request: Request,
    template: str,
    session: Session | None,
    context: dict[str, Any],
    *,
    status: int = 200,
    started: float | None = None,
) -> HTMLResponse:
    """Render one template with the frame's context (navigation, CSRF token, version)."""
    begin = started if started is not None else time.perf_counter()
    frame: dict[str, Any] = {
        "version": __version__,
        "path": request.url.path,
        "session": session,
        "who": session.principal if session else None,
        "nav": entries_for(session.principal) if session else [],
        "csrf": session.csrf if session else "",
        "can": may_submit(session.principal if session else None),
    }
    body = ENV.get_template(template).render(**frame, **context)
    elapsed = (time.perf_counter() - begin) * 1000
    headers = {**SECURITY_HEADERS, "Server-Timing": f"render;dur={elapsed:.1f}"}
    return HTMLResponse(body, status_code=status, headers=headers)


def may_submit(who: Principal | None) -> Callable[[str], bool]:
    """The templates' one question before showing a form: may this person take the form's
    action (``can('case.work')``)? The permission table answers, as it will when the form is
    sent, so no one is shown a form that ends in "not allowed"."""

    def can(action: str) -> bool:
        return who is not None and permits(who, action)

    return can


def _compile_all() -> None:
    """Compile every template at start, so no person's first page pays for it."""
    for name in ENV.list_templates():
        ENV.get_template(name)


_compile_all()
