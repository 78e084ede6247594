"""`flask dcx new-vertical`: write a working vertical package from the contract."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Nothing to register at run time: the scaffold is a command (see dcx.cli)."""
