"""CodeableModels: the exported module on the real corpus, and comparing a model with the notes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from jupyter_coding.corpus import Codebook
from jupyter_coding.fieldnotes import FieldNotesError, parse, read
from jupyter_coding.interop.codeable_models import (
    model_findings,
    read_model,
    render_model,
    source_entries,
)

from .conftest import SEED, corpus_files


@pytest.fixture(scope="module")
def corpus_notes():
    return [read(path) for path in corpus_files()]


@pytest.fixture(scope="module")
def corpus_model(corpus_notes) -> str:
    return render_model(source_entries(corpus_notes), codes_module="study.codes_model")


def assigned_names(tree: ast.Module) -> list[str]:
    return [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]


def test_corpus_model_is_valid_python_with_one_source_per_file(corpus_model):
    tree = ast.parse(corpus_model)
    compile(tree, "sources_and_codes_model.py", "exec")
    names = assigned_names(tree)
    sources = [f"s{n}" for n in range(1, 58)] + [f"p{n}" for n in range(1, 12)]
    # coding order: s1 … s57, then p1 … p11; each source followed by its code list
    assert names == [name for source in sources for name in (source, f"{source}_codes")]
    links = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
    ]
    assert len(links) == 68
    assert all(call.keywords[0].value.value == "contained_code" for call in links)
    assert "from study.codes_model import *" in corpus_model
    assert max(len(line) for line in corpus_model.split("\n") if "_codes = [" in line) <= 100


def test_source_values_come_from_the_header(corpus_model):
    tree = ast.parse(corpus_model)
    calls = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
    }
    values = ast.literal_eval(calls["s43"].keywords[0].value)
    assert values == {
        "title": "Treating data as a product at Adevinta",
        "url": "https://medium.com/adevinta-tech-blog/treating-data-as-a-product-at-adevinta-c1dce5d394c5",
        "archive url": "https://bit.ly/data-as-a-product-s43",
        "tiny url": "https://tinyurl.com/data-as-a-product-s43",
        "author type": "Practitioner",
        "type": "Practitioner Audience Article",
        "example": True,
        "source code": False,
    }
    # s_5.md has empty "source code" and "example" header values: kept as empty strings
    s5 = ast.literal_eval(calls["s5"].keywords[0].value)
    assert s5["example"] == "" and s5["source code"] == ""
    # p_2.md: the header says "Practitioner Audience Article", its CClass "Interview"
    assert ast.literal_eval(calls["p2"].keywords[0].value)["type"] == (
        "Practitioner Audience Article"
    )


def test_code_lists_hold_what_the_traces_apply(corpus_model):
    tree = ast.parse(corpus_model)
    lists = {
        node.targets[0].id: [element.id for element in node.value.elts]
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
    }
    # s_43.md attaches with ``add codes to s43`` blocks, in this order
    assert lists["s43_codes"] == [
        "single_subscription_separate_workspace_per_domain",
        "request_access",
        "unified_batch_stream",
        "raw_data_as_data_product",
        "data_marts",
        "sql_layer",
        "data_catalogue",
        "k8s",
        "infrastructure_as_code",
        "templated_data_pipeline",
        "data_marketplace",
        "cqrs",
        "query_catalogue",
    ]
    # the interviews attach by naming codes in ``added:`` blocks and by defining them
    assert lists["p1_codes"][:3] == [
        "raw_data_as_data_product",
        "sustainable_solution",
        "internal_storages",
    ]
    # s_1.md only defines codes
    assert lists["s1_codes"][:2] == ["raw_data_as_data_product", "derived_data_as_data_product"]
    # identifiers with spaces cannot be Python names: left out, with a comment
    assert "input ports" not in str(lists["p4_codes"])
    assert '# applied but not a Python name, left out: "input ports"' in corpus_model


def test_export_is_stable(corpus_notes, corpus_model):
    again = render_model(source_entries(list(reversed(corpus_notes))), "study.codes_model")
    assert again == corpus_model


def test_duplicate_source_is_refused(corpus_notes):
    seed = read(SEED)
    # the seed has no number in its file name to tell it from s_43.md: a model cannot hold both
    with pytest.raises(FieldNotesError, match=r"claims source s43, as does .*s_43\.md"):
        source_entries([*corpus_notes, seed])


def test_exported_model_agrees_with_the_notes(tmp_path, corpus_notes, corpus_model):
    model = tmp_path / "sources_and_codes_model.py"
    model.write_text(corpus_model, encoding="utf-8")
    assert model_findings(model, Codebook.from_notes(corpus_notes)) == []
    sources = read_model(model)
    assert len(sources) == 68 and sources["s43"].variable == "s43"


def test_model_with_deliberate_differences(tmp_path, corpus_notes, corpus_model):
    start = corpus_model.index("s43_codes = [")
    end = corpus_model.index("add_links({s43", start)
    s43_list = corpus_model[start:end]
    assert " data_marts," in s43_list
    edited_list = s43_list.replace("[single", "[bogus_code, single").replace(" data_marts,", "")
    edited = corpus_model[:start] + edited_list + corpus_model[end:]
    # drop s57 entirely and add a source the notes do not have
    edited = edited[: edited.index("s57 = CClass")] + edited[edited.index("p1 = CClass") :]
    edited += 's99 = CClass(source, "s99", values={})\n'
    edited += 'add_links({s99: [k8s]}, role_name="contained_code")\n'
    model = tmp_path / "model.py"
    model.write_text(edited, encoding="utf-8")
    findings = model_findings(model, Codebook.from_notes(corpus_notes))
    summary = [(f.rule, Path(f.path).name, f.message.split()[0]) for f in findings]
    assert ("JC901", "model.py", "bogus_code") in summary
    assert ("JC902", "s_43.md", "data_marts") in summary
    assert ("JC903", "s_57.md", "source") in summary
    assert ("JC904", "model.py", "source") in summary
    assert len(findings) == 4
    jc901 = next(f for f in findings if f.rule == "JC901")
    assert edited.split("\n")[jc901.line - 1].startswith("s43_codes = [bogus_code")
    jc902 = next(f for f in findings if f.rule == "JC902")
    assert (
        "data_marts"
        in read(corpus_files()[0].parent / "s_43.md").to_text().split("\n")[jc902.line - 1]
    )


def test_model_read_with_ast_only(tmp_path):
    """Lists built in several steps, aliases and other links are followed, nothing is run."""
    model = tmp_path / "model.py"
    model.write_text(
        "import os\n"
        "os.remove('/nonexistent')  # never executed\n"
        's1 = CClass(source, "s1", values={})\n'
        "base = [a, b]\n"
        "s1_codes = base + [c]\n"
        "s1_codes += [d]\n"
        "s1_codes.append(e)\n"
        "s1_codes.extend([models.f])\n"
        'add_links({s1: s1_codes}, role_name="contained_code")\n'
        'add_links({s1: [g]}, role_name="other_role")\n',
        encoding="utf-8",
    )
    sources = read_model(model)
    assert list(sources["s1"].codes) == ["a", "b", "c", "d", "e", "f"]


def test_model_with_syntax_error_is_a_one_line_error(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("s1 = CClass(source, \n", encoding="utf-8")
    with pytest.raises(FieldNotesError) as caught:
        model_findings(model, Codebook.from_notes([parse("# s \n1\n", "s_1.md")]))
    assert str(caught.value).startswith(f"{model}:1: not valid Python")
