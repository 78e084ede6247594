"""The WSGI entry point for gunicorn: ``gunicorn wsgi:app``. The only module-level app."""

from dcx import create_app

app = create_app()
