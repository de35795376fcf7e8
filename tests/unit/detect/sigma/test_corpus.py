"""All 3,780 SigmaHQ rules under the shared corpus: at least 99.5 % load, every failure named.

Run on the corpus (marker ``corpus``). The rules in ``rules-placeholder`` need a placeholder
file (V11); the test writes one giving a value to every placeholder name those rules use,
and checks separately that without it each such rule is reported with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from shieldwall.detect.sigma.loader import RuleSet, load_rules

EXPECTED_RULES = 3780
PLACEHOLDER = re.compile(r"%([A-Za-z0-9_-]+)%")


def grouped(ruleset: RuleSet) -> str:
    """Problems grouped by reason (placeholders normalised), with their files."""
    groups: Counter[str] = Counter(PLACEHOLDER.sub("%…%", p.reason) for p in ruleset.problems)
    lines = [f"{count:4d} × {reason}" for reason, count in groups.most_common()]
    lines += [f"  {p.source} [{p.rule_id}]: {p.reason}" for p in ruleset.problems]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def sigma_dir(corpus_dir: Path) -> Path:
    return corpus_dir / "sigma"


@pytest.mark.corpus
def test_corpus_rules_load_with_placeholders(sigma_dir: Path, tmp_path: Path) -> None:
    names = sorted(
        {
            name
            for path in sigma_dir.rglob("*.yml")
            if "|expand" in (text := path.read_text(encoding="utf-8"))
            for name in PLACEHOLDER.findall(text)
        }
    )
    placeholders = tmp_path / "placeholders.yml"
    placeholders.write_text(
        "".join(f"{name}: ['example-{n}']\n" for n, name in enumerate(names)), encoding="utf-8"
    )
    ruleset = load_rules([sigma_dir], placeholders=placeholders)
    total = len(ruleset.rules) + len(ruleset.problems)
    assert total == EXPECTED_RULES, grouped(ruleset)
    assert len(ruleset.rules) / total >= 0.995, grouped(ruleset)
    assert all(p.source and p.reason for p in ruleset.problems), grouped(ruleset)


@pytest.mark.corpus
def test_corpus_placeholder_rules_reported_without_placeholders(sigma_dir: Path) -> None:
    ruleset = load_rules([sigma_dir])
    assert len(ruleset.rules) + len(ruleset.problems) == EXPECTED_RULES, grouped(ruleset)
    assert ruleset.problems, "rules-placeholder rules must be reported without values"
    for problem in ruleset.problems:
        assert "|expand" in Path(problem.source).read_text(encoding="utf-8"), grouped(ruleset)
        assert "has no value" in problem.reason, grouped(ruleset)
        assert problem.rule_id, grouped(ruleset)
