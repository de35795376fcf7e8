"""Normalise: raw records to events in one schema, one module per format.

:func:`normalise` is the seam with the stages around it (see ``docs/formats.md``): Windows
events (EVTX, Winlogbeat, NXLog) get Sigma's Windows names and ``format="evtx"``; other
formats get dotted ECS-style names. A malformed record raises
:class:`~shieldwall.model.errors.InputError` naming its file and place.
"""

from __future__ import annotations

from collections.abc import Callable

from shieldwall.model.event import Event, RawRecord, RecordFormat
from shieldwall.normalise.auditd import normalise_auditd
from shieldwall.normalise.cef import normalise_cef
from shieldwall.normalise.ecs import normalise_json
from shieldwall.normalise.evtx import normalise_evtx
from shieldwall.normalise.suricata import normalise_suricata
from shieldwall.normalise.syslog import normalise_syslog
from shieldwall.normalise.sysmon_linux import normalise_sysmon_linux
from shieldwall.normalise.zeek import normalise_zeek

NORMALISERS: dict[RecordFormat, Callable[[RawRecord], Event]] = {
    "evtx": normalise_evtx,
    "json": normalise_json,
    "zeek": normalise_zeek,
    "suricata": normalise_suricata,
    "syslog": normalise_syslog,
    "cef": normalise_cef,
    "auditd": normalise_auditd,
    "sysmon_linux": normalise_sysmon_linux,
}


def normalise(record: RawRecord) -> Event:
    """The record as an Event, by the normaliser for its format."""
    return NORMALISERS[record.format](record)


__all__ = ["NORMALISERS", "normalise"]
