"""The projections against the MongoDB fixture: replays and any order give the same counters."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from ementor_contracts import PersonErased

from ementor.platform import mongo
from ementor.platform.principal import Principal
from services.insights import handlers, intake
from services.insights.documents import DOCUMENTS, Bucket, Fact, Match
from services.insights.repository import InsightsRepository
from tests.integration.insights.history import (
    MATCH,
    MENTEE,
    MENTOR,
    PROGRAMME,
    T0,
    history,
    library_use,
    profile,
)

pytestmark = pytest.mark.integration

TENANT = "t1"
NOW = T0 + timedelta(days=60)


@pytest.fixture
def repo(mongodb):
    mongo.open_database("insights", mongodb, DOCUMENTS)
    return InsightsRepository()


def snapshot() -> dict:
    """Every counter and every match's own totals, as a report would read them."""
    buckets = {b["_id"]: {k: round(v, 6) for k, v in b.get("c", {}).items() if v}
               for b in Bucket.raw().find({"tenant_id": TENANT})}
    matches = {m["_id"]: ({k: round(v, 6) for k, v in m.get("counters", {}).items() if v}, m.get("status"),
                          m.get("last_message_at"), m.get("first_message_at"))
               for m in Match.raw().find({"tenant_id": TENANT})}
    return {"buckets": {k: v for k, v in buckets.items() if v}, "matches": matches}


def feed(repo, events):
    for event, at in events:
        intake.apply(repo, TENANT, event, at, NOW)


def test_in_order_history_gives_the_counts_a_coordinator_expects(repo):
    feed(repo, history())
    programme = {b["period"]: b["c"] for b in Bucket.raw().find({"tenant_id": TENANT, "scope": f"p:{PROGRAMME}"})}
    assert sum(b.get("messages", 0) for b in programme.values()) == 5
    week1 = programme[T0.date().isoformat()]
    assert week1["messages"] == 4 and week1["replies"] == 2  # mentee answered, then the mentor answered
    assert week1["first_responses"] == 1 and week1["first_response_seconds"] == 2 * 3600
    assert week1["reply_seconds"] == 2 * 3600 + 24 * 3600
    assert week1["funnel_registered_mentee"] == 1 and week1["funnel_active_mentee"] == 1
    assert week1["goals_set"] == 2 and week1["matches_started"] == 1
    assert week1["moderation_held"] == 1 and week1["moderation_approved"] == 1
    assert week1["decision_seconds"] == 2 * 3600
    week2 = programme[(T0 + timedelta(days=7)).date().isoformat()]
    assert week2["nudges_sent"] == 1 and week2["nudges_followed"] == 1  # one nudge, though it reached both
    assert week1["topic_messages:university-applications"] == 1
    sessions = {k: sum(b.get(k, 0) for b in programme.values())
                for k in ("sessions_scheduled", "sessions_rescheduled", "sessions_cancelled", "sessions_due")}
    assert sessions == {"sessions_scheduled": 2, "sessions_rescheduled": 1, "sessions_cancelled": 1, "sessions_due": 1}
    match = Match.raw().find_one({"tenant_id": TENANT, "match_id": MATCH})
    assert match["status"] == "ended"
    assert match["counters"]["mentor_messages"] == 2 and match["counters"]["mentee_messages"] == 3
    assert match["counters"]["nudges_followed"] == 1  # the mentee wrote within the week after the nudge


def test_a_replayed_history_changes_nothing(repo):
    events = history()
    feed(repo, events)
    before = snapshot()
    feed(repo, events)
    feed(repo, events[::3])
    assert snapshot() == before


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_order_gives_the_same_counters_as_the_right_order(repo, seed):
    events = history()
    feed(repo, events)
    expected = snapshot()
    for collection in (Bucket, Fact, Match):
        collection.drop_collection()
    shuffled = events[:]
    random.Random(seed).shuffle(shuffled)
    feed(repo, shuffled)
    got = snapshot()
    _debug_diff(got, expected)
    assert got == expected


def _debug_diff(a, b):
    for part in ("buckets", "matches"):
        for k in sorted(set(a[part]) | set(b[part])):
            if a[part].get(k) != b[part].get(k):
                print(part, k, "\n  got ", a[part].get(k), "\n  want", b[part].get(k))


def test_a_quiet_match_comes_due_and_is_announced_once_per_quiet_spell(repo):
    from ementor_contracts import MatchAccepted, MessageSent

    from services.insights import announcing

    now = T0 + timedelta(days=40)
    intake.apply(repo, TENANT, MatchAccepted(match_id="q", mentor_id="a", mentee_id="b"), T0, now)
    intake.apply(repo, TENANT, MessageSent(message_id="x", match_id="q", sender_id="a", recipient_id="b", length=3),
                 T0 + timedelta(days=1), now)
    match = Match.raw().find_one({"tenant_id": TENANT, "match_id": "q"})
    assert match["risk_pending"] is True and match["risk_at"] is not None
    assert announcing.announce_due(repo, now) == 1
    assert announcing.announce_due(repo, now + timedelta(days=1)) == 0
    [pending] = Match.raw().find_one({"tenant_id": TENANT, "match_id": "q"})["outbox"]
    assert pending["type"] == "RelationshipAtRisk"
    # A reply starts a new spell: once that goes quiet too, a second announcement.
    intake.apply(repo, TENANT, MessageSent(message_id="y", match_id="q", sender_id="b", recipient_id="a", length=3),
                 now + timedelta(days=1), now + timedelta(days=1))
    assert Match.raw().find_one({"tenant_id": TENANT, "match_id": "q"})["score"] >= 50
    assert announcing.announce_due(repo, now + timedelta(days=40)) == 1


@pytest.mark.parametrize("seed", [None, 1, 2])
def test_library_use_counts_each_reader_once_and_their_latest_answer_whatever_the_order(repo, seed):
    events = library_use() * 2  # every event delivered twice
    if seed is not None:
        random.Random(seed).shuffle(events)
    feed(repo, [(profile(MENTOR, "mentor"), T0), (profile(MENTEE, "mentee"), T0), *events])
    coordinator = Principal(role="coordinator", tenant_id=TENANT, staff_id="s1")
    reading = handlers.overview(repo, coordinator, PROGRAMME, T0.date(), T0.date() + timedelta(days=6))["reading"]
    assert reading["articles"] == [{"article_id": "writing-a-cv", "title": "Writing your first CV", "readers": 7,
                                    "helpful": 1, "not_helpful": 1}]  # the mentee's yes became a no
    assert reading["articles_suppressed"] == 1  # budgeting: two readers are too few to name
    assert (reading["articles_read"], reading["articles_read_by_mentees"], reading["articles_read_by_mentors"]) == (9, 8, 1)
    assert (reading["helpful"], reading["not_helpful"]) == (1, 1)
    assert (reading["questions_asked"], reading["questions_answered"]) == (2, 1)
    rows = handlers.export_rows(repo, coordinator, "articles", PROGRAMME, T0.date(), T0.date() + timedelta(days=6))
    assert rows == reading["articles"]


def test_erasure_forgets_what_a_person_read_but_not_the_totals(repo):
    feed(repo, [(profile(MENTEE, "mentee"), T0), *library_use()])
    assert len(repo.facts_of_person(TENANT, MENTEE, "read")) == 1
    intake.apply(repo, TENANT, PersonErased(person_id=MENTEE, role="mentee"), NOW, NOW)
    assert repo.facts_of_person(TENANT, MENTEE, "read") == repo.facts_of_person(TENANT, MENTEE, "rating") == []
    coordinator = Principal(role="coordinator", tenant_id=TENANT, staff_id="s1")
    reading = handlers.overview(repo, coordinator, None, T0.date(), T0.date() + timedelta(days=6))["reading"]
    assert reading["articles"][0]["readers"] == 7


def test_a_bucket_another_replica_created_first_still_gets_this_events_counts(repo, monkeypatch):
    """The counters go out as one unordered bulk of upserts; when a concurrent first increment wins the
    insert of one bucket (MongoDB answers E11000 for that one only), its count is added to that bucket."""
    from pymongo.errors import BulkWriteError

    collection = type(Bucket.raw()._collection)
    bulk_write = collection.bulk_write

    def raced(self, requests, **kwargs):
        monkeypatch.setattr(collection, "bulk_write", bulk_write)  # only this first bulk loses a race
        first, rest = requests[0], requests[1:]
        self.insert_one({**first._filter, "scope": "org", "period": "all", "c": {"messages": 5}})
        bulk_write(self, rest, **kwargs)
        raise BulkWriteError({"writeErrors": [{"index": 0, "code": 11000, "errmsg": "E11000 duplicate key"}],
                              "nInserted": 0, "nUpserted": len(rest)})

    monkeypatch.setattr(collection, "bulk_write", raced)
    repo.apply(TENANT, None, {"org|all|messages": 1, "org|2026-W01|messages": 1})
    counts = {b["_id"]: b["c"]["messages"] for b in Bucket.raw().find({"tenant_id": TENANT})}
    assert counts == {f"{TENANT}|org|all": 6, f"{TENANT}|org|2026-W01": 1}
