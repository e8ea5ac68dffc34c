"""Which words a participant's survey is written in, and how staff results name its questions."""

import json
import re
from pathlib import Path

import pytest

from services.insights import survey_words, surveys

AFTER_SESSION = surveys.questions_for(surveys.DEFAULT_TEMPLATE, "after_session")
OWN = {"id": "fun", "text": "Was today's session fun?"}


@pytest.mark.parametrize("locale", ["es", "es-MX", "ES_es"])
def test_a_spanish_reader_gets_the_default_questions_in_spanish(locale):
    asked = survey_words.questions_in(AFTER_SESSION, locale)
    assert [q["text"] for q in asked] == ["¿Hasta qué punto te resulta útil la mentoría ahora mismo?",
                                          "¿Hasta qué punto te escucha tu mentor o mentorado?",
                                          "¿Cuánta confianza tienes en tus próximos pasos?"]
    assert [q["id"] for q in asked] == ["useful", "listened", "next_steps"]  # the answers' keys stay
    assert survey_words.prompt_in(surveys.DEFAULT_TEMPLATE["comment"]["prompt"], locale) == (
        "¿Quieres contarnos algo más? Solo lo lee el equipo del programa.")
    assert survey_words.scale_in(locale) == {"min": 1, "max": 5, "min_label": "Nada", "max_label": "Mucho"}


@pytest.mark.parametrize("locale", [None, "", "en", "en-GB", "fr"])
def test_anyone_else_reads_english_as_their_emails_do(locale):
    assert survey_words.questions_in(AFTER_SESSION, locale) == AFTER_SESSION
    assert survey_words.scale_in(locale)["min_label"] == "Not at all"


def test_an_organisations_own_questions_are_asked_as_written_whatever_the_language():
    edited = {"id": "useful", "text": "How useful was today?"}  # a default id, the organisation's wording
    assert survey_words.questions_in([OWN, edited], "es") == [OWN, edited]
    assert survey_words.prompt_in("Tell your coordinator anything", "es") == "Tell your coordinator anything"


def test_a_default_question_saved_in_spanish_is_still_asked_in_english_to_an_english_reader():
    spanish = survey_words.questions_in(AFTER_SESSION, "es")
    assert survey_words.questions_in(spanish, "en") == AFTER_SESSION


def test_staff_results_name_default_questions_by_their_english_wording_and_say_they_are_default():
    assert survey_words.canonical("useful", "¿Hasta qué punto te resulta útil la mentoría ahora mismo?") == (
        "How useful is your mentoring for you right now?", True)
    assert survey_words.canonical("fun", OWN["text"]) == (OWN["text"], False)


def test_the_web_app_shows_staff_the_same_words_as_participants_read():
    # Staff results and the template editor translate default questions with these keys; a Spanish
    # coordinator who saves the editor's Spanish defaults must still be recognised as saving the defaults.
    for language, words in survey_words.QUESTIONS.items():
        source = (Path(__file__).parents[3] / "web" / "src" / "i18n" / f"{language}.ts").read_text()
        for question_id, text in words.items():
            found = re.search(rf'"survey\.question\.{question_id}": ("(?:[^"\\]|\\.)*")', source)
            assert found and json.loads(found.group(1)) == text, (language, question_id)
        found = re.search(r'"survey\.defaultPrompt": ("(?:[^"\\]|\\.)*")', source)
        assert found and json.loads(found.group(1)) == survey_words.COMMENT_PROMPTS[language], language
