"""An alert action's `alertFilter`: which alerts the action is for. No wire format, no Flask.

ilert's AlertAction schema (`alertFilter`: an `operator` AND or OR over `predicates`, each a
`field`, a `criteria` and a `value`) names the fields and criteria; what each criterion means is
ilert's wording for them, made exact here:

- `CONTAINS_ANY_WORDS` / `CONTAINS_NOT_WORDS`: `value` is a comma-separated list of words; the
  field contains any (none) of them as a whole word, ignoring case;
- `CONTAINS_STRING` / `CONTAINS_NOT_STRING`: the field contains (does not contain) `value`;
- `IS_STRING` / `IS_NOT_STRING`: the field is (is not) exactly `value`;
- `MATCHES_REGEX` / `MATCHES_NOT_REGEX`: `value`, a regular expression, is found (not found) in
  the field.

`ESCALATION_POLICY` is the alert's policy, named by its id or its name (either matches); a
negative criterion holds only when its positive one holds for neither. An empty filter (no
predicates) lets every alert through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

# The standard library's own parser of regular expressions: the one way to see a pattern's
# structure without a dependency (its `sre_parse` alias warns of deprecation since 3.11).
from re import _constants, _parser  # type: ignore[attr-defined]

from emulator.ilert.errors import BadRequest

OPERATORS = ("AND", "OR")
FIELDS = ("ALERT_SUMMARY", "ALERT_DETAILS", "ESCALATION_POLICY", "ALERT_PRIORITY")
CRITERIA = (
    "CONTAINS_ANY_WORDS",
    "CONTAINS_NOT_WORDS",
    "CONTAINS_STRING",
    "CONTAINS_NOT_STRING",
    "IS_STRING",
    "IS_NOT_STRING",
    "MATCHES_REGEX",
    "MATCHES_NOT_REGEX",
)
# Each negative criterion is the negation of a positive one.
_NEGATION = {
    "CONTAINS_NOT_WORDS": "CONTAINS_ANY_WORDS",
    "CONTAINS_NOT_STRING": "CONTAINS_STRING",
    "IS_NOT_STRING": "IS_STRING",
    "MATCHES_NOT_REGEX": "MATCHES_REGEX",
}


@dataclass(frozen=True)
class AlertFacts:
    """What a filter looks at: the alert as of the event."""

    summary: str
    details: str
    priority: str
    policy_id: int
    policy_name: str

    def texts(self, field: str) -> tuple[str, ...]:
        if field == "ALERT_SUMMARY":
            return (self.summary,)
        if field == "ALERT_DETAILS":
            return (self.details,)
        if field == "ALERT_PRIORITY":
            return (self.priority,)
        return (str(self.policy_id), self.policy_name)


@dataclass(frozen=True)
class Predicate:
    field: str
    criteria: str
    value: str

    def __post_init__(self) -> None:
        _check(self.field, FIELDS, "alertFilter.predicates[].field")
        _check(self.criteria, CRITERIA, "alertFilter.predicates[].criteria")
        if self.criteria in ("MATCHES_REGEX", "MATCHES_NOT_REGEX"):
            _pattern(self.value)  # refused when saved, not when an alert comes
        if self.criteria in ("CONTAINS_ANY_WORDS", "CONTAINS_NOT_WORDS") and not _words(self.value):
            raise BadRequest(
                f"Field 'alertFilter.predicates[].value' must name at least one word for "
                f"{self.criteria} (words are separated by commas); got {self.value!r}"
            )

    def holds(self, facts: AlertFacts) -> bool:
        positive = _NEGATION.get(self.criteria, self.criteria)
        test = _POSITIVE[positive]
        found = any(test(text, self.value) for text in facts.texts(self.field))
        return found if positive == self.criteria else not found


@dataclass(frozen=True)
class AlertFilter:
    operator: str
    predicates: tuple[Predicate, ...]

    def __post_init__(self) -> None:
        _check(self.operator, OPERATORS, "alertFilter.operator")

    def matches(self, facts: AlertFacts) -> bool:
        if not self.predicates:
            return True
        results = (p.holds(facts) for p in self.predicates)
        return all(results) if self.operator == "AND" else any(results)


def _check(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise BadRequest(f"Field '{name}' must be one of {', '.join(allowed)}; got {value!r}")


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.split(",") if w.strip()]


@lru_cache(maxsize=512)
def _pattern(value: str) -> re.Pattern[str]:
    try:
        compiled = re.compile(value)
    except re.error as error:
        raise BadRequest(
            f"Field 'alertFilter.predicates[].value' must be a regular expression for "
            f"MATCHES_REGEX and MATCHES_NOT_REGEX: {error}; got {value!r}"
        ) from None
    if _nested_repeat(_parser.parse(value), inside=False):
        # Python's engine backtracks without bound: `(a+)+$` against forty a's and a b would
        # hold every request for minutes. fake ilert's own limit, like its string lengths.
        raise BadRequest(
            "Field 'alertFilter.predicates[].value' must not repeat a group that itself repeats "
            f"(such as (a+)+): its matching time could grow without bound; got {value!r}"
        )
    return compiled


_REPEATS = (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT)


def _nested_repeat(pattern: _parser.SubPattern, *, inside: bool) -> bool:
    """Whether a repetition (of more than one) holds another, at any depth."""
    for op, arguments in pattern.data:
        repeats = op in _REPEATS and arguments[1] > 1
        if repeats and inside:
            return True
        if any(_nested_repeat(p, inside=inside or repeats) for p in _subpatterns(arguments)):
            return True
    return False


def _subpatterns(arguments: object) -> Iterator[_parser.SubPattern]:
    items = arguments if isinstance(arguments, tuple | list) else (arguments,)
    for item in items:
        if isinstance(item, _parser.SubPattern):
            yield item
        elif isinstance(item, tuple | list):
            yield from _subpatterns(item)


@lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def _contains_any_words(text: str, value: str) -> bool:
    return any(_word_pattern(word).search(text) for word in _words(value))


_POSITIVE: dict[str, Callable[[str, str], bool]] = {
    "CONTAINS_ANY_WORDS": _contains_any_words,
    "CONTAINS_STRING": lambda text, value: value in text,
    "IS_STRING": lambda text, value: text == value,
    "MATCHES_REGEX": lambda text, value: _pattern(value).search(text) is not None,
}


def parse_alert_filter(raw: object) -> AlertFilter | None:
    """ilert's `alertFilter` object (null: no filter); a 400 names what is wrong."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise BadRequest("Field 'alertFilter' must be an object {operator, predicates}")
    operator = raw.get("operator", "AND")
    if not isinstance(operator, str):
        raise BadRequest(f"Field 'alertFilter.operator' must be one of {', '.join(OPERATORS)}")
    predicates = raw.get("predicates")
    predicates = [] if predicates is None else predicates
    if not isinstance(predicates, list):
        raise BadRequest("Field 'alertFilter.predicates' must be a list")
    return AlertFilter(operator, tuple(_predicate(p) for p in predicates))


def _predicate(raw: object) -> Predicate:
    if not isinstance(raw, dict):
        raise BadRequest(
            "Each of 'alertFilter.predicates' must be an object {field, criteria, value}"
        )
    parts = {}
    for name in ("field", "criteria", "value"):
        value = raw.get(name)
        if not isinstance(value, str):
            raise BadRequest(f"Field 'alertFilter.predicates[].{name}' is required (a string)")
        parts[name] = value
    return Predicate(parts["field"], parts["criteria"], parts["value"])
