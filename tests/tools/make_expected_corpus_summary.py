"""Regenerate ``tests/fixtures/scan/expected_corpus_summary.json`` from a scan of the corpus.

Usage: .venv/bin/python -m tests.tools.make_expected_corpus_summary [--corpus ../shared/corpus]

Run it only after a change that is meant to change detections (an engine fix, a new
modifier, a logsource mapping), then review the diff rule by rule before committing it: the
file is the record that the detections on the EVTX corpus are what we believe they are.
The hand review of a sample of rules is recorded in ``tests/fixtures/scan/README.md``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from shieldwall.scan.run import scan

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "scan" / "expected_corpus_summary.json"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
EVTX = "evtx"
RULES = "sigma/rules/windows"


def corpus_summary(corpus: Path) -> dict[str, object]:
    """The stable part of a scan summary: counts per rule, not timings."""
    run = scan([corpus / EVTX], [corpus / RULES], jobs=1)
    for _ in run:
        pass
    summary = run.summary
    return {
        "about": "per-rule detection counts on the EVTX corpus; how to regenerate and the "
        "hand review of a sample: README.md next to this file",
        "corpus": {"logs": EVTX, "rules": RULES},
        "files": summary.files,
        "events": summary.events,
        "rules_loaded": summary.rules_loaded,
        "rules_failed": summary.rules_failed,
        "detections": summary.detections,
        "by_rule": {
            rule_id: {"title": summary.rule_titles[rule_id], "count": count}
            for rule_id, count in sorted(summary.by_rule.items())
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    content = corpus_summary(args.corpus)
    FIXTURE.write_text(json.dumps(content, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}: {content['detections']} detections of {len(content['by_rule'])} rules")


if __name__ == "__main__":
    main()
