"""Search, advice, recommendations and the aggregate view of questions asked.

Answers are extractive: a passage as written in an article, with its article and section. A
question is stored without its asker, for statistics only; its event carries no text.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from ementor_contracts import AdviceAsked

from ementor.platform.errors import Forbidden, NotFound
from ementor.platform.principal import Principal

from . import ranker, schemas, text, topic_taxonomy
from .catalogue import Catalogue
from .documents import TOPIC_WINDOW_DAYS, Question, utcnow
from .handlers import reader_of, summary_view
from .repository import KnowledgeRepository
from .rules import reader_for, recommend

ANSWERS = 3
THEME_MIN_QUESTIONS = 3  # a theme is a word at least this many unanswered questions share: never one question
THEMES = 10
ANSWERED = {
    "en": "These passages from the library answer your question.",
    "es": "Estos fragmentos de la biblioteca responden a tu pregunta.",
}
NOT_ANSWERED = {
    "en": "The library has no good answer to this question. You can send it to your mentor instead.",
    "es": "La biblioteca no tiene una buena respuesta. Puedes enviar la pregunta a tu mentor.",
}
UNREADABLE = "There are no words in this question that the library can search for; try asking in English or Spanish."


def hit_view(hit: ranker.Hit) -> schemas.PassageHit:
    return schemas.PassageHit(
        article_id=hit.article.id, title=hit.article.title, passage=hit.passage.text, score=round(hit.score, 4),
        section=hit.passage.section, passage_id=hit.passage.id,
        url=f"/v1/articles/{hit.article.id}#{hit.passage.section_slug}")


def search(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, query: str, limit: int) -> list[ranker.Hit]:
    library = catalogue.of(repo, auth.tenant_id)
    return library.index.search(query, library.allowed(reader_of(repo, auth)), k=limit)


def ask(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal, question: str) -> schemas.Advice:
    language = text.detect_language(question)
    hits = search(repo, catalogue, auth, question, ANSWERS) if text.is_readable(question) else []
    answered = ranker.answers_well(hits)
    shown = hits if answered else []
    role = auth.role if auth.is_person else "staff"
    person = repo.person(auth.tenant_id, auth.person_id) if auth.is_person else None
    record = Question(tenant_id=auth.tenant_id, text=question, language=language, asker_role=role,
                      answered=answered, article_ids=[h.article.id for h in shown])
    record.record(AdviceAsked(question_id=record.id, asker_role=role, answered=answered,
                              article_ids=list(dict.fromkeys(h.article.id for h in shown)), language=language,
                              programme_id=(person.programme_id or None) if person else None))
    repo.add_question(record)
    if answered:
        message = ANSWERED[language]
    elif not text.is_readable(question):
        message = UNREADABLE
    else:
        message = NOT_ANSWERED[language]
    offer = None
    if not answered and auth.role == "mentee":
        matches = repo.active_matches_of(auth.tenant_id, auth.person_id, "mentee")
        if matches:
            offer = schemas.AskMentorOffer(path="/v1/advice/ask-mentor", match_ids=[m.match_id for m in matches])
    return schemas.Advice(answers=[hit_view(h) for h in shown], answered=answered, language=language,
                          message=message, ask_mentor=offer)


def conversation_for(repo: KnowledgeRepository, auth: Principal, match_id: str | None) -> str:
    """The active conversation a person's message goes to: the one named, or their only one."""
    matches = [m.match_id for m in repo.active_matches_of(auth.tenant_id, auth.person_id, auth.role)]
    if match_id:
        if match_id not in matches:
            raise NotFound(f"no active conversation {match_id} of yours")
        return match_id
    if not matches:
        raise NotFound("you have no active conversation with a mentor to send this to")
    if len(matches) > 1:
        raise Forbidden("you have several conversations: say which with match_id", code="match_id_required")
    return matches[0]


def recommended(repo: KnowledgeRepository, catalogue: Catalogue, auth: Principal,
                query: schemas.RecommendedQuery) -> schemas.RecommendedList:
    person_id = query.person_id or auth.person_id
    if not person_id or not auth.may_act_for(person_id):
        raise NotFound(f"no person {person_id} in this organisation")
    person = repo.person(auth.tenant_id, person_id)
    if person is None:
        raise NotFound(f"no person {person_id} known to the library yet")
    library = catalogue.of(repo, auth.tenant_id)
    reader = reader_of(repo, auth) if auth.is_person else reader_of_person(person)
    language = next((lang for lang in person.languages if lang in ("en", "es")), "en")
    readable = {a.id: a for a in library.readable(reader)}  # audience, age and hidden rules first
    tags = {a.id: a.tags for a in readable.values() if a.language == language}
    matches = [m.match_id for m in repo.active_matches_of(auth.tenant_id, person_id, person.role)]
    goals = repo.open_goal_topics(auth.tenant_id, matches)
    talk = repo.recent_topics(auth.tenant_id, person_id, utcnow() - timedelta(days=TOPIC_WINDOW_DAYS))
    picks = recommend(list(person.interests), tags, query.limit, goals=goals, conversations=talk,
                      labels=topic_taxonomy.STORE.labels(auth.tenant_id))
    return schemas.RecommendedList(items=[
        schemas.RecommendedArticle(**summary_view(readable[p.article_id]).model_dump(), reasons=[
            schemas.RecommendationReason(kind=r.kind, tag=r.tag, text=r.text) for r in p.reasons])
        for p in picks])


def reader_of_person(person):
    return reader_for(person.role, person.is_minor, staff=False)


def stats(repo: KnowledgeRepository, auth: Principal, days: int) -> schemas.AdviceStats:
    until = utcnow()
    rows = repo.questions_between(auth.tenant_id, until - timedelta(days=days), until + timedelta(seconds=1))
    answered = sum(1 for r in rows if r.get("answered"))
    articles = Counter(a for r in rows for a in r.get("article_ids", []))
    return schemas.AdviceStats(
        questions=len(rows), answered=answered, answered_rate=round(answered / len(rows), 3) if rows else None,
        by_language=dict(Counter(r.get("language", "en") for r in rows)),
        by_role=dict(Counter(r.get("asker_role", "") for r in rows)),
        top_articles=[schemas.CountedArticle(article_id=a, count=c) for a, c in articles.most_common(10)],
        unanswered_themes=unanswered_themes(repo.unanswered_texts(
            auth.tenant_id, until - timedelta(days=days), until + timedelta(seconds=1))))


def unanswered_themes(rows: list[dict]) -> list[schemas.Theme]:
    """Words (stemmed, stop words out) that several unanswered questions share, shown as most often typed.

    Counted once per question, and kept only when THEME_MIN_QUESTIONS questions share one, so a
    theme says what the library lacks without ever showing what one person asked.
    """
    questions: Counter[str] = Counter()
    spelt: dict[str, Counter[str]] = {}
    for row in rows:
        language = row.get("language") if row.get("language") in ("en", "es") else "en"
        stop = text.EN_STOP if language == "en" else text.ES_STOP
        seen: set[str] = set()
        for word in text.words(row.get("text", "")):
            if word in stop or len(word) < 3 or word.isdigit():
                continue
            term = f"{language}:{text.stem(word, language)}"
            spelt.setdefault(term, Counter())[word] += 1
            seen.add(term)
        questions.update(seen)
    common = [(t, n) for t, n in questions.items() if n >= THEME_MIN_QUESTIONS]
    common.sort(key=lambda tn: (-tn[1], tn[0]))
    return [schemas.Theme(word=spelt[t].most_common(1)[0][0], questions=n) for t, n in common[:THEMES]]
