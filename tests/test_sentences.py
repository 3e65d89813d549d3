"""The workspace's sentences made in Python, said in the interface's language: each one the
code raises has its Khmer words, with the same values, in the Khmer interface's digits."""

from __future__ import annotations

import re
import string

from conftest import REPO

from indexer.errors import BadParameter, Sentence
from indexer.library import catalog
from indexer.workspace import accounts
from search_web.i18n import SENTENCES, say

#: Where the code names a sentence's key: ``Sentence("key", …`` or ``key = "a" if … else "b"``.
_KEY = re.compile(r'Sentence\(\s*"(\w+)"|key = "(\w+)" if [^"\n]+ else "(\w+)"')


def _keys_in_code() -> set[str]:
    keys = set()
    for folder in ("indexer", "search_web"):
        for source in (REPO / folder).rglob("*.py"):
            for match in _KEY.finditer(source.read_text(encoding="utf-8")):
                keys.update(key for key in match.groups() if key)
    return keys


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_sentence_the_code_makes_has_khmer_words():
    made = _keys_in_code()
    assert {"unknown_place", "several_places", "work_unknown", "short_password"} <= made
    assert made <= SENTENCES["km"].keys(), made - SENTENCES["km"].keys()
    assert all(re.search("[\u1780-\u17ff]", text) for text in SENTENCES["km"].values())


def test_a_sentence_is_said_with_its_values_and_khmer_digits():
    try:
        accounts.check_password("short", "eva")
    except BadParameter as err:
        sentence = err.sentence
    assert str(sentence).startswith("The password has 5 characters: use at least 10")
    assert say(sentence, "km").startswith("ពាក្យសម្ងាត់មាន ៥ តួអក្សរ៖ សូមប្រើយ៉ាងហោចណាស់ ១០ តួ")
    assert say(sentence, "en") == str(sentence)
    assert say("A sentence without a key.", "km") == "A sentence without a key."
    _, problem = catalog.parse_places("Atlantis / {0}")
    assert "'Atlantis'" in say(problem, "km") and "កណ្ដាល / កៀនស្វាយ" in say(problem, "km")
    for key, template in SENTENCES["km"].items():
        values = dict.fromkeys(_fields(template), "x")
        assert say(Sentence(key, "", **values), "km") == template.format(**values)


def test_a_fragment_made_whole_keeps_its_key():
    _, problem = catalog.parse_values({"year": "20x5"})
    whole = problem.as_sentence()
    assert whole.startswith("'20x5' is not a possible year") and whole.endswith("one.")
    assert whole.key == "not_a_year" and say(whole, "km").startswith("'20x5' មិនមែនជាឆ្នាំទេ")


def test_sentences_are_plain_text_everywhere_else():
    sentence = Sentence("no_account", "There is no account called {name}.", name="{x}")
    assert sentence == "There is no account called {x}." and isinstance(sentence, str)
    assert str(sentence.as_sentence()) == "There is no account called {x}."
