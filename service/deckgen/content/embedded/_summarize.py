"""Extractive summarising: split text into sentences, weigh them by term frequency, keep the best.

Nothing is rewritten: every bullet this module returns is a sentence of the source, or a piece of
one cut at a clause boundary (never inside a word).
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import partial
from operator import itemgetter

from deckgen.render._markdown import code_spans, split_words

__all__ = [
    "STOPWORDS",
    "Weights",
    "clip",
    "key_sentences",
    "salience",
    "score_sentence",
    "shorten_sentence",
    "split_clauses",
    "split_sentences",
    "words",
]

STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let's",
        "like",
        "made",
        "make",
        "makes",
        "many",
        "may",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "mustn't",
        "my",
        "myself",
        "need",
        "needs",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "per",
        "quite",
        "rather",
        "really",
        "said",
        "same",
        "say",
        "says",
        "she",
        "should",
        "shouldn't",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they're",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "use",
        "used",
        "uses",
        "using",
        "very",
        "via",
        "was",
        "wasn't",
        "we",
        "we're",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "won't",
        "would",
        "wouldn't",
        "yet",
        "you",
        "you're",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)

_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "eg",
        "ie",
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "cf",
        "approx",
        "fig",
        "figs",
        "no",
        "nos",
        "vol",
        "vols",
        "ed",
        "eds",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "est",
        "al",
        "mt",
        "ft",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "min",
        "max",
        "avg",
        "resp",
        "ca",
        "p",
        "pp",
        "ch",
        "sec",
    ]
)

# A sentence ends at terminal punctuation (plus closing quotes or brackets) followed by space; CJK
# full-width terminators end a sentence even without a following space.
# The first alternative is only tried where a run of terminals starts: from inside the run it could
# only match as the run's start does, and trying every position rescanned the run from each ("!!!…a"
# was quadratic). Its runs are possessive because what follows each can never begin with a character
# the run gave back.
_BOUNDARY = re.compile(
    "(?<![.!?\u2026])([.!?\u2026]++[\"'\u201d\u2019)\\]]*+)(\\s+)"
    "|([\u3002\uff01\uff1f]+[\u300d\u300f\u201d\u2019\uff09)]*)\\s*"
)
_WORD = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\\W_]+(?:['\u2019][^\\W_]+)*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _ends_with_abbreviation(text: str) -> bool:
    token = text.rsplit(None, 1)[-1] if text.strip() else ""
    token = token.lstrip("(\"'\u201c\u2018[").rstrip(".").lower()
    if not token:
        return False
    if token in _ABBREVIATIONS:
        return True
    # Initials ("J.", "U.S.") and single letters do not end sentences.
    return all(len(part) == 1 and part.isalpha() for part in token.split("."))


def split_sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group(3) is not None:
            end = match.end(3)
        else:
            end = match.end(1)
            after = text[match.end() : match.end() + 1]
            # A lower-case continuation means the period was not a full stop ("3 p.m. today").
            if after and (after.islower() or after in ",;:"):
                continue
            if match.group(1).startswith(".") and _ends_with_abbreviation(text[start : match.start(1)] + "."):
                continue
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def words(text: str) -> list[str]:
    """Lower-cased content words; CJK characters count one by one since they are not space-separated."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS and (len(w) > 1 or _CJK.match(w))]


class Weights:
    """Term weights of a body of text: each word's frequency over the most frequent word's."""

    def __init__(self, texts: Iterable[str]) -> None:
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(words(text))
        top = max(counts.values(), default=1)
        self._weights = {word: count / top for word, count in counts.items()}

    def get(self, word: str) -> float:
        return self._weights.get(word, 0.0)


_FIRST_SENTENCE_BONUS = 1.15


def score_sentence(sentence: str, weights: Weights, *, first: bool = False) -> float:
    content = words(sentence)
    if not content:
        return 0.0
    score = sum(weights.get(word) for word in content) / len(content)
    return score * _FIRST_SENTENCE_BONUS if first else score


_RULE = re.compile(
    r"\b(?:must|never|always|only|without exception|at once|immediately|nobody|no one|"
    r"(?:is|are) responsible|is final|comes? before|matters? more|most|at least|at most|however \w+|whatever|"
    r"muss|müssen|nie|immer|doit|doivent|jamais|toujours|debe|deben|nunca|siempre)\b",
    re.IGNORECASE,
)
"""A rule, an obligation or an absolute: what a reader of a handbook or a report must not miss."""
_FIGURE = re.compile(r"\d")
_CONDITIONAL = re.compile(
    r"^(?:if|unless|on|in|at|during|after|before|when|while)\b[^,]{0,60},", re.IGNORECASE
)
"""A sentence that opens on a condition or a circumstance ("If someone…, the team…") states a detail."""
_ADDITIVE = re.compile(r"\b(?:too|also|as well)\b", re.IGNORECASE)
""""Heat matters too": a point that adds to another, not one that stands on its own."""


def salience(sentence: str) -> float:
    """How much a sentence weighs as a point to show or take away, beyond its words' frequency:
    rules, obligations and figures weigh more; conditions, circumstances and add-ons less; 1.0 for a
    plain sentence."""
    text = sentence.strip()
    weight = 1.0
    if _RULE.search(text):
        weight += 0.6
    if _FIGURE.search(text):
        weight += 0.3
    if _CONDITIONAL.match(text):
        weight -= 0.4
    if _ADDITIVE.search(text):
        weight -= 0.5
    return weight


def key_sentences(sentences: Sequence[str], k: int, weights: Weights | None = None) -> list[int]:
    """Indices of the `k` best sentences (the first one counted as a paragraph opener), in order."""
    if k >= len(sentences):
        return list(range(len(sentences)))
    table = weights or Weights(sentences)
    scored = sorted(
        range(len(sentences)),
        key=lambda i: (-score_sentence(sentences[i], table, first=i == 0), i),
    )
    return sorted(scored[: max(k, 0)])


# Preferred clause boundaries, strongest first. The separator stays with the left piece so that
# joining the pieces with spaces gives back the sentence.
_CLAUSE_SEPARATORS = (
    "; ",
    ": ",
    " \u2014 ",
    "\u2014 ",
    " \u2013 ",
    ", and ",
    ", but ",
    ", or ",
    ", which ",
    ", ",
)


def split_clauses(sentence: str, limit: int) -> list[str]:
    """`sentence` in pieces of at most `limit` characters, cut at clause boundaries, else between words."""
    pieces: list[str] = []
    # The last packed part is split in this loop, not in a call of its own: it holds the rest of a
    # sentence cut 200 clauses at a time, and a call for each 200 ran out of stack (800 KB of "a; ").
    # A separator the text does not hold is not looked for again in the rest, a piece of it (reading
    # the whole rest for each such separator each time was quadratic); a rest joined from parts is no
    # piece of it and may hold one.
    absent: set[str] = set()
    while True:
        sentence = sentence.strip()
        if len(sentence) <= limit:
            return [*pieces, sentence] if sentence else pieces
        for separator in _CLAUSE_SEPARATORS:
            if separator in absent:
                continue
            if separator not in sentence:
                absent.add(separator)
                continue
            keep = separator[0] if separator[0] in ",;:" else separator.rstrip()
            parts = _split_keep(sentence, separator, keep)
            if len(parts) > 1:
                *packed, rest = _pack(parts, limit)
                for part in packed:
                    pieces.extend(split_clauses(part, limit))
                if rest is not parts[-1]:
                    absent.clear()
                sentence = rest
                break
        else:
            return pieces + _split_words(sentence, limit)


_ASIDES = (
    re.compile(r"\s*\([^()]*\)"),
    re.compile(r"\s*\[[^\[\]]*\]"),
    re.compile(r"\s+[\u2014\u2013]\s+[^\u2014\u2013]+?\s+[\u2014\u2013](?=\s)"),
    re.compile(r",\s+(?:e\.g\.|i\.e\.|for example|for instance|such as|including|z\.\s?B\.)[^,]*,"),
)
"""Asides a sentence reads the same without: parentheses, brackets, dashed and comma-bound examples."""
_TRAILING = re.compile(
    r"(?:;\s|:\s|\s[\u2014\u2013]\s|,\s+(?=(?:and|but|or|so|which|who|whose|while|whereas|although|though|"
    r"because|since|as|where|when|with|without|including|unless|until|if|after|before|during|despite|"
    r"rather|not|yet|thus|most|many|some|each|all|mostly|often|usually|especially|particularly|mainly|"
    r"largely|even|in|on|at|for|from|by|up|down|compared|according|leaving|making|giving|using|"
    r"und|aber|oder|weil|da|wobei|wenn|et|mais|ou|car|y|pero|o|e|ma|perch\u00e9)\b)|"
    r"\s(?=(?:because|although|whereas|while|unless|so that|rather than)\b))"
)
"""Where a trailing clause begins: the sentence before it stands on its own."""
_SUBORDINATE = re.compile(
    r"(?:if|when|whenever|since|because|although|though|while|whilst|unless|whereas|once|until|even if|"
    r"even though|after|before)\b",
    re.IGNORECASE,
)
"""A sentence that opens with a subordinate clause ("Since `null` has…, the value is…")."""

_END = re.compile(r"(?<![.!?\u3002\uff01\uff1f\u061f])[.!?\u3002\uff01\uff1f\u061f]++[\"'\u201d\u2019)]*+$")
"""A sentence's end mark. Searched from the start of each run of marks only (from inside a run it
matches where the run's start does), with possessive runs (a mark or a closer given back would stand
before the end): "!!!…a" no longer rescans the run from each of its marks."""


def clause_alone(text: str) -> bool:
    """A subordinate clause with no main clause after it and no end ("if you have upgraded from
    version 2.0"): a heading's words set in bold, not a statement."""
    text = text.strip()
    return bool(_SUBORDINATE.match(text)) and "," not in text and _END.search(text) is None


_SUBJECT_CLAUSE = re.compile(
    r"^(?:(?:as|for|in|on|at|to|with|from|within)\b[^,]*,\s+)?(?:how|what|whatever|whoever|whether)\s[^,]*$",
    re.IGNORECASE,
)


def shorten_sentence(sentence: str, limit: int) -> str | None:
    """`sentence` in at most `limit` characters and still one whole sentence: asides dropped first,
    then trailing clauses, the sentence's own end mark kept. None when no such cut gets it short enough.
    """
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    found = _END.search(sentence)
    end = found.group(0)[:1] if found else ""
    body = sentence[: found.start()] if found else sentence
    # Found again only when the text changed: a sentence of thousands of code spans is read once.
    code = _code_spans(body)
    for aside in _ASIDES:
        # An aside never reaches into a code span: "`f(x)`" is not "`f`" with "(x)" left out.
        shorter = " ".join(aside.sub(partial(_unless_code, code), body).split())
        if shorter != body:
            body, code = shorter, _code_spans(shorter)
        if len(body) + len(end) <= limit:
            return body + end
    # The longest head that ends where a trailing clause begins, if it says enough on its own.
    cuts = [
        m.start()
        for m in _TRAILING.finditer(body)
        if m.start() + len(end) <= limit and not _overlaps(m.span(), code)
    ]
    # A sentence that opens with its subordinate clause has its main clause after a comma: a head
    # without one is that clause alone ("If there is no `.` in the last portion of the `path`.").
    subordinate = _SUBORDINATE.match(body) is not None
    # Brackets inside code are the code's: counted in the prose only, its code spans (found once
    # above) blanked.
    prose = _blanked(body, code) if cuts else body
    for cut in reversed(cuts):
        head = body[:cut].rstrip(" ,;:\u2014\u2013")
        if subordinate and "," not in head:
            continue
        # Nor on half of an "either … or …" ("…is either the query string without its mark.").
        either = head.casefold().rfind("either ")
        if either >= 0 and " or " not in head.casefold()[either:]:
            continue
        # Nor on a clause that is the subject, its verb in what is cut ("As a contributor, how you
        # choose to act towards your fellow contributors, as well as to the community, will reflect…").
        if _SUBJECT_CLAUSE.search(head):
            continue
        # Not inside "in which", "for whom"…: the preposition belongs to the clause cut off
        # ("…on that lane, in which case…" gave "…on that lane, in.").
        # Nor on a word that needs more after it ("…for each supported package manager that").
        # Nor with a bracket left open ("…mode (`GCM`, `CCM`, `OCB`.").
        said = head.split()
        if len(said) >= 5 and said[-1].casefold() not in _DANGLING and _balanced(prose[: len(head)]):
            return head + end
    return None


def _open_bracket(words: list[str]) -> int:
    """The index of the word that opens the first bracket `words` leave open, or -1. Code spans (never
    split, see `split_words`) hold the code's own brackets, not the prose's."""
    depth: list[int] = []
    for i, word in enumerate(words):
        for char in _blanked(word, code_spans(word)) if "`" in word else word:
            if char in "([":
                depth.append(i)
            elif char in ")]" and depth:
                depth.pop()
    return depth[0] if depth else -1


def _balanced(prose: str) -> bool:
    return all(prose.count(opening) == prose.count(closing) for opening, closing in ("()", "[]", "{}"))


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with `spans` (sorted and apart) turned to spaces, its length kept."""
    pieces: list[str] = []
    at = 0
    for start, end in spans:
        pieces += [text[at:start], " " * (end - start)]
        at = end
    return "".join(pieces) + text[at:]


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where the code spans the slide text keeps from its document are (the renderer draws them)."""
    return code_spans(text) if "`" in text else []


def _overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether `span` overlaps one of `spans` (sorted and apart, as `_code_spans` gives them): the
    first of them to end after `span` starts is the only one to look at. Looked up, since a sentence
    of thousands of code spans and asides compared each aside with every span."""
    index = bisect_right(spans, span[0], key=itemgetter(1))
    return index < len(spans) and spans[index][0] < span[1]


def _unless_code(code: list[tuple[int, int]], match: re.Match[str]) -> str:
    """Nothing for an aside matched, or the match itself when it reaches into a code span."""
    return match.group(0) if _overlaps(match.span(), code) else ""


def _split_keep(text: str, separator: str, keep: str) -> list[str]:
    """Split after each `separator`, keeping its text (`keep`) at the end of the left part."""
    parts: list[str] = []
    start = 0
    while True:
        at = text.find(separator, start)
        if at < 0 or at == 0:
            break
        left_end = at + len(keep)
        parts.append(text[start:left_end].strip())
        start = left_end
        if len(parts) > 200:
            break
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _pack(parts: list[str], limit: int) -> list[str]:
    packed: list[str] = []
    for part in parts:
        if packed and len(packed[-1]) + 1 + len(part) <= limit:
            packed[-1] = f"{packed[-1]} {part}"
        else:
            packed.append(part)
    return packed


def _split_words(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    for word in text.split():
        # A single "word" longer than the limit (a URL, say) is the one thing cut inside. Cut at
        # offsets: taking the rest of a word of megabytes again for each piece was quadratic.
        start = 0
        while len(word) - start > limit:
            if pieces and not pieces[-1]:
                pieces.pop()
            pieces.append(word[start : start + limit])
            start += limit
        word = word[start:]
        if pieces and len(pieces[-1]) + 1 + len(word) <= limit:
            pieces[-1] = f"{pieces[-1]} {word}"
        else:
            pieces.append(word)
    return [piece for piece in pieces if piece]


# Words a clipped phrase should not end on ("enums with an…", "no shutdown, no…"): English only,
# where they were seen; in other languages the cut stays at the last word that fits.
# fmt: off
_DANGLING = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "by", "for", "with",
    "from", "as", "that", "which", "who", "whose", "no", "not", "its", "their", "our", "your", "his",
    "her", "this", "these", "those", "than", "into", "onto", "via", "per", "is", "are", "was", "were",
    "be",
})
# fmt: on


def clip(text: str, limit: int) -> str:
    """`text` shortened to at most `limit` characters at a word boundary, marked with an ellipsis.

    The cut ends on a word that can end a phrase, and at a clause's comma when one is near it.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        # At the last space before the limit between words, a code span (`git worktree add`) or a
        # link counted as one word: cut inside, its markers would show.
        words = split_words(text)
        ends = list(itertools.accumulate(len(word) + 1 for word in words))
        fitting = [i for i, end in enumerate(ends) if end - 1 < limit - 1]
        if fitting:
            kept = words[: fitting[-1] + 1]
            while len(kept) > 1 and kept[-1].casefold().rstrip(",;:") in _DANGLING:
                kept.pop()
            # A clause that ends in the last third of what is kept ends the cut better than a
            # phrase broken off after it.
            clause = max((i for i, word in enumerate(kept[:-1]) if word.endswith((",", ";"))), default=-1)
            if clause >= 2 * len(kept) // 3:
                kept = kept[: clause + 1]
            # A bracket the cut would leave open goes with what it held: an aside ("…memory leaks
            # (memory…" never closed).
            opened = _open_bracket(kept)
            if opened > 0:
                kept = kept[:opened]
                while len(kept) > 1 and kept[-1].casefold().rstrip(",;:") in _DANGLING:
                    kept.pop()
            cut = " ".join(kept)
        else:
            cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:—-") + "…"
