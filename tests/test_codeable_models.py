"""CodeableModels: the exported module in the study's own pipeline, and a model against the notes.

The study's pipeline is the real one (``../shared/codeablemodels/``: CodeableModels,
the study's metamodel, codes model and generators, the tables it committed), run in
a subprocess by :mod:`tests.study_pipeline`.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

from jupyter_coding.cli import main
from jupyter_coding.fieldnotes import FieldNotesError, parse, read
from jupyter_coding.interop.codeable_models import code_definitions, render_model, source_entries
from jupyter_coding.study.checks import CheckConfig, ConfigError, check_paths
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.model_check import (
    decisions_with_options,
    model_findings,
    module_names,
    read_model,
)
from jupyter_coding.study.tables import paper_codes, shade
from jupyter_coding.study.vocabulary import find_metamodel, read_metamodel

from .conftest import CORPUS, ROOT, SEED, corpus_files
from .study_fixtures import source_text, trace, write
from .study_pipeline import (
    CODES_FILE,
    CODES_MODULE,
    METAMODEL,
    PIPELINE,
    RESEARCHERS_MODEL,
    classes,
    code_rows,
    committed,
    labels_to_identifiers,
    overview,
    run_tables,
    source_rows,
)

LABELS = ROOT / "examples" / "labels_study"


@pytest.fixture(scope="module")
def corpus_notes():
    return [read(path) for path in corpus_files()]


@pytest.fixture(scope="module")
def vocabulary():
    return read_metamodel(METAMODEL).vocabulary()


@pytest.fixture(scope="module")
def corpus_model(corpus_notes, vocabulary) -> str:
    """The export without a codes module: every code defined from the notes."""
    codes = paper_codes(Codebook.from_notes(corpus_notes))
    return render_model(
        source_entries(corpus_notes, vocabulary),
        definitions=code_definitions(codes, vocabulary=vocabulary),
        vocabulary=vocabulary,
    )


def assigned_names(tree: ast.Module) -> list[str]:
    return [
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    ]


def definitions_of(tree: ast.Module) -> dict[str, tuple[str, str]]:
    """identifier -> (metaclass, label) of the module's code definitions."""
    return {
        node.targets[0].id: (node.value.args[0].id, node.value.args[1].value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and node.value.func.id == "CClass"
        and node.value.args[0].id != "source"
    }


def source_values(text: str) -> dict[str, dict]:
    tree = ast.parse(text)
    return {
        node.targets[0].id: ast.literal_eval(node.value.keywords[0].value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and node.value.args[0].id == "source"
    }


# -- the module ----------------------------------------------------------------------


def test_corpus_model_is_valid_python_with_one_source_per_file(corpus_model):
    tree = ast.parse(corpus_model)
    compile(tree, "sources_and_codes_model.py", "exec")
    names = [n for n in assigned_names(tree) if re.fullmatch(r"[sp]\d+(_codes)?", n)]
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
    assert max(len(line) for line in corpus_model.split("\n") if "_codes = [" in line) <= 100
    # the superclass setup of the study's own module, before any link is made
    assert corpus_model.index("metaclass.superclasses = metaclass.superclasses + [code]") < (
        corpus_model.index("add_links(")
    )


def test_source_values_are_typed_by_the_metamodel(corpus_model, corpus_notes):
    values = source_values(corpus_model)
    assert values["s43"] == {
        "title": "Treating data as a product at Adevinta",
        "url": "https://medium.com/adevinta-tech-blog/treating-data-as-a-product-at-adevinta-c1dce5d394c5",
        "archive url": "https://bit.ly/data-as-a-product-s43",
        "tiny url": "https://tinyurl.com/data-as-a-product-s43",
        "author type": "Practitioner",
        "type": "Practitioner Audience Article",
        "example": True,
        "source code": False,
    }
    # s_5.md's yes/no values are empty: CodeableModels takes neither "" nor None, so
    # they are left out (the generators print "No"), with the reason
    assert "example" not in values["s5"] and "source code" not in values["s5"]
    assert '    # "example": "" left out: empty: the metamodel wants True or False' in corpus_model
    # p_1.md's header says Interview, which the metamodel's Source Type does not have
    assert "type" not in values["p1"] and values["p2"]["type"] == "Practitioner Audience Article"
    assert (
        '    # "type": "Interview" left out: not in the Source Type enumeration of GT_coding.py\n'
        in corpus_model
    )
    # without a metamodel nothing says Interview is refused: it is written as the notes say
    plain = render_model(source_entries(corpus_notes))
    assert source_values(plain)["p1"]["type"] == "Interview"


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
    assert lists["s1_codes"][:2] == ["raw_data_as_data_product", "derived_data_as_data_product"]
    # identifiers with spaces cannot be Python names: left out, with a comment
    assert "input ports" not in str(lists["p4_codes"])
    assert '# applied but not a Python name, left out: "input ports"' in corpus_model


def test_every_applied_code_is_defined_with_the_notes_metaclass_and_label(
    corpus_model, corpus_notes
):
    codebook = Codebook.from_notes(corpus_notes)
    applied = {
        code.identifier
        for code in codebook.codes.values()
        if code.use_count and code.identifier.isidentifier()
    }
    defined = definitions_of(ast.parse(corpus_model))
    assert set(defined) == applied and len(defined) == 224
    # the first definition in coding order: s_6.md says "Data Quality", s_31.md "Quality"
    assert defined["quality"] == ("force", "Data Quality")
    assert defined["ci_cd_process"] == ("practice", " CI/CD process")  # kept as written
    # used but defined nowhere (JC101): a plain code of the metamodel, named as used
    assert defined["single_subscription_separate_workspace_per_domain"] == (
        "code",
        "single_subscription_separate_workspace_per_domain",
    )
    metaclasses = Counter(metaclass for metaclass, _ in defined.values())
    assert metaclasses == {"force": 87, "pattern": 44, "practice": 40, "decision": 11, "code": 42}
    assert 'quality = CClass(force, "Data Quality")  # s_6.md:164' in corpus_model


def test_export_is_stable(corpus_notes, corpus_model, vocabulary):
    notes = list(reversed(corpus_notes))
    again = render_model(
        source_entries(notes, vocabulary),
        definitions=code_definitions(paper_codes(Codebook.from_notes(notes)), (), vocabulary),
        vocabulary=vocabulary,
    )
    assert again == corpus_model


def test_duplicate_source_is_refused(corpus_notes):
    seed = read(SEED)
    # the seed has no number in its file name to tell it from s_43.md: a model cannot hold both
    with pytest.raises(FieldNotesError, match=r"claims source s43, as does .*s_43\.md"):
        source_entries([*corpus_notes, seed])


def test_codes_module_is_read_not_run(corpus_notes):
    path, names = module_names(CODES_MODULE, [PIPELINE])
    assert path == CODES_FILE
    # its own codes, and what it imports (force, decision, ...) come with ``import *``
    assert {"raw_data_as_data_product", "orchestration_decision", "force"} <= names
    applied = {code.identifier for code in paper_codes(Codebook.from_notes(corpus_notes))}
    assert len(applied - names) == 88  # the NameErrors of the old export
    assert decisions_with_options(path) == [
        "orchestration_decision",
        "data_product_type_decision",
        "data_product_layer_decision",
        "interface_decision",
        "data_product_self_serve_management_decision",
        "deploy_decision",
    ]
    with pytest.raises(FieldNotesError, match=r"cannot find the codes module no\.such"):
        module_names("no.such", [PIPELINE])


def test_codes_module_star_imports_and_all(tmp_path):
    write(tmp_path / "pkg", "base.py", "a = 1\n_hidden = 2\nfrom os import path as p\n")
    write(tmp_path / "pkg", "codes.py", "from pkg.base import *\nb = 3\nfor c in []: pass\n")
    write(tmp_path / "pkg", "listed.py", "__all__ = ['x']\nx = y = 1\n")
    assert module_names("pkg.codes", [tmp_path])[1] == {"a", "p", "b", "c"}
    assert module_names("pkg.listed", [tmp_path / "pkg"])[1] == {"x"}  # found from above


# -- the study's pipeline on the export ----------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    """``export codeable-models CORPUS`` with the study's metamodel, no codes module."""
    out = tmp_path_factory.mktemp("export") / "sources_and_codes_model.py"
    args = ["export", "codeable-models", str(CORPUS), "-o", str(out), "--metamodel"]
    assert main([*args, str(METAMODEL)]) == 0
    return out


@pytest.fixture(scope="module")
def exported_with_codes(tmp_path_factory) -> Path:
    """The export with the study's codes module, run from the study repository's root."""
    out = tmp_path_factory.mktemp("export") / "sources_and_codes_model.py"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(PIPELINE)
        args = ["export", "codeable-models", str(CORPUS), "-o", str(out)]
        assert main([*args, "--codes-module", CODES_MODULE]) == 0
    return out


@pytest.fixture(scope="module")
def generated_with_codes(exported_with_codes, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tables")
    done = run_tables(exported_with_codes, out, cwd=tmp_path_factory.mktemp("cwd"))
    assert done.returncode == 0, done.stderr
    return out / "latex_files"


def test_the_study_pipeline_runs_on_the_export(exported, tmp_path):
    done = run_tables(exported, tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in tmp_path.rglob("*.*"))
    assert written == [
        "latex_files/force_table.tex",
        "latex_files/overview_table.tex",
        "latex_files/sources_table.tex",
        "textual_model_rendering/data_as_a_product_design.md",
    ]
    forces = code_rows((tmp_path / "out" / "latex_files" / "force_table.tex").read_text())
    assert len(forces) == 87 and forces[0]["name"] == "Security"


def test_the_study_pipeline_runs_with_the_study_codes(exported_with_codes, generated_with_codes):
    text = exported_with_codes.read_text(encoding="utf-8")
    assert text.startswith('"""Sources of the study') and f"from {CODES_MODULE} import *" in text
    tree = ast.parse(text)
    assert len(definitions_of(tree)) == 88  # only the codes the study's codes module lacks
    assert "data_marts" not in definitions_of(tree)  # defined there
    # five of the study's six decisions have options but no field notes apply them: the
    # overview table would divide by their evidence count, so they are left out
    deleted = [line for line in text.split("\n") if line.endswith(".delete()")]
    assert deleted == [
        "orchestration_decision.delete()",
        "data_product_layer_decision.delete()",
        "interface_decision.delete()",
        "data_product_self_serve_management_decision.delete()",
        "deploy_decision.delete()",
    ]
    assert len(code_rows((generated_with_codes / "force_table.tex").read_text())) == 46 + 46


def test_what_broke_the_old_export_in_the_pipeline(tmp_path, corpus_notes):
    """Each failure of the issue, reproduced with what the export no longer does."""
    entries = source_entries(corpus_notes)  # no metamodel: "Interview" is written
    cases = {
        "NameError": render_model(entries),  # codes neither defined nor imported
        "not element of enumeration": render_model(
            entries, definitions=code_definitions(paper_codes(Codebook.from_notes(corpus_notes)))
        ),
    }
    for expected, text in cases.items():
        model = tmp_path / f"{expected[:3]}.py"
        model.write_text(text, encoding="utf-8")
        done = run_tables(model, tmp_path / "out", cwd=tmp_path)
        assert done.returncode == 1 and expected in done.stderr


def test_codes_module_that_cannot_be_found_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ["export", "codeable-models", str(CORPUS), "-o", str(tmp_path / "m.py")]
    assert main([*args, "--codes-module", CODES_MODULE]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot find the codes module" in err
    assert not (tmp_path / "m.py").exists()


def test_second_dialect_in_the_pipeline(tmp_path):
    """examples/labels_study: added: only, labels as memos, two files claiming s3."""
    out = tmp_path / "model.py"
    args = ["export", "codeable-models", str(LABELS), "-o", str(out), "--metamodel"]
    assert main([*args, str(METAMODEL)]) == 0
    done = run_tables(out, tmp_path / "tables", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    found = classes(out)
    assert [name for name, _ in found["sources"]] == ["s1", "s2", "s3", "s4", "p1"]
    assert found["sources"][4][1]["type"] is None  # p_1.md's Interview, left out
    assert dict(found["Force"]) == {
        "Psychological Safety": ["s1", "s2"],
        "Learning Culture": ["s3"],
        "Follow-up Fatigue": ["s4"],
    }
    assert dict(found["Decision"]) == {"How is a postmortem reviewed?": ["p1"]}


# -- the generated tables against the committed ones ----------------------------------------


def drift_index(findings) -> dict[str, set]:
    """What ``check --model`` says, as (source, code) links and (source, key) values."""
    index: dict[str, set] = {"JC901": set(), "JC902": set(), "JC908": set()}
    for finding in findings:
        if finding.rule == "JC901":
            match = re.match(
                r"(\S+) is in \S+ codes but the field notes of (\S+) ", finding.message
            )
            index["JC901"].add((match[2], match[1]))
        elif finding.rule == "JC902":
            match = re.match(r"(\S+) is applied to (\S+) but", finding.message)
            index["JC902"].add((match[2], match[1]))
        elif finding.rule == "JC908":
            match = re.match(r'"([^"]+)" of (\S+) is', finding.message)
            index["JC908"].add((match[2], match[1]))
    return index


@pytest.fixture(scope="module")
def drift():
    findings = check_paths([CORPUS], CheckConfig(select=("JC9",)), model=RESEARCHERS_MODEL)
    assert not [f for f in findings if f.rule in ("JC903", "JC904", "JC905", "JC906", "JC907")]
    return drift_index(findings)


def evidence_explained(drift, identifiers: set[str], theirs: list[str], ours: list[str]) -> bool:
    """Every source only the model gives is JC901, every source only the notes give JC902."""
    return all(
        any((source, code) in drift["JC901"] for code in identifiers)
        for source in set(theirs) - set(ours)
    ) and all(
        any((source, code) in drift["JC902"] for code in identifiers)
        for source in set(ours) - set(theirs)
    )


def test_sources_table_differs_only_by_reported_drift(generated_with_codes, drift):
    theirs = source_rows(committed("sources_table.tex"))
    ours = source_rows((generated_with_codes / "sources_table.tex").read_text())
    assert list(theirs) == list(ours) and len(ours) == 68
    keys = {"title": "title", "tiny": "tiny url", "type": "type"}
    keys |= {"example": "example", "code": "source code"}
    reasons: Counter = Counter()
    identical = 0
    for source, row in ours.items():
        if row == theirs[source]:
            identical += 1
            continue
        for cell, value in row.items():
            if value == theirs[source][cell]:
                continue
            # the link is the tiny url (the url for s2, s12, s18: the generator's choice)
            key = keys.get(cell) or ("url" if source in ("s2", "s12", "s18") else "tiny url")
            assert (source, key) in drift["JC908"], (source, cell, value, theirs[source][cell])
            reasons[cell, key] += 1
    # the notes write every tiny url with https://, the model the grey literature's without
    # it (57 rows: shown and linked); titles of s10, p8, p10, p11; s9's and p1's type (p1:
    # Interview, left out of the export); s34's source code
    assert (identical, len(ours) - identical) == (7, 61)
    assert reasons == {
        ("tiny", "tiny url"): 57,
        ("link", "tiny url"): 54,
        ("title", "title"): 4,
        ("type", "type"): 2,
        ("code", "source code"): 1,
    }


def test_force_table_differs_only_by_reported_drift(
    generated_with_codes, exported_with_codes, drift
):
    theirs = code_rows(committed("force_table.tex"))
    ours = code_rows((generated_with_codes / "force_table.tex").read_text())
    names = labels_to_identifiers(CODES_FILE, exported_with_codes)
    # the study's 46 forces keep their rows and numbers
    assert [row["name"] for row in ours[:46]] == [row["name"] for row in theirs]
    figures: Counter = Counter()
    for mine, study in zip(ours, theirs, strict=False):
        figures["identical" if mine == study else "differing"] += 1
        assert evidence_explained(drift, names[mine["name"]], study["evidence"], mine["evidence"])
        # the shade is the study's: evidence sources over the number of forces
        assert int(study["shade"]) == shade(len(study["evidence"]) / len(theirs))
        assert int(mine["shade"]) == shade(len(mine["evidence"]) / len(ours))
        if mine != study:
            assert mine["evidence"] != study["evidence"]  # never the shade alone
    # then the forces the study's codes lack: the notes apply each (JC902 for every source)
    for row in ours[46:]:
        figures["only in the notes"] += 1
        assert row["evidence"] and all(
            any((source, code) in drift["JC902"] for code in names[row["name"]])
            for source in row["evidence"]
        )
    assert dict(figures) == {"identical": 16, "differing": 30, "only in the notes": 46}


def test_overview_table_differs_only_by_reported_drift(
    generated_with_codes, exported_with_codes, drift
):
    theirs = {d.label: d for d in overview(committed("overview_table.tex"))}
    ours = {d.label: d for d in overview((generated_with_codes / "overview_table.tex").read_text())}
    names = labels_to_identifiers(CODES_FILE, exported_with_codes)

    def sources(rule: str, codes: set[str]) -> set[str]:
        return {source for source, code in drift[rule] if code in codes}

    figures: Counter = Counter()
    for label, decision in theirs.items():
        codes = names[label]
        if label not in ours:
            # left out of the export: the model links it to sources, no notes apply it
            assert len(sources("JC901", codes)) == decision.count
            figures["decisions only in the model"] += 1
            continue
        mine = ours[label]
        figures["decisions in both"] += 1
        # its evidence count: the model's, less what only the model links, plus the notes'
        expected = decision.count - len(sources("JC901", codes)) + len(sources("JC902", codes))
        assert mine.count == expected == 1
        for option, study in zip(mine.options, decision.options, strict=True):
            assert option["name"] == study["name"] and option["forces"] == study["forces"]
            assert evidence_explained(
                drift, names[option["name"]], study["evidence"], option["evidence"]
            )
            figures["option rows " + ("identical" if option == study else "differing")] += 1
    for label, decision in ours.items():
        if label not in theirs:
            figures["decisions only in the notes"] += 1
            assert not decision.options and sources("JC902", names[label])
    assert dict(figures) == {
        "decisions only in the model": 5,
        "decisions in both": 1,
        "option rows differing": 3,
        "decisions only in the notes": 10,
    }


# -- check --model: what breaks a model, and metadata drift -----------------------------


def small_study(folder: Path) -> Path:
    body_1, body_2 = (
        trace("q", "a", added='a = CClass(force, "A")'),
        trace("q", "b", added='b = CClass(practice, "B")'),
    )
    write(folder, "s_1.md", source_text(1, body_1, title="A source"))
    write(folder, "s_2.md", source_text(2, body_2, title="A source"))
    return folder


MODEL = """\
s1 = CClass(source, "s1", values={
    "title": "A source", "url": "https://example.org/1", "archive url": "https://example.org/a/1",
    "tiny url": "https://example.org/t/1", "author type": "Practitioner",
    "type": "Practitioner Audience Article", "example": True, "source code": False})
add_links({s1: [a, a]}, role_name="contained_code")
s2 = CClass(source, "s2", values={"title": "Another title", "type": "Interview",
    "example": "", "source code": False, "url": "https://example.org/" + "2"})
add_links({s2: [b]}, role_name="contained_code")
add_links({s2: [b]}, role_name="contained_code")
s2 = CClass(source, "s2", values={"title": "A source"})
"""


def test_model_problems_that_break_codeablemodels(tmp_path):
    study = small_study(tmp_path / "study")
    model = write(tmp_path, "model.py", MODEL)
    vocabulary = read_metamodel(METAMODEL).vocabulary()
    findings = model_findings(model, Codebook.load([study]), vocabulary)
    found = [(f.rule, f.line, f.severity, f.message) for f in findings]
    assert [(rule, line, severity) for rule, line, severity, _ in found] == [
        ("JC906", 5, "error"),  # a twice in one list
        ("JC908", 6, "warning"),  # title
        ("JC908", 6, "warning"),  # type
        ("JC908", 6, "warning"),  # no archive url
        ("JC908", 6, "warning"),  # no author type
        ("JC908", 6, "warning"),  # no tiny url
        ("JC909", 6, "error"),  # Interview
        ("JC908", 7, "warning"),  # example ""
        ("JC909", 7, "error"),  # example ""
        ("JC907", 9, "error"),  # b linked again
        ("JC905", 10, "warning"),  # s2 again
    ]
    messages = {rule: message for rule, _, _, message in found}
    assert messages["JC906"].startswith("a is twice in the codes linked to s1")
    assert messages["JC907"] == (
        'b is linked to s2 again (linked at line 8): CodeableModels stops with "trying to '
        'link the same link twice"'
    )
    assert messages["JC905"].startswith("source s2 is defined again (first at line 6)")
    assert messages["JC909"] == (
        "\"example\" of s2 is '', not True or False: CodeableModels refuses it"
    )
    drift = [m for rule, _, _, m in found if rule == "JC908"]
    assert drift[0] == (
        "\"title\" of s2 is 'Another title' in the model but 'A source' in the header of "
        "s_2.md (line 10)"
    )
    # the url, joined with + in the model, agrees; the metamodel's refusal needs it
    assert not any('"url"' in m for m in drift)
    assert not [f for f in model_findings(model, Codebook.load([study])) if f.rule == "JC909"]
    # read_model keeps the first definition, with every code linked to either
    assert list(read_model(model)["s2"].codes) == ["b"]


def test_check_model_reports_the_new_rules_through_the_cli(tmp_path, capsys):
    study = small_study(tmp_path / "study")
    model = write(tmp_path, "model.py", MODEL)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.jupyter-coding]\nmetamodel = "{METAMODEL}"\n', encoding="utf-8"
    )
    args = ["check", str(study), "--model", str(model), "--select"]
    assert main([*args, "source-defined-twice,link-made-twice,JC906,JC909"]) == 1
    out = capsys.readouterr().out
    assert [line.split()[1] for line in out.splitlines()] == [
        "JC906",
        "JC909",
        "JC909",
        "JC907",
        "JC905",
    ]


# -- the study's vocabulary ------------------------------------------------------------


def test_vocabulary_is_read_from_the_metamodel():
    metamodel = read_metamodel(METAMODEL)
    vocabulary = metamodel.vocabulary()
    assert vocabulary.source_types[:2] == ("Discussion Forum Post", "General Audience Article")
    assert "Interview" not in vocabulary.source_types and len(vocabulary.source_types) == 8
    assert vocabulary.author_types == ("Practitioner", "Mixed", "Academic", "Unknown")
    assert vocabulary.yes_no == ("example", "source code")
    assert vocabulary.metaclasses["code"] == "metamodels.GT_coding"
    assert vocabulary.metaclasses["force"] == "metamodels.guidance_metamodel"
    assert vocabulary.refusal("type", "Interview", listing=False) == (
        "not in the Source Type enumeration of GT_coding.py"
    )
    assert vocabulary.refusal("title", "anything") is None
    assert vocabulary.refusal("colour", "red").startswith("not an attribute")


OUR_METAMODEL = """\
from codeable_models import CEnum, CMetaclass

kinds = CEnum("Kind", values=["Interview", "Blog Post"])
people = CEnum("People", values=["Engineer"])
base = CMetaclass("Base", attributes={"title": str, "type": kinds, "example": bool})
source = CMetaclass("Source", superclasses=base, attributes={"author type": people})
"""


def test_metamodel_found_where_a_study_repository_keeps_it(tmp_path):
    """<study>/metamodels/GT_coding.py above <study>/field_notes/: JC302 and the export use it."""
    study = tmp_path / "study"
    write(study / "metamodels", "GT_coding.py", OUR_METAMODEL)
    notes = study / "field_notes"
    write(notes, "s_1.md", source_text(1, source_type="Interview", author_type="Engineer"))
    write(notes, "s_2.md", source_text(2, source_type="Slides"))
    assert find_metamodel([notes / "s_1.md"]) == study / "metamodels" / "GT_coding.py"
    findings = [f for f in check_paths([notes]) if f.rule == "JC302"]
    assert [(Path(f.path).name, f.line) for f in findings] == [
        ("s_2.md", 16),
        ("s_2.md", 18),
        ("s_2.md", 28),
        ("s_2.md", 29),
    ]
    assert "not one of the study's source types in GT_coding.py (Interview, Blog Post)" in (
        findings[0].message
    )
    # the lists of [tool.jupyter-coding] give way to the metamodel CodeableModels checks with
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jupyter-coding]\nsource-types = ["Slides"]\n', encoding="utf-8"
    )
    assert [f.line for f in check_paths([notes]) if f.rule == "JC302"] == [16, 18, 28, 29]
    out = tmp_path / "model.py"
    assert main(["export", "codeable-models", str(notes), "-o", str(out)]) == 0
    values = source_values(out.read_text(encoding="utf-8"))
    assert values["s1"]["type"] == "Interview" and values["s1"]["author type"] == "Engineer"
    assert "type" not in values["s2"] and "author type" not in values["s2"]


def test_metamodel_named_in_pyproject(tmp_path, capsys):
    notes = tmp_path / "notes"
    write(notes, "s_1.md", source_text(1, source_type="Interview"))
    write(tmp_path / "elsewhere", "mm.py", OUR_METAMODEL)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jupyter-coding]\nmetamodel = "elsewhere/mm.py"\n', encoding="utf-8"
    )
    config = CheckConfig.for_paths([notes])
    assert config.metamodel == str(tmp_path / "elsewhere" / "mm.py")
    assert config.vocabulary([notes]).source_types == ("Interview", "Blog Post")
    jc302 = [f for f in check_paths([notes]) if f.rule == "JC302"]
    assert [f.message.split(",")[0] for f in jc302] == [
        "header \"author type\" is 'Practitioner'",
        "\"author type\" is 'Practitioner'",
    ]
    # without it, the defaults: Interview is allowed, Practitioner too
    (tmp_path / "pyproject.toml").write_text("[tool.jupyter-coding]\n", encoding="utf-8")
    assert not [f for f in check_paths([notes]) if f.rule == "JC302"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.jupyter-coding]\nmetamodel = "missing.py"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"metamodel missing\.py is not there"):
        CheckConfig.for_paths([notes])
    assert main(["check", str(notes)]) == 2
    assert "metamodel missing.py is not there" in capsys.readouterr().err


def test_corpus_interview_reported_from_the_metamodel(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.jupyter-coding]\nmetamodel = "{METAMODEL}"\nselect = ["JC302"]\n',
        encoding="utf-8",
    )
    config = CheckConfig.from_pyproject(tmp_path / "pyproject.toml")
    found = [(Path(f.path).name, f.line) for f in check_paths([CORPUS], config)]
    # p_1.md says Interview in its header and CClass, p_2.md in its CClass; s_4.md's
    # CClass has the source type as author type; s_5.md's yes/no are empty
    assert found == [
        ("p_1.md", 16),
        ("p_1.md", 29),
        ("p_2.md", 29),
        ("s_4.md", 28),
        ("s_5.md", 12),
        ("s_5.md", 14),
    ]
    # the defaults know Interview: only three findings, as before
    assert len([f for f in check_paths([CORPUS]) if f.rule == "JC302"]) == 3


def test_model_with_syntax_error_is_a_one_line_error(tmp_path):
    model = tmp_path / "model.py"
    model.write_text("s1 = CClass(source, \n", encoding="utf-8")
    with pytest.raises(FieldNotesError) as caught:
        model_findings(model, Codebook.from_notes([parse("# s \n1\n", "s_1.md")]))
    assert str(caught.value).startswith(f"{model}:1: not valid Python")


def test_exported_model_agrees_with_the_notes(tmp_path, corpus_notes, corpus_model, vocabulary):
    model = tmp_path / "sources_and_codes_model.py"
    model.write_text(corpus_model, encoding="utf-8")
    findings = model_findings(model, Codebook.from_notes(corpus_notes), vocabulary)
    # the one value the export leaves out, for the metamodel refuses it
    assert [(f.rule, f.line, f.message) for f in findings] == [
        (
            "JC908",
            corpus_model.split("\n").index('p1 = CClass(source, "p1", values={') + 1,
            'p1 has no "type" in the model but the header of p_1.md (line 16) says '
            "'Interview' (not in the Source Type enumeration of GT_coding.py: JC302)",
        )
    ]
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
    assert ("JC908", "model.py", "p1") in summary  # Interview, left out of the export
    assert len(findings) == 5
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
