"""The starter library parses as the knowledge service will read it, and the evaluation questions
point only at passages that exist (content/README.md describes the format)."""
import datetime
import json
import re
import unicodedata
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
LIBRARY = ROOT / "content" / "library"
QUESTIONS = ROOT / "bench" / "data" / "knowledge"

TAGS = {
    "university-applications", "apprenticeships", "careers-and-jobs", "cvs-and-applications",
    "interviews", "study-skills", "money-and-finance", "wellbeing", "work-experience",
    "personal-statements", "online-safety", "mentoring-practice", "safeguarding", "goals",
    "confidence", "networking", "gap-year", "further-education",
}
AUDIENCES = {"mentees", "mentors", "everyone"}
LANGUAGES = {"en", "es"}
FIELDS = {"slug", "title", "summary", "audience", "min_age", "tags", "language", "review_by", "sources"}
HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def section_slug(heading: str) -> str:
    ascii_heading = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_heading.lower()).strip("-")


def parse(path: Path) -> tuple[dict, str, list[tuple[str, str]]]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n(.*)", text, re.DOTALL)
    assert match, f"{path.name}: no YAML front matter between --- lines"
    meta = yaml.safe_load(match.group(1))
    body = match.group(2)
    parts = re.split(r"^## (.+)$", body, flags=re.MULTILINE)
    sections = [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts), 2)]
    return meta, body, sections


ARTICLES = sorted(p for p in LIBRARY.glob("*.md") if p.name != "TAGS.md")
PARSED = {p.stem: parse(p) for p in ARTICLES}


def load_questions(name: str) -> list[dict]:
    lines = (QUESTIONS / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_library_has_the_starter_articles_the_issue_asks_for():
    audiences = [meta["audience"] for meta, _, _ in PARSED.values() if meta["language"] == "en"]
    assert sum(a != "mentors" for a in audiences) >= 40
    assert audiences.count("mentors") >= 8
    assert sum(meta["language"] == "es" for meta, _, _ in PARSED.values()) >= 4


def test_the_tag_file_lists_exactly_the_vocabulary():
    listed = set(re.findall(r"^- `([a-z-]+)`", (LIBRARY / "TAGS.md").read_text(), re.MULTILINE))
    assert listed == TAGS


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_front_matter_is_complete_and_uses_the_vocabulary(path):
    meta, _, _ = PARSED[path.stem]
    assert set(meta) == FIELDS, f"missing {FIELDS - set(meta)}, unknown {set(meta) - FIELDS}"
    assert meta["slug"] == path.stem
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta["slug"])
    assert meta["title"].strip() and meta["summary"].strip()
    assert meta["audience"] in AUDIENCES
    assert isinstance(meta["min_age"], int) and 10 <= meta["min_age"] <= 25
    assert meta["tags"] and set(meta["tags"]) <= TAGS, set(meta["tags"]) - TAGS
    assert meta["language"] in LANGUAGES
    assert meta["slug"].endswith("-es") == (meta["language"] == "es")
    assert isinstance(meta["review_by"], datetime.date)
    assert meta["sources"], "every article cites at least one source"
    for source in meta["sources"]:
        assert set(source) == {"title", "url"} and source["title"].strip()
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?", source["url"]), source["url"]


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.stem)
def test_body_is_plain_markdown_cut_into_standalone_passages(path):
    meta, body, sections = PARSED[path.stem]
    assert not HTML.search(body), f"raw HTML: {HTML.search(body).group(0)}"
    assert not any(HTML.search(str(value)) for value in meta.values())
    assert sections, "at least one '## ' section"
    slugs = [section_slug(heading) for heading, _ in sections]
    assert len(set(slugs)) == len(slugs), "section headings must be unique"
    for heading, text in sections:
        words = len(text.split())
        assert 60 <= words <= 250, f"'{heading}' has {words} words; a passage stands alone in 60-250"


@pytest.mark.parametrize("slug", [s for s in PARSED if s.endswith("-es")])
def test_translations_mirror_their_english_article(slug):
    original = slug.removesuffix("-es")
    assert original in PARSED, f"{slug} translates {original}, which does not exist"
    assert len(PARSED[slug][2]) == len(PARSED[original][2])
    assert PARSED[slug][0]["audience"] == PARSED[original][0]["audience"]


def test_the_section_slug_rule_matches_the_readme():
    assert section_slug("What's a degree apprenticeship?") == "what-s-a-degree-apprenticeship"
    assert section_slug("Cómo pedir ayuda") == "como-pedir-ayuda"
    assert section_slug("  UCAS: dates & deadlines ") == "ucas-dates-deadlines"


PASSAGES = {f"{slug}#{section_slug(h)}" for slug, (_, _, sections) in PARSED.items() for h, _ in sections}


@pytest.mark.parametrize("name, minimum", [("questions-tune.jsonl", 50), ("questions-heldout.jsonl", 200)])
def test_question_sets_are_labelled_with_passages_that_exist(name, minimum):
    questions = load_questions(name)
    assert len(questions) >= minimum
    for q in questions:
        assert set(q) == {"question", "passages", "language"}, q
        assert q["question"].strip() and q["language"] in LANGUAGES
        missing = set(q["passages"]) - PASSAGES
        assert not missing, f"{q['question']!r} points at passages that do not exist: {missing}"
        for passage in q["passages"]:
            assert PARSED[passage.split("#")[0]][0]["language"] == q["language"], q
    unanswerable = sum(not q["passages"] for q in questions) / len(questions)
    assert 0.10 <= unanswerable <= 0.25, f"{unanswerable:.0%} have no answer; aim for about 15%"
    assert sum(q["language"] == "es" for q in questions) >= 3


def test_every_article_answers_at_least_one_held_out_question():
    answered = {p.split("#")[0] for q in load_questions("questions-heldout.jsonl") for p in q["passages"]}
    assert set(PARSED) - answered == set()


def test_held_out_questions_are_not_copies_of_tuning_questions():
    def normal(text):
        return re.sub(r"\W+", " ", text.lower()).strip()
    tune = {normal(q["question"]) for q in load_questions("questions-tune.jsonl")}
    assert not tune & {normal(q["question"]) for q in load_questions("questions-heldout.jsonl")}
