"""Sections into a deck: which slides, in which order, holding which material.

Slide-count policy, title and closing slides included:

- 1 slide: the title slide alone, its subtitle the deck's most representative sentence.
- 2 slides: the title slide and the closing slide with the main takeaways.
- n >= 3: title, up to n - 2 content slides, closing.
- unset: about one slide per section, at most 20 in all.

Too many drafts: adjacent drafts merge (same section first, then same chapter, then any), each
section keeping its best point. Too few: CONDENSE takes more key sentences per paragraph, then
chapter dividers and an agenda are added, then drafts split while each half stays worth a slide.
When the documents hold too little for the count asked, the deck is shorter and says so in a
warning: nothing is padded and no sentence is shown twice.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from deckgen.content._base import EngineWarning
from deckgen.content._phrases import Phrases, phrases
from deckgen.content.embedded._drafts import (
    COMPACT_AFTER,
    ENDED,
    Draft,
    body_text,
    build,
    caption,
    compact_line,
    expand_once,
    family,
    introduces,
    own_sentence,
    reduce,
)
from deckgen.content.embedded._markdown import Document, ListBlock, Paragraph, TableBlock
from deckgen.content.embedded._memo import one_plan, remembered
from deckgen.content.embedded._sections import (
    CODE_SPAN,
    Section,
    Unit,
    clean_title,
    colon_ended,
    completing_lists,
    document_title,
    example_lists,
    goes_on,
    introduced_lists,
    leads_in,
    masked_words,
    points_elsewhere,
    points_outside,
    reference_entry,
    sectionize,
    units_of,
)
from deckgen.content.embedded._summarize import clip, salience, split_sentences
from deckgen.content.embedded._summarize import words as content_words
from deckgen.domain import (
    Bullet,
    CodeBlock,
    Layout,
    OutlineItem,
    Slide,
    SourceRef,
    limits,
)

__all__ = [
    "DEFAULT_MAX_SLIDES",
    "Plan",
    "deck_title",
    "key_points",
    "plan_deck",
    "render_bullets",
    "shown_sentences",
    "trim_notes",
]

DEFAULT_MAX_SLIDES = 20
_NOTES_CHARS = 800
_KEY_POINT_CHARS = 80
_SUBTITLE_CHARS = 120
_TAKEAWAYS = 4
_TAKEAWAY_CHARS = 120
_DEFAULT_DENSITY = 2
_AGENDA_MIN = 3
_CONCLUSION = re.compile(
    r"^(?:conclusions?|summary|in summary|takeaways?|key takeaways|wrap[- ]up|lessons learned|fazit|"
    r"zusammenfassung|schlussfolgerung(?:en)?|conclusi[oó]n(?:es)?|conclusioni|conclusão|conclusões|résumé|"
    r"en résumé|samenvatting|conclusie|podsumowanie|wnioski|まとめ|結論|总结|結論|결론|요약|الخلاصة|خلاصة|"
    r"الخاتمة|निष्कर्ष|सारांश)$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Plan:
    title: str
    subtitle: str
    slides: tuple[Slide, ...]
    items: tuple[OutlineItem, ...]
    sections: tuple[Section, ...]
    warnings: tuple[EngineWarning, ...] = ()


# --- small helpers -------------------------------------------------------------------------------


def trim_notes(sentences: list[str], limit: int = _NOTES_CHARS) -> str:
    """Whole sentences joined up to `limit` characters; a sentence that does not fit is left out,
    never cut."""
    text = ""
    for sentence in sentences:
        candidate = f"{text} {sentence}".strip()
        if len(candidate) <= limit:
            text = candidate
    return text


def render_bullets(units: list[Unit]) -> tuple[Bullet, ...]:
    bullets: list[Bullet] = []
    lead = -2  # the group of the last lead-in ("A transfer fails if:"): its list goes under it
    for unit in units:
        under = 1 if lead >= 0 and unit.group == lead + 1 else 0
        bullets.extend(Bullet(line.text, line.level + under) for line in unit.lines())
        if not under:
            lead = unit.group if unit.level == 0 and colon_ended(unit.text) else -2
    return _normalise_levels(bullets[: limits.MAX_BULLETS])


def _under_title(bullets: tuple[Bullet, ...], title: str, point: str = "") -> tuple[Bullet, ...]:
    """A slide titled by the section that heads its first bullet says it once: the section's points
    move up, its one line ("Title: its point") is its `point` alone, and a bare heading line under
    its own title goes."""
    headed = (f"{title}: ", f"{title} \u2014 ")  # see compact_line
    if point and bullets and bullets[0].level == 0 and bullets[0].text.startswith(headed):
        return _normalise_levels([Bullet(point, 0), *_lifted(list(bullets[1:]))])
    if len(bullets) < 2 or bullets[0].level != 0 or bullets[0].text != title:
        return bullets
    return _normalise_levels(_lifted(list(bullets[1:])))


def _lifted(rest: list[Bullet]) -> list[Bullet]:
    """`rest`, the bullets under a first line the slide's title now says, a level up until the next
    bullet of the top level."""
    end = next((i for i, bullet in enumerate(rest) if bullet.level == 0), len(rest))
    return [Bullet(bullet.text, bullet.level - 1) for bullet in rest[:end]] + rest[end:]


def _normalise_levels(bullets: list[Bullet]) -> tuple[Bullet, ...]:
    """No slide starts indented, and no bullet sits more than one level under the one before it."""
    result: list[Bullet] = []
    for bullet in bullets:
        ceiling = result[-1].level + 1 if result else 0
        level = max(0, min(bullet.level, ceiling, limits.MAX_BULLET_LEVEL))
        result.append(bullet if level == bullet.level else Bullet(bullet.text, level))
    return tuple(result)


def key_points(slide: Slide) -> tuple[str, ...]:
    """A few words per point of a slide, for the outline a person reviews."""
    if slide.layout == Layout.TABLE and slide.table is not None:
        return tuple(clip(cell, _KEY_POINT_CHARS) for cell in slide.table.header if cell)
    if slide.layout == Layout.CHART and slide.chart is not None:
        return tuple(clip(s.name, _KEY_POINT_CHARS) for s in slide.chart.series if s.name)
    if slide.layout == Layout.STATISTIC:
        return tuple(clip(f"{s.value} {s.label}", _KEY_POINT_CHARS) for s in slide.statistics)
    if slide.layout == Layout.TIMELINE:
        return tuple(clip(f"{s.label}: {s.title}", _KEY_POINT_CHARS) for s in slide.steps)
    if slide.layout == Layout.QUOTE and slide.quote is not None:
        return (clip(slide.quote.text, _KEY_POINT_CHARS),)
    if slide.layout == Layout.TWO_COLUMNS and slide.left is not None and slide.right is not None:
        return (slide.left.heading, slide.right.heading)
    if slide.bullets:
        return tuple(clip(b.text, _KEY_POINT_CHARS) for b in slide.bullets if b.level == 0)
    if slide.body:
        first_lines = [split_sentences(paragraph)[:1] for paragraph in slide.body.split("\n\n")]
        return tuple(clip(line[0], _KEY_POINT_CHARS) for line in first_lines if line)[: limits.MAX_BULLETS]
    if slide.code is not None:
        first = next((line.strip() for line in slide.code.text.split("\n") if line.strip()), "")
        return (clip(first, _KEY_POINT_CHARS),) if first else ()
    if slide.layout == Layout.TITLE and slide.subtitle:
        return (clip(slide.subtitle, _KEY_POINT_CHARS),)
    return ()


_ASIDE = re.compile(r"\s*\([^()]*\)")


def _title(text: str) -> str:
    # Too long a heading loses its asides before its words: "Online Boutique
    # (GoogleCloudPlatform/microservices-demo) and the OpenTelemetry demo — operations" reads whole
    # without the repository's name, and cut it would end "…demo…".
    text = " ".join(text.split())  # first: a run of spaces before each "(" would be scanned again
    if len(text) > limits.MAX_TITLE_CHARS:
        text = " ".join(_ASIDE.sub("", text).split()) or text
    return clip(text, limits.MAX_TITLE_CHARS)


def _joined(titles: list[str]) -> str:
    return " · ".join(titles)


_LINKS = frozenset(("of", "in", "on", "for", "at", "to", "from", "by", "with", "and", "&", "the", "a", "an"))
_CLAUSES = frozenset(("what", "why", "how", "who", "when", "where", "which", "whether"))
"""Words opening a heading that is a clause: it is its own topic, whole."""
# Words that open a heading around a name rather than being part of it.
_OPENERS = _LINKS | frozenset(
    (
        "about",
        "after",
        "all",
        "before",
        "between",
        "beyond",
        "each",
        "every",
        "his",
        "her",
        "how",
        "into",
        "its",
        "my",
        "our",
        "over",
        "some",
        "that",
        "their",
        "these",
        "this",
        "those",
        "through",
        "under",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "within",
        "without",
        "your",
    )
)


_TOPIC_END = re.compile(r"\s*[(\[].*|\s+[\u2014\u2013-]\s.*")
"""Where a heading's topic ends: at its aside in brackets, or at a spaced dash (see `_topic`)."""
_NUMBER_ONLY = re.compile(r"\s*(?:\d{1,3}|[IVX]{1,4})[.)]?\s*")


def _topic(title: str) -> str:
    """What a section is about, in a few words: "Purpose of the programme" -> "Purpose", but
    "Talking to the public and the media" -> "Talking to the public" (an -ing word needs its object)."""
    # A heading's aside ("Redis (running on localhost)") is not its topic, and cutting inside it
    # would leave a bracket open; nor is what follows a spaced dash ("encode/starlette — readable
    # in one sitting"): the subject comes before it.
    # Spaces collapsed first: the patterns would scan a long run of them again from each space.
    title = " ".join(title.split())
    # Brackets inside a code span ("`timeout.hasRef()`") are the code's, not an aside: looked for with
    # code spans blanked to the same length, so that the cut falls where it does in the title.
    masked = CODE_SPAN.sub(lambda span: "x" * len(span.group()), title) if "`" in title else title
    aside = _TOPIC_END.search(masked)
    head = title[: aside.start()] if aside else title
    if aside and _NUMBER_ONLY.fullmatch(head) and aside.group().lstrip()[:1] in "-\u2013\u2014":
        # "1 - Developer experience": before its dash, a heading has only its number.
        return _topic(title[aside.start() :].lstrip().lstrip("-\u2013\u2014")) or title
    words = head.split() or title.split()
    if words[0].casefold() in _CLAUSES:
        return " ".join(words)  # "What drove the quarter": cut short, the question has no object
    start = 1
    # So does a preposition ("From a browser", not "From").
    if words[0].casefold().endswith("ing") or words[0].casefold() in _LINKS - {"the", "a", "an"}:
        start = next((i for i in range(1, len(words)) if words[i].casefold() not in _LINKS), len(words))
    cut = next(
        (i for i in range(start, len(words)) if words[i].casefold() in _LINKS - {"and", "&"}), len(words)
    )
    while cut > 1 and words[cut - 1].casefold() in _LINKS:
        cut -= 1  # "Talking to the public and the media" -> "Talking to the public"
    if cut < len(words) and words[cut - 1].casefold() in _NEEDS_OBJECT:
        # Not on a word that asks for what was cut: "Treat each wire error as an event" is about
        # "Treat each wire error". Where that leaves one word ("Waiting until the pull request gets
        # landed" said "waiting until", "Check out the collaborator guide" "check out"), the heading
        # is its own topic, whole.
        # A verb's particle ("looks up the `@@hasInstance` property") is the verb's: whole too.
        while cut > 1 and words[cut - 1].casefold() in _CONNECTIVES:
            cut -= 1
        if cut <= 1 or words[cut - 1].casefold() in _PARTICLES:
            return " ".join(words)
    return " ".join(words[:cut])


_PARTICLES = frozenset(("out", "up", "off", "down"))
_CONNECTIVES = _OPENERS | frozenset(("until", "unless", "while", "since", "because", "than", "as", "if"))
_NEEDS_OBJECT = _CONNECTIVES | _PARTICLES
"""Words a topic cannot end on: what follows them is what they are about."""


_LABELLED_CODE = re.compile(r"([A-Za-z][\w ]{0,30}):\s+(`[^`]+`)")
"""An API reference's heading of a name under its kind: "Class: `fs.StatFs`", "Static method: `…`"."""
_SIGNATURE = re.compile(r"`([^`(]+)\([^`]+\)`")
_GENERIC_LEADS = frozenset(("overview", "introduction", "background", "summary"))


def _api_name(topic: str) -> str:
    """An API entry's heading as a title names it among others: by its name and kind, not its
    signature. "`agent.reuseSocket(socket, request)`" -> "`agent.reuseSocket()`", and "Class:
    `fs.StatFs`" -> "Class `fs.StatFs`" (the colon read as a label inside a phrase)."""
    labelled = _LABELLED_CODE.fullmatch(topic)
    kind, code = labelled.groups() if labelled else ("", topic)
    if _SIGNATURE.fullmatch(code):
        code = _SIGNATURE.sub(r"`\1()`", code)
    return f"{kind} {code}" if kind else code


_LABELLED = re.compile(r"(`[^`]+`|[a-z][\w.-]*|[A-Za-z_.-]*\d[\w.-]*):\s+\S+(?:\s+\S+){2,}")
"""A heading that names its thing, then says what it does: "sign1: signing with a template file",
"Q3: revenue grew by a fifth". The name is code or lower case ("xmldsigverify") or holds a digit,
so that a kind of thing ("Class: Timeout", "Exercise: Make and final notes") is not taken for one."""


def _labels(titles: list[str]) -> list[str]:
    """The names of headings that each name a different thing and say what it does: listed, they
    say which things the slide is about ("sign1, sign2 and verify1"); their first words would read
    "sign1: signing, sign2: signing and verify1: verifying"."""
    found = [_LABELLED.fullmatch(" ".join(title.split())) for title in titles]
    labels = [match.group(1) for match in found if match is not None]
    return labels if len(labels) == len(titles) and len(set(labels)) == len(labels) else []


def _same_kind(headings: list[str]) -> str:
    """Headings that are all names of one kind said once: "Class: `Sign`", "Class: `Verify`" ->
    "Classes `Sign` and `Verify`"; "" unless there are several, all of one kind."""
    found = [_LABELLED_CODE.fullmatch(" ".join(heading.split())) for heading in headings]
    kinds = {match.group(1).casefold() for match in found if match is not None}
    if len(found) < 2 or None in found or len(kinds) != 1:
        return ""
    kind = next(match.group(1) for match in found if match is not None)
    names = [_api_name(match.group(2)) for match in found if match is not None]
    plural = kind + ("es" if kind.endswith(("s", "x", "ch", "sh")) else "s")
    return f"{plural} {', '.join(names[:-1])} and {names[-1]}"


_STEP = re.compile(r"(step|phase|stage|part)\s+(\d{1,3})\s*[:.]\s+(\S.*)", re.IGNORECASE)
"""A heading numbering a step of a procedure: "Step 3: Code"."""


def _steps_said_once(titles: list[str]) -> list[str]:
    """Consecutive steps as one heading, their kind and numbers said once: "Step 1: Fork", "Step 2:
    Branch" -> "Steps 1-2: Fork and branch", with an en dash (the list read "step 1: Fork and step 2:
    Branch")."""
    merged: list[str] = []
    run: list[re.Match[str]] = []
    for title in [*titles, ""]:
        step = _STEP.fullmatch(" ".join(title.split()))
        if (
            step is not None
            and run
            and step.group(1).casefold() == run[-1].group(1).casefold()
            and int(step.group(2)) == int(run[-1].group(2)) + 1
        ):
            run.append(step)
            continue
        if len(run) >= 2:
            names = [run[0].group(3), *(_in_sentence(s.group(3)) for s in run[1:])]
            said = f"{', '.join(names[:-1])} and {names[-1]}"
            merged.append(f"{run[0].group(1)}s {run[0].group(2)}\u2013{run[-1].group(2)}: {said}")
        else:
            merged.extend(s.string for s in run)
        run = [step] if step is not None else []
        if step is None and title:
            merged.append(title)
    return merged


def _range_end(title: str, names: frozenset[str]) -> str:
    """A heading named as one end of a run of sections ("From … to …"); one that is no topic of its
    own ("Overview") as the part of the document it is."""
    said = _in_sentence(_api_name(_topic(title)), names)
    return f"the {said}" if said.casefold() in _GENERIC_LEADS else said


def _in_sentence(word: str, names: frozenset[str] = frozenset()) -> str:
    # An acronym, a name in capitals or in camel case ("OpenTelemetry") keeps its case, and so does
    # a name the document itself writes capitalised inside its sentences ("Redis"); a heading's
    # first word reads inside a sentence.
    first, _, rest = word.partition(" ")
    # "Google's" is the name "Google" (names hold words, not their possessive or punctuation).
    if re.split(r"[^\w-]", first, maxsplit=1)[0] in names or any(c.isupper() for c in first[1:]):
        return word
    # A capital on the next word too makes the first part of a name ("Google's API Improvement
    # Proposals", "Online Boutique"), or of a heading in title case, which reads worse half lowered;
    # unless the first is a word of the sentence around a name ("From Python", "Using Redis").
    opener = first.casefold()
    # Title case across small words too: "Limitations and Known Issues", but not "Deploy to Azure",
    # where one capitalised word may be a name after a verb.
    later = [w for w in rest.split() if w.casefold() not in _SMALL_WORDS]
    titled = rest[:1].isupper() or (len(later) >= 2 and all(w[:1].isupper() for w in later))
    if titled and opener not in _OPENERS and not opener.endswith("ing"):
        return word
    return word[:1].lower() + word[1:]


_SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"}
)


_MID_SENTENCE_WORD = re.compile(r"(?<=[\w,;:)] )([A-Z][\w-]*)")


def names_in(sentences: Iterable[str]) -> frozenset[str]:
    """Capitalised words that appear inside sentences, not at their start: names ("Redis",
    "Supabase"), which keep their capital when a heading's first word is said mid-title. A word the
    text writes in lower case more often ("the Section … a section … each section") is a common
    word; a name's package or command ("redis 8.1") may tie with it."""
    capitalised: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for sentence in sentences:
        capitalised.update(_MID_SENTENCE_WORD.findall(sentence))
        lower.update(re.findall(r"\b[a-z][\w-]*", sentence))
    return frozenset(
        word for word, count in capitalised.items() if count >= lower[word[:1].lower() + word[1:]]
    )


_ENDING_OPENERS = frozenset(
    ("before", "after", "during", "for", "of", "in", "on", "with", "to", "from", "at")
)
_ARTICLES = frozenset(("a", "an", "the", "this", "that", "these", "those", "its", "their", "your", "our"))


def _shared_ending(titles: list[str], names: frozenset[str]) -> str:
    """Headings that end alike ("One week before the onboarding session", "Fifteen minutes before
    the onboarding session"; "Reviewing pull requests", "Landing pull requests") said once, with
    that ending after their own heads ("One week and fifteen minutes before the onboarding
    session", "Reviewing and landing pull requests"); "" when they do not."""
    split = [title.split() for title in titles]
    if len(split) < 2 or any("`" in title for title in titles):
        return ""  # a name in code is said whole, never cut in two
    common = 0
    while (
        all(len(words) > common + 1 for words in split)
        and len({w[-1 - common].casefold() for w in split}) == 1
    ):
        common += 1
    # Each heading keeps a head (the loop above leaves one); a preposition alone is no ending.
    if common == 0 or (common == 1 and split[0][-1].casefold() in _ENDING_OPENERS):
        return ""
    heads = [" ".join(words[:-common]) for words in split]
    if len({head.split()[0].casefold() for head in heads}) < len(heads) or any(
        len(head.split()) > 4 for head in heads
    ):
        return ""  # heads alike ("List of possible", "List of possible model's") are no list
    if any(head.split()[-1].casefold() in _ENDING_OPENERS | _ARTICLES for head in heads):
        return ""  # a head that needs its ending: "Basics of a and creating an HTTP benchmark"
    said = [heads[0], *(_in_sentence(head, names) for head in heads[1:])]
    return f"{', '.join(said[:-1])} and {said[-1]} {' '.join(split[0][-common:])}"


def group_title(
    titles: list[str], names: frozenset[str] = frozenset(), document_names: frozenset[str] = frozenset()
) -> str:
    """A title that says what several consecutive sections hold, as a list of their topics:
    "Working with landowners", "Working with local authorities", "Volunteers" ->
    "Working with landowners and local authorities, and volunteers". Words in `names` (from the
    sections' own sentences) keep their capital (see `names_in`); so does a one-word topic in
    `document_names` (from the whole document)."""
    if kind := _same_kind(titles):
        return kind
    if shared := _shared_ending(titles, names | document_names):
        return shared
    if labels := _labels(titles):
        return f"{', '.join(labels[:-1])} and {labels[-1]}"
    topics: list[str] = []
    shown = [_api_name(_topic(title)) for title in _steps_said_once(titles)]
    if len({topic.casefold() for topic in shown}) < len(shown):
        # Topics cut to one word alike ("List of possible outputs", "List of possible model's
        # outputs" -> "List and list") are said whole.
        shown = [_api_name(title) for title in _steps_said_once(titles)]
    for topic in shown:
        lead = " ".join(topic.split()[:2])
        # Topics that open alike ("Working with …") are said once.
        if topics and len(topic.split()) > 2 and topics[-1].startswith(lead + " "):
            topics[-1] = f"{topics[-1]} and {topic.removeprefix(lead + ' ')}"
        else:
            topics.append(topic)
    # A one-word topic ("Azure (managed identity)") gives no other sign of being a name, and may be
    # named mid-sentence only in a section before it, so the whole document is asked. Longer topics
    # are not: the document names a heading mid-sentence when it refers to it ("see Who is calling").
    said = [
        topics[0],
        *(_in_sentence(topic, names | document_names if " " not in topic else names) for topic in topics[1:]),
    ]
    if len(said) == 1:
        return said[0]
    # "and" inside a topic ("Weather and tides") asks for commas between topics so that both read.
    if " and " in said[-1]:
        return ", ".join(said)
    if any(" and " in topic for topic in said):
        return f"{', '.join(said[:-1])}, and {said[-1]}"
    return f"{', '.join(said[:-1])} and {said[-1]}"


def _draft_title(
    draft: Draft, words: Phrases, known: frozenset[str] = frozenset(), generic: frozenset[str] = frozenset()
) -> str:
    titles = list(dict.fromkeys(clean_title(section.title) for section in draft.sections))
    own = draft.title or (titles[0] if len(titles) == 1 else "")
    whose = _parents(draft.sections) if own in generic and titles == [own] and not draft.repeats else []
    if whose:
        # A heading that several parts of the document share ("Goal") says which one it is.
        base = f"{whose[0]}: {own}"
        return _title(base if len(base) <= limits.MAX_TITLE_CHARS else own)
    if draft.title and draft.repeats:
        suffix = f" {words.continued}"
        return clip(_title(draft.title), limits.MAX_TITLE_CHARS - len(suffix)) + suffix
    if draft.title:
        return _title(draft.title)
    # A slide of one line a section shows as many as it holds: its parents are those lines', not a
    # left-off section's ("Landing pull requests and Long Term Support" over no line of the latter).
    lined = draft.sections[: limits.MAX_BULLETS] if draft.compact() else draft.sections
    parents = _parents(lined) if len(titles) > 1 else []
    root = lined[0] if lined else None
    if (
        len(parents) > 1
        and root is not None
        and _headed(root)
        and all(s.path[: len(root.path)] == root.path for s in lined)
    ):
        # One section and the sections under it ("Usage", then "As a cargo subcommand" and its steps):
        # the slide is that section, not a list of its levels ("Usage and as a cargo subcommand").
        return _title(clean_title(root.title))
    if parents:
        # Its sections' own headings ("Goal", "Related links", "Contacts") name the slide's lines;
        # what they are the goal and links of is the heading above them: the parents, whole (they
        # may be sentences), or the one most of the slide is under.
        if len(parents) == 1:
            return _title(parents[0])
        if len(parents) > 2 and (ancestor := _common_ancestor(lined)):
            # Three headings and more under one ("Linux/Unix", "MacOS" and "Windows" under "Getting
            # Pyenv"): that one says what the slide is about, where a list of them would not.
            return _title(ancestor)
        english = words == phrases("en")
        if english and (kind := _same_kind(parents)) and len(kind) <= limits.MAX_TITLE_CHARS:
            return _title(kind)
        if english and len(parents) == 2:
            # The second reads mid-sentence, capitalised only as a name ("Kubernetes and Redis").
            names = names_in(
                line for section in draft.sections for part in section.parts for line in part.sentences
            )
            first, second = _api_name(parents[0]), _in_sentence(_api_name(parents[1]), names | known)
            # "and" inside the first ("Unix and macOS") asks for a comma before the second.
            both = f"{first}, and {second}" if " and " in first else f"{first} and {second}"
        else:
            both = _joined(parents)
        if len(both) <= limits.MAX_TITLE_CHARS:
            return _title(both)
        if ancestor := _common_ancestor(lined):
            # Too long to name both: what both are under, rather than one of them over the other's lines.
            return _title(ancestor)
        counts = Counter(_parent_of(section) for section in draft.sections)
        return _title(max(parents, key=lambda parent: counts[parent]))
    # A heading that runs on into its text ("What pyenv does...", "In contrast with pythonbrew and
    # pythonz, pyenv does not...") opens a sentence, names no topic: the others name the slide.
    in_order = titles
    titles = [title for title in titles if not title.endswith(("...", "\u2026"))] or [
        titles[0].rstrip(".\u2026 ")  # all of them: the first says what the slide opens with
    ]
    chapters = {section.chapter for section in draft.sections}
    # Topics joined as an English phrase: other languages keep the headings' own words, listed.
    english = len(titles) > 1 and words == phrases("en")
    names = (
        names_in(line for section in draft.sections for part in section.parts for line in part.sentences)
        if english
        else frozenset()
    )
    grouped = group_title(titles, names, known) if english else ""
    asks = any(t.endswith(("?", "\uff1f")) for t in titles)
    if len(titles) == 1:
        base = titles[0]
    elif grouped and len(grouped) <= limits.MAX_TITLE_CHARS and not asks:
        base = grouped
    elif asks and len(chapters) == 1 and draft.sections[0].chapter_title:
        # A question among the headings reads badly in a list of them ("Who can nominate
        # Collaborators? · Ideal Nominees · …"): what they are all part of says it.
        base = clean_title(draft.sections[0].chapter_title)
    elif len(_joined(titles)) <= limits.MAX_TITLE_CHARS:
        base = _joined(titles)
    elif len(chapters) == 1 and draft.sections[0].chapter_title:
        base = clean_title(draft.sections[0].chapter_title)
    elif grouped and not asks:
        # Too many to list: the run its lines show (one a section, as many as a slide holds).
        last = in_order[min(len(in_order), limits.MAX_BULLETS) - 1] if draft.compact() else in_order[-1]
        base = f"From {_range_end(in_order[0], names)} to {_range_end(last, names)}"
    else:
        # Too many to name: as many as fit, in order, the slide's own headings name the rest.
        shown: list[str] = []
        for title in titles:
            if len(_joined([*shown, title, "…"])) > limits.MAX_TITLE_CHARS:
                break
            shown.append(title)
        base = _joined([*shown, "…"]) if shown else titles[0]
    if draft.continued and len(titles) == 1:
        suffix = f" {words.continued}"
        return clip(base, limits.MAX_TITLE_CHARS - len(suffix)) + suffix
    return _title(base)


def _parents(sections: list[Section]) -> list[str]:
    """The headings the sections are (or are directly under), in order, when each is below its
    chapter's heading or on the slide itself: the slide is about them, and the sections' own
    headings name its lines."""
    on_slide = {section.path: clean_title(section.title) for section in sections if _headed(section)}
    above_some = _above(sections)

    def parent(section: Section) -> str:
        if section.path in on_slide and section.path in above_some:
            return on_slide[section.path]  # it heads others on the slide ("Class: Timeout", its methods)
        above = section.path[:-1] if _headed(section) else section.path
        return on_slide.get(above) or _parent_of(section)

    found = [parent(section) for section in sections]
    return [] if "" in found else list(dict.fromkeys(found))


def _above(sections: list[Section]) -> set[tuple[str, ...]]:
    """The paths of the headings some of `sections` are under."""
    return {section.path[:depth] for section in sections for depth in range(1, len(section.path))}


def _common_ancestor(sections: list[Section]) -> str:
    """The heading every section is below, when it is below its chapter's heading; else ""."""
    paths = [section.path[:-1] if _headed(section) else section.path for section in sections]
    common = paths[0] if paths else ()
    for path in paths[1:]:
        while path[: len(common)] != common:
            common = common[:-1]
    chapters = {section.chapter_title for section in sections}
    return "" if len(common) < 2 or common[-1] in chapters else clean_title(common[-1])


def _headed(section: Section) -> bool:
    return section.path[-1:] == (section.title,)


def _parent_of(section: Section) -> str:
    """The heading `section`'s heading is directly under, "" when that is the chapter's or above."""
    parent = section.path[:-1] if _headed(section) else section.path
    return "" if len(parent) < 2 or parent[-1] == section.chapter_title else clean_title(parent[-1])


def _sources(draft: Draft) -> tuple[SourceRef, ...]:
    if not draft.sections:
        return ()
    by_document: dict[str, list[Section]] = {}
    for section in draft.sections:
        by_document.setdefault(section.document, []).append(section)
    refs = []
    for document, sections in by_document.items():
        first, last = sections[0], sections[-1]
        path = " > ".join(first.path)
        lines = f"lines {first.first_line}\u2013{last.last_line}"
        refs.append(SourceRef(document=document, locator=f"{path}, {lines}" if path else lines))
    return tuple(refs)


def _introducing_what_is_shown(units: list[Unit]) -> list[Unit]:
    """`units` without a lead-in whose list the slide does not show ("A collaborator nomination can
    be reviewed in the same way one would review a PR adding a feature:" over nothing, "Returns:")."""
    return [
        unit
        for unit, after in itertools.zip_longest(units, units[1:])
        if not _introduces_nothing(unit, after)
    ]


def _introduces_nothing(unit: Unit, after: Unit | None) -> bool:
    return colon_ended(unit.text) and not introduces(unit, after)


def _grouped_bullets(draft: Draft) -> tuple[Bullet, ...]:
    """Several sections on one slide: each section's title, with its points under it."""
    if draft.compact():
        by_section = {unit.section: unit for unit in draft.units}
        compact: list[Bullet] = []
        said: set[str] = set()
        above: list[tuple[str, ...]] = []
        for section in draft.sections:
            line = compact_line(section, by_section.get(section.index))
            # A document may hold one section twice (Node.js's GOVERNANCE.md does): the slide says it once.
            if line in said:
                continue
            said.add(line)
            # Under a heading whose line is above it on the slide, a section's line is indented: the
            # ways to install ("Automatic installer") under their platform ("Linux/Unix").
            depth = sum(
                1 for path in above if len(path) < len(section.path) and section.path[: len(path)] == path
            )
            compact.append(Bullet(line, depth))
            if _headed(section) and section.level > 0:
                above.append(section.path)
        return _normalise_levels(compact[: limits.MAX_BULLETS])
    bullets: list[Bullet] = []
    for section in draft.sections:
        bullets.append(Bullet(clean_title(section.title), 0))
        for unit in draft.units:
            if unit.section == section.index:
                bullets.extend(
                    Bullet(line.text, min(line.level + 1, limits.MAX_BULLET_LEVEL)) for line in unit.lines()
                )
    # Units that came from no section (merged tables, quotes) follow at the top level.
    known = {section.index for section in draft.sections}
    for unit in draft.units:
        if unit.section not in known:
            bullets.extend(unit.lines())
    return _normalise_levels(bullets[: limits.MAX_BULLETS])


def _shown_sections(draft: Draft, generic: frozenset[str] = frozenset()) -> Draft:
    """A question whose answer did not fit is left off the slide (and its title) rather than shown
    bare; so, on a slide of one line a section, is a heading several sections share ("Unix/macOS",
    "Windows" under each way to build) that has no line: alone it names nothing; and so, on a slide
    of headings with their points, is one without any."""
    if not draft.headers() and not draft.compact():
        return draft
    answered = {unit.section for unit in draft.units}
    kept = [
        s for s in draft.sections if s.index in answered or not s.title.rstrip().endswith(("?", "\uff1f"))
    ]
    if draft.compact():
        named = [s for s in kept if s.index in answered or clean_title(s.title) not in generic]
        kept = named if len(named) > COMPACT_AFTER else kept
    else:
        # Nor, among headings with their points, one with none that heads none of them ("Post-Release"
        # after "Release day" and its steps): a bare heading says only that there was more.
        heads = _above(kept)
        said = [s for s in kept if s.index in answered or s.path in heads]
        kept = said if said else kept
    return replace(draft, sections=kept) if kept and len(kept) < len(draft.sections) else draft


def _left_out(draft: Draft, generic: frozenset[str] = frozenset()) -> list[str]:
    """Titles of the sections a slide grouping several had no room for."""
    if not (draft.headers() or draft.compact()):
        return []
    shown = _shown_sections(draft, generic)
    if shown.compact():
        kept = {s.index for s in shown.sections[: limits.MAX_BULLETS]}
    else:
        named = {b.text for b in _grouped_bullets(shown)}
        kept = {s.index for s in shown.sections if clean_title(s.title) in named}
    return [clean_title(s.title) for s in draft.sections if s.index not in kept]


def _left_out_warning(titles: list[str], slides: int) -> EngineWarning:
    more = f" and {len(titles) - 5} more" if len(titles) > 5 else ""
    named = ", ".join(f"“{t}”" for t in titles[:5]) + more
    return EngineWarning(
        "SECTIONS_LEFT_OUT",
        f"{len(titles)} sections did not fit on {slides} slides and are not shown: {named}; "
        "ask for more slides to show every section.",
    )


def _slide(
    draft: Draft, words: Phrases, names: frozenset[str] = frozenset(), generic: frozenset[str] = frozenset()
) -> Slide:
    draft = _shown_sections(draft, generic)
    title = _draft_title(draft, words, names, generic)
    sources = _sources(draft)
    if draft.kind == "bullets":
        if not draft.compact():
            draft = replace(draft, units=_introducing_what_is_shown(draft.units))
        grouped = draft.headers() or draft.compact()
        bullets = _grouped_bullets(draft) if grouped else render_bullets(draft.units)
        first = draft.sections[0].index if draft.sections else -1
        point = next((u.text for u in draft.units if u.section == first), "") if draft.compact() else ""
        return Slide(Layout.BULLETS, title, bullets=_under_title(bullets, title, point), sources=sources)
    if draft.kind == "agenda":
        return Slide(Layout.AGENDA, title, bullets=render_bullets(draft.units), sources=sources)
    if draft.kind == "body":
        return Slide(Layout.BULLETS, title, body=body_text(draft.units), sources=sources)
    if draft.kind == "table":
        return Slide(Layout.TABLE, title, table=draft.table, sources=sources)
    if draft.kind == "chart":
        return Slide(
            Layout.CHART, title, chart=draft.chart, bullets=render_bullets(draft.units), sources=sources
        )
    if draft.kind == "stats":
        comment = render_bullets(draft.comment)
        return Slide(Layout.STATISTIC, title, statistics=draft.statistics, bullets=comment, sources=sources)
    if draft.kind == "steps":
        return Slide(Layout.TIMELINE, title, steps=draft.steps, sources=sources)
    if draft.kind == "quote":
        return Slide(Layout.QUOTE, title, quote=draft.quote, sources=sources)
    if draft.kind == "code":
        code = CodeBlock(draft.code, draft.language)
        return Slide(Layout.BULLETS, title, bullets=render_bullets(draft.units), code=code, sources=sources)
    if draft.kind == "columns" and draft.columns is not None:
        left, right = draft.columns
        return Slide(Layout.TWO_COLUMNS, title, left=left, right=right, sources=sources)
    return Slide(Layout.SECTION, title, sources=sources)


# --- what a slide shows, for de-duplication and notes ----------------------------------------------


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def shown_sentences(slide: Slide) -> list[str]:
    """The sentences a slide shows on its face (not its title, not its notes), normalised."""
    texts = [b.text for b in slide.bullets] + split_sentences(slide.body.replace("\n", " "))
    if slide.quote is not None:
        texts += split_sentences(slide.quote.text)
    for column in (slide.left, slide.right):
        if column is not None:
            texts += [b.text for b in column.bullets]
    texts += [s.title for s in slide.steps] + [s.detail for s in slide.steps if s.detail]
    texts += [slide.subtitle]
    return [normal for normal in (_normal(text) for text in texts) if len(normal.split()) >= 3]


def _shows(slide: Slide) -> bool:
    return bool(slide.bullets or slide.body or slide.code or slide.table or slide.chart or slide.quote)


def _without_repeats(slide: Slide, seen: set[str]) -> Slide:
    """The slide with every bullet dropped that an earlier slide already showed."""
    if not slide.bullets:
        return slide
    bullets = slide.bullets
    repeated = [len(_normal(b.text).split()) >= 3 and _normal(b.text) in seen for b in bullets]
    if not any(repeated):
        return slide
    kept: list[Bullet] = []
    for i, bullet in enumerate(bullets):
        if repeated[i]:
            continue
        # A lead-in whose list went as a repeat goes with it, unless more of the list is under it.
        if colon_ended(bullet.text) and i + 1 < len(bullets) and repeated[i + 1]:
            rest = next(
                (b for b, again in zip(bullets[i + 1 :], repeated[i + 1 :], strict=True) if not again), None
            )
            if rest is None or rest.level <= bullet.level:
                continue
        kept.append(bullet)
    return replace(slide, bullets=_normalise_levels(kept))


# --- speaker notes -------------------------------------------------------------------------------


def _notes(draft: Draft, slide: Slide, words: Phrases, following: str, condense: bool) -> str:
    """A short script: what the slide is about, what the source says beyond the slide, what comes next."""
    opener = words.covers.format(title=slide.title.replace(" · …", "").replace(" · ", ", "))
    fuller = [
        sentence for unit in [*draft.units, *draft.comment] for sentence in unit.dropped
    ] + draft.overflow
    if draft.note:
        fuller.append(draft.note + ".")
    if slide.layout in (Layout.STATISTIC, Layout.TIMELINE) and draft.units:
        fuller = [unit.text for unit in draft.units if unit.level == 0] + fuller
    closing = words.next.format(title=following) if following else ""
    budget = _NOTES_CHARS - len(opener) - len(closing) - 2
    # Verbatim decks never drop text silently: what does not fit the slides is all in the notes.
    middle = trim_notes(fuller, budget) if condense else " ".join(fuller)
    return " ".join(part for part in (opener, middle, closing) if part)


# --- front and back of the deck ------------------------------------------------------------------


def _chapters(sections: list[Section]) -> list[str]:
    seen: dict[int, str] = {}
    for section in sections:
        if section.chapter_title and section.chapter not in seen:
            seen[section.chapter] = clean_title(section.chapter_title)
    return list(seen.values())


def _with_dividers(drafts: list[Draft]) -> list[Draft]:
    result: list[Draft] = []
    current: int | None = None
    # Several documents' dividers name the documents, which their first slides do not.
    one_document = len({draft.sections[0].document for draft in drafts}) == 1
    for draft in drafts:
        section = draft.sections[0]
        # A divider that only repeats the title of the slide after it (the chapter's own text, under
        # its own heading) says nothing: that slide opens the chapter.
        opener = one_document and len(draft.sections) == 1 and not draft.title
        repeats = opener and clean_title(section.title) == clean_title(section.chapter_title)
        if section.chapter != current and section.chapter_title and not repeats:
            result.append(Draft(kind="divider", sections=[section], title=clean_title(section.chapter_title)))
        current = section.chapter
        result.append(draft)
    return result


def _agenda(sections: list[Section], words: Phrases) -> Draft | None:
    """The parts of the talk, when there are a few (an agenda of twenty lines helps nobody)."""
    titles = _chapters(sections)
    if len(titles) < 2:
        # Headings only: text before the first heading, or titled by its own sentence, is no part.
        titles = list(dict.fromkeys(clean_title(s.title) for s in sections if s.level > 0))
    if not _AGENDA_MIN <= len(titles) <= limits.MAX_BULLETS:
        return None
    units = [Unit(title, 0, 1.0, i, -5) for i, title in enumerate(titles)]
    return Draft(kind="agenda", sections=list(sections), units=units, title=words.agenda)


def _runs(sections: list[Section], condense: bool, target: int) -> list[Draft]:
    """More sections than slides: consecutive runs of sections, one slide each, as even as can be,
    each break moved by up to half a run to where the document breaks itself: a new chapter, else a
    new parent heading (so that the "Goal", "Links" and "Contacts" of one topic share a slide). One
    look at each place near each break: linear in the sections."""
    density = _DEFAULT_DENSITY if condense else None
    size = len(sections) / target
    bounds = [0] * (target + 1)
    bounds[target] = len(sections)
    for k in range(1, target):
        even = round(k * size)
        low = max(bounds[k - 1] + 1, math.floor(even - size / 2))
        high = min(len(sections) - (target - k), math.ceil(even + size / 2))
        bounds[k] = max(
            range(low, high + 1), key=lambda at: (_break(sections, at), -abs(at - even)), default=even
        )
    runs = [sections[bounds[i] : bounds[i + 1]] for i in range(target) if bounds[i] < bounds[i + 1]]
    drafts = (build(run, density) for run in runs)
    return [reduce(built, 1, condense)[0] for built in drafts if built]


def _break(sections: list[Section], at: int) -> int:
    """How the document breaks before `sections[at]`: 2 a new chapter, 1 a new parent heading, else 0."""
    before, after = sections[at - 1], sections[at]
    if after.chapter != before.chapter:
        return 2
    return 0 if family(before, after) else 1


def _content(sections: list[Section], condense: bool, target: int) -> list[Draft]:
    """Content drafts, as close to `target` as the material allows and never more."""
    if len(sections) > target:
        return _runs(sections, condense, target)
    content = build(sections, _DEFAULT_DENSITY if condense else None)
    if condense:
        # The richest summary that still fits, so that splitting (which loses nothing) makes up the rest.
        content = build(sections, 1)
        most = max((section.sentence_count() for section in sections), default=1)
        for density in range(2, most + 1):
            richer = build(sections, density)
            if len(richer) > target:
                break
            content = richer
    if len(content) > target:
        return reduce(content, target, condense)
    while len(content) < target and expand_once(content):
        pass
    return content


def _fit(sections: list[Section], condense: bool, target: int | None, words: Phrases) -> list[Draft]:
    """The drafts between the title and the closing slide: agenda, dividers and content."""
    natural = build(sections, _DEFAULT_DENSITY if condense else None)
    chapters = len(_chapters(sections))
    if target is None:
        limit = DEFAULT_MAX_SLIDES - 2
        content = natural if len(natural) <= limit else _content(sections, condense, limit)
        room = limit - len(content)
        if chapters >= 2 and len(content) >= max(8, 2 * chapters) and room >= chapters:
            content = _with_dividers(content)
            room -= chapters
        agenda = _agenda(sections, words) if room >= 1 and len(content) >= 5 else None
        return [agenda, *content] if agenda is not None else content

    dividers = chapters >= 2 and target - chapters >= max(len(natural), 2 * chapters, 8)
    content = _content(sections, condense, target - chapters if dividers else target)
    gap = target - len(content) - (chapters if dividers else 0)
    if not dividers and gap >= chapters >= 2 and len(content) >= 2 * chapters:
        dividers = True
        gap -= chapters
    if dividers:
        content = _with_dividers(content)
    agenda = _agenda(sections, words) if gap > 0 and len(content) >= 4 else None
    return [agenda, *content] if agenda is not None else content


_INTRO_SENTENCES = 2
_ABOUT_ITSELF = re.compile(
    r"\b(?:this|the present) (?:report|article|page|document|handbook|essay|paper|post|guide)\b|"
    r"\bthe (?:sections?|chapters?|pages?) (?:which|that) follows?\b|"
    r"\b(?:dieser|diese|dieses) (?:Bericht|Artikel|Leitfaden|Beitrag)\b|\bce (?:rapport|document|guide)\b|"
    "\u672c\u5831\u544a|\u672c\u7a3f|\u0647\u0630\u0627 \u0627\u0644\u062a\u0642\u0631\u064a\u0631",
    re.IGNORECASE,
)
"""A sentence about the document itself ("This report shows…", "本報告では…") is no takeaway."""
_HEDGE = re.compile(
    r"^(?:however|but|although|though|yet|still|admittedly|nevertheless|nonetheless|of course|"
    r"none of this|jedoch|allerdings|cependant|toutefois|sin embargo)\b|"
    # A note set beside the text ("Note: the list doesn't contain…", "NOTE: On Windows you'll also…").
    r"^(?:note|nb|n\.b\.)\s*:|^note that\b|"
    # A modal hedges the sentence's own claim when it comes early ("The survey could overstate…"),
    # not in a trailing condition ("…as long as clients may retry").
    r"^(?:\S+\s+){0,5}(?:may|might|could)\b|"
    r"\b(?:perhaps|possibly|unclear|uncertain|not yet (?:known|clear)|remains? to be seen|"
    r"too early|further (?:research|work|study|studies)|more research|limitations?|caveats?|"
    r"vielleicht|möglicherweise|könnte|peut-être|quizás|tal vez)\b",
    re.IGNORECASE,
)
"""A hedge, a caveat or a note ("However, further research is needed…", "Note: …") qualifies a
point; it is not one."""
_ELLIPTICAL = re.compile(
    r"\b(?:(?:is|are|was|were|do|does|did|can|will|has|have|had)(?: not|n't)|(?:never|always|still) "
    r"(?:is|are|was|were|do|does|did|can|will|has|have|had))\W*$",
    re.I,
)
"""A sentence that leaves its verb to the one before ("Data about people is not.", "The first
impression you give never does.") needs it."""
_EXAMPLE = re.compile(
    r"^(?:for example|for instance|e\.g\.|example)\b|^(?:one|another)\s+(?:(?:interesting|important|useful|"
    r"notable|special|particular)\s+)?(?:case|example|thing|feature)\s+is\b",
    re.IGNORECASE,
)
"""An example illustrates a point made before it; it is not the point. Nor is the sentence that
introduces one ("One interesting case is `common.mustCall`.")."""
_SEE_ALSO = re.compile(
    r"^for (?:more |further )?(?:information|details)\b[^,]{0,60},\s+(?:see|refer to|visit|read)\b|"
    r"[,;(]\s*see\s+(?:`[^`]+`|https?://\S+|below|above|"
    r"the\s+(?:[\w`'\"-]+\s+){0,5}(?:section|chapter|documentation|docs|guide|page|appendix))[.)]*$",
    re.IGNORECASE,
)
"""A sentence sending the audience elsewhere ("…are ignored, see `path.sep`.", "For information on using
Node.js, see the Node.js website.")."""
_SUBJECTLESS = re.compile(r"^(?:[A-Z][a-z]+s|[^,]{1,40},\s+[a-z]+s) (?:a|an|the)\b")
"""What a reference says of a function, its name left out ("Creates a new context.", "On Windows
systems only, returns an equivalent…")."""
_THIS = re.compile(
    r"^(?:(?:\S+\s+){1,2}(?:this|these|those)\s+\w|[^,]{1,40},\s+(?:this|these|those)\s+\w|[^,]{1,60},\s+however,|"
    r"(?:if|when|once|unless|while|since|because)\s+that\s+\w|"
    r"(?:so|thus|hence|therefore|also|then|now|additionally|moreover|furthermore|likewise|similarly|however|"
    r"alternatively|other)\b)",
    re.IGNORECASE,
)
"""Early words that point at what came before ("Adding this scope…", "If that field…", "As a best
practice, this should be…", "So, if…", "Thus the…", "Now we can see…", "Additionally, please…",
"However, there are…", "Some distributions, however, prefer…", "Other keys used…")."""
_UNNAMED = re.compile(
    r"^(?:[^,]{1,40},\s+)?the (?:method|function|property)\b(?!\s*(?-i:`|[A-Z]))|"
    r"^(?:if|when|unless) (?:given|set|specified|omitted|provided|present|enabled)\b|"
    r"\bthe following\b(?!\s+(?:years?|months?|weeks?|days?|quarters?|morning|evening|night)\b)|"
    r"\bthe (?:above|below)\b|"
    r"\b(?:this|that) (?:default|behaviou?r)\b|\b(?:after|before) (?:this|that)\b(?!\s+(?-i:`|[A-Z]))|"
    r"\bthe [\w-]+(?: [\w-]+)? (?:specified|given|mentioned|described)\W*$",
    re.IGNORECASE,
)
"""What a reference's section says of its thing, left unnamed ("On POSIX systems, the method is
non-operational…", "If given, but the path does not exist…", "Set `X` to override this default.",
"To run it after this, use…", "…to the log file specified.") or followed by what it announces
("The following methods broadcast…", "…use one of the below settings."): its section's title and
list say what, a takeaway does not."""


@remembered
def takeaway_worthy(text: str, *, alone: bool = True) -> bool:
    """A statement to take away: no question, hedge, caveat, lead-in, pointer elsewhere or reference
    entry; and when it stands `alone` (not after the sentence it follows in a conclusion), nothing that
    leans on the sentence before it either."""
    text = text.strip()
    if text.endswith(("?", "\uff1f", "\u061f")) or leads_in(text) or reference_entry(text) or goes_on(text):
        return False
    if _HEDGE.search(text) or points_elsewhere(text) or _EXAMPLE.match(text) or _SUBJECTLESS.match(text):
        return False
    if _SEE_ALSO.search(text):
        return False
    # A lower-case start goes on from something before it ("will create a 4-second timeout…" after
    # the code it describes); a statement starts a sentence.
    lower = text[:1].isascii() and text[:1].islower()
    leans = (
        lower
        or _ELLIPTICAL.search(text)
        or points_outside(text)
        or _THIS.match(text)
        or _UNNAMED.search(text)
    )
    return not (alone and (leans or _ABOUT_ITSELF.search(text)))


def _short_intro(sections: list[Section], words: Phrases) -> Section | None:
    """A sentence or two before the first heading: the title slide's subtitle, not a thin slide."""
    if len(sections) < 3 or sections[0].title != words.overview or sections[0].columns is not None:
        return None
    parts = sections[0].parts
    sentences = [sentence for part in parts for sentence in part.sentences]
    if (
        not all(isinstance(part.block, Paragraph) for part in parts)
        or not 0 < len(sentences) <= _INTRO_SENTENCES
    ):
        return None
    fit = all(len(sentence) <= _SUBTITLE_CHARS and not leads_in(sentence) for sentence in sentences)
    return sections[0] if fit else None


def _conclusion(sections: list[Section]) -> Section | None:
    """The document's own closing section ("Conclusion", "Fazit", "まとめ"…), for the closing slide."""
    if len(sections) < 3:
        return None
    last = sections[-1]
    if _CONCLUSION.match(clean_title(last.title).strip(" :")):
        return last
    # A document without headings (an essay) ends on its conclusion.
    return last if len(sections) >= 4 and all(s.level == 0 for s in sections) else None


def _stated(item: str) -> bool:
    """A list's item ended as a statement ("2026-03-03 — 2.3.0: archives are served from storage."), not a
    reference's entry that opens on the name it defines ("`'a+'`: Open file for…", "`1` is…")."""
    return item.rstrip().endswith(ENDED) and not item.startswith("`")


def _takeaway_units(sections: list[Section], seen: set[str], count: int) -> list[Unit]:
    """The most important points the content slides did not show (`_takeaway_weight`): one per
    section, the heaviest of them, whole sentences, no questions."""
    candidates: list[tuple[Unit, float]] = []
    for section in sections:
        units = [unit for part in section.parts for unit in units_of(section, part, None)]
        size = len(units)
        first = min((unit.order for unit in units), default=-1)
        # A line that names the table after it ("Throughput per node:") titles a slide, says nothing.
        captions = {
            part.group
            for part, following in zip(section.parts, section.parts[1:], strict=False)
            if isinstance(following.block, TableBlock) and caption(part) is not None
        }
        completing = completing_lists(section)
        introduced = introduced_lists(section)
        examples = example_lists(section)
        # A list's item is a takeaway when it is a sentence of its own, or a statement ended as one:
        # a step of a procedure ("Build the docker image with the tag…") or a phrase is no point
        # without its list.
        listed = {part.group for part in section.parts if isinstance(part.block, ListBlock)}
        units = [
            unit
            for unit in units
            if unit.level == 0
            and (unit.group not in listed or own_sentence(unit.text) or _stated(unit.text))
            and len(unit.text) <= _TAKEAWAY_CHARS
            # A takeaway is a statement, not a two-word list item (CJK text has no spaces to count).
            and (len(unit.text.split()) >= 4 or not unit.text.isascii())
            and unit.group not in captions
            and unit.group not in completing
            and unit.group not in examples
            # An item announced by a lead-in is a takeaway only when it is a sentence of its own.
            and (unit.group not in introduced or own_sentence(unit.text))
            and _normal(unit.text) not in seen
            and takeaway_worthy(unit.text)  # the dearest test last
        ]
        if units:
            best = max(units, key=lambda u: (_takeaway_weight(u, first), -u.order))
            candidates.append((best, _takeaway_weight(best, first) * (1.0 + _SECTION_WEIGHT * size)))
    chosen: list[Unit] = []
    for unit, _ in sorted(candidates, key=lambda c: (-c[1], c[0].order)):
        if len(chosen) == count:
            break
        # Sections written from one template (an API's parameters) say the same thing each time.
        if not any(_alike(unit.text, other.text) for other in chosen):
            chosen.append(unit)
    return [replace(unit, dropped=()) for unit in sorted(chosen, key=lambda u: u.order)]


_ALIKE = 0.75
"""Two takeaways are one when this share of the shorter one's words are the other's too."""


def _alike(a: str, b: str) -> bool:
    first, second = set(content_words(a)), set(content_words(b))
    shorter = min(len(first), len(second))
    if shorter > 0 and len(first & second) >= _ALIKE * shorter and (shorter >= 3 or first == second):
        return True
    # One template said of different names ("A `TypeError` is thrown if `path` or `pattern` are not
    # strings.", "A `TypeError` is thrown if either `from` or `to` is not a string."): one point.
    opening = _template_opening(a)
    return opening is not None and opening == _template_opening(b)


_OPENING_WORDS = 5


def _template_opening(text: str) -> str | None:
    """A sentence's first words with its names masked, when a name is among them."""
    opening = masked_words(text)[:_OPENING_WORDS]
    return " ".join(opening) if len(opening) == _OPENING_WORDS and any("`" in w for w in opening) else None


_PUNCHY = 90
"""A takeaway this short is said in one breath: it is preferred to a longer one of the same weight."""
_SECTION_WEIGHT = 0.03
"""A section that says more weighs more (its takeaway candidate, 3 % per sentence)."""


def _takeaway_weight(unit: Unit, first: int) -> float:
    """Takeaways are the statements a reader must not miss: rules, obligations and figures
    (`salience`), a section's opening (topic) sentence, short ones before long ones, times the
    sentence's own score; never whichever detail happens to score highest."""
    weight = salience(unit.text)
    weight += 0.2 if len(unit.text) <= _PUNCHY else 0.0
    weight += 0.2 if unit.order == first else 0.0
    return weight * (0.5 + unit.score)


_CLOSING_CHARS = 480


def _closing_fit(units: list[Unit]) -> list[Unit]:
    """As many points as a closing slide shows without being continued on another ("Summary (2/2)")."""
    kept: list[Unit] = []
    for unit in units:
        if len(kept) == _TAKEAWAYS or sum(len(u.text) for u in [*kept, unit]) > _CLOSING_CHARS:
            break
        kept.append(unit)
    return kept


def _closing(units: list[Unit], words: Phrases, sources: tuple[SourceRef, ...]) -> Slide:
    bullets = render_bullets(units)
    if bullets:
        return Slide(Layout.CLOSING, words.takeaways, bullets=bullets, sources=sources)
    return Slide(Layout.CLOSING, words.thank_you, subtitle=words.questions)


def deck_title(documents: list[Document], topic: str) -> str:
    if topic.strip():
        return " ".join(topic.split())
    return document_title(documents[0]) if documents else "Untitled"


_ADDS_TO = re.compile(r"^(?:\S+\s+){1,5}also\b|\b(?:too|as well)\W*$", re.IGNORECASE)
"""A sentence that adds to one before it ("Permissions can also control what modules…", "…the
modules of a worker too.")."""


_OPENING_TITLES = frozenset(
    (
        "introduction",
        "intro",
        "overview",
        "about",
        "summary",
        "abstract",
        "background",
        "contents",
        "table of contents",
    )
)
"""Headings over a document's own opening ("## Introduction"; "## Contents", whose list of links goes
and whose paragraph opens the guide)."""


def _subtitle(sections: list[Section], title: str, seen: set[str]) -> str:
    """A sentence of the opening paragraph that no slide shows, short enough for a subtitle: the
    document's own opening, not a detail of its first headed section ("Git for Windows includes Git
    Bash…" under "Prerequisites")."""
    for section in sections[:2]:
        if section.level > 0 and clean_title(section.title).casefold() not in _OPENING_TITLES:
            return ""
        for part in section.parts:
            if isinstance(part.block, Paragraph) and part.sentences:
                ranked = sorted(range(len(part.sentences)), key=lambda i: (-part.scores[i], i))
                for i in ranked:
                    sentence = part.sentences[i]
                    if (
                        len(sentence) <= _SUBTITLE_CHARS
                        and _normal(sentence) not in seen
                        and _normal(sentence) != _normal(title)
                        and not points_outside(sentence)  # under the title, nothing comes before it
                        and not leads_in(sentence)  # nor after it: "A test will fail if:"
                        # nor does the sentence before it: "For example, use it to look up…"
                        and not _EXAMPLE.match(sentence)
                        and not _THIS.match(sentence)
                        # nor adds to what it said ("Permissions can also control…")
                        and not _ADDS_TO.search(sentence)
                    ):
                        return sentence
                return ""
            if isinstance(part.block, ListBlock):
                return ""
    return ""


def _best_sentence(sections: list[Section]) -> str:
    best = sorted(
        (
            u
            for s in sections
            for p in s.parts
            for u in units_of(s, p, 1)
            if len(u.text) <= limits.MAX_BULLET_CHARS
        ),
        key=lambda u: (-u.score, u.order),
    )
    return best[0].text if best else ""


def plan_deck(
    documents: list[Document],
    *,
    topic: str,
    slide_count: int | None,
    condense: bool,
    speaker_notes: bool,
    language: str = "en",
) -> Plan:
    with one_plan():
        return _plan_deck(
            documents,
            topic=topic,
            slide_count=slide_count,
            condense=condense,
            speaker_notes=speaker_notes,
            language=language,
        )


def _plan_deck(
    documents: list[Document],
    *,
    topic: str,
    slide_count: int | None,
    condense: bool,
    speaker_notes: bool,
    language: str,
) -> Plan:
    words = phrases(language)
    sections = sectionize(documents, words.overview)
    title = _title(deck_title(documents, topic))
    welcome = words.welcome.format(title=title) if speaker_notes else ""
    if slide_count == 1:
        summary = _best_sentence(sections)
        only = Slide(Layout.TITLE, title, subtitle=summary, notes=welcome)
        return _finish(title, summary, [only], [None], sections, ())

    conclusion = _conclusion(sections)
    intro = _short_intro(sections, words)
    body = [section for section in sections if section is not conclusion and section is not intro]
    drafts = (
        []
        if slide_count == 2
        else _fit(body, condense, None if slide_count is None else slide_count - 2, words)
    )
    # Only English group titles say topics mid-sentence (see `_draft_title`).
    names = (
        names_in(line for section in sections for part in section.parts for line in part.sentences)
        if words == phrases("en")
        else frozenset()
    )
    # Headings several sections share ("Goal", "Examples") say little alone.
    counted = Counter(clean_title(section.title) for section in sections)
    generic = frozenset(title for title, count in counted.items() if count > 1)
    middle = [_slide(draft, words, names, generic) for draft in drafts]
    suffix = f" {words.continued}"
    for i in range(1, len(middle)):
        # A topic that goes on over the next slide (its heading titles the first) says so.
        before = middle[i - 1].title.removesuffix(suffix)
        above = {
            _title(clean_title(s.path[-2])) for s in drafts[i].sections if len(s.path) >= 2 and _headed(s)
        }
        framing = {Layout.SECTION, Layout.AGENDA} & {middle[i - 1].layout, middle[i].layout}
        if (
            (middle[i].title == before or above == {before})
            and not framing
            and not middle[i].title.endswith(suffix)
        ):
            middle[i] = replace(middle[i], title=clip(before, limits.MAX_TITLE_CHARS - len(suffix)) + suffix)

    # Each sentence is shown once: later repeats go, then the closing takes what was not shown.
    seen: set[str] = set()
    for i, slide in enumerate(middle):
        middle[i] = _without_repeats(slide, seen)
        seen.update(shown_sentences(middle[i]))
        # Big numbers and timeline steps show their sentences in other words: those count as shown.
        seen.update(_normal(unit.text) for unit in drafts[i].units)
    # A slide left with nothing to show (every line an earlier slide's) is left out rather than
    # shown empty: the deck is shorter, and says so.
    shown = [i for i, slide in enumerate(middle) if slide.layout is not Layout.BULLETS or _shows(slide)]
    middle, drafts = [middle[i] for i in shown], [drafts[i] for i in shown]
    # A short introduction opens the deck as the title slide's subtitle.
    lead = intro.parts[0].sentences[0] if intro is not None else ""
    seen.add(_normal(lead))
    if conclusion is not None:
        takeaways = [u for part in conclusion.parts for u in units_of(conclusion, part, None)]
        if conclusion.level == 0:
            # Titled by its own opening sentence, which belongs with the rest.
            takeaways.insert(0, Unit(f"{conclusion.title}.", 0, 1.0, -1, -6, section=conclusion.index))
        candidates = [u for u in takeaways if _normal(u.text) not in seen]
        # The conclusion's statements, not its hedges and caveats, are what the audience takes away.
        # A verbatim deck says them too, in the closing slide's notes.
        statements = [u for u in candidates if takeaway_worthy(u.text, alone=False)] or candidates
        takeaways = _closing_fit(statements)
        # What the closing slide cannot hold is still said: in its notes.
        left_over = [u.text for u in candidates if u not in takeaways]
        closing_sources: tuple[SourceRef, ...] = (SourceRef(conclusion.document, conclusion.locator),)
    else:
        takeaways = _takeaway_units([s for s in sections if s is not conclusion], seen, _TAKEAWAYS)
        closing_sources = ()
        left_over = []
    closing = _closing(takeaways, words, closing_sources)
    seen.update(shown_sentences(closing))
    subtitle = lead or _subtitle(sections, title, seen)
    title_slide = Slide(Layout.TITLE, title, subtitle=subtitle, notes=welcome)

    slides = [title_slide, *middle, closing]
    if speaker_notes:
        for i, draft in enumerate(drafts, start=1):
            following = slides[i + 1].title
            slides[i] = replace(slides[i], notes=_notes(draft, slides[i], words, following, condense))
        if drafts and drafts[0].kind == "agenda":
            slides[1] = replace(slides[1], notes=words.sections.format(count=len(drafts[0].units)))
        said = [unit.text for unit in takeaways] + left_over + [d for u in takeaways for d in u.dropped]
        closing_notes = trim_notes(said) if condense else " ".join(said)
        slides[-1] = replace(slides[-1], notes=closing_notes or words.thank_you)

    warnings: tuple[EngineWarning, ...] = ()
    if slide_count is not None and len(slides) < slide_count:
        warnings = (
            EngineWarning(
                "FEWER_SLIDES",
                f"The documents hold enough material for {len(slides)} slides, not the {slide_count} "
                "requested; the deck has "
                f"{len(slides)} slides rather than repeating content.",
            ),
        )
    left_out = [title for draft in drafts for title in _left_out(draft, generic)]
    if left_out:
        warnings = (*warnings, _left_out_warning(left_out, len(slides)))
    return _finish(title, subtitle, slides, [None, *drafts, None], sections, warnings)


def _finish(
    title: str,
    subtitle: str,
    slides: list[Slide],
    drafts: list[Draft | None],
    sections: list[Section],
    warnings: tuple[EngineWarning, ...],
) -> Plan:
    items = tuple(
        OutlineItem(
            title=slide.title,
            layout=slide.layout,
            key_points=key_points(slide),
            section=_chapter_of(draft),
        )
        for slide, draft in zip(slides, drafts, strict=True)
    )
    return Plan(
        title=title,
        subtitle=subtitle,
        slides=tuple(slides),
        items=items,
        sections=tuple(sections),
        warnings=warnings,
    )


def _chapter_of(draft: Draft | None) -> str:
    if draft is None or not draft.sections:
        return ""
    return draft.sections[0].chapter_title
