"""JC3xx: a source's metadata (header against CClass and which side the evidence
supports, vocabulary, ids, metadata copied from another source, urls, duplicate ids).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from jupyter_coding.fieldnotes.model import SOURCE_KEYS
from jupyter_coding.study.checks.config import YES_NO_FIELDS
from jupyter_coding.study.checks.facts import FileContext, FileFacts, StudyContext, shown_value
from jupyter_coding.study.checks.registry import example, new_finding, rule, source_file
from jupyter_coding.study.findings import Finding, Fix
from jupyter_coding.study.fixes import cclass_value_line, header_value_text
from jupyter_coding.study.source_metadata import (
    URL_FIELDS,
    MetadataEvidence,
    SideValue,
    SourceMetadata,
    is_url,
    url_scheme_typo,
)


def _same(header_value: str, source_value: object, field_name: str) -> bool:
    if field_name in YES_NO_FIELDS:
        wanted = {"yes": True, "no": False}.get(header_value.strip().lower(), header_value)
        return wanted == source_value
    if not isinstance(source_value, str):
        return False
    return " ".join(header_value.split()) == " ".join(source_value.split())


def _evidence(study: StudyContext) -> MetadataEvidence:
    """The study's metadata, to weigh each source's values (worked out once)."""
    if "evidence" not in study.cache:
        config = study.config
        study.cache["evidence"] = MetadataEvidence(
            (facts.metadata for facts in study.files if facts.metadata is not None),
            study.model,
            {
                name: allowed
                for name, allowed in (
                    ("source type", config.source_types),
                    ("author type", config.author_types),
                )
                if allowed is not None  # None: the study allows any text
            },
        )
    return study.cache["evidence"]


def _sources(study: StudyContext) -> Iterator[tuple[FileFacts, SourceMetadata]]:
    for facts in study.files:
        if facts.metadata is not None and not facts.template:
            yield facts, facts.metadata


def _key_column(value: SideValue, key: str) -> int:
    """1-based column of ``"key"`` on a CClass line (1 when not found)."""
    found = (value.raw or "").find(f'"{key}"')
    return found + 1 if found >= 0 else 1


@rule(
    "JC301",
    "header-mismatch",
    "source",
    fix="sets the contradicted side to the other's value",
    examples=(example(source_file("s1", cclass={"title": "A title from another draft"})),),
)
def _header_mismatch(study: StudyContext) -> Iterator[Finding]:
    """A header field disagrees with the value in the source's ``CClass`` (or a value
    missing there).

    The finding says which side the evidence supports (the file name, the url's slug,
    the other sources, the model).
    """
    evidence = _evidence(study)
    for facts, meta in _sources(study):
        if meta.cclass_line is None:
            continue  # no source definition: nothing to compare
        for field_name, key in SOURCE_KEYS.items():
            header_value = meta.header.get(field_name)
            if header_value is None:
                continue
            header_line = header_value.line - 1  # the field's heading
            if field_name not in meta.cclass:
                yield new_finding(
                    "JC301",
                    facts.path,
                    meta.cclass_line,
                    1,
                    f'the source\'s CClass has no "{key}" (header "{field_name}" at line '
                    f"{header_line} is {header_value.value!r})",
                )
                continue
            cclass_value = meta.cclass[field_name]
            if _same(header_value.value, cclass_value.value, field_name):
                continue
            verdict = evidence.which_side(meta, field_name)
            yield new_finding(
                "JC301",
                facts.path,
                cclass_value.line,
                _key_column(cclass_value, key),
                f'"{key}" is {shown_value(cclass_value.value)} but header "{field_name}" '
                f"(line {header_line}) is {header_value.value!r}; {verdict.describe()}",
                _side_fix(facts, field_name, verdict, header_value, cclass_value),
            )


def _side_fix(
    facts: FileFacts, field_name: str, verdict, header: SideValue, cclass: SideValue
) -> Fix | None:
    """Set the side the evidence contradicts to the other side's value."""
    key = SOURCE_KEYS[field_name]
    if verdict.winner == "header" and cclass.raw is not None and isinstance(header.value, str):
        line = cclass_value_line(cclass.raw, key, field_name, header.value)
        if line is not None:
            description = f'set the CClass "{key}" to the header\'s {header.value!r}'
            return Fix(facts.path, facts.digest, description, ((cclass.line, cclass.raw, line),))
    if verdict.winner == "CClass" and header.raw is not None:
        text = header_value_text(cclass.value)
        if isinstance(cclass.value, (str, bool)) and "\n" not in text:
            description = f'set header "{field_name}" to the CClass\'s {text!r}'
            return Fix(facts.path, facts.digest, description, ((header.line, header.raw, text),))
    return None


@rule(
    "JC305",
    "copied-metadata",
    "source",
    examples=(
        example(
            source_file("s1", header={"title": "One pipeline for everything"}),
            source_file("s2", header={"title": "One pipeline for everything"}),
        ),
    ),
)
def _copied_metadata(study: StudyContext) -> Iterator[Finding]:
    """Header and CClass agree on a title or url that belongs to another source.

    A title, url, tiny url or archive url copied from another file with its
    metadata.
    """
    evidence = _evidence(study)
    for facts, meta in _sources(study):
        for copy in evidence.copies(meta):
            also = f" (the CClass too, line {copy.other_line})" if copy.other_line else ""
            yield new_finding(
                "JC305",
                facts.path,
                copy.value.line,
                1,
                f"the {copy.name} {copy.value.text!r}{also} is another source's: {copy.reason}",
            )


@rule(
    "JC306",
    "not-a-url",
    "source",
    fix="a misspelt scheme",
    examples=(example(source_file("s1", header={"url": "hhttps://example.org/s1"})),),
)
def _not_a_url(study: StudyContext) -> Iterator[Finding]:
    """A url field (url, tiny url, archive url) that holds no web address.

    ``hhttps://``, or a title, where header and ``CClass`` agree.
    """
    for facts, meta in _sources(study):
        for field_name in URL_FIELDS:
            values = meta.values(field_name)
            if not values or len({value.text for value in values}) > 1:
                continue  # the two sides disagree: JC301 says which is right
            value = values[0]
            if is_url(value.text):
                continue
            where = "header" if value.side == "header" else "the CClass"
            also = f" (and the CClass, line {values[1].line})" if len(values) > 1 else ""
            mended = url_scheme_typo(value.text)
            if not value.text:
                message = f'{where} "{field_name}" is empty{also}'
            else:
                hint = f" (did you mean {mended}?)" if mended else ""
                message = (
                    f'{where} "{field_name}" holds {value.text!r}{also}, not a web address{hint}'
                )
            fix = _url_fix(facts, field_name, values, mended) if mended else None
            yield new_finding("JC306", facts.path, value.line, 1, message, fix)


def _url_fix(facts: FileFacts, field_name: str, values: list[SideValue], mended: str) -> Fix | None:
    """Write the mended url on every side that holds the broken one."""
    edits = []
    for side in values:
        if side.raw is None:
            return None
        if side.side == "header":
            line = side.raw.replace(side.text, mended) if side.raw.strip() == side.text else None
        else:
            line = cclass_value_line(side.raw, SOURCE_KEYS[field_name], field_name, mended)
        if line is None:
            return None
        edits.append((side.line, side.raw, line))
    return Fix(facts.path, facts.digest, f"write the {field_name} as {mended}", tuple(edits))


@rule(
    "JC302",
    "header-vocabulary",
    "file",
    examples=(
        # reported on both sides: the header and the CClass
        example(
            source_file(
                "s1", header={"author type": "Astronaut"}, cclass={"author type": "Astronaut"}
            ),
            finds=2,
        ),
    ),
)
def _header_vocabulary(file: FileContext) -> Iterator[Finding]:
    """A source type, author type or yes/no value outside the study's vocabulary.

    The vocabulary is the study's metamodel's when it has one.
    """
    notes, config = file.notes, file.config
    header, source = notes.header, notes.source
    if notes.is_template:
        return
    vocabularies = {"source type": config.source_types, "author type": config.author_types}
    # the metamodel CodeableModels checks values against, when the study has one
    where = f" in {Path(config.vocabulary_origin).name}" if config.vocabulary_origin else ""
    if header is not None:
        for field_name, allowed in vocabularies.items():
            value = header.value(field_name)
            if value is not None and allowed is not None and value not in allowed:
                line = header.field_line(field_name) + 1
                yield new_finding(
                    "JC302",
                    file.path,
                    line,
                    1,
                    f'header "{field_name}" is {value!r}, not one of the study\'s '
                    f"{field_name}s{where} ({', '.join(allowed)})",
                )
        for field_name in YES_NO_FIELDS:
            value = header.value(field_name)
            if value is not None and value.strip().lower() not in ("yes", "no"):
                line = header.field_line(field_name) + 1
                shown = "empty" if not value.strip() else repr(value)
                yield new_finding(
                    "JC302", file.path, line, 1, f'header "{field_name}" is {shown}, not yes or no'
                )
    if source is None:
        return
    for field_name, allowed in vocabularies.items():
        key = SOURCE_KEYS[field_name]
        value = source.values.get(key)
        if isinstance(value, str) and allowed is not None and value not in allowed:
            line = source.value_line(key) or source.line
            yield new_finding(
                "JC302",
                file.path,
                line,
                file.column(line, key) - 1,
                f'"{key}" is {value!r}, not one of the study\'s {field_name}s{where} '
                f"({', '.join(allowed)})",
            )
    for field_name in YES_NO_FIELDS:
        value = source.values.get(field_name)
        if field_name in source.values and not isinstance(value, bool):
            line = source.value_line(field_name) or source.line
            yield new_finding(
                "JC302",
                file.path,
                line,
                file.column(line, field_name) - 1,
                f'"{field_name}" is {shown_value(value)}, not True or False',
            )


_FILE_ID = re.compile(r"([A-Za-z]+)_?(\d+)")


@rule("JC304", "source-id-mismatch", "file", examples=(example(source_file("s1", name="s_7.md")),))
def _source_id_mismatch(file: FileContext) -> Iterator[Finding]:
    """The header number, the source's ``CClass`` name and the file name disagree."""
    notes = file.notes
    header, source = notes.header, notes.source
    if notes.is_template or header is None:
        return
    header_id = header.source_id
    if source is not None and source.name and source.name != header_id:
        line = source.block.code_line if source.block else source.line
        yield new_finding(
            "JC304",
            file.path,
            line,
            file.column(line, source.name),
            f"the source's CClass is named {source.name} but the header says {header_id}",
        )
    if source is not None and source.var and source.name and source.var != source.name:
        line = source.block.code_line if source.block else source.line
        yield new_finding(
            "JC304",
            file.path,
            line,
            1,
            f"the source's CClass is assigned to {source.var} but named {source.name}",
        )
    match = _FILE_ID.fullmatch(Path(file.path).stem)
    if match and f"{match.group(1)}{int(match.group(2))}" != header_id:
        yield new_finding(
            "JC304",
            file.path,
            2,
            1,
            f"the file name says {match.group(1)}{int(match.group(2))} but the header "
            f"says {header_id}",
        )


@rule(
    "JC303",
    "duplicate-source-id",
    "study",
    severity="error",
    examples=(example(source_file("s1"), source_file("s1", name="s_2.md")),),
)
def _duplicate_source(study: StudyContext) -> Iterator[Finding]:
    """Two files claim the same source id (each stays a source of its own, read as the id
    its file name gives)."""
    for clash in study.codebook.source_clashes():
        for path, name in clash.names:
            if name == clash.declared:
                continue  # the file the id is left to; the others are reported
            yield new_finding("JC303", path, 2, 1, clash.describe(path))
