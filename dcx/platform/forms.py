"""Form pieces every vertical shares: the option type of select fields and adding an error.

Forms import :class:`SelectChoice` from here, not from WTForms: WTForms 3.3 declares options
as ``SelectChoice``, but its stubs (types-WTForms 3.2) do not know that class yet and type
``choices`` as ``(value, label)`` tuples, which WTForms itself turns into ``SelectChoice``.
To the type checker a ``SelectChoice`` is therefore such a pair; at run time it is WTForms'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from wtforms import Field

__all__ = ["SelectChoice", "add_error"]

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
