"""The default survey's wording in each language ementor speaks, chosen per participant (issue 15).

A survey records its questions when issued. A question of the default template (known by its id
and its wording in any language below) is recorded in the participant's language, their profile
`locale` as profiles last announced it (`es`: Spanish; anything else: English, as their emails).
An organisation's own questions are recorded as the organisation wrote them. The web app holds
the same Spanish words for staff (web/src/i18n/es.ts `survey.question.*`; a unit test keeps them
equal). Events carry no wording. Pure: no database, no broker.
"""

from __future__ import annotations

from .surveys import DEFAULT_TEMPLATE

ENGLISH = "en"
QUESTIONS: dict[str, dict[str, str]] = {
    "en": {q["id"]: q["text"] for q in DEFAULT_TEMPLATE["questions"]},
    "es": {
        "useful": "¿Hasta qué punto te resulta útil la mentoría ahora mismo?",
        "listened": "¿Hasta qué punto te escucha tu mentor o mentorado?",
        "next_steps": "¿Cuánta confianza tienes en tus próximos pasos?",
        "recommend": "¿Le recomendarías la mentoría a un amigo o una amiga?",
    },
}
COMMENT_PROMPTS = {
    "en": DEFAULT_TEMPLATE["comment"]["prompt"],
    "es": "¿Quieres contarnos algo más? Solo lo lee el equipo del programa.",
}
SCALES = {
    "en": {"min_label": "Not at all", "max_label": "Very much"},
    "es": {"min_label": "Nada", "max_label": "Mucho"},
}


def language_of(locale: str | None) -> str:
    """The language a participant reads: their profile's locale when ementor speaks it, else English."""
    base = (locale or "").lower().replace("_", "-").split("-")[0]
    return base if base in QUESTIONS else ENGLISH


def is_default(question_id: str, text: str) -> bool:
    """A question of the default template, in whichever language it was written down."""
    return any(words.get(question_id) == text for words in QUESTIONS.values())


def questions_in(questions: list[dict], locale: str | None) -> list[dict]:
    """The questions as this participant reads them: default ones in their language, others as written."""
    words = QUESTIONS[language_of(locale)]
    return [{**q, "text": words[q["id"]]} if is_default(q["id"], q["text"]) else q for q in questions]


def prompt_in(prompt: str | None, locale: str | None) -> str | None:
    if prompt and prompt in COMMENT_PROMPTS.values():
        return COMMENT_PROMPTS[language_of(locale)]
    return prompt


def canonical(question_id: str, text: str) -> tuple[str, bool]:
    """For staff results: a default question's English wording and True (the web shows it in the staff
    member's language), or the organisation's own wording and False."""
    if is_default(question_id, text):
        return QUESTIONS[ENGLISH][question_id], True
    return text, False


def scale_in(locale: str | None) -> dict:
    return {"min": 1, "max": 5, **SCALES[language_of(locale)]}
