"""Placeholders for the ``expand`` modifier: ``%name%`` → the values a placeholder file gives.

The file is YAML: a mapping of placeholder name to one value or a list of values (values
may use Sigma wildcards). A rule that uses a placeholder the file does not define is
reported (it would otherwise match a literal ``%name%`` and silently never fire).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from sigma.types import (
    Placeholder,
    SigmaExpansion,
    SigmaRegularExpression,
    SigmaString,
    SigmaType,
    SpecialChars,
)

from shieldwall.bounded import load_yaml
from shieldwall.model.errors import InputError, RuleError

Placeholders = Mapping[str, tuple[str, ...]]


def load_placeholders(path: Path) -> dict[str, tuple[str, ...]]:
    """Read a placeholder file; a malformed one is an :class:`InputError` naming it."""
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), source=str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read placeholder file: {exc}", source=str(path)) from exc
    except InputError as exc:
        raise type(exc)(f"cannot read placeholder file: {exc.reason}", source=str(path)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("a placeholder file must be a mapping name → values", source=str(path))
    out: dict[str, tuple[str, ...]] = {}
    for name, values in data.items():
        items = values if isinstance(values, list) else [values]
        if not items or any(isinstance(item, dict | list) or item is None for item in items):
            raise InputError(
                "values must be scalars or a list of scalars", source=str(path), place=str(name)
            )
        out[str(name)] = tuple(str(item) for item in items)
    return out


def _values_of(placeholders: Placeholders) -> object:
    def callback(placeholder: Placeholder) -> Iterator[str | SpecialChars | SigmaString]:
        try:
            values = placeholders[placeholder.name]
        except KeyError:
            raise RuleError(
                f"placeholder %{placeholder.name}% has no value "
                "(give a placeholder file that defines it)"
            ) from None
        for value in values:
            yield SigmaString(value)

    return callback


def expand_value(value: SigmaType, placeholders: Placeholders) -> list[SigmaType]:
    """Replace placeholders in a value by every value they stand for (OR-linked)."""
    if isinstance(value, SigmaString | SigmaRegularExpression) and value.contains_placeholder():
        callback = _values_of(placeholders)
        expanded = value.replace_placeholders(callback)  # type: ignore[arg-type]
        return [SigmaExpansion(list(expanded))]
    if isinstance(value, SigmaExpansion):
        return [
            SigmaExpansion([v for item in value.values for v in expand_value(item, placeholders)])
        ]
    return [value]
