"""The per-event view the compiled matchers read: raw values plus a casefold cache.

Every field is case-folded at most once per event (Sigma matching is case-insensitive and
Unicode-aware, so :meth:`str.casefold` rather than ASCII lowering), however many rules
look at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Text = str | tuple[str, ...]
"""A field as text: one string, or a tuple of strings for a multi-valued field."""

MISSING: Any = object()
"""Sentinel for "the event has no such field" (distinct from a null value)."""


def as_text(value: Any) -> Text | None:
    """The text Sigma string matching sees for an event value (None for null)."""
    if type(value) is str:
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return tuple(t for item in value if isinstance(t := as_text(item), str))
    return str(value)


def fold_text(text: Text) -> Text:
    """Case-fold a text value (each element of a multi-valued one)."""
    if type(text) is str:
        return text.casefold()
    return tuple(item.casefold() for item in text)


def _join_text(value: Any) -> str:
    text = as_text(value)
    if text is None:
        return ""
    return text if type(text) is str else "\n".join(text)


class FoldedFields(dict[str, Text | None]):
    """Case-folded text by field name, each folded on its first lookup.

    ``view.folds[name]`` is a C-level dictionary hit once a field is folded: the rules'
    tests read a field about seven times an event (EVTX corpus), and a method call each
    time cost more than the folding itself.
    """

    __slots__ = ("fields",)
    fields: Mapping[str, Any]
    """Set by :class:`EventView` right after creation (no ``__init__``: one call less an event)."""

    def __missing__(self, name: str) -> Text | None:
        value = self.fields.get(name)
        folded: Text | None
        if type(value) is str:
            folded = value.casefold()
        elif value is None:
            folded = None
        else:
            text = as_text(value)
            folded = None if text is None else fold_text(text)
        self[name] = folded
        return folded


class EventView:
    """The fields of one event as the matchers of one logsource view see them."""

    __slots__ = ("_all_folded", "_joined", "_raw_text", "fields", "folds")

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self.fields = fields
        self.folds = folds = FoldedFields()
        """Case-folded text by name (None for a null or absent field), folded once."""
        folds.fields = fields
        self._raw_text: dict[str, Text | None] = {}
        self._all_folded: list[str] | None = None
        self._joined: str | None = None

    def raw(self, name: str) -> Any:
        """The value as logged, or :data:`MISSING`."""
        return self.fields.get(name, MISSING)

    def text(self, name: str) -> Text | None:
        """The value as text with its case kept (for ``cased`` and ``re``), or None."""
        value = self.fields.get(name)
        if type(value) is str or value is None:
            return value
        cached: Text | None = self._raw_text.get(name, MISSING)
        if cached is MISSING:
            cached = self._raw_text[name] = as_text(value)
        return cached

    def folded(self, name: str) -> Text | None:
        """The value as case-folded text, computed once per event, or None."""
        return self.folds[name]

    def joined_folded(self) -> str:
        """All values case-folded in one string (one prefilter pass for keywords)."""
        if self._joined is None:
            self._joined = "\n".join(
                [
                    value
                    if type(value) is str
                    else str(value)
                    if type(value) is int
                    else _join_text(value)
                    for value in self.fields.values()
                    if value is not None
                ]
            ).casefold()
        return self._joined

    def all_folded(self) -> list[str]:
        """Every value of the event as case-folded text (for keyword searches)."""
        if self._all_folded is not None:
            return self._all_folded
        out: list[str] = []
        for name in self.fields:
            folded = self.folded(name)
            if type(folded) is str:
                out.append(folded)
            elif folded is not None:
                out.extend(folded)
        self._all_folded = out
        return out

    def all_text(self) -> list[str]:
        """Every value of the event as text with its case kept."""
        out: list[str] = []
        for name in self.fields:
            text = self.text(name)
            if type(text) is str:
                out.append(text)
            elif text is not None:
                out.extend(text)
        return out
