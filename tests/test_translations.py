"""Every text marked for translation is translated into every customer language,
with the same placeholders, and the compiled catalogues are the ones written."""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "ngettext"}
SKIP = {".venv", "tests", "bench", "migrations", "node_modules", ".run"}
PLACEHOLDER = re.compile(r"%\(\w+\)s")
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def marked_texts() -> set[str]:
    """The first argument of every gettext call with a literal text, in our code."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a catalogue as we write them (one line each)."""
    text = path.read_text()
    pairs = re.findall(r'^msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.MULTILINE)
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    return {unescape(msgid): unescape(msgstr) for msgid, msgstr in pairs if msgid}


def test_there_are_texts_to_translate():
    assert "Your order %(number)s from %(store)s %(status)s." in marked_texts()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_text_is_translated(language):
    catalogue = po_entries(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")

    missing = sorted(text for text in marked_texts() if not catalogue.get(text))
    assert missing == [], f"not translated into {language}: {missing}"
    for text, translation in catalogue.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(
            PLACEHOLDER.findall(translation)
        ), f"{language}: placeholders differ in {text!r}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_written_one(language):
    folder = ROOT / "locale" / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    for text, translation in po_entries(folder / "django.po").items():
        assert catalogue.gettext(text) == translation, (
            f"{language}: django.mo is older than django.po; run make messages"
        )
