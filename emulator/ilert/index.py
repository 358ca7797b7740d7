"""The alert index of one account: alert ids by state, by source and by both, newest first.

A request reads only as many ids as it returns (plus what its filters skip), so the cost of
`GET /api/alerts` and of the events API does not grow with the number of stored alerts. Ids only
grow, so a new alert is an append; a state change moves one id between two sorted lists.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator

ALERT_STATES = ("PENDING", "ACCEPTED", "RESOLVED")


def _insert(ids: list[int], alert_id: int) -> None:
    if not ids or ids[-1] < alert_id:
        ids.append(alert_id)
    else:
        insort(ids, alert_id)


def _remove(ids: list[int], alert_id: int) -> None:
    at = bisect_left(ids, alert_id)
    if at < len(ids) and ids[at] == alert_id:
        del ids[at]


class AlertIndex:
    """Sorted id lists; all methods are called under the model's lock."""

    def __init__(self) -> None:
        self._all: list[int] = []
        self._by_state: dict[str, list[int]] = {state: [] for state in ALERT_STATES}
        self._by_source: dict[int, list[int]] = {}
        self._by_source_state: dict[tuple[int, str], list[int]] = {}

    def __len__(self) -> int:
        return len(self._all)

    def add(self, alert_id: int, source_id: int, state: str) -> None:
        _insert(self._all, alert_id)
        _insert(self._by_state[state], alert_id)
        _insert(self._by_source.setdefault(source_id, []), alert_id)
        _insert(self._by_source_state.setdefault((source_id, state), []), alert_id)

    def move(self, alert_id: int, source_id: int, old: str, new: str) -> None:
        if old == new:
            return
        _remove(self._by_state[old], alert_id)
        _insert(self._by_state[new], alert_id)
        _remove(self._by_source_state.get((source_id, old), []), alert_id)
        _insert(self._by_source_state.setdefault((source_id, new), []), alert_id)

    def remove(self, alert_id: int, source_id: int, state: str) -> None:
        _remove(self._all, alert_id)
        _remove(self._by_state[state], alert_id)
        _remove(self._by_source.get(source_id, []), alert_id)
        _remove(self._by_source_state.get((source_id, state), []), alert_id)

    def _lists(self, states: Iterable[str], sources: Iterable[int]) -> list[list[int]]:
        states, sources = list(dict.fromkeys(states)), list(dict.fromkeys(sources))
        if states and sources:
            return [self._by_source_state.get((s, st), []) for s in sources for st in states]
        if states:
            return [self._by_state[st] for st in states]
        if sources:
            return [self._by_source.get(s, []) for s in sources]
        return [self._all]

    def newest(self, *, states: Iterable[str] = (), sources: Iterable[int] = ()) -> Iterator[int]:
        """Ids matching any of `states` and any of `sources` (empty: all), newest first."""
        lists = [ids for ids in self._lists(states, sources) if ids]
        if len(lists) == 1:
            return reversed(lists[0])
        return heapq.merge(*(reversed(ids) for ids in lists), reverse=True)

    def count(self, *, states: Iterable[str] = (), sources: Iterable[int] = ()) -> int:
        return sum(len(ids) for ids in self._lists(states, sources))

    def count_source(self, source_id: int, state: str) -> int:
        return len(self._by_source_state.get((source_id, state), ()))

    def source_ids(self, source_id: int) -> list[int]:
        return list(self._by_source.get(source_id, ()))
