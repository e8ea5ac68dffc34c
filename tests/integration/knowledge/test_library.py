"""The knowledge service over HTTP with real RabbitMQ: reading rules, tenancy, bad input, advice,
and asking the mentor / sharing an article through messaging's moderated path."""

from __future__ import annotations

import uuid

import pytest
from ementor_contracts import GoalCompleted, GoalSet, MatchAccepted, MessageSent, PersonErased
from nameko.standalone.rpc import ClusterRpcProxy

from services.knowledge.service import KnowledgeService
from services.messaging.service import MessagingService
from services.profiles.service import ProfilesService
from tests.integration.video.matches import publish
from tests.support.events import eventually

pytestmark = pytest.mark.integration


def organisation(api, people):
    created = api.create_organisation(f"org-{uuid.uuid4().hex[:8]}")
    coordinator = api.coordinator_token(created["api_key"])
    ids, tokens = {}, {}
    for name, (role, minor) in people.items():
        body = {"role": role, "name": name, "email": f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.org",
                "timezone": "Europe/London", "is_minor": minor, **({"capacity": 2} if role == "mentor" else {})}
        if minor:
            body["consent_recorded_offline"] = {"decision": "grant", "evidence": "signed paper form (test)"}
        response = api.post("/v1/people", coordinator, json=body)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
        tokens[name] = api.person_token(created["api_key"], ids[name])
    return created["id"], coordinator, ids, tokens


def known_person(api, token):
    """Wait until knowledge has seen the person's profile (recommendations need it)."""
    eventually(lambda: _ok(api.get("/v1/articles/recommended", token)))


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def test_readers_see_what_suits_them_and_organisations_keep_their_own(start_services, api, events):
    start_services(ProfilesService, KnowledgeService)
    _, coordinator, _, tokens = organisation(api, {"Ada": ("mentor", False), "Bo": ("mentee", True)})
    _, other_coordinator, _, _ = organisation(api, {})
    known_person(api, tokens["Bo"])

    mentee_ids = {a["id"] for a in _ok(api.get("/v1/articles?limit=500", tokens["Bo"]))["items"]}
    mentor_ids = {a["id"] for a in _ok(api.get("/v1/articles?limit=500", tokens["Ada"]))["items"]}
    assert "personal-statements" in mentee_ids and "safeguarding-duties" not in mentee_ids
    assert "safeguarding-duties" in mentor_ids
    assert api.get("/v1/articles/safeguarding-duties", tokens["Bo"]).status_code == 404
    handbook = _ok(api.post("/v1/advice", tokens["Bo"], json={"question": "what do i do if my mentee discloses abuse"}))
    assert all(a["article_id"] != "responding-to-a-disclosure" for a in handbook["answers"])

    # An adult-only article of the organisation: a minor mentee never sees it.
    draft = api.post("/v1/articles", coordinator, json={
        "title": "Renting your first flat", "summary": "Tenancy deposits.", "audience": "mentees", "min_age": 18,
        "tags": ["money-and-finance"], "body": "Intro.\n\n## Deposits\nA tenancy deposit is protected by law.\n\n"
        "<script>alert('x')</script> and <b>bold</b>"})
    assert draft.status_code == 201, draft.text
    article = draft.json()
    assert article["status"] == "draft" and "<script>" not in article["html"] and "&lt;script&gt;" in article["html"]
    assert api.get(f"/v1/articles/{article['id']}", tokens["Ada"]).status_code == 404  # drafts: staff only
    published = _ok(api.post(f"/v1/articles/{article['id']}/publish", coordinator))
    assert published["version"] == 1
    events.wait_for("ArticlePublished", lambda e: e.data["article_id"] == article["id"])
    assert api.get(f"/v1/articles/{article['id']}", tokens["Ada"]).status_code == 200
    assert api.get(f"/v1/articles/{article['id']}", tokens["Bo"]).status_code == 404
    found = _ok(api.get("/v1/articles/search?q=tenancy deposit", tokens["Ada"]))["items"]
    assert found and found[0]["article_id"] == article["id"]
    # Another organisation never sees it, and cannot change it.
    assert api.get(f"/v1/articles/{article['id']}", other_coordinator).status_code == 404
    assert api.patch(f"/v1/articles/{article['id']}", other_coordinator, json={"title": "x"}).status_code == 404
    assert not [h for h in _ok(api.get("/v1/articles/search?q=tenancy deposit", other_coordinator))["items"]
                if h["article_id"] == article["id"]]

    # Hiding a platform article hides it for this organisation only.
    assert _ok(api.patch("/v1/articles/gap-years", coordinator, json={"hidden": True}))["hidden"] is True
    assert api.get("/v1/articles/gap-years", tokens["Bo"]).status_code == 404
    assert api.get("/v1/articles/gap-years", other_coordinator).status_code == 200
    assert api.delete("/v1/articles/gap-years", coordinator).status_code == 409
    assert api.delete(f"/v1/articles/{article['id']}", coordinator).status_code == 204
    assert api.get(f"/v1/articles/{article['id']}", tokens["Ada"]).status_code == 404


def test_advice_answers_from_the_library_and_bad_questions_get_a_clear_answer(start_services, api, events):
    start_services(ProfilesService, KnowledgeService)
    _, coordinator, _, tokens = organisation(api, {"Bo": ("mentee", True)})
    known_person(api, tokens["Bo"])
    answer = _ok(api.post("/v1/advice", tokens["Bo"], json={"question": "how long is the personal statement"}))
    assert answer["answered"] and answer["answers"][0]["article_id"] == "personal-statements"
    assert answer["answers"][0]["passage"] and answer["answers"][0]["url"].startswith("/v1/articles/")
    asked = events.wait_for("AdviceAsked", lambda e: e.data["answered"])
    assert "how long" not in str(asked[0].data).lower() and "question" not in asked[0].data  # never the text
    spanish = _ok(api.post("/v1/advice", tokens["Bo"], json={"question": "cómo escribo mi declaración personal"}))
    assert spanish["language"] == "es"

    nothing = _ok(api.post("/v1/advice", tokens["Bo"], json={"question": "how do i bake sourdough bread"}))
    assert nothing["answered"] is False and nothing["answers"] == [] and nothing["message"]
    for question in ("你好，我该怎么办", "🙂🙂🙂", "<script>alert(1)</script>", "'; DROP TABLE articles; --"):
        response = api.post("/v1/advice", tokens["Bo"], json={"question": question})
        assert response.status_code == 200, (question, response.text)
    empty = api.post("/v1/advice", tokens["Bo"], json={"question": "   "})
    assert empty.status_code == 422 and "empty" in empty.text
    assert api.post("/v1/advice", tokens["Bo"], json={"question": "x" * 5000}).status_code == 422
    huge = api.post("/v1/advice", tokens["Bo"], json={"question": "x" * 1_000_000})
    assert huge.status_code == 413 and "limit" in huge.json()["error"]["message"]
    stats = _ok(api.get("/v1/advice/stats", coordinator))
    assert stats["questions"] >= 7 and stats["answered"] >= 1 and "sourdough" not in str(stats)
    assert api.get("/v1/advice/stats", tokens["Bo"]).status_code == 403


def test_a_mentee_asks_their_mentor_and_a_mentor_shares_an_article_card(start_services, api, events, amqp_uri):
    start_services(ProfilesService, MessagingService, KnowledgeService)
    org, _, ids, tokens = organisation(api, {"Ada": ("mentor", False), "Bo": ("mentee", True)})
    match_id = uuid.uuid4().hex[:24]
    publish(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=ids["Ada"], mentee_id=ids["Bo"]), org)

    def offered():
        advice = _ok(api.post("/v1/advice", tokens["Bo"], json={"question": "can i vote at sixteen in wales"}))
        assert advice["answered"] is False and advice["ask_mentor"]["match_ids"] == [match_id]
    eventually(offered)
    eventually(lambda: _ok(api.get(f"/v1/matches/{match_id}/conversation", tokens["Bo"])))

    sent = api.post("/v1/advice/ask-mentor", tokens["Bo"], json={"question": "can i vote at sixteen in wales"})
    assert sent.status_code == 201, sent.text
    shared = api.post("/v1/articles/writing-a-cv/share", tokens["Ada"], json={"match_id": match_id})
    assert shared.status_code == 201, shared.text
    events.wait_for("ArticleShared", lambda e: e.data["match_id"] == match_id)
    messages = _ok(api.get(f"/v1/matches/{match_id}/messages", tokens["Bo"]))["items"]
    card = [m for m in messages if m.get("card")]
    assert card and card[0]["card"] == {"kind": "article", "article_id": "writing-a-cv",
                                        "title": _ok(api.get("/v1/articles/writing-a-cv", tokens["Bo"]))["title"]}
    assert any(m["body"] == "can i vote at sixteen in wales" for m in messages)
    # Not their conversation, and a mentee cannot share the mentor handbook or anything into another match.
    assert api.post("/v1/articles/writing-a-cv/share", tokens["Ada"], json={"match_id": "nope"}).status_code == 404
    assert api.post("/v1/articles/writing-a-cv/share", tokens["Bo"], json={"match_id": match_id}).status_code == 403


def test_goals_topics_and_helpful_answers_reach_knowledge_and_go_on_erasure(start_services, api, amqp_uri):
    start_services(ProfilesService, KnowledgeService)
    org, coordinator, ids, tokens = organisation(api, {"Ada": ("mentor", False), "Bo": ("mentee", True)})
    known_person(api, tokens["Bo"])
    match_id = uuid.uuid4().hex[:24]
    publish(amqp_uri, MatchAccepted(match_id=match_id, mentor_id=ids["Ada"], mentee_id=ids["Bo"]), org)
    goal = GoalSet(goal_id=uuid.uuid4().hex[:24], match_id=match_id, set_by=ids["Bo"], topics=["apprenticeships"])
    message = MessageSent(message_id=uuid.uuid4().hex[:24], match_id=match_id, sender_id=ids["Ada"],
                          recipient_id=ids["Bo"], length=40, topics=["interviews"])
    for event in (goal, goal, message, message):  # redelivered: counted once
        publish(amqp_uri, event, org)

    def reasons(token, **query):
        items = _ok(api.get("/v1/articles/recommended?limit=20", token, params=query or None))["items"]
        return {r["text"] for a in items for r in a["reasons"]}, items

    def goal_and_talk_arrived():
        said, items = reasons(tokens["Bo"])
        assert "Fits a goal you are working on: Apprenticeships" in said
        assert "Interviews came up in your conversations lately (once)" in said
        assert "apprenticeships" in items[0]["tags"]  # the open goal comes first
        assert all(a["audience"] != "mentors" and a["min_age"] < 18 for a in items)  # still a minor mentee's
    eventually(goal_and_talk_arrived)
    assert "Interviews came up in your conversations lately (once)" in reasons(coordinator, person_id=ids["Bo"])[0]
    _, other_coordinator, _, _ = organisation(api, {})
    assert api.get(f"/v1/articles/recommended?person_id={ids['Bo']}", other_coordinator).status_code == 404

    publish(amqp_uri, GoalCompleted(goal_id=goal.goal_id, match_id=match_id, completed_by=ids["Bo"]), org)
    eventually(lambda: _no("Fits a goal you are working on: Apprenticeships", reasons(tokens["Bo"])[0]))

    # "Was this helpful?": one answer per reader, the last one counted.
    for helpful in (True, True, False):
        assert api.post("/v1/articles/budgeting/feedback", tokens["Bo"], json={"helpful": helpful}).status_code == 201
    assert _ok(api.get("/v1/articles/budgeting", tokens["Bo"]))["your_feedback"] is False
    assert _ok(api.get("/v1/articles/budgeting", coordinator))["feedback"] == {"helpful": 0, "not_helpful": 1}

    with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as rpc:
        data = rpc.knowledge.export_person(org, ids["Bo"])["data"]
        assert [(a["article_id"], a["helpful"]) for a in data["helpful_answers"]] == [("budgeting", False)]
        assert [m["topics"] for m in data["conversation_topics"]] == [["interviews"]]
        assert [(g["topics"], g["completed"]) for g in data["goal_topics"]] == [(["apprenticeships"], True)]

        publish(amqp_uri, PersonErased(person_id=ids["Bo"], role="mentee"), org)  # as profiles would
        eventually(lambda: _status(api.get(f"/v1/articles/recommended?person_id={ids['Bo']}", coordinator), 404))
        data = rpc.knowledge.export_person(org, ids["Bo"])["data"]
        assert data["conversation_topics"] == [] and data["goal_topics"] == [] and data["helpful_answers"] == []
        assert rpc.knowledge.export_person(org, ids["Ada"])["data"]["conversation_topics"] == []  # the pair's


def _no(text, said):
    assert text not in said


def _status(response, code):
    assert response.status_code == code, response.text
