"""The retry policy: full-jitter backoff, a ceiling, a limit on tries, and Retry-After honoured."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import pytest

from deckgen.providers._retry import RetryPolicy, retry_after_seconds

LOW = 0.0
HIGH = 0.999


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


def policy(
    value: float, *, base_delay: float = 0.5, max_delay: float = 8.0, max_retry_after: float = 30.0
) -> RetryPolicy:
    """Ten tries, and a `random` that always returns `value`."""
    return RetryPolicy(10, base_delay, max_delay, max_retry_after, random=fixed(value))


# -- delay -------------------------------------------------------------------------------------------


def test_full_jitter_spans_zero_to_the_ceiling() -> None:
    assert policy(LOW).delay(1) == 0.0
    assert policy(LOW).delay(4) == 0.0
    assert policy(HIGH, base_delay=0.5).delay(1) == pytest.approx(0.5 * HIGH)
    assert policy(0.5, base_delay=0.5).delay(2) == pytest.approx(0.5)


def test_ceiling_doubles_each_attempt_until_max_delay() -> None:
    high = policy(HIGH, base_delay=0.5, max_delay=8.0)
    delays = [high.delay(attempt) for attempt in range(1, 9)]
    assert delays == pytest.approx([HIGH * c for c in (0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0)])


def test_delay_never_leaves_the_jitter_window_with_the_real_random() -> None:
    real = RetryPolicy(attempts=20, base_delay=0.25, max_delay=3.0)
    for attempt in range(1, 20):
        for _ in range(20):
            delay = real.delay(attempt)
            assert delay is not None
            assert 0.0 <= delay <= min(3.0, 0.25 * 2 ** (attempt - 1))


def test_gives_up_after_the_last_attempt() -> None:
    three = RetryPolicy(attempts=3, random=fixed(HIGH))
    assert three.delay(1) is not None
    assert three.delay(2) is not None
    assert three.delay(3) is None
    assert three.delay(4) is None
    assert three.delay(3, retry_after=0.1) is None
    assert RetryPolicy(attempts=1).delay(1) is None


def test_retry_after_is_honoured_with_a_little_jitter_on_top() -> None:
    assert policy(LOW).delay(1, retry_after=2.0) == 2.0
    assert policy(HIGH).delay(1, retry_after=2.0) == pytest.approx(2.0 + 0.1 * HIGH * 2.0)
    # Not the exponential window: a server's 5 s stands even on the first retry with a 0.5 s base.
    assert policy(LOW, base_delay=0.5).delay(1, retry_after=5.0) == 5.0
    # A zero Retry-After still spreads clients over a tenth of 0.1 s.
    zero = policy(HIGH).delay(1, retry_after=0.0)
    assert zero is not None and 0.0 < zero <= 0.01


def test_retry_after_beyond_max_retry_after_means_give_up() -> None:
    assert policy(LOW, max_retry_after=30.0).delay(1, retry_after=30.0) == 30.0
    assert policy(LOW, max_retry_after=30.0).delay(1, retry_after=30.5) is None
    assert policy(LOW, max_retry_after=1.0).delay(1, retry_after=120.0) is None


# -- retry_after_seconds -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": " 2 "}, 2.0),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after-ms": "-10"}, 0.0),
    ],
)
def test_seconds_and_milliseconds(headers: dict[str, str], expected: float) -> None:
    assert retry_after_seconds(headers) == pytest.approx(expected)


def test_http_date_is_measured_from_now() -> None:
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    when = email.utils.parsedate_to_datetime(date).timestamp()

    assert retry_after_seconds({"retry-after": date}, now=fixed(when - 12.5)) == pytest.approx(12.5)
    assert retry_after_seconds({"retry-after": date}, now=fixed(when)) == 0.0
    assert retry_after_seconds({"retry-after": date}, now=fixed(when + 60)) == 0.0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"retry-after": ""},
        {"retry-after-ms": ""},
        {"retry-after": "soon"},
        {"retry-after": "Wed, 99 Foo 2015 07:28:00 GMT"},
        {"retry-after-ms": "later"},
        {"x-ratelimit-reset": "3"},
    ],
)
def test_absent_or_unreadable_is_none(headers: dict[str, str]) -> None:
    assert retry_after_seconds(headers, now=fixed(0.0)) is None
