"""JC101–JC104, JC107, JC108: the codebook's identifiers (codes used but never defined,
defined twice or differently, near-duplicates, codes never applied or in one source only).

Labels are :mod:`.labels`' family.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from jupyter_coding.fieldnotes.names import name_key
from jupyter_coding.study.checks.facts import (
    StudyContext,
    first_definitions,
    in_coding_order,
    site_of,
    times,
)
from jupyter_coding.study.checks.registry import (
    coded,
    example,
    finding_at,
    rule,
    seed_trace,
    source_file,
)
from jupyter_coding.study.codebook import Code
from jupyter_coding.study.findings import Finding, Fix
from jupyter_coding.study.similarity import (
    similar_pairs,
    variant_kind,
)


@rule(
    "JC101",
    "undefined-code",
    "study",
    fix="renames a typo to the code it clearly means",
    examples=(
        example(
            source_file(
                "s1",
                seed_trace(
                    "One pipeline builds everything.", "Familiar option: ci_cd", attached=("ci_cd",)
                ),
            )
        ),
    ),
)
def _undefined(study: StudyContext) -> Iterator[Finding]:
    """A code used in an axial trace (attached, reused, related) but defined nowhere.

    Reported in each file that uses it, with the closest defined codes by identifier
    and by label (``master_data_management``: ``mdm``, "Master Data Management").
    """
    for code in study.codebook.codes.values():
        if code.defined or any(c.isspace() for c in code.identifier):
            continue  # identifiers with spaces are python-syntax findings
        uses = [use for use in code.uses if use.how != "memo"]
        if not uses:
            continue
        suggestions = study.codebook.suggest(code.identifier)
        hint = (
            f" (did you mean {' or '.join(_suggested(study, code, s) for s in suggestions)}?)"
            if suggestions
            else ""
        )
        meant = _clearly_meant(study, code, suggestions)
        elsewhere = len({use.path for use in uses}) - 1
        also = f"; also used in {elsewhere} other file{'s' * (elsewhere != 1)}" if elsewhere else ""
        first_in_file: dict[str, object] = {}
        for use in sorted(uses, key=lambda u: (u.path, u.line)):
            first_in_file.setdefault(use.path, use)
        for use in first_in_file.values():
            facts = study.by_path.get(use.path)
            fix = None
            if meant is not None and facts is not None:
                fix = Fix(
                    use.path,
                    facts.digest,
                    f"rename {code.identifier} to {meant} in this file",
                    renames=((code.identifier, meant),),
                )
            yield finding_at(
                "JC101",
                study,
                use,
                use.identifier,
                f"{code.identifier} is used but defined nowhere in the study{hint}{also}",
                fix,
            )


def _suggested(study: StudyContext, code: Code, identifier: str) -> str:
    """A suggestion, with its label when that is what the identifier spells out."""
    other = study.codebook.codes[identifier]
    if variant_kind(code.identifier, identifier) is None and other.label:
        return f'{identifier} ("{other.label.strip()}")'
    return identifier


# how two identifiers may differ when one is clearly a typo of the other
_TYPO_KINDS = ("one letter apart", "a typo in one word", "spelling", "plural", "spaces or case")


def _clearly_meant(study: StudyContext, code: Code, suggestions: list[str]) -> str | None:
    """The defined code an undefined identifier clearly means, for ``--fix``, or None.

    Clearly: the best suggestion is a typo or spelling variant of it (or it spells
    out that code's label word for word), no other suggestion is, and the defined
    spelling is the study's: its label spells the word that differs its way
    (``ci_cd_process``, "CI/CD process", for ``ci_cd_proces``), or it is used at
    least as often (``communication_decision``, used 8 times, is not renamed to the
    definition ``communicaton_decision``, "How can data products communicate?").
    """
    close = [
        candidate
        for candidate in suggestions
        if _typo_of(code.identifier, candidate)
        or name_key(code.identifier) == name_key(study.codebook.codes[candidate].label or "")
    ]
    if len(close) != 1:
        return None
    meant = study.codebook.codes[close[0]]
    if not meant.defined:
        return None
    if _label_spells(meant, code.identifier) or _weight_of_uses(meant) >= _weight_of_uses(code):
        return meant.identifier
    return None


def _label_spells(code: Code, other: str) -> bool:
    """Whether the code's label spells the words in which its identifier differs from
    ``other`` its own way (and none of them ``other``'s way)."""
    ours, theirs = name_key(code.identifier).split("_"), name_key(other).split("_")
    label = set(name_key(code.label or "").split("_"))
    if len(ours) != len(theirs):
        return False
    differing = [(x, y) for x, y in zip(ours, theirs, strict=True) if x != y]
    return bool(differing) and all(x in label and y not in label for x, y in differing)


def _typo_of(a: str, b: str) -> bool:
    why = variant_kind(a, b)
    return why is not None and any(kind in why for kind in _TYPO_KINDS)


def _weight_of_uses(code: Code) -> int:
    return sum(1 for use in code.uses if use.how != "memo")


def _meaning(definition) -> tuple[str, str]:
    return definition.metaclass, (definition.label or "").strip()


def _redefinitions(study: StudyContext) -> Iterator[tuple[Code, object, object]]:
    """(code, first definition in coding order, a later definition) for every repeat."""
    for code in study.codebook.codes.values():
        first, *later = in_coding_order(code.definitions) or [None]
        for definition in later:
            yield code, first, definition


@rule(
    "JC102",
    "conflicting-definition",
    "study",
    examples=(
        example(
            coded("s1", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',), ("ci_cd",)),
            coded("s2", "New force: ci_cd", ('ci_cd = CClass(force, "CI/CD")',), ("ci_cd",)),
        ),
    ),
)
def _conflicting_definition(study: StudyContext) -> Iterator[Finding]:
    """A code defined again with another metaclass or label."""
    for code, first, definition in _redefinitions(study):
        if _meaning(definition) != _meaning(first):
            metaclass, label = _meaning(first)
            yield finding_at(
                "JC102",
                study,
                definition,
                code.identifier,
                f'{code.identifier} is defined as {definition.metaclass} "{definition.label}"'
                f' here but as {metaclass} "{label}" at {site_of(first)}',
            )


@rule(
    "JC103",
    "duplicate-definition",
    "study",
    examples=(
        example(
            coded("s1", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',), ("ci_cd",)),
            coded("s2", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',), ("ci_cd",)),
        ),
    ),
)
def _duplicate_definition(study: StudyContext) -> Iterator[Finding]:
    """A code defined again with the same metaclass and label: define each code once."""
    for code, first, definition in _redefinitions(study):
        if _meaning(definition) == _meaning(first):
            yield finding_at(
                "JC103",
                study,
                definition,
                code.identifier,
                f"{code.identifier} is already defined at {site_of(first)}",
            )


def near_duplicates(identifiers: Iterable[str]) -> list[tuple[str, str, str]]:
    """Pairs of identifiers that are probably one code spelled two ways.

    (a, b, why) with ``a < b`` (:func:`~jupyter_coding.study.similarity.similar_pairs`):
    British/American spelling, singular/plural, case or spaces; one letter apart
    when both have at least 5 characters (two letters apart are mostly other words,
    ``stale``/``table``); the same words in another form or order; two letters
    moved in one word.
    """
    return similar_pairs(identifiers)


def _weight(code: Code) -> tuple:
    """How established a spelling is: defined, a real identifier, used more, in more sources."""
    return (code.defined, code.identifier.isidentifier(), code.use_count, len(code.sources))


def _first_site(code: Code):
    """Its first definition in coding order, else its first use outside memos."""
    if code.definitions:
        return in_coding_order(code.definitions)[0]
    uses = [use for use in code.uses if use.how != "memo"]
    return in_coding_order(uses)[0] if uses else None


def near_pairs(study: StudyContext) -> list[tuple[str, str, str]]:
    """The near-duplicate identifiers of the study (worked out once)."""
    if "near_pairs" not in study.cache:
        used = [
            code.identifier
            for code in study.codebook.codes.values()
            if code.defined or any(use.how != "memo" for use in code.uses)
        ]
        study.cache["near_pairs"] = near_duplicates(used)
    return study.cache["near_pairs"]


@rule(
    "JC104",
    "near-duplicate",
    "study",
    examples=(
        example(
            coded(
                "s1",
                "New option: change_data_capture",
                ('change_data_capture = CClass(practice, "Change data capture")',),
                ("change_data_capture",),
            ),
            coded(
                "s2",
                "New option: capture_data_change",
                ('capture_data_change = CClass(practice, "Capture of data changes")',),
                ("capture_data_change",),
            ),
        ),
    ),
)
def _near_duplicate(study: StudyContext) -> Iterator[Finding]:
    """Two identifiers that look like one code: a typo, plural, spelling, word form or order.

    One letter apart (5 letters or more), plural/singular, British/American spelling,
    spaces for underscores, another form of a word (``managing``/``manage``), the same
    words in another order, two letters moved in one word.
    """
    codes = study.codebook.codes
    for a, b, why in near_pairs(study):
        main, variant = sorted((codes[a], codes[b]), key=_weight, reverse=True)
        why = variant_kind(variant.identifier, main.identifier) or why  # in their order
        site = _first_site(variant)
        main_site = _first_site(main)
        how = "defined" if main.defined else "used"
        yield finding_at(
            "JC104",
            study,
            site,
            variant.identifier,
            f"{variant.identifier} looks like {main.identifier} ({why}); {main.identifier} is "
            f"{how} at {site_of(main_site)} and applied {times(main.use_count)}",
        )


# (``Data Qualty``), once it is this long
@rule(
    "JC107",
    "never-applied",
    "study",
    severity="info",
    examples=(
        example(
            coded(
                "s1",
                "New option: ci_cd",
                (
                    'ci_cd = CClass(practice, "CI/CD")',
                    "add_force_relations({ci_cd: {speed: positive}})",
                ),
                ("ci_cd",),
                label="",
            ),
            coded("s2", "Familiar option: ci_cd", attached=("ci_cd",)),
        ),
    ),
)
def _never_applied(study: StudyContext) -> Iterator[Finding]:
    """A code no trace applies to any source: it is only ever a relation end.

    Such a code comes from another study's model, or its evidence was never noted.
    """
    for code in study.codebook.codes.values():
        if code.use_count or any(c.isspace() for c in code.identifier):
            continue
        related = [use for use in code.uses if use.how == "related"]
        if not related:
            continue  # named in memos only: the memo rules speak of it
        site = code.definitions[0] if code.definitions else in_coding_order(related)[0]
        sources = len({use.path for use in related})
        yield finding_at(
            "JC107",
            study,
            site,
            code.identifier,
            f"{code.identifier} is applied to no source: it is only related "
            f"({times(len(related))}, in {sources} file{'s' * (sources != 1)})",
        )


@rule(
    "JC108",
    "single-source-code",
    "study",
    severity="info",
    examples=(
        example(
            coded("s1", "New option: ci_cd", ('ci_cd = CClass(practice, "CI/CD")',), ("ci_cd",)),
            coded(
                "s2",
                "New option: trunk",
                ('trunk = CClass(practice, "Trunk-based development")',),
                ("trunk", "ci_cd"),
            ),
        ),
    ),
)
def _single_source_code(study: StudyContext) -> Iterator[Finding]:
    """A code defined and used in one source only: a candidate for merging with another."""
    for definition in first_definitions(study):
        code = study.codebook.codes[definition.identifier]
        paths = {use.path for use in code.uses if use.how != "memo"}
        paths |= {d.path for d in code.definitions}
        if len(paths) != 1:
            continue
        close = [s for s in study.codebook.suggest(code.identifier) if s != code.identifier]
        hint = f"; the closest code is {close[0]}" if close else ""
        yield finding_at(
            "JC108",
            study,
            definition,
            code.identifier,
            f"{code.identifier} is defined here and used in no other source{hint}",
        )
