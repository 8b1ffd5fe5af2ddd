"""What a plan remembers, and for how long."""

import threading
from collections.abc import Callable

from deckgen.content.embedded._markdown import parse
from deckgen.content.embedded._memo import one_plan, remembered
from deckgen.content.embedded._planner import plan_deck
from deckgen.content.embedded._sections import Unit, sectionize, units_of

from ._helpers import EXAMPLES


def _counting() -> tuple[list[str], Callable[..., str]]:
    calls: list[str] = []

    @remembered
    def shout(text: str, *, twice: bool = False) -> str:
        calls.append(text)
        return text.upper() * (2 if twice else 1)

    return calls, shout


def test_an_answer_is_remembered_within_a_plan_and_forgotten_after_it() -> None:
    calls, shout = _counting()
    with one_plan():
        assert shout("a") == "A"
        assert shout("a") == "A"
        assert shout("a", twice=True) == "AA"
    assert calls == ["a", "a"]
    shout("a")
    shout("a")
    with one_plan():
        shout("a")
    # Outside a plan nothing is kept; a new plan starts with nothing.
    assert calls == ["a", "a", "a", "a", "a"]


def test_plans_in_threads_keep_their_answers_apart() -> None:
    calls, shout = _counting()
    ready = threading.Barrier(2)

    def plan() -> None:
        with one_plan():
            shout("x")
            ready.wait()
            shout("x")

    threads = [threading.Thread(target=plan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == ["x", "x"]


def test_a_units_counted_lines_are_the_lines_it_shows() -> None:
    # Packing counts lines without shortening each sentence; the count must be what lines() shows.
    texts = [
        unit.text
        for name in ("intro-to-grpc.md", "quarterly-report.md")
        for section in sectionize([parse(name, "text/markdown", (EXAMPLES / name).read_bytes())], "Overview")
        for part in section.parts
        for unit in units_of(section, part, None)
    ]
    long = " ".join(texts)
    texts += [long[i : i + 700] for i in range(0, len(long), 350)]
    assert any(len(text) > 300 for text in texts)
    for text in texts:
        unit = Unit(text, 0, 1.0, 0, 0)
        assert unit.line_count() == len(unit.lines()), text


def test_a_plan_is_the_same_however_often_it_is_made() -> None:
    document = parse("intro-to-grpc.md", "text/markdown", (EXAMPLES / "intro-to-grpc.md").read_bytes())
    plans = [
        plan_deck([document], topic="", slide_count=8, condense=True, speaker_notes=True) for _ in range(2)
    ]
    assert plans[0] == plans[1]
