"""A recording implementation of the Actions port: what a run asked, once per key."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shieldwall.model.identity import Principal
from shieldwall.respond import ActionFailedError, HttpRequest


@dataclass
class Recording:
    """Every call with its method, key and arguments; ``fail`` names methods that fail."""

    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)

    def _do(self, method: str, key: str, args: Any) -> Mapping[str, Any]:
        self.calls.append((method, key, args))
        if method in self.fail:
            raise ActionFailedError(f"{method} failed")
        return {"done": method}

    def count(self, method: str) -> int:
        return sum(1 for call in self.calls if call[0] == method)

    def enrich(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        self._do("enrich", key, args)
        return {"__technique__": "command-line"}

    def open_case(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._do("open_case", key, args)

    def update_case(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._do("update_case", key, args)

    def open_task(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._do("open_task", key, args)

    def publish_indicator(
        self, who: Principal, key: str, args: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        return self._do("publish_indicator", key, args)

    def publish_sighting(
        self, who: Principal, key: str, args: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        return self._do("publish_sighting", key, args)

    def issue_measure(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._do("issue_measure", key, args)

    def notify(self, who: Principal, key: str, args: Mapping[str, Any]) -> Mapping[str, Any]:
        return self._do("notify", key, args)

    def request_assistance(
        self, who: Principal, key: str, args: Mapping[str, Any]
    ) -> Mapping[str, Any]:
        return self._do("request_assistance", key, args)

    def http_api(self, who: Principal, key: str, request: HttpRequest) -> Mapping[str, Any]:
        return self._do("http_api", key, request)
