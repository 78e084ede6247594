"""Form pieces every vertical shares: the select field, the select option type, adding an
error, required data.

Forms import :class:`SelectChoice` from here, not from WTForms: WTForms 3.3 declares options
as ``SelectChoice``, but its stubs (types-WTForms 3.2) do not know that class yet and type
``choices`` as ``(value, label)`` tuples, which WTForms itself turns into ``SelectChoice``.
To the type checker a ``SelectChoice`` is therefore such a pair; at run time it is WTForms'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

import wtforms
from markupsafe import Markup
from wtforms import Field, widgets
from wtforms.fields.choices import SelectFieldBase

__all__ = ["Select", "SelectChoice", "SelectField", "add_error", "validated"]

T = TypeVar("T")

if TYPE_CHECKING:

    class SelectChoice(tuple[Any, str]):
        """:class:`wtforms.fields.choices.SelectChoice`, as the stubs take a choice."""

        value: Any
        label: str
        render_kw: dict[str, Any]
        optgroup: str | None

        def __new__(
            cls,
            value: Any,
            label: str | None = None,
            render_kw: dict[str, Any] | None = None,
            optgroup: str | None = None,
        ) -> Self:
            """Arguments as WTForms takes them; the label defaults to the value."""
            ...

else:
    from wtforms.fields.choices import SelectChoice


def add_error(field: Field, message: str) -> None:
    """Show ``message`` on ``field``, after the errors validation already gave it."""
    field.errors = [*field.errors, message]


def validated(data: T | None) -> T:
    """A field's data that validation made sure of (``DataRequired``, or the form's own check).

    The stubs type every field's data as optional; past validation such a field has a value.
    """
    if data is None:
        raise ValueError("a required field has no data: was the form validated?")
    return data


class Select(widgets.Select):
    """WTForms' select, ``required`` only where HTML lets it mean something: on a select that
    opens on an empty placeholder option. One that opens on a real choice always sends a value,
    and HTML calls ``required`` there an error, whoever asks for it (Bootstrap's
    ``render_field`` does for every field with a required flag); the field's validators still
    refuse a missing value."""

    def __call__(self, field: SelectFieldBase, **kwargs: Any) -> Markup:
        """The select's markup."""
        if not self.multiple and not field.has_groups():
            first = next(iter(field.iter_choices()), None)
            if first is None or first[0] != "":
                kwargs["required"] = False
        return super().__call__(field, **kwargs)

    @classmethod
    def render_option(cls, choice: Any, **kwargs: Any) -> Markup:  # type: ignore[override]
        """One option's markup, kept once written: a time zone select writes some 500 of them
        on every page that shows it, most of that page's time."""
        if kwargs or choice.render_kw:
            return super().render_option(choice, **kwargs)
        key = (type(choice.value), choice.value, str(choice.label), bool(choice.selected))
        written = _OPTIONS.get(key)
        if written is None:
            if len(_OPTIONS) >= MOST_OPTIONS:
                _OPTIONS.clear()
            written = _OPTIONS[key] = super().render_option(choice)  # type: ignore[call-arg]
        return written


#: Options written by :meth:`Select.render_option`, by value, label (in its language) and
#: whether it is the selected one; emptied when full.
_OPTIONS: dict[tuple[Any, ...], Markup] = {}
MOST_OPTIONS = 20_000


class SelectField(wtforms.SelectField):
    """WTForms' select field, drawn by :class:`Select`: every form's selects import it here."""

    widget = Select()
