"""TeX math in a Markdown document reaches the slide as the text a reader of the formula sees."""

# ruff: noqa: RUF001  (the multiplication sign and the prime are what TeX typesets)

import time

import pytest

from deckgen.content.embedded._markdown import Paragraph, parse_markdown, strip_inline
from deckgen.content.embedded._math import tex_text


@pytest.mark.parametrize(
    ("formula", "shown"),
    [
        # OpenTelemetry's ieee_754.md, which showed "$$f = sign \times mantissa …$$" on a slide.
        (r"f = sign \times mantissa \times base ^ {exponent}", "f = sign × mantissa × base^exponent"),
        (r"1 \times 2^{-52} \times 2^{-1022} = 5 \times 10^{-324}", "1 × 2⁻⁵² × 2⁻¹⁰²² = 5 × 10⁻³²⁴"),
        (r"0.12345 \dots", "0.12345 …"),
        (r"\frac{a+b}{2} \le \sqrt{x^2 + y^2}", "(a+b)/2 ≤ √(x² + y²)"),
        (r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", "∑_(i=1)ⁿ i = (n(n+1))/2"),
        (r"a_{n+1} = a_n + x_1", "a_(n+1) = a_n + x₁"),
        (r"O(n \log n), \log_2 n", "O(n log n), log₂ n"),
        (r"\left( \frac{1}{2} \right) \cdot \alpha\beta", "( 1/2 ) · αβ"),
        (r"\text{if } x > 0 \text{ then } \mathbb{R}^n", "if x > 0 then Rⁿ"),
        (r"\{x \mid x \in S\}, \sqrt[3]{8}, f^\prime, \binom{n}{k}", "{x | x ∈ S}, 8^(1/3), f′, C(n, k)"),
        (r"\unknown{x} \% \_", "unknown x % _"),
        ("a^", "a"),
        ("\\", ""),
    ],
)
def test_a_formula_reads_as_typeset(formula: str, shown: str) -> None:
    assert tex_text(formula) == shown


def test_math_in_a_paragraph_money_and_code_stay_as_written() -> None:
    text = (
        r"$sign$ and $mantissa$; $$1 \times 2^{-52}$$; costs $5 and $10, or $5-$10; "
        r"`$x$` in code; an escaped \$x\$; $x_1 * y_2$ is no *emphasis*"
    )
    assert strip_inline(text) == (
        "sign and mantissa; 1 × 2⁻⁵²; costs $5 and $10, or $5-$10; `$x$` in code; an escaped $x$; "
        "x₁ * y₂ is no emphasis"
    )
    assert parse_markdown("$$\nf = m \\times b^{e}\n$$\n") == [Paragraph("f = m × b^e", 1, 3)]


@pytest.mark.parametrize(
    "formula",
    [
        "\\sqrt" * 100_000,
        "{" * 100_000,
        "^{" * 50_000,
        "\\frac{" * 50_000,
        "x^" * 100_000,
        "\\sqrt[" * 50_000,
    ],
)
def test_hostile_formulas_are_read_in_one_pass(formula: str) -> None:
    started = time.perf_counter()
    tex_text(formula)
    strip_inline(f"${formula}$")
    assert time.perf_counter() - started < 2.0
