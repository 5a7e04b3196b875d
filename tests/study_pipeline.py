"""The study's real pipeline (``../shared/codeablemodels/``) driven from tests.

``run_study_tables.py`` runs the study's own LaTeX and textual generators with the
real CodeableModels on a ``sources_and_codes_model.py`` we give it; :func:`classes`
imports an exported module with the real CodeableModels and lists what it holds.
Both run in a subprocess with this interpreter (the library is not installed: the
study puts it on ``sys.path``), read-only on the shared folder.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .conftest import SHARED

PIPELINE = SHARED / "codeablemodels"
RUNNER = PIPELINE / "run_study_tables.py"
STUDY = PIPELINE / "python" / "data_as_a_product_codeablemodels"
METAMODEL = STUDY / "metamodels" / "GT_coding.py"
CODES_MODULE = (
    "python.data_as_a_product_codeablemodels.data_as_a_product_models.data_as_a_product_model"
)
CODES_FILE = STUDY / "data_as_a_product_models" / "data_as_a_product_model.py"
RESEARCHERS_MODEL = STUDY / "data_as_a_product_models" / "sources_and_codes_model.py"
COMMITTED = STUDY / "_generated" / "latex_files"
GENERATORS = STUDY / "generators" / "generate_latex_files.py"


def run_tables(model: Path, out: Path, cwd: Path) -> subprocess.CompletedProcess:
    """``run_study_tables.py OUT --sources-model MODEL``, from ``cwd``."""
    return subprocess.run(
        [sys.executable, str(RUNNER), str(out), "--sources-model", str(model)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


_LIST_CLASSES = """
import json, runpy, sys
sys.path[:0] = {paths!r}
from metamodels.guidance_metamodel import decision, force, pattern, practice
from metamodels.GT_coding import code, source
runpy.run_path({model!r})
found = {{}}
for metaclass in (force, decision, practice, pattern, code):
    found[metaclass.name] = [
        [c.name, [s.name for s in c.get_linked(role_name="evidence")]] for c in metaclass.classes
    ]
found["sources"] = [[s.name, {{k: s.get_value(k) for k in (
    "title", "url", "tiny url", "type", "author type", "example", "source code")}}]
    for s in source.classes]
print(json.dumps(found))
"""


def classes(model: Path) -> dict:
    """What CodeableModels makes of a module: per metaclass, [name, evidence] of each class."""
    paths = [str(PIPELINE), str(PIPELINE / "CodeableModels"), str(STUDY), str(PIPELINE / "shim")]
    script = _LIST_CLASSES.format(paths=paths, model=str(model))
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def study_color_command():
    """The study's own ``get_color_coding_command``, compiled alone from its generator."""
    with warnings.catch_warnings():  # the study writes "\\linewidth" in plain strings
        warnings.simplefilter("ignore")
        tree = ast.parse(GENERATORS.read_text(encoding="utf-8"))
    function = next(
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name == "get_color_coding_command"
    )
    namespace: dict = {}
    exec(compile(ast.Module([function], []), str(GENERATORS), "exec"), namespace)
    return namespace["get_color_coding_command"]


def committed(name: str) -> str:
    """A table the study committed (cp1252)."""
    return (COMMITTED / name).read_bytes().decode("cp1252")


# -- reading the study's tables back -------------------------------------------------

SOURCE_ROW = re.compile(
    r"^(?P<id>\w+) &  \{\\em (?P<title>.*)\} & \\href\{(?P<link>[^}]*)\}\{(?P<tiny>[^}]*)\} & "
    r"(?P<type>.*) & (?P<example>Yes|No) & (?P<code>Yes|No)\\\\$"
)
CODE_ROW = re.compile(
    r"^(?P<prefix>[a-z]+)(?P<n>\d+) & (?P<name>.*) & \\cellcolor\{emerald_shape_(?P<shade>\d)\} "
    r"\{(?P<evidence>[^}]*)\}\\\\$"
)


def source_rows(text: str) -> dict[str, dict]:
    rows = {}
    for line in text.split("\n"):
        match = SOURCE_ROW.match(line)
        if match:
            rows[match["id"]] = match.groupdict()
    return rows


def code_rows(text: str) -> list[dict]:
    rows = []
    for line in text.split("\n"):
        match = CODE_ROW.match(line)
        if match:
            row = match.groupdict()
            row["evidence"] = [s for s in row["evidence"].split(", ") if s]
            rows.append(row)
    return rows


@dataclass
class Decision:
    label: str
    shade: int
    count: int | None
    options: list[dict] = field(default_factory=list)


_HEAD = re.compile(
    r"\\multirow\{(?P<k>\d+)\}\{\\linewidth\}\{(?P<label>[^ \\][^}]*)\} &"
    r"(?:\\cellcolor\{emerald_shape_(?P<shade>\d)\}\{\}"
    r"|\\multirow\{1\}\{\\linewidth\}\{ "
    r"\\cellcolor\{emerald_shape_(?P<shade1>\d)\}\{(?P<count1>\d+)\}\})"
)
_OPTION = re.compile(
    r"(?P<n>\d+)\.(?P<name>[^&]*)&\\cellcolor\{emerald_shape_(?P<shade>\d)\}\{(?P<evidence>[^}]*)\}"
    r" & (?P<forces>.*)$"
)
_COUNT = re.compile(
    r"\\multirow\{-\d+\}\{\\linewidth\}\{ \\cellcolor\{emerald_shape_\d\}\{(\d+)\}\}"
)


def overview(text: str) -> list[Decision]:
    """The decisions of the study's overview table, each with its option rows."""
    body = text.split("\\hline\n", 2)[2].split("\\hline\n\\multicolumn")[0]
    decisions: list[Decision] = []
    for row in body.split("\\\\\n"):
        heads = list(_HEAD.finditer(row))
        for head in heads:
            shade = head["shade"] or head["shade1"]
            count = int(head["count1"]) if head["count1"] else None
            decisions.append(Decision(head["label"], int(shade), count))
        rest = row[heads[-1].end() :] if heads else row
        option = _OPTION.search(rest)
        if option:
            item = option.groupdict()
            item["evidence"] = [s for s in item["evidence"].split(", ") if s]
            decisions[-1].options.append(item)
        count = _COUNT.search(rest)
        if count:
            decisions[-1].count = int(count.group(1))
    return decisions


def labels_to_identifiers(*modules: Path) -> dict[str, set[str]]:
    """label -> identifiers of every ``x = CClass(metaclass, "label")`` in the modules."""
    found: dict[str, set[str]] = {}
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Call)
                and getattr(node.value.func, "id", None) == "CClass"
                and len(node.value.args) > 1
                and isinstance(node.value.args[1], ast.Constant)
            ):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(node.value.args[1].value, set()).add(target.id)
    return found
