import random
from dataclasses import replace
from pathlib import Path

import pytest

from deckgen.content._phrases import phrases
from deckgen.content.embedded import _drafts, _planner, _sections
from deckgen.content.embedded._drafts import Draft
from deckgen.content.embedded._markdown import CodeBlock as _CodeBlock
from deckgen.content.embedded._markdown import Document, Paragraph, parse
from deckgen.content.embedded._planner import Plan, group_title, names_in, plan_deck
from deckgen.content.embedded._sections import Unit, clean_title, points_outside, sectionize, units_of
from deckgen.content.embedded._summarize import shorten_sentence, split_sentences
from deckgen.domain import Bullet, Layout, Slide

from ._helpers import EXAMPLES, TINY, assert_within_bounds

_DOCS = {
    "intro-to-grpc.md": (EXAMPLES / "intro-to-grpc.md").read_bytes(),
    "quarterly-report.md": (EXAMPLES / "quarterly-report.md").read_bytes(),
    "field-notes.txt": (EXAMPLES / "field-notes.txt").read_bytes(),
    "tiny.md": TINY,
}


def _documents(name: str) -> list[Document]:
    media_type = "text/plain" if name.endswith(".txt") else "text/markdown"
    return [parse(name, media_type, _DOCS[name])]


def _plan(name: str, count: int | None, *, condense: bool = True, notes: bool = True) -> Plan:
    return plan_deck(_documents(name), topic="", slide_count=count, condense=condense, speaker_notes=notes)


@pytest.mark.parametrize("name", sorted(_DOCS))
@pytest.mark.parametrize("condense", [True, False])
def test_slide_count_is_honoured_or_warned_for_every_n_within_bounds(name: str, condense: bool) -> None:
    documents = _documents(name)
    for n in range(1, 51):
        plan = plan_deck(documents, topic="", slide_count=n, condense=condense, speaker_notes=True)
        # Exactly n, or fewer with a warning when the documents hold too little: never padding.
        assert len(plan.slides) <= n, n
        assert len(plan.items) == len(plan.slides)
        # A deck too small for every section says which it left out; one with room to spare never.
        left_out = [w for w in plan.warnings if w.code == "SECTIONS_LEFT_OUT"]
        others = [w for w in plan.warnings if w.code != "SECTIONS_LEFT_OUT"]
        if len(plan.slides) < n:
            assert [w.code for w in others] == ["FEWER_SLIDES"], n
            assert f"not the {n} requested" in others[0].message
            assert not left_out, n
        else:
            assert not others, n
        assert plan.slides[0].layout == Layout.TITLE
        if n >= 2:
            assert plan.slides[-1].layout == Layout.CLOSING
        for slide in plan.slides:
            assert_within_bounds(slide)
        for slide in plan.slides[1:-1]:
            assert slide.sources, slide.title


def test_one_slide_is_the_title_with_a_summary_subtitle() -> None:
    plan = plan_deck(
        _documents("quarterly-report.md"), topic="", slide_count=1, condense=True, speaker_notes=True
    )
    (only,) = plan.slides
    assert only.layout == Layout.TITLE and only.title == "Northwind Outfitters: Q3 Report"
    assert only.subtitle


def test_two_slides_are_title_and_closing_with_takeaways() -> None:
    plan = plan_deck(
        _documents("intro-to-grpc.md"), topic="", slide_count=2, condense=True, speaker_notes=True
    )
    assert [s.layout for s in plan.slides] == [Layout.TITLE, Layout.CLOSING]
    assert plan.slides[1].bullets


@pytest.mark.parametrize("name", sorted(_DOCS))
def test_unset_count_is_capped_and_structured(name: str) -> None:
    plan = plan_deck(_documents(name), topic="", slide_count=None, condense=True, speaker_notes=True)
    assert 3 <= len(plan.slides) <= 20
    for slide in plan.slides:
        assert_within_bounds(slide)


def test_example_deck_uses_tables_quotes_and_columns() -> None:
    plan = plan_deck(
        _documents("quarterly-report.md"), topic="", slide_count=None, condense=True, speaker_notes=True
    )
    layouts = {slide.layout for slide in plan.slides}
    assert {Layout.TABLE, Layout.QUOTE, Layout.TWO_COLUMNS} <= layouts
    table = next(s for s in plan.slides if s.layout == Layout.TABLE)
    assert table.sources[0].locator == "Northwind Outfitters: Q3 Report > Headline figures, lines 7\u201318"


def _normal(text: str) -> str:
    return " ".join(text.split())


def _slide_text(slides: tuple[Slide, ...]) -> str:
    parts = []
    # The closing slide counts: a document's own conclusion is shown there.
    for slide in slides[1:]:
        parts += [b.text for b in slide.bullets]
        parts.append(slide.body)
        if slide.quote is not None:
            parts.append(slide.quote.text)
    return _normal(" ".join(parts))


@pytest.mark.parametrize("name", ["intro-to-grpc.md", "field-notes.txt"])
def test_preserve_keeps_every_sentence_in_order(name: str) -> None:
    documents = _documents(name)
    # The cap of 20 slides may merge; with room for all of it, every sentence is on a slide.
    plan = plan_deck(documents, topic="", slide_count=50, condense=False, speaker_notes=False)
    text = _slide_text(plan.slides)
    position = 0
    for block in documents[0].blocks:
        if not isinstance(block, Paragraph):
            continue
        for sentence in split_sentences(block.text):
            found = text.find(_normal(sentence), position)
            assert found >= 0, sentence
            position = found


def test_preserve_overflow_goes_to_notes_when_slides_are_few() -> None:
    documents = _documents("field-notes.txt")
    plan = plan_deck(documents, topic="", slide_count=3, condense=False, speaker_notes=True)
    everything = _normal(" ".join(_slide_text(plan.slides).split() + [s.notes for s in plan.slides]))
    assert "spotted redshank, which is a first record for this site." in everything


def test_condense_is_shorter_than_the_source() -> None:
    documents = _documents("intro-to-grpc.md")
    plan = plan_deck(documents, topic="", slide_count=None, condense=True, speaker_notes=False)
    source_words = len(_DOCS["intro-to-grpc.md"].split())
    assert len(_slide_text(plan.slides).split()) < source_words * 0.7


def test_speaker_notes_hold_the_sentences_left_off() -> None:
    plan = plan_deck(
        _documents("field-notes.txt"), topic="", slide_count=None, condense=True, speaker_notes=True
    )
    day_two = next(s for s in plan.slides if s.title == "Day two")
    assert "silted up since March" in day_two.notes
    assert all(len(s.notes) <= 800 for s in plan.slides)


def test_multiple_documents_make_one_chapter_each() -> None:
    documents = _documents("quarterly-report.md") + _documents("field-notes.txt")
    plan = plan_deck(documents, topic="Autumn review", slide_count=30, condense=True, speaker_notes=True)
    assert plan.title == "Autumn review"
    sections = [s.title for s in plan.slides if s.layout == Layout.SECTION]
    assert sections == ["Northwind Outfitters: Q3 Report", "Field Notes: Saltmarsh Survey"]
    assert {ref.document for s in plan.slides for ref in s.sources} == {
        "quarterly-report.md",
        "field-notes.txt",
    }


def test_long_tables_continue_on_further_slides() -> None:
    rows = "\n".join(f"| r{i} | " + " | ".join(str(i * c) for c in range(8)) + " |" for i in range(20))
    header = "| name | " + " | ".join(f"c{c}" for c in range(8)) + " |\n|" + "---|" * 9 + "\n"
    document = parse("t.md", "text/markdown", f"# T\n\n## Data\n\n{header}{rows}\n".encode())
    plan = plan_deck([document], topic="", slide_count=None, condense=True, speaker_notes=False)
    tables = [s.table for s in plan.slides if s.table is not None]
    assert sum(len(t.rows) for t in tables) == 20 * 2  # two column slices of nine columns
    assert all(t.header[0] == "name" for t in tables)


def test_deterministic() -> None:
    documents = _documents("intro-to-grpc.md")
    first = plan_deck(documents, topic="", slide_count=12, condense=True, speaker_notes=True)
    second = plan_deck(
        _documents("intro-to-grpc.md"), topic="", slide_count=12, condense=True, speaker_notes=True
    )
    assert first == second


def test_a_long_sentence_is_shortened_whole_never_split_into_bullet_and_sub_bullet() -> None:
    sentence = (
        "The migration touched every service in the platform (forty-one in all, from billing to search) "
        "and replaced the message broker, moving the configuration into one repository, and it kept "
        "the public API unchanged for every customer."
    )
    document = parse("m.md", "text/markdown", f"# M\n\n## Migration\n\n{sentence}\n".encode())
    plan = plan_deck([document], topic="", slide_count=3, condense=True, speaker_notes=True)
    (bullet,) = plan.slides[1].bullets
    # The aside goes, then the trailing clause; what is left is the sentence's head with its full stop.
    assert bullet.text == (
        "The migration touched every service in the platform and replaced the message broker, "
        "moving the configuration into one repository."
    )
    assert bullet.level == 0 and len(bullet.text) <= 160
    assert sentence in plan.slides[1].notes  # said in full in the notes
    # A verbatim deck shows it as written, as running text.
    verbatim = plan_deck([document], topic="", slide_count=3, condense=False, speaker_notes=True)
    assert verbatim.slides[1].body == sentence and not verbatim.slides[1].bullets
    # A sentence with no clause to drop keeps its start and says it was shortened.
    endless = " ".join(["word"] * 60) + "."
    assert shorten_sentence(endless, 160) is None


def test_first_sentence_titles_a_deck_without_headings_never_the_file_name() -> None:
    document = parse(
        "team-retro_notes.txt", "text/plain", b"We shipped the release on time. Everyone helped."
    )
    plan = plan_deck([document], topic="", slide_count=None, condense=True, speaker_notes=False)
    assert plan.title == "We shipped the release on time"


def test_a_readme_whose_long_opening_sentence_defines_its_subject_is_titled_by_that_subject() -> None:
    # zstd's README has no top-level heading and opens on "Zstandard, or `zstd` as short version, is
    # a fast lossless compression algorithm, targeting…": its deck was titled "Benchmarks", its first
    # section's heading.
    opening = (
        "__Zstandard__, or `zstd` as short version, is a fast lossless compression algorithm, targeting "
        "real-time compression scenarios at zlib-level and better compression ratios."
    )
    sections = "\n\n## Benchmarks\n\nIt is fast.\n\n## Build instructions\n\nRun `make`.\n"
    title = _sections.document_title
    assert title(parse("README.md", "text/markdown", (opening + sections).encode())) == "Zstandard"
    # An opening that defines nothing, or whose subject only points at the document, names no title.
    for opening in (
        "For reference, several fast compression algorithms were tested and compared on a desktop running "
        "Ubuntu 20.04 with a Core i7-9700K CPU, using an open-source in-memory benchmark.",
        "This guide is a walk through every step of building the project from its sources, on Linux, "
        "macOS and Windows alike.",
    ):
        assert title(parse("README.md", "text/markdown", (opening + sections).encode())) == "Benchmarks"


def test_a_captioned_table_split_over_slides_keeps_its_caption_and_says_it_continues() -> None:
    rows = "\n".join(f"| Setting {i} | {i} | because {i} |" for i in range(7))
    text = (
        "# T\n\n## Settings\n\nSome text about the settings.\n\nTable 1: Settings used for every run\n\n"
        f"| Setting | Value | Why |\n| --- | --- | --- |\n{rows}\n\n## Other\n\nMore text for the deck.\n"
    )
    document = parse("t.md", "text/markdown", text.encode())
    plan = plan_deck([document], topic="", slide_count=12, condense=True, speaker_notes=False)
    titles = [slide.title for slide in plan.slides if slide.table is not None]
    assert titles[0] == "Settings used for every run" and len(titles) >= 2
    assert all(title == "Settings used for every run (cont.)" for title in titles[1:])


def test_a_group_title_leaves_headings_asides_out_and_names_in_their_case() -> None:
    titles = ["OpenTelemetry (works)", "Documents", "Redis (running on localhost:6379, version 7.0)"]
    # Cut inside its aside, a heading left "Redis (running" with its bracket open.
    assert group_title(titles) == "OpenTelemetry, documents and redis"
    assert group_title(["Safety on the shore", "Weather and tides"]) == "Safety, weather and tides"


def test_a_slide_of_several_questions_is_titled_by_what_they_are_part_of() -> None:
    # "Who books my flights? · Can I fly business class? · Do I need approval before I travel?"
    faq = Path(__file__).parent / "corpus" / "faq.md"
    document = parse("faq.md", "text/markdown", faq.read_bytes())
    plan = plan_deck([document], topic="", slide_count=5, condense=True, speaker_notes=False)
    titles = [slide.title for slide in plan.slides]
    assert "Booking" in titles and "Claims" in titles, titles
    assert not any("? \u00b7" in title for title in titles), titles


def test_a_lead_in_goes_when_the_slide_does_not_show_what_it_introduces() -> None:
    def unit(text: str, group: int, level: int = 0, section: int = 1) -> Unit:
        return Unit(text, level, 1.0, group * 1000, group, section=section)

    returns, shown = unit("Returns:", 1), unit("The stream's width in columns.", 3)
    assert _planner._introducing_what_is_shown([returns, shown]) == [shown]
    # Its list after it, or its items under it, on the slide: it stays.
    items = [unit("You can use:", 1), unit("`make -j4`", 2)]
    assert _planner._introducing_what_is_shown(items) == items
    nested = [unit("Reporting must not:", 1), unit("Harm users.", 1, level=1)]
    assert _planner._introducing_what_is_shown(nested) == nested
    # The last line of its section, with the next section's line after it: nothing it introduces.
    last = [unit("Open a pull request:", 1), unit("Backports land weekly.", 2, section=2)]
    assert _planner._introducing_what_is_shown(last) == last[1:]


def test_headings_that_name_their_thing_before_a_colon_are_grouped_by_those_names() -> None:
    # xmlsec's examples README: the first words of each gave "sign1: signing, sign2: signing and
    # verify1: verifying".
    titles = [
        "sign1: signing with a template file",
        "sign2: signing a file with a dynamicaly created template",
        "verify1: verifying a signed document with a public key",
    ]
    assert group_title(titles) == "sign1, sign2 and verify1"
    assert group_title(["`ls`: list the files here", "`rm`: remove a file for good"]) == "`ls` and `rm`"
    # A kind of thing before the colon is no name; nor is a name without what it does.
    kinds = ["Class: the timeout of a call", "Exercise: make it shorter"]
    assert "Class and Exercise" not in group_title(kinds)
    assert group_title(["sign1: signing", "sign2: signing"]) != "sign1 and sign2"


def test_a_group_title_takes_a_heading_s_subject_before_its_dash_and_keeps_a_title_cased_name() -> None:
    # What follows a spaced dash describes the subject; a heading whose second word is capitalised
    # too opens with a name (or is in title case), which reads worse half lowered.
    titles = ["encode/starlette — readable in one sitting", "Google's API Improvement Proposals (AIP)"]
    assert group_title(titles) == "encode/starlette and Google's API Improvement Proposals"
    assert group_title(["Tides - when to go", "Online Boutique demo"]) == "Tides and Online Boutique demo"
    assert group_title(["Safety", "Working with landowners"]) == "Safety and working with landowners"
    assert group_title(["The CLI", "From Python", "Using Redis"]) == "The CLI, from Python and using Redis"
    assert group_title(["The CLI", "From a browser"]) == "The CLI and from a browser"
    # Title case across small words too (Node.js's permissions.md), but not a verb before a name.
    titles = ["Files", "Workers", "Limitations and Known Issues"]
    assert group_title(titles) == "Files, workers, Limitations and Known Issues"
    assert _planner._in_sentence("Deploy to Azure") == "deploy to Azure"


def test_a_heading_too_long_for_a_title_loses_its_asides_before_its_words() -> None:
    heading = (
        "Online Boutique (GoogleCloudPlatform/microservices-demo) and the OpenTelemetry demo — operations"
    )
    text = f"# Notes\n\n## {heading}\n\nThe demo shows traces end to end.\n\n## Other\n\nMore text.\n"
    plan = plan_deck(
        [parse("n.md", "text/markdown", text.encode())],
        topic="",
        slide_count=4,
        condense=True,
        speaker_notes=False,
    )
    titles = [slide.title for slide in plan.slides]
    assert "Online Boutique and the OpenTelemetry demo — operations" in titles, titles


def test_a_group_title_keeps_the_capital_of_a_name_the_document_writes_capitalised() -> None:
    names = names_in(["Jobs wait in Redis and files in Supabase Storage.", "Documents are read first."])
    assert names == {"Redis", "Supabase", "Storage"}
    assert group_title(["Documents", "Redis (running)", "Supabase"], names) == "Documents, Redis and Supabase"
    # A word the text writes in lower case as often is a common word that opened a sentence; a
    # name may tie with its package ("redis 8.1") but not lose to it.
    assert names_in(["Read the Guide.", "The guide says so.", "Each guide differs."]) == set()
    assert names_in(["It runs on Redis.", "Install redis 8.1 first."]) == {"Redis"}
    assert (
        group_title(["Style", "Google's proposals"], names_in(["Ask Google first."]))
        == "Style and Google's proposals"
    )
    text = (
        "# Notes\n\n## Documents\n\nDocuments become decks without a model at all.\n\n"
        "## Redis\n\nThe queue lives in Redis when REDIS_URL is set.\n\n"
        "## Supabase\n\nArtifacts go to Supabase Storage in production.\n"
    )
    plan = plan_deck(
        [parse("n.md", "text/markdown", text.encode())],
        topic="",
        slide_count=3,
        condense=True,
        speaker_notes=False,
    )
    assert any("Redis" in slide.title for slide in plan.slides), [slide.title for slide in plan.slides]


def test_a_one_word_heading_is_a_name_when_the_whole_document_writes_it_capitalised() -> None:
    # The slide's own sentences never name Azure mid-sentence; a section before it does. A longer
    # heading the document only refers to ("see Who is calling") stays lowered.
    assert group_title(["Kubernetes", "Azure (managed identity)"], frozenset(), frozenset({"Azure"})) == (
        "Kubernetes and Azure"
    )
    assert group_title(["Budgets", "Who is calling"], frozenset(), frozenset({"Who"})) == (
        "Budgets and who is calling"
    )
    text = (
        "# Identity\n\n## Workload identity\n\nOn Kubernetes, Azure, and Google Cloud Platform, tokens are "
        "short-lived. The client asks for them itself. It refreshes them before they expire. Nothing is "
        "stored on disk. Each request carries a fresh token.\n\n## Providers\n\n"
        "### Kubernetes (service account tokens)\n\nThe token file is read at every refresh.\n\n"
        "### Google Cloud Platform (compute engine metadata)\n\nThe metadata server answers.\n\n"
        "### Azure (managed identity)\n\nThe metadata endpoint gives the token.\n\n"
        "## Other\n\nMore text for the deck, and a closing thought. Another sentence follows here. "
        "And a third one ends it.\n"
    )
    plan = plan_deck(
        [parse("n.md", "text/markdown", text.encode())],
        topic="",
        slide_count=6,
        condense=True,
        speaker_notes=False,
    )
    titles = [slide.title for slide in plan.slides]
    assert "Google Cloud Platform and Azure" in titles, titles


def test_numbering_is_left_out_of_a_title_but_a_name_such_as_x509_stays() -> None:
    assert clean_title("17. Storage and archiving") == "Storage and archiving"
    assert clean_title("A.1 Introduction") == "Introduction"
    assert clean_title("II.3 Method") == "Method"
    assert clean_title("1.2.10 Deep sections") == "Deep sections"
    # "X.509 workload identity" lost its "X.509" as if it were section X.509.
    assert clean_title("X.509 workload identity (mutual TLS)") == "X.509 workload identity (mutual TLS)"
    assert clean_title("1 Introduction") == "Introduction"
    assert clean_title("B) Options") == "Options"
    # Node.js's technical values number their headings "3 - Operational qualities".
    assert clean_title("3 - Operational qualities") == "Operational qualities"
    assert clean_title("12 \u2013 Closing") == "Closing"
    # A first word is no numbering: Node.js's C++ style guide had titles of "spaces of indentation".
    for kept in (
        "2 spaces of indentation",
        "10 things to know",
        "2024 in review",
        "A guide",
        "I Love Lucy",
        "3 - 4 people",
    ):
        assert clean_title(kept) == kept


def test_a_sentence_after_its_heading_keeps_the_case_of_a_name_with_a_digit() -> None:
    text = (
        "# Transport\n\n## Certificates\n\nX.509 certificates prove who a server is.\n\n"
        "## Storage\n\nS3 buckets hold the files.\n\n## Queues\n\nJobs wait in a queue.\n\n"
        "## Safety\n\nSafety comes first.\n\n## Results\n\nNorthwind Outfitters closed the quarter up.\n\n"
        "## Rivals\n\nThe Acme Company closed the quarter down.\n"
    )
    plan = plan_deck(
        [parse("t.md", "text/markdown", text.encode())],
        topic="",
        slide_count=3,
        condense=True,
        speaker_notes=False,
    )
    bullets = [bullet.text for slide in plan.slides for bullet in slide.bullets]
    assert bullets == [
        "Certificates: X.509 certificates prove who a server is.",
        "Storage: S3 buckets hold the files.",
        "Queues: jobs wait in a queue.",
        "Safety: safety comes first.",
        # A name of two capitalised words keeps its case (the quarterly report's "northwind Outfitters").
        "Results: Northwind Outfitters closed the quarter up.",
        "Rivals: the Acme Company closed the quarter down.",
    ]


# How drafts were merged down to a slide count before: each merge looked through every pair for the
# cheapest, quadratic in the drafts (a wide table or a long list made thousands). Kept as the
# definition of the merges the heap must make.
def _old_reduce(drafts: list[Draft], target: int, condense: bool) -> list[Draft]:
    drafts = list(drafts)
    costs = [_drafts._merge_cost(drafts[i], drafts[i + 1]) for i in range(len(drafts) - 1)]
    while len(drafts) > max(target, 1):
        best = min(range(len(costs)), key=lambda i: (costs[i], i))
        drafts[best : best + 2] = [_drafts._merge(drafts[best], drafts[best + 1], condense)]
        del costs[best]
        if best < len(costs):
            costs[best] = _drafts._merge_cost(drafts[best], drafts[best + 1])
        if best > 0:
            costs[best - 1] = _drafts._merge_cost(drafts[best - 1], drafts[best])
    return drafts


def test_drafts_are_merged_in_the_order_the_scan_merged_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # Costs from a handful of values, so that equal costs (where the first pair must win) are common.
    def cost(a: Draft, b: Draft) -> int:
        return (len(a.title) * 7 + len(b.title) * 3 + a.title.count("b")) % 5

    def merge(a: Draft, b: Draft, condense: bool) -> Draft:
        return Draft(kind="bullets", sections=[], title=f"({a.title}{b.title})")

    monkeypatch.setattr(_drafts, "_merge_cost", cost)
    monkeypatch.setattr(_drafts, "_merge", merge)
    chance = random.Random("reduce")
    for _ in range(300):
        drafts = [Draft(kind="bullets", sections=[], title=chance.choice("ab") * chance.randint(1, 3))]
        drafts += [
            Draft(kind="bullets", sections=[], title=chance.choice("abc"))
            for _ in range(chance.randint(0, 40))
        ]
        target = chance.randint(0, len(drafts) + 1)
        assert [d.title for d in _drafts.reduce(drafts, target, True)] == [
            d.title for d in _old_reduce(drafts, target, True)
        ]


_CORPUS = Path(__file__).parent / "corpus"


@pytest.mark.parametrize("name", sorted(p.name for p in _CORPUS.iterdir() if p.suffix in (".md", ".txt")))
def test_corpus_plans_are_what_they_were_with_the_scan(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    media_type = "text/plain" if name.endswith(".txt") else "text/markdown"
    documents = [parse(name, media_type, (_CORPUS / name).read_bytes())]
    for count in (None, 3, 5, 8, 12):
        plan = plan_deck(documents, topic="", slide_count=count, condense=count != 5, speaker_notes=True)
        with monkeypatch.context() as patched:
            patched.setattr(_planner, "reduce", _old_reduce)
            expected = plan_deck(
                documents, topic="", slide_count=count, condense=count != 5, speaker_notes=True
            )
        assert plan == expected, count


# Each made thousands of drafts to merge: with the scan, the table took 30 s and the code 18 s,
# growing with the square.
HOSTILE_DOCUMENTS = {
    "wide table": "|" + " a |" * 50_000 + "\n|" + " --- |" * 50_000 + "\n|" + " 1 |" * 50_000,
    "long code block": "```\n" + "x = 1\n" * 130_000 + "```",
}


@pytest.mark.parametrize("name", list(HOSTILE_DOCUMENTS))
def test_a_document_of_many_drafts_is_planned_in_linear_time(name: str) -> None:
    document = f"# Title\n\n## Section\n\n{HOSTILE_DOCUMENTS[name]}\n\n## Other\n\nOther text is here.\n"
    plan = plan_deck(
        [parse("hostile.md", "text/markdown", document.encode())],
        topic="",
        slide_count=None,
        condense=True,
        speaker_notes=True,
    )
    assert plan.items


def test_a_group_title_keeps_a_question_heading_whole() -> None:
    # Cut at its first "the", "What drove the quarter" made the title "Headline figures and what drove".
    titles = ["Headline figures", "What drove the quarter"]
    assert group_title(titles) == "Headline figures and what drove the quarter"
    assert group_title(["Safety on the shore", "When to go"]) == "Safety and when to go"


def test_a_group_title_keeps_brackets_inside_code_spans() -> None:
    # Taken for an aside, the brackets of "`timeout.hasRef()`" cut the title inside its code span,
    # and the slide's title showed "`timeout.hasRef" with a stray backtick.
    titles = ["`timeout.close()`", "`timeout[Symbol.dispose]()`"]
    assert group_title(titles) == "`timeout.close()` and `timeout[Symbol.dispose]()`"
    assert group_title(["`setTimeout()` (legacy)", "Redis (on localhost)"]) == "`setTimeout()` and redis"


_LEADS_AND_ECHOES = b"""# Handling reports

## Reporting

Report security bugs through the tracker. A member of the team answers every report within two days.

## Guidelines

Failure to follow these guidelines may result in:

- Rejection of the vulnerability report.
- Forfeiture of any potential bug bounty.
- A ban from the bounty program for repeated abuse.

## Updates

Security notifications will be distributed via the following methods.

- The security mailing list
- The project blog

## Scope

Vulnerabilities in third-party modules are reported to their own maintainers.
See https://example.org/scope for further details.

## Retries

The client retries a failed call three times before it gives up on the server.

## Backoff

The client retries a failed call three times before it gives up on the broker.

## Budgets

Every team gets a fixed error budget each quarter and spends it on releases.

## Closing

Disclosure happens ninety days after a fix ships, whether or not every user upgraded.
"""


def _plan_of(content: bytes, count: int) -> Plan:
    documents = [parse("reports.md", "text/markdown", content)]
    return plan_deck(documents, topic="", slide_count=count, condense=True, speaker_notes=False)


def _sectioned(title: str, opening: str, sections: list[tuple[str, str]]) -> bytes:
    """A document of `sections` (heading, text) under `title` and its `opening` sentence."""
    return (f"# {title}\n\n{opening}\n\n" + "\n".join(f"## {h}\n\n{text}\n" for h, text in sections)).encode()


def _lines_of(content: bytes, count: int) -> list[str]:
    """Every bullet of the deck planned from `content`, in order."""
    return [bullet.text for slide in _plan_of(content, count).slides for bullet in slide.bullets]


def test_a_sections_one_line_is_neither_a_lead_in_nor_an_item_that_ends_its_sentence() -> None:
    # Node.js's SECURITY.md once gave "Experimental platforms: node.js does NOT trust:" and
    # "Code of Conduct…: rejection of the vulnerability report." (of "may result in:").
    plan = _plan_of(_LEADS_AND_ECHOES, 4)
    lines = [b.text for s in plan.slides if s.layout == Layout.BULLETS for b in s.bullets]
    assert "Guidelines" in lines and "Reporting: report security bugs through the tracker." in lines
    assert not [line for line in lines if line.endswith(":") or "following" in line or "ejection" in line]


def test_a_long_item_of_several_sentences_gives_its_sections_line_its_first() -> None:
    # Node.js's permissions.md: "Limitations and Known Issues" alone, its one point left off.
    content = (
        b"# Permissions\n\n## Files\n\nThe model restricts access to the file system by default.\n\n"
        b"## Children\n\nThe model does not pass on to a child process.\n\n"
        b"## Workers\n\nWorkers start without any permissions at all.\n\n"
        b"## Limitations and Known Issues\n\n* Symbolic links will be followed even to locations "
        b"outside of the set of paths that access has been granted to. Relative symbolic links may "
        b"allow access to arbitrary files and directories. Applications must ensure that no granted "
        b"path contains relative symbolic links.\n"
    )
    lines = _lines_of(content, 3)
    assert (
        "Limitations and Known Issues: symbolic links will be followed even to locations outside of "
        "the set of paths that access has been granted to." in lines
    ), lines


def test_a_sections_line_keeps_the_capitals_of_a_name() -> None:
    content = (
        b"# Runtime\n\n## Engine\n\nNode.js uses V8 as its engine.\n\n"
        b"## Values\n\nJavaScript values are handles of their own.\n\n"
        b"## Safety\n\nSafety comes first in every release.\n\n"
        b"## Threads\n\nA worker runs on a thread of its own.\n"
    )
    lines = _lines_of(content, 3)
    assert {
        "Engine: Node.js uses V8 as its engine.",
        "Values: JavaScript values are handles of their own.",
        "Safety: safety comes first in every release.",
        "Threads: a worker runs on a thread of its own.",
    } <= set(lines), lines


def test_a_sections_line_is_not_code_a_lone_connective_nor_a_pointer() -> None:
    # Node.js's permissions.md, api-documentation.md and zlib.md: "Example: `"file:///C:/"`",
    # "Basic Usage: OR", "For Brotli-based streams: see below for more details…".
    content = (
        b"# Tooling\n\n## Overview\n\nThe tool turns Markdown into HTML pages.\n\n"
        b'## Example\n\n`"file:///C:/"`\n\n'
        b"## Basic Usage\n\n```sh\nmake doc\n```\n\nOR\n\n```sh\nnode tools/doc/generate.mjs\n```\n\n"
        b"## Brotli\n\nSee below for more details on Brotli-specific options.\n\n"
        b"## Output\n\nEvery page gets a table of contents.\n"
    )
    lines = _lines_of(content, 3)
    assert "Output: every page gets a table of contents." in lines, lines
    assert not [line for line in lines if line.endswith((": OR", '"`')) or "see below" in line], lines


_CODE_THEN_TEXT = """\
# Sessions

The session owns the connection's read side and its lifetime.

For incremental text, opt in with a separate helper fed by the events you already receive:

```python
accumulator = Accumulator()
while True:
    event = await lane.recv()
    if event.stream_id != expected:
        continue
    accumulator.add_event(event)
    kind = event.type
    if kind == "delta":
        pass
    elif kind == "item.done":
        pass
    elif kind == "completed":
        snapshot = accumulator.snapshot()
        response = accumulator.final()
        break
    else:
        log(kind)
accumulator.reset()
```

Use one helper per lane and reset it before the next turn.

Done events replace provisional fields.

For example, after collecting an item as above:

```python
details = accumulator.detailed_snapshot()
for output in details["output"]:
    print(output)
```

## Lanes

Omit the ID for the default lane.

## Limits

Every lane has a budget of events.
"""


def test_text_after_a_code_sample_never_goes_above_it_and_a_lead_in_keeps_its_code() -> None:
    # openai's responses_websocket README: a sample's last lines shared a slide with the text after
    # them (drawn above the panel), and "For example, …as above:" with no code under it.
    for count in range(3, 9):
        for slide in _plan_of(_CODE_THEN_TEXT.encode(), count).slides:
            texts = [b.text for b in slide.bullets]
            if slide.code is not None and "accumulator.reset()" in slide.code.text:
                assert not [t for t in texts if t.startswith(("Use one helper", "Done events"))], count
            if texts and texts[-1].endswith(":"):
                assert slide.code is not None, (count, slide.title, texts)


def test_a_long_sample_is_cut_before_a_whole_statement() -> None:
    # The openai README's loop was cut before the "pass" inside an "if", a piece that read as
    # nonsense; with no blank line near, the cut goes before the least indented statement.
    loop = [
        "while True:",
        "    event = await lane.recv()",
        *(f"    step_{n}(event)" for n in range(10)),
        '    if event.type == "delta":',
        "        pass",
        '    elif event.type == "done":',
        "        pass",
        "        break",
        "reset()",
    ]
    first, second = _drafts.code_chunks("\n".join(loop))
    assert second.splitlines()[0] == '    if event.type == "delta":'
    assert first.splitlines() + second.splitlines() == loop


def test_takeaways_are_statements_each_said_once() -> None:
    (_, closing) = _plan_of(_LEADS_AND_ECHOES, 2).slides
    takeaways = [b.text for b in closing.bullets]
    assert len(takeaways) == 4
    # Not a lead-in, a pointer elsewhere, an item without its lead-in, nor one point twice.
    assert not [t for t in takeaways if "following" in t or t.startswith(("See ", "Forfeiture"))]
    assert len([t for t in takeaways if t.startswith("The client retries")]) == 1
    assert _planner.takeaway_worthy("Every team gets a fixed error budget each quarter.")
    assert not _planner.takeaway_worthy("`delay` {number} The number of milliseconds to wait.")
    assert not _planner.takeaway_worthy("For more information, see the operator's guide.")
    assert not _planner.takeaway_worthy("The results are as follows.")
    assert _planner.takeaway_worthy("Sales fell in the following year.")
    assert not _planner.takeaway_worthy("where X means 0 or 1.")
    assert not _planner.takeaway_worthy("Below it are properties of a WHATWG URL object.")
    assert not _planner.takeaway_worthy("Returns: {URL} The file URL object.")
    assert not _planner.takeaway_worthy("will create a 4-second timeout on most platforms.")
    # Node.js's permissions.md: a pointer to a section, an example, and words that point back.
    assert not _planner.takeaway_worthy("All the guarantees are specified in the Guarantees section.")
    assert not _planner.takeaway_worthy("For example: `/home/*.js` will work similar to `/home/*`.")
    assert not _planner.takeaway_worthy("Adding this scope to the policy would cause it to be used first.")
    assert not _planner.takeaway_worthy("So, if an import such as `import('#utils')` was used, it failed.")
    assert not _planner.takeaway_worthy("If that field at the top of the file is `true` the default is used.")
    assert not _planner.takeaway_worthy("If that fails, a safer equivalent will be used.")
    assert _planner.takeaway_worthy("If the manifest is missing, every module may load.")
    assert _planner.takeaway_worthy("So many teams skip the review that it lost its point.", alone=False)
    assert _planner.takeaway_worthy("Import maps only have a single top level scope for their imports.")
    assert _planner.takeaway_worthy("Sections of the report cover each region in this order.")
    assert not _planner.takeaway_worthy("Creates a new context.")
    assert _planner.takeaway_worthy("Sales rose in the second half of the year.")


def test_the_title_slides_subtitle_is_no_lead_in() -> None:
    # Node.js's writing-tests.md: "A test will fail if:" under the deck's title.
    content = (
        b"# Writing tests\n\nTests are programs that check one feature. A test will fail if:\n\n"
        b"* It exits with a non-zero code.\n\n## Structure\n\nEvery test starts with a comment.\n\n"
        b"## Naming\n\nTest files are named in kebab case.\n\n"
        b"## Running\n\nThe test runner runs them in parallel.\n"
    )
    for count in range(3, 7):
        assert not _plan_of(content, count).slides[0].subtitle.endswith(":"), count
    assert _planner.takeaway_worthy("Where the data lives decides the latency.")


def test_the_title_slides_subtitle_does_not_add_to_a_sentence_it_lacks() -> None:
    # Node.js's permissions.md: "Permissions can also control what modules can be accessed…".
    for adding in (b"Permissions can also control which modules load.", b"Module authors use them as well."):
        content = (
            b"# Permissions\n\nPermissions can be used to control what system resources the process has "
            b"access to or what actions it can take with those resources. " + adding + b"\n\n"
            b"* Module permissions control which files are available to other modules.\n"
            b"* Process permissions control the process's access to resources.\n\n"
            b"## Scopes\n\nA scope groups the rules of one folder.\n\n"
            b"## Guarantees\n\nThe policy checks each file before it runs.\n"
        )
        subtitles = {_plan_of(content, count).slides[0].subtitle for count in range(3, 7)}
        assert adding.decode() not in subtitles, subtitles


def test_the_subtitle_is_the_documents_opening_not_a_detail_of_its_first_section() -> None:
    # Node.js's writing-and-running-benchmarks.md: "Git for Windows includes Git Bash and the
    # necessary tools…", from under "Prerequisites", sat under the deck's title.
    rest = (
        b"## Running\n\nEach benchmark runs on its own. A group runs with the run script.\n\n"
        b"## Comparing\n\nThe compare script runs two builds. It prints the difference.\n"
    )
    detail = (
        b"## Prerequisites\n\nBasic Unix tools are required for some benchmarks. Git for Windows includes "
        b"Git Bash and the necessary tools. The tools must be on the PATH.\n\n### HTTP benchmarks\n\n"
        b"Most HTTP benchmarks need a benchmarker. Autocannon is one of them.\n\n"
    )
    subtitles = {_plan_of(b"# Benchmarks\n\n" + detail + rest, n).slides[0].subtitle for n in range(3, 6)}
    assert subtitles == {""}, subtitles
    opening = (
        b"## Introduction\n\nBenchmarks measure the speed of core modules. They guard against slowdowns. "
        b"Each one reports operations per second. Results vary from machine to machine.\n\n"
    )
    subtitles = {_plan_of(b"# Benchmarks\n\n" + opening + rest, n).slides[0].subtitle for n in range(3, 6)}
    assert subtitles - {""}, subtitles


def test_the_items_of_a_list_of_examples_are_no_takeaways() -> None:
    # Node.js's GOVERNANCE.md: "Example of list of contributions:" / "Commits in the nodejs/node
    # repository." closed a deck as a key takeaway.
    content = (
        b"# Nominations\n\n## Nominating\n\nAny collaborator may nominate a contributor. "
        b"Example of list of contributions:\n\n* Commits in the main repository.\n"
        b"* Reviews of pull requests in the main repository.\n\n"
        b"## Reviewing\n\nThe nomination passes after one week without objection.\n\n"
        b"## Onboarding\n\nA steering committee member onboards the new collaborator.\n"
    )
    (_, closing) = _plan_of(content, 2).slides
    takeaways = [bullet.text for bullet in closing.bullets]
    assert takeaways and not any("main repository" in text for text in takeaways), takeaways


def test_an_item_a_lead_in_announces_is_a_takeaway_only_as_a_sentence_of_its_own() -> None:
    content = (
        b"# Signs\n\n## Sign\n\nThe sign can have 2 values:\n\n- -1 if the sign bit is 1 in the word.\n"
        b"- 1 if the sign bit is 0 in the word.\n\n## Findings\n\nThe survey found three things:\n\n"
        b"- Revenue grew twelve percent in Europe.\n\n## Costs\n\nCosts stayed flat over the whole year.\n"
    )
    (_, closing) = _plan_of(content, 2).slides
    assert [b.text for b in closing.bullets] == [
        "Revenue grew twelve percent in Europe.",
        "Costs stayed flat over the whole year.",
    ]


def test_a_sections_one_line_says_something_rather_than_a_label_or_a_type() -> None:
    # Node.js's url.md gave "`url.port`: {string}" for "* {string}" before the sentence describing it.
    fields = "".join(
        f"## `url.{name}`\n\n* {{string}}\n\nGets and sets the {name} portion of the URL.\n\n"
        for name in ("port", "host", "hash", "search")
    )
    content = (
        f"# URL\n\n{fields}## Guidelines\n\nReporters must follow these rules:\n\n"
        "- Report Quality\n  - Give clear steps.\n  - Keep the proof of concept minimal.\n\n"
        "## Modern HTTP\n\n_Present in: 2021_\n\nBase HTTP support is a key part of cloud applications.\n"
    )
    plan = _plan_of(content.encode(), 3)
    lines = [b.text for s in plan.slides if s.layout == Layout.BULLETS for b in s.bullets]
    assert lines == [
        "`url.port`: gets and sets the port portion of the URL.",
        "`url.host`: gets and sets the host portion of the URL.",
        "`url.hash`: gets and sets the hash portion of the URL.",
        "`url.search`: gets and sets the search portion of the URL.",
        "Guidelines",
        "Modern HTTP: base HTTP support is a key part of cloud applications.",
    ]


_MESSAGES = [
    ("Node.js is a great choice for a runtime", "show what the runtime does well", "ada"),
    ("How things get done in the project", "explain how decisions are made", "grace"),
    ("Type stripping", "raise awareness of running TypeScript directly", "alan"),
]


def test_sections_under_one_heading_are_titled_by_it_not_by_their_own_generic_headings() -> None:
    # Node.js's advocacy-ambassador-program.md: "Goal", "Related Links" and "Project contacts" under
    # each message gave slides titled "Project contacts, goal and Related Links", twice, each with
    # the end of one message and the start of the next.
    messages = "".join(
        f"### {message}\n\n#### Goal\n\nThe goal is to {goal}.\n\n"
        f"#### Related Links\n\n* <https://example.org/{n}>\n\n#### Project contacts\n\n* @{who}\n\n"
        for n, (message, goal, who) in enumerate(_MESSAGES)
    )
    content = (
        f"# Ambassadors\n\n## Joining\n\nAny member may nominate an ambassador.\n\n## Messages\n\n{messages}"
    )
    plan = _plan_of(content.encode(), 6)
    assert [(s.title, [b.text for b in s.bullets]) for s in plan.slides[1:-1]] == [
        ("Joining", ["Any member may nominate an ambassador."]),
        *(
            (
                message,
                [
                    f"Goal: the goal is to {goal}.",
                    f"Related Links: https://example.org/{n}",
                    f"Project contacts: @{who}",
                ],
            )
            for n, (message, goal, who) in enumerate(_MESSAGES)
        ),
    ]
    # One slide more than the topics: the one split says whose goal it shows.
    titles = [s.title for s in _plan_of(content.encode(), 7).slides]
    assert "Type stripping: Goal" in titles and "Goal" not in titles


def test_a_list_that_ends_its_lead_ins_sentence_goes_with_it_or_not_at_all() -> None:
    # Node.js's SECURITY.md: "Rejection of the vulnerability report." and "Forfeiture of any potential
    # bug bounty." were shown as points, without "Failure to follow these guidelines may result in:".
    rules = "".join(
        f"{n}. **Rule {n}**: Reports must {rule}.\n"
        for n, rule in enumerate(
            [
                "comply with the code of conduct",
                "cause no harm to running systems",
                "use isolated environments",
            ],
            start=1,
        )
    )
    content = (
        "# Security\n\n## Guidelines\n\n"
        "When reporting security vulnerabilities, reporters must follow these rules. "
        "Every report is read by the security team within two days of its arrival.\n\n"
        f"{rules}\nFailure to follow these guidelines may result in:\n\n"
        "* Rejection of the vulnerability report.\n* Forfeiture of any potential bug bounty.\n"
        "* A temporary or permanent ban from the bug bounty program.\n\n"
        "## Updates\n\nSecurity releases are announced on the blog a week ahead of time.\n"
    )
    for count in range(3, 7):
        for slide in _plan_of(content.encode(), count).slides:
            lines = [b.text for b in slide.bullets]
            if any("Rejection" in line or "Forfeiture" in line for line in lines):
                assert "Failure to follow these guidelines may result in:" in lines, (count, lines)
                # Under it, as its own points.
                lead = lines.index("Failure to follow these guidelines may result in:")
                assert slide.bullets[lead + 1].level == slide.bullets[lead].level + 1, (count, lines)


def test_a_heading_with_its_subsections_titles_their_slides_and_says_when_it_goes_on() -> None:
    # Node.js's timers.md: a slide of "Class: Timeout" and two of its methods was titled
    # "Class: Timeout, timeout.close() and timeout.hasRef()", and the next one "Class: Timeout".
    methods = "".join(
        f"### `timer.{name}()`\n\nCalling `timer.{name}()` {effect}.\n\n"
        for name, effect in [
            ("ref", "keeps the event loop running while the timer is active"),
            ("unref", "lets the event loop exit while the timer is active"),
            ("refresh", "starts the timer again from the current time"),
            ("close", "cancels the timer before it fires"),
            ("hasRef", "tells whether the timer keeps the event loop running"),
            ("dispose", "cancels the timer when its scope ends"),
        ]
    )
    content = (
        "# Timers\n\n## Scheduling\n\nA timer calls a function after a given delay.\n\n"
        f"## Class: Timer\n\nA timer object is returned by every scheduling call.\n\n{methods}"
        "## Cancelling\n\nEvery scheduling call has a matching call that cancels it.\n"
    )
    slides = _plan_of(content.encode(), 6).slides
    assert [s.title for s in slides] == [
        "Timers",
        "Scheduling",
        "Class: Timer",
        "Class: Timer (cont.)",
        "Cancelling",
        "Thank you",
    ]
    # Said once: the class's own line is not repeated under its title, its point comes first.
    assert (slides[2].bullets[0].text, slides[2].bullets[0].level) == (
        "A timer object is returned by every scheduling call.",
        0,
    )
    assert all(b.text != "Class: Timer" for s in slides for b in s.bullets)


def test_a_section_the_document_holds_twice_is_one_line() -> None:
    review = "## How to review\n\nA nomination is reviewed the way a pull request is.\n\n"
    content = (
        f"# Nominations\n\n## Who\n\nAny collaborator may nominate someone.\n\n{review}"
        f"## Objections\n\nAn objection must give its reasons.\n\n{review}"
        "## Onboarding\n\nA TSC member onboards the new collaborator.\n"
    )
    (_, slide, _) = _plan_of(content.encode(), 3).slides
    lines = [b.text for b in slide.bullets]
    assert lines.count("How to review: a nomination is reviewed the way a pull request is.") == 1, lines


def test_no_slide_is_left_empty_by_a_long_table_or_a_long_list_after_its_lead_in() -> None:
    # magika's model README (two 200-row tables, each after a sentence) ended on an empty slide.
    rows = "".join(f"| {n} | type{n} | File type number {n} |\n" for n in range(1, 201))
    table = f"| Index | Label | Description |\n|---|---|---|\n{rows}"
    items = "".join(f"* Consequence number {n} of breaking the rules.\n" for n in range(1, 12))
    content = (
        f"# Model\n\n## Outputs\n\nThis is the list of outputs. E.g., the values of `label`.\n\n{table}\n"
        f"## Raw outputs\n\nThis is the list of raw outputs. E.g., the values of `dl.label`.\n\n{table}\n"
        f"## Rules\n\nFailure to follow these rules may result in:\n\n{items}"
    )
    for count in range(3, 13):
        for slide in _plan_of(content.encode(), count).slides:
            empty = slide.layout == Layout.BULLETS and not slide.bullets and not slide.body
            assert not empty, (count, slide.title)


def test_a_slide_whose_every_line_an_earlier_one_showed_is_left_out_not_shown_empty() -> None:
    # numpy's random/LICENSE.md repeats its licence text under a second heading: at 12 slides, one
    # was titled "3-Clause BSD License" with nothing on it.
    terms = "Redistribution in source form must keep this notice. Binary forms must reproduce it.\n\n"
    content = f"# Licence\n\n## NumPy\n\n{terms}## Random\n\n{terms}## Other\n\nThe rest is public domain.\n"
    plan = _plan_of(content.encode(), 6)
    assert all(slide.bullets or slide.body for slide in plan.slides[1:-1])
    assert [w.code for w in plan.warnings] == ["FEWER_SLIDES"]


def test_an_api_reference_s_headings_are_named_in_titles_by_name_and_kind_not_signature() -> None:
    # Node.js's API pages titled slides "From `dns.resolve(hostname[, rrtype], callback)` to
    # `dns.resolveCaa(hostname, callback)`" and "Class: `KeyObject` · Class: `Sign` · Class: `Verify`".
    titles = ["`emitter.listeners(eventName)`", "`emitter.off(eventName, listener)`"]
    assert group_title(titles) == "`emitter.listeners()` and `emitter.off()`"
    titles = ["Class: `KeyObject`", "Class: `Sign`", "Class: `Verify`"]
    assert group_title(titles) == "Classes `KeyObject`, `Sign` and `Verify`"
    assert group_title(["Class: `Sign`", "Event: `'close'`"]) == "Class `Sign` and event `'close'`"
    assert group_title(["`timeout.ref()`", "`timeout.unref()`"]) == "`timeout.ref()` and `timeout.unref()`"
    source = (Path(__file__).parent / "corpus" / "ledger-api.md").read_bytes()
    document = parse("ledger-api.md", "text/markdown", source)
    plans = {
        count: [
            slide.title
            for slide in plan_deck(
                [document], topic="", slide_count=count, condense=True, speaker_notes=False
            ).slides
        ]
        for count in (4, 5)
    }
    # At 4 slides the accounts' slide also holds transfers, which its six lines leave off: the
    # title names what they show, the section "Accounts" and what is under it (its class, and its
    # class's methods).
    for count in (4, 5):
        assert "Accounts" in plans[count], plans[count]


def test_the_title_slides_subtitle_does_not_lean_on_the_sentence_before_it() -> None:
    # Node.js's dns.md: its first sentence was a takeaway, and the subtitle was the one after it,
    # "For example, use it to look up IP addresses of host names."; https.md's, "In Node.js this is
    # implemented as a separate module."
    opening = "The dns module enables name resolution."
    for second in ("For example, use it to look up addresses.", "Also, it caches nothing at all."):
        text = f"# DNS\n\n{opening} {second}\n\n## Lookup\n\nLookups use the system.\n".encode()
        sections = sectionize([parse("dns.md", "text/markdown", text)])
        assert _planner._subtitle(sections, "DNS", set()) == opening
        assert _planner._subtitle(sections, "DNS", {_planner._normal(opening)}) == ""


def test_a_group_title_says_consecutive_steps_once_and_keeps_a_clause_heading_whole() -> None:
    # Node.js's pull-requests.md: "Dependencies, setting up your local environment, step 1: Fork and
    # step 2: Branch", and "…, waiting until, check out and appendix: subsystems".
    titles = ["Dependencies", "Step 1: Fork", "Step 2: Branch"]
    assert group_title(titles) == "Dependencies, steps 1\u20132: Fork and branch"
    assert (
        group_title(["Step 5: Rebase", "Step 6: Test", "Step 7: Push"])
        == "Steps 5\u20137: Rebase, test and push"
    )
    # Not consecutive: each says its own number.
    assert group_title(["Step 1: Fork", "Step 3: Code"]) == "Step 1: Fork and step 3: Code"
    assert (
        group_title(["Safety", "Waiting until the tide turns"]) == "Safety and waiting until the tide turns"
    )
    assert group_title(["Check out the guide", "Notes"]) == "Check out the guide and notes"
    assert group_title(["Safety", "Treat each error as an event"]) == "Safety and treat each error"


def test_a_compact_line_shortens_a_sentence_too_long_for_it_rather_than_showing_the_title_bare() -> None:
    # Node.js's primordials.md showed "Defining object own properties" alone: its one sentence,
    # with the title, was longer than a bullet.
    long = (
        "When defining a property descriptor (to add or update an own property of a JavaScript object "
        "in the core modules), be sure to always use a null-prototype object to avoid prototype pollution."
    )
    sections = [
        ("Frozen intrinsics", "Intrinsics are frozen before user code runs."),
        ("Own properties", long),
        ("Safe iteration", "Iterating arrays calls user-mutable methods."),
        ("Safe strings", "String methods look up user-mutable symbols."),
    ]
    lines = _lines_of(_sectioned("Safe code", "Safe code resists tampering by user code.", sections), 3)
    assert (
        "Own properties: when defining a property descriptor, be sure to always use a null-prototype "
        "object to avoid prototype pollution." in lines
    ), lines
    # A heading whose verb takes a particle keeps its object: "looks up" is not where its topic ends.
    assert _planner._topic("Using `instanceof` looks up the `@@hasInstance` property") == (
        "Using `instanceof` looks up the `@@hasInstance` property"
    )


def test_a_sentence_many_sections_say_alike_is_no_section_s_line_nor_is_a_quoted_field() -> None:
    # Node.js's path.md: "A `TypeError` is thrown if `path` is not a string." was the line of six
    # functions, and "“Stability: 2 - Stable”" (a "> Stability" block) the overview's.
    functions = {
        "basename": "returns the last portion",
        "dirname": "gives the directory name",
        "extname": "yields the extension",
        "normalize": "resolves dot segments",
        "parse": "splits into elements",
    }
    content = "# Path\n\n> Stability: 2 - Stable\n\nPaths name files and directories on every system.\n\n"
    for name, does in functions.items():
        content += f"## `path.{name}(path)`\n\nThe `path.{name}()` method {does}.\n\n"
        if name != "basename":
            content += "A `TypeError` is thrown if `path` is not a string.\n\n"
            continue
        # basename's goes on from what the others say: boilerplate all the same. It was its line.
        content += (
            "Although Windows usually treats file names, including file extensions, in a case-insensitive "
            "manner, this function does not. For example, `C:\\\\foo.html` and `C:\\\\foo.HTML` refer to the "
            "same file, but `basename` treats the extension as a case-sensitive string:\n\n"
            "A `TypeError` is thrown if `path` is not a string or if `suffix` is given and is not "
            "a string.\n\n"
        )
    lines = _lines_of(content.encode(), 3)
    for name, does in functions.items():
        assert f"`path.{name}(path)`: the `path.{name}()` method {does}." in lines, lines
    assert not any("Stability" in line for line in lines), lines


def test_a_numbered_heading_s_topic_is_after_its_dash_and_a_class_s_parent_type_is_no_line() -> None:
    # Node.js's technical-values.md titled a slide "1 and 2", from "1 - Developer experience" and
    # "2 - Stability"; readline.md's line for a class was "extends: {readline.InterfaceConstructor}".
    assert group_title(["1 - Developer experience", "2 - Stability"]) == "Developer experience and stability"
    assert group_title(["Tides - when to go", "IV \u2014 Maps (printed)"]) == "Tides and maps"
    content = (
        b"# Readline\n\nThe module reads lines.\n\n## Class: `Reader`\n\n"
        b"* Extends: {events.EventEmitter}\n\nA reader yields the lines of a stream.\n\n"
        b"## Class: `Writer`\n\n* Extends: {events.EventEmitter}\n\nA writer prints lines.\n\n"
        b"## Class: `Prompt`\n\n* Extends: {events.EventEmitter}\n\nA prompt asks for a line.\n"
    )
    lines = _lines_of(content, 3)
    assert not any("{events.EventEmitter}" in line for line in lines), lines
    assert "Class: `Reader` \u2014 a reader yields the lines of a stream." in lines, lines


def test_an_item_an_enumeration_goes_on_from_is_no_line_of_its_own() -> None:
    # Node.js's readline.md: "Event: `'close'`: the `input` stream receives its `'end'` event;", an
    # item of "…when one of the following occur:", and the takeaway "…(EOT);".
    assert not _planner.takeaway_worthy("The `input` stream receives Ctrl+D to signal end-of-transmission;")
    assert not _planner.takeaway_worthy("The stream is paused,")
    assert _planner.takeaway_worthy("The stream is paused.")
    content = (
        b"# Lines\n\nThe module reads lines.\n\n## Closing\n\nThe reader closes when one of these occur:\n\n"
        b"* The input stream receives its end event;\n* The close method is called.\n\n"
        b"The reader is finished once it has closed.\n\n"
        b"## Pausing\n\nA paused reader keeps its input.\n\n## Prompts\n\nA prompt asks for a line.\n\n"
        b"## History\n\nThe history keeps the last lines.\n"
    )
    lines = _lines_of(content, 3)
    assert "Closing: the reader is finished once it has closed." in lines, lines
    assert not any(line.endswith(";") for line in lines), lines


def test_a_sentence_about_a_sample_beside_it_is_no_line_of_its_own() -> None:
    # Node.js's worker_threads.md: "Overview: the above example spawns a Worker thread for each
    # `parseJSAsync()` call.", a line without the example.
    assert points_outside("The above example spawns a Worker thread for each call.")
    assert points_outside("Run the command below to start it.")
    assert not points_outside("Examples are below the fold in most papers.")
    content = (
        b"# Workers\n\nWorkers run code in parallel.\n\n## Spawning\n\n```js\nnew Worker(file);\n```\n\n"
        b"The above example spawns a thread for each call. Each worker runs on a thread of its own.\n\n"
        b"## Ports\n\nA port carries messages.\n\n## Limits\n\nA worker has its own heap.\n\n"
        b"## Exit\n\nA worker exits when its code ends.\n"
    )
    assert "Spawning: each worker runs on a thread of its own." in _lines_of(content, 3)


def test_a_takeaway_does_not_end_by_sending_the_audience_elsewhere() -> None:
    # Node.js's path.md: "Trailing directory separators are ignored, see `path.sep`."
    assert not _planner.takeaway_worthy("Trailing directory separators are ignored, see `path.sep`.")
    assert not _planner.takeaway_worthy("Errors are logged (see the logging section).")
    assert not _planner.takeaway_worthy("Limits apply to every call, see below.")
    assert _planner.takeaway_worthy("If in doubt, see a doctor.")
    assert _planner.takeaway_worthy("Nobody will see the difference, so we ship.")


_API = (
    b"# Path\n\n> Stability: 2 - Stable\n\nThe path module works with file and directory paths.\n\n"
    b"## `path.dirname(path)`\n\n* `path` {string}\n* Returns: {string}\n\n"
    b"The `path.dirname()` method returns the directory name of a `path`.\n\n"
    b"Trailing directory separators are ignored.\n\n"
    b"## `path.delimiter`\n\n* {string}\n\nProvides the platform's path delimiter:\n\n"
    b"* `;` for Windows\n* `:` for POSIX\n\n"
    b"## `tracker.getCalls(fn)`\n\n* `fn` {Function}\n* Returns: {Array} An array with all the calls.\n"
    b"* Object {Object}\n  * `thisArg` {Object}\n\nThe calls are listed in the order they were made.\n\n"
    b"## `path.Options`\n\n* `strict` {boolean}\n* `cwd` {string}\n"
)


def test_a_long_deck_shows_what_an_api_does_not_the_typed_entries_of_its_parts() -> None:
    # Node.js's path.md at 12 slides: "`path` {string}", "Returns: {string}", "{string}" and
    # "“Stability: 2 - Stable”" were bullets of their own, beside what each function does.
    assert _sections.reference_entry("Object {Object}")
    assert not _sections.reference_entry("Use {URLSearchParams} when performance is not critical.")
    for count in (5, 8):
        lines = _lines_of(_API, count)
        assert "The `path.dirname()` method returns the directory name of a `path`." in lines, lines
        assert "`;` for Windows" in lines and "The calls are listed in the order they were made." in lines
        typed = [
            line for line in lines if "{" in line and line not in ("`strict` {boolean}", "`cwd` {string}")
        ]
        assert not typed and not any("Stability" in line for line in lines), lines
        # A part that is nothing but typed entries keeps them: they are all it says.
        assert "`strict` {boolean}" in lines, lines


def test_a_line_of_its_own_neither_leans_on_what_came_before_nor_on_a_sample_beside_it() -> None:
    # Node.js's API docs: "`worker.isDead()`: otherwise, it returns `false`.", "`util.debuglog()`:
    # where `3245` is the process id.", "…contains no top-level `await`); and" as a takeaway,
    # "“Stability: 1.2 - Release candidate”" as what a function does, and "`mock.fn()`: the following
    # example creates a mock function…" without the example.
    for sentence in (
        "Otherwise, it returns `false`.",
        "In that case, any stream can be passed.",
        "If not, then the returned function is a no-op.",
        "Where `3245` is the process id.",
        "In other words, it cannot assume that a trusted element has been compromised.",
        "The same applies to all the other hooks.",
        # Node.js's collaborator guide, after the conditions a pull request is "author ready" under:
        "Please always add the `author ready` label to the pull request in that case.",
        "The build is skipped in such cases.",
        # Node.js's assert.md, a takeaway: "In both cases the error handler is skipped."
        "In both cases the error handler is skipped.",
        # Node.js's stream.md: "Three states: therefore, the stream will not generate data."
        "Therefore, the stream will not generate data.",
        "Doing so may lead to adverse side effects in application code.",
        "For that reason, ambassadors should be members of the Slack workspace.",
        # Node.js's SECURITY.md, after the list of what Node.js does not trust: on a line of its own,
        # "Experimental platforms: Node.js trusts everything else." said the opposite of the policy.
        "Node.js trusts everything else.",
        "Anything else is treated as a normal bug.",
    ):
        assert _sections.dangling(sentence), sentence
    assert not _sections.dangling("Where possible, the workers share one pool.")
    assert not _sections.dangling("The same code runs in both.")
    assert not _sections.dangling("In this case study, three teams share one cluster.")
    assert not _sections.dangling("Ask someone else to review the change.")
    # An "it" that stands for what follows points nowhere; one that stands for something before does.
    assert not _sections.dangling("It is recommended to set the CPU frequency to `performance` first.")
    assert not _sections.dangling("It is important that every test cleans up.")
    assert _sections.dangling("It is equivalent to `assert.equal(!!value, true, message)`.")
    assert _sections.points_outside("Please always remove it again as soon as the checks fail.")
    assert not _sections.points_outside("Please always run the tests before pushing.")
    # Node.js's dns.md: "Error codes: the `dnsPromises` API also exports the above error codes…" and
    # "`dns.resolve()`: for instance, they do not use the configuration from `/etc/hosts`."
    assert _sections.points_outside("The `dnsPromises` API also exports the above error codes.")
    assert _sections.points_outside("For instance, they do not use the configuration from `/etc/hosts`.")
    assert not _sections.points_outside("Temperatures stay below the average in winter.")
    assert _sections.points_outside("The hook below registers hooks to enable support for them.")
    assert not _sections.points_outside("The water below the bridge is deep.")
    assert _sections.points_outside("Import maps: the previous two examples defined `load` hooks.")
    assert not _planner.takeaway_worthy(
        "The module is fully synchronous (contains no top-level `await`); and"
    )
    assert _drafts._FIELD.fullmatch("\u201cStability: 1.2 - Release candidate\u201d")
    content = (
        b"# Mocks\n\nThe test runner mocks functions and methods for every test.\n\n"
        b"## `mock.fn([original])`\n\nThe following example creates a mock function that counts calls.\n\n"
        b"```js\nconst fn = mock.fn();\n```\n\n"
        b"## `mock.method(object, name)`\n\n> Stability: 1.2 - Release candidate\n\n"
        b"The method mock replaces a method of an object and restores it after the test.\n\n"
        b"## `mock.reset()`\n\nThe reset clears the calls a mock has recorded so far.\n\n"
        b"## `mock.restore()`\n\nThe restore puts the original function back in place.\n"
    )
    lines = _lines_of(content, 3)
    assert "`mock.fn([original])`" in lines, lines
    assert not any("following example" in line or "Stability" in line for line in lines), lines
    assert any(line.startswith("`mock.method(object, name)`: the method mock replaces") for line in lines), (
        lines
    )


def _title_alone(content: bytes, title: str, *, left_out: str) -> None:
    """At 3 slides, the section `title` is its line alone, and no line says `left_out`."""
    lines = _lines_of(content, 3)
    assert title in lines, lines
    assert not any(left_out in line for line in lines), lines


def test_a_tables_row_of_fields_is_no_sections_line() -> None:
    # Node.js's collaborator guide: "Who to CC in the issue tracker: subsystem: `benchmark/*`,
    # Maintainers: @nodejs/benchmarking, @mscdex" was a section's one line.
    content = (
        b"# Guide\n\nThe guide says how the project works.\n\n## Who to CC\n\n"
        b"| Subsystem | Maintainers |\n| --- | --- |\n| `benchmark/*` | @nodejs/benchmarking |\n"
        b"| `lib/fs` | @nodejs/fs |\n\n## Reviews\n\nTwo reviewers approve every change.\n\n"
        b"## Landing\n\nA change lands once its checks pass.\n\n## Releases\n\nReleases ship every week.\n"
    )
    _title_alone(content, "Who to CC", left_out="benchmark")


def test_a_group_title_never_says_one_topic_twice() -> None:
    # magika's model README titled a slide "List and list".
    title = group_title(["List of possible outputs", "List of possible model's outputs"])
    assert title == "List of possible outputs and possible model's outputs"


def test_a_takeaway_names_what_it_speaks_of() -> None:
    # Node.js's path.md: "On POSIX systems, the method is non-operational…" and "On Windows systems
    # only, returns an equivalent namespace-prefixed path…" were takeaways; which method, it did
    # not say. Nor do "If given, …" and "The following methods…" stand alone.
    for sentence in (
        "On POSIX systems, the method is non-operational and always returns `path` without modifications.",
        "On Windows systems only, returns an equivalent namespace-prefixed path for the given `path`.",
        "If given, but the path does not exist, the child process emits an `ENOENT` error.",
        "The following methods broadcast a protocol event to all connected frontends.",
        "The function must return `true` to indicate all internal validations passed.",
        # Its verb left to the sentence before (Node.js's pull-requests.md).
        "The first impression you give to a new contributor never does.",
        # pyenv, Node.js's docs: each points at the sentence or the list around it.
        "Set `PYTHON_BUILD_USE_MACPORTS` or `PYTHON_BUILD_SKIP_MACPORTS` to override this default.",
        "To enforce a specific color support, use one of the below environment settings.",
        "As a best practice, this should be at least `2048`.",
        "Some Node.js distributions, however, prefer to manage dependencies.",
        "Additionally, please indicate if you are willing to dual license your old contributions.",
        "Other keys used to sign some previous releases are listed there.",
        "For information on using Node.js, see the Node.js website.",
        "To run rustfmt after this, use `cargo run --bin rustfmt -- filename`.",
        # Node.js's investigating-native-memory-leaks.md: a step of its walk-through, the guide's plan
        # of itself, and a file its command line named.
        "Now we can see the specific file name and line in the Node.js code which caused the allocation.",
        "The sections which follow cover the steps needed to enable debug symbols to get more info.",
        "Valgrind will save the output to the log file specified.",
        # Notes set beside the text (Node.js's api/index.md and building-node-with-ninja.md, Redis).
        "Note: the list doesn't contain prefix-only modules like `node:test`.",
        "NOTE: On Windows you'll also need to set the environment variable `DEPOT_TOOLS_WIN_TOOLCHAIN=0`.",
        "Note that adding `-D warnings` will cause your build to fail if any warnings are found.",
    ):
        assert not _planner.takeaway_worthy(sentence), sentence
    for sentence in (
        "The `path.format()` method returns a path string from an object.",
        "In 2023, the team shipped the new engine.",
        "The function `resolve()` runs before every import.",
        "Zero-length `path` segments are ignored.",
    ):
        assert _planner.takeaway_worthy(sentence), sentence


def test_takeaways_of_one_template_said_of_different_names_are_one() -> None:
    # Node.js's path.md closed on two TypeError lines of different functions.
    assert _planner._alike(
        "A `TypeError` is thrown if `path` or `pattern` are not strings.",
        "A `TypeError` is thrown if either `from` or `to` is not a string.",
    )
    # Rules that open alike without a name among their first words stay two.
    assert not _planner._alike(
        "Customers must be told within 24 hours of a breach.",
        "Customers must be told which data was exposed and why.",
    )


def test_a_sections_line_is_not_one_item_of_what_its_lead_in_announces() -> None:
    # Node.js's path.md: "`path.delimiter`: `;` for Windows", of "Provides the platform-specific
    # path delimiter:" / "`;` for Windows" / "`:` for POSIX", said half of it.
    content = (
        b"# Path\n\nThe module works with paths.\n\n## `path.delimiter`\n\n"
        b"Provides the platform-specific path delimiter:\n\n* `;` for Windows\n* `:` for POSIX\n\n"
        b"## `path.sep`\n\nThe separator splits a path into its segments.\n\n"
        b"## `path.join()`\n\nThe join puts segments together with the separator.\n\n"
        b"## `path.parse()`\n\nThe parse splits a path into its root, directory and name.\n"
    )
    lines = _lines_of(content, 3)
    # Its lead-in, a sentence whole, says it instead.
    assert "`path.delimiter`: provides the platform-specific path delimiter." in lines, lines
    assert not any("for Windows" in line for line in lines), lines


def test_a_lead_in_stands_for_its_section_only_as_a_statement_of_its_own() -> None:
    # Node.js's collaborator guide: "Troubleshooting: to fix this, pull with rebase…" and BUILDING.md's
    # "Installing Node.js: to install this version of Node.js into a system directory." said half.
    content = (
        b"# Guide\n\nThe guide explains the build.\n\n## Types of streams\n\n"
        b"There are four fundamental stream types within the runtime:\n\n* Readable\n* Writable\n\n"
        b"## Installing\n\nTo install this version into a system directory:\n\n```\nmake install\n```\n\n"
        b"## Troubleshooting\n\nTo fix this, pull with rebase and test again:\n\n```\ngit pull\n```\n\n"
        b"## Building\n\nThe build process follows the steps below:\n\n* Configure\n* Make\n"
    )
    lines = _lines_of(content, 3)
    assert "Types of streams: there are four fundamental stream types within the runtime." in lines, lines
    for bare in ("Installing", "Troubleshooting", "Building"):
        assert bare in lines, lines


_METHODS = (
    ("assert.match(string, regexp)", "Expects the `string` input to match the regular expression."),
    ("assert.ok(value)", "Tests if `value` is truthy, as `assert.equal(!!value, true)` would."),
    ("assert.equal(actual, expected)", "Tests shallow, coercive equality between `actual` and `expected`."),
    ("assert.throws(fn)", "Expects the function `fn` to throw an error."),
    ("assert.fail([message])", "Throws an assertion error with the provided error message or a default one."),
    ("assert.rejects(promise)", "Awaits the `promise` and expects it to be rejected."),
)


def _assert_doc(boilerplate: str, apart: str = "\n\n") -> str:
    """An API reference of `_METHODS`, each saying what it does, then `boilerplate` (one of them
    writing the value in it as code, `undefined`)."""
    content = "# Assertions\n\nThe assert module checks values in tests and throws when a check fails.\n\n"
    for number, (name, lede) in enumerate(_METHODS):
        said = boilerplate.format(undefined="`undefined`" if number == 1 else "undefined")
        content += f"## `{name}`\n\n{lede}{apart}{said}\n\n"
    return content


def test_a_sections_one_line_is_the_sentence_it_opens_with_when_that_stands_alone() -> None:
    # Node.js's assert.md gave "`assert.match(…)`: if the `message` parameter is undefined, a default
    # error message is assigned." (said of every method, and best-scored all the same) instead of what
    # each method does; its collaborator guide gave "Technical HOWTO: don't close the pull request."
    content = _assert_doc(
        "If the `message` parameter is {undefined}, a default error message is assigned. "
        "If the `message` parameter is an instance of an error, it is thrown instead."
    )
    lines = _lines_of(content.encode(), 3)
    for name, lede in _METHODS:
        assert f"`{name}`: {lede[:1].lower()}{lede[1:]}" in lines, lines


def test_a_detail_with_a_figure_does_not_stand_for_what_its_section_opens_with() -> None:
    # Node.js's cli.md gave "`--inspect-brk`: default `host:port` is `127.0.0.1:9229`." (its figure
    # weighed more) for what the option does. A name's banner and typed parameters come before it.
    content = (
        b"# Inspector options\n\nThe inspector lets a debugger attach to a running Node.js process.\n\n"
        b"## `--inspect-brk`\n\n> Stability: 1 - Experimental\n\n* `port` {number}\n* `host` {string}\n\n"
        b"Activate the inspector and break at the start of the user script. "
        b"The default port is 9229 on 127.0.0.1.\n\n"
        b"## `--inspect-port`\n\nSet the port to be used when the inspector is activated. "
        b"The default port is 9229.\n\n"
        b"## `--inspect-wait`\n\nActivate the inspector and wait for a debugger to be attached. "
        b"The default address is 127.0.0.1:9229.\n\n"
        b"## `--cpu-prof-interval`\n\nSpecify the sampling interval for the CPU profiles generated by the "
        b"profiler. The default interval is 1000 microseconds.\n"
    )
    lines = _lines_of(content, 3)
    assert "`--inspect-brk`: activate the inspector and break at the start of the user script." in lines, (
        lines
    )
    assert "`--inspect-port`: set the port to be used when the inspector is activated." in lines, lines
    assert not any(line.startswith("`--") and "default" in line for line in lines), lines


def test_a_slide_of_one_line_a_section_is_titled_by_the_lines_it_shows() -> None:
    # Node.js's collaborator guide: "Landing pull requests and Long Term Support" over six lines of
    # landing, the sections under Long Term Support left off for want of room.
    blocks = [
        "# Collaborator guide", "This guide explains how collaborators manage the project.",
        "## Reviews", "### Approvals", "Two collaborators approve a pull request before it lands.",
        "### Objections", "A collaborator objects to a pull request with a review that requests changes.",
        "## Landing pull requests", "A collaborator lands a pull request once it has its approvals and CI.",
        "### Squashing", "A collaborator lands a pull request by squashing its commits.",
        "### Commit queue", "The commit queue lands a pull request once its checks pass.",
        "### Landing tool", "The landing tool checks the metadata of every commit.",
        "### Manual landing", "Landing by hand is needed when the tool cannot rebase the commits.",
        "### Troubleshooting", "A rejected push means that a commit landed since the last rebase.",
        "### Mistakes", "A force push is allowed within ten minutes of the original push.",
        "### Long Term Support", "#### What is a release line?", "Each release line has a branch of its own.",
        "#### How do backports land?", "A backport lands on the staging branch first.",
        "## Labels", "### General labels", "The author ready label marks a pull request that can land.",
        "### Version labels", "Version labels say which release lines a commit lands on.",
    ]  # fmt: skip
    titles = [slide.title for slide in _plan_of("\n\n".join(blocks).encode(), 5).slides]
    assert "Landing pull requests" in titles, titles
    assert not any("Long Term Support" in title for title in titles), titles


def test_two_headings_named_in_a_title_read_apart_when_the_first_has_an_and() -> None:
    # Node.js's BUILDING.md: "Unix and macOS and Windows".
    content = (
        b"# Build guide\n\nThis guide explains how to build the runtime from source.\n\n## Platforms\n\n"
        b"### Unix and macOS\n\n#### Unix prerequisites\n\nA C++ compiler and Python are needed on Unix.\n\n"
        b"#### Building on Unix\n\nRun the configure script, then make.\n\n### Windows\n\n"
        b"#### Windows prerequisites\n\nVisual Studio and Python are needed on Windows.\n\n"
        b"#### Building on Windows\n\nRun the batch script from a developer prompt.\n\n"
        b"## Testing\n\nThe test suite runs after every build.\n\n"
        b"## Packaging\n\nThe installer is built from the release binaries.\n"
    )
    titles = [slide.title for slide in _plan_of(content, 4).slides]
    assert "Unix and macOS, and Windows" in titles, titles


def test_a_blockquote_written_with_its_marks_is_quoted_once_among_bullets() -> None:
    content = (
        b"# Checks\n\nChecks keep the build honest.\n\n## Landing\n\n"
        b"> \xe2\x80\x9cA check that never fails proves nothing.\xe2\x80\x9d\n\n"
        b"Every check is reviewed before it lands.\n\n## Owners\n\nEach module has one owning team.\n"
    )
    lines = _lines_of(content, 3)
    assert "\u201cA check that never fails proves nothing.\u201d" in lines, lines


def test_boilerplate_is_said_alike_whether_a_value_is_written_as_code_or_not() -> None:
    content = _assert_doc("If the `message` parameter is {undefined}, a default one is used.", apart=" ")
    sections = sectionize([parse("assert.md", "text/markdown", content.encode())], "Overview")
    scores = {
        sentence: score
        for section in sections
        for part in section.parts
        for sentence, score in zip(part.sentences, part.scores, strict=True)
    }
    coded = scores["If the `message` parameter is `undefined`, a default one is used."]
    assert coded < scores["Tests if `value` is truthy, as `assert.equal(!!value, true)` would."] / 2, scores


def test_a_named_things_line_says_what_it_does_before_its_conditions() -> None:
    # Node.js's buffer.md: "`buf.writeInt16BE(value[, offset])`: the `value` must be a valid signed
    # 16-bit integer." for each method, its paragraph's best-scored sentence, over what it does.
    content = "# Buffer\n\nA buffer holds bytes.\n\n"
    for bits in (16, 32):
        for end, order in (("BE", "big-endian"), ("LE", "little-endian")):
            content += (
                f"## `buf.writeInt{bits}{end}(value[, offset])`\n\n* `value` {{integer}} Number to write."
                f"\n* `offset` {{integer}} Where to start.\n\nWrites `value` to `buf` at the specified "
                f"`offset` as {order}. The `value` must be a valid signed {bits}-bit integer. Behavior is "
                f"undefined when `value` is anything other than a signed {bits}-bit integer.\n\n"
            )
    lines = _lines_of(content.encode(), 3)
    said = "writes `value` to `buf` at the specified `offset` as big-endian."
    assert f"`buf.writeInt16BE(value[, offset])`: {said}" in lines, lines
    assert not any(line.startswith("`buf.") and "must be" in line for line in lines), lines


def test_an_item_that_is_a_gerunds_phrase_is_no_line_without_its_lead_in() -> None:
    # Node.js's stream.md: "Two reading modes: calling the `stream.resume()` method.", one of the
    # ways a stream "can be switched to flowing mode in one of the following ways:".
    assert not _drafts.own_sentence("Calling the `stream.resume()` method.")
    assert not _drafts.own_sentence("Requesting that a post be reposted by the account.")
    assert _drafts.own_sentence("Building the docs takes a minute.")
    assert _drafts.own_sentence("Nothing is written until the stream ends.")
    assert _drafts.own_sentence("Streams begin in paused mode.")


def test_a_long_sample_in_a_short_deck_shows_its_first_part_marked_as_cut() -> None:
    # Merged down to fit the slides asked for, a sample's parts left its last part shown alone, from
    # its middle: "step_33 = …" with no start.
    code = "\n".join(f"step_{i} = run(step_{i - 1})" for i in range(1, 41))
    content = (
        f"# Pipeline\n\nThe pipeline runs forty steps in order.\n\n## Running it\n\nThe whole pipeline is "
        f"one script:\n\n```python\n{code}\n```\n\n## Inputs\n\nEach run reads one file of measurements.\n\n"
        "## Outputs\n\nEach run writes one report per site.\n\n## Failures\n\nA failed step stops the run "
        "and keeps its log.\n\n## Costs\n\nA run costs about two minutes of one core.\n"
    ).encode()
    shown = [slide.code.text for slide in _plan_of(content, 4).slides if slide.code is not None]
    assert len(shown) == 1, shown
    lines = shown[0].splitlines()
    assert lines[0] == "step_1 = run(step_0)" and lines[-1] == "\u2026", lines


def test_a_compact_line_says_what_its_section_says_not_its_introduction_its_locator_or_a_walk() -> None:
    # Node.js's writing-tests.md: "common.mustCall: one interesting case is `common.mustCall`.",
    # "Lines 1-3: all tests should be…" over no sample, and "Let's analyze this basic test…".
    sections = [
        (
            "common.mustCall",
            "One interesting case is `common.mustCall`. Its use may avoid extra variables and the "
            "assertions that check them.",
        ),
        ("Lines 1-3", "All tests should be in strict mode unless the test needs otherwise."),
        ("Walkthrough", "Let's analyze this basic test from the test suite."),
        ("Timers", "Avoid timers unless the test is about timers."),
    ]
    lines = _lines_of(_sectioned("Writing tests", "Tests check that a module behaves.", sections), 3)
    assert "common.mustCall: its use may avoid extra variables and the assertions that check them." in lines
    assert "All tests should be in strict mode unless the test needs otherwise." in lines, lines
    assert "Walkthrough" in lines and not any("analyze" in line for line in lines), lines
    assert not any("interesting" in line for line in lines), lines


def test_a_list_item_is_a_takeaway_only_as_a_sentence_of_its_own() -> None:
    # pyenv's python-build README: "Build the docker image with the tag pyenv-test-container", a
    # step of a procedure, closed the deck.
    text = (
        "# Testing builds\n\n## Steps\n\n- Build the docker image with the tag pyenv-test-container\n"
        "- Look for the names of files changed since revision master\n\n"
        "## Results\n\nEvery build writes its full log next to the image it made.\n\n"
        "## Releases\n\n- 2026-03-03 \u2014 2.3.0: archives are served from object storage.\n"
        "- `'a+'`: Open file for reading and appending.\n"
    )
    sections = sectionize([parse("t.md", "text/markdown", text.encode())], "Overview")
    shown = [unit.text for unit in _planner._takeaway_units(sections, set(), 4)]
    assert shown == [
        "Every build writes its full log next to the image it made.",
        "2026-03-03 \u2014 2.3.0: archives are served from object storage.",
    ], shown


def test_a_section_line_is_no_bare_clause_no_pointer_to_a_section_below_and_no_then() -> None:
    # pyenv's README: "Upgrade Notes: if you have upgraded from pyenv version 2.0.x-2.2.x" (its
    # bold line), "Linux/Unix: the Homebrew option from the MacOS section below would also work…",
    # "Homebrew in macOS: then follow the rest of the post-installation steps…"; Node.js's
    # https.md: "`https.createServer()`: or", the word between two samples (below).
    sections = [
        ("Upgrade Notes", "**if you have upgraded from version 2.0**"),
        ("Linux", "The Homebrew option from the MacOS section below would also work here."),
        ("Homebrew", "Then follow the rest of the post-installation steps, from the shell setup on."),
        ("Windows", "Windows is not supported by the tool."),
    ]
    lines = _lines_of(_sectioned("Installing", "The tool installs on every system.", sections), 3)
    assert {"Upgrade Notes", "Linux"} <= set(lines), lines
    assert not [line for line in lines if any(word in line for word in ("upgraded", "below", "then"))], lines
    # The word between two samples is no sentence to stand for its section.
    text = "# Server\n\n## `createServer()`\n\n```js\nlisten(1)\n```\n\nOr\n\n```js\nlisten(2)\n```\n"
    server = sectionize([parse("s.md", "text/markdown", text.encode())], "Overview")[-1]
    assert _drafts._standalone(server, []) is None


def test_a_slide_of_sections_under_several_headings_of_one_is_titled_by_that_one() -> None:
    # pyenv's README: "Linux/Unix · MacOS · Getting Pyenv" over its ways to install.
    text = (
        "# Tool\n\nThe tool manages versions.\n\n## Installation\n\n### A. Getting the tool\n\n"
        "#### Linux\n\nLinux users have two ways.\n\n##### Installer\n\nThe installer sets it up.\n\n"
        "##### Checkout\n\nA checkout of the repository works too.\n\n"
        "#### MacOS\n\nMac users use a package manager.\n\n##### Homebrew\n\nHomebrew installs it.\n\n"
        "#### Windows\n\nWindows is not supported.\n\n## Usage\n\nRun it with a version.\n"
    )
    titles = [slide.title for slide in _plan_of(text.encode(), 4).slides]
    assert "Getting the tool" in titles, titles


def test_a_heading_that_its_text_goes_on_from_joins_it_and_no_line_speaks_of_a_sample_or_items() -> None:
    # pyenv's README: "What pyenv does...: allows you…", "Understanding PATH: in this example, the
    # `/usr/local/bin` directory…" and "Advanced Configuration: `eval …` only does items 2 and 4."
    sections = [
        ("What it does...", "Allows you to override the version with an environment variable."),
        ("Understanding PATH", "In this example, the first directory will be searched first."),
        ("Advanced", "The `init --path` command only does items 2 and 4."),
        ("Windows", "Windows is not supported by the tool."),
    ]
    lines = _lines_of(_sectioned("Tool", "The tool manages versions.", sections), 3)
    assert "What it does... allows you to override the version with an environment variable." in lines
    assert {"Understanding PATH", "Advanced"} <= set(lines), lines


def test_no_line_opens_on_a_connective_nor_leads_in_to_a_command_nor_points_here() -> None:
    # Clippy's README: "And to warn on `lint_name`, run", "To allow `lint_name`, run" (each before
    # its command), "To do so, run `clippy-driver`…", "Usage: below are instructions on how to use
    # Clippy…" and "Lints that recognize this configuration option can be found here".
    for sentence in (
        "And to warn on `lint_name`, run",
        "To do so, run `clippy-driver` with its arguments.",
        # Node.js's pull-requests.md, of an abandoned pull request taken over:
        "When doing so, it is courteous to give the original contributor credit.",
    ):
        assert points_outside(sentence), sentence
    assert _sections.leads_in("To allow `lint_name`, run")
    # python-build's README, before its command: "…, replace the second line with".
    assert _sections.leads_in("To enter a shell that builds it, replace the second line with")
    assert not _sections.leads_in("Each build is tested with.")
    for sentence in (
        "Below are instructions on how to use Clippy as a cargo subcommand.",
        "Lints that recognize this configuration option can be found here",
        "If you want to know more about the code review and the landing process, see the guide.",
    ):
        assert _sections.points_elsewhere(sentence), sentence
    for sentence in ("Android phones run the app too.", "Order matters when rules overlap."):
        assert not points_outside(sentence), sentence
    # python-build's README: a sentence set in parentheses is an aside to the one before it.
    assert points_outside("(Later versions search for more packages, so this may become redundant.)")
    assert not points_outside("(Optional) Configure the cache before the first build.")
    assert not _sections.leads_in("Runs the linter, then the formatter, as you run")


def test_a_document_whose_first_heading_is_one_part_of_several_is_titled_by_its_file() -> None:
    # pyparsing's ai/best_practices.md opens on "## Planning", then "## Implementing": its deck
    # was titled "Planning".
    parts = b"## Planning\n\n- Ask for examples first.\n\n## Implementing\n\n- Import it as `pp`.\n"
    title = _sections.document_title
    assert title(parse("ai/best_practices.md", "text/markdown", parts)) == "Best practices"
    assert title(parse("LICENSE.md", "text/markdown", parts)) == "License"
    assert title(parse("README.md", "text/markdown", parts)) == "Planning"  # a name that says nothing
    one = b"## Release guide\n\n### Planning\n\nPlan it.\n\n### Shipping\n\nShip it.\n"
    assert title(parse("notes-2026.md", "text/markdown", one)) == "Release guide"


def test_a_table_row_of_one_statement_is_said_without_its_column_name() -> None:
    # python-build's README: "Option/Behavior: argument to `--enable-universalsdk` is ignored…".
    header = ("Option/Behavior", "Rationale")
    assert _drafts._row_text(header, ("argument to `--x` is ignored and set to `/`", "")) == (
        "argument to `--x` is ignored and set to `/`"
    )
    assert _drafts._row_text(("Operator", "Note"), ("ai.onnx:Sin", "")) == "Operator: ai.onnx:Sin"
    assert (
        _drafts._row_text(header, ("`--shared`", "embeds it"))
        == "Option/Behavior: `--shared`, Rationale: embeds it"
    )


def test_a_line_does_not_name_again_what_its_title_names() -> None:
    # Node.js's API references: "Event: `'close'`: the `'close'` event is emitted once…".
    section = sectionize(
        [parse("w.md", "text/markdown", b"# W\n\n## Event: `'close'`\n\nIt closes.\n")], "Overview"
    )[-1]
    said = "The `'close'` event is emitted once either side of the channel has been disconnected."
    assert _drafts.compact_line(section, _drafts._sentence_unit(section, section.parts[0], 0, said)) == (
        "Event: `'close'` \u2014 emitted once either side of the channel has been disconnected."
    )
    # Another name, or nothing much left after it, stays as written.
    for said in ("The `'open'` event is emitted first.", "The `'close'` event is rare."):
        unit = _drafts._sentence_unit(section, section.parts[0], 0, said)
        assert _drafts.compact_line(section, unit) == f"Event: `'close'` \u2014 {said[0].lower()}{said[1:]}"


def test_a_named_thing_s_line_is_its_first_sentence_shortened_without_its_name_again() -> None:
    # Node.js's process.md: "`process.release`: the `process.release` property returns an…".
    text = (
        b"# Process\n\nThe process object.\n\n## `process.release`\n\n* {Object}\n\n"
        b"The `process.release` property returns an `Object` containing metadata related to the "
        b"current release, including URLs for the source tarball and the headers-only tarball that "
        b"were used to build it.\n\n## `process.ppid`\n\nThe `process.ppid` property returns the PID "
        b"of the parent.\n\n## `process.title`\n\nThe `process.title` property returns the title.\n"
    )
    lines = _lines_of(text, 3)
    assert (
        "`process.release`: returns an `Object` containing metadata related to the current release." in lines
    )
    assert "`process.ppid`: returns the PID of the parent." in lines, lines


def test_a_name_its_section_writes_capitalised_keeps_its_capital_after_the_heading() -> None:
    # Node.js's BUILDING.md: "Android: android is not a supported platform."
    text = b"# B\n\n## Android\n\nAndroid is not a supported platform. Builds that target Android fail.\n"
    section = sectionize([parse("b.md", "text/markdown", text)], "Overview")[-1]
    unit = _drafts._sentence_unit(section, section.parts[0], 0, "Android is not a supported platform.")
    assert _drafts.compact_line(section, unit) == "Android: Android is not a supported platform."
    text = b"# B\n\n## Safety\n\nSafety comes first. Every Evaluate() call is checked.\n"
    section = sectionize([parse("b.md", "text/markdown", text)], "Overview")[-1]
    unit = _drafts._sentence_unit(section, section.parts[0], 0, "Safety comes first.")
    assert _drafts.compact_line(section, unit) == "Safety: safety comes first."


def test_a_table_announced_by_the_following_is_titled_by_its_section() -> None:
    # Node.js's corepack.md: "Supported package managers: The following binaries are provided…".
    text = (
        b"# Tool\n\nThe tool manages package managers.\n\n## Supported package managers\n\n"
        b"The following binaries are provided through the tool:\n\n"
        b"| Package manager | Binary names |\n| --- | --- |\n| Yarn | `yarn` |\n| pnpm | `pnpm` |\n\n"
        b"## Offline use\n\nPack the managers while the network is there.\n"
    )
    slides = _plan_of(text, 5).slides
    tables = [slide for slide in slides if slide.table is not None]
    assert [slide.title for slide in tables] == ["Supported package managers"], [s.title for s in slides]
    assert not any("following" in b.text for slide in slides for b in slide.bullets)


def test_a_paragraph_s_pointer_elsewhere_gives_way_to_what_it_says() -> None:
    # Node.js's corepack.md: "Consult the detailed Corepack documentation for more information."
    text = (
        b"# Tool\n\nThe tool manages package managers.\n\n## Offline workflow\n\n"
        b"Many production environments have no network access. The `pack` command stores the "
        b"managers ahead of time. Consult the detailed documentation for more information.\n\n"
        b"## Upgrading\n\nThe upgrade command fetches the newest managers.\n"
    )
    lines = _lines_of(text, 4)
    assert any("pack" in line for line in lines) and not any("Consult" in line for line in lines), lines


def test_a_heading_without_points_beside_one_with_its_points_is_left_off_the_slide() -> None:
    # Node.js's security-release-process.md: "Post-Release", its checklist too long to fit, stood bare
    # under "Release day" and its steps, and in the title.
    content = (
        b"# Releasing\n\n## Release day\n\nTag the release on the main branch. Publish the notes.\n\n"
        b"## Post-Release\n\nClean up the branches.\n"
    )
    day, post = sectionize([parse("r.md", "text/markdown", content)], "Overview")
    units = [unit for part in day.parts for unit in units_of(day, part, None)]
    slide = _planner._slide(_drafts.Draft("bullets", [day, post], units), phrases("en"))
    assert slide.title == "Release day"
    assert [b.text for b in slide.bullets] == ["Tag the release on the main branch.", "Publish the notes."]
    # With a point of its own, it stays.
    units += [unit for part in post.parts for unit in units_of(post, part, None)]
    slide = _planner._slide(_drafts.Draft("bullets", [day, post], units), phrases("en"))
    assert slide.title == "Release day and Post-Release", slide.title
    assert "Post-Release" in [b.text for b in slide.bullets]


def test_a_lead_in_stays_over_its_list_when_two_code_samples_beside_them_go() -> None:
    # Clippy's README: merged with two samples neither shown, the lines announcing a sample went, and
    # with them "You can add options to your code to `allow`/`warn`/`deny` Clippy lints:", its list
    # of fragments ("the whole set of `Warn` lints…") left without it.
    content = (
        b"# Lints\n\nThis tool checks code for common mistakes.\n\n## Allowing lints\n\n"
        b"You can add options to your code to silence lints:\n\n"
        b"* the whole set of lints using the group attribute on the crate.\n"
        b"* only some lints by their names, one at a time.\n\n"
        b"To allow one lint, run\n\n```\ncargo lint -A name\n```\n\n"
        b"To warn on one lint, run\n\n```\ncargo lint -W name\n```\n\n"
        b"## Configuring\n\nSome lints read their settings from a file. The file sits at the root.\n\n"
        b"## Contributing\n\nNew lints are welcome. Each lint needs a test.\n"
    )
    for count in range(3, 7):
        for slide in _plan_of(content, count).slides:
            texts = [bullet.text for bullet in slide.bullets]
            for i, text in enumerate(texts):
                if text.startswith("the whole set"):
                    assert i > 0 and texts[i - 1].startswith("You can add options"), (count, texts)


def test_a_lead_in_whose_list_an_earlier_slide_showed_goes_with_it() -> None:
    # Node.js's GOVERNANCE.md holds one section twice: its lead-in stayed, its list gone as a repeat.
    said = "If you see the nomination as something positive, say so!"
    lead = Bullet("A nomination can be reviewed in the same way as a pull request:", 1)
    slide = Slide(Layout.BULLETS, "Reviewing", bullets=(Bullet("Reviewing", 0), lead, Bullet(said, 1)))
    seen = {_planner._normal(said)}
    assert [b.text for b in _planner._without_repeats(slide, seen).bullets] == ["Reviewing"]
    # More of its list under it: it stays over that.
    rest = Bullet("If you are neutral, you need not comment.", 2)
    slide = replace(slide, bullets=(lead, Bullet(said, 2), rest))
    assert _planner._without_repeats(slide, seen).bullets == (replace(lead, level=0), replace(rest, level=1))


def test_a_section_with_the_sections_under_it_on_one_slide_is_its_title() -> None:
    # Clippy's README: "Usage", "As a cargo subcommand" under it and that one's steps were titled
    # "Usage and as a cargo subcommand (`cargo clippy`)".
    content = (
        b"# Clippy\n"
        b"\n"
        b"A collection of lints to catch common mistakes and improve your Rust code.\n"
        b"\n"
        b"Lints are divided into categories, each with a default lint level.\n"
        b"\n"
        b"## Usage\n"
        b"\n"
        b"Below are instructions on how to use Clippy as a cargo subcommand.\n"
        b"\n"
        b"### As a cargo subcommand\n"
        b"\n"
        b"One way to use Clippy is by installing Clippy through rustup as a cargo subcommand.\n"
        b"\n"
        b"#### Step 1: Install Rustup\n"
        b"\n"
        b"You can install Rustup on supported platforms. "
        b"This will help us install Clippy and its dependencies.\n"
        b"\n"
        b"#### Step 2: Install Clippy\n"
        b"\n"
        b"Once you have rustup and the latest stable release installed, run the installer once.\n"
        b"\n"
        b"#### Step 3: Run Clippy\n"
        b"\n"
        b"Now you can run Clippy by invoking the cargo subcommand in your project.\n"
        b"\n"
        b"### Workspaces\n"
        b"\n"
        b"All the usual workspace options should work with Clippy. "
        b"For example, a single crate can be checked alone.\n"
        b"\n"
        b"## Configuration\n"
        b"\n"
        b"Some lints can be configured in a TOML file. The file sits at the root of the project.\n"
        b"\n"
        b"## License\n"
        b"\n"
        b"The code is licensed under the MIT license. "
        b"Files may not be copied except according to those terms.\n"
    )
    titles = [slide.title for slide in _plan_of(content, 4).slides]
    assert titles[1] == "Usage", titles


def test_headings_that_run_on_into_their_text_name_no_topic_in_a_slide_s_title() -> None:
    # pyenv's README: "Overview, what pyenv does... and in contrast".
    intro = (
        b"pyenv lets you switch between multiple versions of Python. It is simple and unobtrusive. "
        b"It follows the UNIX tradition of single-purpose tools that do one thing well.\n\n"
    )
    rest = (
        b"### What pyenv does...\n\n...allows you to change the global Python version per user.\n\n"
        b"### In contrast with pythonbrew and pythonz, pyenv does not...\n\n...depend on Python itself.\n\n"
        b"## Installing\n\nRun the installer script once. It clones the repository into your home.\n\n"
        b"## Usage\n\nRun pyenv install with the version you want. Switch with pyenv global.\n"
    )
    assert _plan_of(b"# pyenv\n\n" + intro + rest, 4).slides[1].title == "Overview"
    # Only such headings on the slide: the first, without its dots.
    short = b"# pyenv\n\npyenv lets you switch between versions of Python.\n\n" + rest
    assert _plan_of(short, 4).slides[1].title == "What pyenv does"


def test_a_slide_across_two_topics_too_long_to_name_both_is_titled_by_what_they_are_under() -> None:
    # Node.js's advocacy-ambassador-program.md: the goals and links of two messages were titled by
    # the first message alone.
    first = "Node.js is a great choice for a JavaScript runtime"
    second = "How things get done in the Node.js project and its working groups"
    content = (
        f"# Ambassadors\n\n## Messages\n\nMessages we promote.\n\n### Current messages\n\n"
        f"#### {first}\n\n##### Goal\n\nShow the benefits of the runtime.\n\n"
        f"##### Links\n\nThe release schedule is public.\n\n"
        f"#### {second}\n\n##### Goal\n\nNobody is paid to answer issues.\n\n"
        f"##### Links\n\nThe charter says how decisions are made.\n"
    ).encode()
    sections = sectionize([parse("a.md", "text/markdown", content)], "Overview")
    shown = [section for section in sections if section.title in ("Goal", "Links")]
    draft = _drafts.Draft("bullets", shown, [])
    assert len(f"{first} and {second}") > 90
    assert _planner._draft_title(draft, phrases("en")) == "Current messages"


def test_a_paragraph_s_chain_of_sentences_that_point_back_is_kept_whole_or_not_at_all() -> None:
    # Node.js's writing-and-running-benchmarks.md: "Therefore, run:" was a code slide's only line,
    # the two sentences it went on from left out.
    sentences = (
        "It is recommended to set the CPU frequency to `performance` before running benchmarks.",
        "This increases the likelihood of each benchmark achieving peak performance.",
        "Therefore, run:",
    )
    for k in (1, 2, 3):
        chosen = _sections._choose(sentences, (0.13, 0.083, 0.085), k)
        assert chosen and chosen == list(range(chosen[0], chosen[-1] + 1)) and chosen[0] == 0, (k, chosen)
    # A chain whose start cannot stay (it points back itself, first in its paragraph) goes whole, and
    # a sentence that does not point back stays.
    chain = ("These classes keep state.", "They allow storing data.", "Thus, run:", "The pool is shared.")
    assert _sections._choose(chain, (0.1, 0.3, 0.2, 0.05), 2) == [3]


def test_a_heading_several_sections_share_is_no_bare_line_on_a_shared_slide() -> None:
    # Node.js's BUILDING.md: "Unix/macOS" and "Windows" under each way to build, each only a
    # command, were bare lines on slide after slide.
    ways = ("Full ICU", "Small ICU", "Shared OpenSSL", "FIPS")
    text = "# Building\n\nThe build has options.\n\n" + "".join(
        f"## {way}\n\nThe {way} build is one option of several.\n\n### Unix/macOS\n\n```sh\nmake\n```\n\n"
        f"### Windows\n\n```bat\nvcbuild\n```\n\n"
        for way in ways
    )
    plan = _plan_of(text.encode(), 3)
    lines = [b.text for s in plan.slides for b in s.bullets]
    assert any("Full ICU" in line for line in lines), lines
    assert "Unix/macOS" not in lines and "Windows" not in lines, lines


def test_headings_that_end_alike_are_grouped_with_their_ending_said_once() -> None:
    # Node.js's onboarding.md: "One week and fifteen minutes" lost what they are before.
    titles = ["One week before the onboarding session", "Fifteen minutes before the onboarding session"]
    assert group_title(titles) == "One week and fifteen minutes before the onboarding session"
    assert (
        group_title(["Reviewing pull requests", "Landing pull requests"])
        == "Reviewing and landing pull requests"
    )
    assert group_title(["dlopen constants", "priority constants", "libuv constants"]) == (
        "dlopen, priority and libuv constants"
    )
    # Never inside a name in code, nor for heads alike.
    titles = ["`dgram.createSocket(options[, callback])`", "`dgram.createSocket(type[, callback])`"]
    assert "[, and" not in group_title(titles)
    assert group_title(["List of possible outputs", "List of possible model's outputs"]) != (
        "List of possible and list of possible model's outputs"
    )
    # Nor for a head that needs the ending (Node.js's writing-and-running-benchmarks.md).
    assert "of a and" not in group_title(["Basics of a benchmark", "Creating an HTTP benchmark"])


def test_a_table_of_contents_heading_over_the_opening_is_no_topic() -> None:
    # Node.js's collaborator-guide.md opens on "## Contents", its list of links, then the guide's own
    # opening: "Contents: this document explains how collaborators manage…" was a slide's line, and
    # "From contents to handling own pull requests" a title.
    topics = "".join(f"## {name}\n\n{text}\n\n" for name, text in _COLLABORATION)
    content = (
        "# Collaborator guide\n\n## Contents\n\n* [Reviews](#reviews)\n* [Landing](#landing)\n\n"
        "This document explains how collaborators manage the project. Collaborators should know "
        "the guidelines for new contributors.\n\n" + topics
    ).encode()
    for count in (4, 6):
        plan = _plan_of(content, count)
        said = [slide.title for slide in plan.slides] + [b.text for s in plan.slides for b in s.bullets]
        assert not [line for line in said if "ontents" in line], said
        opening = [plan.slides[0].subtitle, *said]
        assert any("This document explains how collaborators manage the project" in line for line in opening)


_COLLABORATION = [
    ("Reviews", "Two collaborators approve every pull request before it lands."),
    ("Testing", "Every change passes the full test suite on the CI before it lands."),
    ("Landing", "The commit queue lands approved pull requests once their checks pass."),
    ("Mistakes", "A force push is allowed within ten minutes of the original push."),
    ("Labels", "Labels track which release lines a commit lands on."),
]


def test_a_section_of_a_list_says_its_best_item_that_is_a_sentence_rather_than_its_heading_alone() -> None:
    # Node.js's collaborator-guide.md: "I made a mistake" stood bare on a slide of six headings, the
    # draft merged into it having kept only its item with sub-items, a header there, which says
    # nothing alone. The list's item "Ping a TSC voting member." says it.
    text = (
        "## I made a mistake\n\n* Ping a TSC voting member.\n"
        "* With `git`, there's a way to override remote trees by force pushing (`git push -f`). "
        "This is generally forbidden as it creates conflicts in other people's forks.\n"
        "  * Use `--force-with-lease` to reduce the chance of overwriting someone else's change.\n\n"
        "## Author ready\n\nA pull request is author ready when:\n\n* There is a CI run.\n"
        "* There is one collaborator approval.\n"
    )
    mistake, ready = sectionize([parse("guide.md", "text/markdown", text.encode())], "Overview")[-2:]
    condensed = [u for part in mistake.parts for u in units_of(mistake, part, 1) if "Ping" not in u.text]
    draft = _drafts._compact([mistake], condensed, [], False)
    assert [u.text for u in draft.units] == ["Ping a TSC voting member."]
    assert _drafts.compact_line(mistake, draft.units[0]) == "I made a mistake: ping a TSC voting member."
    # Items a lead-in announces need it: that heading stays alone.
    units = [u for part in ready.parts for u in units_of(ready, part, 1) if u.text.startswith("There")]
    assert _drafts._compact([ready], units, [], False).units == []


def test_a_sections_line_is_not_a_message_it_quotes_when_a_point_of_its_own_fits() -> None:
    # Node.js's collaborator-guide.md gave "Managing security issues: “FYI @xxxx we asked GitHub to
    # delete your pull request while we work on releases in private.”", the text of a message its
    # steps tell a collaborator to post: its quote's draft was merged into the slide, and its
    # paragraphs' was not.
    text = (
        "## Managing security issues\n\n"
        "Use the process outlined in [SECURITY.md](SECURITY.md) to report security issues.\n\n"
        "* Open a new issue in the public repository. Include an explanation for the user:\n"
        "  > FYI @xxxx we asked GitHub to delete your pull request while we work on releases in private.\n"
    )
    (section,) = [s for s in sectionize([parse("guide.md", "text/markdown", text.encode())]) if s.parts]
    quote = next(d for d in _drafts.build([section], 2) if d.kind == "quote")
    draft = _drafts._compact([section], _drafts._as_units(quote), [], False)
    assert [u.text for u in draft.units] == [
        "Use the process outlined in SECURITY.md to report security issues."
    ]
    # A quotation alone in its section still says it.
    (alone,) = sectionize([parse("q.md", "text/markdown", b"## Motto\n\n> Ship small changes often.\n")])
    quote = next(d for d in _drafts.build([alone], 2) if d.kind == "quote")
    assert len(_drafts._compact([alone], _drafts._as_units(quote), [], False).units) == 1


def test_a_sample_written_again_in_its_twin_language_is_shown_once() -> None:
    # Node.js's API docs write each example twice, as an ES module and as CommonJS: string_decoder.md's
    # deck showed `import { StringDecoder }…` and `const { StringDecoder } = require(…)` on slides of
    # their own, one after the other.
    content = (
        b"# String decoder\n\nThe `node:string_decoder` module decodes `Buffer` objects into strings.\n\n"
        b"```mjs\nimport { StringDecoder } from 'node:string_decoder';\n```\n\n"
        b"```cjs\nconst { StringDecoder } = require('node:string_decoder');\n```\n\n"
        b"The following example shows the basic use of the `StringDecoder` class.\n\n"
        b"```mjs\nimport { StringDecoder } from 'node:string_decoder';\n"
        b"const decoder = new StringDecoder('utf8');\n"
        b"console.log(decoder.write(Buffer.from([0xC2, 0xA2])));\n```\n\n"
        b"```cjs\nconst { StringDecoder } = require('node:string_decoder');\n"
        b"const decoder = new StringDecoder('utf8');\n"
        b"console.log(decoder.write(Buffer.from([0xC2, 0xA2])));\n```\n\n"
        b"## `stringDecoder.end([buffer])`\n\nReturns any remaining input stored in the internal buffer.\n\n"
        b"## `stringDecoder.write(buffer)`\n\nReturns a decoded string from the buffer given.\n"
    )
    for count in (4, 6, 8):
        samples = [s.code.text for s in _plan_of(content, count).slides if s.code is not None]
        assert not [text for text in samples if "require(" in text], (count, samples)
        assert samples or count == 4, count
    # Two samples in one language, or in languages that are no twins, both stay.
    sections = sectionize([parse("s.md", "text/markdown", content.replace(b"```cjs", b"```mjs"))])
    assert sum(isinstance(p.block, _CodeBlock) for s in sections for p in s.parts) == 4
    sections = sectionize([parse("s.md", "text/markdown", content.replace(b"```cjs", b"```console"))])
    assert sum(isinstance(p.block, _CodeBlock) for s in sections for p in s.parts) == 4


def test_a_sections_line_is_its_opening_even_when_its_draft_kept_only_later_paragraphs() -> None:
    # Node.js's events.md: its overview's line read "when the `EventEmitter` object emits an event,
    # all of the functions attached to that specific event are called synchronously.", a detail of its
    # third paragraph, the draft merged into the slide having kept no other; the second paragraph
    # opens on what the section is about.
    text = (
        "# Events\n\nMuch of the Node.js core API is built around an idiomatic asynchronous event-driven "
        "architecture in which certain kinds of objects (called emitters) emit named events that cause "
        "function objects (called listeners) to be called.\n\n"
        "All objects that emit events are instances of the `EventEmitter` class. These objects expose an "
        "`eventEmitter.on()` function.\n\n"
        "When the `EventEmitter` object emits an event, all of the functions attached to that specific "
        "event are called synchronously.\n\n## Error events\n\nErrors are emitted as `'error'` events.\n"
    )
    overview = sectionize([parse("events.md", "text/markdown", text.encode())], "Overview")[0]
    later = [u for part in overview.parts[2:] for u in units_of(overview, part, 1)]
    draft = _drafts._compact([overview], later, [], False)
    assert [u.text for u in draft.units] == [
        "All objects that emit events are instances of the `EventEmitter` class."
    ]
    # Under a heading, a first sentence may only set the scene: the section's own line is kept.
    text = (
        "# Handbook\n\nThe handbook covers fieldwork.\n\n## Working with landowners\n\n"
        "Many sites are on private land or reached across it.\n\n"
        "The team leader carries a copy of the access agreement on every visit.\n"
    )
    landowners = sectionize([parse("handbook.md", "text/markdown", text.encode())], "Overview")[-1]
    draft = _drafts._compact([landowners], units_of(landowners, landowners.parts[1], 1), [], False)
    assert [u.text for u in draft.units] == [
        "The team leader carries a copy of the access agreement on every visit."
    ]


def test_a_line_under_a_heading_shown_above_it_on_its_slide_is_indented_under_it() -> None:
    # pyenv's README: "Getting Pyenv" listed "Linux/Unix", "Automatic installer (Recommended)", "Basic
    # GitHub Checkout: …", "MacOS", "Homebrew in macOS" and "Windows: …" all at one level, the
    # platforms no different from the ways to install on them.
    content = (
        b"# pyenv\n\npyenv lets you easily switch between multiple versions of Python.\n\n"
        b"## Getting Pyenv\n\n### Linux/Unix\n\nPyenv runs on every Linux and Unix system.\n\n"
        b"#### Automatic installer\n\n```sh\ncurl -fsSL https://pyenv.run | bash\n```\n\n"
        b"#### Basic GitHub Checkout\n\nCheck out Pyenv where you want it installed.\n\n"
        b"### MacOS\n\nOn macOS, Homebrew installs it.\n\n"
        b"#### Homebrew in macOS\n\n```sh\nbrew install pyenv\n```\n\n"
        b"### Windows\n\nPyenv does not officially support Windows outside the Windows Subsystem.\n\n"
        b"## Usage\n\nSwitch between Python versions with `pyenv shell`.\n\n"
        b"## Development\n\nThe pyenv source code is hosted on GitHub.\n"
    )
    plan = _plan_of(content, 4)
    slide = next(s for s in plan.slides if any(b.text.startswith("Linux/Unix") for b in s.bullets))
    levels = {b.text.split(":")[0]: b.level for b in slide.bullets}
    assert levels["Linux/Unix"] == 0 and levels["MacOS"] == 0, slide.bullets
    assert levels["Basic GitHub Checkout"] == 1 and levels["Homebrew in macOS"] == 1, slide.bullets
    assert levels["Windows"] == 0, slide.bullets


def test_the_parts_of_a_long_table_the_deck_has_no_room_for_are_no_rows_of_bullets() -> None:
    # magika's model README, a list of 200 file types as one table: its last slide read "Index: 41,
    # Content Type Label: doc, Description: …", "Index: 49, …", every eighth row of the table's
    # remaining parts merged as bullets.
    rows = "".join(f"| {i} | type{i} | File type number {i} |\n" for i in range(1, 121))
    content = (
        "# Model documentation\n\n## List of possible outputs\n\n"
        "This is the full list of the tool's outputs.\n\n"
        "| Index | Content Type Label | Description |\n|---|---|---|\n" + rows
    ).encode()
    for count in (4, 6):
        plan = _plan_of(content, count)
        bullets = [b.text for s in plan.slides for b in s.bullets]
        assert not [text for text in bullets if text.startswith("Index: ")], (count, bullets)
        assert any(s.table is not None for s in plan.slides), count


def test_a_heading_that_ends_on_a_colon_is_no_label_with_two() -> None:
    # Redis's README: "### Running Redis with TLS:" gave the line "Running Redis with TLS:: please
    # consult the TLS.md file…" and the title "Verbose build, running Redis and running Redis with TLS:".
    content = (
        b"# Redis\n\nRedis is often referred to as a data structures server.\n\n"
        b"## Verbose build\n\nRedis will build with a user-friendly colorized output by default.\n\n"
        b"## Running Redis\n\nIt is possible to pass parameters directly as options.\n\n"
        b"## Running Redis with TLS:\n\nPlease consult the TLS.md file for more information on TLS.\n\n"
        b"## Installing Redis\n\nInstall the Redis binaries into /usr/local/bin.\n"
    )
    plan = _plan_of(content, 3)
    said = [s.title for s in plan.slides] + [b.text for s in plan.slides for b in s.bullets]
    assert not [line for line in said if "::" in line or line.endswith(":")], said
    assert any(line.startswith("Running Redis with TLS: ") for line in said), said


def test_a_readme_that_opens_on_what_it_is_and_asks_what_its_subject_is_is_titled_by_that_subject() -> None:
    # Redis's README: "This README is just a fast quick start document…", then "What is Redis?",
    # …, and at its end the one top-level heading, "Redis internals": the deck was titled "Redis
    # internals", and that chapter's slide "Redis internals (2)".
    content = (
        b"This README is just a fast *quick start* document. See redis.io for more.\n\n"
        b"What is Redis?\n--------------\n\nRedis is often referred to as a data structures server.\n\n"
        b"Building Redis\n--------------\n\nRedis can be compiled on Linux.\n\n"
        b"Redis internals\n===\n\nThe Redis source code is in the `src` directory.\n"
    )
    assert _sections.document_title(parse("README.md", "text/markdown", content)) == "Redis"
