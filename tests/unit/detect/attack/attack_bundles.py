"""Small STIX bundles written by the tests (never copies of MITRE's data)."""

from __future__ import annotations

from typing import Any

MARKING = {
    "type": "marking-definition",
    "id": "marking-definition--1",
    "definition_type": "statement",
    "definition": {"statement": "Copyright test, The MITRE Corporation."},
}


def technique(
    attack_id: str,
    name: str,
    tactics: list[str],
    *,
    stix_id: str | None = None,
    revoked: bool = False,
    deprecated: bool = False,
) -> dict[str, Any]:
    """One attack-pattern object as MITRE writes it."""
    return {
        "type": "attack-pattern",
        "id": stix_id or f"attack-pattern--{attack_id}",
        "name": name,
        "external_references": [
            {"source_name": "capec", "external_id": "CAPEC-1"},
            {"source_name": "mitre-attack", "external_id": attack_id},
        ],
        "kill_chain_phases": [
            {"kill_chain_name": "mitre-attack", "phase_name": tactic} for tactic in tactics
        ],
        "revoked": revoked,
        "x_mitre_deprecated": deprecated,
    }


def tactic(shortname: str, name: str, attack_id: str) -> dict[str, Any]:
    """One x-mitre-tactic object."""
    return {
        "type": "x-mitre-tactic",
        "id": f"x-mitre-tactic--{shortname}",
        "name": name,
        "x_mitre_shortname": shortname,
        "external_references": [{"source_name": "mitre-attack", "external_id": attack_id}],
    }


def revoked_by(old_attack_id: str, new_attack_id: str) -> dict[str, Any]:
    """A revoked-by relationship between two techniques' STIX ids."""
    return {
        "type": "relationship",
        "id": f"relationship--{old_attack_id}-{new_attack_id}",
        "relationship_type": "revoked-by",
        "source_ref": f"attack-pattern--{old_attack_id}",
        "target_ref": f"attack-pattern--{new_attack_id}",
    }


def small_bundle() -> dict[str, Any]:
    """PowerShell and its parent, one revoked and one deprecated technique, two tactics."""
    return {
        "type": "bundle",
        "id": "bundle--test",
        "objects": [
            MARKING,
            tactic("execution", "Execution", "TA0002"),
            tactic("defense-evasion", "Defense Evasion", "TA0005"),
            technique("T1059", "Command and Scripting Interpreter", ["execution"]),
            technique("T1059.001", "PowerShell", ["execution"]),
            technique("T1218", "System Binary Proxy Execution", ["defense-evasion"]),
            technique("T1086", "PowerShell (old)", ["execution"], revoked=True),
            technique("T1064", "Scripting", ["execution", "defense-evasion"], deprecated=True),
            revoked_by("T1086", "T1059.001"),
        ],
    }
