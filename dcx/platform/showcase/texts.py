"""A showcase's texts in every language: ``!t`` marks them, a gettext catalogue translates them.

In a showcase file, a value tagged ``!t`` is prose a visitor reads (a chapter, a recall
summary, a group's description): ``title: !t "Trip to Lisbon"``. Everything untagged is data
(codes, amounts, merchants' and people's names) and stays as written. Each showcase folder
keeps its translations beside its files, in ``translations/<language>.po`` (standard gettext,
so any PO editor or translator can work on them); ``flask dcx showcase-texts NAME`` writes
``translations/showcase.pot`` from the tagged texts and merges it into each language's file.

A showcase is seeded in one language (``flask dcx seed --language es``, the file's
``language:`` or English): its texts are translated while the files are read, so every
vertical's seed hook receives plain strings in that language. The same English text always
gets the same translation, so a street named in two places stays one street.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

TAG = "!t"
TEMPLATE = "showcase.pot"


class SeedText(str):
    """A text tagged ``!t`` in a showcase file, not yet translated."""

    __slots__ = ()


# libyaml's parser where PyYAML was built with it (its wheels are): the same safe loading, many
# times faster than the pure-Python one, which spent a fifth of a whole seed reading six files.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ShowcaseLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """PyYAML's safe loader that also reads ``!t`` texts."""


def _construct_text(loader: ShowcaseLoader, node: yaml.Node) -> SeedText:
    if not isinstance(node, yaml.ScalarNode):
        raise yaml.constructor.ConstructorError(
            None, None, f"{TAG} marks a single text, not a list or mapping", node.start_mark
        )
    return SeedText(loader.construct_scalar(node))


ShowcaseLoader.add_constructor(TAG, _construct_text)


def load(text: str) -> Any:
    """Parse a showcase file's text: safe YAML whose ``!t`` texts are :class:`SeedText`."""
    # Accepted (bandit B506): ShowcaseLoader is a safe loader subclass (one extra tag, no objects)
    return yaml.load(text, Loader=ShowcaseLoader)  # noqa: S506  # nosec B506


def read(path: Path, catalogue: Mapping[str, str] | None = None) -> Any:
    """One showcase file as plain data, its texts translated by ``catalogue`` (else as written)."""
    return translate(load(path.read_text(encoding="utf-8")), catalogue or {})


def tagged_texts(path: Path) -> Iterator[tuple[str, int]]:
    """Every ``!t`` text of one showcase file with its line number, in file order."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=ShowcaseLoader)
    stack = [root] if root is not None else []
    found: list[tuple[int, int, str]] = []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if node.tag == TAG and node.value.strip():
                found.append((node.start_mark.line, node.start_mark.column, node.value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    for line, _column, text in sorted(found):
        yield text, line + 1


def texts_of(folder: Path) -> dict[str, list[tuple[str, int]]]:
    """Each tagged text of a showcase folder, with where it appears (file name, line)."""
    texts: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(folder.glob("*.yaml")):
        for text, line in tagged_texts(path):
            texts.setdefault(text, []).append((path.name, line))
    return texts


def catalogue_path(folder: Path, language: str) -> Path:
    """Where a showcase folder keeps its texts in ``language``."""
    return folder / "translations" / f"{language}.po"


def load_catalogue(folder: Path, language: str) -> dict[str, str]:
    """The finished translations of a folder's texts into ``language`` (fuzzy ones left out)."""
    path = catalogue_path(folder, language)
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {
        message.id: message.string
        for message in catalogue
        if message.id
        and isinstance(message.id, str)
        and message.string
        and isinstance(message.string, str)
        and not message.fuzzy
    }


def translate(value: Any, catalogue: Mapping[str, str]) -> Any:
    """``value`` with every ``!t`` text replaced by its translation (or kept, when missing)."""
    if isinstance(value, SeedText):
        return catalogue.get(str(value)) or str(value)
    if isinstance(value, dict):
        return {translate(k, catalogue): translate(v, catalogue) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(item, catalogue) for item in value]
    return value


def _plain_texts(catalogue: Catalog) -> None:
    """Showcase texts are looked up, never %-formatted: "95% of" is not a placeholder."""
    for message in catalogue:
        message.flags.discard("python-format")


def update_catalogues(folder: Path, languages: list[str]) -> dict[str, int]:
    """Write ``translations/showcase.pot`` from the folder's texts and merge it into each
    language's catalogue (new texts added empty, gone ones made obsolete, translations kept).

    Returns how many texts each language still lacks.
    """
    template = Catalog(project=f"showcase {folder.name}", fuzzy=False)
    for text, places in texts_of(folder).items():
        template.add(text, locations=places)
    _plain_texts(template)
    out = folder / "translations"
    out.mkdir(exist_ok=True)
    with (out / TEMPLATE).open("wb") as handle:
        write_po(handle, template, width=100, omit_header=False)
    missing: dict[str, int] = {}
    for language in languages:
        path = catalogue_path(folder, language)
        if path.is_file():
            with path.open("rb") as handle:
                catalogue = read_po(handle, locale=language)
        else:
            catalogue = Catalog(locale=language, project=f"showcase {folder.name}", fuzzy=False)
        catalogue.update(template, no_fuzzy_matching=True)
        _plain_texts(catalogue)
        with path.open("wb") as handle:
            write_po(handle, catalogue, width=100, ignore_obsolete=True)
        missing[language] = sum(1 for m in catalogue if m.id and not m.string)
    return missing
