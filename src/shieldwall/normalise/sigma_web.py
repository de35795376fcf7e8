"""Sigma's ``proxy`` and ``webserver`` names (W3C extended log names) per format.

SigmaHQ's proxy rules name ``c-uri``, ``c-uri-stem``, ``c-uri-query``, ``c-uri-extension``,
``c-useragent``, ``cs-host``, ``r-dns``, ``cs-method``, ``sc-status``, ``cs-referrer``,
``cs-cookie``; its webserver rules the IIS spellings ``cs-uri-query``, ``cs-uri-stem``,
``cs-user-agent``, ``cs-referer``, ``cs-username``, ``cs-content-type``. Every format
keeps its own names and gets these beside them, read from the fields this module's tables
name (Zeek ``http.log`` as pySigma's Zeek pipeline pairs them through ECS, EVE ``http.*``,
CEF's ``request``/``requestMethod``/``requestClientApplication``..., ECS ``url.*``,
``http.*``, ``user_agent.original``).

The URL parts are cut from the one URL a record has: ``c-uri-stem`` and ``cs-uri-stem``
are its path, ``c-uri-query`` the text after ``?``, ``c-uri-extension`` the path's last
dot suffix (``exe``). ``cs-uri-query`` is the whole request target, path and query: that
is how SigmaHQ's webserver rules use it (``cs-uri-query|endswith: '/mgmt/tm/util/bash'``,
``|contains: '../../etc/'``), though IIS itself logs only the query there.
"""

from __future__ import annotations

from typing import Any

from shieldwall.normalise.aliases import AliasTable, add_aliases

ZEEK: AliasTable = {
    "c-uri": ("uri",),
    "c-useragent": ("user_agent",),
    "cs-host": ("host",),
    "r-dns": ("host",),
    "cs-method": ("method",),
    "sc-status": ("status_code",),
    "cs-referrer": ("referrer",),
    "cs-version": ("version",),
    "cs-bytes": ("request_body_len",),
    "sc-bytes": ("response_body_len",),
    "cs-username": ("username",),
}
EVE: AliasTable = {
    "c-uri": ("http.url",),
    "c-useragent": ("http.http_user_agent",),
    "cs-host": ("http.hostname",),
    "r-dns": ("http.hostname",),
    "cs-method": ("http.http_method",),
    "sc-status": ("http.status",),
    "cs-referrer": ("http.http_refer",),
    "cs-version": ("http.protocol",),
    "sc-bytes": ("http.length",),
    "cs-content-type": ("http.http_request_content_type", "http.http_content_type"),
}
CEF: AliasTable = {
    "c-uri": ("request",),
    "c-useragent": ("requestClientApplication",),
    "cs-host": ("dhost", "destinationHostName"),
    "r-dns": ("dhost", "destinationHostName"),
    "cs-method": ("requestMethod",),
    "cs-referrer": ("requestContext",),
    "cs-cookie": ("requestCookies",),
    "cs-username": ("suser", "sourceUserName"),
    "cs-bytes": ("out", "bytesOut"),
    "sc-bytes": ("in", "bytesIn"),
}
ECS: AliasTable = {
    "c-uri": ("url.original", "url.full"),
    "c-useragent": ("user_agent.original",),
    "cs-host": ("url.domain", "destination.domain"),
    "r-dns": ("url.domain", "destination.domain"),
    "cs-method": ("http.request.method",),
    "sc-status": ("http.response.status_code",),
    "cs-referrer": ("http.request.referrer",),
    "cs-version": ("http.version",),
    "cs-bytes": ("http.request.body.bytes",),
    "sc-bytes": ("http.response.body.bytes",),
    "cs-content-type": ("http.request.mime_type",),
    "cs-username": ("user.name",),
}
SAME_AS = {
    "cs-uri": "c-uri",
    "cs-user-agent": "c-useragent",
    "cs-referer": "cs-referrer",
}
"""Second spellings SigmaHQ rules use for one field (proxy rules' and webserver rules')."""


def add_web_names(fields: dict[str, Any], table: AliasTable) -> None:
    """Add the proxy and webserver names from one format's table, and the URL's parts."""
    add_aliases(fields, table)
    for name, same in SAME_AS.items():
        if same in fields and name not in fields:
            fields[name] = fields[same]
    uri = fields.get("c-uri")
    if type(uri) is str:
        _add_url_parts(fields, uri)


def _add_url_parts(fields: dict[str, Any], uri: str) -> None:
    target = _request_target(uri)
    path, question, query = target.partition("?")
    path = path.partition("#")[0]
    fields.setdefault("c-uri-stem", path)
    fields.setdefault("cs-uri-stem", path)
    fields.setdefault("cs-uri-query", target)
    if question:
        fields.setdefault("c-uri-query", query.partition("#")[0])
    last = path.rpartition("/")[2]
    stem, dot, extension = last.rpartition(".")
    if dot and stem and extension:
        fields.setdefault("c-uri-extension", extension)


def _request_target(uri: str) -> str:
    """``/a?b`` from ``http://host:80/a?b``; a target without a scheme is returned as is."""
    scheme, sep, rest = uri.partition("://")
    if not sep or "/" in scheme or "?" in scheme:
        return uri
    slash = rest.find("/")
    question = rest.find("?")
    starts = [i for i in (slash, question) if i >= 0]
    return rest[min(starts) :] if starts else "/"
