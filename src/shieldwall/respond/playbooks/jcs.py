"""The JSON Canonicalization Scheme (RFC 8785), the bytes a CACAO signature is made over.

A signature must survive what JSON tools do to a document on its way between members:
keys reordered, whitespace changed, ``1.0`` written ``1``, ``"\\u00e9"`` written ``"é"``.
JCS fixes one form for each value: object members sorted by their names' UTF-16 code
units, no whitespace, strings with only the escapes JSON requires, and numbers written
the way ECMAScript writes an IEEE 754 double. It is written here (about seventy lines)
because no maintained package for it is a dependency of the project.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from shieldwall.model.errors import InputError

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def canonical(value: Any) -> bytes:
    """The RFC 8785 form of a JSON value, as UTF-8 bytes."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts).encode("utf-8")


def _write(value: Any, parts: list[str]) -> None:
    if value is None or isinstance(value, bool):
        parts.append({None: "null", True: "true", False: "false"}[value])
    elif isinstance(value, str):
        parts.append(_string(value))
    elif isinstance(value, int | float):
        parts.append(number(value))
    elif isinstance(value, Mapping):
        parts.append("{")
        for index, key in enumerate(sorted(value, key=_utf16)):
            if not isinstance(key, str):
                raise InputError("object keys must be strings", source="playbook")
            parts.append("," if index else "")
            parts.append(_string(key) + ":")
            _write(value[key], parts)
        parts.append("}")
    elif isinstance(value, list | tuple):
        parts.append("[")
        for index, item in enumerate(value):
            parts.append("," if index else "")
            _write(item, parts)
        parts.append("]")
    else:
        raise InputError(f"not a JSON value: {type(value).__name__}", source="playbook")


def _utf16(key: Any) -> bytes:
    return str(key).encode("utf-16-be", "surrogatepass")


def _string(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char < " ":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def number(value: int | float) -> str:
    """A number as ECMAScript's ``Number.prototype.toString`` writes the double it is."""
    try:
        double = float(value)  # JCS reads every number as a double, as ECMAScript does
    except OverflowError as exc:
        raise InputError("a number beyond the range of a double", source="playbook") from exc
    if not math.isfinite(double):
        raise InputError("numbers must be finite", source="playbook")
    if double == 0:
        return "0"
    sign = "-" if double < 0 else ""
    mantissa, _, exp_text = repr(abs(double)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction.rstrip("0")).lstrip("0") or "0"
    # repr gives the shortest digits that round-trip, as ECMAScript asks; only the layout
    # differs. ``point`` is where the decimal point falls after the first digit string.
    leading = len(whole + fraction) - len((whole + fraction).lstrip("0"))
    point = len(whole) - leading + int(exp_text or 0)
    digits = digits.rstrip("0") or "0"
    return sign + _layout(digits, point)


def _layout(digits: str, point: int) -> str:
    """ECMA-262 Number::toString: ``digits`` × 10^(point − len(digits))."""
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    exponent = point - 1
    written = f"e{'+' if exponent > 0 else '-'}{abs(exponent)}"
    return (digits if count == 1 else digits[0] + "." + digits[1:]) + written
