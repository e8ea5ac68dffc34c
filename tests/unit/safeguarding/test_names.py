"""A lead's view names the match's two people in one look-up, and still answers when profiles is away."""

from __future__ import annotations

from datetime import UTC, datetime

from services.safeguarding import handlers, schemas


def _view(cid: str, mentor: str | None, mentee: str | None) -> schemas.ConcernView:
    now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    return schemas.ConcernView(
        id=cid, status="open", category="bullying", match_id="m1" if mentor else None, created_at=now, message="",
        serious=False, message_id=None, mentor_id=mentor, mentee_id=mentee, details=None, raised_by="person:p2",
        raised_via="participant", acknowledged_at=None, acknowledged_by=None, resolved_at=None, resolved_by=None,
        decision=None, reason=None, suspended_person_id=None, next_alert_at=now, escalation=[])


def test_a_page_of_concerns_is_named_with_one_look_up():
    asked = []

    def names(ids):
        asked.append(ids)
        return {"p1": "Ada", "p2": "Bo"}

    page = schemas.ConcernList(items=[_view("c1", "p1", "p2"), _view("c2", None, None)], next_cursor=None)
    named = handlers.with_names(page, names)
    assert [(c.mentor_name, c.mentee_name) for c in named.items] == [("Ada", "Bo"), (None, None)]
    assert asked == [["p1", "p2"]]


def test_without_an_answer_from_profiles_the_names_are_null_not_an_error():
    named = handlers.with_names(_view("c1", "p1", "p2"), lambda ids: {})
    assert (named.mentor_name, named.mentee_name) == (None, None)


def test_a_concern_about_no_match_asks_nobody():
    def refuse(ids):
        raise AssertionError("no look-up expected")

    assert handlers.with_names(_view("c1", None, None), refuse).mentor_name is None
