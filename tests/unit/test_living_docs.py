"""The living documentation: the spec check (every rule passing, nothing skipped, no scenario
claiming too many rules) and what the page shows of each rule, scenario and step."""

from __future__ import annotations

import json
from pathlib import Path

from harness.living_docs import evidence_path, main, mrkdwn

CATALOGUE = "| AUTH-1 | Only Admins. |\n| CHAN-1 | The menu. |\n"
RULES_MD = """# Rules

## Glossary

| Word | Meaning |
|---|---|
| linked | A workspace is linked once authorized. |

## Authorizing

| ID | Rule |
|---|---|
| AUTH-1 | Only Admins. |

## In Slack

| ID | Rule |
|---|---|
| CHAN-1 | The menu. |
"""


def scenario(
    name: str,
    tags: list[str],
    statuses: list[str],
    keywords: tuple[str, ...] = ("Given", "When", "Then"),
    **extra: object,
) -> dict:
    return {
        "name": name,
        "id": extra.pop("id", f"test_{name}"),
        "line": 10,
        "tags": [{"name": f"@{t}"} for t in tags],
        "steps": [
            {
                "keyword": k,
                "name": f"step {n}",
                "line": 11 + n,
                "result": {"status": s, "duration": 2_000_000},
            }
            for n, (k, s) in enumerate(zip(keywords, statuses, strict=True))
        ],
        **extra,
    }


def run(
    tmp_path: Path, *scenarios: dict, catalogue: str = CATALOGUE, evidence: dict | None = None
) -> tuple[int, str]:
    (tmp_path / "rules.md").write_text(catalogue)
    report = tmp_path / "report.json"
    feature = {"name": "F", "uri": "features/f.feature", "elements": list(scenarios)}
    report.write_text(json.dumps([feature]))
    if evidence is not None:
        evidence_path(report).write_text(json.dumps(evidence))
    html = tmp_path / "docs.html"
    code = main(
        [
            str(report),
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
    assert "AUTH-1" in page and "Only Admins." in page
    assert "data-status='passed'" in page and ">b</span>" in page


def test_a_rule_without_a_passing_scenario_fails_the_check(tmp_path: Path) -> None:
    code, page = run(
        tmp_path,
        scenario("a", ["AUTH-1"], ["passed"] * 3),
        scenario("b", ["CHAN-1"], ["passed", "failed", "skipped"]),
    )
    assert code == 1
    assert "not covered" in page and "no scenario" not in page


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
    assert page.count("no scenario<") == 4
    assert "Scenarios that count for no rule" in page


def test_the_page_follows_the_sections_of_rules_md_and_shows_its_glossary(tmp_path: Path) -> None:
    _, page = run(
        tmp_path,
        scenario("a", ["AUTH-1"], ["passed"] * 3),
        scenario("b", ["CHAN-1"], ["passed"] * 3),
        catalogue=RULES_MD,
    )
    assert page.index("<h2>Authorizing</h2>") < page.index("id='AUTH-1'")
    assert page.index("id='AUTH-1'") < page.index("<h2>In Slack</h2>") < page.index("id='CHAN-1'")
    assert "<dt>linked</dt><dd>A workspace is linked once authorized.</dd>" in page
    assert "<h2>Glossary</h2>" not in page


def test_each_outline_example_is_titled_with_its_values(tmp_path: Path) -> None:
    rows = [
        scenario("Only Admins", ["AUTH-1"], ["passed"] * 3, id=f"test_only_admins[{role}]")
        for role in ("User", "Guest")
    ]
    key = "features/f.feature::test_only_admins[User]"
    evidence = {"scenarios": {key: {"examples": {"role": "User", "where": "in ilert"}}}}
    _, page = run(tmp_path, *rows, scenario("b", ["CHAN-1"], ["passed"] * 3), evidence=evidence)
    assert "<span class='example'>role: User, where: in ilert</span>" in page
    # Without evidence for it, an example is named by its test's parameters.
    assert "<span class='example'>example: Guest</span>" in page


def test_a_failed_step_shows_its_message_and_the_state_and_the_rest_did_not_run(
    tmp_path: Path,
) -> None:
    failing = scenario("a", ["AUTH-1"], ["passed", "failed", "failed"])
    failing["steps"][1]["result"]["error_message"] = "E   assert 1 == 2"
    slack = {
        "workspace": "Acme",
        "people": {"U1": "Ann (Admin)"},
        "channels": [
            {
                "name": "ops-alerts",
                "messages": [
                    {
                        "ts": "1.0",
                        "bot_id": "B1",
                        "text": "",
                        "attachments": [
                            {
                                "color": "#f00",
                                "blocks": [
                                    {"type": "section", "text": {"type": "mrkdwn", "text": "*Hi*"}},
                                    {
                                        "type": "actions",
                                        "elements": [
                                            {"type": "button", "text": {"text": "Accept"}}
                                        ],
                                    },
                                ],
                            }
                        ],
                        "replies": [{"ts": "2.0", "bot_id": "B1", "text": "Accepted by *Ann*"}],
                    }
                ],
            }
        ],
    }
    ilert = {
        "alerts": [{"id": 7, "summary": "Disk", "status": "PENDING", "log": [{"text": "Made"}]}]
    }
    key = "features/f.feature::test_a"
    evidence = {
        "scenarios": {
            key: {
                "failure": {
                    "line": 12,
                    "message": "assert 1 == 2",
                    "snapshot": {"slack": slack, "ilert": ilert},
                }
            }
        }
    }
    _, page = run(tmp_path, failing, evidence=evidence)
    step = page[page.index("<li class='step failed'") :]
    assert "<pre class='error'>assert 1 == 2</pre>" in step
    assert "data-channel='ops-alerts'" in step
    assert "<b>Hi</b>" in step and "<span class='s-button '>Accept</span>" in step
    assert "1 reply" in step and "Accepted by <b>Ann</b>" in step
    assert "Alert #7 · Disk" in step and "<li><span class='muted'></span> Made</li>" in step
    assert "<li class='step not-run'" in page
    assert "<details class='scenario'" in page and " open data-status='failed'" in page


def test_steps_show_their_parameters_data_tables_and_durations(tmp_path: Path) -> None:
    passing = scenario("a", ["AUTH-1"], ["passed"] * 3)
    passing["steps"][2]["name"] = 'the menu offers "Grafana"'
    recorded = [
        {"line": 11, "params": {}},
        {"line": 12, "params": {}},
        {"line": 13, "params": {"name": "Grafana"}, "datatable": [["Label", "Slack"]]},
    ]
    evidence = {
        "run": {"started": "2026-12-01T08:00:00+00:00", "commit": "abc123", "mode": "external"},
        "scenarios": {"features/f.feature::test_a": {"steps": recorded}},
    }
    _, page = run(tmp_path, passing, evidence=evidence)
    assert "the menu offers &quot;<span class='param'>Grafana</span>&quot;" in page
    assert "<table class='datatable'><tr><td>Label</td><td>Slack</td></tr></table>" in page
    assert "2 ms" in page
    assert "abc123" in page and "external" in page and "1 Dec 2026, 08:00:00 UTC" in page
    assert "href='#src-features-f-feature-10'" in page


def test_mrkdwn_renders_links_and_mentions_and_escapes_markup() -> None:
    text = "<https://x.example/a_b_c|[1] New Relic> by <@U1>: *bold* <script> <x' onclick='y|z>"
    out = mrkdwn(text, {"U1": "Ann"})
    url = "https://x.example/a_b_c"
    assert f"<a href='{url}' title='{url}'>[1] New Relic</a>" in out
    assert "<span class='mention'>@Ann</span>" in out and "<b>bold</b>" in out
    assert "<script>" not in out and "onclick='" not in out
