"""The start page: what this server is, whether it is ready, and the API it offers.

Rendered on the server from the app's own OpenAPI document with escaped values, so it needs
no JavaScript and nothing from a CDN (FastAPI's Swagger page would fetch both at run time).
"""

from __future__ import annotations

from html import escape
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1b2430}
h1{margin-bottom:.2rem}.muted{color:#5b6675}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #d9dee5;padding:.35rem .5rem;text-align:left;font-size:.95rem}
code{background:#eef1f5;padding:.1rem .3rem;border-radius:3px}
.ok{color:#17803d;font-weight:600}.bad{color:#b42318;font-weight:600}
"""


def _rows(openapi: dict[str, Any]) -> str:
    rows = []
    for path, operations in sorted(openapi.get("paths", {}).items()):
        for method, operation in operations.items():
            summary = escape(str(operation.get("summary", "")))
            tag = escape(", ".join(operation.get("tags", [])))
            rows.append(
                f"<tr><td><code>{escape(method.upper())}</code></td>"
                f"<td><code>{escape(path)}</code></td><td>{tag}</td><td>{summary}</td></tr>"
            )
    return "\n".join(rows)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The start page."""
    app = request.app
    ready = app.state.services.store.ping()
    state = '<span class="ok">ready</span>' if ready else '<span class="bad">database down</span>'
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Shieldwall</title><style>{STYLE}</style></head><body>
<h1>Shieldwall</h1><p class="muted">An open, integrated cyber defence centre — version
{escape(app.version)}. Status: {state}.</p>
<p><a href="/console">Open the console</a> (sign in with your e-mail and password).</p>
<p>The API takes a bearer token (<code>shieldwall token create EMAIL</code>). Machine-readable
description: <a href="/openapi.json">/openapi.json</a>; metrics: <a href="/metrics">/metrics</a>.
</p><table><thead><tr><th>method</th><th>path</th><th>area</th><th>what</th></tr></thead>
<tbody>{_rows(app.openapi())}</tbody></table></body></html>"""
    return HTMLResponse(body)
