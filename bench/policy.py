"""How fast the sharing gate answers: decisions per second on a 100,000-object page.

Run: ``.venv/bin/python bench/policy.py``. Builds a coalition of 300 organisations (a third
of them clients of another), 20 communities and 100,000 object descriptors with a mix of
levels and distribution limits, then times:

- ``Viewer.decide`` with one viewer per request (the TAXII page path);
- ``decide(principal, obj, directory)``, which resolves the principal on every call;
- ``strip_references`` on a report of 50 refs.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from shieldwall.model.identity import Organisation, OrgKind, OrgStatus, Person, Principal, Role
from shieldwall.model.sharing import Community, CommunityRule
from shieldwall.policy import ObjectDescriptor, SnapshotDirectory, Viewer, decide, strip_references
from shieldwall.policy.markings import PINNED

OBJECTS = 100_000
ORGS = 300
COUNTRIES = ["NL", "DE", "FR", "BE", "PL", "IT"]
SECTORS = ["energy", "finance", "water", "gov", "health"]


def coalition(rng: random.Random) -> tuple[SnapshotDirectory, list[Principal]]:
    orgs = [
        Organisation(
            f"org-{i}",
            f"Org {i}",
            rng.choice(list(OrgKind)),
            rng.choice(COUNTRIES),
            (rng.choice(SECTORS),),
            f"org-{rng.randrange(i)}" if i and rng.random() < 0.33 else None,
            OrgStatus.SUSPENDED if rng.random() < 0.05 else OrgStatus.ACTIVE,
        )
        for i in range(ORGS)
    ]
    people = [Person(f"p-{o.id}", o.id, o.name, "a@x", Role.ANALYST) for o in orgs]
    communities = [
        Community(
            f"c-{i}",
            f"C {i}",
            (CommunityRule(sectors=frozenset({rng.choice(SECTORS)})),),
            members=frozenset(rng.sample([o.id for o in orgs], 10)),
        )
        for i in range(20)
    ]
    principals = [
        Principal(p.id, p.org_id, p.role) for p in people if rng.random() < 0.05 and p.org_id
    ]
    return SnapshotDirectory(orgs, people, communities), principals


def objects(rng: random.Random) -> list[ObjectDescriptor]:
    marking_ids = [*PINNED, "marking-definition--custom"]
    org_ids = [f"org-{i}" for i in range(ORGS)]
    return [
        ObjectDescriptor(
            f"indicator--{n}",
            rng.choice(org_ids),
            (rng.choice(marking_ids),) if rng.random() < 0.9 else (),
            frozenset(rng.sample(org_ids, 3)) if rng.random() < 0.4 else frozenset(),
            frozenset({f"p-{rng.choice(org_ids)}"}),
            frozenset({f"c-{rng.randrange(20)}"}) if rng.random() < 0.2 else frozenset(),
            frozenset(rng.sample(COUNTRIES, 3)) if rng.random() < 0.1 else None,
        )
        for n in range(OBJECTS)
    ]


def rate(label: str, count: int, run: Callable[[], int]) -> None:
    start = time.perf_counter()
    allowed = run()
    elapsed = time.perf_counter() - start
    print(f"{label:<46} {count / elapsed:>12,.0f} /s   ({allowed:,} of {count:,} allowed)")


def main() -> None:
    rng = random.Random(7)
    directory, principals = coalition(rng)
    page = objects(rng)
    total = len(page) * len(principals)
    print(f"{len(principals)} principals x {len(page):,} objects")

    def with_viewer() -> int:
        allowed = 0
        for principal in principals:
            decide_one = Viewer.for_principal(principal, directory).decide
            allowed += sum(1 for obj in page if decide_one(obj).allowed)
        return allowed

    def per_call() -> int:
        return sum(1 for obj in page[:20_000] if decide(principals[0], obj, directory).allowed)

    report = {"type": "report", "id": "report--1", "object_refs": [o.id for o in page[:50]]}
    by_id = {o.id: o for o in page[:50]}
    viewer = Viewer.for_principal(principals[0], directory)

    def stripping() -> int:
        for _ in range(2_000):
            strip_references(report, lambda ref: viewer.decide(by_id[ref]).allowed)
        return 2_000

    rate("Viewer.decide (one viewer per request)", total, with_viewer)
    rate("decide(principal, obj, directory)", 20_000, per_call)
    rate("strip_references, report of 50 refs", 2_000, stripping)


if __name__ == "__main__":
    main()
