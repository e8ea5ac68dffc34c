"""Topic labels on the insights page: the API names a default topic as the platform does, and the web app
translates exactly those labels (web/src/insights/topics.ts compares them with en.ts `tag.<id>`)."""

import json
import re
from pathlib import Path

from ementor.platform.topics import DEFAULT_TAXONOMY, SMALL_TALK
from services.insights.handlers import _labels

I18N = Path(__file__).parents[3] / "web" / "src" / "i18n"


def catalogue(language: str) -> dict[str, str]:
    source = (I18N / f"{language}.ts").read_text()
    return {key: json.loads(text) for key, text in re.findall(r'"(tag\.[a-z-]+)": ("(?:[^"\\]|\\.)*")', source)}


def test_default_topics_are_named_with_the_platforms_labels_and_an_organisations_own_by_its_id():
    labels = _labels(["cvs-and-applications", "university-applications", SMALL_TALK, "driving-lessons"])
    assert labels == {"cvs-and-applications": "CVs and applications", "university-applications":
                      "University applications", SMALL_TALK: "Small talk", "driving-lessons": "Driving lessons"}


def test_the_web_app_knows_every_default_topic_label_the_api_gives_and_has_spanish_for_each():
    english, spanish = catalogue("en"), catalogue("es")
    for topic, label in _labels([*DEFAULT_TAXONOMY, SMALL_TALK]).items():
        assert english.get(f"tag.{topic}") == label, topic  # else the Spanish UI would show it in English
        assert spanish.get(f"tag.{topic}") not in (None, label), topic
    assert spanish["tag.university-applications"] == "Solicitudes a la universidad"
