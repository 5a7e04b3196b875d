"""The code picker as ipywidgets: search box, matches, details, picks and a new-code form.

All decisions are made by :class:`~.picker_logic.PickerState`; this module only
turns its state into widgets and widget events into calls on it. Keyboard use:
type in the search box, Enter picks the highlighted (top) match and clears the
box for the next one; Tab leaves the box, and Shift+Enter then runs the cell
again, which writes the picks into the cell's text (see ``%%code``).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from ipywidgets import HTML, Button, Combobox, HBox, Layout, Text, VBox

from ..display import chip, metaclass_colour
from .picker_logic import CodeDetail, Match, PickerState, label_from_identifier

__all__ = ["CELL_HINT", "NEW_CELL_HINT", "CodePicker"]

CELL_HINT = "Tab, then Shift+Enter: runs this cell again and writes the picks into it."
NEW_CELL_HINT = "Tab, then Shift+Enter: runs this cell again, which adds a %%code cell below."


def _escape(text: str | None) -> str:
    return html.escape(text or "")


def matches_html(state: PickerState) -> str:
    """The ranked matches, the highlighted one marked."""
    if not state.matches:
        what = html.escape(state.query.strip())
        return (
            f'<div class="jc-matches jc-empty">no code matches <code>{what}</code>: '
            "create it below</div>"
        )
    rows = []
    for number, match in enumerate(state.matches):
        rows.append(_match_row(match, number == state.highlight))
    more = state.total - len(state.matches)
    counted = f"{state.total} match{'es' if state.total != 1 else ''}"
    if more > 0:
        counted += f" ({more} more: type more to narrow)"
    return f'<div class="jc-matches"><div style="opacity:.7">{counted}</div>{"".join(rows)}</div>'


def _match_row(match: Match, highlighted: bool) -> str:
    colour = metaclass_colour(match.metaclass)
    background = "background:rgba(0,114,178,.15);" if highlighted else ""
    marker = "&#9656; " if highlighted else "&nbsp;&nbsp;"
    css_class = "jc-match jc-highlight" if highlighted else "jc-match"
    return (
        f'<div class="{css_class}" data-code="{_escape(match.identifier)}" '
        f'style="{background}border-left:6px solid {colour};padding:1px 6px;margin:1px 0;'
        'white-space:nowrap;overflow:hidden;text-overflow:ellipsis">'
        f"{marker}<code>{_escape(match.identifier)}</code> "
        f'<span style="opacity:.85">{_escape(match.label) or "<i>undefined</i>"}</span> '
        f'<span style="color:{colour}">{_escape(match.metaclass or "")}</span> '
        f'<span style="opacity:.6">{match.use_count} use{"s" if match.use_count != 1 else ""}'
        "</span></div>"
    )


def detail_html(detail: CodeDetail | None) -> str:
    """Definition, uses and evidence quotes of the highlighted code."""
    if detail is None:
        return '<div class="jc-detail"></div>'
    parts = [f'<div class="jc-detail"><b>{_escape(detail.identifier)}</b>']
    if detail.definitions:
        parts.append(
            "<div>defined as "
            + "; ".join(f"<code>{_escape(d)}</code>" for d in detail.definitions)
            + "</div>"
        )
    else:
        parts.append("<div><i>defined nowhere in the study</i></div>")
    parts.append(f"<div>{_escape(uses_text(detail))}</div>")
    for where, text in detail.evidence:
        parts.append(
            '<blockquote class="jc-evidence" style="margin:2px 0 2px 8px;padding-left:6px;'
            f'border-left:3px solid #ccc">{_escape(text)} '
            f'<span style="opacity:.6">({_escape(where)})</span></blockquote>'
        )
    parts.append("</div>")
    return "".join(parts)


USE_KINDS = (("attached", "attached"), ("reused", "reused"), ("defined", "defined"))


def uses_text(detail: CodeDetail) -> str:
    """``applied 24 times (13 attached, 10 reused, 1 defined) in s1, s3 …; 19 relations; ...``.

    The count is the codebook's (traces that apply the code); relation ends and memo
    mentions are said apart.
    """
    kinds = ", ".join(
        f"{detail.uses_by_kind[how]} {words}"
        for how, words in USE_KINDS
        if how in detail.uses_by_kind
    )
    text = f"applied {detail.use_count} time{'s' if detail.use_count != 1 else ''}"
    text += f" ({kinds})" if kinds else ""
    if detail.sources:
        text += " in " + ", ".join(detail.sources[:12]) + (" …" if len(detail.sources) > 12 else "")
    related = detail.uses_by_kind.get("related", 0)
    if related:
        text += f"; {related} relation end{'s' if related != 1 else ''}"
    memos = detail.uses_by_kind.get("memo", 0)
    if memos:
        text += f"; named in {memos} memo{'s' if memos != 1 else ''}"
    return text


class CodePicker(VBox):
    """A picker bound to a :class:`PickerState` (one cell's picks)."""

    def __init__(
        self,
        state: PickerState,
        hint: str = CELL_HINT,
        on_change: Callable[[PickerState], None] | None = None,
    ) -> None:
        self.state = state
        self.hint = hint
        self.on_change = on_change
        self._confirm: tuple[str, str] | None = None  # near-duplicate awaiting a second Create
        self.search = Text(
            value=state.query,
            placeholder="search codes: identifier or label (Enter picks the top match)",
            continuous_update=True,
            layout=Layout(width="32em"),
        )
        self.pick_button = Button(
            description="Pick", icon="check", tooltip="pick the highlighted code (Enter)"
        )
        self.up_button = Button(icon="arrow-up", tooltip="highlight the match above")
        self.down_button = Button(icon="arrow-down", tooltip="highlight the match below")
        self.undo_button = Button(description="Undo pick", icon="undo")
        for button in (self.up_button, self.down_button):
            button.layout = Layout(width="3em")
        self.matches_view = HTML()
        self.detail_view = HTML()
        self.picked_view = HTML()
        self.new_identifier = Text(placeholder="new_code_identifier", continuous_update=True)
        self.new_metaclass = Combobox(
            options=tuple(state.metaclasses),
            placeholder="metaclass: " + ", ".join(state.metaclasses),
            continuous_update=True,
        )
        self.new_label = Text(placeholder="Label (default: from the identifier)")
        self.create_button = Button(description="New code", icon="plus")
        self.message = HTML()

        self.search.observe(self._on_query, "value")
        self.search.on_msg(self._on_search_message)
        self.pick_button.on_click(lambda _: self.pick())
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(1))
        self.undo_button.on_click(lambda _: self.undo())
        self.create_button.on_click(lambda _: self.create())
        for field in (self.new_identifier, self.new_label):
            field.on_msg(self._on_form_message)
        self.new_identifier.observe(self._on_new_identifier, "value")

        super().__init__(
            children=[
                HBox([self.search, self.pick_button, self.up_button, self.down_button]),
                HBox([self.matches_view, self.detail_view]),
                HBox([self.picked_view, self.undo_button]),
                HBox([self.new_identifier, self.new_metaclass, self.new_label, self.create_button]),
                self.message,
            ]
        )
        self.matches_view.layout = Layout(width="50%")
        self.detail_view.layout = Layout(width="50%")
        self.add_class("jc-picker")
        self.refresh()

    # -- events --------------------------------------------------------
    def _on_query(self, change) -> None:
        self.state.query = change["new"]
        self.refresh_matches()

    def _on_search_message(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":  # Enter in the search box
            self.submit()

    def _on_form_message(self, _widget, content, _buffers) -> None:
        if content.get("event") == "submit":  # Enter in the new-code form
            self.create()

    def _on_new_identifier(self, change) -> None:
        self._confirm = None
        check = self.state.check_new_code(change["new"], self.new_metaclass.value or "practice")
        shown = [e for e in check.errors if "metaclass" not in e]
        if change["new"].strip() and (shown or check.similar):
            self.message.value = self._check_html(shown, check.similar, confirm=False)
        else:
            self.message.value = ""

    # -- actions (what the buttons and keys do) -------------------------
    def submit(self) -> None:
        """Enter in the search box: pick the highlighted match, or start a new code."""
        if not self.state.query.strip():
            self._say("type part of a code's identifier or label first")
            return
        if not self.state.matches:
            identifier = "_".join(self.state.query.strip().lower().split())
            self.new_identifier.value = identifier
            self.new_label.value = label_from_identifier(identifier)
            self._say(
                f"no code matches: fill in the metaclass below and press New code to create "
                f"<code>{html.escape(identifier)}</code>"
            )
            return
        self.pick()

    def pick(self, identifier: str | None = None) -> str | None:
        """Pick a code (default: the highlighted match); the search box is cleared."""
        picked = self.state.pick(identifier)
        if picked is None:
            self._say("nothing to pick: type part of a code's identifier or label")
            return None
        if picked in self.state.in_trace:
            self._say(f"<code>{html.escape(picked)}</code> is already in this trace")
        else:
            self._say(f"picked <code>{html.escape(picked)}</code>. {self.hint}")
        self.search.value = ""  # ready for the next code; refreshes through _on_query
        self.refresh_picks()
        self._changed()
        return picked

    def move(self, step: int) -> None:
        self.state.move(step)
        self.refresh_matches()

    def undo(self) -> None:
        taken = self.state.unpick()
        self._say(f"took back <code>{html.escape(taken)}</code>" if taken else "no picks to undo")
        self.refresh_picks()
        self._changed()

    def create(self) -> None:
        """The new-code form: check, and create and pick the code when allowed."""
        identifier = self.new_identifier.value.strip()
        metaclass = (self.new_metaclass.value or "").strip()
        label = self.new_label.value.strip()
        confirmed = self._confirm == (identifier, metaclass)
        check = self.state.create(identifier, metaclass, label, allow_similar=confirmed)
        if check.errors or (check.similar and not confirmed):
            self._confirm = (identifier, metaclass) if not check.errors else None
            self.message.value = self._check_html(check.errors, check.similar)
            return
        self._confirm = None
        for field in (self.new_identifier, self.new_metaclass, self.new_label, self.search):
            field.value = ""
        self._say(f"new code <code>{html.escape(identifier)}</code> picked. {self.hint}")
        self.refresh_picks()
        self._changed()

    # -- rendering -----------------------------------------------------
    def refresh(self) -> None:
        self.refresh_matches()
        self.refresh_picks()

    def refresh_matches(self) -> None:
        self.matches_view.value = matches_html(self.state)
        self.detail_view.value = detail_html(self.state.detail())

    def refresh_picks(self) -> None:
        state = self.state
        if not state.picks:
            self.picked_view.value = '<div class="jc-picked"><i>no codes picked yet</i></div>'
            return
        created = {code.identifier: code for code in state.new_codes}
        chips = []
        for identifier in state.picks:
            code = state.codebook.get(identifier)
            if identifier in created:
                new = created[identifier]
                chips.append(chip(identifier, new.metaclass, f"new: {new.label}"))
            else:
                chips.append(chip(identifier, code.metaclass if code else None, None))
        preview = html.escape(state.apply(), quote=False)
        self.picked_view.value = (
            f'<div class="jc-picked"><b>picked</b> {"".join(chips)}'
            "<details><summary>the cell will read</summary>"
            f'<pre style="max-height:12em;overflow:auto">{preview}</pre></details></div>'
        )

    def _check_html(self, errors: list[str], similar: list[str], confirm: bool = True) -> str:
        parts = [f'<div class="jc-error" style="color:#a33">{html.escape(e)}</div>' for e in errors]
        if similar:
            names = ", ".join(f"<code>{html.escape(n)}</code>" for n in similar)
            anyway = ", or press New code again to create it anyway" if confirm else ""
            parts.append(
                f'<div class="jc-similar" style="color:#a60">near-duplicate of {names}: pick '
                f"that code instead{anyway}</div>"
            )
        return "".join(parts)

    def _say(self, text: str) -> None:
        self.message.value = f'<div class="jc-message">{text}</div>'

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.state)
