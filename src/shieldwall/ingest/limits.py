"""Bounds that keep a hostile or broken file from looping or allocating without limit."""

from __future__ import annotations

MAX_LINE_BYTES = 1 << 20
"""A text line longer than this (1 MiB) is reported and skipped, never held in memory."""

MAX_PROBLEMS_PER_FILE = 1000
"""After this many bad records a file is abandoned: it is not the format we took it for."""

SNIFF_BYTES = 64 * 1024
"""How much of a file's start is read to detect its format."""

MAX_COLUMNS = 4096
"""A Zeek ``#fields`` header naming more columns than this is refused."""

MAX_TYPE_NESTING = 8
"""A Zeek ``#types`` entry nesting ``set[``/``vector[`` deeper than this is refused."""
