"""TLP 2.0 labels as FIRST draws them: the label's colour on a black background.

FIRST's TLP 2.0 standard gives the colours in RGB, CMYK and hex; the hex values are used
by both renderers (HTML and PDF) so the marking looks the same on screen and on paper.
"""

from __future__ import annotations

from shieldwall.model.sharing import TlpLevel

BACKGROUND = "#000000"
"""FIRST: the label is written on black, so it reads on any page colour."""

COLOURS: dict[TlpLevel, str] = {
    TlpLevel.RED: "#FF2B2B",
    TlpLevel.AMBER_STRICT: "#FFC000",
    TlpLevel.AMBER: "#FFC000",
    TlpLevel.GREEN: "#33FF00",
    TlpLevel.CLEAR: "#FFFFFF",
}
"""The label's font colour, by level (AMBER+STRICT is written in AMBER's colour)."""

MEANINGS: dict[TlpLevel, str] = {
    TlpLevel.RED: "For the eyes and ears of individual recipients only, no further disclosure.",
    TlpLevel.AMBER_STRICT: "Limited disclosure, restricted to the recipient organisation only.",
    TlpLevel.AMBER: "Limited disclosure, the recipient organisation and its clients only.",
    TlpLevel.GREEN: "Limited disclosure, the recipient's community only.",
    TlpLevel.CLEAR: "Disclosure is not limited.",
}
"""What each label asks of the reader, in FIRST's words (shortened)."""
