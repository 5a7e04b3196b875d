"""The package's shape is its design (ARCHITECTURE.md): layers import only downward.

Read with ``ast``, so every import counts, also those inside functions (deferred for
speed, they are still dependencies).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "jupyter_coding"

# what each layer may import from the package, besides itself
LAYERS = {
    "fieldnotes": set(),
    "common": {"fieldnotes"},
    "study": {"fieldnotes", "common"},
    "notebooks": {"fieldnotes", "common"},
    "interop": {"fieldnotes", "common", "study"},
    "kernel": {"fieldnotes", "common", "study", "notebooks", "interop"},
    "cli": {"fieldnotes", "common", "study", "notebooks", "interop", "kernel"},
}
# only the kernel (and the command line, which starts JupyterLab) may use these
FRONT_END = {"IPython", "ipywidgets", "ipykernel"}
# the top-level modules: the names Jupyter configuration holds (%load_ext, the save
# hook and nbconvert exporter, the contents manager, the server extension)
TOP_LEVEL = {
    "__init__.py": {"kernel"},
    "exporter.py": {"notebooks"},
    "contents.py": {"notebooks"},
    "serverext.py": {"notebooks"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file; ``from a import b`` is ``a.b`` when
    ``b`` is a module of the package, else ``a``."""
    known = modules()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            subs = [f"{node.module}.{a.name}" for a in node.names]
            subs = [name for name in subs if name in known]
            found += [(node.lineno, name) for name in subs] or [(node.lineno, node.module)]
    return found


def layer_of(path: Path) -> str | None:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else None


def wrong_imports(path: Path, layer: str | None, name: str) -> list[str]:
    """The imports of the file at ``path`` that its layer may not make."""
    allowed = LAYERS[layer] if layer is not None else TOP_LEVEL[path.name]
    wrong = []
    for line, imported in imports(path):
        parts = imported.split(".")
        upward = parts[0] == "jupyter_coding" and len(parts) > 1 and parts[1] != layer
        front_end = parts[0] in FRONT_END and layer not in ("kernel", "cli", None)
        not_stdlib = (
            layer == "fieldnotes"
            and parts[0] != "jupyter_coding"
            and parts[0] not in sys.stdlib_module_names
        )
        if (upward and parts[1] not in allowed) or front_end or not_stdlib:
            wrong.append(f"{name}:{line}: imports {imported}")
    return wrong


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.name))
def test_a_module_imports_only_from_the_layers_below_it(path):
    wrong = wrong_imports(path, layer_of(path), str(path.relative_to(PACKAGE.parent)))
    assert not wrong, "\n".join(wrong)


def test_no_import_cycles():
    known = modules()
    graph = {
        module: {name for _, name in imports(path) if name in known and name != module}
        for module, path in known.items()
    }
    # a package's __init__ that only names its submodules is not a dependency of theirs
    cycles = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == module:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert not cycles, cycles


def test_the_layers_are_the_folders():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(LAYERS)
    top = {p.name for p in PACKAGE.glob("*.py")}
    assert top == set(TOP_LEVEL)


def test_the_check_finds_a_wrong_import(tmp_path):
    """The test can fail: the document model importing the study, or a widget, is caught."""
    source = (PACKAGE / "fieldnotes" / "model.py").read_text(encoding="utf-8")
    copy = tmp_path / "model.py"
    copy.write_text(source, encoding="utf-8")
    assert wrong_imports(copy, "fieldnotes", "model.py") == []
    copy.write_text(source + "\nfrom jupyter_coding.study import codebook\nimport ipywidgets\n")
    assert [line.split(": ")[1] for line in wrong_imports(copy, "fieldnotes", "model.py")] == [
        "imports jupyter_coding.study.codebook",
        "imports ipywidgets",
    ]


# the numbers of the reports and the checks are pure: matplotlib only draws
PURE = ("study/reports/numbers.py", "study/checks")


@pytest.mark.parametrize("place", PURE)
def test_the_numbers_never_import_matplotlib(place):
    paths = [PACKAGE / place] if place.endswith(".py") else sorted((PACKAGE / place).rglob("*.py"))
    for path in paths:
        assert not [m for _, m in imports(path) if m.split(".")[0] == "matplotlib"], path


LONG_MODULE = 420  # lines; a longer module says at its top why it is one module


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.name))
def test_a_long_module_says_why_it_is_one(path):
    text = path.read_text(encoding="utf-8")
    if text.count("\n") <= LONG_MODULE:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "Why one module:" in docstring, (
        f"{path.relative_to(PACKAGE.parent)} has {text.count(chr(10))} lines: split it, or say "
        "at its top (a 'Why one module:' paragraph) why it is one"
    )
