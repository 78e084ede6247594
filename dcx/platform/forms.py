"""Form pieces every vertical shares: the select option type, adding an error, required data.

Forms import :class:`SelectChoice` from here, not from WTForms: WTForms 3.3 declares options
as ``SelectChoice``, but its stubs (types-WTForms 3.2) do not know that class yet and type
``choices`` as ``(value, label)`` tuples, which WTForms itself turns into ``SelectChoice``.
To the type checker a ``SelectChoice`` is therefore such a pair; at run time it is WTForms'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from wtforms import Field

__all__ = ["SelectChoice", "add_error", "validated"]

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
