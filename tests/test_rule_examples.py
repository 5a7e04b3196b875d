"""Every rule is a registered unit with its own example study (its fixture): each finds
what it says in its example, the README's rule table is made from the rules, and
``check --rules`` lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.study.checks import RULES, CheckConfig, check_paths, rule_markdown
from jupyter_coding.study.checks.registry import seed_trace, source_file

README = Path(__file__).resolve().parents[1] / "README.md"


def write_example(folder: Path, files) -> Path:
    folder.mkdir()
    for name, text in files:
        (folder / name).write_bytes(text.encode("utf-8"))
    return folder


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_finds_what_its_examples_show(tmp_path, rule_id):
    rule = RULES[rule_id]
    assert rule.examples, f"{rule_id} has no example study"
    for number, example in enumerate(rule.examples):
        folder = write_example(tmp_path / f"example{number}", example.files)
        found = [
            f for f in check_paths([folder], CheckConfig(select=(rule_id,))) if f.rule == rule_id
        ]
        assert len(found) == example.finds, (rule_id, number, found)
        assert all(f.name == rule.name and f.severity == rule.severity for f in found)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_no_rule_fires_on_the_other_rules_clean_study(tmp_path, rule_id):
    # a study of one clean source, its trace's memo naming what the trace applies: only
    # the info rule of single-source codes has something to say about it
    body = seed_trace(
        "One pipeline builds every service.",
        "New option: ci_cd",
        ('ci_cd = CClass(practice, "CI/CD")',),
        ("ci_cd",),
    )
    folder = write_example(tmp_path / "clean", [source_file("s1", body)])
    found = [f for f in check_paths([folder], CheckConfig(select=(rule_id,))) if f.rule == rule_id]
    assert found == [] or rule_id == "JC108", found


def test_the_readme_rule_table_is_made_from_the_rules():
    table = rule_markdown()
    assert table.count("\n") == len(RULES) + 2
    assert table in README.read_text(encoding="utf-8"), (
        "run: jupyter-coding check --rules --format markdown"
    )


def test_check_lists_the_rules_as_text_json_and_markdown(capsys):
    assert main(["check", "--rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(RULES)
    assert lines[0].split()[:3] == ["JC101", "undefined-code", "warning"]
    assert main(["check", "--rules", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == rule_markdown()
    assert main(["check", "--rules", "--format", "json"]) == 0
    assert '"name": "cr-line-ends"' in capsys.readouterr().out


def test_a_new_rule_is_one_small_unit_as_architecture_md_shows_it(tmp_path):
    import re

    text = (README.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    prelude = (
        "from collections.abc import Iterator\n"
        "from jupyter_coding.study.checks.registry import rule, example, coded, finding_at\n"
        "from jupyter_coding.study.checks.facts import StudyContext, first_definitions\n"
        "from jupyter_coding.study.findings import Finding\n"
    )
    try:
        exec(prelude + code, {})
        new = RULES["JC109"]
        folder = write_example(tmp_path / "example", new.examples[0].files)
        found = check_paths([folder], CheckConfig(select=("JC109",)))
        assert [(f.rule, f.name) for f in found] == [("JC109", "unlabelled-code")]
        assert "| JC109 | `unlabelled-code` | warning | A code defined with an empty label" in (
            rule_markdown()
        )
    finally:
        RULES.pop("JC109", None)
