"""Living documentation from a Cucumber JSON report, and the check that keeps the spec honest.

`python -m harness.living_docs reports/cucumber.json --html reports/features.html --check`
writes a page listing every rule of features/rules.md with its scenarios and their results, and
with `--check` exits non-zero when a rule has no passing scenario, a scenario was skipped, or a
scenario carries more than three rule IDs.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

MAX_RULES_PER_SCENARIO = 3
# Relative to the working directory: the catalogue belongs to the checkout, not the package.
DEFAULT_CATALOGUE = Path("features") / "rules.md"


@dataclass
class Scenario:
    feature: str
    name: str
    status: str  # passed, failed or skipped
    rules: list[str]


@dataclass
class Rule:
    id: str
    text: str
    scenarios: list[Scenario] = field(default_factory=list)

    @property
    def covered(self) -> bool:
        return any(s.status == "passed" for s in self.scenarios)


def read_catalogue(path: Path) -> list[Rule]:
    rows = re.findall(r"^\| ([A-Z]+-\d+) \| (.+?) \|$", path.read_text(), flags=re.M)
    return [Rule(rule_id, text) for rule_id, text in rows]


def _status(steps: list[dict]) -> str:
    statuses = {s.get("result", {}).get("status") for s in steps}
    has_then = any(s.get("keyword", "").strip().lower() == "then" for s in steps)
    if steps and statuses == {"passed"} and has_then:
        return "passed"
    return "failed" if "failed" in statuses else "skipped"


def read_report(path: Path, rule_ids: set[str]) -> list[Scenario]:
    scenarios = []
    for feature in json.loads(path.read_text() or "[]"):
        feature_tags = {t["name"].lstrip("@") for t in feature.get("tags", [])}
        for element in feature.get("elements", []):
            tags = feature_tags | {t["name"].lstrip("@") for t in element.get("tags", [])}
            scenarios.append(
                Scenario(
                    feature.get("name", "?"),
                    element.get("name", "?"),
                    _status(element.get("steps", [])),
                    sorted(tags & rule_ids),
                )
            )
    return scenarios


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


def render(rules: list[Rule], scenarios: list[Scenario]) -> str:
    covered = sum(r.covered for r in rules)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>ilert-slack-sim: the rules and their scenarios</title><style>",
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#1d2733}",
        ".passed{color:#1a7f37}.failed{color:#cf222e}.skipped{color:#9a6700}",
        "li{margin:.2rem 0}h2{font-size:1.05rem;margin-top:1.6rem}</style></head><body>",
        "<h1>Rules and their scenarios</h1>",
        f"<p>{covered} of {len(rules)} rules have a passing scenario; "
        f"{len(scenarios)} scenarios ran.</p>",
    ]
    for rule in rules:
        state = "passed" if rule.covered else "failed"
        parts.append(
            f"<h2 id='{rule.id}'><span class='{state}'>{rule.id}</span> "
            f"{html.escape(rule.text)}</h2><ul>"
        )
        for s in rule.scenarios:
            parts.append(
                f"<li><span class='{s.status}'>{s.status}</span> "
                f"{html.escape(s.feature)}: {html.escape(s.name)}</li>"
            )
        if not rule.scenarios:
            parts.append("<li class='failed'>no scenario</li>")
        parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.living_docs", description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--html", type=Path, help="write the living documentation here")
    parser.add_argument("--check", action="store_true", help="fail on any problem")
    args = parser.parse_args(argv)
    rules = read_catalogue(args.catalogue)
    if not args.report.exists():
        print(f"no report at {args.report}: run the features with --cucumberjson first")
        return 1
    scenarios = read_report(args.report, {r.id for r in rules})
    for scenario in scenarios:
        if len(scenario.rules) <= MAX_RULES_PER_SCENARIO:
            for rule in rules:
                if rule.id in scenario.rules:
                    rule.scenarios.append(scenario)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render(rules, scenarios))
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
