"""YAML under budgets: every shape of alias bomb is refused naming the file, before anything
walks its expansion; ordinary YAML, aliases included, loads as PyYAML loads it; and no text
makes the loader raise anything but an :class:`InputError`."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.bounded import YamlLimits, load_yaml, load_yaml_documents
from shieldwall.model.errors import BudgetExceededError, InputError


def laughs(depth: int, width: int, *, mapping: bool = False, leaf: str = "lol") -> str:
    """The billion laughs: each level a collection of ``width`` aliases to the level below."""
    lines = [f"l0: &l0 {leaf}"]
    for level in range(1, depth + 1):
        aliases = [f"*l{level - 1}" for _ in range(width)]
        body = (
            "{" + ", ".join(f"k{i}: {alias}" for i, alias in enumerate(aliases)) + "}"
            if mapping
            else "[" + ", ".join(aliases) + "]"
        )
        lines.append(f"l{level}: &l{level} {body}")
    return "\n".join(lines) + "\n"


BOMBS = {
    "deep, x10 (the 537-byte rule of issue 9)": laughs(7, 10),
    "deeper, x2": laughs(24, 2),
    "shallow, x40": laughs(3, 40),
    "one level, x1000": laughs(1, 1000),
    "mappings, x10": laughs(6, 10, mapping=True),
    "long string, x60": laughs(1, 60, leaf="x" * 20_000),
    "merge keys": "b0: &b0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
    + "".join(
        f"b{n}: &b{n} {{" + ", ".join(f"k{i}: *b{n - 1}" for i in range(10)) + "}\n"
        for n in range(1, 6)
    ),
}


@pytest.mark.parametrize("text", BOMBS.values(), ids=BOMBS.keys())
def test_alias_bombs_of_every_shape_are_refused_naming_the_file(text: str) -> None:
    assert len(text.encode()) < 30_000
    with pytest.raises(BudgetExceededError) as raised:
        load_yaml_documents(text, source="rules/bomb.yml")
    assert raised.value.source == "rules/bomb.yml"
    assert str(raised.value).startswith("rules/bomb.yml: YAML ")
    assert "alias" in raised.value.reason


def test_the_budget_adds_up_over_the_documents_of_a_file() -> None:
    document = "base: &b [1, 2]\nuses: [" + ", ".join(["*b"] * 60) + "]\n"
    assert len(load_yaml_documents(document, source="one.yml")) == 1
    with pytest.raises(BudgetExceededError, match="aliases"):
        load_yaml_documents(document + "---\n" + document, source="two.yml")


def test_a_bomb_in_a_later_document_refuses_the_file() -> None:
    text = "title: fine\n---\n" + laughs(7, 10) + "---\ntitle: also fine\n"
    with pytest.raises(BudgetExceededError):
        load_yaml_documents(text, source="multi.yml")


def test_ordinary_aliases_load_as_pyyaml_loads_them() -> None:
    text = (
        "defaults: &defaults {level: high, status: test}\n"
        "a: {<<: *defaults, title: A}\n"
        "b: {<<: *defaults, title: B}\n"
        "shared: &shared [x, y]\n"
        "both: [*shared, *shared]\n"
    )
    assert load_yaml(text, source="ok.yml") == yaml.safe_load(text)


def test_limits_are_inclusive_and_settable() -> None:
    text = "a: &a [1]\nb: [" + ", ".join(["*a"] * 5) + "]\n"
    assert load_yaml(text, source="x", limits=YamlLimits(aliases=5)) is not None
    with pytest.raises(BudgetExceededError, match="5 aliases"):
        load_yaml(text, source="x", limits=YamlLimits(aliases=4))


def test_nesting_past_the_budget_is_refused() -> None:
    def nested(levels: int) -> str:
        return "[" * levels + "]" * levels

    assert load_yaml(nested(64), source="x") is not None
    with pytest.raises(BudgetExceededError, match="65 levels"):
        load_yaml(nested(65), source="deep.yml")


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(BudgetExceededError, match="recursive"):
        load_yaml("&a [x, *a]\n", source="loop.yml")


def test_one_document_is_expected_by_load_yaml() -> None:
    assert load_yaml("", source="empty.yml") is None
    with pytest.raises(InputError, match="one YAML document"):
        load_yaml("a: 1\n---\nb: 2\n", source="two.yml")


@pytest.mark.parametrize(
    "text",
    ["a: [unclosed\n", "!!int nope\n", "!!python/object:os.system x\n", "? [a, b]\n: c\n"],
)
def test_bad_yaml_is_an_input_error_naming_the_file(text: str) -> None:
    with pytest.raises(InputError) as raised:
        load_yaml_documents(text, source="bad.yml")
    assert raised.value.source == "bad.yml"


YAMLISH = st.text(alphabet="ab01 :-,[]{}&*!?<>|'\"#%@`\\\n\t.~=", max_size=120)


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(max_size=200), YAMLISH))
def test_any_text_loads_or_is_an_input_error(text: str) -> None:
    try:
        documents = load_yaml_documents(text, source="fuzz.yml")
    except InputError as exc:
        assert exc.source == "fuzz.yml"
    else:
        assert isinstance(documents, list)


def _added_nodes(depth: int, width: int, mapping: bool) -> int:
    """What aliases add to :func:`laughs`, in closed form.

    Expanded, level k holds ``E(k) = 1 + width * (keys + E(k-1))`` nodes (``E(0) = 1``, one
    key node per entry of a mapping); written, it holds ``1 + width * keys``. So the aliases
    add ``width * E(k-1)`` at each level.
    """
    keys = 1 if mapping else 0
    sizes = [1]
    for _ in range(depth):
        sizes.append(1 + width * (keys + sizes[-1]))
    return width * sum(sizes[:depth])


@settings(max_examples=200, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=12),
    width=st.integers(min_value=1, max_value=12),
    mapping=st.booleans(),
)
def test_laughs_load_exactly_when_within_budget(depth: int, width: int, mapping: bool) -> None:
    limits = YamlLimits()
    within = depth * width <= limits.aliases and (
        _added_nodes(depth, width, mapping) <= limits.alias_nodes
    )
    try:
        load_yaml_documents(laughs(depth, width, mapping=mapping), source="x.yml")
    except BudgetExceededError:
        assert not within
    else:
        assert within
