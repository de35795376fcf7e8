"""Watchlist matching alone: build time, memory and observables matched per second.

One matcher holds ``--indicators`` entries (default 1,000,000: addresses, CIDR blocks,
domains, digests, URLs, e-mail addresses, file names, user agents); a stream of observed
values, about 1 % of them on the list, is matched twice: value by value
(:meth:`Matcher.observe`, the figure issue 10 asks for) and as events (:meth:`Matcher.match`
over field dicts of 12 fields, 4 of them observables). Times are CPU time of this process
(``time.process_time``): the machine is shared, wall time is noise.

    python bench/watchlist.py [--indicators N] [--observables N]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from pathlib import Path

from shieldwall.detect.watchlist import Matcher, WatchEntry

SHARES = (
    ("ip", 0.35),
    ("cidr", 0.05),
    ("domain", 0.25),
    ("sha256", 0.15),
    ("md5", 0.05),
    ("url", 0.05),
    ("email", 0.04),
    ("file-name", 0.03),
    ("user-agent", 0.03),
)


def rss_mib() -> float:
    """Resident memory of this process now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * 4096 / 2**20


def value(kind: str, rng: random.Random) -> tuple[str, str]:
    """A random (entry kind, value) of ``kind``."""
    n = rng.getrandbits(32)
    if kind == "ip":
        return "ip", f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    if kind == "cidr":
        return "ip", f"{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.0/{rng.choice((16, 20, 24))}"
    if kind == "domain":
        return "domain", f"h{n:x}.example{n % 97}.net"
    if kind in ("sha256", "md5"):
        bits = 256 if kind == "sha256" else 128
        return kind, f"{rng.getrandbits(bits):0{bits // 4}x}"
    if kind == "url":
        return "url", f"http://u{n:x}.example.org/p/{n % 1000}"
    if kind == "email":
        return "email", f"x{n:x}@mail{n % 31}.example"
    if kind == "file-name":
        return "file-name", f"tool{n:x}.exe"
    return "user-agent", f"Agent/{n:x}"


def build_entries(count: int, rng: random.Random) -> list[WatchEntry]:
    kinds = [kind for kind, _ in SHARES]
    weights = [share for _, share in SHARES]
    entries = []
    for i, kind in enumerate(rng.choices(kinds, weights, k=count)):
        entry_kind, text = value(kind, rng)
        entries.append(
            WatchEntry(f"indicator--{i:08d}-0000-4000-8000-000000000000", entry_kind, text)
        )
    return entries


def observed(entries: list[WatchEntry], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """Observed (kind, value) pairs: subdomains for domains, 1 % taken from the list."""
    stream = []
    for _ in range(count):
        if rng.random() < 0.01:
            entry = rng.choice(entries)
            kind = "hash" if entry.kind in ("md5", "sha256") else entry.kind
            stream.append((kind, entry.value.split("/")[0] if kind == "ip" else entry.value))
            continue
        kind, text = value(rng.choice(("ip", "ip", "domain", "sha256", "url", "file-name")), rng)
        kind = "hash" if kind == "sha256" else kind
        stream.append((kind, f"www.{text}" if kind == "domain" else text))
    return stream


def events(stream: list[tuple[str, str]]) -> list[dict[str, object]]:
    """Field dicts of 12 fields, four of them observables."""
    names = {"ip": "DestinationIp", "domain": "QueryName", "hash": "file.hash.sha256"}
    names |= {"url": "url.original", "file-name": "Image", "user-agent": "user_agent.original"}
    found = []
    for i in range(0, len(stream) - 3, 4):
        fields: dict[str, object] = {f"Other{j}": "x" * 20 for j in range(8)}
        for kind, text in stream[i : i + 4]:
            fields[names.get(kind, "Other9")] = text
        found.append(fields)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--observables", type=int, default=400_000)
    args = parser.parse_args()
    rng = random.Random(10)
    entries = build_entries(args.indicators, rng)
    stream = observed(entries, args.observables, rng)
    fields = events(stream)
    gc.collect()
    before = rss_mib()
    started = time.process_time()
    matcher = Matcher(entries)
    built = time.process_time() - started
    gc.collect()
    print(f"entries {len(matcher):,} built in {built:.2f} s, memory +{rss_mib() - before:.0f} MiB")
    started = time.process_time()
    hits = sum(len(matcher.observe(kind, text)) for kind, text in stream)
    took = time.process_time() - started
    print(f"observe: {len(stream) / took:,.0f} observables/s ({hits:,} hits, goal 500,000/s)")
    started = time.process_time()
    event_hits = sum(len(matcher.match(event)) for event in fields)
    took = time.process_time() - started
    rate = len(fields) / took
    print(f"match: {rate:,.0f} events/s = {4 * rate:,.0f} observables/s ({event_hits:,} hits)")


if __name__ == "__main__":
    main()
