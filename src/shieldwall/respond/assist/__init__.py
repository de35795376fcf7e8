"""Requests for assistance: a member asks, the members the gate allows offer, the requester
or the centre accepts, the helpers report back; every step audited and announced.

:class:`AssistDesk` (``desk``) is the one entry; ``rules`` holds who may see and do what,
``views`` how answers show a request; :class:`AssistanceFeed` (``feed``) answers the shift
handover and the situation report.
"""

from shieldwall.respond.assist.desk import AssistDesk, HelpWanted
from shieldwall.respond.assist.feed import AssistanceFeed
from shieldwall.respond.assist.views import AssistView, offer_json, request_json, view_json

__all__ = [
    "AssistDesk",
    "AssistView",
    "AssistanceFeed",
    "HelpWanted",
    "offer_json",
    "request_json",
    "view_json",
]
