"""Conditions of if-, while- and switch-steps, and references to variables.

CACAO 2.0 leaves the condition language to the STIX patterning grammar; Shieldwall runs a
small, total subset of it and refuses the rest at validation, never at run time::

    condition := or ; or := and ("OR" and)* ; and := not ("AND" not)*
    not := "NOT" not | "(" or ")" | "[" or "]" | operand (op operand)?
    operand := __name__:value | 'text' | number | true | false
    op := = == != < <= > >=

A variable is referenced as ``__name__:value`` (or ``__name__``). Nothing is evaluated by
Python's ``eval``; a condition is at most :data:`MAX_CONDITION` characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shieldwall.model.errors import InputError

MAX_CONDITION = 2_000
REFERENCE = re.compile(r"(__[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*__)(?::value)?")
_TOKEN = re.compile(
    r"\s*(?:(?P<var>__[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*__(?::value)?)"
    r"|(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op>==|!=|<=|>=|=|<|>)|(?P<punct>[()\[\]])|(?P<word>[A-Za-z]+))"
)


def references(text: str) -> set[str]:
    """The variable names (``__name__``) a string refers to."""
    return {match.group(1) for match in REFERENCE.finditer(text)}


def substitute(text: str, variables: Mapping[str, Any]) -> Any:
    """A string with each reference replaced; a string that is one reference keeps its type."""
    whole = REFERENCE.fullmatch(text)
    if whole and whole.group(1) in variables:
        return variables[whole.group(1)]
    return REFERENCE.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    if len(text) > MAX_CONDITION:
        raise InputError(f"a condition is at most {MAX_CONDITION} characters")
    found: list[_Token] = []
    position = 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None or match.end() == position:
            raise InputError(f"cannot read the condition at character {position}")
        kind = match.lastgroup or ""
        found.append(_Token(kind, match.group(kind)))
        position = match.end()
    return found


class _Parser:
    """Recursive descent over the tokens; nesting bounded by the text's length."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0

    def parse(self) -> Any:
        tree = self._or()
        if self.at != len(self.tokens):
            raise InputError(f"unexpected {self.tokens[self.at].text!r} in the condition")
        return tree

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _word(self, word: str) -> bool:
        token = self._peek()
        if token and token.kind == "word" and token.text.upper() == word:
            self.at += 1
            return True
        return False

    def _or(self) -> Any:
        tree = self._and()
        while self._word("OR"):
            tree = ("or", tree, self._and())
        return tree

    def _and(self) -> Any:
        tree = self._not()
        while self._word("AND"):
            tree = ("and", tree, self._not())
        return tree

    def _not(self) -> Any:
        self.depth += 1
        if self.depth > 50:
            raise InputError("the condition nests too deeply")
        try:
            if self._word("NOT"):
                return ("not", self._not())
            token = self._peek()
            if token and token.text in "([" and token.kind == "punct":
                self.at += 1
                inner = self._or()
                closing = self._peek()
                if closing is None or closing.text != {"(": ")", "[": "]"}[token.text]:
                    raise InputError("an unclosed bracket in the condition")
                self.at += 1
                return inner
            left = self._operand()
            op = self._peek()
            if op and op.kind == "op":
                self.at += 1
                return ("cmp", op.text, left, self._operand())
            return ("truth", left)
        finally:
            self.depth -= 1

    def _operand(self) -> Any:
        token = self._peek()
        if token is None:
            raise InputError("the condition ends too early")
        self.at += 1
        if token.kind == "var":
            return ("var", REFERENCE.match(token.text).group(1))  # type: ignore[union-attr]
        if token.kind == "str":
            return ("lit", re.sub(r"\\(.)", r"\1", token.text[1:-1]))
        if token.kind == "num":
            return ("lit", float(token.text) if "." in token.text else int(token.text))
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return ("lit", token.text.lower() == "true")
        raise InputError(f"unexpected {token.text!r} in the condition")


def parse_condition(text: str) -> Any:
    """The condition's tree; InputError naming what cannot be read."""
    return _Parser(text).parse()


def evaluate(text: str, variables: Mapping[str, Any]) -> bool:
    """Whether the condition holds for these variables (unknown values compare as None)."""
    return bool(_eval(parse_condition(text), variables))


def _eval(tree: Any, variables: Mapping[str, Any]) -> Any:
    kind = tree[0]
    if kind == "or":
        return _eval(tree[1], variables) or _eval(tree[2], variables)
    if kind == "and":
        return _eval(tree[1], variables) and _eval(tree[2], variables)
    if kind == "not":
        return not _eval(tree[1], variables)
    if kind == "truth":
        return bool(_eval(tree[1], variables))
    if kind == "var":
        return _value(variables.get(tree[1]))
    if kind == "lit":
        return tree[1]
    return _compare(tree[1], _eval(tree[2], variables), _eval(tree[3], variables))


def _value(variable: Any) -> Any:
    """A variable is stored as its CACAO object or as a bare value."""
    return variable.get("value") if isinstance(variable, Mapping) else variable


def _compare(op: str, left: Any, right: Any) -> bool:
    if op in ("=", "=="):
        return bool(left == right or str(left) == str(right))
    if op == "!=":
        return not (left == right or str(left) == str(right))
    try:
        return bool(
            {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
        )
    except TypeError:
        return False
