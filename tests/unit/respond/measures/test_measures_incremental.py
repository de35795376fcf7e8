"""A list version built from what earlier builds kept (issued measures read once, each
item's rendering in every format) is byte for byte the version built from nothing."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shieldwall.model.identity import OrgKind, Principal, Role
from shieldwall.model.measures import MeasureFormat, MeasureKind, Subscription
from shieldwall.respond import IssueRequest, MeasureDesk
from shieldwall.respond.measures import held
from shieldwall.respond.measures.formats import WRITERS, BuildContext
from shieldwall.respond.measures.formats.memo import forget
from shieldwall.respond.measures.items import Item, dedupe
from tests.unit.respond.measures.conftest import CENTRE_LEAD, Clock
from tests.unit.respond.measures.hostile import T0

OPERATOR = Principal("operator", "centre", Role.ADMIN, OrgKind.CENTRE)
VALUES = [
    (MeasureKind.IP, "192.0.2.1"),
    (MeasureKind.IP, "2001:db8::/48"),
    (MeasureKind.IP, "198.51.100.0/24"),
    (MeasureKind.DOMAIN, "evil.example"),
    (MeasureKind.URL, "https://evil.example/a;b?c='d'"),
    (MeasureKind.MD5, "0" * 32),
    (MeasureKind.SHA1, "a" * 40),
    (MeasureKind.SHA256, "b" * 64),
]
items = st.builds(
    lambda kv, *rest: Item(kv[0], kv[1], *rest),
    st.sampled_from(VALUES),
    st.sampled_from(["m1", "m2", "indicator--x"]),
    st.sampled_from(["", 'why, "quoted"\t=1', "é"]),
    st.integers(0, 100),
    st.sampled_from([None, T0]),
    st.sampled_from([None, T0 + timedelta(days=1)]),
)


def fresh(chosen: list[Item], context: BuildContext) -> dict[MeasureFormat, bytes]:
    forget()
    return {fmt: spec.write(chosen, context) for fmt, spec in WRITERS.items()}


@settings(max_examples=60, deadline=None)
@given(st.lists(items, max_size=12), st.lists(items, max_size=12), st.integers(1, 9))
def test_every_format_from_kept_pieces_equals_one_from_nothing(
    before: list[Item], after: list[Item], version: int
) -> None:
    context = BuildContext("alpha", "default", version, T0 + timedelta(minutes=version))
    old, new = dedupe(before), dedupe(after)
    for fmt, spec in WRITERS.items():
        spec.write(old, context)  # the pieces of the last version are kept
        assert spec.write(new, context) == fresh(new, context)[fmt], fmt


def test_dedupe_of_ranked_items_equals_dedupe_of_shuffled_ones() -> None:
    listed = [Item(k, v, f"s{n}", "", n % 3 * 40) for n, (k, v) in enumerate(VALUES * 3)]
    ranked = sorted(listed, key=lambda i: (i.kind.value, i.value, -i.confidence, i.source))
    assert dedupe(list(reversed(listed))) == dedupe(ranked, ranked=True)
    assert len(dedupe(listed)) == len(VALUES)


def test_a_changed_version_is_the_version_built_from_nothing(
    desk: MeasureDesk, clock: Clock
) -> None:
    desk.subscribe(OPERATOR, Subscription("bravo", "default"))
    ids = []
    for n in range(30):
        request = IssueRequest("ip", f"192.0.2.{n}", "test", clock.now + timedelta(days=1))
        ids.append(desk.issue(CENTRE_LEAD, request, f"k{n}").measure.id)
    desk.build(OPERATOR, "bravo")
    desk.withdraw(CENTRE_LEAD, ids[3], "false positive")
    desk.issue(
        CENTRE_LEAD, IssueRequest("domain", "x.example", "t", clock.now + timedelta(days=1)), "x"
    )
    clock.advance(timedelta(seconds=1))
    warm = desk.build(OPERATOR, "bravo")
    assert "192.0.2.3" not in warm.files[MeasureFormat.PLAIN].decode().split()
    assert "x.example" in warm.files[MeasureFormat.PLAIN].decode().split()
    forget()
    held._known.clear()
    cold = desk.build(OPERATOR, "bravo")
    assert cold.version == warm.version
    assert cold.files == warm.files and cold.manifest == warm.manifest
    assert [i.source for i in cold.items] == [i.source for i in warm.items]
