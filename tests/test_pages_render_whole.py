"""No page a seeded persona reaches shows template internals: a macro printed instead of
called (``<Macro 'chart'>``, a variable shadowed by an import) or an undefined value."""

from tests.crawl import PageText, walk_as_every_persona

BROKEN = ("<Macro ", "Undefined", "jinja2.")


def test_no_page_prints_a_macro_or_an_undefined_value(app):
    def broken(url: str, html: str, text: PageText) -> list[str]:
        # in the text a reader sees (a printed macro arrives escaped: &lt;Macro ...) or raw
        shown = "\n".join(text.nodes)
        return [mark for mark in BROKEN if mark in shown or mark in html]

    found = []
    for email, visited, marks in walk_as_every_persona(app, broken):
        assert visited > 10, (email, visited)
        found.extend(f"{email} {url}: {mark}" for url, mark in marks)
    assert not found, "\n".join(sorted(found))
