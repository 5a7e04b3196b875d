"""How alike two codes are (jupyter_coding.study.similarity): one key per meaning of "the same
name" (fieldnotes.names), and what is only nearly the same."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_coding.fieldnotes import names
from jupyter_coding.study import similarity
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.similarity import (
    closest,
    label_fit,
    names_label,
    similar_pairs,
    stem_key,
    variant_kind,
    word_stem,
)

from .conftest import CORPUS


def test_one_function_each_for_the_same_name():
    assert similarity.normalise is names.normalise
    assert similarity.spelling_key is names.spelling_key


def test_word_forms_and_order():
    assert word_stem("managing") == word_stem("manage") == word_stem("managed") == "manag"
    assert word_stem("need") == "need" and word_stem("used") == "used"
    assert stem_key("change_data_capture") == stem_key("capture_data_change")
    assert stem_key("data_as_a_product") != stem_key("data_product")


def test_an_identifier_that_spells_a_label():
    label = "A single Azure Subscription with separate workspaces for each domain"
    assert names_label("single_subscription_separate_workspace_per_domain", label)
    assert not names_label("separate_subscriptions_separate_workspace_per_domain", label)
    assert not names_label("data", "Data")  # one word names no label
    assert label_fit("ci_cd_process", " CI/CD process") == 1.0
    assert label_fit("sql_layer", "Attach a REST API") == 0.0


def test_did_you_mean_uses_labels():
    labels = {
        "mdm": "Master Data Management",
        "configure_depency": "Configure pipelines for dependency management",
        "reference_data_management": "Reference Data Management",
    }
    assert closest("master_data_management", labels, labels=labels)[0] == "mdm"
    assert closest("configure_pipelines_for_dependency_management", labels, labels=labels) == [
        "configure_depency"
    ]
    assert closest("master_data_management", labels) == []  # without labels: nothing close


def test_corpus_suggestions_by_label():
    codebook = Codebook.load([CORPUS])
    assert codebook.suggest("master_data_management")[0] == "mdm"
    assert codebook.suggest("single_subscription_separate_workspace_per_domain")[0] == (
        "single_subscription_dedicated_workpasce_per_domain"  # what the researchers' model says
    )
    assert codebook.suggest("change_data_capture") == ["capture_data_change"]


VOCABULARY = (
    "data product products manage managing permission permissions read write catalog "
    "catalogue stale table query as a the mesh"
)
WORDS = st.sampled_from(VOCABULARY.split())
NAMES = st.lists(WORDS, min_size=1, max_size=4).map("_".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(NAMES, min_size=2, max_size=12, unique=True))
def test_similar_pairs_finds_what_comparing_every_pair_finds(identifiers):
    expected = sorted(
        (a, b, why)
        for a, b in itertools.combinations(sorted(identifiers), 2)
        if (why := variant_kind(a, b)) is not None
    )
    assert similar_pairs(identifiers) == expected
