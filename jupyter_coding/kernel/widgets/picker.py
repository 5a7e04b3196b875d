"""The code picker as ipywidgets: search box, matches, details, picks and a new-code form.

All decisions are made by :class:`~.picker_logic.PickerState`; this module only
turns its state into widgets and widget events into calls on it.

A picker starts folded: one search box under the cell, so a long notebook stays
light. Typing in it opens the matches, the highlighted code's detail (definition,
uses, and the quotes other sources code with it, each a link to its notebook cell
or file), the picks and the new-code form. Opening one picker folds the others
(:class:`PickerGroup`). Keyboard use: type, Enter picks the highlighted (top) match
and clears the box for the next one; Tab leaves the box, and Ctrl+Enter (or
Shift+Enter) then runs the cell again, which writes the picks into its text (see
``%%code``).
"""

from __future__ import annotations

import html
import weakref
from collections.abc import Callable

from ipywidgets import HTML, Button, Combobox, HBox, Layout, Output, Text, VBox

from jupyter_coding.common.words import count
from jupyter_coding.kernel.display import chip
from jupyter_coding.kernel.widgets.picker_html import (
    Linker,
    detail_html,
    matches_html,
)
from jupyter_coding.kernel.widgets.picker_logic import (
    PickerState,
    label_from_identifier,
)

__all__ = ["CELL_HINT", "NEW_CELL_HINT", "CodePicker", "PickerGroup"]

CELL_HINT = "Tab, then Ctrl+Enter: the cell runs again with the picks written into it."
NEW_CELL_HINT = "Tab, then Ctrl+Enter: the cell runs again and adds a %%code cell below."
SEARCH_PLACEHOLDER = "pick a code: type part of its identifier or label"


class PickerGroup:
    """The pickers of one notebook: opening one folds the others (one open at a time)."""

    def __init__(self) -> None:
        self._pickers: list[weakref.ref[CodePicker]] = []

    def add(self, picker: CodePicker) -> None:
        self._pickers = [ref for ref in self._pickers if ref() is not None]
        self._pickers.append(weakref.ref(picker))

    def opened(self, picker: CodePicker) -> None:
        for ref in self._pickers:
            other = ref()
            if other is not None and other is not picker and other.expanded:
                other.fold()

    def pickers(self) -> list[CodePicker]:
        return [picker for ref in self._pickers if (picker := ref()) is not None]


def _icon_button(icon: str, tooltip: str, description: str = "") -> Button:
    width = "auto" if description else "2.6em"
    return Button(description=description, icon=icon, tooltip=tooltip, layout=Layout(width=width))


class CodePicker(VBox):
    """A picker bound to a :class:`PickerState` (one cell's picks)."""

    def __init__(
        self,
        state: PickerState,
        hint: str = CELL_HINT,
        on_change: Callable[[PickerState], None] | None = None,
        link: Linker | None = None,
        group: PickerGroup | None = None,
    ) -> None:
        self.state = state
        self.hint = hint
        self.on_change = on_change
        self.link = link
        self.group = group
        self.expanded = False
        self.detail_html = ""
        self._confirm: tuple[str, str] | None = None  # near-duplicate awaiting a second Create
        self.search = Text(
            value=state.query,
            placeholder=SEARCH_PLACEHOLDER,
            continuous_update=True,
            layout=Layout(width="26em", max_width="100%"),
        )
        self.search.add_class("jc-search")
        self.status = HTML(layout=Layout(min_width="0"))
        self.pick_button = _icon_button("check", "pick the highlighted code (Enter)", "Pick")
        self.up_button = _icon_button("arrow-up", "highlight the match above")
        self.down_button = _icon_button("arrow-down", "highlight the match below")
        self.undo_button = _icon_button("undo", "take the last pick back", "Undo pick")
        self.more_button = _icon_button("quote-left", "show more quotes", "More evidence")
        self.fold_button = _icon_button("chevron-up", "fold the picker (the picks stay)")
        # side by side where both have room, else the detail under the matches: a column
        # narrower than this would cut every identifier short
        self.matches_view = HTML(
            layout=Layout(flex="1 1 26em", min_width="min(22em, 100%)", max_width="36em")
        )
        self.matches_view.add_class("jc-matches-view")
        self.detail_view = Output(layout=Layout(flex="1 1 26em", min_width="min(24em, 100%)"))
        self.detail_view.add_class("jc-detail-view")
        self.picked_view = HTML(layout=Layout(flex="1 1 auto", min_width="0"))
        self.new_identifier = Text(
            placeholder="new_code_identifier",
            continuous_update=True,
            layout=Layout(width="14em", max_width="100%"),
        )
        self.new_metaclass = Combobox(
            options=tuple(state.metaclasses),
            placeholder="metaclass: " + ", ".join(state.metaclasses),
            continuous_update=True,
            layout=Layout(width="12em", max_width="100%"),
        )
        self.new_label = Text(
            placeholder="Label (default: from the identifier)",
            layout=Layout(width="16em", max_width="100%"),
        )
        self.create_button = _icon_button("plus", "create the code and pick it", "New code")
        self.message = HTML()

        self.search.observe(self._on_query, "value")
        self.search.on_msg(self._on_search_message)
        self.pick_button.on_click(lambda _: self.pick())
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(1))
        self.undo_button.on_click(lambda _: self.undo())
        self.more_button.on_click(lambda _: self.more_evidence())
        self.fold_button.on_click(lambda _: self.fold())
        self.create_button.on_click(lambda _: self.create())
        for field in (self.new_identifier, self.new_label):
            field.on_msg(self._on_form_message)
        self.new_identifier.observe(self._on_new_identifier, "value")

        wrap = Layout(flex_flow="row wrap", align_items="flex-start", width="100%")
        self.body = VBox(
            [
                HBox(
                    [
                        self.pick_button,
                        self.up_button,
                        self.down_button,
                        self.more_button,
                        self.undo_button,
                        self.fold_button,
                    ],
                    layout=Layout(flex_flow="row wrap"),
                ),
                HBox([self.matches_view, self.detail_view], layout=wrap),
                HBox([self.picked_view], layout=wrap),
                HBox(
                    [self.new_identifier, self.new_metaclass, self.new_label, self.create_button],
                    layout=Layout(flex_flow="row wrap"),
                ),
                self.message,
            ],
            layout=Layout(display="none", width="100%"),
        )
        self.body.add_class("jc-picker-body")
        super().__init__(
            children=[
                HBox(
                    [self.search, self.status],
                    layout=Layout(flex_flow="row wrap", align_items="center", width="100%"),
                ),
                self.body,
            ],
            layout=Layout(width="100%", max_width="100%"),
        )
        self.add_class("jc-picker")
        if group is not None:
            group.add(self)
        self.refresh()
        if state.query.strip() or state.picks:
            self.expand()

    def close_all(self) -> None:
        """Close the picker and every widget in it (a widget lives until closed)."""
        pending = [self]
        while pending:
            widget = pending.pop()
            pending.extend(getattr(widget, "children", ()))
            widget.close()

    # -- folding -------------------------------------------------------
    def expand(self) -> None:
        """Show the matches, detail, picks and form (and fold the group's other pickers)."""
        if not self.expanded:
            self.expanded = True
            self.body.layout.display = "flex"
            self.refresh()
        if self.group is not None:
            self.group.opened(self)

    def fold(self) -> None:
        """Show the search box alone; the picks stay."""
        self.expanded = False
        self.body.layout.display = "none"
        self.refresh_status()

    # -- events --------------------------------------------------------
    def _on_query(self, change) -> None:
        self.state.query = change["new"]
        if change["new"].strip():
            self.expand()
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
        self.expand()
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

    def more_evidence(self) -> None:
        self.state.more_evidence()
        self.refresh_detail()

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
        if not self.expanded:
            return  # drawn when opened: a folded picker costs no rendering
        self.matches_view.value = matches_html(self.state)
        self.refresh_detail()

    def refresh_detail(self) -> None:
        page = detail_html(self.state.detail(), self.state.evidence_shown, self.link)
        if page == self.detail_html:
            return
        self.detail_html = page
        # an output (not an HTML widget), so that JupyterLab opens its links in the app
        self.detail_view.outputs = (
            {"output_type": "display_data", "data": {"text/html": page}, "metadata": {}},
        )
        detail = self.state.detail()
        more = detail is not None and len(detail.evidence) > self.state.evidence_shown
        self.more_button.disabled = not more

    def refresh_picks(self) -> None:
        state = self.state
        self.refresh_status()
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
            f'<pre style="max-height:12em;overflow:auto;white-space:pre-wrap">{preview}</pre>'
            "</details></div>"
        )

    def refresh_status(self) -> None:
        """The line beside the search box: what is pending, or how to go on."""
        picks = len(self.state.picks)
        if picks:
            text = f"{count(picks, 'code')} picked. {self.hint}"
        elif self.expanded:
            text = "Enter picks the highlighted code"
        else:
            text = ""
        self.status.value = (
            f'<span class="jc-status" style="opacity:.75">{html.escape(text)}</span>'
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
