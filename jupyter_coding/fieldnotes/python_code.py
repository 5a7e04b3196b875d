"""Tolerant reading of the python written in axial coding traces.

The blocks look like Python but often are not (FORMAT.md §5.5): unbalanced braces,
``CClas(`` typos, identifiers with spaces, strings broken by a newline, definitions
inside ``'''`` strings. So nothing here uses ``ast`` or executes anything: a small
tokenizer and a forgiving scanner pull out what the researcher meant and note what
they could not read as a *problem* (a finding for ``checks``, never an exception).

Why one module: the tokenizer and the forgiving scanner share the token kinds and the
recovery rules; apart they would be two halves of one reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

__all__ = [
    "CodeFacts",
    "Definition",
    "Problem",
    "Relation",
    "Use",
    "read_code",
    "read_values",
    "token_spans",
]

# deeper brackets are skipped, not read: hostile input must not exhaust the stack
MAX_NESTING = 100

RELATION_FUNCTIONS = {
    "add_force_relations": "force",
    "add_decision_option_link": "decision_option",
    "add_decision_link": "decision_link",
    "add_links": "link",
}

# Order matters: triple quotes before plain strings, strings before comments.
# A quote that opens no string is an ``op``. The string it failed to open is not
# looked for again from each escaped quote inside it, because ``esc`` takes a
# backslash and the quote after it as one token (an ``op`` too): without that, a
# long line of backslashes and quotes is scanned to its end once per quote
# (quadratic). Outside strings a backslash is never valid python but before a
# newline, so no code that means something reads differently.
_TOKEN = re.compile(
    r"""
    (?P<tq>'''|\"\"\")
  | (?P<str>"(?:[^"\\\n]|\\.)*(?:\n(?:[^"\\\n]|\\.)*)?"|'(?:[^'\\\n]|\\.)*')
  | (?P<comment>\#[^\n]*)
  | (?P<nl>\n)
  | (?P<ws>[ \t\r\f\v]+|\\\n)
  | (?P<ident>[^\W\d]\w*)
  | (?P<num>\d[\w.]*)
  | (?P<esc>\\["'])
  | (?P<op>.)
    """,
    re.VERBOSE | re.DOTALL,
)


# ``CClas(`` is a typo the corpus has: still a definition
_CCLASS_NAME = re.compile(r"CClas+")


class Token(NamedTuple):
    kind: str  # tq, str, comment, nl, ident, num, op
    text: str
    line: int  # 0-based line within the code


@dataclass(frozen=True)
class Definition:
    """``identifier = CClass(metaclass, "Label")``."""

    identifier: str
    metaclass: str
    label: str | None
    line: int  # 1-based line in the file
    malformed: bool = False


@dataclass(frozen=True)
class Use:
    """An identifier named in a block: a code reused, or attached to the source."""

    identifier: str
    line: int


@dataclass(frozen=True)
class Relation:
    """An edge of the axial model.

    ``kind`` is ``force`` (value: the stereotype such as ``positive``),
    ``decision_option`` (value: the link label), ``decision_link`` or ``link``
    (value: the role name).
    """

    kind: str
    source: str
    target: str
    value: str | None
    line: int


@dataclass(frozen=True)
class Problem:
    """Something in a python block that could not be read as intended."""

    line: int
    message: str


@dataclass
class CodeFacts:
    """What one python block says about codes."""

    definitions: list[Definition] = field(default_factory=list)
    reused: list[Use] = field(default_factory=list)
    attached: list[Use] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    has_list_string: bool = False


def tokenize(code: str) -> list[Token]:
    """Split ``code`` into tokens, dropping spaces but keeping newlines."""
    tokens: list[Token] = []
    line = 0
    append = tokens.append
    for match in _TOKEN.finditer(code):
        kind = "op" if match.lastgroup == "esc" else match.lastgroup
        text = match.group()
        if kind == "nl":
            append(Token(kind, text, line))
            line += 1
            continue
        if kind != "ws":
            append(Token(kind, text, line))
        if kind in ("str", "ws") and "\n" in text:
            line += text.count("\n")
    return tokens


def token_spans(code: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every token of ``code``, spaces included: for exact edits."""
    for match in _TOKEN.finditer(code):
        kind = match.lastgroup
        yield "op" if kind == "esc" else kind, match.start(), match.end()


class _Scanner:
    """Walks the tokens of one block and collects the facts."""

    def __init__(self, tokens: list[Token], first_line: int, attach: bool) -> None:
        self.tokens = tokens
        self.pos = 0
        self.first_line = first_line
        self.attach = attach
        self.facts = CodeFacts()
        self.in_list = False  # inside a ''' string: bare identifiers are list items

    # -- token helpers -------------------------------------------------
    def peek(self, offset: int = 0) -> Token | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def at(self, text: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "op" and token.text == text

    def lineno(self, token: Token | None) -> int:
        if token is None:
            token = self.tokens[-1] if self.tokens else Token("nl", "", 0)
        return self.first_line + token.line

    def problem(self, token: Token | None, message: str) -> None:
        self.facts.problems.append(Problem(self.lineno(token), message))

    def skip_layout(self) -> None:
        """Skip newlines and comments (inside brackets they mean nothing)."""
        while (token := self.peek()) is not None and token.kind in ("nl", "comment"):
            if token.kind == "comment":
                self.facts.comments.append(token.text)
            self.pos += 1

    # -- statements ----------------------------------------------------
    def run(self) -> CodeFacts:
        while (token := self.peek()) is not None:
            start = self.pos
            self.statement(token)
            if self.pos == start:
                self.pos += 1
        if self.in_list:
            self.problem(None, "a ''' string is never closed")
        return self.facts

    def statement(self, token: Token) -> None:
        if token.kind == "comment":
            self.facts.comments.append(token.text)
            self.pos += 1
        elif token.kind == "tq":
            self.in_list = not self.in_list
            self.facts.has_list_string = True
            self.pos += 1
        elif token.kind in ("nl", "num", "str") or (token.kind == "op" and token.text in ",;"):
            self.pos += 1
        elif token.kind == "ident":
            self.identifier_statement(token)
        elif token.kind == "op" and token.text == "{":
            self.problem(token, "a relation dictionary without add_force_relations(...)")
            self.force_dict()
        else:
            self.problem(token, f"unexpected {token.text!r}")
            self.pos += 1

    def identifier_statement(self, token: Token) -> None:
        nxt = self.peek(1)
        if self.at("=", 1):
            self.assignment(token)
        elif token.text in RELATION_FUNCTIONS and (self.at("(", 1) or self.at("{", 1)):
            self.relation_call(token, subject=None)
        elif self.at(".", 1) and (method := self.peek(2)) and method.text in RELATION_FUNCTIONS:
            self.pos += 2
            self.relation_call(method, subject=token.text)
        elif self.at(":", 1) and self.at("{", 2):
            # ``practice: {force: positive}`` with neither call nor outer braces
            self.problem(token, "a relation dictionary without add_force_relations(...)")
            self.force_items(closing=None)
        elif nxt is not None and nxt.kind == "op" and nxt.text in "([":
            self.problem(token, f"unknown call {token.text}(...)")
            self.pos += 1
            self.skip_bracketed()
        else:
            self.bare_identifiers()

    def bare_identifiers(self) -> None:
        """One identifier (words joined by spaces count as one), then a separator."""
        words: list[Token] = []
        while (token := self.peek()) is not None and token.kind == "ident":
            words.append(token)
            self.pos += 1
        name = " ".join(word.text for word in words)
        use = Use(name, self.lineno(words[0]))
        if len(words) > 1:
            self.problem(words[0], f"identifier with spaces {name!r}")
        if self.attach:
            self.facts.attached.append(use)
        else:
            self.facts.reused.append(use)

    def assignment(self, target: Token) -> None:
        self.pos += 2  # identifier, '='
        callee = self.peek()
        if callee is not None and callee.kind == "ident" and _CCLASS_NAME.fullmatch(callee.text):
            self.definition(target, callee)
            return
        # ``x = \`` / ``register.add_links(...)[0]``: an assignment of a link
        if callee is not None and callee.kind == "ident" and self.at(".", 1):
            method = self.peek(2)
            if method is not None and method.text in RELATION_FUNCTIONS:
                self.pos += 2
                self.relation_call(method, subject=callee.text)
                return
        self.problem(target, f"assignment to {target.text} is not a CClass definition")
        self.skip_expression()

    def definition(self, target: Token, callee: Token) -> None:
        self.pos += 1
        malformed = callee.text != "CClass"
        if not self.at("("):
            self.problem(callee, f"{target.text} = {callee.text} without '('")
            self.facts.definitions.append(
                Definition(target.text, "", None, self.lineno(target), True)
            )
            return
        self.pos += 1
        self.skip_layout()
        metaclass_token = self.peek()
        metaclass = ""
        if metaclass_token is not None and metaclass_token.kind == "ident":
            metaclass = metaclass_token.text
            self.pos += 1
        else:
            malformed = True
        self.skip_layout()
        label = None
        if self.at(","):
            self.pos += 1
            self.skip_layout()
            label_token = self.peek()
            if label_token is not None and label_token.kind == "str":
                label = unquote(label_token.text)
                self.pos += 1
        if label is None or not metaclass:
            malformed = True
        closed = self.skip_to_close("(")
        if not closed:
            malformed = True
        if malformed:
            self.problem(target, f"malformed definition of {target.text}")
        self.facts.definitions.append(
            Definition(target.text, metaclass, label, self.lineno(target), malformed)
        )

    # -- relations -----------------------------------------------------
    def relation_call(self, name: Token, subject: str | None) -> None:
        kind = RELATION_FUNCTIONS[name.text]
        self.pos += 1
        if kind == "force":
            self.force_call(name)
            return
        args = self.call_arguments(name)
        line = self.lineno(name)
        if kind == "link":
            role = args.keywords.get("role_name")
            if subject is not None:
                for target in args.positional[:1]:
                    for item in target.names():
                        self.add_relation("link", subject, item, role, line)
            elif args.positional and args.positional[0].mapping:
                for source, targets in args.positional[0].mapping:
                    for item in targets.names():
                        self.add_relation("link", source, item, role, line)
            return
        names = [arg.name for arg in args.positional]
        if len(names) < 2 or not names[0] or not names[1]:
            self.problem(name, f"{name.text}(...) needs two code identifiers")
            return
        label = args.positional[2].string if len(args.positional) > 2 else None
        self.add_relation(kind, names[0], names[1], label, line)

    def add_relation(self, kind: str, source: str, target: str, value, line: int) -> None:
        self.facts.relations.append(Relation(kind, source, target, value, line))

    def force_call(self, name: Token) -> None:
        # ``add_force_relations({...})``; tolerate ``add_force_relations{(...})``.
        opened = []
        while (token := self.peek()) is not None and token.kind == "op" and token.text in "({":
            opened.append(token.text)
            self.pos += 1
            self.skip_layout()
        if opened != ["(", "{"]:
            self.problem(name, "expected add_force_relations({practice: {force: value}})")
        if "{" in opened:
            self.force_items(closing="}")
        self.skip_closers()

    def force_dict(self) -> None:
        self.pos += 1  # '{'
        self.force_items(closing="}")

    def force_items(self, closing: str | None) -> None:
        """``practice: {force: stereotype, ...}, ...`` up to ``closing``."""
        practice: str | None = None
        while True:
            self.skip_layout()
            token = self.peek()
            if token is None or token.kind == "tq":
                return
            if token.kind == "op" and token.text == closing:
                self.pos += 1
                return
            if token.kind == "op" and token.text == ",":
                self.pos += 1
                continue
            if token.kind != "ident":
                if closing is None or (token.kind == "op" and token.text in ")]"):
                    return  # a stray closer ends the call: read no further
                self.problem(token, f"unexpected {token.text!r} in force relations")
                self.pos += 1
                continue
            key = self.words()
            self.skip_layout()
            if not self.at(":"):
                self.problem(token, f"expected ':' after {key}")
                return
            self.pos += 1
            self.skip_layout()
            if self.at("{"):
                self.pos += 1
                practice = key
                self.force_edges(practice, token)
            elif practice is not None and (value := self.peek()) and value.kind == "ident":
                # ``{p: {f1: v}\n f2: v}``: the inner braces closed too early
                self.problem(token, f"{key} is outside the relations of {practice}")
                self.add_relation("force", practice, key, self.words(), self.lineno(token))
            else:
                self.problem(token, f"expected {{force: value}} for {key}")
                return
            if closing is None:
                return

    def force_edges(self, practice: str, at: Token) -> None:
        while True:
            self.skip_layout()
            token = self.peek()
            if token is None or token.kind == "tq":
                self.problem(at, f"relations of {practice} are never closed")
                return
            if token.kind == "op" and token.text == "}":
                self.pos += 1
                return
            if token.kind == "op" and token.text == ",":
                self.pos += 1
                continue
            if token.kind != "ident":
                if token.kind == "op" and token.text in ")]":
                    self.problem(token, f"relations of {practice} closed by {token.text!r}")
                    return
                self.problem(token, f"unexpected {token.text!r} in relations of {practice}")
                self.pos += 1
                continue
            force = self.words()
            self.skip_layout()
            value = None
            if self.at(":"):
                self.pos += 1
                self.skip_layout()
                if (value_token := self.peek()) is not None and value_token.kind == "ident":
                    value = self.words()
                else:
                    self.problem(token, f"no value for {practice} -> {force}")
            self.add_relation("force", practice, force, value, self.lineno(token))

    def words(self) -> str:
        """Identifiers in a row (``very positive``) read as one name."""
        words = []
        while (token := self.peek()) is not None and token.kind == "ident":
            words.append(token.text)
            self.pos += 1
        return " ".join(words)

    # -- generic argument reading ----------------------------------------
    def call_arguments(self, name: Token) -> _Arguments:
        args = _Arguments()
        while (token := self.peek()) is not None and token.kind == "op" and token.text == "(":
            self.pos += 1  # ``((x, ...)`` occurs: read through extra parentheses
        while True:
            self.skip_layout()
            token = self.peek()
            if token is None or token.kind == "tq":
                self.problem(name, f"{name.text}( is never closed")
                return args
            if token.kind == "op" and token.text == ")":
                self.pos += 1
                self.skip_closers()
                return args
            if token.kind == "op" and token.text == ",":
                self.pos += 1
                continue
            if token.kind == "ident" and self.at("=", 1):
                self.pos += 2
                value = self.value()
                args.keywords[token.text] = value.string if value.string is not None else value.name
                continue
            if token.kind == "op" and token.text not in "[{":
                self.problem(token, f"unexpected {token.text!r} in {name.text}(...)")
                self.pos += 1
                continue
            args.positional.append(self.value())

    def value(self, depth: int = 0) -> _Value:
        self.skip_layout()
        token = self.peek()
        if token is None:
            return _Value()
        if depth > MAX_NESTING and token.kind == "op" and token.text in "[{(":
            self.problem(token, f"brackets nested more than {MAX_NESTING} deep")
            self.pos += 1
            self.skip_to_close(token.text)
            return _Value(other=token.text)
        if token.kind == "ident":
            return _Value(name=self.words())
        if token.kind == "str":
            self.pos += 1
            text = unquote(token.text)
            while self.at("+"):
                self.pos += 1
                self.skip_layout()
                if (more := self.peek()) is not None and more.kind == "str":
                    text += unquote(more.text)
                    self.pos += 1
            return _Value(string=text)
        if token.kind == "op" and token.text == "[":
            self.pos += 1
            items: list[_Value] = []
            self.read_items("]", lambda: items.append(self.value(depth + 1)))
            return _Value(items=items)
        if token.kind == "op" and token.text == "{":
            self.pos += 1
            mapping: list[tuple[str, _Value]] = []

            def entry() -> None:
                key = self.value(depth + 1)
                self.skip_layout()
                if self.at(":"):
                    self.pos += 1
                    mapping.append((key.name or key.string or "", self.value(depth + 1)))

            self.read_items("}", entry)
            return _Value(mapping=mapping)
        self.pos += 1
        return _Value(other=token.text)

    def read_items(self, closer: str, read_one) -> None:
        """Call ``read_one`` per comma-separated item up to ``closer``.

        A wrong closing bracket or the end of a ``'''`` list ends the items too,
        and the wrong bracket is left for the caller.
        """
        wrong_closers = ")]}".replace(closer, "")
        while True:
            self.skip_layout()
            inner = self.peek()
            if inner is None or inner.kind == "tq":
                return
            if inner.kind == "op" and inner.text in wrong_closers:
                return
            if inner.kind == "op" and inner.text == closer:
                self.pos += 1
                return
            if inner.kind == "op" and inner.text == ",":
                self.pos += 1
                continue
            before = self.pos
            read_one()
            if self.pos == before:
                self.pos += 1  # a token no item starts with: step over it

    # -- skipping ------------------------------------------------------
    def skip_closers(self) -> None:
        """Eat the ``)``, ``}``, ``]`` and ``[0]`` that close a call."""
        while (token := self.peek()) is not None:
            if token.kind == "op" and token.text in ")}]":
                self.pos += 1
            elif token.kind == "op" and token.text == "[":
                self.pos += 1
                self.skip_bracketed(opened=True)
            else:
                return

    def skip_to_close(self, opener: str) -> bool:
        """Skip to the bracket closing ``opener``; a wrong closer counts as closing."""
        depth = 1
        while (token := self.peek()) is not None:
            if token.kind == "tq":
                return False
            if token.kind == "op" and token.text in "([{":
                depth += 1
            elif token.kind == "op" and token.text in ")]}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return token.text == {"(": ")", "[": "]", "{": "}"}[opener]
            elif token.kind == "nl" and depth == 1 and self.peek(1) is not None:
                # a definition never spans lines once its label is read
                following = self.peek(1)
                if following.kind == "ident" and self.at("=", 2):
                    return False
            self.pos += 1
        return False

    def skip_bracketed(self, opened: bool = False) -> None:
        if not opened:
            if not (self.peek() and self.peek().kind == "op" and self.peek().text in "([{"):
                return
            self.pos += 1
        self.skip_to_close("(")

    def skip_expression(self) -> None:
        depth = 0
        while (token := self.peek()) is not None:
            if token.kind == "tq":
                return
            if token.kind == "nl" and depth <= 0:
                return
            if token.kind == "op" and token.text in "([{":
                depth += 1
            elif token.kind == "op" and token.text in ")]}":
                depth -= 1
            self.pos += 1


@dataclass
class _Value:
    name: str | None = None
    string: str | None = None
    items: list[_Value] | None = None
    mapping: list[tuple[str, _Value]] | None = None
    other: str | None = None

    def names(self) -> list[str]:
        if self.name:
            return [self.name]
        if self.items is not None:
            return [name for item in self.items for name in item.names()]
        return []

    def is_empty(self) -> bool:
        return self == _Value()


@dataclass
class _Arguments:
    positional: list[_Value] = field(default_factory=list)
    keywords: dict[str, str | None] = field(default_factory=dict)


def unquote(literal: str) -> str:
    """The text of a one-line string literal, without evaluating escapes beyond quotes."""
    body = literal[1:-1] if len(literal) >= 2 else ""
    quote = literal[0] if literal else '"'
    return body.replace("\\" + quote, quote).replace("\\\\", "\\")


def read_code(code: str, first_line: int, attach: bool) -> CodeFacts:
    """Read the codes in one python block.

    ``first_line`` is the 1-based file line of the code's first line. With
    ``attach`` (an ``add codes to sN`` block) bare identifiers are codes attached
    to the source; otherwise they are codes reused.
    """
    return _Scanner(tokenize(code), first_line, attach).run()


def read_values(code: str) -> tuple[dict[str, object], list[str]]:
    """The ``values={...}`` of a ``CClass(source, ...)`` call, and their key order.

    Strings keep their text (concatenations joined), ``True``/``False``/``None``
    become Python values, anything else its source text.
    """
    tokens = tokenize(code)
    scanner = _Scanner(tokens, 1, attach=False)
    for index, token in enumerate(tokens):
        if (
            token.kind == "ident"
            and token.text == "values"
            and index + 2 < len(tokens)
            and tokens[index + 1].text == "="
            and tokens[index + 2].text == "{"
        ):
            scanner.pos = index + 2
            mapping = scanner.value().mapping or []
            values: dict[str, object] = {}
            for key, value in mapping:
                values[key] = _python_value(value)
            return values, list(values)
    return {}, []


def _python_value(value: _Value) -> object:
    if value.string is not None:
        return value.string
    if value.name in ("True", "False", "None"):
        return {"True": True, "False": False, "None": None}[value.name]
    return value.name if value.name is not None else value.other
