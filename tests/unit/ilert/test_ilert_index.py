"""The alert index answers as a full scan would, whatever happens to the alerts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.ilert.index import ALERT_STATES, AlertIndex

SOURCES = (1, 2, 3)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(SOURCES), st.sampled_from(ALERT_STATES)),
        st.tuples(st.just("move"), st.integers(0, 40), st.sampled_from(ALERT_STATES)),
        st.tuples(st.just("remove"), st.integers(0, 40), st.just("")),
    ),
    max_size=60,
)
queries = st.tuples(
    st.lists(st.sampled_from(ALERT_STATES), max_size=3),
    st.lists(st.sampled_from((*SOURCES, 9)), max_size=3),
)


@settings(max_examples=150, deadline=None, database=None)
@given(steps, queries)
def test_index_matches_a_scan(ops: list[tuple[str, int, str]], query: tuple) -> None:
    index, truth = AlertIndex(), {}  # truth: alert id -> (source, state)
    next_id = 100
    for op, arg, state in ops:
        if op == "add":
            next_id += 1
            index.add(next_id, arg, state)
            truth[next_id] = (arg, state)
        elif truth:
            alert_id = sorted(truth)[arg % len(truth)]
            source, old = truth[alert_id]
            if op == "move":
                index.move(alert_id, source, old, state)
                truth[alert_id] = (source, state)
            else:
                index.remove(alert_id, source, old)
                del truth[alert_id]
    states, sources = query
    expected = sorted(
        (
            i
            for i, (source, state) in truth.items()
            if (not states or state in states) and (not sources or source in sources)
        ),
        reverse=True,
    )
    assert list(index.newest(states=states, sources=sources)) == expected
    assert index.count(states=states, sources=sources) == len(expected)
    assert len(index) == len(truth)
