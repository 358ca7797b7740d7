"""The spec check: every rule passing, nothing skipped, no scenario claiming too many rules."""

from __future__ import annotations

import json
from pathlib import Path

from harness.living_docs import main

CATALOGUE = "| AUTH-1 | Only Admins. |\n| CHAN-1 | The menu. |\n"


def scenario(
    name: str,
    tags: list[str],
    statuses: list[str],
    keywords: tuple[str, ...] = ("Given", "When", "Then"),
) -> dict:
    return {
        "name": name,
        "tags": [{"name": f"@{t}"} for t in tags],
        "steps": [
            {"keyword": k, "result": {"status": s}} for k, s in zip(keywords, statuses, strict=True)
        ],
    }


def run(tmp_path: Path, *scenarios: dict, catalogue: str = CATALOGUE) -> tuple[int, str]:
    (tmp_path / "rules.md").write_text(catalogue)
    (tmp_path / "report.json").write_text(json.dumps([{"name": "F", "elements": list(scenarios)}]))
    html = tmp_path / "docs.html"
    code = main(
        [
            str(tmp_path / "report.json"),
            "--catalogue",
            str(tmp_path / "rules.md"),
            "--html",
            str(html),
            "--check",
        ]
    )
    return code, html.read_text()


def test_every_rule_passing_is_accepted_and_documented(tmp_path: Path) -> None:
    code, page = run(
        tmp_path,
        scenario("a", ["AUTH-1"], ["passed"] * 3),
        scenario("b", ["CHAN-1", "smoke"], ["passed"] * 3),
    )
    assert code == 0
    assert "AUTH-1" in page and "passed" in page and "F: b" in page


def test_a_rule_without_a_passing_scenario_fails_the_check(tmp_path: Path) -> None:
    code, page = run(
        tmp_path,
        scenario("a", ["AUTH-1"], ["passed"] * 3),
        scenario("b", ["CHAN-1"], ["passed", "failed", "skipped"]),
    )
    assert code == 1
    assert "no scenario" not in page


def test_a_skipped_scenario_fails_the_check(tmp_path: Path) -> None:
    code, _ = run(
        tmp_path,
        scenario("a", ["AUTH-1", "CHAN-1"], ["passed"] * 3),
        scenario("b", ["CHAN-1"], ["skipped"] * 3),
    )
    assert code == 1


def test_a_scenario_without_a_then_does_not_count(tmp_path: Path) -> None:
    code, _ = run(
        tmp_path,
        scenario("a", ["AUTH-1", "CHAN-1"], ["passed", "passed"], keywords=("Given", "When")),
    )
    assert code == 1


def test_a_scenario_with_more_than_three_rules_counts_for_none(tmp_path: Path) -> None:
    four = CATALOGUE + "| FAQ-1 | One workspace. |\n| SEC-1 | Signed. |\n"
    code, page = run(
        tmp_path,
        scenario("a", ["AUTH-1", "CHAN-1", "FAQ-1", "SEC-1"], ["passed"] * 3),
        catalogue=four,
    )
    assert code == 1
    assert page.count("no scenario") == 4
