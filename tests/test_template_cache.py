"""Compiled templates kept between processes (``TEMPLATE_CACHE_DIR``): a second app renders
from the cache, and a changed template is compiled again."""

from __future__ import annotations

from jinja2 import FileSystemBytecodeCache

from dcx import create_app
from tests.conftest import _base_config


def _app(tmp_path, cache, templates):
    config = {
        **_base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"),
        "TEMPLATE_CACHE_DIR": str(cache),
    }
    app = create_app(config)
    app.jinja_loader.searchpath.insert(0, str(templates))  # type: ignore[union-attr]
    return app


def test_a_second_app_renders_from_the_cache_and_a_change_is_compiled_again(tmp_path):
    cache, templates = tmp_path / "cache", tmp_path / "templates"
    templates.mkdir()
    page = templates / "probe.html"
    page.write_text("first {{ 1 + 1 }}")
    first = _app(tmp_path, cache, templates)
    assert isinstance(first.jinja_env.bytecode_cache, FileSystemBytecodeCache)
    with first.app_context():
        assert first.jinja_env.get_template("probe.html").render() == "first 2"
    assert any(cache.iterdir()), "nothing was kept"

    second = _app(tmp_path, cache, templates)
    compiled: list[str] = []
    original = second.jinja_env.compile

    def counting(source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(source, name, filename, raw, defer_init)

    second.jinja_env.compile = counting  # type: ignore[method-assign]
    with second.app_context():
        assert second.jinja_env.get_template("probe.html").render() == "first 2"
    assert "probe.html" not in compiled

    page.write_text("second {{ 2 + 2 }}")
    third = _app(tmp_path, cache, templates)
    with third.app_context():
        assert third.jinja_env.get_template("probe.html").render() == "second 4"


def test_without_a_folder_nothing_is_kept(tmp_path):
    config = {
        **_base_config(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"),
        "TEMPLATE_CACHE_DIR": "",
    }
    assert create_app(config).jinja_env.bytecode_cache is None
