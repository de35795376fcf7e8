"""Who takes part in the demo: the organisations, their people and their networks.

The nations, companies and people are fictional. Addresses come from the private ranges
(each member its own /16) and the attacker's from the documentation ranges of RFC 5737, so
no demo record ever names a real host.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    """A person who signs in to the console or the API during the demo."""

    name: str
    email: str
    role: str
    """One of the access roles: ``admin``, ``lead``, ``analyst``, ``liaison``."""


@dataclass(frozen=True)
class DemoMember:
    """One organisation of the demo coalition."""

    org_id: str
    name: str
    kind: str
    """``centre`` or ``nation``, ``military``, ``operator``, ``partner``."""
    country: str
    sector: str
    network: str
    """The member's own /16: its hosts' addresses, never to be blocked."""
    domain: str
    people: tuple[DemoPerson, ...]

    def host(self, number: int) -> str:
        """The name of the member's workstation ``number``."""
        return f"WS{number:03d}.{self.domain}"

    def address(self, number: int) -> str:
        """The private address of the member's workstation ``number``."""
        prefix = self.network.split(".")[:2]
        return f"{prefix[0]}.{prefix[1]}.{10 + number // 250}.{number % 250 + 1}"


def _people(domain: str, *entries: tuple[str, str, str]) -> tuple[DemoPerson, ...]:
    return tuple(DemoPerson(name, f"{local}@{domain}", role) for name, local, role in entries)


COALITION: tuple[DemoMember, ...] = (
    DemoMember(
        "centre",
        "Coalition Cyber Defence Centre",
        "centre",
        "EU",
        "government",
        "10.0.0.0/16",
        "ccdc.example",
        _people(
            "ccdc.example",
            ("Dana Officer", "duty", "lead"),
            ("Ali Admin", "admin", "admin"),
            ("Chris Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "cert-nordia",
        "CERT Nordia",
        "nation",
        "NO",
        "government",
        "10.10.0.0/16",
        "cert.nordia.example",
        _people(
            "cert.nordia.example",
            ("Ingrid Lead", "lead", "lead"),
            ("Nils Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "cert-westmark",
        "CERT Westmark",
        "nation",
        "DE",
        "government",
        "10.20.0.0/16",
        "cert.westmark.example",
        _people(
            "cert.westmark.example",
            ("Greta Lead", "lead", "lead"),
            ("Wim Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "cert-ostland",
        "CERT Ostland",
        "nation",
        "PL",
        "government",
        "10.30.0.0/16",
        "cert.ostland.example",
        _people(
            "cert.ostland.example",
            ("Olek Lead", "lead", "lead"),
            ("Ola Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "milcsirt",
        "Joint Forces CSIRT",
        "military",
        "EU",
        "defence",
        "10.40.0.0/16",
        "csirt.jf.example",
        _people(
            "csirt.jf.example",
            ("Maj. Mara Lead", "lead", "lead"),
            ("Sgt. Sam Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "gridco",
        "GridCo Energy",
        "operator",
        "FR",
        "energy",
        "10.50.0.0/16",
        "gridco.example",
        _people(
            "gridco.example",
            ("Gaelle Lead", "lead", "lead"),
            ("Gus Analyst", "analyst", "analyst"),
        ),
    ),
    DemoMember(
        "acme-defence",
        "ACME Defence Systems",
        "partner",
        "IT",
        "industry",
        "10.60.0.0/16",
        "acme-defence.example",
        _people(
            "acme-defence.example",
            ("Aldo Lead", "lead", "lead"),
            ("Ada Analyst", "analyst", "analyst"),
        ),
    ),
)
"""The centre first, then the members in the order the campaign reaches them."""
