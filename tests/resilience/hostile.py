"""Hostile values, and the probe that sends one generated case and judges its answer.

Every case is drawn from its own generator, seeded by the run's seed, the surface and the case's
number, so any one case can be sent again alone: `RESILIENCE_SEED=S RESILIENCE_CASE=text:17`
runs case 17 of the surface "text" and nothing else of that surface. A failure names the seed,
the case, the exact request, the answer and the traceback any server logged meanwhile.
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes

import requests

from tests.resilience.support import StatusLog

Json = dict[str, Any]

# --- hostile values -------------------------------------------------------------------------

CONTROL = [chr(c) for c in range(0x20)] + ["\x7f", "\x85", "\u2028", "\u2029"]
# JSON allows these as escapes (RFC 8259, §8.2); they are not Unicode scalar values, so UTF-8
# cannot carry them and a form, a query or a header gets the bytes Python's surrogatepass writes.
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
NON_ASCII = [
    "é",
    "ß",
    "Ω",
    "中文",
    "עברית",
    "🔥",
    "👩\u200d👩\u200d👧",
    "e\u0301\u0301\u0301",
    "\u202etxt.exe",
    "\u200b",
    "\ufeff",
    "\ufffd",
    "\uffff",
    "\U0010ffff",
    "\uff21",  # fullwidth A
    "ﷺ",
]
# Slack's mrkdwn and entity syntax, whole and broken, and template and format syntax of the
# renderers on the way (Jinja, printf, the pages' own JavaScript).
MRKDWN = [
    "<",
    ">",
    "&",
    "<!channel>",
    "<!here|",
    "<!everyone>",
    "<@U",
    "<@U0000|x>",
    "<#C0|",
    "<http://x|y",
    "<https://evil.example|click me>",
    "<javascript:alert(1)|x>",
    "<!date^1^{date}|x>",
    "<!subteam^S1>",
    "<>",
    "<|>",
    "<<>>",
    "*",
    "_",
    "~",
    "`",
    "```",
    "*_~`",
    "&lt;",
    "&amp;gt;",
    "&#0;",
    "&#x110000;",
    ":fire",
    ":+1::skin-tone-9:",
    "> ",
    "\\",
    "{{ 7*7 }}",
    "{%",
    "<script>alert(1)</script>",
    "</textarea>",
    "%s%n",
    "%(x)s",
    "${x}",
    "'\"",
]
WORDS = ["disk", "full", "db-2", "latency", "ok", " ", "  ", "\t"]


def hostile_text(rng: random.Random, *, tokens: int = 8, surrogates: bool = True) -> str:
    """A short text mixing control characters, non-ASCII, lone surrogates and mrkdwn tokens."""
    pools = [CONTROL, NON_ASCII, MRKDWN, WORDS] + ([LONE_SURROGATES] if surrogates else [])
    return "".join(rng.choice(rng.choice(pools)) for _ in range(rng.randint(1, tokens)))


def long_text(rng: random.Random, length: int = 20_000) -> str:
    """`length` characters, hostile ones among them."""
    unit = hostile_text(rng, tokens=12, surrogates=False) or "x"
    return (unit * (length // len(unit) + 1))[:length]


def wire_bytes(text: str) -> bytes:
    """UTF-8, writing lone surrogates as the (invalid) bytes a careless client would send."""
    return text.encode("utf-8", "surrogatepass")


def header_value(rng: random.Random) -> bytes:
    """What a hostile client may put in a header: anything but the line breaks that end it."""
    kinds = [
        lambda: wire_bytes(hostile_text(rng)),
        lambda: hostile_text(rng, surrogates=False).encode("latin-1", "replace"),
        lambda: bytes(rng.choice([0, 1, 0x7F, 0x80, 0xC0, 0xFF, 0xFE]) for _ in range(8)),
        lambda: rng.choice(HUGE_NUMBERS).encode(),
        lambda: ("v0=" + "é" * 64).encode(),
        lambda: ("v1=" + "\x00" * 64).encode(),
        lambda: b"x" * rng.choice([1000, 8000, 20_000]),
        lambda: b"",
    ]
    value = rng.choice(kinds)()
    value = value.replace(b"\r", b"?").replace(b"\n", b"?")
    return value.lstrip(b" \t\x0b\x0c")  # what an HTTP client takes for leading whitespace


HUGE_INTS = (2**63, 2**63 - 1, 2**64, 10**30, -(2**63) - 1, -1, 0)
# Python's int() reads fullwidth and Arabic-Indic digits too.
HUGE_NUMBERS = (*(str(n) for n in HUGE_INTS), "1e309", "NaN", "-0", "0x10", "\uff11\uff12", "٣")


def deep_json(depth: int, rng: random.Random) -> str:
    """Arrays or objects nested `depth` deep."""
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


def big_string(megabytes: float) -> str:
    return "A" * int(megabytes * 1024 * 1024)


def query(pairs: list[tuple[str, str | bytes]]) -> str:
    """A query string carrying any bytes, lone surrogates written as surrogatepass bytes."""
    out = []
    for key, value in pairs:
        raw = value if isinstance(value, bytes) else wire_bytes(value)
        out.append(f"{quote_from_bytes(wire_bytes(key))}={quote_from_bytes(raw)}")
    return "&".join(out)


def json_bytes(value: Any) -> bytes:
    """JSON as Python writes it: lone surrogates become `\\ud800` escapes, which JSON allows."""
    return json.dumps(value).encode()


# --- one request and its judgement -----------------------------------------------------------

SLACK_WEB_API = "Slack Web API"  # HTTP 200 {"ok": false, "error"}
ILERT_API = "ilert API"  # 2xx, or 4xx {"status", "code", "message"}
SLACK_APP = "Slack app"  # Bolt: 2xx, or 4xx; 401 {"error": "invalid request"}
ILERT_WEBHOOK = "ilert webhook"  # 2xx, or 4xx {"ok": false, "error"}
PAGE = "page"  # HTML: 2xx, 3xx or 4xx
ANY = "any"  # a 2xx, 3xx or 4xx, whatever the body


@dataclass
class Request:
    method: str
    url: str
    protocol: str
    headers: dict[str, str | bytes] = field(default_factory=dict)
    body: bytes | None = None
    note: str = ""

    def breaks_http(self) -> bool:
        """A header value with a control character, which HTTP forbids (RFC 9110, §5.5): the
        server's HTTP layer may refuse it before any application sees it."""
        values = [
            v if isinstance(v, bytes) else v.encode("latin-1", "replace")
            for v in self.headers.values()
        ]
        return any((b < 0x20 and b != 0x09) or b == 0x7F for v in values for b in v)

    def describe(self, limit: int = 400) -> str:
        lines = [f"{self.method} {_cut(self.url, limit)}"]
        lines += [f"{k}: {_cut(v, limit)}" for k, v in self.headers.items()]
        if self.body is not None:
            lines.append(f"body ({len(self.body)} bytes): {_cut(self.body, limit)}")
        return "\n    ".join(lines)


def _cut(value: str | bytes, limit: int) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(value)} in all)"


class ErrorLog(logging.Handler):
    """Every record logged with a traceback, so a failure can quote what the server said."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        with self._lock:
            self.records.append(text)

    def since(self, mark: int) -> list[str]:
        with self._lock:
            return self.records[mark:]

    def __enter__(self) -> ErrorLog:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


REQUEST_TIMEOUT = (5.0, 15.0)  # connect, read: no answer within these is a hang
MAX_FAILURES = 12  # distinct ones: the same failure again is only counted


class Probe:
    """Sends the cases of one test, judges each answer in its protocol's form and collects the
    failures with what it takes to repeat them; stops early after MAX_FAILURES."""

    def __init__(
        self,
        test: str,
        seed: int,
        log: StatusLog,
        errors: ErrorLog,
        *,
        seen: Counter[str] | None = None,
        hung: set[str] | None = None,
    ) -> None:
        self.test = test
        self.seed = seed
        self.log = log
        self.errors = errors
        self.cases: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.failures: list[str] = []
        # How often each kind of failure came, shared by the tests of one world: a stored value
        # that breaks a page breaks it for every later case, which only the first one caused.
        self.repeats: Counter[str] = Counter() if seen is None else seen
        self.again = 0
        # What hung once is not asked again: its worker thread is lost.
        self.hung: set[str] = set() if hung is None else hung
        self.http = requests.Session()
        self.only = os.environ.get("RESILIENCE_CASE", "")

    def numbers(self, surface: str, count: int) -> Iterator[tuple[str, random.Random]]:
        """(case id, its generator) for `count` cases of `surface`, or only the one asked for."""
        if self.only:
            name, _, number = self.only.partition(":")
            chosen = [int(number)] if name == surface else []
        else:
            chosen = list(range(count))
        for n in chosen:
            # A hung request leaves a worker thread busy for good, which slows every later case
            # of the process: after one, the test stops and reports.
            if len(self.failures) >= MAX_FAILURES or self.hung:
                return
            self.cases[surface] += 1
            yield f"{surface}:{n}", random.Random(f"{self.seed}:{surface}:{n}")

    def send(
        self, case: str, request: Request, *, session: requests.Session | None = None
    ) -> requests.Response | None:
        """The answer, or None after recording why there was none or it was wrong."""
        where = request.note or request.url.split("?", 1)[0]
        if where in self.hung:
            return None
        server_errors, logged = len(self.log.server_errors), len(self.errors.records)
        started = time.monotonic()
        try:
            response = (session or self.http).request(
                request.method,
                request.url,
                headers=request.headers,
                data=request.body,
                timeout=REQUEST_TIMEOUT,
                allow_redirects=False,
            )
        except requests.Timeout:
            self.hung.add(where)
            self.fail(case, request, f"no answer within {REQUEST_TIMEOUT[1]} s (a hang)", logged)
            return None
        except requests.ConnectionError as error:
            self.fail(case, request, f"the connection was dropped: {error}", logged)
            return None
        elapsed = time.monotonic() - started
        self.statuses[str(response.status_code)] += 1
        problem = "" if refused_by_http(request, response) else judge(request.protocol, response)
        downstream = self.log.server_errors[server_errors:]
        if not problem and downstream:
            problem = f"a 5xx on the way: {downstream[:3]}"
        if not problem and elapsed > REQUEST_TIMEOUT[1]:
            problem = f"answered after {elapsed:.1f} s"
        if problem:
            self.fail(case, request, f"{problem}\n  answer: {_answer(response)}", logged)
            return None
        return response

    def fail(self, case: str, request: Request, what: str, logged: int) -> None:
        logs = self.errors.since(logged)[:2]
        where = request.note or request.url.split("?", 1)[0].rsplit("/", 1)[0]
        error = logs[-1].splitlines()[-1].split(":", 1)[0] if logs else ""
        kind = f"{where} | {what.splitlines()[0]} | {error}"
        kind = re.sub(r"\d+", "N", kind)  # positions and ids do not make a new failure
        self.repeats[kind] += 1
        if self.repeats[kind] > 1:
            self.again += 1
            return
        tail = "".join(f"\n  server log:\n{_indent(r[-3000:])}" for r in logs)
        number = case.split(" ", 1)[0]
        self.failures.append(
            f"case {case} (repeat alone: RESILIENCE_SEED={self.seed} RESILIENCE_CASE={number} "
            f"pytest tests/resilience/test_hostile.py -k {self.test})\n"
            f"  request: {request.describe()}\n  {what}{tail}"
        )

    def check(self) -> None:
        assert not (self.failures or self.again), (
            f"seed {self.seed}: {len(self.failures)} new kinds of failure in {self.test}"
            + (" (stopped early)" if len(self.failures) >= MAX_FAILURES or self.hung else "")
            + f", and {self.again} repeats of these or earlier ones; the first case of each:\n\n"
            + "\n\n".join(self.failures)
        )


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _answer(response: requests.Response) -> str:
    kind = response.headers.get("Content-Type", "")
    return f"{response.status_code} {kind} {_cut(response.text, 300)}"


def refused_by_http(request: Request, response: requests.Response) -> bool:
    """Waitress's own 400 for a header HTTP does not allow, as any front server would send."""
    return (
        request.breaks_http()
        and response.status_code == 400
        and response.text.startswith("Bad Request\r\n\r\nInvalid header")
    )


def judge(protocol: str, response: requests.Response) -> str:
    """What is wrong with an answer in `protocol`, or "" if nothing."""
    status = response.status_code
    if status >= 500:
        return f"a {status}"
    if protocol == SLACK_WEB_API:
        if status not in (200, 429):
            return f"the Web API answered HTTP {status}, not 200"
        body = _json(response)
        if not isinstance(body, dict) or not isinstance(body.get("ok"), bool):
            return "the Web API's answer has no boolean ok"
        if not body["ok"] and not (isinstance(body.get("error"), str) and body["error"]):
            return "a Web API refusal without an error code"
        return ""
    if status < 400:
        return ""
    body = _json(response)
    if protocol == ILERT_API:
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return "an ilert refusal without a message"
    elif protocol == ILERT_WEBHOOK:
        if not isinstance(body, dict) or body.get("ok") is not False or not body.get("error"):
            return 'a webhook refusal not in the form {"ok": false, "error"}'
    elif protocol == SLACK_APP and status == 401 and body != {"error": "invalid request"}:
        return "a 401 not in Bolt's form"
    return ""


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
