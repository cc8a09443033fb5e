"""Every user-facing string has a Simplified Chinese translation, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _extracted() -> set[str]:
    found = set()
    for folder, method in (("shop", "python"), ("templates", "jinja2")):
        pattern = "**.py" if method == "python" else "**.html"
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=[(pattern, method)], keywords=KEYWORDS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


@pytest.fixture(scope="module")
def chinese():
    with open(ROOT / "shop/translations/zh/LC_MESSAGES/messages.po", "rb") as fh:
        # A plural message is keyed by its singular form, as the extraction reports it.
        return {(m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(fh, locale="zh") if m.id}


def _forms(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def test_every_string_has_a_chinese_translation(chinese):
    missing = sorted(s for s in _extracted() if s not in chinese or not all(_forms(chinese[s].string)))
    assert not missing, f"untranslated (run `make translations-update` and translate): {missing}"


def test_no_fuzzy_translations(chinese):
    assert not [m.id for m in chinese.values() if m.fuzzy]


def test_placeholders_survive_translation(chinese):
    for message in chinese.values():
        source = _forms(message.id)[-1]  # the plural form names every placeholder
        for translated in _forms(message.string):
            assert sorted(set(PLACEHOLDER.findall(source))) == sorted(set(PLACEHOLDER.findall(translated))), message.id
            assert source.count("%%") == translated.count("%%"), message.id
