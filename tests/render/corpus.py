"""The quality corpus: decks covering every layout, short and long texts, Japanese and Arabic.

Plain functions, no pytest: the render tests, the PDF quality gate and benchmarks all use them.
"""

from __future__ import annotations

from dataclasses import replace

from deckgen.domain import Brand, Bullet, Deck, Layout, Slide, Statistic, Step
from tests.render.decks import IMAGE_URI, every_layout_deck, png

__all__ = ["LOGO_URI", "assets", "corpus", "design_slides", "japanese_deck", "arabic_deck", "long_deck"]

LOGO_URI = "presentations/p1/artifacts/brand/logo.png"

_LONG = (
    "Operators measure every stage of a generation, alert on the slowest percentile rather than the "
    "average, and keep a budget per stage so that a regression is caught by the stage that caused it"
)


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


def japanese_deck() -> Deck:
    return Deck(
        "太陽光発電の未来",
        language="ja",
        slides=(
            Slide(Layout.TITLE, "太陽光発電の未来", subtitle="次の一テラワットはどこから来るのか"),
            Slide(
                Layout.BULLETS,
                "コストが下がり続ける理由",
                bullets=(
                    Bullet("製造規模の拡大により、モジュール価格は十年で九割近く下がりました。"),
                    Bullet("ウェハーの大型化とセルの薄型化が進んでいます。", 1),
                    Bullet("ペロブスカイトとのタンデム構造が試験ラインで実用化に近づいています。"),
                ),
            ),
            Slide(
                Layout.TIMELINE,
                "導入の歩み",
                steps=(Step("試験ライン", "2019年"), Step("認証取得", "2021年"), Step("量産開始", "2023年")),
            ),
        ),
    )


def arabic_deck() -> Deck:
    return Deck(
        "مستقبل الطاقة الشمسية",
        language="ar",
        slides=(
            Slide(Layout.TITLE, "مستقبل الطاقة الشمسية", subtitle="من أين يأتي التيراواط القادم"),
            Slide(
                Layout.BULLETS,
                "لماذا تستمر التكاليف في الانخفاض",
                bullets=(
                    Bullet("انخفضت أسعار الألواح بنحو تسعين في المئة خلال عشر سنوات"),
                    Bullet("الرقائق الأكبر والخلايا الأرق", 1),
                    Bullet("الخلايا الترادفية تقترب من الإنتاج"),
                ),
            ),
            Slide(Layout.STATISTIC, "أرقام مهمة", statistics=(Statistic("٨٩٪", "انخفاض السعر منذ ٢٠١٠"),)),
        ),
    )


def corpus(brand: bool = False) -> list[tuple[str, Deck]]:
    """(name, deck) pairs; with `brand`, every deck carries a logo and brand colours."""
    base = every_layout_deck()
    decks = [
        ("every-layout", replace(base, slides=(*base.slides, *design_slides()))),
        ("long", long_deck()),
        ("japanese", japanese_deck()),
        ("arabic", arabic_deck()),
    ]
    if brand:
        mark = Brand(primary="0B5FFF", accent="FF7A00", logo_uri=LOGO_URI)
        decks = [(f"{name}+brand", replace(deck, brand=mark)) for name, deck in decks]
    return decks


def assets() -> dict[str, bytes]:
    return {IMAGE_URI: png(), LOGO_URI: png(300, 100)}
