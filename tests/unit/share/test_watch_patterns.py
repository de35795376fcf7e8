"""Which indicators become stream patterns, and which stay watchlist entries."""

from __future__ import annotations

from shieldwall.share.intel.watch import entries_of, stream_pattern_of
from tests.unit.share.intel_world import indicator

WINDOWED = (
    "[ipv4-addr:value = '10.0.0.1'] FOLLOWEDBY [domain-name:value = 'e.example']",
    "[ipv4-addr:value = '10.0.0.1'] REPEATS 3 TIMES",
    "[domain-name:value LIKE '%.e.example']",
    "[ipv4-addr:value != '10.0.0.1']",
    "[network-traffic:dst_port = 4444 AND network-traffic:dst_ref.value = '10.0.0.1']",
)
PLAIN = (
    "[ipv4-addr:value = '10.0.0.1']",
    "[ipv4-addr:value = '10.0.0.1'] OR [domain-name:value = 'e.example']",
    "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
)


def test_more_than_comparisons_becomes_a_stream_pattern_and_no_entry() -> None:
    for pattern in WINDOWED:
        obj = indicator("alpha", pattern=pattern, x_shieldwall_level="critical")
        compiled = stream_pattern_of(obj)
        assert compiled is not None and compiled.indicator_id == obj["id"], pattern
        assert compiled.level == "critical" and entries_of(obj) == [], pattern


def test_plain_and_unreadable_patterns_stay_with_the_watchlist() -> None:
    for pattern in PLAIN:
        obj = indicator("alpha", pattern=pattern)
        assert stream_pattern_of(obj) is None and entries_of(obj), pattern
    sigma = indicator("alpha", pattern_type="sigma", pattern="[a:b = 1] AND [a:b = 2]")
    assert stream_pattern_of(sigma) is None
    deep = "(" * 40 + "[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '1.2.3.5']" + ")" * 40
    assert stream_pattern_of(indicator("alpha", pattern=deep)) is None  # over the budget
