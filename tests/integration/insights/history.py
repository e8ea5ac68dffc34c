"""A small, known history of one organisation as the events other services publish (for the tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ementor_contracts import (
    AdviceAsked,
    ArticleRated,
    ArticleRead,
    GoalCompleted,
    GoalSet,
    MatchAccepted,
    MatchEnded,
    MatchProposed,
    MessageApproved,
    MessageHeld,
    MessageSent,
    NotificationSent,
    ProfileCreated,
    SessionCancelled,
    SessionRescheduled,
    SessionScheduled,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
PROGRAMME = "6650000000000000000000aa"
MENTOR, MENTEE, MATCH = "6650000000000000000000b1", "6650000000000000000000b2", "6650000000000000000000c1"


def profile(person_id: str, role: str) -> ProfileCreated:
    return ProfileCreated(person_id=person_id, role=role, programme_id=PROGRAMME, timezone="Europe/London",
                          languages=["en"], interests=["engineering"], capacity=2 if role == "mentor" else 0, is_minor=False, vetted=True,
                          channels={"email": True, "sms": False})


def message(n: int, sender: str, topics=()) -> MessageSent:
    recipient = MENTEE if sender == MENTOR else MENTOR
    return MessageSent(message_id=f"m{n:04d}", match_id=MATCH, sender_id=sender, recipient_id=recipient,
                       length=40, topics=list(topics))


def history() -> list[tuple[object, datetime]]:
    """(event, time): register, match, talk (with one held message), meet, set goals, be nudged, end."""
    h = T0
    events = [(profile(MENTOR, "mentor"), h), (profile(MENTEE, "mentee"), h + timedelta(hours=1)),
              (MatchProposed(match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE, programme_id=PROGRAMME,
                             proposed_by="coordinator", score=0.8), h + timedelta(days=1)),
              (MatchAccepted(match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE, programme_id=PROGRAMME),
               h + timedelta(days=2))]
    start = h + timedelta(days=2, hours=1)
    # mentor, mentee (2 h later), mentee again, mentor (a day later), then a week later the mentee.
    talk = [(MENTOR, 0, ()), (MENTEE, 2, ("university-applications",)), (MENTEE, 3, ()), (MENTOR, 27, ("goals",)),
            (MENTEE, 27 + 24 * 7, ("university-applications", "personal-statements"))]
    for n, (sender, hours, topics) in enumerate(talk):
        events.append((message(n, sender, topics), start + timedelta(hours=hours)))
    events += [
        (MessageHeld(message_id="held1", match_id=MATCH, sender_id=MENTEE, recipient_id=MENTOR,
                     reasons=["contact_details"]), start + timedelta(hours=5)),
        (MessageApproved(message_id="held1", match_id=MATCH, sender_id=MENTEE, recipient_id=MENTOR,
                         moderator_id="coordinator"), start + timedelta(hours=7)),
    ]
    s1 = start + timedelta(days=3)
    events += [
        (SessionScheduled(session_id="s1", match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE, starts_at=s1,
                          ends_at=s1 + timedelta(minutes=45), sequence=0), start + timedelta(hours=30)),
        (SessionRescheduled(session_id="s1", match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE,
                            starts_at=s1 + timedelta(days=1), ends_at=s1 + timedelta(days=1, minutes=45),
                            sequence=1, previous_starts_at=s1), start + timedelta(hours=31)),
        (SessionScheduled(session_id="s2", match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE,
                          starts_at=s1 + timedelta(days=7), ends_at=s1 + timedelta(days=7, minutes=45), sequence=0),
         start + timedelta(hours=32)),
        (SessionCancelled(session_id="s2", match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE,
                          starts_at=s1 + timedelta(days=7), cancelled_by=MENTEE, sequence=1),
         start + timedelta(hours=33)),
        (GoalSet(goal_id="g1", match_id=MATCH, set_by=MENTOR), start + timedelta(hours=28)),
        (GoalSet(goal_id="g2", match_id=MATCH, set_by=MENTEE), start + timedelta(hours=29)),
        (GoalCompleted(goal_id="g1", match_id=MATCH, completed_by=MENTEE), start + timedelta(days=6)),
        (NotificationSent(notification_id="n1", person_id=MENTEE, channel="email", cause_event_id="risk1",
                          cause_event_type="RelationshipAtRisk"), start + timedelta(days=5)),
        (NotificationSent(notification_id="n2", person_id=MENTOR, channel="email", cause_event_id="risk1",
                          cause_event_type="RelationshipAtRisk"), start + timedelta(days=5)),
        (MatchEnded(match_id=MATCH, mentor_id=MENTOR, mentee_id=MENTEE, ended_by="coordinator"),
         start + timedelta(days=30)),
    ]
    return events


READERS = [f"66500000000000000000{n:04x}" for n in range(6)]  # six mentees of the programme besides MENTEE


def library_use() -> list[tuple[object, datetime]]:
    """In the first week: seven people open the CV article (one of them three times, as a browser refetches),
    two open the budgeting one; the mentee says the CV article helped, then changes their mind; another reader
    says yes; two questions are asked, one answered. Needs `profile(MENTEE)` first for the programme."""
    h = T0 + timedelta(days=1)
    cv, budget = "writing-a-cv", "budgeting"

    def read(article: str, reader: str, role: str = "mentee") -> ArticleRead:
        return ArticleRead(article_id=article, title="Writing your first CV" if article == cv else "Budgeting",
                           reader_id=reader, reader_role=role, programme_id=PROGRAMME)

    def rated(reader: str, helpful: bool, seq: int) -> ArticleRated:
        return ArticleRated(article_id=cv, reader_id=reader, reader_role="mentee", programme_id=PROGRAMME,
                            helpful=helpful, answer_seq=seq)

    events = [(read(cv, MENTEE), h)] * 3 + [(read(cv, MENTOR, "mentor"), h)]
    events += [(read(cv, r), h + timedelta(hours=n)) for n, r in enumerate(READERS[:5])]
    events += [(read(budget, r), h) for r in READERS[:2]]
    events += [(rated(MENTEE, True, 1), h + timedelta(hours=1)), (rated(MENTEE, False, 2), h + timedelta(hours=2)),
               (rated(READERS[0], True, 1), h + timedelta(hours=3))]
    events += [(AdviceAsked(question_id="q1", asker_role="mentee", answered=True, article_ids=[cv], language="en",
                            programme_id=PROGRAMME), h),
               (AdviceAsked(question_id="q2", asker_role="mentee", answered=False, article_ids=[], language="en",
                            programme_id=PROGRAMME), h + timedelta(hours=4))]
    return events
