"""Costly requests are validated in a worker process with the same verdicts as in place;
cheap ones never leave the server; a worker that dies costs one request, not the server."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from shieldwall.model.errors import InputError
from shieldwall.share.intel.pattern_budget import REQUEST_COMPARISONS
from shieldwall.share.intel.validate import ValidObject, validate_all
from shieldwall.share.intel.validation_pool import (
    POOL_THRESHOLD,
    SPLIT_MIN,
    ValidationPool,
    parse_cost,
)


def _indicator(pattern: str) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }


def _heavy(comparisons: int) -> str:
    return (
        "["
        + " OR ".join(f"ipv4-addr:value = '10.0.{n // 250}.{n % 250}'" for n in range(comparisons))
        + "]"
    )


@pytest.fixture
def pool() -> Iterator[ValidationPool]:
    made = ValidationPool(1)
    yield made
    made.close()


def _verdicts(checked: list[ValidObject | InputError]) -> list[tuple[str, str]]:
    return [
        ("error", str(item))
        if isinstance(item, InputError)
        else ("ok", item.body + repr(item.terms))
        for item in checked
    ]


def test_plain_patterns_cost_nothing_and_heavy_ones_their_comparisons() -> None:
    plain = [_indicator(f"[ipv4-addr:value = '10.0.0.{n}']") for n in range(500)]
    assert parse_cost(plain) == 0
    assert parse_cost([_indicator(_heavy(40)), {"type": "note"}]) == 40
    assert parse_cost([_indicator(_heavy(200))] * 3) > POOL_THRESHOLD


def test_a_cheap_request_is_checked_in_place(pool: ValidationPool) -> None:
    objects = [_indicator(f"[ipv4-addr:value = '10.0.0.{n}']") for n in range(50)]
    assert _verdicts(pool.validate(objects, source="t")) == _verdicts(
        validate_all(objects, source="t")
    )
    assert pool._executor is None  # no worker was needed


def test_a_costly_request_gets_the_same_verdicts_from_a_worker(pool: ValidationPool) -> None:
    objects: list[Any] = [_indicator(_heavy(200)) for _ in range(REQUEST_COMPARISONS // 200 + 2)]
    objects += [
        _indicator("[ipv4-addr:value = '1.2.3.4'"),
        "not an object",
        _indicator(_heavy(300)),
    ]
    checked = pool.validate(objects, source="taxii:c")
    assert pool._executor is not None  # it went to a worker
    assert _verdicts(checked) == _verdicts(validate_all(objects, source="taxii:c"))
    reasons = [str(item) for item in checked if isinstance(item, InputError)]
    assert any("pattern budget" in reason for reason in reasons)  # the request's budget held there
    assert any(reason.startswith("taxii:c:objects[") for reason in reasons)


def test_a_worker_that_dies_costs_one_request_and_the_next_is_checked(pool: ValidationPool) -> None:
    pool.warm()
    assert pool._executor is not None
    for pid in list(pool._executor._processes):  # as the OOM killer would
        os.kill(pid, signal.SIGKILL)
    objects = [_indicator(_heavy(100)) for _ in range(3)]
    lost = pool.validate(objects, source="t")
    assert [type(item) for item in lost] == [InputError] * 3
    assert all("could not be checked" in str(item) for item in lost)
    again = pool.validate(objects, source="t")
    assert all(isinstance(item, ValidObject) for item in again)


def test_no_workers_means_everything_in_place() -> None:
    pool = ValidationPool(0)
    checked = pool.validate([_indicator(_heavy(200))], source="t")
    assert isinstance(checked[0], ValidObject) and pool._executor is None


def _large_cheap_request() -> list[Any]:
    """Plain indicators with refusals in both halves, so the places must come out right."""
    objects: list[Any] = [
        _indicator(f"[ipv4-addr:value = '10.0.{n // 250}.{n % 250}']")
        for n in range(SPLIT_MIN + 50)
    ]
    objects[3] = "not an object"
    objects[-2] = _indicator("[ipv4-addr:value = '1.2.3.4'")  # unclosed: refused
    objects[len(objects) // 2 + 1] = {**objects[0], "created": "yesterday"}
    objects[len(objects) - 5] = ["not an object either"]
    return objects


def test_a_large_cheap_request_is_checked_in_two_parts_with_the_same_verdicts(
    pool: ValidationPool,
) -> None:
    objects = _large_cheap_request()
    checked = pool.validate(objects, source="taxii:c")
    assert pool._executor is not None  # a worker took a part
    assert _verdicts(checked) == _verdicts(validate_all(objects, source="taxii:c"))
    places = [str(item).split(":")[2] for item in checked if isinstance(item, InputError)]
    assert len(places) == 4
    assert places[0] == "objects[3]" and places[2] == f"objects[{len(objects) - 5}]"
    assert places[1] == objects[len(objects) // 2 + 1]["id"]  # named by id when it has one


def test_a_worker_lost_during_a_split_request_costs_nothing(pool: ValidationPool) -> None:
    pool.warm()
    assert pool._executor is not None
    for pid in list(pool._executor._processes):
        os.kill(pid, signal.SIGKILL)
    objects = _large_cheap_request()
    checked = pool.validate(objects, source="t")  # the cheap part is checked here instead
    assert _verdicts(checked) == _verdicts(validate_all(objects, source="t"))
