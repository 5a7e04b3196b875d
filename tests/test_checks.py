"""Study-wide checks: each rule on a fixture that triggers it and one that does not,
then on the real corpus and the seed (FORMAT.md §8 lists what they hold)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.reading import coding_traces, compare_memo
from jupyter_coding.study.checks import (
    RULES,
    CheckConfig,
    ConfigError,
    check_notes,
    check_paths,
    find_pyproject,
    near_duplicates,
)
from jupyter_coding.study.similarity import edit_distance

from .conftest import CORPUS, EXAMPLES, SEED, corpus_files
from .study_fixtures import source_text, trace, write

DEFINITIONS = """\
two_stage_review = CClass(pattern, "Two-Stage Review")
review_latency = CClass(force, "Review latency")
add_force_relations({two_stage_review: {review_latency: positive}})"""


def clean_study(folder: Path) -> Path:
    """Two sources that define, relate and attach codes consistently."""
    write(
        folder,
        "s_1.md",
        source_text(
            1,
            trace(
                "Reviews take long.",
                "New option: two_stage_review",
                DEFINITIONS,
                ["two_stage_review"],
                "s1",
            ),
        ),
    )
    write(
        folder,
        "s_2.md",
        source_text(
            2,
            trace(
                "We triage first.",
                "Familiar option: two_stage_review",
                attached=["two_stage_review"],
                target="s2",
            ),
        ),
    )
    return folder


def add_source(folder: Path, number: int, memo: str, attached: list[str], added=None) -> Path:
    """One more source with one trace that attaches ``attached``."""
    body = trace("More.", memo, added, attached, f"s{number}")
    return write(folder, f"s_{number}.md", source_text(number, body))


def rules_of(findings) -> Counter:
    return Counter(finding.rule for finding in findings)


def only(findings, rule: str):
    return [finding for finding in findings if finding.rule == rule]


def check_study(folder: Path, **config):
    return check_paths([folder], CheckConfig(**config))


def test_every_rule_has_an_id_a_kebab_name_and_a_one_line_summary():
    assert len(RULES) == 27  # with JC501 coder-disagreement (tests/test_coders.py)
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id and rule_id.startswith("JC") and len(rule_id) == 5
        assert rule.name == rule.name.lower() and " " not in rule.name
        assert rule.summary and rule.summary.endswith(".")
    assert len({rule.name for rule in RULES.values()}) == len(RULES)


def test_clean_study_has_no_findings(tmp_path):
    assert check_study(clean_study(tmp_path)) == []


# -- codebook rules ------------------------------------------------------------


def test_undefined_code(tmp_path):
    clean_study(tmp_path)
    write(
        tmp_path,
        "s_3.md",
        source_text(
            3, trace("More.", "Familiar option: bot_review", attached=["bot_review"], target="s3")
        ),
    )
    findings = only(check_study(tmp_path), "JC101")
    assert [(Path(f.path).name, f.line, f.col) for f in findings] == [("s_3.md", 47, 9)]
    assert findings[0].message.startswith("bot_review is used but defined nowhere")
    assert findings[0].format().startswith(f"{tmp_path / 's_3.md'}:47:9: JC101 bot_review")


def test_undefined_code_suggests_the_closest_defined_one(tmp_path):
    clean_study(tmp_path)
    add_source(tmp_path, 3, "Familiar option: two_stage_reveiw", ["two_stage_reveiw"])
    (finding,) = only(check_study(tmp_path), "JC101")
    assert "(did you mean two_stage_review?)" in finding.message


def test_conflicting_and_duplicate_definitions(tmp_path):
    clean_study(tmp_path)
    write(
        tmp_path,
        "s_3.md",
        source_text(
            3,
            trace(
                "Again.",
                "New option: two_stage_review, review_latency",
                'two_stage_review = CClass(practice, "Two stages")\n'
                'review_latency = CClass(force, "Review latency")',
                ["two_stage_review"],
                "s3",
            ),
        ),
    )
    findings = check_study(tmp_path)
    (conflict,) = only(findings, "JC102")
    assert Path(conflict.path).name == "s_3.md"
    assert 'two_stage_review is defined as practice "Two stages" here' in conflict.message
    assert 'pattern "Two-Stage Review" at ' in conflict.message
    (duplicate,) = only(findings, "JC103")
    assert duplicate.message.startswith("review_latency is already defined at ")
    assert duplicate.message.endswith("s_1.md:47")


def test_the_first_definition_is_the_first_in_coding_order(tmp_path):
    # s_10 sorts before s_9 by name, but s9 is coded first
    write(tmp_path, "s_9.md", source_text(9, trace("q", None, 'a_code = CClass(force, "A")')))
    write(tmp_path, "s_10.md", source_text(10, trace("q", None, 'a_code = CClass(force, "B")')))
    (conflict,) = only(check_study(tmp_path), "JC102")
    assert Path(conflict.path).name == "s_10.md"


def test_near_duplicate_codes(tmp_path):
    clean_study(tmp_path)
    add_source(tmp_path, 3, "Familiar options: two_stage_reviews", ["two_stage_reviews"])
    (finding,) = only(check_study(tmp_path), "JC104")
    assert Path(finding.path).name == "s_3.md"
    assert finding.message.startswith(
        "two_stage_reviews looks like two_stage_review (singular/plural); two_stage_review is "
        "defined at "
    )
    assert finding.message.endswith("and applied twice")


def test_near_duplicates_pairs():
    pairs = near_duplicates(
        [
            "standardised_transformation",
            "standardized_transformation",
            "query_catalog",
            "query_catalogue",
            "ci_cd_proces",
            "ci_cd_process",
            "stale",
            "table",
            "cache",
            "catch",
            "input_port",
            "output_port",
            "meta_store",
            "metastore",
        ]
    )
    assert [(a, b) for a, b, _ in pairs] == [
        ("ci_cd_proces", "ci_cd_process"),
        ("meta_store", "metastore"),
        ("query_catalog", "query_catalogue"),
        ("standardised_transformation", "standardized_transformation"),
    ]
    assert dict(((a, b), why) for a, b, why in pairs)["query_catalog", "query_catalogue"] == (
        "British/American spelling"
    )


def test_banded_edit_distance_agrees_with_the_full_table():
    def full(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, char in enumerate(a, 1):
            current = [i]
            for j, other in enumerate(b, 1):
                current.append(
                    min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
                )
            previous = current
        return previous[-1]

    words = ["", "a", "ab", "ba", "abc", "stale", "table", "kitten", "sitting", "re_use", "reuse"]
    for a in words:
        for b in words:
            assert edit_distance(a, b) == full(a, b)
            for limit in range(4):
                assert edit_distance(a, b, limit) == min(full(a, b), limit + 1)


# -- memo and trace rules --------------------------------------------------------


def one_file(tmp_path: Path, body: str, **header) -> list:
    write(tmp_path, "s_1.md", source_text(1, body, **header))
    return check_study(tmp_path)


def test_memo_names_codes_the_axial_trace_does_not_use(tmp_path):
    body = trace(
        "Infrastructure.",
        "Familiar option: sql_layer, data_catalogue",
        DEFINITIONS,
        ["two_stage_review"],
    )
    (finding,) = only(one_file(tmp_path, body), "JC201")
    assert (finding.line, finding.col) == (40, 18)
    assert finding.message.startswith(
        "the memo names sql_layer, data_catalogue but the axial trace (line 42) does not apply them"
    )


def test_memo_items_match_codes_case_insensitively_and_by_label(tmp_path):
    body = trace(
        "Infrastructure.",
        "New code identified: CQRS\nForces: Review latency, review_latency",
        'cqrs = CClass(pattern, "CQRS")\n' + DEFINITIONS,
        ["cqrs", "two_stage_review"],
    )
    assert only(one_file(tmp_path, body), "JC201") == []


def test_axial_trace_attaches_codes_the_memo_does_not_name(tmp_path):
    body = trace(
        "Infrastructure.",
        "Familiar option: two_stage_review",
        DEFINITIONS,
        ["two_stage_review", "review_latency"],
    )
    (finding,) = only(one_file(tmp_path, body), "JC202")
    assert finding.message == "attaches review_latency, which the memo (line 38) does not name"


@pytest.mark.parametrize(
    "memo",
    [
        "Forces: review_latency",  # a list of forces says nothing about what is attached
        "This is about reviews.",  # prose
        "Recognised options: two stage review and review latency",  # items in words
        "Familiar options: two_stage_review,\n    review_latency",  # continued on a line
    ],
)
def test_memos_that_do_not_contradict_the_attached_codes(tmp_path, memo):
    body = trace("Quote.", memo, DEFINITIONS, ["two_stage_review", "review_latency"])
    assert only(one_file(tmp_path, body), "JC202") == []
    assert only(one_file(tmp_path, body), "JC201") == []


def test_compare_memo_directly():
    notes = parse(
        source_text(
            1,
            trace("Q.", "Familiar options: a_code and b_code\nc_code", None, ["a_code", "d_code"]),
        )
    )
    (trace_,) = coding_traces(notes)
    comparison = compare_memo(trace_)
    # "c_code" on the line after the list is a code too
    unknown = [(item.text, item.line) for item in comparison.unknown]
    assert unknown == [("b_code", 40), ("c_code", 41)]
    assert [(a.identifier, a.line) for a in comparison.unnamed] == [("d_code", 49)]


def test_open_trace_without_axial_trace(tmp_path):
    body = trace("Quote.", "Familiar option: two_stage_review") + trace(
        "Q2.", "New option: two_stage_review", DEFINITIONS, ["two_stage_review"]
    )
    (finding,) = only(one_file(tmp_path, body), "JC203")
    assert (finding.line, finding.col) == (38, 1)
    assert "the codes it names are attached to nothing" in finding.message


def test_add_codes_to_another_source(tmp_path):
    body = trace("Quote.", "New option: two_stage_review", DEFINITIONS, ["two_stage_review"], "s57")
    (finding,) = only(one_file(tmp_path, body), "JC204")
    assert finding.message == "'add codes to s57:' names s57; this file is source s1"
    assert only(one_file(tmp_path, body.replace("to s57", "to s1")), "JC204") == []


# -- metadata rules ---------------------------------------------------------------


def test_header_disagrees_with_the_source_cclass(tmp_path):
    findings = one_file(tmp_path, "", cclass_author="Practitioner Audience Article")
    (mismatch,) = only(findings, "JC301")
    assert (mismatch.line, mismatch.col) == (28, 5)
    assert mismatch.message == (
        '"author type" is \'Practitioner Audience Article\' but header "author type" '
        "(line 17) is 'Practitioner'; the header is right (the CClass's is not one of the "
        "study's author types): fix the CClass"
    )
    (vocabulary,) = only(findings, "JC302")
    assert vocabulary.line == 28 and "not one of the study's author types" in vocabulary.message


def test_header_vocabulary_is_configurable(tmp_path):
    body = ""
    write(tmp_path, "s_1.md", source_text(1, body, source_type="Blog Post"))
    findings = only(check_study(tmp_path), "JC302")
    assert [(f.line, f.message.split(",")[0]) for f in findings] == [
        (16, "header \"source type\" is 'Blog Post'"),
        (29, "\"type\" is 'Blog Post'"),
    ]
    assert only(check_study(tmp_path, source_types=("Blog Post",)), "JC302") == []


def test_duplicate_source_ids_and_mismatched_names(tmp_path):
    clean_study(tmp_path)
    write(tmp_path, "s_3.md", source_text(2))
    findings = check_study(tmp_path)
    (duplicate,) = only(findings, "JC303")
    assert duplicate.message == (
        f"claims source s2, as does {tmp_path / 's_2.md'}; read as source s3 (its file name)"
    )
    assert Path(duplicate.path).name == "s_3.md" and duplicate.severity == "error"
    (mismatch,) = only(findings, "JC304")
    assert Path(mismatch.path).name == "s_3.md"
    assert mismatch.message == "the file name says s3 but the header says s2"


def test_cclass_name_disagrees_with_the_header(tmp_path):
    (finding,) = only(one_file(tmp_path, "", name="s7"), "JC304")
    assert finding.line == 23
    assert finding.message == "the source's CClass is named s7 but the header says s1"


# -- python ----------------------------------------------------------------------


def test_python_that_does_not_parse(tmp_path):
    broken = (
        'two_stage_review = CClass(pattern, "Two-Stage Review")\n'
        "add_force_relations({two_stage_review: {review_latency: positive})"
    )
    body = trace("Quote.", "New option: two_stage_review", broken, ["two_stage_review"])
    (finding,) = only(one_file(tmp_path, body), "JC401")
    assert (finding.line, finding.severity) == (47, "error")
    assert finding.message.startswith("python does not parse: closing parenthesis ')' does not")


def test_indentation_errors_do_not_hide_the_next_error(tmp_path):
    broken = (
        'a_code = CClass(force, "A")\n'
        '  b_code = CClass(force, "B")\n'
        "add_force_relations{(a_code: {b_code: positive})}"
    )
    body = trace("Quote.", "New option: a_code", broken)
    findings = only(one_file(tmp_path, body), "JC401")
    assert [(f.line, f.message) for f in findings] == [
        (
            47,
            "python does not parse: unexpected indent (6 spaces; the block's first statement "
            "has 4 spaces)",
        ),
        (48, "python does not parse: invalid syntax"),
    ]


def test_valid_python_in_any_layout_is_not_a_finding(tmp_path):
    black_style = """\
add_force_relations(
    {
        two_stage_review: {review_latency: positive},
    }
)
add_decision_option_link(
    review_decision, two_stage_review, "Triage first"
)"""
    body = trace("Quote.", "New option: two_stage_review", black_style, ["two_stage_review"])
    assert only(one_file(tmp_path, body), "JC401") == []


def test_trouble_inside_a_code_list_string(tmp_path):
    body = (
        "> Quote.\n\n**OPEN CODING TRACE:**\n\nFamiliar option: a_code\n\n"
        "**AXIAL CODING TRACE:**\n\nadd codes to s1: \n``` python \n    '''\n        a_code\n"
        "        add_force_relations{(a_code: {b_code: positive})}\n    '''\n```\n"
    )
    findings = only(one_file(tmp_path, body), "JC401")
    assert [f.line for f in findings] == [48]
    assert findings[0].message.startswith("expected add_force_relations(")


# -- configuration -----------------------------------------------------------------


def test_select_and_ignore_by_id_prefix_and_name():
    config = CheckConfig(select=("JC1", "open-without-axial"), ignore=("JC104",))
    assert config.enabled("JC101") and config.enabled("JC203", "open-without-axial")
    assert not config.enabled("JC104") and not config.enabled("JC201", "memo-not-in-axial")
    assert CheckConfig().enabled("JC901", "code-in-model-not-in-notes")
    with pytest.raises(ConfigError, match="unknown rule 'no-such-rule'"):
        CheckConfig(ignore=("no-such-rule",))


def test_config_from_the_nearest_pyproject(tmp_path):
    study = clean_study(tmp_path / "study" / "notes")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.other]\nx = 1\n\n"
        '[tool.jupyter-coding]\nignore = ["JC2"]\nauthor-types = ["Scholar"]\n'
    )
    assert find_pyproject([study]) == tmp_path / "pyproject.toml"
    config = CheckConfig.for_paths([study / "s_1.md", study / "s_2.md"])
    assert config.ignore == ("JC2",) and config.author_types == ("Scholar",)
    assert config.origin == str(tmp_path / "pyproject.toml")
    assert not config.enabled("JC201")
    findings = check_paths([study])
    assert rules_of(findings) == {"JC302": 4}  # Practitioner is no Scholar, in header and CClass


def test_bad_configuration(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.jupyter-coding]\nselect = "JC1"\n')
    with pytest.raises(ConfigError, match="select must be a list of strings"):
        CheckConfig.for_paths([tmp_path])
    (tmp_path / "pyproject.toml").write_text("[tool.jupyter-coding\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        CheckConfig.for_paths([tmp_path])


# -- the command line ------------------------------------------------------------------


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_exit_codes(capsys, tmp_path):
    clean_study(tmp_path / "clean")
    assert run(capsys, "check", str(tmp_path / "clean"))[:2] == (0, "")
    code, out, err = run(capsys, "check", str(EXAMPLES))
    assert code == 1
    assert out.splitlines() == [
        f"{EXAMPLES / 's_3.md'}:112:9: JC101 reviewer_rotaton is used but defined nowhere in "
        "the study (did you mean reviewer_rotation?)",
        f"{EXAMPLES / 's_3.md'}:112:9: JC104 reviewer_rotaton looks like reviewer_rotation (one "
        f"letter apart); reviewer_rotation is defined at {EXAMPLES / 's_1.md'}:57 and applied 3 "
        "times",
    ]
    assert err == "2 findings in 1 file (1 with a fix: see --fix)\n"
    code, _, err = run(capsys, "check", str(EXAMPLES), "--select", "JC1,nope")
    assert code == 2 and err.startswith("jupyter-coding check: unknown rule 'nope'")
    code, _, err = run(capsys, "check")
    assert code == 2 and "give the field-notes files" in err


def test_cli_select_ignore_json_and_statistics(capsys):
    code, out, _ = run(capsys, "check", str(EXAMPLES), "--select", "JC104", "--format", "json")
    assert code == 1
    (item,) = json.loads(out)
    assert item["rule"] == "JC104" and item["name"] == "near-duplicate" and item["line"] == 112
    assert (
        run(capsys, "check", str(EXAMPLES), "--ignore", "JC101", "--ignore", "near-duplicate")[0]
        == 0
    )
    code, out, _ = run(capsys, "check", str(CORPUS), "--statistics", "--select", "JC2")
    assert out.splitlines() == [
        "    21  JC201  memo-not-in-axial",
        "    38  JC202  attached-not-in-memo",
        "     8  JC203  open-without-axial",
        "    10  JC204  wrong-add-codes-target",
        "     1  JC205  empty-trace",
        "     3  JC206  conflicting-relation",
        "     1  JC207  repeated-in-block",
    ]


def test_cli_lists_the_rules(capsys):
    code, out, _ = run(capsys, "check", "--rules")
    assert code == 0
    assert out.splitlines()[0].startswith("JC101  undefined-code")
    assert len(out.splitlines()) == len(RULES)


def test_cli_model_comparison(capsys, tmp_path):
    from jupyter_coding.fieldnotes import read
    from jupyter_coding.interop.codeable_models import render_model, source_entries

    notes = [read(path) for path in sorted(EXAMPLES.glob("*.md")) if path.name != "README.md"]
    model = render_model(source_entries(notes), codes_module="codes")
    path = tmp_path / "model.py"
    path.write_text(model.replace("reviewer_rotaton", "reviewer_rotation"))
    code, out, _ = run(capsys, "check", str(EXAMPLES), "--model", str(path), "--select", "JC9")
    assert code == 1
    rules = {line.split()[1] for line in out.splitlines()}
    assert rules <= {"JC901", "JC902"} and rules
    code, _, err = run(capsys, "check", str(EXAMPLES), "--model", str(tmp_path / "none.py"))
    assert code == 1 and err.count("\n") == 1 and "none.py" in err


# -- the real corpus and the seed ----------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_findings():
    return check_paths([CORPUS], CheckConfig())


def test_corpus_rule_counts(corpus_findings):
    # FORMAT.md §8; the differences are explained in README's rule table and the notes
    assert rules_of(corpus_findings) == {
        "JC101": 98,  # 45 identifiers, reported in each file that uses them
        "JC102": 2,
        "JC103": 9,
        # the 13 real pairs of §8.3, 3 written with spaces, change_data_capture in another order
        "JC104": 17,
        "JC201": 21,  # 15 in code lists, 6 in the interviews' memos of labels (§12)
        "JC202": 38,  # 30 in code lists, 7 label memos, 1 option list without add codes
        "JC203": 8,
        "JC204": 10,
        "JC205": 1,  # s_15.md:36, the empty marker before the first quote
        "JC206": 3,
        "JC207": 1,
        "JC301": 18,
        "JC302": 3,
        "JC305": 1,  # p_2.md's title is p_1.md's
        "JC401": 34,  # every broken statement, not only each block's first
        "JC402": 1,  # s_9.md:150, the fence the file ends in
        "JC406": 2,
    }


def test_corpus_undefined_codes(corpus_findings):
    findings = only(corpus_findings, "JC101")
    identifiers = {f.message.split()[0] for f in findings}
    assert len(identifiers) == 45
    assert {
        "central_data_prduct_catalogue",
        "ci_cd_proces",
        "trustworthy_decision",
        "single_subscription_separate_workspace_per_domain",
        "control_port",
        "input_port",
        "output_port",
        "observation_port",
    } <= identifiers
    places = {(Path(f.path).name, f.line) for f in findings}
    assert {("s_15.md", 161), ("s_19.md", 153), ("s_25.md", 66), ("s_43.md", 72)} <= places
    ci_cd = [f for f in findings if f.message.startswith("ci_cd_proces ")]
    assert len(ci_cd) == 6 and "(did you mean ci_cd_process?)" in ci_cd[0].message


def test_corpus_definitions(corpus_findings):
    conflicts = [
        (Path(f.path).name, f.line, f.message.split()[0]) for f in only(corpus_findings, "JC102")
    ]
    assert conflicts == [("s_31.md", 62, "quality"), ("s_7.md", 215, "accuracy")]
    assert len(only(corpus_findings, "JC103")) == 9


def test_corpus_near_duplicates(corpus_findings):
    pairs = {
        frozenset(re.match(r"(.+?) looks like (.+?) \(", f.message).groups())
        for f in only(corpus_findings, "JC104")
    }
    expected = [
        ("central_data_prduct_catalogue", "central_data_product_catalogue"),
        ("ci_cd_proces", "ci_cd_process"),
        ("communicaton_decision", "communication_decision"),
        ("discoverable_data_product_decision", "discoverable_data_products_decision"),
        ("hybrid_product", "hybrid_products"),
        ("immutable_change_audit_log", "immutable_change_audit_logs"),
        ("internal_storage", "internal_storages"),
        ("meta_store", "metastore"),
        ("query_catalog", "query_catalogue"),
        ("re_use", "reuse"),
        ("run_test", "run_tests"),
        ("standardised_transformation", "standardized_transformation"),
        ("trustworty_decision", "trustworthy_decision"),
    ]
    assert {frozenset(pair) for pair in expected} <= pairs
    assert frozenset(("stale", "table")) not in pairs
    assert pairs - {frozenset(pair) for pair in expected} == {
        frozenset(("input ports", "input_port")),
        frozenset(("output ports", "output_port")),
        frozenset(("event streaming backbone", "event_streaming_backbone")),
        # defined once as capture_data_change, used 22 times the other way round
        frozenset(("capture_data_change", "change_data_capture")),
    }


def test_corpus_traces(corpus_findings):
    open_only = [(Path(f.path).name, f.line) for f in only(corpus_findings, "JC203")]
    assert {
        ("s_1.md", 50),
        ("s_14.md", 164),
        ("s_1.md", 280),
        ("s_42.md", 62),
    } <= set(open_only)
    # the empty marker before the first quote is a placeholder, not a trace missing its half
    (empty,) = only(corpus_findings, "JC205")
    assert (Path(empty.path).name, empty.line) == ("s_15.md", 36)
    assert empty.message == (
        "an empty open coding trace (the marker alone, before the quote at line 38; no axial "
        "coding trace)"
    )
    targets = [(Path(f.path).name, f.line) for f in only(corpus_findings, "JC204")]
    assert targets == sorted(
        [("s_16.md", 137), ("s_7.md", 168)]
        + [("s_56.md", line) for line in (81, 111, 120, 151, 165, 183, 190, 216)]
    )
    # s_43.md:63: the memo leaves out unified_batch_stream; s_33.md:60 triggering is replaced
    attached = {(Path(f.path).name, f.message) for f in only(corpus_findings, "JC202")}
    assert (
        "s_43.md",
        "attaches unified_batch_stream, which the memo (line 63) does not name",
    ) in attached
    memo = {(Path(f.path).name, f.message.split(" but")[0]) for f in only(corpus_findings, "JC201")}
    assert ("s_33.md", "the memo names triggering") in memo


def test_corpus_metadata(corpus_findings):
    findings = only(corpus_findings, "JC301")
    assert len({f.path for f in findings}) == 15
    fields = Counter(f.message.split('"')[1] for f in findings)
    assert fields == {
        "title": 5,
        "url": 3,
        "tiny url": 1,
        "archive url": 1,  # s_13.md: the CClass has no "archive url"
        "source code": 3,
        "example": 2,
        "type": 2,
        "author type": 1,
    }
    vocabulary = [(Path(f.path).name, f.line) for f in only(corpus_findings, "JC302")]
    assert vocabulary == [("s_4.md", 28), ("s_5.md", 12), ("s_5.md", 14)]


def test_corpus_python(corpus_findings):
    places = {(Path(f.path).name, f.line) for f in only(corpus_findings, "JC401")}
    assert {
        ("s_1.md", 174),
        ("s_20.md", 196),
        ("s_5.md", 25),
        ("s_32.md", 439),
        ("p_4.md", 447),
    } <= places


def test_the_seed_in_its_study():
    """The seed replaces s_43.md: FORMAT.md §9 lists what a checker should report."""
    study = [path for path in corpus_files() if path.name != "s_43.md"] + [SEED]
    findings = [f for f in check_paths(study, CheckConfig()) if f.path == str(SEED)]
    expected = [
        # "tiny url" dropped, "type" and "author type" swapped
        (23, "JC301", 'the source\'s CClass has no "tiny url"'),
        (27, "JC301", "\"author type\" is 'Practitioner Audience Article' but header"),
        (27, "JC302", "\"author type\" is 'Practitioner Audience Article', not one of"),
        (28, "JC301", '"type" is \'Practitioner\' but header "source type" (line 15)'),
        (28, "JC302", "\"type\" is 'Practitioner', not one of the study's source types"),
        # three attached identifiers defined nowhere, one a near-duplicate
        (63, "JC101", "single_subscription_separate_workspace_per_domain is used but"),
        (122, "JC101", "low_level_events_and_aggregation_layer is used but defined nowhere"),
        (122, "JC104", "low_level_events_and_aggregation_layer looks like low_level_events_and_"),
        (155, "JC101", "data_visualisation_tool is used but defined nowhere in the study"),
        # the Infrastructure trace (open at 185): memo sql_layer, data_catalogue; attaches k8s
        (187, "JC201", "the memo names sql_layer, data_catalogue but the axial trace"),
        (194, "JC202", "attaches k8s, which the memo (line 185) does not name"),
        # the trace at 234: a memo item found nowhere; data_marketplace attached unnamed
        (236, "JC201", "the memo names indirect_data_publishing_and_consumption but"),
        (244, "JC202", "attaches data_marketplace, which the memo (line 234) does not name"),
    ]
    assert [(f.line, f.rule) for f in findings] == [(line, rule) for line, rule, _ in expected]
    for finding, (_, _, start) in zip(findings, expected, strict=True):
        assert finding.message.startswith(start), finding.message
    assert "it applies k8s" in findings[9].message


def test_the_seed_beside_s43_is_a_duplicate_source():
    findings = check_paths([CORPUS / "s_43.md", SEED], CheckConfig(select=("JC303",)))
    assert [(f.path, f.message) for f in findings] == [
        (
            str(SEED),
            f"claims source s43, as does {CORPUS / 's_43.md'}; read as source s43~2 "
            "(neither file name nor CClass tells another id)",
        )
    ]


def test_check_notes_on_one_parsed_file():
    notes = parse(SEED.read_bytes().decode("utf-8"), str(SEED))
    findings = check_notes(notes, CheckConfig(select=("JC201",)))
    assert [f.line for f in findings] == [187, 236]
    template = parse((CORPUS / "s_.md").read_bytes().decode("utf-8"), "s_.md")
    assert check_notes(template) == []


def test_the_readme_gives_the_corpus_counts(corpus_findings):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    paragraph = " ".join(
        readme.split("On the corpus (`jupyter-coding check ../shared/corpus")[1]
        .split("\n\n")[0]
        .split()
    )
    for rule_id, number in rules_of(corpus_findings).items():
        assert f"{rule_id} {number}" in paragraph, rule_id
