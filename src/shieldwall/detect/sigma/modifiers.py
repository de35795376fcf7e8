"""UTF-16 modifiers as Sigma v2.1 defines them, registered in pySigma's modifier table.

pySigma 1.5 lacks ``utf16le`` (the v2.1 name of ``wide``), writes the ``utf16`` BOM as the
character U+FEFF (so ``utf16|base64`` encodes it as UTF-8 ``EF BB BF`` instead of the
bytes ``FF FE``), and refuses non-ASCII text. Here the UTF-16 bytes are carried as a
:class:`ByteString` (one character per byte, Latin-1), whose ``bytes()`` are exactly those
bytes, so ``base64``/``base64offset`` after them encode what Windows actually logs.
"""

from __future__ import annotations

from typing import ClassVar

from sigma.modifiers import SigmaValueModifier, modifier_mapping, reverse_modifier_mapping
from sigma.types import SigmaString, SigmaStringPartType


class ByteString(SigmaString):
    """A Sigma string whose characters stand for bytes (Latin-1)."""

    def __bytes__(self) -> bytes:
        return str(self).encode("latin-1")


class _Utf16Modifier(SigmaValueModifier[SigmaString, SigmaString]):
    codec: ClassVar[str] = "utf-16le"
    bom: ClassVar[bytes] = b""

    def modify(self, val: SigmaString) -> SigmaString:
        parts: list[SigmaStringPartType] = [self.bom.decode("latin-1")] if self.bom else []
        for part in val.s:
            if isinstance(part, str):
                parts.append(part.encode(self.codec).decode("latin-1"))
            else:
                parts.append(part)
        encoded = ByteString()
        encoded.s = parts
        return encoded


class Utf16LeModifier(_Utf16Modifier):
    """``utf16le`` / ``wide``: UTF-16 little-endian, no BOM."""


class Utf16BeModifier(_Utf16Modifier):
    """``utf16be``: UTF-16 big-endian, no BOM."""

    codec: ClassVar[str] = "utf-16be"


class Utf16BomModifier(_Utf16Modifier):
    """``utf16``: UTF-16 little-endian after the byte-order mark FF FE."""

    bom: ClassVar[bytes] = b"\xff\xfe"


MODIFIERS = {
    "utf16le": Utf16LeModifier,
    "wide": Utf16LeModifier,
    "utf16be": Utf16BeModifier,
    "utf16": Utf16BomModifier,
}


def register_aliases() -> None:
    """Install the UTF-16 modifiers in pySigma's table (idempotent)."""
    for name, modifier in MODIFIERS.items():
        modifier_mapping[name] = modifier
        reverse_modifier_mapping.setdefault(modifier.__name__, name)
