"""JSON lines reader: one JSON object per line (plain, ECS, Winlogbeat, NXLog, Zeek, EVE)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import orjson

from shieldwall.ingest.lines import iter_lines
from shieldwall.ingest.opener import ByteStream
from shieldwall.ingest.sniff import classify_json
from shieldwall.model.errors import InputError
from shieldwall.model.event import RawRecord, RecordFormat, SourceRef


def read_json_lines(
    stream: ByteStream,
    path: Path,
    forced: RecordFormat | None,
    on_problem: Callable[[InputError], None],
) -> Iterator[RawRecord]:
    """Parse each line as a JSON object and classify it (Suricata, Zeek or other JSON).

    orjson refuses nesting deeper than 1024 levels, so a hostile line cannot exhaust the
    stack here; the normaliser caps depth and field count further.
    """
    source = str(path)
    zeek_hint = path.name.split(".", 1)[0]
    for number, line in iter_lines(stream, source, on_problem):
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as err:
            on_problem(InputError(f"not JSON: {err}", source=source, place=f"line {number}"))
            continue
        if not isinstance(obj, dict):
            reason = f"a JSON {type(obj).__name__}, not an object"
            on_problem(InputError(reason, source=source, place=f"line {number}"))
            continue
        fmt = classify_json(obj, forced)
        hint = str(obj.get("_path", zeek_hint)) if fmt == "zeek" else ""
        yield RawRecord(SourceRef(source, number), fmt, obj, hint)
