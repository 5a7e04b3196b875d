"""JC105, JC106: codes by their labels (one meaning under two names, copied labels)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from jupyter_coding.study.checks.codes import near_pairs
from jupyter_coding.study.checks.facts import (
    StudyContext,
    first_definitions,
    label_key,
    site_of,
    times,
)
from jupyter_coding.study.checks.registry import (
    coded,
    example,
    finding_at,
    rule,
)
from jupyter_coding.study.findings import Finding
from jupyter_coding.study.similarity import (
    edit_distance,
    label_fit,
    similar_pairs,
    stem_key,
)

# a label written with one letter more or less than another is the same label
# (``Data Qualty``), once it is this long
_LABEL_TYPO_LENGTH = 8


def _copied_labels(study: StudyContext) -> dict[tuple[str, str], object]:
    """(earlier identifier, later identifier) -> the later definition, for labels copied
    from the definition above: same label, in one file, and the later identifier has
    little to do with it while the earlier one fits it better."""
    if "copied_labels" in study.cache:
        return study.cache["copied_labels"]
    found: dict[tuple[str, str], object] = {}
    by_file: dict[str, list] = defaultdict(list)
    for code in study.codebook.codes.values():
        for definition in code.definitions:
            by_file[definition.path].append(definition)
    for definitions in by_file.values():
        definitions.sort(key=lambda d: d.line)
        for index, later in enumerate(definitions):
            key = label_key(later.label)
            if not key:
                continue
            earlier = next(
                (
                    d
                    for d in reversed(definitions[:index])
                    if label_key(d.label) == key and d.identifier != later.identifier
                ),
                None,
            )
            if earlier is None:
                continue
            fit_later = label_fit(later.identifier, later.label)
            if fit_later < 0.5 and label_fit(earlier.identifier, earlier.label) > fit_later:
                found[earlier.identifier, later.identifier] = (earlier, later)
    study.cache["copied_labels"] = found
    return found


@rule(
    "JC105",
    "same-label",
    "study",
    examples=(
        example(
            coded(
                "s1",
                "New option: ci_cd",
                ('ci_cd = CClass(practice, "CI/CD process")',),
                ("ci_cd",),
            ),
            coded(
                "s2",
                "New option: ci_cd_process",
                ('ci_cd_process = CClass(practice, "CI/CD process")',),
                ("ci_cd_process",),
            ),
        ),
    ),
)
def _same_label(study: StudyContext) -> Iterator[Finding]:
    """Two codes with the same or nearly the same label: one meaning under two names.

    ``ci_cd`` and ``ci_cd_process``, both "CI/CD process"; or an identifier that is
    another code's label.
    """
    firsts = first_definitions(study)
    order = {d.identifier: index for index, d in enumerate(firsts)}
    near = {frozenset((a, b)) for a, b, _ in near_pairs(study)}
    copied = {frozenset(pair) for pair in _copied_labels(study)}
    by_label: dict[str, list] = defaultdict(list)
    for definition in firsts:
        if label_key(definition.label):
            by_label[stem_key(definition.label)].append(definition)
    pairs: dict[frozenset, tuple[object, object, str]] = {}

    def pair(a, b, why: str) -> None:
        key = frozenset((a.identifier, b.identifier))
        if a.identifier == b.identifier or key in near or key in copied or key in pairs:
            return
        first, second = sorted((a, b), key=lambda d: order[d.identifier])
        pairs[key] = (first, second, why)

    for group in by_label.values():
        for index, a in enumerate(group):
            for b in group[index + 1 :]:
                same = label_key(a.label) == label_key(b.label)
                pair(a, b, "the same label" if same else "nearly the same label")
    # a label one letter off another, or an identifier that is another code's label
    labels = {stem_key(d.label): d for d in firsts if label_key(d.label)}
    for definition in firsts:
        other = labels.get(stem_key(definition.identifier))
        if other is not None:
            pair(definition, other, "one's label for the other's identifier")
    long_labels = [d for d in firsts if len(label_key(d.label)) >= _LABEL_TYPO_LENGTH]
    for a, b, _ in similar_pairs(label_key(d.label) for d in long_labels):
        for x in (d for d in long_labels if label_key(d.label) == a):
            for y in (d for d in long_labels if label_key(d.label) == b):
                if edit_distance(a, b, 1) <= 1:
                    pair(x, y, "nearly the same label")
    for first, second, why in sorted(pairs.values(), key=lambda p: (p[1].path, p[1].line)):
        code = study.codebook.codes[first.identifier]
        yield finding_at(
            "JC105",
            study,
            second,
            second.identifier,
            f'{second.identifier} ({second.metaclass} "{(second.label or "").strip()}") and '
            f'{first.identifier} ({first.metaclass} "{(first.label or "").strip()}", defined at '
            f"{site_of(first)}, applied {times(code.use_count)}) have {why}: one meaning under "
            "two names? (merge them, or tell them apart in their labels)",
        )


@rule(
    "JC106",
    "copied-label",
    "study",
    examples=(
        example(
            coded(
                "s1",
                "New option: blameless_review, incident_timeline",
                (
                    'blameless_review = CClass(practice, "Blameless review")',
                    'incident_timeline = CClass(practice, "Blameless review")',
                ),
                ("blameless_review", "incident_timeline"),
            ),
        ),
    ),
)
def _copied_label(study: StudyContext) -> Iterator[Finding]:
    """A new definition carrying the label of the definition above it (copied, not written).

    A label that says little about its identifier.
    """
    for earlier, later in _copied_labels(study).values():
        yield finding_at(
            "JC106",
            study,
            later,
            later.identifier,
            f'{later.identifier} has the label "{(later.label or "").strip()}" of '
            f"{earlier.identifier}, defined above it at line {earlier.line}: a label "
            f"copied with the definition? (it says little about {later.identifier})",
        )
