"""The rules of issue 16, each on a small study that triggers it and one that does not,
in the seed's dialect and in the labels dialect (FORMAT.md §12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jupyter_coding.fieldnotes import parse
from jupyter_coding.study.checks import RULES, CheckConfig, ConfigError, check_notes, check_paths

from .checks_fixtures import DEFINES_BLAMELESS_REVIEW, labels_source, labels_study, labels_trace
from .study_fixtures import source_text, trace, write


def check(folder: Path, *rules: str, **config):
    return check_paths([folder], CheckConfig(select=rules or ("ALL",), **config))


def only(findings, rule: str):
    return [finding for finding in findings if finding.rule == rule]


def names(findings) -> list[tuple[str, int]]:
    return [(Path(f.path).name, f.line) for f in findings]


def seed_study(folder: Path, *traces: tuple[int, str]) -> Path:
    for number, body in traces:
        write(folder, f"s_{number}.md", source_text(number, body))
    return folder


def ci_cd_study(folder: Path, second_label: str) -> Path:
    """``ci_cd`` "CI/CD process" in s1, ``ci_cd_process`` with ``second_label`` in s2."""
    first = trace("q", "New option: ci_cd", 'ci_cd = CClass(practice, "CI/CD process")', ["ci_cd"])
    definition = f'ci_cd_process = CClass(practice, "{second_label}")'
    second = trace("q", "New option: ci_cd_process", definition, ["ci_cd_process"], "s2")
    return seed_study(folder, (1, first), (2, second))


# -- one meaning under two names ---------------------------------------------------------


def test_undefined_code_suggests_the_code_whose_label_it_spells(tmp_path):
    definition = (
        'configure_depency = CClass(practice, "Configure pipelines for dependency management")'
    )
    seed_study(
        tmp_path,
        (1, trace("q", "New option: configure_depency", definition, ["configure_depency"])),
        (
            2,
            trace(
                "q",
                "Familiar option: configure_pipelines_for_dependency_management",
                attached=["configure_pipelines_for_dependency_management", "unrelated_thing"],
                target="s2",
            ),
        ),
    )
    findings = only(check(tmp_path, "JC101"), "JC101")
    by_code = {f.message.split()[0]: f for f in findings}
    assert by_code["configure_pipelines_for_dependency_management"].message.endswith(
        '(did you mean configure_depency ("Configure pipelines for dependency management")?)'
    )
    assert "did you mean" not in by_code["unrelated_thing"].message


def test_undefined_code_named_by_a_label_in_the_labels_dialect(tmp_path):
    labels_study(
        tmp_path,
        {
            1: labels_source(
                1,
                labels_trace(
                    "One golden record.",
                    ["Master Data Management"],
                    ['mdm = CClass(practice, "Master Data Management")'],
                ),
            ),
            2: labels_source(
                2, labels_trace("Again.", ["Master data management"], ["master_data_management"])
            ),
        },
    )
    (finding,) = only(check(tmp_path, "JC101"), "JC101")
    assert finding.message == (
        "master_data_management is used but defined nowhere in the study (did you mean "
        'mdm ("Master Data Management")?)'
    )
    assert finding.fix is not None and finding.fix.renames == (("master_data_management", "mdm"),)


@pytest.mark.parametrize(
    ("variant", "why"),
    [
        ("managing_read_write_permission", "another form of a word and singular/plural"),
        ("permissions_manage_read_write", "the same words in another order"),
        ("manage_read_write_permisions", "one letter apart"),
        ("manage_read_write_permissoins", "a typo in one word (permissoins/permissions)"),
    ],
)
def test_near_duplicates_by_form_order_and_typo(tmp_path, variant, why):
    definition = 'manage_read_write_permissions = CClass(practice, "Manage read/write permissions")'
    seed_study(
        tmp_path,
        (1, trace("q", "New option: x", definition, ["manage_read_write_permissions"])),
        (2, trace("q", f"Familiar option: {variant}", attached=[variant], target="s2")),
    )
    (finding,) = only(check(tmp_path, "JC104"), "JC104")
    assert finding.message.startswith(
        f"{variant} looks like manage_read_write_permissions ({why}); "
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("data_as_a_product", "data_product"),  # small words count
        ("stale", "table"),
        ("data_production", "data_protection"),  # two letters apart: other words
        ("input_port", "output_port"),
    ],
)
def test_names_that_are_other_codes(tmp_path, a, b):
    seed_study(
        tmp_path,
        (1, trace("q", f"Familiar options: {a}, {b}", attached=[a, b])),
    )
    assert only(check(tmp_path, "JC104"), "JC104") == []


def test_two_codes_with_one_label(tmp_path):
    ci_cd_study(tmp_path, "CI/CD Process")
    (finding,) = only(check(tmp_path, "JC105", "JC104"), "JC105")
    assert Path(finding.path).name == "s_2.md"
    assert finding.message.startswith(
        'ci_cd_process (practice "CI/CD Process") and ci_cd (practice "CI/CD process", defined at '
    )
    assert "have the same label: one meaning under two names?" in finding.message


def test_nearly_the_same_label_in_the_labels_dialect(tmp_path):
    labels_study(
        tmp_path,
        {
            1: labels_source(1, DEFINES_BLAMELESS_REVIEW),
            2: labels_source(
                2,
                labels_trace(
                    "q",
                    ["Reviews without blame"],
                    ['no_blame = CClass(practice, "Blameless reviews")'],
                ),
            ),
            3: labels_source(
                3,
                labels_trace(
                    "q", ["Action Items"], ['action_items = CClass(practice, "Action Items")']
                ),
            ),
        },
    )
    (finding,) = only(check(tmp_path, "JC105"), "JC105")
    assert finding.message.startswith(
        'no_blame (practice "Blameless reviews") and blameless_review'
    )


def test_a_label_copied_from_the_definition_above(tmp_path):
    added = (
        'rest_apis = CClass(pattern, "Attach a REST API to each data product")\n'
        'sql_layer = CClass(pattern, "Attach a REST API to each data product")'
    )
    seed_study(tmp_path, (1, trace("q", "New option: rest_apis, sql_layer", added, [])))
    findings = check(tmp_path, "JC105", "JC106")
    (copied,) = only(findings, "JC106")
    assert copied.line == 47 and only(findings, "JC105") == []
    assert copied.message.startswith(
        'sql_layer has the label "Attach a REST API to each data product" of rest_apis, defined '
        "above it at line 46"
    )
    own_label = added.replace(
        'sql_layer = CClass(pattern, "Attach a REST API',
        'sql_layer = CClass(pattern, "Attach a SQL layer',
    )
    seed_study(tmp_path, (1, trace("q", "New option: rest_apis, sql_layer", own_label, [])))
    assert check(tmp_path, "JC105", "JC106") == []


# -- info rules --------------------------------------------------------------------------


def test_info_rules_are_off_unless_named(tmp_path):
    relation = "add_force_relations({two_stage: {latency: positive}})"
    seed_study(
        tmp_path,
        (
            1,
            trace(
                "q",
                "New option: two_stage",
                'two_stage = CClass(practice, "Two stages")\n' + relation,
                ["two_stage"],
            ),
        ),
    )
    assert only(check_paths([tmp_path], CheckConfig()), "JC107") == []
    assert only(check(tmp_path, "JC1"), "JC107") == []  # a prefix is not a name
    (never,) = only(check(tmp_path, "JC107"), "JC107")
    assert never.severity == "info"
    assert never.message == "latency is applied to no source: it is only related (once, in 1 file)"
    (single,) = only(check(tmp_path, "single-source-code"), "JC108")
    assert single.message.startswith("two_stage is defined here and used in no other source")
    config = CheckConfig(extend_select=("JC108",))
    assert {f.rule for f in check_paths([tmp_path], config)} >= {"JC101", "JC108"}


def test_single_source_code_not_reported_when_used_elsewhere(tmp_path):
    seed_study(
        tmp_path,
        (
            1,
            trace(
                "q",
                "New option: two_stage",
                'two_stage = CClass(practice, "Two stages")',
                ["two_stage"],
            ),
        ),
        (2, trace("q", "Familiar option: two_stage", attached=["two_stage"], target="s2")),
    )
    assert check(tmp_path, "JC108") == []


# -- relations and blocks ----------------------------------------------------------------


def test_a_relation_stated_again_with_another_label_or_strength(tmp_path):
    added = (
        'rest_apis = CClass(pattern, "REST APIs")\n'
        'sql_layer = CClass(pattern, "SQL layer")\n'
        'data_access_decision = CClass(decision, "How can users reach data products?")\n'
        'add_decision_option_link(data_access_decision, rest_apis, "Programmatic access")\n'
        'add_decision_option_link(data_access_decision, rest_apis, "Access through SQL queries")'
    )
    seed_study(
        tmp_path,
        (1, trace("q", "New options: rest_apis, sql_layer", added, ["rest_apis", "sql_layer"])),
        (
            2,
            trace(
                "q",
                "Familiar option: rest_apis",
                "add_force_relations({rest_apis: {latency: positive}})",
                ["rest_apis"],
                "s2",
            ),
        ),
        (
            3,
            trace(
                "q",
                "Familiar option: rest_apis",
                "add_force_relations({rest_apis: {latency: very_negative}})",
                ["rest_apis"],
                "s3",
            ),
        ),
        (
            4,
            trace(
                "q",
                "Familiar option: rest_apis",
                "add_force_relations({rest_apis: {latency: positive}})",
                ["rest_apis"],
                "s4",
            ),
        ),
    )
    findings = only(check(tmp_path, "JC206"), "JC206")
    assert [(Path(f.path).name, f.message.split(" is stated")[0]) for f in findings] == [
        ("s_1.md", "the decision option data_access_decision -> rest_apis"),
        ("s_3.md", "the force relation rest_apis -> latency"),
    ]
    assert findings[0].message.endswith(
        "with the label 'Access through SQL queries' here but 'Programmatic access' at line 49"
    )
    assert "'very_negative' here but 'positive' at " in findings[1].message


def test_the_same_code_or_relation_twice_in_one_block(tmp_path):
    added = (
        'stale = CClass(force, "Stale")\n'
        "up_to_date\n"
        "stale\n"
        "add_force_relations({up_to_date: {stale: negative}})\n"
        "add_force_relations({up_to_date: {stale: negative}})"
    )
    seed_study(tmp_path, (1, trace("q", "Forces: stale", added, ["up_to_date", "k8s", "k8s"])))
    findings = only(check(tmp_path, "JC207"), "JC207")
    assert [f.message for f in findings] == [
        "stale is defined at line 46 and named again in the same block",
        "the relation up_to_date -> stale is stated twice in this block (first at line 49)",
        "k8s is listed twice in this block (first at line 57)",
    ]
    # the same code in two blocks of one trace is not a repeat in a block
    seed_study(
        tmp_path, (1, trace("q", "Forces: stale", 'stale = CClass(force, "Stale")', ["stale"]))
    )
    assert check(tmp_path, "JC207") == []


# -- structure -----------------------------------------------------------------------------


def test_empty_and_placeholder_traces(tmp_path):
    body = (
        "**OPEN CODING TRACE:**\n\n> The first quote.\n\n"  # an empty marker before a quote
        "**OPEN CODING TRACE:**\n\nTODO\n\n> Second.\n\n"  # a placeholder memo
        "**OPEN CODING TRACE:**\n\n**AXIAL CODING TRACE:**\n\n> Third.\n\n"  # both empty
        + trace("Fourth.", "A memo about the fourth quote.")
        + "**AXIAL CODING TRACE:**\n\n> Fifth.\n"  # a memo whose axial trace is empty
    )
    seed_study(tmp_path, (1, body))
    findings = check(tmp_path, "JC203", "JC205")
    assert [(f.rule, f.line, f.message) for f in findings] == [
        (
            "JC205",
            36,
            "an empty open coding trace (the marker alone, before the quote at line 38; no "
            "axial coding trace)",
        ),
        (
            "JC205",
            40,
            "a placeholder open coding trace (its memo is only 'TODO', before the quote at line "
            "44; no axial coding trace)",
        ),
        (
            "JC205",
            46,
            "an empty open coding trace (the marker alone, and the axial coding trace at line 48 "
            "is empty too)",
        ),
        ("JC203", 54, "open coding trace whose axial coding trace (line 58) is empty"),
    ]


def test_a_second_coding_line(tmp_path):
    body = trace("q", "Familiar option: a_code", 'a_code = CClass(force, "A")', ["a_code"])
    seed_study(
        tmp_path,
        (1, body + "# coding\n\n" + trace("q2", "Familiar option: a_code", None, ["a_code"])),
    )
    (finding,) = only(check(tmp_path, "JC405"), "JC405")
    assert finding.message.startswith("a second '# coding' line (the body opens at line 34)")
    seed_study(tmp_path, (1, body))
    assert check(tmp_path, "JC405") == []


def test_every_syntax_error_in_a_block(tmp_path):
    broken = (
        'a_code = CClass(force, "A"\n'  # never closed: cut where the next definition starts
        'b_code = CClass(force, "B")\n'
        "add_force_relations({a_code: {b_code: positive})\n"
        'c_code = CClas(force, "C"}\n'
        "add_decision_option_link(d, a_code.\n"
        '    "label")'
    )
    seed_study(tmp_path, (1, trace("q", "New option: a_code", broken)))
    findings = only(check(tmp_path, "JC401"), "JC401")
    assert [f.line for f in findings] == [46, 48, 49, 51]
    assert findings[0].message == "python does not parse: '(' was never closed"


def test_broken_images(tmp_path):
    body = (
        "![Figure](https://example.org/figure.png\n\n"
        "![Unsplash](Enterprise Data Product Catalog: A Pattern)\n\n"
        "![Local](images/figure-2.png)\n\n> q\n"
    )
    seed_study(tmp_path, (1, body))
    findings = only(check(tmp_path, "JC406"), "JC406")
    assert [(f.line, f.message) for f in findings] == [
        (36, "the image link is not closed: ')' is missing"),
        (38, "the image link holds 'Enterprise Data Product Catalog: A Pattern', not an address"),
    ]
    assert findings[0].fix.lines == (
        (
            36,
            "![Figure](https://example.org/figure.png",
            "![Figure](https://example.org/figure.png)",
        ),
    )


# -- severity and configuration ------------------------------------------------------------


def test_every_new_rule_has_a_severity():
    assert {rule.severity for rule in RULES.values()} == {"error", "warning", "info"}
    assert {rule.id for rule in RULES.values() if rule.severity == "info"} == {"JC107", "JC108"}


def test_severity_from_the_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jupyter-coding]\nextend-select = ["JC107"]\n'
        '[tool.jupyter-coding.severity]\nJC1 = "error"\nundefined-code = "info"\n'
    )
    study = tmp_path / "study"
    seed_study(study, (1, trace("q", "Familiar option: bot_review", attached=["bot_review"])))
    config = CheckConfig.for_paths([study])
    assert config.severity_of("JC104") == "error"  # the prefix
    assert config.severity_of("JC101", "undefined-code") == "info"  # the name is more specific
    assert not config.enabled("JC101", "undefined-code")  # info now, and not named in select
    assert config.enabled("JC107", "never-applied")
    findings = check_paths([study])
    assert {f.rule for f in findings} <= {"JC107", "JC108"} | {
        rule for rule in RULES if rule[:3] != "JC1"
    }
    (tmp_path / "pyproject.toml").write_text('[tool.jupyter-coding.severity]\nJC101 = "fatal"\n')
    with pytest.raises(ConfigError, match="severity of JC101 is 'fatal'"):
        CheckConfig.for_paths([study])


def test_info_findings_do_not_fail_the_command(tmp_path, capsys):
    from jupyter_coding.cli import main

    seed_study(
        tmp_path,
        (1, trace("q", "New option: a_code", 'a_code = CClass(force, "A")', ["a_code"])),
    )
    assert main(["check", str(tmp_path)]) == 0
    assert main(["check", str(tmp_path), "--select", "JC108"]) == 0
    out = capsys.readouterr().out
    assert "JC108 a_code is defined here and used in no other source" in out


def test_check_notes_runs_the_metadata_rules_on_the_file_alone():
    text = source_text(
        1, trace("q", "Familiar option: a_code", 'a_code = CClass(force, "A")', ["a_code"])
    )
    text = text.replace(
        '"tiny url": "https://example.org/t/1"', '"tiny url": "hhttps://example.org/t/1"'
    )
    notes = parse(text, "s_1.md")
    (finding,) = check_notes(notes, CheckConfig(select=("JC301",)))
    assert "nothing else in the study tells which is right" not in finding.message
    assert finding.message.endswith("the CClass's is not a web address): fix the CClass")


def test_an_identifier_that_is_another_code_s_label(tmp_path):
    ci_cd_study(tmp_path, "Continuous delivery")
    (finding,) = only(check(tmp_path, "JC105"), "JC105")
    assert (Path(finding.path).name, finding.line) == ("s_2.md", 46)
    assert "have one's label for the other's identifier: one meaning under two names?" in (
        finding.message
    )
