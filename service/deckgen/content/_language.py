"""Which language a document is written in, from its script and its commonest small words.

Good enough to pick the fixed strings of a deck (agenda, takeaways…) when the caller left the
language at its default: it tells apart the languages of `_phrases` and nothing finer.
"""

from __future__ import annotations

import re
from collections import Counter

__all__ = ["detect_language", "deck_language"]

_SCRIPTS = (
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
)
_NOT_LETTERS = re.compile(r"[\W\d_]+", re.UNICODE)
_ANY_SCRIPT = re.compile("|".join(pattern.pattern for _, pattern in _SCRIPTS))
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_FUNCTION_WORDS = {
    "en": "the and of to is in that for with are this on be as it by",
    "de": "der die und das ist nicht mit den ein eine zu von für auf sich im dem des auch wird",
    "fr": "le la les et des est une pour dans que qui sur pas par du au avec sont ce",
    "es": "el la los las y que en del es por una para con se no al como más",
    "it": "il la che di e è per una del della non sono con gli le al si",
    "pt": "o a os as e que de do da em um uma para com não se por são mais",
    "nl": "de het een en van is dat op te in voor met niet zijn er ook aan",
    "pl": "i w na nie jest się z do że to o jak ale są dla od przez",
}
_VOCABULARY = {language: frozenset(words.split()) for language, words in _FUNCTION_WORDS.items()}


def detect_language(text: str) -> str | None:
    """A base language tag (`ja`, `de`…) when the text clearly is in one of the known languages."""
    # Run for every deck on the event loop: counted without a list of every letter, the scripts
    # only looked at when the text has any of them, and the vocabularies looked up in the words.
    sample = text[:20_000]
    letters = len(_NOT_LETTERS.sub("", sample))
    if letters == 0:
        return None
    # Japanese uses kana beside kanji; Chinese only han: look for kana before han.
    if _ANY_SCRIPT.search(sample):
        for language, pattern in _SCRIPTS:
            if len(pattern.findall(sample)) >= max(5, letters * (0.02 if language == "ja" else 0.2)):
                return language
    words = Counter(map(str.casefold, _WORD.findall(sample)))
    total = sum(words.values())
    if total < 5:
        return None
    scores = {
        language: sum(words.get(word, 0) for word in vocabulary)
        for language, vocabulary in _VOCABULARY.items()
    }
    best = max(scores, key=lambda language: scores[language])
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < max(3, total * 0.08) or ranked[0] < 1.3 * ranked[1]:
        return None
    return best


def deck_language(requested: str, text: str) -> str:
    """The language a deck's fixed strings use: the caller's, unless left at `en` for a text in another."""
    if requested.strip().casefold() not in ("", "en"):
        return requested
    return detect_language(text) or "en"
