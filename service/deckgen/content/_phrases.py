# ruff: noqa: RUF001, E501 -- native punctuation (full-width in CJK) and one language per line are the point.
"""The few fixed strings an engine writes itself (agenda, takeaways, thank you…), in the deck's language.

Both engines use this table, so that a Japanese or Arabic deck never ends on an English "Summary".
A language missing from the table falls back to English; a regional tag (`pt-BR`) uses its base.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LANGUAGES", "Phrases", "phrases"]


@dataclass(frozen=True, slots=True)
class Phrases:
    agenda: str
    takeaways: str
    """Title of the closing slide when it holds the deck's main points."""
    thank_you: str
    questions: str
    continued: str
    """Appended to the title of a slide that continues the one before it."""
    covers: str
    """Speaker-notes opener; `{title}` is the slide's title."""
    next: str
    """Speaker-notes hand-over to the next slide; `{title}` is its title."""
    welcome: str
    """Speaker notes of the title slide; `{title}` is the deck's title."""
    sections: str
    """Speaker notes of the agenda; `{count}` is how many parts the talk has."""
    overview: str
    """Title of the text that comes before a document's first heading."""


# One language a line-group, in the order of the fields above.
# fmt: off
_TABLE: dict[str, Phrases] = {
    "en": Phrases(
        "Agenda", "Key takeaways", "Thank you", "Questions?", "(cont.)",
        "This slide is about {title}.", "Next: {title}.",
        "Welcome. This talk is about {title}.", "The talk has {count} parts; here is the route.", "Overview",
    ),
    "de": Phrases(
        "Agenda", "Das Wichtigste", "Vielen Dank", "Fragen?", "(Forts.)",
        "Diese Folie behandelt {title}.", "Als Nächstes: {title}.",
        "Willkommen. In diesem Vortrag geht es um {title}.", "Der Vortrag hat {count} Teile; hier ist der Weg.", "Überblick",
    ),
    "fr": Phrases(
        "Sommaire", "À retenir", "Merci", "Des questions ?", "(suite)",
        "Cette diapositive porte sur {title}.", "Ensuite : {title}.",
        "Bienvenue. Cette présentation porte sur {title}.", "La présentation compte {count} parties ; voici le plan.", "Vue d'ensemble",
    ),
    "es": Phrases(
        "Agenda", "Conclusiones clave", "Gracias", "¿Preguntas?", "(cont.)",
        "Esta diapositiva trata sobre {title}.", "A continuación: {title}.",
        "Bienvenidos. Esta charla trata sobre {title}.", "La charla tiene {count} partes; este es el recorrido.", "Panorama",
    ),
    "it": Phrases(
        "Agenda", "Punti chiave", "Grazie", "Domande?", "(segue)",
        "Questa slide riguarda {title}.", "Prossimo argomento: {title}.",
        "Benvenuti. Questa presentazione riguarda {title}.", "La presentazione ha {count} parti; ecco il percorso.", "Panoramica",
    ),
    "pt": Phrases(
        "Agenda", "Principais conclusões", "Obrigado", "Perguntas?", "(cont.)",
        "Este slide trata de {title}.", "A seguir: {title}.",
        "Bem-vindos. Esta apresentação trata de {title}.", "A apresentação tem {count} partes; este é o roteiro.", "Visão geral",
    ),
    "nl": Phrases(
        "Agenda", "Belangrijkste punten", "Dank u wel", "Vragen?", "(vervolg)",
        "Deze dia gaat over {title}.", "Hierna: {title}.",
        "Welkom. Deze presentatie gaat over {title}.", "De presentatie heeft {count} delen; dit is de route.", "Overzicht",
    ),
    "pl": Phrases(
        "Agenda", "Najważniejsze wnioski", "Dziękuję", "Pytania?", "(cd.)",
        "Ten slajd dotyczy tematu: {title}.", "Dalej: {title}.",
        "Witam. Ta prezentacja dotyczy tematu: {title}.", "Prezentacja ma {count} części; oto plan.", "Przegląd",
    ),
    "ja": Phrases(
        "アジェンダ", "まとめ", "ご清聴ありがとうございました", "ご質問はありますか？", "（続き）",
        "このスライドでは「{title}」について説明します。", "次は「{title}」です。",
        "ようこそ。本日は「{title}」についてお話しします。", "本日の内容は{count}つのパートに分かれています。", "概要",
    ),
    "zh": Phrases(
        "议程", "要点总结", "谢谢", "有问题吗？", "（续）",
        "本页介绍“{title}”。", "接下来：“{title}”。",
        "欢迎。本次演讲的主题是“{title}”。", "本次演讲分为{count}个部分。", "概述",
    ),
    "ko": Phrases(
        "목차", "핵심 요약", "감사합니다", "질문 있으신가요?", "(계속)",
        "이 슬라이드는 '{title}'에 관한 내용입니다.", "다음: '{title}'.",
        "환영합니다. 이번 발표의 주제는 '{title}'입니다.", "발표는 {count}개 부분으로 구성됩니다.", "개요",
    ),
    "ar": Phrases(
        "جدول الأعمال", "أهم النقاط", "شكرًا لكم", "أسئلة؟", "(تابع)",
        "تتناول هذه الشريحة {title}.", "التالي: {title}.",
        "مرحبًا بكم. يتناول هذا العرض {title}.", "يتكون العرض من {count} أجزاء؛ هذه هي الخطة.", "نظرة عامة",
    ),
    "hi": Phrases(
        "कार्यसूची", "मुख्य निष्कर्ष", "धन्यवाद", "कोई प्रश्न?", "(जारी)",
        "यह स्लाइड {title} के बारे में है।", "आगे: {title}।",
        "स्वागत है। यह प्रस्तुति {title} के बारे में है।", "प्रस्तुति के {count} भाग हैं; यह रहा क्रम।", "अवलोकन",
    ),
}
# fmt: on

LANGUAGES = tuple(_TABLE)


def phrases(language: str) -> Phrases:
    """The fixed strings for a BCP-47 tag; English when the language is not in the table."""
    base = language.strip().replace("_", "-").split("-", 1)[0].casefold()
    return _TABLE.get(base, _TABLE["en"])
