"""No regular expression on user text backtracks super-linearly (issue 10, S3).

A field-notes file, a ``%%code`` cell, a search box or a codebook read back is
user text, and a regular expression that backtracks quadratically on it hangs
``stats``, ``verify`` and every ``%%code`` run (a 40 KB block took 28 s).

Three guards:

* every compiled pattern of the package is listed in ``PATTERNS`` with how it is
  used, and no function compiles or applies a pattern of its own except the one
  helper that builds letters-in-order tests (so a new pattern cannot slip by);
* each listed pattern is tried on a sweep of inputs built from an example it
  matches, with a long run of one character (or of the example's own next
  characters) pumped in at every place and a character at the end that makes it
  fail: that is what makes overlapping quantifiers backtrack;
* each reader of user text runs on long adversarial inputs (the worst pattern
  for its expressions, up to 100 KB).

Times are measured with a generous bound: a linear pass over 100 KB takes
about a millisecond and a quadratic one minutes, so this is a complexity guard,
not a benchmark. The sizes grow (1 KB, 10 KB, 100 KB) and a case stops at the
first size over the bound, so a regression fails in a second, not in an hour.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import pkgutil
import re
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import pytest

import jupyter_coding
from jupyter_coding.fieldnotes import parse
from jupyter_coding.fieldnotes.concise import read_concise
from jupyter_coding.fieldnotes.memo import read_code_list
from jupyter_coding.fieldnotes.python_code import read_code, read_values
from jupyter_coding.fieldnotes.reading import memo_items
from jupyter_coding.study.checks import check_notes
from jupyter_coding.study.reports import Study, codebook_entries
from jupyter_coding.study.similarity import closest, edit_distance, spelling_key
from jupyter_coding.study.stats import file_stats

from .study_fixtures import source_text, trace

BOUND = 0.1  # seconds, for any one call of a pattern, or a reader on one long line
# a reader on 100 KB made of thousands of blocks or tokens does linear work per
# block in python (0.1 to 0.3 s); quadratic work there would take minutes
DENSE_BOUND = 1.0
SIZES = (1_000, 10_000, 100_000)
SWEEP = 10_000  # characters pumped into each sweep input


def timed(call: Callable, *args, bound: float = BOUND) -> float:
    """Processor seconds ``call(*args)`` takes; a time over ``bound`` is measured twice more.

    Processor time, not wall time, so that other processes on a busy machine do not
    count; and the best of three, for what they still cost (caches). A super-linear
    call stays seconds over the bound.
    """
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        call(*args)
        best = min(best, time.process_time() - start)
        if best < bound:
            break
    return best


def assert_fast(
    call: Callable[[str], object], make: Callable[[int], str], what: str, bound: float = BOUND
) -> None:
    """``call(make(size))`` stays under ``bound`` at every size (stops at the first over)."""
    for size in SIZES:
        text = make(size)
        took = timed(call, text, bound=bound)
        assert took < bound, f"{what}: {took:.2f} s on {len(text):,} characters"


# -- the patterns of the package ------------------------------------------------

# qualified name -> (how the code applies it, examples it matches, worst inputs at
# size n). The examples seed the sweep; the worst inputs are the ones that were
# quadratic before issue 10, or the nearest thing for the others.
PATTERNS: dict[str, tuple[str, list[str], list[Callable[[int], str]]]] = {
    "fieldnotes.parser.KIND_LINE": ("fullmatch", ["# s ", "# p"], [lambda n: "#" + " " * n + "!"]),
    "fieldnotes.parser.ID_LINE": ("fullmatch", ["  43  ", ""], [lambda n: " " * n + "!"]),
    "fieldnotes.parser.FIELD_HEADING": (
        "fullmatch",
        ["## source type "],
        [lambda n: "## a" + " " * n + "\n"],
    ),
    "fieldnotes.parser.OPEN_MARKER": (
        "fullmatch",
        ["**OPEN CODING TRACE:**", "> **OPEN CODING:** "],
        [lambda n: "**OPEN CODING" + " " * n + "!", lambda n: "** OPEN" + " " * n],
    ),
    "fieldnotes.parser.AXIAL_MARKER": (
        "fullmatch",
        ["**AXIAL CODING TRACE**: source and references"],
        [lambda n: "**AXIAL CODING" + "\t" * n + "!"],
    ),
    "fieldnotes.parser.DISAGREEMENT_MARKER": (
        "fullmatch",
        ["**CODERS DISAGREE:** ann above, bo below: discuss", "**Coders disagree**: x"],
        [lambda n: "**CODERS" + " " * n + "!", lambda n: "**CODERS DISAGREE" + "\t" * n + "!"],
    ),
    "fieldnotes.parser.DISAGREEMENT_NAMES": (
        "match",
        [" ann above, bo below: discuss"],
        [lambda n: "a" * n + " ", lambda n: "a" + " " * n + "above" + " " * n + ",b" + " " * n],
    ),
    "fieldnotes.parser.CODING_LINE": ("fullmatch", ["# coding"], [lambda n: "#" + " " * n]),
    "fieldnotes.parser.FENCE": ("fullmatch", ["``` python "], [lambda n: "`" * n + "\n"]),
    "fieldnotes.parser.IMAGE": ("fullmatch", ["![Alt](https://x.org/a.png)"], [lambda n: "![" * n]),
    "fieldnotes.parser.IMAGE_ALT": ("match", ["![Alt text]"], [lambda n: "![" + "a" * n]),
    "fieldnotes.parser.ADD_CODES_LABEL": (
        "fullmatch",
        ["add codes to s43:", "Add code to:", "add codes to"],
        [lambda n: "add codes to" + " " * n + "!", lambda n: "add codes to s" + " \t" * n + "!"],
    ),
    "fieldnotes.parser.ADDED_LABEL": (
        "fullmatch",
        ["added:", "add"],
        [lambda n: "added" + " " * n + "!"],
    ),
    "fieldnotes.parser.SOURCE_CCLASS": (
        "search",
        ['s43 = CClass(source, "s43", values={'],
        [
            lambda n: "s" * n,  # the 40 KB block of issue 10
            lambda n: 's43 = CClas(source, "' + "T" * n,  # the typo and a long title
            lambda n: "a = " * (n // 4),
            lambda n: ("x = CClass(source, '" + " " * 10) * (n // 30),
        ],
    ),
    "fieldnotes.python_code._TOKEN": (
        "finditer",
        ['x = "a\\"b"', "'a' # c\n'''"],
        [lambda n: '"' + "a" * n, lambda n: ("'" + " " * 8) * (n // 9), lambda n: '"\\' * (n // 2)],
    ),
    "fieldnotes.python_code._CCLASS_NAME": (
        "fullmatch",
        ["CClass"],
        [lambda n: "CCla" + "s" * n + "!"],
    ),
    "fieldnotes.memo.CODE_ITEM": ("fullmatch", ["data_catalogue"], [lambda n: "a" * n + "!"]),
    "study.coders.NOT_IN_NAME": ("sub", ["coder b,c;d"], [lambda n: " " * n + "x"]),
    "fieldnotes.memo.INS_TAG": ("sub", ["<ins>Option: </ins>"], [lambda n: "</" * n]),
    "fieldnotes.memo.CODE_KIND_WORDS": ("search", ["Familiar options"], [lambda n: "option" * n]),
    "fieldnotes.model.SPEAKER": (
        "fullmatch",
        ["> Interviewer", ">Expert G:", "P12"],
        [lambda n: "> Expert" + " " * n + "!", lambda n: ">" + " " * n + "!"],
    ),
    "fieldnotes.concise._LINE": ("fullmatch", ["familiar: a, b"], [lambda n: "a" * n + " " * n]),
    "fieldnotes.concise._DEFINITION": (
        "fullmatch",
        ['platform_team = CClass(force, "Platform Team")'],
        [lambda n: 'x = CClass(force, "' + '" ' * n, lambda n: "x" + " " * n + "="],
    ),
    "fieldnotes.concise._ARROW": (
        "fullmatch",
        ["k8s -> platform_team: positive"],
        [lambda n: "a -> b" + " " * n + "!", lambda n: "a" + " " * n + "-"],
    ),
    "fieldnotes.edit._ITEM_LINE": (
        "fullmatch",
        ["    quality_monitoring, orchestration,"],
        [lambda n: "a" + " " * n + "!", lambda n: "a , " * (n // 4) + "!"],
    ),
    "fieldnotes.edit._CODE_WORD": ("findall", ["'''\n  a, b\n'''"], [lambda n: "a" * n]),
    "fieldnotes.new_source.SOURCE_ID": ("fullmatch", ["s43"], [lambda n: "s" + "1" * n + "!"]),
    "fieldnotes.reading._IDENTIFIER": ("fullmatch", ["data_catalogue"], [lambda n: "a" * n + "!"]),
    "fieldnotes.reading._OPTION_WORDS": ("search", ["Familiar options"], [lambda n: "option" * n]),
    "fieldnotes.reading._FORCE_WORDS": ("search", ["Forces"], [lambda n: "forc" * n]),
    "fieldnotes.reading._AND": (
        "split",
        ["incremental sync and internal storage", "and more"],
        [lambda n: "a" + " " * n + "x", lambda n: "a" + "\t" * n + "an"],
    ),
    "fieldnotes.reading._LIST_CONTINUATION": (
        "fullmatch",
        ["quality_monitoring, lineage and more,"],
        [lambda n: "a, " * (n // 3) + "!", lambda n: "a" + " " * n + "!"],
    ),
    "fieldnotes.reading._BULLET": ("match", ["- ", "12) "], [lambda n: "-" + " " * n]),
    "fieldnotes.reading._MARKUP": ("sub", ["<ins>Option:</ins> **a** `b`"], [lambda n: "</" * n]),
    "fieldnotes.dialect._TARGET": (
        "sub",
        ["add codes to s43:"],
        [lambda n: "to" + " " * n, lambda n: "to" * n],
    ),
    "fieldnotes.dialect._LEADING": ("match", ["    x"], [lambda n: " \t" * n]),
    "fieldnotes.names._SEPARATORS": ("sub", ["data-catalogue _x"], [lambda n: " -_" * n]),
    "fieldnotes.names._NOT_WORD": ("sub", ["Data-catalogue, x"], [lambda n: "_-" * n]),
    "study.sources._FILE_NAME_ID": ("fullmatch", ["s_43", "p12"], [lambda n: "s_" + "1" * n]),
    "common.files._TEMPORARY_TAIL": ("fullmatch", ["abcd_123.tmp"], [lambda n: "a" * n + ".tmp"]),
    "study.refactor.IDENTIFIER": ("fullmatch", ["ci_cd_process"], [lambda n: "a" * n + "!"]),
    "study.refactor.DEFINITION_LINE": (
        "fullmatch",
        ['    quality = CClass(force, "Quality")  # a comment'],
        [
            lambda n: "x = CClass(" + ")a" * n,
            lambda n: "x = CClass(" + ") , " * n + "!",
            lambda n: "x" + " " * n + "!",
        ],
    ),
    "study.refactor.LIST_SEPARATOR": ("split", ["a, b and c"], [lambda n: "an" * n]),
    "study.refactor.CODES_LINE": (
        "fullmatch",
        ["    quality, quality"],
        [lambda n: "a " * n + "!"],
    ),
    "kernel.completion._AFTER_CCLASS": (
        "search",
        ["x = CClass(pra"],
        [lambda n: "CClass(" + " " * n + "!", lambda n: "CClas" + "s" * n, lambda n: "CClass(" * n],
    ),
    "kernel.completion._IDENTIFIER_PREFIX": ("fullmatch", ["data_cat"], [lambda n: "a" * n + "!"]),
    "kernel.widgets.picker_logic._SEPARATORS": ("sub", ["data catalogue"], [lambda n: " -" * n]),
    "kernel.widgets.picker_logic._WORD": (
        "findall",
        ["Data catalogues list datasets."],
        [lambda n: "ab1" * n, lambda n: "a" * n + "!"],
    ),
    "kernel.widgets.cell_edit._KEYWORD_LINE": (
        "fullmatch",
        ["  familiar: a, b"],
        [lambda n: " " * n + "a" * n, lambda n: "a" + " " * n + "!"],
    ),
    "study.checks.config._RULE_PREFIX": ("fullmatch", ["JC40"], [lambda n: "JC" + "1" * n]),
    "study.checks.metadata._FILE_ID": ("fullmatch", ["s_43", "p12"], [lambda n: "s" * n + "_!"]),
    "study.checks.syntax._ON_LINE": (
        "sub",
        ["'(' was never closed on line 4"],
        [lambda n: "on line " * n],
    ),
    "study.checks.traces._PLACEHOLDER": (
        "fullmatch",
        ["TODO", "...", "<memo>", "n/a"],
        [lambda n: "-" * n + "x", lambda n: "<" + "a" * n, lambda n: "." * n + "x"],
    ),
    "study.fixes._CCLASS_KEY": (
        "match",
        ['    "tiny url": "https://example.org/t/1",'],
        [lambda n: " " * n + "!", lambda n: '"' + "a" * n, lambda n: '"a"' + " " * n + "!"],
    ),
    "study.fixes._LITERAL": (
        "fullmatch",
        ['"a \\" b"', "True", "'x'"],
        [lambda n: '"' + "a" * n, lambda n: '"' + "\\a" * n, lambda n: '"' + '\\"' * n],
    ),
    "study.source_metadata._KIND": ("match", ["s43"], [lambda n: "s" * n]),
    "study.source_metadata._BAD_SCHEME": (
        "match",
        ["https:/example.org"],
        [lambda n: "a" * n + "!"],
    ),
    "study.source_metadata._SCHEME_START": ("match", ["hhttps://example.org"], [lambda n: "h" * n]),
    "study.source_metadata._SCHEME_PREFIX": ("match", ["https://example.org"], [lambda n: "a" * n]),
    "study.source_metadata._PAGE_SUFFIX": ("sub", ["post.html"], [lambda n: ".htm" * n + "!"]),
    "study.source_metadata._WORD_BREAK": (
        "split",
        ["designing-data_products"],
        [lambda n: "- " * n],
    ),
    "study.source_metadata._HOST_AND_PATH": (
        "fullmatch",
        ["example.org/a-b", "www.mindtheproduct.com/x/#:~:text=As"],
        [
            lambda n: "a." * n + "!",
            lambda n: "a" * n + "!",
            lambda n: "a-" * n + ".",
            lambda n: "a.b" + "/" * n + " ",
        ],
    ),
    "study.source_metadata._HASH": (
        "fullmatch",
        ["b6b93edf3d23", "2023"],
        [lambda n: "a" * n + "!", lambda n: "1a" * n + "!", lambda n: "f" * n + "!"],
    ),
    "study.source_metadata._TRAILING_ID": (
        "search",
        ["https://tinyurl.com/data-as-a-product-s43"],
        [lambda n: "-s1" * n + "!", lambda n: "a" * n, lambda n: "-" * n + "s"],
    ),
    "interop.refi_qda._NOT_XML": ("sub", ["a\x00b"], [lambda n: "\x01" * n]),
    "interop.refi_qda_import._XML_POSITION": (
        "sub",
        ["not well-formed (invalid token): line 1, column 2"],
        [lambda n: ": line 1, column 1 " * (n // 20)],
    ),
}
# tuples of patterns: (module attribute, index) -> a name above
PATTERNS.update(
    {
        f"{spellings}[{index}]": ("sub", [example], [lambda n, e=example: e[:-1] * n])
        for spellings in ("fieldnotes.names._SPELLINGS",)
        for index, example in enumerate(
            [
                "standardisation",
                "standardises",
                "standardising",
                "analysed",
                "catalogue",
                "catalogues",
                "behaviour",
                "colours",
                "centre",
                "modelling",
                "modelled",
            ]
        )
    }
)

# the one function allowed to build a pattern at run time (it is tested below)
DYNAMIC = {("jupyter_coding.study.similarity", "letters_in_order")}


def package_patterns() -> dict[str, re.Pattern]:
    """Every compiled pattern a module of the package holds, by qualified name."""
    found: dict[str, re.Pattern] = {}
    for info in pkgutil.walk_packages(jupyter_coding.__path__, "jupyter_coding."):
        if info.name.endswith(".__main__"):
            continue  # running it is the command line
        module = importlib.import_module(info.name)
        short = info.name.removeprefix("jupyter_coding.")
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.setdefault(f"{short}.{name}", value)
            elif isinstance(value, tuple):
                for index, item in enumerate(value):
                    pattern = item[0] if isinstance(item, tuple) and item else item
                    if isinstance(pattern, re.Pattern):
                        found.setdefault(f"{short}.{name}[{index}]", pattern)
    return found


def apply(pattern: re.Pattern, how: str) -> Callable[[str], object]:
    if how == "finditer":
        return lambda text: deque(pattern.finditer(text), maxlen=0)
    if how == "sub":
        return lambda text: pattern.sub("", text)
    return getattr(pattern, how)


def bound_of(how: str) -> float:
    """A tokenizer makes a match per token: 100 KB of one-character tokens is 100,000."""
    return DENSE_BOUND if how == "finditer" else BOUND


def test_every_pattern_of_the_package_is_listed():
    found = package_patterns()
    missing, gone = sorted(set(found) - set(PATTERNS)), sorted(set(PATTERNS) - set(found))
    assert not missing and not gone, (
        "list each pattern in PATTERNS, with an example and its worst inputs: "
        f"not listed {missing}, gone {gone}"
    )
    for name, (how, examples, _) in PATTERNS.items():
        pattern = found[name]
        for example in examples:
            matched = apply(pattern, how)(example)
            if how in ("fullmatch", "match", "search"):
                assert matched, f"{name} does not match its example {example!r}"


RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "split", "findall"}
RE_FUNCTIONS.add("finditer")


def test_no_function_makes_a_pattern_of_its_own():
    """Patterns are compiled once at module level, where the list above sees them."""
    root = Path(jupyter_coding.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        module = "jupyter_coding." + ".".join(path.relative_to(root).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if (module, getattr(function, "name", "<lambda>")) in DYNAMIC:
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "re"
                    and node.func.attr in RE_FUNCTIONS
                ):
                    offenders.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert not offenders, f"a pattern made inside a function: {sorted(set(offenders))}"


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_on_its_worst_inputs(name):
    how, _, worst = PATTERNS[name]
    call = apply(package_patterns()[name], how)
    for index, make in enumerate(worst):
        assert_fast(call, make, f"{name}.{how} on worst input {index}", bound_of(how))


# characters that quantifiers of the patterns above consume
PUMPS = (" ", "\t", "a", "Z", "_", "1", ",", ":", "=", "(", ")", "*", "`", ">", "#", "-", "'", '"')


def sweep_inputs(example: str) -> list[str]:
    """Inputs that make a pattern backtrack if it can: a run pumped in at each place."""
    inputs = []
    for place in range(len(example) + 1):
        head, tail = example[:place], example[place:]
        pumps = set(PUMPS) | {example[place : place + 2], example[place : place + 3]}
        for pump in sorted(pump for pump in pumps if pump):
            run = pump * (SWEEP // len(pump))
            inputs.append(head + run + "\x00")
            inputs.append(head + run + tail + "\x00")
    return inputs


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_on_a_sweep_of_pumped_inputs(name):
    how, examples, _ = PATTERNS[name]
    call = apply(package_patterns()[name], how)
    for example in examples:
        for text in sweep_inputs(example):
            took = timed(call, text, bound=bound_of(how))
            assert took < bound_of(how), f"{name}.{how}: {took:.2f} s on {text[:40]!r}..."


def test_letters_in_order_is_linear_and_right():
    from jupyter_coding.study.similarity import letters_in_order

    for letters, anchored in (("aaaaab", False), ("aaaaab", True), ("dcat", False)):
        test = letters_in_order(letters, anchored)
        assert_fast(test, lambda n: "a" * n, f"letters {letters!r}")
    assert letters_in_order("dcat")("data_catalogue")
    assert not letters_in_order("dcat")("catalogue_data")
    assert letters_in_order("dcat", first_anchored=True)("data_catalogue")
    assert not letters_in_order("acat", first_anchored=True)("data_catalogue")


# -- the readers, on whole adversarial inputs -------------------------------------

SOURCE_BLOCK = (
    "**AXIAL CODING TRACE**: source and references\n``` python\n{code}\n```\n\n# coding\n"
)
HEAD = source_text(1).split("**AXIAL CODING TRACE**")[0]


def with_source_code(code: str) -> str:
    return HEAD + SOURCE_BLOCK.format(code=code)


def parse_and_read(text: str) -> None:
    """Parse and read everything the model derives (what stats and check use)."""
    notes = parse(text, "adversarial.md")
    assert notes.to_text() == text
    for block in notes.python_blocks(include_templates=True):
        block.facts  # noqa: B018 (reads the code)
    for open_trace in notes.open_traces:
        open_trace.code_lists  # noqa: B018
        memo_items(open_trace)
    for quote in notes.quotes:
        quote.speaker  # noqa: B018
    notes.codes_mentioned  # noqa: B018


READER_CASES = {
    # the two cases of the issue: a long word, and CClas( with a long title
    "source definition, one long word": lambda n: with_source_code("s" * n),
    "source definition, CClas( and a long title": lambda n: with_source_code(
        's1 = CClas(source, "s1", values={\n    "title": "' + "T" * n + '"})'
    ),
    "source definition, spaces before =": lambda n: with_source_code("s1" + " " * n + "x"),
    "header line of spaces": lambda n: "# s \n" + " " * n + "x\n",
    "header field of trailing spaces": lambda n: "# s \n1\n## title" + " " * n + "x\n",
    "marker of spaces": lambda n: "**OPEN CODING" + " " * n + "x\n",
    "label of spaces": lambda n: (
        "**AXIAL CODING TRACE:**\nadd codes to" + " " * n + "!\n``` python\na\n```\n"
    ),
    "malformed image": lambda n: "![a](" + "](" * (n // 2) + "\n",
    "memo list with spaces before the colon": lambda n: (
        "**OPEN CODING TRACE:**\n\nFamiliar option" + " " * n + "x\n"
    ),
    "memo list with spaces in an item": lambda n: (
        "**OPEN CODING TRACE:**\n\nFamiliar options: a" + " " * n + "x\n"
    ),
    "memo list continuation": lambda n: (
        "**OPEN CODING TRACE:**\n\nFamiliar options: a,\n" + "a, " * (n // 3) + "!\n"
    ),
    "speaker lines": lambda n: "> Expert" + " " * n + "!\n",
}
DENSE_CASES = {
    "python, one long line of quotes and backslashes": lambda n: (
        "**AXIAL CODING TRACE:**\n``` python\n" + '"\\' * (n // 2) + "\n```\n"
    ),
    "python of unclosed strings": lambda n: (
        "**AXIAL CODING TRACE:**\n``` python\n" + ("'" + " " * 9 + "\n") * (n // 11) + "```\n"
    ),
    "python of open brackets": lambda n: (
        "**AXIAL CODING TRACE:**\n``` python\nadd_links(" + "[{(" * (n // 3) + "\n```\n"
    ),
    "python of definitions never closed": lambda n: (
        "**AXIAL CODING TRACE:**\n``` python\n" + 'x = CClass(force, "X"\n' * (n // 22) + "```\n"
    ),
    "python of words with spaces": lambda n: (
        "**AXIAL CODING TRACE:**\n``` python\n" + "a " * (n // 2) + "\n```\n"
    ),
    "fences never closed": lambda n: "``` text\n> a\n" * (n // 13),
    "python fences never closed": lambda n: "``` python\nx\n\n" * (n // 14),
    # each long opener would look through every short closer after it
    "long openers and short closers": lambda n: "````` python\n```\n" * (n // 17),
    "long openers of text and short closers": lambda n: "````` text\n```\n> q\n" * (n // 20),
}


@pytest.mark.parametrize("case", sorted(READER_CASES))
def test_parse_and_read_adversarial_text(case):
    assert_fast(parse_and_read, READER_CASES[case], case)


@pytest.mark.parametrize("case", sorted(DENSE_CASES))
def test_parse_and_read_dense_adversarial_text(case):
    assert_fast(parse_and_read, DENSE_CASES[case], case, DENSE_BOUND)


def test_study_readers_on_many_traces():
    """What stats, check and the codebook read of a file, on thousands of traces."""
    one = trace("We rotate.", "Familiar option: a", 'a = CClass(force, "A")', ["a"])

    def read_study(text: str) -> None:
        file_stats(parse(text, "s_1.md"))
        check_notes(parse(text, "s_1.md"))
        codebook_entries(Study.from_notes([parse(text, "s_1.md")]))

    study = lambda n: source_text(1, one * (n // 200))  # noqa: E731
    assert_fast(read_study, study, "study readers", DENSE_BOUND)


def test_python_reader_on_adversarial_code():
    for make in (
        lambda n: "s" * n,
        lambda n: '"' * n,
        lambda n: "'''" + "a," * (n // 2),
        lambda n: "add_force_relations({" + "a: {b: positive," * (n // 17),
        lambda n: "x = CClas" + "s" * n + "(",
        lambda n: "{" * n,
    ):
        read = lambda code: read_code(code, 1, attach=True)  # noqa: E731
        assert_fast(read, make, "read_code", DENSE_BOUND)
        values = lambda n, make=make: "values={" + make(n)  # noqa: E731
        assert_fast(read_values, values, "read_values", DENSE_BOUND)


def test_memo_readers_on_long_lines():
    for make in (
        lambda n: "Familiar option" + " " * n + "x",
        lambda n: "a" * n + ": b",
        lambda n: "Familiar options:" + " " * n,
        lambda n: "Familiar options: " + "a and " * (n // 6),
    ):
        assert_fast(lambda text: read_code_list(text, 1), make, "read_code_list")


def test_concise_reader_on_long_lines():
    for make in (
        lambda n: 'new: x = CClass(force, "' + '" ' * n,
        lambda n: "relate: a -> b" + " " * n + "!",
        lambda n: "familiar" + " " * n + "x",
        lambda n: "memo: " + "a" * n,
    ):
        assert_fast(lambda text: _concise_or_error(text), make, "read_concise")


def _concise_or_error(text: str) -> None:
    # a one-line error is a fine answer; a slow one is not
    with contextlib.suppress(jupyter_coding.fieldnotes.FieldNotesError):
        read_concise(text)


def test_similarity_on_long_identifiers():
    for a, b in (
        ("x" + "a" * 100_000 + "y", "z" + "a" * 100_000 + "w"),
        ("ab" * 50_000, "ba" * 50_000),
        ("a" * 100_000, "b" * 100_000),
    ):
        assert timed(edit_distance, a, b, 3) < BOUND
    names = ["a" * 100_000 + str(index) for index in range(3)]
    assert timed(closest, "a" * 100_000, names) < BOUND
    assert_fast(spelling_key, lambda n: "isation" * (n // 7), "spelling_key")
    assert_fast(spelling_key, lambda n: "isation_" * (n // 8), "spelling_key", DENSE_BOUND)


def test_edit_distance_still_levenshtein():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("kitten", "sitting", 2) == 3  # past the limit: limit + 1
    assert edit_distance("ci_cd_proces", "ci_cd_process", 1) == 1
    assert edit_distance("", "abc") == 3 and edit_distance("abc", "") == 3
    assert edit_distance("flaw", "lawn") == 2
    assert edit_distance("stale", "table", 2) == 2
