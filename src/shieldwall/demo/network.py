"""Network records as the sensors write them: Zeek's JSON logs and Suricata's EVE JSON.

Zeek writes one log per kind (``_path``) with a connection ``uid``; Suricata one EVE
stream with an ``event_type``. The demo writes both for the same traffic, as a member
running both sensors would have.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any


def _uid(seed: str) -> str:
    """A Zeek-like connection uid (``C`` and 17 base62-ish characters), stable per seed."""
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return "C" + digest[:17]


def zeek_time(moment: datetime) -> float:
    """Zeek's ``ts``: seconds since the epoch with microseconds."""
    return round(moment.timestamp(), 6)


def zeek_dns(
    moment: datetime, client: str, resolver: str, query: str, answers: list[str], qtype: str = "A"
) -> dict[str, Any]:
    """A Zeek ``dns.log`` record of one answered query."""
    return {
        "_path": "dns",
        "ts": zeek_time(moment),
        "uid": _uid(f"dns/{client}/{query}/{moment.isoformat()}"),
        "id.orig_h": client,
        "id.orig_p": 50000 + int(moment.timestamp()) % 10000,
        "id.resp_h": resolver,
        "id.resp_p": 53,
        "proto": "udp",
        "trans_id": int(moment.timestamp() * 1000) % 65536,
        "query": query,
        "qclass": 1,
        "qclass_name": "C_INTERNET",
        "qtype": 1 if qtype == "A" else 16,
        "qtype_name": qtype,
        "rcode": 0,
        "rcode_name": "NOERROR",
        "AA": False,
        "TC": False,
        "RD": True,
        "RA": True,
        "Z": 0,
        "answers": answers,
        "TTLs": [300.0] * len(answers),
        "rejected": False,
    }


def zeek_conn(
    moment: datetime,
    client: str,
    server: str,
    port: int,
    sent: int,
    received: int,
    duration: float,
    service: str = "",
) -> dict[str, Any]:
    """A Zeek ``conn.log`` record of one finished TCP connection."""
    record: dict[str, Any] = {
        "_path": "conn",
        "ts": zeek_time(moment),
        "uid": _uid(f"conn/{client}/{server}/{port}/{moment.isoformat()}"),
        "id.orig_h": client,
        "id.orig_p": 49152 + int(moment.timestamp()) % 16000,
        "id.resp_h": server,
        "id.resp_p": port,
        "proto": "tcp",
        "duration": duration,
        "orig_bytes": sent,
        "resp_bytes": received,
        "conn_state": "SF",
        "local_orig": True,
        "local_resp": False,
        "missed_bytes": 0,
        "history": "ShADadFf",
        "orig_pkts": 6 + sent // 1400,
        "resp_pkts": 5 + received // 1400,
    }
    if service:
        record["service"] = service
    return record


def zeek_http(
    moment: datetime,
    client: str,
    server: str,
    host: str,
    uri: str,
    user_agent: str,
    status: int = 200,
    size: int = 0,
) -> dict[str, Any]:
    """A Zeek ``http.log`` record of one request and its answer."""
    return {
        "_path": "http",
        "ts": zeek_time(moment),
        "uid": _uid(f"http/{client}/{host}/{uri}/{moment.isoformat()}"),
        "id.orig_h": client,
        "id.orig_p": 49152 + int(moment.timestamp()) % 16000,
        "id.resp_h": server,
        "id.resp_p": 80,
        "trans_depth": 1,
        "method": "GET",
        "host": host,
        "uri": uri,
        "version": "1.1",
        "user_agent": user_agent,
        "request_body_len": 0,
        "response_body_len": size,
        "status_code": status,
        "status_msg": "OK" if status == 200 else "Not Found",
        "tags": [],
    }


def eve_alert(
    moment: datetime,
    client: str,
    server: str,
    port: int,
    signature_id: int,
    signature: str,
    category: str,
    severity: int,
    hostname: str = "",
) -> dict[str, Any]:
    """A Suricata EVE ``alert`` record: the member's own IDS already judged this flow."""
    record: dict[str, Any] = {
        "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "+0000",
        "flow_id": int(hashlib.sha256(f"{client}{server}{moment}".encode()).hexdigest()[:15], 16),
        "in_iface": "eth0",
        "event_type": "alert",
        "src_ip": client,
        "src_port": 49152 + int(moment.timestamp()) % 16000,
        "dest_ip": server,
        "dest_port": port,
        "proto": "TCP",
        "alert": {
            "action": "allowed",
            "gid": 1,
            "signature_id": signature_id,
            "rev": 1,
            "signature": signature,
            "category": category,
            "severity": severity,
        },
        "app_proto": "http" if port == 80 else "tls",
    }
    if hostname:
        record["http"] = {"hostname": hostname, "url": "/", "http_method": "GET"}
    return record
