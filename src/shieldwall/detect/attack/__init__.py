"""MITRE ATT&CK: resolve rule tags to techniques, from a compact table shipped offline."""

from shieldwall.detect.attack.catalogue import AttackCatalogue, load_catalogue, table_path
from shieldwall.detect.attack.loader import install_bundle
from shieldwall.detect.attack.table import build_table, read_bundle, table_json

__all__ = [
    "AttackCatalogue",
    "build_table",
    "install_bundle",
    "load_catalogue",
    "read_bundle",
    "table_json",
    "table_path",
]
