"""A showcase seeded in English, Spanish or Romanian: its texts, its people and its pages."""

import re
import shutil
from pathlib import Path

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from dcx.automotive.models import AutomotiveRecall
from dcx.banking.models import BankingAccount
from dcx.education.models import EducationCourse
from dcx.extensions import db
from dcx.platform.accounts.models import User
from dcx.platform.accounts.services import find_user
from dcx.platform.showcase import texts
from dcx.platform.showcase.loader import ShowcaseError, read_showcase, seed_showcase
from dcx.platform.showcase.models import ShowcaseState
from tests.conftest import PASSWORD, make_user

SEEDS = Path(__file__).resolve().parents[3] / "seeds"
DEFAULT = SEEDS / "default"


# --- the texts: tagged, translated, complete --------------------------------------------------


def test_tagged_texts_are_translated_and_the_rest_stays_as_written():
    data = texts.load('a: !t "Hello"\nb: plain\nc: [!t One, two]\n!t Key: 1\n')
    assert isinstance(data["a"], texts.SeedText) and not isinstance(data["b"], texts.SeedText)
    out = texts.translate(data, {"Hello": "Hola", "One": "Uno", "Key": "Clave", "plain": "X"})
    assert out == {"a": "Hola", "b": "plain", "c": ["Uno", "two"], "Clave": 1}
    assert type(out["a"]) is str
    assert texts.translate(data, {})["a"] == "Hello"  # no translation: as written


def test_a_tag_on_a_list_names_the_file_and_line(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "showcase.yaml").write_text((DEFAULT / "showcase.yaml").read_text())
    (folder / "banking.yaml").write_text("customers:\n  - goals: !t [a, b]\n")
    with pytest.raises(ShowcaseError, match=r"banking\.yaml, line 2"):
        read_showcase("bad", tmp_path)


@pytest.mark.parametrize("language", ["es", "ro"])
def test_every_text_of_the_default_showcase_is_translated(language):
    wanted = texts.texts_of(DEFAULT)
    assert len(wanted) > 300  # chapters, questions, recalls, posts, events ...
    catalogue = texts.load_catalogue(DEFAULT, language)
    missing = [t for t in wanted if t not in catalogue]
    assert not missing, f"{len(missing)} untranslated (flask dcx showcase-texts): {missing[:3]}"
    assert set(catalogue) <= set(wanted), "obsolete entries: run flask dcx showcase-texts"
    for english, translated in catalogue.items():
        prose = len(re.findall(r"[A-Za-z]{3,}", english)) >= 3
        assert translated != english or not prose, english  # sentences really translated
        assert translated.count("\n\n") == english.count("\n\n"), english[:60]  # paragraphs kept
        assert translated.endswith("\n") == english.endswith("\n"), english[:60]


def test_the_template_lists_exactly_the_tagged_texts():
    with (DEFAULT / "translations" / texts.TEMPLATE).open("rb") as handle:
        from babel.messages.pofile import read_po

        template = {m.id for m in read_po(handle) if m.id}
    assert template == set(texts.texts_of(DEFAULT))


def test_updating_catalogues_adds_new_texts_and_keeps_translations(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "retail.yaml").write_text('a: !t "Hello"\n')
    assert texts.update_catalogues(folder, ["es"]) == {"es": 1}
    po = texts.catalogue_path(folder, "es")
    po.write_text(
        po.read_text().replace('msgid "Hello"\nmsgstr ""', 'msgid "Hello"\nmsgstr "Hola"')
    )
    (folder / "retail.yaml").write_text('a: !t "Hello"\nb: !t "95% of readers"\n')
    assert texts.update_catalogues(folder, ["es"]) == {"es": 1}
    assert texts.load_catalogue(folder, "es") == {"Hello": "Hola"}
    assert "python-format" not in po.read_text()  # "95% of" is no placeholder
    assert "95% of readers" in (folder / "translations" / texts.TEMPLATE).read_text()


def test_a_branded_copy_gets_the_base_showcases_translations():
    data = read_showcase("northwind", language="ro")
    spanish = texts.load_catalogue(DEFAULT, "ro")
    group = data["verticals"]["health"]["groups"][0]["name"]
    assert data["language"] == "ro" and group == spanish["Lower blood pressure"]
    assert data["brand"]["name"] == "Northwind Group"  # untagged: as written


def test_an_unknown_language_is_a_clear_error(tmp_path):
    folder = tmp_path / "de"
    folder.mkdir()
    text = (DEFAULT / "showcase.yaml").read_text()
    (folder / "showcase.yaml").write_text("language: de\n" + text)
    with pytest.raises(ShowcaseError, match=r"showcase\.yaml: field 'language' must be one of"):
        read_showcase("de", tmp_path)
    with pytest.raises(ShowcaseError, match="language 'xx'"):
        read_showcase("default", language="xx")


# --- seeding in a language ------------------------------------------------------------------


def test_a_showcase_seeded_in_spanish_has_spanish_content_people_and_pages(app, client):
    seed_showcase(app.extensions["dcx_verticals"], "default", language="es")
    db.session.commit()
    spanish = texts.load_catalogue(DEFAULT, "es")
    recall = db.session.execute(select(AutomotiveRecall)).scalars().first()
    assert (
        recall.summary
        == spanish["The rear centre seat belt buckle may not latch fully after repeated use."]
    )
    titles = set(db.session.execute(select(EducationCourse.title)).scalars())
    assert spanish["Introduction to Statistics"] in titles
    # a text the seed code marks (not the file) comes out in Spanish too
    with force_locale("es"):
        everyday = str(_l("Everyday account"))
    assert everyday != "Everyday account"
    assert db.session.execute(select(BankingAccount).where(BankingAccount.name == everyday)).first()
    assert find_user("alex@dcx.example").locale == "es"
    assert db.session.get(ShowcaseState, 1).language == "es"
    # a visitor who has not chosen a language gets the showcase's, whatever the browser says
    page = client.get("/", headers={"Accept-Language": "en-GB,en"}).get_data(as_text=True)
    assert '<html lang="es"' in page


def test_seeding_over_a_database_in_another_language_is_refused_and_changes_nothing(app):
    registry = app.extensions["dcx_verticals"]
    seed_showcase(registry, "default", only=())
    db.session.commit()
    users = db.session.scalar(select(func.count()).select_from(User))
    with pytest.raises(ShowcaseError, match="reset"):
        seed_showcase(registry, "default", only=(), language="ro")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert db.session.get(ShowcaseState, 1).language == "en"
    assert find_user("alex@dcx.example").locale == ""  # English personas follow their browser


@pytest.fixture
def personas_only(tmp_path):
    """The default showcase, and "people": the default's people and no industry data (fast)."""
    shutil.copytree(DEFAULT, tmp_path / "seeds" / "default")
    folder = tmp_path / "seeds" / "people"
    folder.mkdir(parents=True)
    (folder / "showcase.yaml").write_text((DEFAULT / "showcase.yaml").read_text())
    return folder.parent


@pytest.fixture
def app_config(personas_only):
    return {"DCX_SEEDS_DIR": str(personas_only), "DCX_SHOWCASE": "people"}


def test_the_commands_seed_and_reset_in_a_language(app, runner):
    result = runner.invoke(args=["dcx", "seed", "--showcase", "people", "--language", "ro"])
    assert result.exit_code == 0, result.output
    assert db.session.get(ShowcaseState, 1).language == "ro"
    refused = runner.invoke(args=["dcx", "seed", "--showcase", "people", "--language", "es"])
    assert refused.exit_code == 1 and "reset" in refused.output
    result = runner.invoke(
        args=["dcx", "reset", "--showcase", "people", "--language", "es", "--yes"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(ShowcaseState, 1).language == "es"
    assert find_user("maria@dcx.example").locale == "es"
    again = runner.invoke(args=["dcx", "reset", "--showcase", "people", "--yes"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert db.session.get(ShowcaseState, 1).language == "es"  # a reset keeps the language
    unknown = runner.invoke(args=["dcx", "seed", "--showcase", "people", "--language", "de"])
    assert unknown.exit_code == 2 and "de" in unknown.output


def test_the_presenter_resets_the_showcase_in_another_language(app, client):
    seed_showcase(app.extensions["dcx_verticals"], "people")
    db.session.commit()
    # the main database's operator: an admin no seed publishes (a persona opens only a sandbox)
    make_user(email="operator@example.com", name="Olga Operator", role="admin")
    client.post("/account/signin", data={"email": "operator@example.com", "password": PASSWORD})
    page = client.get("/").get_data(as_text=True)
    assert 'id="reset-language"' in page and '<option value="en" selected>' in page
    assert (
        client.post("/showcase/reset", data={"confirm": "yes", "language": "xx"}).status_code == 400
    )
    response = client.post("/showcase/reset", data={"confirm": "yes", "language": "ro"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ShowcaseState, 1).language == "ro"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="ro"' in page and '<option value="ro" selected>' in page
    # without a choice, a reset keeps the language the showcase is in
    client.post("/showcase/reset", data={"confirm": "yes"})
    db.session.expire_all()
    assert db.session.get(ShowcaseState, 1).language == "ro"


def test_a_persons_own_choice_beats_the_showcases_language(app, client):
    seed_showcase(app.extensions["dcx_verticals"], "people", language="es")
    db.session.commit()
    client.get("/language/ro")  # the visitor picks Romanian in the footer
    assert '<html lang="ro"' in client.get("/").get_data(as_text=True)
    alex = find_user("alex@dcx.example")
    alex.locale = "en"
    db.session.commit()
    client.post(
        "/account/signin", data={"email": "alex@dcx.example", "password": "showcase-alex-2026"}
    )
    assert '<html lang="en"' in client.get("/").get_data(as_text=True)


def test_an_english_showcase_follows_the_browser(app, client):
    seed_showcase(app.extensions["dcx_verticals"], "people")
    db.session.commit()
    page = client.get("/", headers={"Accept-Language": "ro-RO,ro"}).get_data(as_text=True)
    assert '<html lang="ro"' in page


def test_jobs_and_commands_speak_the_showcases_language(app):
    seed_showcase(app.extensions["dcx_verticals"], "people", language="ro")
    db.session.commit()
    with force_locale("ro"):
        romanian = str(_l("Everyday account"))
    with app.app_context():  # a job: an app context and no request
        assert str(_l("Everyday account")) == romanian != "Everyday account"
