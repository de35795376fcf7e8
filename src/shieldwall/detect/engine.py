"""The Sigma detection engine: events in, detections out (streaming, one event at a time).

Windows events are routed by (Channel, EventID) to the rules whose logsource can apply
(see :mod:`shieldwall.detect.sigma.logsource`); other events to the rules whose product,
service and category they belong to (:mod:`shieldwall.detect.sigma.sources`).
Within a route a literal prefilter (:mod:`shieldwall.detect.sigma.index`) picks the rules
worth evaluating; each is a closure compiled once at load. A rule whose test runs past its
budget (a member's regular expression, see :mod:`shieldwall.bounded`) is disabled and
reported; matching goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shieldwall.detect.sigma.compiler import CompiledRule
from shieldwall.detect.sigma.context import EventView
from shieldwall.detect.sigma.index import HitMemo, PrefilterGroup
from shieldwall.detect.sigma.loader import RuleSet
from shieldwall.detect.sigma.logsource import VIEWS, RouteKey
from shieldwall.detect.sigma.sources import EventSource, event_source
from shieldwall.model.detection import Detection
from shieldwall.model.errors import BudgetExceededError, RuleError
from shieldwall.model.event import Event

Groups = tuple[tuple[str, PrefilterGroup], ...]
RuleProblemSink = Callable[[RuleError], None]
MAX_CACHED_ROUTES = 4096
"""Distinct (Channel, EventID) pairs whose rule groups are kept (bounds memory)."""


def event_id_of(value: Any) -> int | None:
    """EventID as an int whether logged as 4688 or "4688"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


class Engine:
    """Matches events against a compiled :class:`RuleSet`."""

    def __init__(self, ruleset: RuleSet, on_problem: RuleProblemSink | None = None) -> None:
        self.disabled: list[RuleError] = []
        """Rules switched off while matching, each with the reason (see :meth:`_disable`)."""
        self._on_problem = on_problem
        self._index(tuple(ruleset.rules))

    def report_to(self, on_problem: RuleProblemSink) -> None:
        """Send each rule disabled from now on to ``on_problem`` (the scan's problem list)."""
        self._on_problem = on_problem

    def _index(self, rules: Sequence[CompiledRule]) -> None:
        """Route the rules: by (Channel, EventID, view) for Windows, by logsource for the rest."""
        self.rules = tuple(rules)
        self._by_key: dict[RouteKey, list[CompiledRule]] = {}
        self._windows_any: list[CompiledRule] = []
        others: list[CompiledRule] = []
        for rule in self.rules:
            route = rule.route
            if not route.windows:
                others.append(rule)
            elif route.keys is None:
                self._windows_any.append(rule)
            else:
                for key in route.keys:
                    self._by_key.setdefault(key, []).append(rule)
        self._views = sorted({key[2] for key in self._by_key} | {""})
        self._order = {id(rule): index for index, rule in enumerate(self.rules)}
        self._others = others
        self._by_source: dict[EventSource, Groups] = {}
        self._routes: dict[tuple[str, int | None], Groups] = {}
        self._prefilters: dict[tuple[int, ...], PrefilterGroup] = {}
        """Groups by the rules they hold: most EventIDs of a channel have no rule of their
        own and share the channel's group (on the EVTX corpus, 302 routes need 91 groups),
        so each group's literal automata are built once per process, not once per route."""
        self._memo = HitMemo()
        self._build_named_routes()

    def _build_named_routes(self) -> None:
        """Build the routes the rules name now, with the rules, not on the first event of each.

        A scan's rate then measures matching, and ``--jobs`` workers, which build their
        engines in parallel, do not each pay for the routes again while scanning (about 50 ms
        a process with the 2,407 Windows rules). EventIDs no rule names are built on demand.
        """
        for channel, event_id, _view in self._by_key:
            self._route((channel, event_id))

    def _build_groups(self, channel: str, event_id: int | None) -> Groups:
        groups: list[tuple[str, PrefilterGroup]] = []
        for view in self._views:
            rules = list(self._by_key.get((channel, None, view), ()))
            if event_id is not None:
                rules += self._by_key.get((channel, event_id, view), ())
            if not view:
                rules += self._windows_any
            if rules:
                groups.append((view, self._prefilter(rules)))
        return tuple(groups)

    def _prefilter(self, rules: list[CompiledRule]) -> PrefilterGroup:
        """The group of these rules, in rule order, built once."""
        order = self._order
        positions = tuple(sorted({order[id(rule)] for rule in rules}))
        group = self._prefilters.get(positions)
        if group is None:
            group = PrefilterGroup([self.rules[position] for position in positions], self._memo)
            if len(self._prefilters) < MAX_CACHED_ROUTES:
                self._prefilters[positions] = group
        return group

    def _groups(self, fields: Mapping[str, Any]) -> Groups:
        channel = fields.get("Channel")
        event_id = fields.get("EventID")
        key = (
            channel.casefold() if isinstance(channel, str) else "",
            event_id if type(event_id) is int else event_id_of(event_id),
        )
        groups = self._routes.get(key)
        return groups if groups is not None else self._route(key)

    def _source_groups(self, event: Event) -> Groups:
        """The rules of the event's logsource outside Windows, grouped once per source."""
        source = event_source(event)
        groups = self._by_source.get(source)
        if groups is None:
            rules = [rule for rule in self._others if rule.route.admits(source)]
            groups = (("", self._prefilter(rules)),) if rules else ()
            if len(self._by_source) < MAX_CACHED_ROUTES:
                self._by_source[source] = groups
        return groups

    def _route(self, key: tuple[str, int | None]) -> Groups:
        groups = self._build_groups(*key)
        if len(self._routes) < MAX_CACHED_ROUTES:
            self._routes[key] = groups
        return groups

    def match(self, event: Event) -> list[Detection]:
        """Every rule that matches the event, in rule order within each view."""
        fields = event.fields
        groups = self._groups(fields) if event.format == "evtx" else self._source_groups(event)
        detections: list[Detection] = []
        for view_name, group in groups:
            view = EventView(VIEWS[view_name](fields) if view_name else fields)
            for rule in group.candidates(view):
                try:
                    if rule.test(view):
                        detections.append(_detection(rule, event, view))
                except BudgetExceededError as exc:
                    self._disable(rule, exc)
        return detections

    def _disable(self, rule: CompiledRule, cause: BudgetExceededError) -> None:
        """Take a rule that ran past its budget out of every route, and report it.

        The scan goes on with the other rules, this event included; the routes are rebuilt
        once (tens of milliseconds), so matching pays nothing for the possibility.
        """
        if rule not in self.rules:
            return
        problem = RuleError(
            f"disabled for the rest of the scan: {cause.reason}",
            source=rule.source,
            rule_id=rule.rule_id,
        )
        self.disabled.append(problem)
        self._index([other for other in self.rules if other is not rule])
        if self._on_problem is not None:
            self._on_problem(problem)


def _detection(rule: CompiledRule, event: Event, view: EventView) -> Detection:
    return Detection(
        rule_id=rule.rule_id,
        rule_title=rule.title,
        level=rule.level,
        tags=rule.tags,
        timestamp=event.timestamp,
        source=event.source,
        matched=rule.explain(view),
        event=event,
        rule_name=rule.name,
    )
