"""Living documentation from a Cucumber JSON report, and the check that keeps the spec honest.

`python -m harness.living_docs reports/cucumber.json --html reports/features.html --check`
writes one self-contained page (no network, opens from disk) organised as the guide is: each
section of features/rules.md, its rules in their own words, the scenarios that check each rule,
and every step with its parameters, data table, status and duration; one entry per Outline
example, titled with its values. A failed scenario shows the failing step, its message and what
Slack's channels and ilert's alerts looked like at that moment. The page can be filtered by rule,
tag and status, and links each scenario to its line in the feature file, which it embeds.

What the Cucumber JSON does not hold (example values, data tables, the state at a failure, the
run's facts) comes from the evidence file the features write beside it
(`cucumber.json` → `cucumber.evidence.json`, see tests/bdd/evidence.py); without it the page
shows what the Cucumber JSON has.

With `--check` it exits non-zero when a rule has no passing scenario, a scenario failed or was
skipped, or a scenario carries more than three rule IDs.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

Json = dict[str, Any]
MAX_RULES_PER_SCENARIO = 3
# Relative to the working directory: the catalogue belongs to the checkout, not the package.
DEFAULT_CATALOGUE = Path("features") / "rules.md"
NOT_RUN = "not run"


def evidence_path(report: Path) -> Path:
    """Where the features write what the Cucumber JSON at `report` cannot hold."""
    return report.with_name(f"{report.stem}.evidence.json")


# --- the model ---------------------------------------------------------------------------------


@dataclass
class Step:
    keyword: str
    text: str
    line: int
    status: str  # passed, failed, skipped or "not run" (after a failed step)
    seconds: float
    params: dict[str, str] = field(default_factory=dict)
    datatable: list[list[str]] | None = None
    docstring: str | None = None
    error: str = ""  # the failed step's message
    traceback: str = ""
    snapshot: Json | None = None  # the state once the step had run


@dataclass
class Scenario:
    feature: str
    name: str
    status: str  # passed, failed or skipped
    rules: list[str]
    uri: str = ""
    line: int = 0
    tags: list[str] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)
    steps: list[Step] = field(default_factory=list)
    key: str = ""

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    @property
    def failed_step(self) -> Step | None:
        return next((s for s in self.steps if s.status == "failed"), None)


@dataclass
class Rule:
    id: str
    text: str
    section: str = ""
    scenarios: list[Scenario] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return any(s.status == "passed" for s in self.scenarios)


@dataclass
class Catalogue:
    rules: list[Rule]
    glossary: list[tuple[str, str]]

    @property
    def sections(self) -> list[tuple[str, list[Rule]]]:
        out: dict[str, list[Rule]] = {}
        for rule in self.rules:
            out.setdefault(rule.section, []).append(rule)
        return list(out.items())


# --- reading -----------------------------------------------------------------------------------

_ROW = re.compile(r"^\| (.+?) \| (.+?) \|$")
_RULE_ID = re.compile(r"[A-Z]+-\d+")


def read_rules_md(path: Path) -> Catalogue:
    """The rules under their section headings, and the glossary's words."""
    rules, glossary, section = [], [], ""
    for line in path.read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
            continue
        row = _ROW.match(line)
        if not row or set(row.group(1)) <= {"-"}:
            continue
        first, second = row.groups()
        if _RULE_ID.fullmatch(first):
            rules.append(Rule(first, second, section))
        elif section.lower() == "glossary" and first != "Word":
            glossary.append((first, second))
    return Catalogue(rules, glossary)


def read_catalogue(path: Path) -> list[Rule]:
    return read_rules_md(path).rules


def _status(steps: list[dict]) -> str:
    statuses = {s.get("result", {}).get("status") for s in steps}
    has_then = any(s.get("keyword", "").strip().lower() == "then" for s in steps)
    if steps and statuses == {"passed"} and has_then:
        return "passed"
    return "failed" if "failed" in statuses else "skipped"


def _steps(raw: list[Json], evidence: Json) -> list[Step]:
    recorded = evidence.get("steps", [])
    failure = evidence.get("failure") or {}
    steps, seen_failure = [], False
    for index, item in enumerate(raw):
        result = item.get("result", {})
        status = result.get("status", "skipped")
        # pytest-bdd reports every step after the failing one as failed too: they never ran.
        if status == "failed" and seen_failure:
            status = NOT_RUN
        elif status == "failed":
            seen_failure = True
        extra = recorded[index] if index < len(recorded) else {}
        if extra.get("line") != item.get("line"):
            extra = {}
        step = Step(
            keyword=item.get("keyword", "").strip(),
            text=item.get("name", ""),
            line=item.get("line", 0),
            status=status,
            seconds=result.get("duration", 0) / 1e9,
            params=extra.get("params") or {},
            datatable=extra.get("datatable"),
            docstring=extra.get("docstring"),
            snapshot=extra.get("snapshot"),
        )
        if status == "failed":
            step.traceback = result.get("error_message", "")
            step.error = failure.get("message") or _last_error_line(step.traceback)
            step.snapshot = failure.get("snapshot", step.snapshot)
        steps.append(step)
    return steps


def _last_error_line(traceback: str) -> str:
    """pytest's report marks the lines of the message with `E`; without them, the last line."""
    marked = [line[1:].strip() for line in traceback.splitlines() if line.startswith("E ")]
    if marked:
        return "\n".join(marked)
    lines = traceback.strip().splitlines()
    return lines[-1] if lines else ""


def _examples(element: Json, evidence: Json) -> dict[str, str]:
    if evidence.get("examples"):
        return dict(evidence["examples"])
    ident = re.search(r"\[(.+)\]$", element.get("id", ""))
    return {"example": ident.group(1)} if ident else {}


def read_report(path: Path, rule_ids: set[str], evidence: Json | None = None) -> list[Scenario]:
    found = (evidence or {}).get("scenarios", {})
    scenarios = []
    for feature in json.loads(path.read_text() or "[]"):
        feature_tags = {t["name"].lstrip("@") for t in feature.get("tags", [])}
        uri = feature.get("uri", "")
        for element in feature.get("elements", []):
            tags = feature_tags | {t["name"].lstrip("@") for t in element.get("tags", [])}
            key = f"{uri}::{element.get('id', '')}"
            extra = found.get(key, {})
            raw_steps = element.get("steps", [])
            scenarios.append(
                Scenario(
                    feature=feature.get("name", "?"),
                    name=element.get("name", "?"),
                    status=_status(raw_steps),
                    rules=sorted(tags & rule_ids),
                    uri=uri,
                    line=element.get("line", 0),
                    tags=sorted(tags),
                    examples=_examples(element, extra),
                    steps=_steps(raw_steps, extra),
                    key=key,
                )
            )
    return scenarios


def read_evidence(path: Path) -> Json | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return None


def problems(rules: list[Rule], scenarios: list[Scenario]) -> list[str]:
    found = [f"rule {r.id} has no passing scenario" for r in rules if not r.covered]
    found += [f"scenario {s.name!r} was skipped" for s in scenarios if s.status == "skipped"]
    found += [f"scenario {s.name!r} failed" for s in scenarios if s.status == "failed"]
    found += [
        f"scenario {s.name!r} carries {len(s.rules)} rule IDs (at most {MAX_RULES_PER_SCENARIO})"
        for s in scenarios
        if len(s.rules) > MAX_RULES_PER_SCENARIO
    ]
    return found


def attach(rules: list[Rule], scenarios: list[Scenario]) -> None:
    """Each scenario under each rule it checks, unless it claims too many to count for any."""
    for scenario in scenarios:
        if len(scenario.rules) <= MAX_RULES_PER_SCENARIO:
            for rule in rules:
                if rule.id in scenario.rules:
                    rule.scenarios.append(scenario)


# --- rendering: Slack and ilert as people saw them -----------------------------------------------

esc = html.escape

EMOJI = {
    "gear": "⚙️",
    "white_check_mark": "✅",
    "warning": "⚠️",
    "x": "❌",
    "rotating_light": "🚨",
    "bell": "🔔",
    "arrow_up": "⬆️",
    "bust_in_silhouette": "👤",
    "lock": "🔒",
    "heavy_check_mark": "✔️",
    "no_entry": "⛔",
    "fire": "🔥",
}


def mrkdwn(text: str, people: dict[str, str]) -> str:
    """Slack's mrkdwn as HTML: links, mentions, bold, italics, strike, code, emoji, lines."""
    out = esc(text)

    def link(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            name = people.get(target[1:], target[1:])
            return f"<span class='mention'>@{name}</span>"
        if target.startswith("#"):
            return f"<span class='mention'>#{label or target[1:]}</span>"
        if target.startswith(("http://", "https://", "mailto:")):
            return f"<a href='{target}' title='{target}'>{label or target}</a>"
        return match.group(0)

    # Links become placeholders first, so that the markup below never reaches inside a tag.
    links: list[str] = []

    def hold(match: re.Match[str]) -> str:
        links.append(link(match))
        return f"\x00{len(links) - 1}\x00"

    out = re.sub(r"&lt;(.+?)&gt;", hold, out)
    out = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<b>\1</b>", out)
    out = re.sub(r"(?<![\w])_([^_\n]+)_(?![\w])", r"<i>\1</i>", out)
    out = re.sub(r"(?<![\w])~([^~\n]+)~(?![\w])", r"<s>\1</s>", out)
    out = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", out)
    out = re.sub(r":([a-z0-9_+-]+):", lambda m: EMOJI.get(m.group(1), m.group(0)), out)
    out = re.sub(r"\x00(\d+)\x00", lambda m: links[int(m.group(1))], out)
    return out.replace("\n", "<br>")


def _text(obj: Json | None, people: dict[str, str]) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(obj.get("text", ""), people)
    return esc(obj.get("text", ""))


def _element(element: Json, people: dict[str, str]) -> str:
    kind = element.get("type")
    if kind == "button":
        style = element.get("style", "")
        return f"<span class='s-button {esc(style)}'>{_text(element.get('text'), people)}</span>"
    if kind in ("static_select", "external_select", "users_select", "conversations_select"):
        options = "".join(
            f"<option>{_text(o.get('text'), people)}</option>" for o in element.get("options", [])
        )
        placeholder = _text(element.get("placeholder"), people) or "Choose"
        return f"<select class='s-select' disabled><option>{placeholder}</option>{options}</select>"
    if kind in ("mrkdwn", "plain_text"):
        return f"<span>{_text(element, people)}</span>"
    return f"<span class='muted'>[{esc(str(kind))}]</span>"


def render_block(block: Json, people: dict[str, str]) -> str:
    kind = block.get("type")
    if kind == "divider":
        return "<hr class='s-divider'>"
    if kind == "header":
        return f"<div class='s-header'>{_text(block.get('text'), people)}</div>"
    if kind == "context":
        items = "".join(_element(e, people) for e in block.get("elements", []))
        return f"<div class='s-context'>{items}</div>"
    if kind == "actions":
        items = "".join(_element(e, people) for e in block.get("elements", []))
        return f"<div class='s-actions'>{items}</div>"
    if kind == "section":
        parts = [f"<div class='s-text'>{_text(block.get('text'), people)}</div>"]
        if block.get("fields"):
            cells = "".join(f"<div>{_text(f, people)}</div>" for f in block["fields"])
            parts.append(f"<div class='s-fields'>{cells}</div>")
        accessory = block.get("accessory")
        if accessory:
            parts.append(f"<div class='s-accessory'>{_element(accessory, people)}</div>")
        return f"<div class='s-section'>{''.join(parts)}</div>"
    return f"<div class='muted'>[{esc(str(kind))} block]</div>"


def _time(ts: str) -> str:
    try:
        return datetime.fromtimestamp(float(ts), UTC).strftime("%H:%M:%S")
    except (TypeError, ValueError):
        return ""


def render_message(message: Json, people: dict[str, str], *, reply: bool = False) -> str:
    author = "ilert" if message.get("bot_id") else people.get(message.get("user", ""), "")
    author = author or message.get("user", "someone")
    parts = []
    if message.get("ephemeral_to"):
        who = people.get(message["ephemeral_to"], message["ephemeral_to"])
        parts.append(f"<div class='s-only'>👁 Only visible to {esc(who)}</div>")
    blocks = message.get("blocks") or []
    parts += [render_block(b, people) for b in blocks]
    if not blocks and message.get("text"):
        parts.append(f"<div class='s-text'>{mrkdwn(message['text'], people)}</div>")
    for attachment in message.get("attachments") or []:
        inner = "".join(render_block(b, people) for b in attachment.get("blocks") or [])
        if not inner and attachment.get("text"):
            inner = f"<div class='s-text'>{mrkdwn(attachment['text'], people)}</div>"
        color = esc(attachment.get("color") or "#dddddd")
        parts.append(f"<div class='s-attachment' style='border-color:{color}'>{inner}</div>")
    edited = " <span class='muted'>(edited)</span>" if message.get("edited") else ""
    replies = message.get("replies") or []
    if replies:
        thread = "".join(render_message(r, people, reply=True) for r in replies)
        noun = "reply" if len(replies) == 1 else "replies"
        parts.append(
            f"<div class='s-thread'><div class='s-thread-count'>{len(replies)} {noun}</div>"
            f"{thread}</div>"
        )
    badge = " <span class='s-app'>APP</span>" if message.get("bot_id") else ""
    kind = "s-message s-reply" if reply else "s-message"
    if message.get("ephemeral_to"):
        kind += " s-ephemeral"
    return (
        f"<div class='{kind}'><div class='s-avatar'>{esc(author[:1].upper())}</div>"
        f"<div class='s-body'><div class='s-who'><b>{esc(author)}</b>{badge} "
        f"<span class='muted'>{_time(message.get('ts', ''))}</span>{edited}</div>"
        f"{''.join(parts)}</div></div>"
    )


def render_slack(state: Json) -> str:
    people = state.get("people", {})
    channels = state.get("channels", [])
    if not channels:
        return "<p class='muted'>No channel of the workspace had a message.</p>"
    out = []
    for channel in channels:
        lock = "🔒" if channel.get("private") else "#"
        messages = "".join(render_message(m, people) for m in channel.get("messages", []))
        out.append(
            f"<div class='slack' data-channel='{esc(channel['name'])}'>"
            f"<div class='slack-head'>{lock}{esc(channel['name'])}"
            f"<span class='muted'> · Slack workspace {esc(state.get('workspace', ''))}</span></div>"
            f"{messages}</div>"
        )
    return "".join(out)


def _person(user: Json | None) -> str:
    if not user:
        return ""
    return f"{user.get('firstName', '')} {user.get('lastName', '')}".strip()


def _log_entry(entry: Json) -> str:
    via = f" <span class='muted'>via {esc(entry['via'].title())}</span>" if entry.get("via") else ""
    time = esc(str(entry.get("timestamp", ""))[11:19])
    return f"<li><span class='muted'>{time}</span> {esc(entry.get('text', ''))}{via}</li>"


def render_ilert(state: Json) -> str:
    alerts = state.get("alerts", [])
    if not alerts:
        return "<p class='muted'>The ilert account had no alert.</p>"
    out = []
    for alert in alerts:
        status = str(alert.get("status", ""))
        facts = [
            f"<span class='i-status i-{esc(status.lower())}'>{esc(status.title())}</span>",
            f"priority {esc(str(alert.get('priority', '')).title())}",
            f"source {esc((alert.get('alertSource') or {}).get('name', ''))}",
        ]
        if alert.get("assignedTo"):
            facts.append(f"assigned to {esc(_person(alert['assignedTo']))}")
        log = "".join(
            f"<li><span class='muted'>{esc(str(entry.get('timestamp', ''))[11:19])}</span> "
            f"{esc(entry.get('text', ''))}"
            + (
                f" <span class='muted'>via {esc(entry['via'].title())}</span>"
                if entry.get("via")
                else ""
            )
            + "</li>"
            for entry in alert.get("log", [])
        )
        out.append(
            f"<div class='ilert'><div class='ilert-head'>Alert #{alert.get('id')} · "
            f"{esc(alert.get('summary', ''))}</div><div class='i-facts'>{' · '.join(facts)}</div>"
            f"<ol class='i-log'>{log}</ol></div>"
        )
    return "".join(out)


def render_state(snapshot: Json | None, heading: str) -> str:
    if not snapshot:
        return ""
    if snapshot.get("error"):
        return f"<p class='muted'>{esc(snapshot['error'])}</p>"
    return (
        f"<div class='state'><div class='state-head'>{esc(heading)} "
        "<span class='muted'>(read from the emulators' control planes)</span></div>"
        f"<div class='state-cols'><div><h5>Slack</h5>{render_slack(snapshot.get('slack', {}))}"
        f"</div><div><h5>ilert</h5>{render_ilert(snapshot.get('ilert', {}))}</div></div></div>"
    )


# --- rendering: the page -------------------------------------------------------------------------


def highlight(text: str, params: dict[str, str]) -> str:
    """The step's words with its parameters marked, each value at its first place from the left."""
    spans: list[tuple[int, int]] = []
    for value in sorted(params.values(), key=len, reverse=True):
        if not value:
            continue
        start = 0
        while (at := text.find(value, start)) >= 0:
            if not any(a < at + len(value) and at < b for a, b in spans):
                spans.append((at, at + len(value)))
                break
            start = at + 1
    out, last = [], 0
    for a, b in sorted(spans):
        out += [esc(text[last:a]), f"<span class='param'>{esc(text[a:b])}</span>"]
        last = b
    return "".join(out) + esc(text[last:])


def _table(rows: list[list[str]]) -> str:
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='datatable'>{body}</table>"


def _duration(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def render_step(step: Step) -> str:
    parts = [
        f"<li class='step {step.status.replace(' ', '-')}' data-line='{step.line}'>",
        f"<span class='badge {step.status.replace(' ', '-')}'>{esc(step.status)}</span> ",
        f"<b class='kw'>{esc(step.keyword)}</b> {highlight(step.text, step.params)}",
        f" <span class='muted dur'>{_duration(step.seconds)}</span>",
    ]
    if step.datatable:
        parts.append(_table(step.datatable))
    if step.docstring:
        parts.append(f"<pre class='docstring'>{esc(step.docstring)}</pre>")
    if step.status == "failed":
        parts.append(f"<pre class='error'>{esc(step.error or 'failed')}</pre>")
        if step.traceback:
            parts.append(
                "<details class='traceback'><summary>Traceback</summary>"
                f"<pre>{esc(step.traceback)}</pre></details>"
            )
        parts.append(render_state(step.snapshot, "What Slack and ilert showed when it failed"))
    elif step.snapshot:
        parts.append(
            "<details class='after-step'><summary>What Slack and ilert showed after this step"
            f"</summary>{render_state(step.snapshot, 'After this step')}</details>"
        )
    parts.append("</li>")
    return "".join(parts)


def scenario_title(scenario: Scenario) -> str:
    if not scenario.examples:
        return esc(scenario.name)
    values = ", ".join(f"{k}: {v}" for k, v in scenario.examples.items())
    return f"{esc(scenario.name)} <span class='example'>{esc(values)}</span>"


def anchor(*parts: str) -> str:
    """An element id made of `parts`, safe in a URL's fragment and a CSS selector."""
    return "-".join(re.sub(r"[^A-Za-z0-9]+", "-", p).strip("-") for p in parts)


def source_anchor(uri: str, line: int) -> str:
    return anchor("src", uri, str(line))


def render_scenario(scenario: Scenario, rule_id: str) -> str:
    tags = " ".join(f"<span class='tag'>@{esc(t)}</span>" for t in scenario.tags)
    where = f"{scenario.uri}:{scenario.line}"
    opened = " open" if scenario.status == "failed" else ""
    steps = "".join(render_step(s) for s in scenario.steps)
    return (
        f"<details class='scenario' id='{anchor(rule_id, scenario.key)}'{opened} "
        f"data-status='{scenario.status}' data-tags='{esc(' '.join(scenario.tags))}' "
        f"data-key='{anchor(scenario.key)}'>"
        f"<summary><span class='badge {scenario.status}'>{scenario.status}</span> "
        f"<span class='title'>{scenario_title(scenario)}</span> "
        f"<span class='muted'>{esc(scenario.feature)} · {_duration(scenario.seconds)}</span>"
        f"</summary><div class='scenario-body'><div class='meta'>{tags} · "
        f"<a class='source' href='#{source_anchor(scenario.uri, scenario.line)}'>{esc(where)}</a>"
        f"</div><ol class='steps'>{steps}</ol></div></details>"
    )


def render_rule(rule: Rule) -> str:
    state = "passed" if rule.covered else "failed"
    label = "covered" if rule.covered else "not covered"
    scenarios = "".join(render_scenario(s, rule.id) for s in rule.scenarios)
    if not rule.scenarios:
        scenarios = "<p class='failed none'>no scenario</p>"
    return (
        f"<section class='rule' id='{esc(rule.id)}' data-rule='{esc(rule.id)}'>"
        f"<h3><span class='badge {state}'>{label}</span> <span class='rule-id'>{esc(rule.id)}"
        f"</span> {mrkdwn(rule.text, {})}</h3>{scenarios}</section>"
    )


def render_sources(uris: Iterable[str], roots: list[Path]) -> str:
    out = []
    for uri in sorted(set(uris)):
        path = next((root / uri for root in roots if (root / uri).is_file()), None)
        if path is None:
            continue
        lines = "".join(
            f"<span class='src-line' id='{source_anchor(uri, n)}'><span class='ln'>{n}</span>"
            f"{esc(text)}\n</span>"
            for n, text in enumerate(path.read_text().splitlines(), start=1)
        )
        out.append(
            f"<details class='source-file' id='{anchor('file', uri)}'><summary>{esc(uri)}"
            f"</summary><pre>{lines}</pre></details>"
        )
    return "".join(out)


def _when(started: str, finished: str) -> str:
    """ "1 Dec 2026, 08:11:39 UTC, for 77 s" from two ISO times."""
    try:
        start = datetime.fromisoformat(started)
        end = datetime.fromisoformat(finished) if finished else None
    except ValueError:
        return f"{started} to {finished}"
    text = f"{start.day} {start:%b %Y, %H:%M:%S} UTC"
    return text + (f", for {(end - start).total_seconds():.0f} s" if end else "")


def render_run(run: Json | None) -> str:
    if not run:
        return "<p class='muted'>No evidence file: the run's facts are unknown.</p>"
    commit = esc(str(run.get("commit", "unknown")))
    if run.get("local_changes"):
        commit += " <span class='muted'>with local changes</span>"
    mode = esc(str(run.get("mode") or "unknown"))
    urls = run.get("urls") or {}
    if urls:
        mode += (
            " <span class='muted'>("
            + ", ".join(f"{esc(k)} {esc(v)}" for k, v in urls.items())
            + ")</span>"
        )
    rows = [
        ("Run", esc(_when(run.get("started", ""), run.get("finished", "")))),
        ("Commit", commit),
        ("Python", esc(str(run.get("python", "")))),
        ("slack_sdk", esc(str(run.get("slack_sdk", "")))),
        ("slack_bolt", esc(str(run.get("slack_bolt", "")))),
        ("pytest-bdd", esc(str(run.get("pytest_bdd", "")))),
        ("Services", mode),
    ]
    cells = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table class='run'>{cells}</table>"


def render(
    rules: list[Rule],
    scenarios: list[Scenario],
    *,
    glossary: Sequence[tuple[str, str]] = (),
    run: Json | None = None,
    roots: Sequence[Path] = (),
) -> str:
    catalogue = Catalogue(rules, list(glossary))
    covered = sum(r.covered for r in rules)
    counts = {s: sum(x.status == s for x in scenarios) for s in ("passed", "failed", "skipped")}
    tags = sorted({t for s in scenarios for t in s.tags} - {r.id for r in rules})
    rule_options = "".join(
        f"<option value='{esc(r.id)}'>{esc(r.id)}: {esc(r.text[:70])}</option>" for r in rules
    )
    tag_options = "".join(f"<option value='{esc(t)}'>@{esc(t)}</option>" for t in tags)
    words = "".join(f"<dt>{esc(w)}</dt><dd>{mrkdwn(m, {})}</dd>" for w, m in glossary)
    body = []
    for title, section_rules in catalogue.sections:
        body.append(
            f"<section class='section'><h2>{esc(title)}</h2>"
            + "".join(render_rule(r) for r in section_rules)
            + "</section>"
        )
    outside = [s for s in scenarios if not s.rules or len(s.rules) > MAX_RULES_PER_SCENARIO]
    if outside:
        body.append(
            "<section class='section'><h2>Scenarios that count for no rule</h2>"
            "<section class='rule' data-rule=''>"
            + "".join(render_scenario(s, "none") for s in outside)
            + "</section></section>"
        )
    toc = "".join(
        f"<li><a href='#{esc(r.id)}'><span class='dot {'passed' if r.covered else 'failed'}'>"
        f"</span>{esc(r.id)}</a></li>"
        for r in rules
    )
    summary = (
        f"{covered} of {len(rules)} rules have a passing scenario; {len(scenarios)} scenarios ran: "
        f"<span class='passed'>{counts['passed']} passed</span>, "
        f"<span class='failed'>{counts['failed']} failed</span>, "
        f"<span class='skipped'>{counts['skipped']} skipped</span>."
    )
    uris = [s.uri for s in scenarios if s.uri]
    return "".join(
        [
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
            "<meta name='viewport' content='width=device-width, initial-scale=1'>",
            "<title>ilert's Slack integration: the living documentation</title>",
            f"<style>{CSS}</style></head><body>",
            "<header><h1>ilert's Slack integration</h1>",
            "<p class='lead'>The behaviour the features prove, organised as ilert's Slack guide: "
            "each rule, the scenarios that check it and every step they took.</p>",
            f"<p class='summary'>{summary}</p>{render_run(run)}</header>",
            "<nav class='filters'><label>Rule <select id='f-rule'><option value=''>every rule"
            f"</option>{rule_options}</select></label> <label>Tag <select id='f-tag'>"
            f"<option value=''>every tag</option>{tag_options}</select></label> "
            "<label>Status <select id='f-status'><option value=''>every status</option>"
            "<option>passed</option><option>failed</option><option>skipped</option></select>"
            "</label> <span id='f-count' class='muted'></span></nav>",
            f"<nav class='toc'><ul>{toc}</ul></nav>",
            f"<details class='glossary'><summary>Glossary</summary><dl>{words}</dl></details>"
            if words
            else "",
            f"<main>{''.join(body)}</main>",
            "<section class='sources'><h2>The feature files</h2>",
            render_sources(uris, list(roots)),
            f"</section><script>{SCRIPT}</script></body></html>",
        ]
    )


CSS = """
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2733;margin:0;
background:#f6f7f9}header,main,.sources,.filters,.toc,.glossary{max-width:72rem;margin:0 auto;
padding:0 1.2rem}header{padding-top:1.2rem}h1{margin:.2rem 0}.lead{color:#4a5766;margin:.2rem 0}
h2{font-size:1.25rem;margin:2rem 0 .6rem;border-bottom:2px solid #d8dde3;padding-bottom:.2rem}
h3{font-size:1rem;font-weight:600;margin:1.2rem 0 .5rem}h5{margin:.2rem 0 .4rem;font-size:.8rem;
text-transform:uppercase;letter-spacing:.05em;color:#4a5766}.muted{color:#6b7785;font-weight:400}
span.passed{color:#1a7f37}span.failed,p.failed{color:#cf222e}span.skipped{color:#9a6700}
.badge{display:inline-block;font-size:.72rem;font-weight:600;padding:.05rem .45rem;
border-radius:.8rem;text-transform:uppercase;letter-spacing:.03em;background:#eaeef2;
color:#4a5766;vertical-align:1px}.badge.passed{background:#dafbe1;color:#116329}
.badge.failed{background:#ffebe9;color:#a40e26}.badge.skipped,.badge.not-run{background:#fff8c5;
color:#7d4e00}.rule-id{font-family:ui-monospace,monospace;color:#0b5cad}
table.run{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}table.run th{text-align:left;
padding:.1rem 1rem .1rem 0;color:#4a5766;font-weight:500}table.run td{padding:.1rem 0}
.filters{position:sticky;top:0;background:#f6f7f9ee;padding:.6rem 1.2rem;z-index:2;
border-bottom:1px solid #d8dde3}.filters select{max-width:22rem}
.toc ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem .8rem;font-size:.8rem}
.toc a{text-decoration:none;color:#0b5cad;font-family:ui-monospace,monospace}
.dot{display:inline-block;width:.55rem;height:.55rem;border-radius:50%;margin-right:.25rem}
.dot.passed{background:#2da44e}.dot.failed{background:#cf222e}
.glossary dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:.88rem}
.glossary dt{font-weight:600}.glossary dd{margin:0}
details.scenario{background:#fff;border:1px solid #d8dde3;border-radius:.45rem;margin:.35rem 0}
details.scenario>summary{padding:.45rem .7rem;cursor:pointer}details.scenario[open]>summary{
border-bottom:1px solid #eaeef2}.scenario-body{padding:.4rem .9rem .8rem}.example{
background:#eef4ff;color:#0b3d91;border-radius:.3rem;padding:.05rem .4rem;font-size:.85rem}
.meta{font-size:.8rem;margin-bottom:.3rem}.tag{color:#6b7785;font-family:ui-monospace,monospace}
ol.steps{list-style:none;padding:0;margin:0}li.step{padding:.2rem 0;
border-bottom:1px dashed #eaeef2}
li.step.not-run{opacity:.55}.kw{color:#6e40c9}.param{background:#fff2cc;border-radius:.2rem;
padding:0 .15rem;font-family:ui-monospace,monospace;font-size:.9em}.dur{font-size:.75rem}
table.datatable{border-collapse:collapse;margin:.3rem 0 .3rem 4.5rem;font-size:.85rem}
table.datatable td{border:1px solid #d8dde3;padding:.1rem .5rem;background:#fbfcfd}
pre{white-space:pre-wrap;word-break:break-word}pre.error{background:#ffebe9;border-left:4px solid
#cf222e;padding:.5rem .7rem;margin:.4rem 0;font-size:.85rem}.traceback pre{font-size:.75rem;
max-height:24rem;overflow:auto;background:#f6f8fa;padding:.5rem}
.state{margin:.6rem 0;padding:.6rem;background:#f6f8fa;border-radius:.4rem}
.state-head{font-weight:600;margin-bottom:.4rem}.state-cols{display:grid;
grid-template-columns:3fr 2fr;gap:1rem}.slack{background:#fff;border:1px solid #ddd;
border-radius:.4rem;margin-bottom:.6rem;font-family:Lato,'Helvetica Neue',Arial,sans-serif}
.slack-head{font-weight:700;padding:.4rem .7rem;border-bottom:1px solid #eee}
.s-message{display:flex;gap:.5rem;padding:.45rem .7rem}.s-ephemeral{background:#f8f5ff}
.s-avatar{flex:none;width:2rem;height:2rem;border-radius:.3rem;background:#4a154b;color:#fff;
display:flex;align-items:center;justify-content:center;font-weight:700}.s-reply .s-avatar{
width:1.5rem;height:1.5rem;font-size:.8rem}.s-body{flex:1;min-width:0}.s-who{font-size:.9rem}
.s-app{font-size:.6rem;background:#e8e8e8;color:#555;padding:0 .25rem;border-radius:.2rem}
.s-only{font-size:.75rem;color:#6b7785}.s-section{display:flex;gap:.6rem;justify-content:
space-between;align-items:flex-start;margin:.15rem 0}.s-context{font-size:.78rem;color:#616061;
display:flex;gap:.5rem}.s-actions{display:flex;gap:.4rem;margin:.35rem 0}.s-button{display:
inline-block;border:1px solid #bbb;border-radius:.25rem;padding:.1rem .7rem;font-weight:600;
font-size:.85rem;background:#fff}.s-button.primary{background:#007a5a;color:#fff;border-color:
#007a5a}.s-button.danger{color:#e01e5a;border-color:#e01e5a}.s-select{font-size:.85rem}
.s-divider{border:0;border-top:1px solid #eee}.s-attachment{border-left:4px solid #ddd;
padding:.1rem .6rem;margin:.3rem 0}.s-fields{display:grid;grid-template-columns:1fr 1fr}
.s-thread{margin:.4rem 0 0 .2rem;border-left:2px solid #e8e8e8;padding-left:.4rem}
.s-thread-count{font-size:.78rem;color:#1264a3;font-weight:600}.mention{background:#e8f5fa;
color:#1264a3;border-radius:.2rem;padding:0 .1rem}.s-text a{color:#1264a3}
.ilert{background:#fff;border:1px solid #ddd;border-radius:.4rem;padding:.5rem .7rem;
margin-bottom:.6rem}.ilert-head{font-weight:600}.i-facts{font-size:.82rem;color:#4a5766}
.i-status{font-weight:700}.i-pending{color:#c0392b}.i-accepted{color:#d68910}
.i-resolved{color:#1e8449}.i-log{font-size:.8rem;padding-left:1.2rem;margin:.3rem 0}
.source-file pre{background:#fff;border:1px solid #d8dde3;padding:.5rem 0;font-size:.8rem}
.src-line{display:block;padding:0 .6rem}.src-line:target{background:#fff2cc}
.ln{display:inline-block;width:2.5rem;color:#9aa4ae;user-select:none}
.after-step summary{font-size:.8rem;color:#4a5766;cursor:pointer}
.hidden{display:none!important}.none{margin:.2rem 0}
@media (max-width:900px){.state-cols{grid-template-columns:1fr}}
"""

SCRIPT = """
(function(){
  const rule=document.getElementById('f-rule'), tag=document.getElementById('f-tag'),
    status=document.getElementById('f-status'), count=document.getElementById('f-count');
  function apply(){
    const shown=new Set();
    document.querySelectorAll('section.rule').forEach(function(block){
      let visible=0;
      block.querySelectorAll('details.scenario').forEach(function(s){
        const ok=(!tag.value||s.dataset.tags.split(' ').includes(tag.value))&&
          (!status.value||s.dataset.status===status.value);
        s.classList.toggle('hidden',!ok);
        const inRule=!rule.value||block.dataset.rule===rule.value;
        if(ok){visible++; if(inRule){shown.add(s.dataset.key);}}
      });
      const empty=!block.querySelector('details.scenario');
      const keep=(!rule.value||block.dataset.rule===rule.value)&&
        (visible>0||(empty&&!tag.value&&!status.value));
      block.classList.toggle('hidden',!keep);
    });
    document.querySelectorAll('section.section').forEach(function(sec){
      sec.classList.toggle('hidden',!sec.querySelector('section.rule:not(.hidden)'));
    });
    count.textContent=shown.size+' scenario'+(shown.size===1?'':'s')+' shown';
  }
  [rule,tag,status].forEach(function(el){el.addEventListener('change',apply);});
  function reveal(){
    const target=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if(!target){return;}
    for(let el=target;el;el=el.parentElement){if(el.tagName==='DETAILS'){el.open=true;}}
    target.scrollIntoView({block:'center'});
  }
  window.addEventListener('hashchange',reveal);
  apply(); reveal();
})();
"""


# --- the command -------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.living_docs", description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--html", type=Path, help="write the living documentation here")
    parser.add_argument(
        "--evidence", type=Path, help="the features' evidence file (default: beside the report)"
    )
    parser.add_argument("--check", action="store_true", help="fail on any problem")
    args = parser.parse_args(argv)
    catalogue = read_rules_md(args.catalogue)
    rules = catalogue.rules
    if not args.report.exists():
        print(f"no report at {args.report}: run the features with --cucumberjson first")
        return 1
    evidence = read_evidence(args.evidence or evidence_path(args.report))
    scenarios = read_report(args.report, {r.id for r in rules}, evidence)
    attach(rules, scenarios)
    if args.html:
        # Feature paths in the report are relative to where pytest ran: the checkout's root.
        roots = [Path.cwd(), args.catalogue.resolve().parent.parent]
        page = render(
            rules,
            scenarios,
            glossary=catalogue.glossary,
            run=(evidence or {}).get("run"),
            roots=roots,
        )
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(page)
    found = problems(rules, scenarios)
    covered = sum(r.covered for r in rules)
    print(
        f"living docs: {covered} of {len(rules)} rules covered, {len(scenarios)} scenarios"
        + (f", written to {args.html}" if args.html else "")
    )
    for problem in found:
        print(f"  {problem}")
    return 1 if args.check and found else 0


if __name__ == "__main__":
    sys.exit(main())
