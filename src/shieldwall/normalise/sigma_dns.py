"""Sigma's ``dns`` category names (``query``, ``answer``, ``record_type``) per format.

SigmaHQ's generic DNS rules name three fields. Each format keeps its own names and gets
these beside them, read from:

- Zeek ``dns.log``: ``query`` (the same name), ``answers``, ``qtype_name`` (as pySigma's
  Zeek pipeline pairs them through ECS ``dns.answers.name`` and ``dns.question.type``);
- Suricata EVE ``dns``: ``dns.rrname`` and ``dns.rrtype`` (EVE 1 and 2), ``dns.queries[]``
  (EVE 3); answers from ``dns.answers[].rdata`` (EVE 2 detailed, EVE 3), ``dns.rdata``
  (EVE 1 answer records) or ``dns.grouped.*`` (EVE 2 grouped, A and AAAA first);
- ECS: ``dns.question.name``, ``dns.question.type``, ``dns.answers[].data`` or
  ``dns.resolved_ip``.
"""

from __future__ import annotations

from shieldwall.normalise.aliases import AliasTable

ZEEK: AliasTable = {
    "answer": ("answers",),
    "record_type": ("qtype_name",),
}
EVE: AliasTable = {
    "query": ("dns.rrname", "dns.queries[].rrname"),
    "record_type": ("dns.rrtype", "dns.queries[].rrtype"),
    "answer": (
        "dns.answers[].rdata",
        "dns.rdata",
        "dns.grouped.A",
        "dns.grouped.AAAA",
        "dns.grouped.CNAME",
        "dns.grouped.TXT",
        "dns.grouped.MX",
        "dns.grouped.NS",
        "dns.grouped.PTR",
    ),
}
ECS: AliasTable = {
    "query": ("dns.question.name",),
    "record_type": ("dns.question.type",),
    "answer": ("dns.answers[].data", "dns.answers.data", "dns.resolved_ip"),
}
