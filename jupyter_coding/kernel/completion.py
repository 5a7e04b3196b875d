"""Tab completion of code identifiers and metaclasses inside ``%%code`` cells.

Uses IPython's completer extension API (a v2 matcher), so it works in the
terminal and in JupyterLab alike.
"""

from __future__ import annotations

import re

from IPython.core.completer import (
    CompletionContext,
    SimpleCompletion,
    SimpleMatcherResult,
    context_matcher,
)

from jupyter_coding.study.similarity import letters_in_order

__all__ = ["CodeCompleter", "install_completer", "uninstall_completer"]

_AFTER_CCLASS = re.compile(r"CClas+\(\s*(?P<prefix>\w*)$")
_IDENTIFIER_PREFIX = re.compile(r"(?:[^\W\d]\w*)?$")
# how many completions to offer for an empty prefix
MAX_COMPLETIONS = 200


class CodeCompleter:
    """Completions from the study codebook, most used codes first."""

    def __init__(self, magics) -> None:
        self.magics = magics
        self._ranked: list[tuple[str, str]] = []
        self._ranked_for: object = None

    def ranked(self) -> list[tuple[str, str]]:
        """(identifier, metaclass) pairs, most used first; rebuilt when the codebook changes."""
        codebook = self.magics.codebook()
        codes = codebook.codes  # a new dict object whenever the codebook changed
        if codes is not self._ranked_for:
            self._ranked = [
                (code.identifier, code.metaclass or "code")
                for code in codebook.ranked()
                if code.identifier.isidentifier()
            ]
            self._ranked_for = codes
        return self._ranked

    def complete(self, line: str, token: str) -> list[SimpleCompletion]:
        """Completions for a ``%%code`` cell line up to the cursor, ``token`` being completed."""
        after_cclass = _AFTER_CCLASS.search(line)
        if after_cclass:
            prefix = after_cclass.group("prefix")
            metaclasses = self.magics.codebook().metaclasses() or [
                "practice",
                "force",
                "pattern",
                "decision",
            ]
            return [
                SimpleCompletion(name, type="metaclass")
                for name in metaclasses
                if name.startswith(prefix)
            ]
        if not _IDENTIFIER_PREFIX.fullmatch(token):
            return []
        ranked = self.ranked()
        found = [(name, kind) for name, kind in ranked if name.startswith(token)]
        if len(token) >= 2:
            found += [(n, k) for n, k in ranked if token in n and not n.startswith(token)]
        if not found and len(token) >= 3:
            # a typo or an abbreviation: the letters in order (``dcat`` -> data_catalogue)
            letters = letters_in_order(token, first_anchored=True)
            found = [(n, k) for n, k in ranked if letters(n)]
        return [SimpleCompletion(name, type=kind) for name, kind in found[:MAX_COMPLETIONS]]

    def matcher(self):
        """The v2 matcher IPython calls with a CompletionContext."""

        # before Jedi and the others, so that inside %%code they are suppressed
        @context_matcher(priority=100)
        def jupyter_coding_codes(context: CompletionContext) -> SimpleMatcherResult:
            in_code_cell = context.full_text.lstrip().startswith("%%code")
            if not in_code_cell or context.cursor_line < 1:
                return {"completions": [], "suppress": False}
            try:
                completions = self.complete(context.text_until_cursor, context.token)
            except Exception:  # completion must never break the user's typing
                return {"completions": [], "suppress": False}
            return {"completions": completions, "suppress": True, "ordered": True}

        return jupyter_coding_codes


def install_completer(shell, magics) -> CodeCompleter:
    uninstall_completer(shell)
    completer = CodeCompleter(magics)
    matcher = completer.matcher()
    matcher.jupyter_coding = True
    shell.Completer.custom_matchers.append(matcher)
    return completer


def uninstall_completer(shell) -> None:
    shell.Completer.custom_matchers[:] = [
        m for m in shell.Completer.custom_matchers if not getattr(m, "jupyter_coding", False)
    ]
