"""Sigma's ``firewall`` names (``src_ip``, ``dst_ip``, ``src_port``, ``dst_port``, ``action``).

SigmaHQ's firewall rules (and a proxy rule's ``dst_ip``) use these. Each format keeps its
own names and gets these beside them: Zeek ``id.orig_h``/``id.resp_h``/``id.orig_p``/
``id.resp_p`` (as pySigma's Zeek pipeline pairs them through ECS ``source.*`` and
``destination.*``), EVE ``src_ip``/``dest_ip``/``src_port``/``dest_port`` and the flow's or
alert's ``action``, CEF ``src``/``dst``/``spt``/``dpt``/``act`` (short or full keys), ECS
``source.*``, ``destination.*`` and ``event.action``.
"""

from __future__ import annotations

from shieldwall.normalise.aliases import AliasTable

ZEEK: AliasTable = {
    "src_ip": ("id.orig_h",),
    "dst_ip": ("id.resp_h",),
    "src_port": ("id.orig_p",),
    "dst_port": ("id.resp_p",),
}
EVE: AliasTable = {
    "dst_ip": ("dest_ip",),
    "dst_port": ("dest_port",),
    "action": ("flow.action", "alert.action", "drop.action"),
}
CEF: AliasTable = {
    "src_ip": ("src", "sourceAddress"),
    "dst_ip": ("dst", "destinationAddress"),
    "src_port": ("spt", "sourcePort"),
    "dst_port": ("dpt", "destinationPort"),
    "action": ("act", "deviceAction"),
}
ECS: AliasTable = {
    "src_ip": ("source.ip",),
    "dst_ip": ("destination.ip",),
    "src_port": ("source.port",),
    "dst_port": ("destination.port",),
    "action": ("event.action",),
}
