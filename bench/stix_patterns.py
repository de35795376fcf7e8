"""Full STIX patterns on the stream, the engine alone: compile time and events per second.

One member holds ``--patterns`` indicators (99 % anchored: ``[ipv4-addr:value = …]
FOLLOWEDBY [domain-name:value = …] WITHIN 600 SECONDS``; 1 % unanchored: ``[process:
command_line LIKE …] REPEATS 2 TIMES``); ``--events`` events alternate a connection and
a DNS query, one in ten on a pattern's values. Each event is mapped to an observation,
looked up in the index and fed to the member's windows, as the detect worker does
(without the store: the windows' save is the batch transaction's).

    python bench/stix_patterns.py [--patterns N] [--events N]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from shieldwall.detect.stix_pattern import PatternSet, PatternStates, compile_pattern, observation


def patterns(count: int) -> PatternSet:
    """``count`` compiled patterns, 1 % of them without an index key."""
    found = []
    for n in range(count):
        if n % 100 == 99:
            text = f"[process:command_line LIKE '%tool{n}%'] REPEATS 2 TIMES"
        else:
            text = (
                f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']"
                f" FOLLOWEDBY [domain-name:value = 'd{n}.example'] WITHIN 600 SECONDS"
            )
        found.append(compile_pattern(f"indicator--{n}", text))
    return PatternSet(found)


def event(number: int, count: int) -> dict[str, object]:
    """A connection (even) or a DNS query (odd); one in ten on a pattern's values."""
    n = (number // 2) % count if number % 10 < 2 else count + number
    if number % 2 == 0:
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        return {"DestinationIp": address, "SourceIp": "192.0.2.1", "DestinationPort": 443,
                "Image": "C:\\w\\b.exe", "CommandLine": "b.exe -x"}  # fmt: skip
    return {"QueryName": f"d{n}.example"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--patterns", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=50_000)
    args = parser.parse_args()
    started = time.perf_counter()
    indexed = patterns(args.patterns)
    print(f"compiled {args.patterns} patterns in {time.perf_counter() - started:.2f} s")
    states, start = PatternStates(), datetime(2026, 1, 1, tzinfo=UTC)
    fields = [event(number, args.patterns) for number in range(args.events)]
    started = time.perf_counter()
    matched = 0
    for number, item in enumerate(fields):
        objects = observation(item)
        candidates = indexed.candidates(objects)
        if candidates:
            when = start + timedelta(milliseconds=number)
            matched += len(states.observe("m", candidates, objects, when, ident=number))
    took = time.perf_counter() - started
    print(f"{args.events} events in {took:.2f} s: {args.events / took:,.0f} events/s")
    print(f"patterns completed: {matched}, windows: {len(states)}, cut: {states.counts.cut}")


if __name__ == "__main__":
    main()
