"""Answers remembered for the length of one plan.

Planning a deck asks the same of a sentence many times: whether it points elsewhere, leans on the
sentence before it, leads in to a list; once for each density it tries and each slide it packs. The
checks are pure, so a plan remembers their answers while it runs and forgets them when it ends:
nothing one caller's document taught is kept for, or measured against, the next one's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

__all__ = ["one_plan", "remembered"]

_P = ParamSpec("_P")
_R = TypeVar("_R")

_ANSWERS: ContextVar[dict[object, object] | None] = ContextVar("deckgen_plan_answers", default=None)


@contextmanager
def one_plan() -> Iterator[None]:
    """Remember the answers of `remembered` functions until the block ends."""
    token = _ANSWERS.set({})
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def remembered(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """`function` (pure, of hashable arguments), answering from memory within `one_plan()`."""

    @functools.wraps(function)
    def answer(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        answers = _ANSWERS.get()
        if answers is None:
            return function(*args, **kwargs)
        key = (function, args, *kwargs.items())
        try:
            return answers[key]  # type: ignore[return-value]
        except KeyError:
            value = answers[key] = function(*args, **kwargs)
            return value

    return answer
