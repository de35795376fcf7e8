"""Windows EVTX events (the ``evtx`` package's JSON) to Sigma's Windows field names.

Naming, as Sigma rules and the engines that run them (Hayabusa, Chainsaw, Zircolite) expect:

- ``System`` children by their element name (``EventID``, ``Channel``, ``Computer``,
  ``EventRecordID``, ``Level``, ``Task``, ``Opcode``, ``Keywords``, ``Version``); their XML
  attributes joined to the element name with ``_`` (``Provider_Name``, ``Provider_Guid``,
  ``Execution_ProcessID``, ``Security_UserID``, ``TimeCreated_SystemTime``,
  ``EventID_Qualifiers``); numeric System values as ``int``.
- ``EventData``: each ``<Data Name="X">`` as ``X``. Values are strings as logged: the
  package types some values (``1``, ``True``); they are turned back into the XML text
  (``"1"``, ``"true"``) so EVTX and Winlogbeat/NXLog JSON (all strings) compare alike.
- Unnamed ``<Data>`` items: as ``Data``, a string for one item and a list of strings for
  several, in order. This is Hayabusa's choice (its rules match ``Data`` against any item)
  and what Sigma's classic-PowerShell rules (``Data|contains``) rely on.
- Repeated ``<Data Name="X">``: the package names them ``X``, ``X_1``, ``X_2``...; they
  are folded back into ``X`` as a list of the values in order.
- Names with spaces (Microsoft Defender's ``Threat Name``, ``Process Name``) are kept and
  also given without the spaces (``ThreatName``), as SigmaHQ's rules spell them.
- ``Binary`` (hex string) is kept as ``Binary``.
- ``UserData``: the children of its single inner element by their names (``Param1``,
  ``SubjectUserName``); nested elements flattened the same way by their own names, with
  their attributes as ``<name>_<attribute>``; ``xmlns`` attributes are dropped.
- A System field wins over an EventData/UserData field of the same name (``Channel`` in a
  ``LogFileCleared`` UserData), because routing depends on the System one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shieldwall.model.event import Event, RawRecord
from shieldwall.normalise.flatten import FlattenError, too_deep
from shieldwall.normalise.limits import MAX_DEPTH
from shieldwall.normalise.problems import record_error
from shieldwall.normalise.timestamps import parse_iso

INT_SYSTEM_FIELDS = frozenset(
    [
        "EventID",
        "EventRecordID",
        "Level",
        "Task",
        "Opcode",
        "Version",
        "Execution_ProcessID",
        "Execution_ThreadID",
    ]
)
ATTRIBUTES = "#attributes"
TEXT = "#text"


def normalise_evtx(record: RawRecord) -> Event:
    """Turn one EVTX record into an Event with Sigma's Windows field names."""
    payload = record.payload
    event = payload.get("Event") if isinstance(payload, dict) else None
    system = event.get("System") if isinstance(event, dict) else None
    if not isinstance(event, dict) or not isinstance(system, dict):
        raise record_error(record, "no Event.System element")
    fields: dict[str, Any] = {}
    try:
        _copy_sections(event, system, fields)
    except FlattenError as err:
        raise record_error(record, str(err)) from err
    _require_event_id(record, fields)
    return Event(fields, record.source, system_time(fields), "evtx")


def _copy_sections(event: dict[str, Any], system: dict[str, Any], fields: dict[str, Any]) -> None:
    """EventData (or UserData), then System, so System wins a name both use."""
    data = event.get("EventData")
    if isinstance(data, dict):
        event_data_fields(data, fields)
    else:
        user_data = event.get("UserData")
        if isinstance(user_data, dict):
            user_data_fields(user_data, fields)
    system_fields(system, fields)


def bounded(value: Any) -> Any:
    """``value``, unless lists or objects nest in it past the budget (a hostile record).

    A scalar costs two type checks, and the hot path (System, EventData) calls it only for
    the rare lists and objects. Raises :class:`FlattenError`.
    """
    if too_deep(value):
        raise FlattenError(f"a value nests deeper than {MAX_DEPTH} levels")
    return value


def system_fields(system: dict[str, Any], fields: dict[str, Any]) -> None:
    """Copy System children into ``fields``: attributes as ``Element_Attribute``.

    The hot path of Windows normalisation: joined names come from a small cache rather
    than being built per event, and only string values of the numeric fields are converted.
    The globals it reads are bound once per call (a local is cheaper than a global).
    """
    ints, joined_names = INT_SYSTEM_FIELDS, _JOINED
    for name, value in system.items():
        kind = type(value)
        if kind is dict:
            attributes = value.get(ATTRIBUTES)
            if type(attributes) is dict:
                known = joined_names.get(name) or _NONE_JOINED
                for attribute, attribute_value in attributes.items():
                    joined = known.get(attribute) or _joined_name(name, attribute)
                    attribute_kind = type(attribute_value)
                    if attribute_kind is str:
                        if joined in ints:
                            attribute_value = to_int(attribute_value)
                    elif attribute_kind is dict or attribute_kind is list:
                        bounded(attribute_value)
                    fields[joined] = attribute_value
            if TEXT not in value:
                continue
            value = value[TEXT]
            kind = type(value)
        if kind is str:
            if name in ints:
                value = to_int(value)
        elif value is None:
            continue
        elif kind is dict or kind is list:
            bounded(value)
        fields[name] = value


_NONE_JOINED: dict[str, str] = {}
_JOINED: dict[str, dict[str, str]] = {}
_JOINED_LIMIT = 512


def _joined_name(element: str, attribute: str) -> str:
    """``Provider`` + ``Name`` → ``Provider_Name``, cached (bounded: names come from input)."""
    by_attribute = _JOINED.get(element)
    if by_attribute is not None:
        joined = by_attribute.get(attribute)
        if joined is not None:
            return joined
    joined = f"{element}_{attribute}"
    if len(_JOINED) < _JOINED_LIMIT:
        _JOINED.setdefault(element, {})
        if len(_JOINED[element]) < _JOINED_LIMIT:
            _JOINED[element][attribute] = joined
    return joined


def to_int(text: str) -> int | str:
    """Decimal or ``0x`` hex text as int; anything else is left as logged."""
    try:
        return int(text, 0) if text[:2] in ("0x", "0X") else int(text)
    except ValueError:
        return text


def event_data_fields(data: dict[str, Any], fields: dict[str, Any]) -> None:
    """Copy EventData items into ``fields``, as the module docstring describes.

    Most values are already strings, so the mapping is copied in one C-level update and
    only the other values are revisited (when the set of the values' types, built at C
    speed, says there are any).
    """
    fields.update(data)
    if not _ONLY_TEXT.issuperset(map(type, data.values())):
        for name, value in data.items():
            if type(value) is str or value is None:
                continue
            if type(value) is dict:
                del fields[name]
                if name == "Data":
                    fields["Data"] = _unnamed(bounded(value.get(TEXT)))
            else:
                fields[name] = as_logged(bounded(value))
    names = "|".join(data)  # one C-level scan instead of a check per key
    if "_1" in names:
        _fold_repeats(fields)
    if " " in names:
        add_spaceless_names(fields, data)


_ONLY_TEXT = frozenset([str, type(None)])


def add_spaceless_names(fields: dict[str, Any], names: Iterable[str]) -> None:
    """``Threat Name`` also as ``ThreatName``: the original is kept, nothing is overwritten.

    Microsoft Defender (and a few other providers) name EventData fields with spaces;
    SigmaHQ's rules, Zircolite and Hayabusa spell them without, so both must be readable.
    """
    for name in list(names):
        if " " in name and name in fields:
            fields.setdefault(name.replace(" ", ""), fields[name])


def _unnamed(text: Any) -> Any:
    if type(text) is list:
        return [as_logged(item) for item in text]
    return as_logged(text)


def as_logged(value: Any) -> Any:
    """A typed value back to its XML text: ``True`` → ``"true"``, ``7`` → ``"7"``."""
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    if kind is list:
        return [as_logged(item) for item in value]
    return value


def _fold_repeats(fields: dict[str, Any]) -> None:
    """Fold ``X_1``, ``X_2``... (the package's names for repeats) into a list under ``X``."""
    for name in [n for n in fields if n[-2:] == "_1" and n[:-2] in fields]:
        base = name[:-2]
        values = [fields[base]]
        index = 1
        while f"{base}_{index}" in fields:
            values.append(fields.pop(f"{base}_{index}"))
            index += 1
        fields[base] = values


def user_data_fields(user_data: dict[str, Any], fields: dict[str, Any]) -> None:
    """Flatten UserData's inner element(s): children by name, attributes as ``name_attr``."""
    for inner in user_data.values():
        if type(inner) is dict:
            _element_children(inner, fields, depth=0)
    _fold_repeats(fields)


def _element_children(element: dict[str, Any], fields: dict[str, Any], depth: int) -> None:
    for name, value in element.items():
        if name[:1] == "#":
            continue
        if type(value) is dict and depth < 8:
            attributes = value.get(ATTRIBUTES)
            if type(attributes) is dict:
                for attribute, attribute_value in attributes.items():
                    if not attribute.startswith("xmlns"):
                        fields[f"{name}_{attribute}"] = as_logged(bounded(attribute_value))
            if TEXT in value:
                fields[name] = as_logged(bounded(value[TEXT]))
            _element_children(value, fields, depth + 1)
        else:
            fields[name] = as_logged(bounded(value))


def system_time(fields: dict[str, Any]) -> datetime | None:
    """``TimeCreated_SystemTime`` as an aware UTC datetime, or None if absent or malformed."""
    text = fields.get("TimeCreated_SystemTime")
    return parse_iso(text) if type(text) is str else None


def _require_event_id(record: RawRecord, fields: dict[str, Any]) -> None:
    if type(fields.get("EventID")) is not int:
        raise record_error(record, f"EventID is not an integer: {fields.get('EventID')!r}")
