"""The study codebook on the real corpus, and identifier similarity."""

from __future__ import annotations

import os
import shutil

from jupyter_coding.fieldnotes import read
from jupyter_coding.study.codebook import Codebook, codes_of_notes
from jupyter_coding.study.similarity import closest, edit_distance, spelling_key

from .conftest import CORPUS, EXAMPLES


def test_codebook_on_corpus():
    codebook = Codebook.load([CORPUS])
    k8s = codebook["k8s"]
    assert (k8s.metaclass, k8s.defined) == ("practice", True)
    assert k8s.definitions[0].path.endswith("s_6.md")
    assert "s43" in k8s.sources and k8s.use_count > 5
    assert k8s.evidence and k8s.evidence[0].text
    defined = {c.identifier for c in codebook.codes.values() if c.defined}
    assert len(defined) == 182  # FORMAT.md §5.1
    # the two codes defined twice with different labels (FORMAT.md §8.2)
    quality = {d.label for d in codebook["quality"].definitions}
    assert quality == {"Data Quality", "Quality"}
    assert codebook.metaclasses() == ["force", "pattern", "practice", "decision"]
    assert codebook.ranked()[0].use_count >= codebook.ranked()[1].use_count
    assert len(codebook.sources()) == 68


def test_undefined_code_is_known_but_not_defined():
    codebook = Codebook.load([CORPUS])
    code = codebook["single_subscription_separate_workspace_per_domain"]
    assert not code.defined and code.metaclass is None
    assert codebook.suggest("trustworthy_decision") == ["trustworty_decision"]
    assert codebook.suggest("data_catalog")[0] == "data_catalogue"


def test_refresh_rereads_only_changed_files(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLES, study)
    codebook = Codebook.load([study])
    assert codebook.refresh() == 0
    s1 = study / "s_1.md"
    s1.write_text(s1.read_text(encoding="utf-8").replace("reviewer_rotation", "rotation_x"))
    os.utime(s1, ns=(1, 1))
    assert codebook.refresh() == 1
    assert "rotation_x" in codebook
    (study / "s_2.md").unlink()
    assert codebook.refresh() == 1
    assert "s2" not in codebook.sources()


def test_evidence_is_the_quotes_before_a_trace(seed_path):
    codes = codes_of_notes(read(seed_path))
    evidence = codes.evidence["k8s"]
    assert evidence[0].trace_line == 185
    assert evidence[0].text.startswith("Infrastructure")


def test_template_contributes_nothing():
    codes = codes_of_notes(read(CORPUS / "s_.md"))
    assert codes.template and not codes.uses and not codes.definitions


def test_similarity():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("a" * 10, "b" * 10, limit=2) == 3
    assert spelling_key("standardised_transformation") == spelling_key(
        "standardized_transformation"
    )
    assert spelling_key("query_catalogue") == spelling_key("query_catalog")
    assert spelling_key("internal_storages") == spelling_key("internal_storage")
    assert spelling_key("stale") != spelling_key("table")
    assert closest("ci_cd_proces", ["ci_cd_process", "cicd", "k8s"]) == ["ci_cd_process"]
