"""A STIX 2.1 pattern read once: checked as ``stix2`` checks it, and its comparisons kept.

``stix2`` checks an indicator's pattern by building an ANTLR parse tree
(``stix2patterns.v21.validator.run_validator``) and throws the tree away; indexing the
indicator then parsed the same pattern a second time, inside the write transaction, to
learn which observables it compares. Parsing is most of what a write of indicators costs,
so :func:`read_pattern` does both from one tree: the same grammar, the same object checks
and the same qualifier checks as ``run_validator``, in the same order, and the first error
is the one ``stix2`` would report. Plain one-comparison patterns (:mod:`.pattern_check`)
are read without a tree at all. Tests hold both paths to the reference library.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from antlr4 import CommonTokenStream, InputStream, ParseTreeWalker
from stix2patterns.exceptions import STIXPatternErrorListener
from stix2patterns.inspector import INDEX_STAR
from stix2patterns.v21 import object_validator
from stix2patterns.v21.grammars.STIXPatternLexer import STIXPatternLexer
from stix2patterns.v21.grammars.STIXPatternParser import STIXPatternParser
from stix2patterns.v21.inspector import InspectionListener
from stix2patterns.v21.validator import DuplicateQualifierTypeError, ValidationListener

from shieldwall.share.intel.pattern_check import plain_comparison


@dataclass(frozen=True, slots=True)
class Comparison:
    """One comparison of a pattern: ``file:hashes.'SHA-256' = '…'``.

    ``path`` holds the property path's steps as text (``*`` for any list index) and
    ``literal`` the compared value as written in the pattern, quotes included.
    """

    object_type: str
    path: tuple[str, ...]
    operator: str
    literal: str


class PatternError(ValueError):
    """The reason a pattern is not valid STIX 2.1, worded as ``stix2-patterns`` words it."""


def read_pattern(pattern: str) -> tuple[Comparison, ...]:
    """The pattern's comparisons; :class:`PatternError` with the first reason otherwise."""
    plain = plain_comparison(pattern)
    if plain is not None:
        object_type, path, value = plain
        return (Comparison(object_type, path, "=", f"'{value}'"),)
    return _read_with_parser(pattern)


@lru_cache(maxsize=16_384)
def _read_with_parser(pattern: str) -> tuple[Comparison, ...]:
    """Parsed once per pattern text (the grammar's parser takes milliseconds; a watchlist
    build reads every indicator it holds, for each member); an error is not kept."""
    errors, comparisons = _parse(pattern)
    if not _has_brackets(pattern):
        errors.insert(0, "FAIL: Error found at line 1:0. input is missing square brackets")
    if errors:
        raise PatternError(str(errors[0]))
    return comparisons


def _has_brackets(pattern: str) -> bool:
    """``stix2patterns.helpers.brackets_check``, which fails on an empty pattern instead
    of answering: the first character after any ``(`` and spaces must be ``[``."""
    for char in pattern:
        if char != "(" and not char.isspace():
            return char == "["
    return False


def _parse(pattern: str) -> tuple[list[str], tuple[Comparison, ...]]:
    """``run_validator``'s steps for STIX 2.1, keeping the inspection it makes."""
    listener = STIXPatternErrorListener()
    lexer = STIXPatternLexer(InputStream(pattern))
    lexer.removeErrorListeners()
    parser = STIXPatternParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    for index, name in enumerate(parser.literalNames):
        if name == "<INVALID>":
            parser.literalNames[index] = parser.symbolicNames[index]
    tree = parser.pattern()
    errors: list[str] = listener.err_strings
    if errors:
        return errors, ()
    inspection = InspectionListener()
    ParseTreeWalker.DEFAULT.walk(inspection, tree)
    data = inspection.pattern_data()
    errors.extend(object_validator.verify_object(data))
    try:
        ParseTreeWalker.DEFAULT.walk(ValidationListener(), tree)
    except DuplicateQualifierTypeError as exc:
        errors.insert(0, "FAIL: " + exc.args[0])
    return errors, _comparisons(data.comparisons)


def _comparisons(found: dict[str, list[tuple[list[object], str, str]]]) -> tuple[Comparison, ...]:
    return tuple(
        Comparison(object_type, tuple(_step(step) for step in path), operator, literal)
        for object_type, tests in found.items()
        for path, operator, literal in tests
    )


def _step(step: object) -> str:
    return "*" if step is INDEX_STAR else str(step)
