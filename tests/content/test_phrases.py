"""The fixed strings engines write, in every language the issue names, and the language a text is in."""

from __future__ import annotations

from dataclasses import fields

import pytest

from deckgen.content._language import deck_language, detect_language
from deckgen.content._phrases import LANGUAGES, phrases

_GERMAN = "Die meisten Häuser hatten eine Gasheizung und nicht eine Fußbodenheizung, die mit dem Strom läuft."
_REQUIRED = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "ja", "zh", "ko", "ar", "hi")


def test_every_required_language_has_every_fixed_string() -> None:
    assert set(_REQUIRED) <= set(LANGUAGES)
    english = phrases("en")
    for language in _REQUIRED:
        words = phrases(language)
        for field in fields(words):
            value = getattr(words, field.name)
            assert value.strip(), (language, field.name)
        if language != "en":
            # The closing slide's words are the language's own, never the English ones.
            assert (words.takeaways, words.thank_you) != (english.takeaways, english.thank_you), language
        assert "{title}" in words.covers and "{title}" in words.next and "{count}" in words.sections


@pytest.mark.parametrize(
    ("tag", "expected"), [("pt-BR", "pt"), ("zh_Hant", "zh"), ("AR", "ar"), ("sw", "en")]
)
def test_regional_tags_use_their_base_language_and_unknown_ones_english(tag: str, expected: str) -> None:
    assert phrases(tag) == phrases(expected)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("当社は2025年4月に全社でリモートワークを導入した。本報告では成果と課題をまとめる。", "ja"),
        ("本公司于2025年全面推行远程办公。本报告总结了一年来的成果和问题。", "zh"),
        ("우리 회사는 2025년에 원격 근무를 도입했습니다. 이 보고서는 성과를 정리합니다.", "ko"),
        ("تواجه المدن العربية ضغطًا متزايدًا على موارد المياه بسبب النمو السكاني.", "ar"),
        ("कंपनी ने पिछले साल दूरस्थ कार्य शुरू किया और इसके परिणाम अच्छे रहे।", "hi"),
        (
            _GERMAN,
            "de",
        ),
        (
            "La plupart des maisons avaient un chauffage au gaz et les propriétaires ont peur du coût.",
            "fr",
        ),
        ("Most of the houses had gas heating, and the owners were worried about the cost of it.", "en"),
    ],
)
def test_the_language_of_a_text_is_recognised(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_language_the_caller_chose_wins_over_the_text() -> None:
    assert deck_language("en", _GERMAN) == "de"
    assert deck_language("fr", _GERMAN) == "fr"
    assert deck_language("en", "Short.") == "en"
