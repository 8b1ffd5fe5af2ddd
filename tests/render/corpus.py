"""The quality corpus: decks covering every layout with short and long texts, pictures of every
shape, Japanese and Arabic, and brands that fight the theme, in every theme.

Plain functions and data, no pytest: the render tests, the PDF quality gate and benchmarks all use
them.

corpus(brand=False) -> [(name, deck)]: the decks; with `brand`, each carries a logo and colours
cases()             -> [Case(name, theme, deck)]: every deck in every theme, plus brand overrides
assets()            -> {uri: bytes}: the pictures and logos the decks refer to
rendered(name)      -> bytes of the .pptx of case `name`, cached for the process
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache

from deckgen.domain import (
    Brand,
    Bullet,
    Chart,
    ChartSeries,
    ChartType,
    CodeBlock,
    Column,
    Deck,
    ImageRef,
    Layout,
    Quote,
    Slide,
    Statistic,
    Step,
    Table,
    Theme,
)
from deckgen.render import get_theme, list_themes, render_pptx
from tests.render.decks import IMAGE_URI, every_layout_deck, png

__all__ = [
    "BRANDS",
    "LOGO_URI",
    "Case",
    "arabic_deck",
    "assets",
    "cases",
    "corpus",
    "design_slides",
    "edge_deck",
    "japanese_deck",
    "long_deck",
    "long_layouts_deck",
    "rendered",
    "technical_deck",
]

LOGO_URI = "presentations/p1/artifacts/brand/logo.png"
TALL_LOGO_URI = "presentations/p1/artifacts/brand/tall-logo.png"
WIDE_URI = "presentations/p1/artifacts/wide.png"
TALL_URI = "presentations/p1/artifacts/tall.png"
SQUARE_URI = "presentations/p1/artifacts/square.png"

_LONG = (
    "Operators measure every stage of a generation, alert on the slowest percentile rather than the "
    "average, and keep a budget per stage so that a regression is caught by the stage that caused it"
)


def _long(n: int, start: int = 0) -> str:
    words = _LONG.split()
    return " ".join(words[(start + i) % len(words)] for i in range(n))


def design_slides() -> tuple[Slide, ...]:
    """The layouts added for design: agenda, timeline, statistic."""
    return (
        Slide(
            Layout.AGENDA,
            "Agenda",
            bullets=(Bullet("The market"), Bullet("Costs"), Bullet("Grid integration"), Bullet("Outlook")),
        ),
        Slide(
            Layout.TIMELINE,
            "From pilot to gigawatt",
            steps=(
                Step("Pilot line", "2019", "First tandem cells at 25 % efficiency"),
                Step("Certification", "2021", "IEC 61215 passed"),
                Step("Factory", "2023", "1 GW of yearly output"),
                Step("Scale", "2025", "5 GW and a second site"),
            ),
        ),
        Slide(
            Layout.STATISTIC,
            "The numbers that matter",
            statistics=(
                Statistic("-89 %", "module price since 2010", "IRENA"),
                Statistic("1 TW", "installed worldwide", "2022"),
                Statistic("4 ¢", "per kWh in the best sites"),
            ),
        ),
        Slide(Layout.STATISTIC, "One number", statistics=(Statistic("42 %", "of new capacity is solar"),)),
        Slide(
            Layout.TIMELINE,
            "Eight steps on one line",
            steps=tuple(Step(f"Step {n}", f"Q{n}") for n in range(1, 9)),
        ),
    )


def long_deck() -> Deck:
    """The same layouts with texts long enough to shrink and split."""
    slides = (
        Slide(Layout.BULLETS, f"Bullets: {_LONG[:70]}", bullets=tuple(Bullet(_LONG) for _ in range(9))),
        Slide(
            Layout.TIMELINE,
            "A long programme",
            steps=tuple(Step(f"Phase {n}: {_LONG[:40]}", f"Q{n}", _LONG[:120]) for n in range(1, 8)),
        ),
        Slide(
            Layout.STATISTIC,
            "Five numbers",
            statistics=tuple(Statistic(f"{n}0 %", _LONG[:50], _LONG[:110]) for n in range(1, 6)),
        ),
        Slide(
            Layout.AGENDA,
            "A long agenda",
            bullets=tuple(Bullet(f"Topic {n}: {_LONG[:150]}") for n in range(16)),
        ),
    )
    return Deck("Long texts", slides=slides)


def long_layouts_deck() -> Deck:
    """Every other layout with too much text: shrinking, continuing, and the lead band splitting."""
    slides = (
        Slide(Layout.TITLE, _long(18), subtitle=_long(60, 3)),
        Slide(Layout.SECTION, _long(12, 5), subtitle=_long(50, 7)),
        Slide(
            Layout.TWO_COLUMNS,
            "Two long columns",
            body=_long(30),
            left=Column("Before", tuple(Bullet(_long(25, i), i % 2) for i in range(9))),
            right=Column("After", body=_long(160, 4)),
        ),
        Slide(
            Layout.TABLE,
            "A long table",
            table=Table(
                ("Stage", "What we measure", "Budget"),
                tuple((f"Stage {i}", _long(10 + i % 9, i), f"{i * 50} ms") for i in range(14)),
            ),
        ),
        Slide(Layout.QUOTE, "A long quote", quote=Quote(_long(260), "Site reliability handbook")),
        Slide(
            Layout.IMAGE_TEXT,
            "Picture and much text",
            bullets=tuple(Bullet(_long(28, i)) for i in range(10)),
            image=ImageRef(WIDE_URI, "A wide panorama of a solar farm"),
        ),
        Slide(
            Layout.CHART,
            "Chart and notes",
            bullets=tuple(Bullet(_long(22, i)) for i in range(8)),
            chart=Chart(
                ChartType.COLUMN,
                tuple(f"Q{n}" for n in range(1, 9)),
                (ChartSeries("Revenue", tuple(float(n) for n in range(8))), ChartSeries("Cost", (1.0,) * 8)),
            ),
        ),
        Slide(
            Layout.TIMELINE,
            "Twelve steps",
            steps=tuple(Step(f"Milestone {n}", f"M{n}", _long(6, n)) for n in range(1, 13)),
        ),
        Slide(
            Layout.TIMELINE,
            "Steps with long details",
            body=_long(20),
            steps=tuple(Step(_long(5, n), f"{2020 + n}", _long(60, n)) for n in range(4)),
        ),
        Slide(
            Layout.STATISTIC,
            "Long numbers",
            statistics=(
                Statistic("1,234,567,890 €", _long(12), _long(40, 2)),
                Statistic("99.999 %", _long(8, 3), _long(30, 5)),
            ),
        ),
        Slide(Layout.CLOSING, "Thank you", subtitle=_long(70, 9)),
    )
    return Deck("Long layouts", slides=slides)


def edge_deck() -> Deck:
    """Titles that repeat or are missing, pictures of every shape, sparse slides."""
    chart = Chart(ChartType.PIE, ("A", "B"), (ChartSeries("Share", (0.7, 0.3)),), alt_text="")
    slides = (
        Slide(Layout.BULLETS, "Results", bullets=(Bullet("First"),)),
        Slide(Layout.BULLETS, "Results", bullets=(Bullet("Second"),)),
        Slide(Layout.BULLETS, "results ", bullets=(Bullet("Third, case and spacing differ"),)),
        Slide(Layout.BULLETS, "Results (2)", bullets=(Bullet("A title that looks like a suffix"),)),
        Slide(Layout.BULLETS, "", bullets=(Bullet("No title at all"),)),
        Slide(Layout.IMAGE_TEXT, "Wide picture", image=ImageRef(WIDE_URI, "A wide panorama")),
        Slide(Layout.IMAGE_TEXT, "Tall picture", body="Beside it.", image=ImageRef(TALL_URI, "A tall tower")),
        Slide(Layout.IMAGE_TEXT, "Square picture, no alt text", image=ImageRef(SQUARE_URI, "")),
        Slide(Layout.CHART, "Chart without a title", chart=chart),
        Slide(Layout.TABLE, "Table without rows", table=Table(("Only", "A", "Header"), ())),
        Slide(Layout.TWO_COLUMNS, "One column", left=Column("Alone", (Bullet("Just this"),))),
        Slide(Layout.QUOTE, "Quote without attribution", quote=Quote("Less is more.")),
        Slide(Layout.AGENDA, "Agenda written with numbers", bullets=(Bullet("1. Start"), Bullet("2. End"))),
        Slide(Layout.SECTION, "A section without subtitle"),
    )
    return Deck("Edge cases", slides=slides)


def japanese_deck() -> Deck:
    sentence = "製造規模の拡大により、モジュール価格は十年で九割近く下がりました。"
    return Deck(
        "太陽光発電の未来",
        language="ja",
        slides=(
            Slide(Layout.TITLE, "太陽光発電の未来", subtitle="次の一テラワットはどこから来るのか"),
            Slide(Layout.AGENDA, "目次", bullets=(Bullet("市場"), Bullet("コスト"), Bullet("系統連系"))),
            Slide(
                Layout.BULLETS,
                "コストが下がり続ける理由",
                bullets=(
                    Bullet(sentence),
                    Bullet("ウェハーの大型化とセルの薄型化が進んでいます。", 1),
                    Bullet("ペロブスカイトとのタンデム構造が試験ラインで実用化に近づいています。"),
                    Bullet("「発電コスト」（LCOE）は、二〇一〇年比で約九割低下した。"),  # noqa: RUF001
                ),
            ),
            Slide(Layout.BULLETS, "長い説明", bullets=tuple(Bullet(sentence * 3) for _ in range(6))),
            Slide(
                Layout.TWO_COLUMNS,
                "大規模と屋根置き",
                left=Column("大規模", (Bullet("最も安い発電コスト"), Bullet("送電網への接続が必要"))),
                right=Column("屋根置き", body="需要地に近いが、ワット当たりのコストは高い。"),
            ),
            Slide(
                Layout.TABLE,
                "導入量",
                table=Table(("地域", "2023年", "2030年"), (("中国", "609", "1800"), ("欧州", "263", "750"))),
            ),
            Slide(
                Layout.QUOTE,
                "現場から",
                quote=Quote("太陽光は史上最も安い電力になった。", "国際エネルギー機関"),
            ),
            Slide(
                Layout.TIMELINE,
                "導入の歩み",
                steps=(Step("試験ライン", "2019年"), Step("認証取得", "2021年"), Step("量産開始", "2023年")),
            ),
            Slide(Layout.STATISTIC, "重要な数字", statistics=(Statistic("89%", "価格低下", "2010年以降"),)),
            Slide(Layout.CLOSING, "ありがとうございました", subtitle="ご質問をどうぞ"),
        ),
    )


def arabic_deck() -> Deck:
    sentence = "انخفضت أسعار الألواح بنحو تسعين في المئة خلال عشر سنوات"
    return Deck(
        "مستقبل الطاقة الشمسية",
        language="ar",
        slides=(
            Slide(Layout.TITLE, "مستقبل الطاقة الشمسية", subtitle="من أين يأتي التيراواط القادم"),
            Slide(
                Layout.BULLETS,
                "لماذا تستمر التكاليف في الانخفاض",
                bullets=(
                    Bullet(sentence),
                    Bullet("الرقائق الأكبر والخلايا الأرق", 1),
                    Bullet("الخلايا الترادفية تقترب من الإنتاج"),
                ),
            ),
            Slide(
                Layout.BULLETS, "شرح طويل", bullets=tuple(Bullet(f"{sentence} {sentence}") for _ in range(7))
            ),
            Slide(
                Layout.TWO_COLUMNS,
                "المحطات والأسطح",
                left=Column("المحطات الكبيرة", (Bullet("أقل تكلفة للكيلوواط ساعة"),)),
                right=Column("الأسطح", body="قريبة من الطلب لكن التكلفة أعلى"),
            ),
            Slide(
                Layout.TABLE,
                "القدرة المركبة",
                table=Table(
                    ("المنطقة", "٢٠٢٣", "٢٠٣٠"),
                    (("الصين", "٦٠٩", "١٨٠٠"), ("أوروبا", "٢٦٣", "٧٥٠")),  # noqa: RUF001
                ),
            ),
            Slide(
                Layout.QUOTE,
                "من الميدان",
                quote=Quote("الطاقة الشمسية أرخص كهرباء في التاريخ", "وكالة الطاقة"),
            ),
            Slide(
                Layout.TIMELINE,
                "المراحل",
                steps=(Step("خط تجريبي", "٢٠١٩"), Step("الاعتماد", "٢٠٢١"), Step("الإنتاج", "٢٠٢٣")),
            ),
            Slide(Layout.STATISTIC, "أرقام مهمة", statistics=(Statistic("٨٩٪", "انخفاض السعر منذ ٢٠١٠"),)),
            Slide(Layout.CLOSING, "شكرا لكم", subtitle="أسئلة؟"),
        ),
    )


BRANDS: dict[str, Brand] = {
    "brand": Brand(primary="0B5FFF", accent="FF7A00", logo_uri=LOGO_URI),
    "pale-brand": Brand(
        primary="FFE066",
        accent="FFF3B0",
        heading_font="Georgia",
        body_font="Open Sans",
        logo_uri=TALL_LOGO_URI,
    ),
    "dark-brand": Brand(primary="1A1A2E", accent="2B2B2B", heading_font="Helvetica Neue", logo_uri=LOGO_URI),
}
"""Brands that keep, fight (too pale for light themes, too dark for dark ones) and re-font the theme."""


_CODE = """def retry(call, attempts=3):
    for attempt in range(attempts):
        try:
            return call()
        except TimeoutError:
            if attempt == attempts - 1:
                raise
            time.sleep(2 ** attempt)"""


def technical_deck() -> Deck:
    """A short technical talk, as a model writes it: Markdown in the text, a code block, a chart."""
    return Deck(
        "Retries that **do not** hurt",
        subtitle="Backoff, budgets and idempotency keys",
        footer="Platform guild \u00b7 March review",
        slides=(
            Slide(Layout.TITLE, "Retries that **do not** hurt", "Backoff, budgets and idempotency keys"),
            Slide(
                Layout.AGENDA,
                "Agenda",
                bullets=(Bullet("Why naive retries fail"), Bullet("Backoff with jitter"), Bullet("Budgets")),
            ),
            Slide(
                Layout.BULLETS,
                "Why naive retries fail",
                bullets=(
                    Bullet("A **slow** dependency turns into an *outage* when every client retries at once"),
                    Bullet("Three layers of three retries make **27** calls per request"),
                    Bullet("Timeouts without `deadline` propagation waste work nobody waits for"),
                ),
            ),
            Slide(
                Layout.BULLETS,
                "Exponential backoff",
                body="Wait longer after each failure, and give up after a few attempts:",
                code=CodeBlock(_CODE, "python"),
            ),
            Slide(
                Layout.CHART,
                "Load during the incident",
                chart=Chart(
                    ChartType.LINE,
                    ("10:00", "10:05", "10:10", "10:15", "10:20"),
                    (ChartSeries("Requests/s (k)", (12, 31, 58, 44, 13)),),
                ),
                body="Retries tripled the load within ten minutes.",
            ),
            Slide(
                Layout.STATISTIC,
                "After the fix",
                statistics=(
                    Statistic("-92 %", "retry traffic"),
                    Statistic("3.1 s", "p99 latency", "was 14 s"),
                ),
            ),
            Slide(
                Layout.TWO_COLUMNS,
                "Budgets or backoff?",
                left=Column("Backoff", (Bullet("Spreads retries over time"), Bullet("Per client"))),
                right=Column("Budgets", (Bullet("Caps retries to 10 % of calls"), Bullet("Per service"))),
            ),
            Slide(
                Layout.TABLE,
                "What we changed",
                table=Table(
                    ("Service", "Before", "After"),
                    (("Checkout", "3 retries", "budget 10 %"), ("Search", "5 retries", "backoff + jitter")),
                ),
            ),
            Slide(
                Layout.TIMELINE,
                "Roll-out",
                steps=(Step("Library", "Week 1"), Step("Checkout", "Week 2"), Step("All services", "Week 4")),
            ),
            Slide(Layout.CLOSING, "Thank you", subtitle="Questions: #platform-guild"),
        ),
    )


def corpus(brand: bool = False) -> list[tuple[str, Deck]]:
    """(name, deck) pairs; with `brand`, every deck carries a logo and brand colours."""
    base = every_layout_deck()
    decks = [
        ("every-layout", replace(base, slides=(*base.slides, *design_slides()))),
        ("long", long_deck()),
        ("long-layouts", long_layouts_deck()),
        ("edge", edge_deck()),
        ("japanese", japanese_deck()),
        ("arabic", arabic_deck()),
        ("technical", technical_deck()),
    ]
    if brand:
        decks = [(f"{name}+brand", replace(deck, brand=BRANDS["brand"])) for name, deck in decks]
    return decks


@dataclass(frozen=True)
class Case:
    name: str
    theme: Theme
    deck: Deck
    """Its `theme` field names `theme` too, for consumers that look a deck's theme up themselves."""


def cases(themes: Sequence[Theme] | None = None) -> list[Case]:
    """Every corpus deck in every theme; then each brand over the every-layout and Japanese decks in
    a light and a dark theme."""
    themes = list_themes() if themes is None else themes
    found = [
        Case(f"{theme.id}/{name}", theme, replace(deck, theme=theme.id))
        for theme in themes
        for name, deck in corpus()
    ]
    decks = dict(corpus())
    for brand_name, brand in BRANDS.items():
        for theme in (get_theme("default"), get_theme("midnight"), get_theme("editorial-dark")):
            for name in ("every-layout", "japanese"):
                deck = replace(decks[name], brand=brand, theme=theme.id)
                found.append(Case(f"{theme.id}/{name}+{brand_name}", theme, deck))
    return found


def assets() -> dict[str, bytes]:
    return {
        IMAGE_URI: png(),
        LOGO_URI: png(300, 100),
        TALL_LOGO_URI: png(60, 200),
        WIDE_URI: png(1600, 300),
        TALL_URI: png(300, 1200),
        SQUARE_URI: png(500, 500),
    }


@lru_cache(maxsize=1)
def _cases_by_name() -> dict[str, Case]:
    return {case.name: case for case in cases()}


@cache
def rendered(name: str) -> bytes:
    """The .pptx of the case called `name`, rendered once per process (tests share it)."""
    case = _cases_by_name()[name]
    return render_pptx(case.deck, case.theme, assets())
