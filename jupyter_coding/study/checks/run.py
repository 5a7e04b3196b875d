"""Running the checks: on one parsed file, on a study's per-file facts, on paths."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from jupyter_coding.common.files import find_field_notes
from jupyter_coding.common.parallel import map_in_order
from jupyter_coding.common.progress import progress
from jupyter_coding.fieldnotes import (
    FieldNotes,
    parse,
    read_text,
)
from jupyter_coding.fieldnotes.lines import split_lines
from jupyter_coding.study.checks.config import CheckConfig
from jupyter_coding.study.checks.facts import FileContext, FileFacts, StudyContext
from jupyter_coding.study.checks.registry import rules
from jupyter_coding.study.codebook import Codebook
from jupyter_coding.study.findings import Finding
from jupyter_coding.study.fixes import text_digest

# -- running --------------------------------------------------------------------


def check_notes(
    notes: FieldNotes, config: CheckConfig | None = None, text: str | None = None
) -> list[Finding]:
    """The findings of the file, source and trace rules on one parsed file, read on its own.

    Study rules need the whole study (:func:`check_paths`); here the memo rules know
    only the file's own codes, and the metadata rules only the file's own values.
    """
    config = config or CheckConfig()
    if notes.is_template:
        return []
    facts = [FileFacts.of(notes, text)]
    study = StudyContext(Codebook.from_file_codes(f.codes for f in facts), facts, config)
    findings = _file_findings(notes, config, text) + _run(study, ("source", "trace"))
    return _with_severity(findings, config)


def _file_findings(notes: FieldNotes, config: CheckConfig, text: str | None) -> list[Finding]:
    if notes.is_template:
        return []
    text = text if text is not None else notes.to_text()
    file = FileContext(notes, split_lines(text), config, text_digest(text))
    findings: list[Finding] = []
    for rule in rules():
        if rule.scope == "file" and config.enabled(rule.id, rule.name):
            findings.extend(rule.run(file))
    return findings


def _run(study: StudyContext, scopes: tuple[str, ...]) -> list[Finding]:
    return [
        finding
        for rule in rules()
        if rule.scope in scopes and study.config.enabled(rule.id, rule.name)
        for finding in rule.run(study)
    ]


def _with_severity(findings: Iterable[Finding], config: CheckConfig) -> list[Finding]:
    """The findings with the severity the configuration gives their rules."""
    return [
        finding
        if (level := config.severity_of(finding.rule, finding.name, finding.severity))
        == finding.severity
        else replace(finding, severity=level)
        for finding in findings
    ]


def check_traces(
    files: list[FileFacts], config: CheckConfig, codebook: Codebook | None = None
) -> list[Finding]:
    """The trace rules' findings (memo against trace), with the codebook's names of codes."""
    if codebook is None:
        codebook = Codebook.from_file_codes(facts.codes for facts in files)
    return _with_severity(_run(StudyContext(codebook, files, config), ("trace",)), config)


def check_codebook(
    codebook: Codebook,
    config: CheckConfig | None = None,
    files: Iterable[FileFacts] = (),
    model: dict[str, dict[str, object]] | None = None,
) -> list[Finding]:
    """The study and metadata rules' findings on a codebook and the files' facts.

    ``model`` gives the values a CodeableModels model has for each source (by id),
    evidence for which side of a header/CClass mismatch is right.
    """
    config = config or CheckConfig()
    study = StudyContext(codebook, list(files), config, model=dict(model or {}))
    return _with_severity(_run(study, ("study", "source")), config)


def check_paths(
    paths: Iterable[str | os.PathLike],
    config: CheckConfig | None = None,
    model: str | os.PathLike | None = None,
) -> list[Finding]:
    """Check every field-notes file under ``paths``; findings sorted by place.

    ``config`` defaults to the nearest ``pyproject.toml``'s. With ``model`` (a
    CodeableModels module) the model is compared with the notes too, and its values
    for each source are evidence for the metadata rules.
    """
    paths = list(paths)
    config = config if config is not None else CheckConfig.for_paths(paths)
    # the study's metamodel, found beside the notes or the model, fixes the vocabulary
    config = config.for_study([*paths, *([model] if model is not None else [])])
    findings: list[Finding] = []
    files: list[FileFacts] = []
    found = find_field_notes(paths)
    # each file on its own, on every core for a big study (results in file order)
    checked = map_in_order(_check_file, found, config)
    for file_findings, facts in progress(checked, "checking", total=len(found)):
        findings.extend(file_findings)
        files.append(facts)
    codebook = Codebook.from_file_codes(facts.codes for facts in files)
    model_values = _model_values(model) if model is not None else None
    findings = _with_severity(findings, config)
    findings.extend(check_codebook(codebook, config, files, model_values))
    findings.extend(check_traces(files, config, codebook))
    if model is not None:
        findings.extend(
            _with_severity(
                (
                    finding
                    for finding in _model_findings(model, codebook, config.vocabulary(paths))
                    if config.enabled(finding.rule, finding.name)
                ),
                config,
            )
        )
    return sorted(set(findings))


def _check_file(path: Path, config: CheckConfig) -> tuple[list[Finding], FileFacts]:
    """The file rules' findings of one file, and what the study rules need of it."""
    text = read_text(path)
    notes = parse(text, str(path))
    return list(_file_findings(notes, config, text)), FileFacts.of(notes, text)


def _model_values(model: str | os.PathLike) -> dict[str, dict[str, object]]:
    """Each source's values in a CodeableModels module (its ``values={...}`` literals)."""
    from jupyter_coding.study.model_check import read_model

    return {
        name: {key: value for key, (value, _) in source.values.items()}
        for name, source in read_model(model).items()
    }


def _model_findings(model: str | os.PathLike, codebook: Codebook, vocabulary) -> list[Finding]:
    from jupyter_coding.study.model_check import model_findings

    return model_findings(model, codebook, vocabulary)


def rule_table() -> list[tuple[str, str, str, str]]:
    """(id, name, severity, what it finds) of every rule, by id."""
    return [(rule.id, rule.name, rule.severity, rule.summary) for rule in rules()]


def rule_markdown() -> str:
    """The rule table of the README, made from the rules: id, name, severity, what it
    finds (its docstring) and what ``--fix`` does."""
    rows = ["| rule | name | severity | finds | `--fix` |", "| --- | --- | --- | --- | --- |"]
    for rule in rules():
        cells = (rule.id, f"`{rule.name}`", rule.severity, _markdown_cell(rule.doc), rule.fix)
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"


def _markdown_cell(text: str) -> str:
    # docstrings quote code as ``x``; a table cell shows it as `x`, and a | would end the cell
    return text.replace("``", "`").replace("|", "\\|")
