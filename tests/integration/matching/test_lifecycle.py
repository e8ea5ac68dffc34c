"""The match lifecycle over HTTP: propose, accept (twice is fine), active, decline, end; and the 409s."""

from __future__ import annotations

import pytest

from .conftest import make_org, wait_for_mentors

pytestmark = pytest.mark.integration


def post(api, path, token, body=None):
    return api.post(path, token, json=body or {})


def test_a_match_is_active_once_both_accept_and_ends_for_good(org, api, events):
    org.add("Ada", "mentor", interests=["robotics", "music"], capacity=2)
    org.add("Cy", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])

    proposed = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert proposed.status_code == 201, proposed.text
    match = proposed.json()
    assert match["status"] == "proposed" and match["programme_id"] == org.programme_id
    assert match["score"] == round(sum(p["contribution"] for p in match["reasons"].values()), 4) > 0
    event = events.wait_for("MatchProposed", lambda e: e.subject == match["id"])[0]
    assert event.tenantid == org.organisation_id and event.data["proposed_by"] == "coordinator"
    assert event.data["score"] == match["score"]

    path = f"/v1/matches/{match['id']}"
    first = post(api, f"{path}/accept", org.token_for("Cy"))
    assert first.status_code == 200 and first.json()["status"] == "proposed" and first.json()["mentee_accepted"]
    again = post(api, f"{path}/accept", org.token_for("Cy"))
    assert again.status_code == 200 and again.json() == first.json()  # accepting twice changes nothing

    no_side = post(api, f"{path}/accept", org.token)
    assert no_side.status_code == 422 and no_side.json()["error"]["details"][0]["field"] == "person_id"
    active = post(api, f"{path}/accept", org.token, {"person_id": org.id("Ada")})  # a coordinator, for the mentor
    assert active.status_code == 200 and active.json()["status"] == "active" and active.json()["accepted_at"]
    assert post(api, f"{path}/accept", org.token_for("Ada")).json()["status"] == "active"
    accepted = events.wait_for("MatchAccepted", lambda e: e.subject == match["id"])
    assert len(accepted) == 1 and accepted[0].data["mentor_id"] == org.id("Ada")

    listed = api.get(f"/v1/matches?person_id={org.id('Cy')}&status=active", org.token).json()
    assert [m["id"] for m in listed["items"]] == [match["id"]] and listed["next_cursor"] is None
    mine = api.get("/v1/matches", org.token_for("Ada")).json()["items"]
    assert [m["id"] for m in mine] == [match["id"]]
    assert api.get(f"/v1/matches?person_id={org.id('Cy')}", org.token_for("Ada")).status_code == 403

    decline_active = post(api, f"{path}/decline", org.token_for("Ada"), {"reason": "changed my mind"})
    assert decline_active.status_code == 409 and decline_active.json()["error"]["code"] == "match_not_proposed"
    ended = post(api, f"{path}/end", org.token_for("Ada"), {"reason": "programme finished"})
    assert ended.status_code == 200 and ended.json()["status"] == "ended" and ended.json()["ended_by"] == org.id("Ada")
    assert post(api, f"{path}/end", org.token_for("Cy")).json()["status"] == "ended"  # ending twice: no change
    ended_event = events.wait_for("MatchEnded", lambda e: e.subject == match["id"])
    assert len(ended_event) == 1 and ended_event[0].data["reason"] == "programme finished"

    accept_ended = post(api, f"{path}/accept", org.token_for("Cy"))
    assert accept_ended.status_code == 409 and accept_ended.json()["error"]["details"] == {"status": "ended"}
    repeat = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert repeat.status_code == 409 and repeat.json()["error"]["code"] == "repeat_pair"


def test_a_declined_match_needs_a_reason_and_is_never_proposed_again(org, api, events):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Bea", "mentor", interests=["robotics"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])
    items = wait_for_mentors(org, "Cy", ["Ada", "Bea"])["items"]

    match = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}).json()
    path = f"/v1/matches/{match['id']}"
    no_reason = post(api, f"{path}/decline", org.token_for("Ada"))
    assert no_reason.status_code == 422 and no_reason.json()["error"]["details"][0]["field"] == "reason"
    declined = post(api, f"{path}/decline", org.token_for("Ada"), {"reason": "Schedules do not overlap"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert declined.json()["decline_reason"] == "Schedules do not overlap"
    event = events.wait_for("MatchDeclined", lambda e: e.subject == match["id"])[0]
    assert event.data == {"match_id": match["id"], "mentee_id": org.id("Cy"), "mentor_id": org.id("Ada"),
                          "declined_by": org.id("Ada"), "reason": "Schedules do not overlap"}
    assert post(api, f"{path}/decline", org.token_for("Cy"), {"reason": "x"}).json()["declined_by"] == org.id("Ada")

    late = post(api, f"{path}/accept", org.token_for("Cy"))
    assert late.status_code == 409 and late.json()["error"]["code"] == "match_not_proposed"
    ended = post(api, f"{path}/end", org.token)
    assert ended.status_code == 409 and ended.json()["error"]["code"] == "match_not_active"
    repeat = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert repeat.status_code == 409 and repeat.json()["error"]["code"] == "repeat_pair"
    after = api.get(f"/v1/people/{org.id('Cy')}/recommendations", org.token).json()["items"]
    assert [i["mentor_id"] for i in after] == [org.id("Bea")]  # the declined mentor is no longer recommended
    assert len(items) == 2


def test_a_mentee_chooses_a_mentor_and_the_rules_still_hold(org, api):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Unvetted", "mentor", interests=["robotics"], capacity=3)
    org.add("Cy", "mentee", interests=["robotics"])
    org.add("Di", "mentee", interests=["robotics"])
    org.add("Kid", "mentee", interests=["robotics"], is_minor=True)
    wait_for_mentors(org, "Cy", ["Ada", "Unvetted"])
    wait_for_mentors(org, "Di", ["Ada"])

    for_someone_else = post(api, "/v1/matches", org.token_for("Cy"), {"mentee_id": org.id("Di"), "mentor_id": org.id("Ada")})
    assert for_someone_else.status_code == 403
    by_a_mentor = post(api, "/v1/matches", org.token_for("Ada"), {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert by_a_mentor.status_code == 403

    chosen = post(api, "/v1/matches", org.token_for("Cy"), {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")})
    assert chosen.status_code == 201 and chosen.json()["proposed_by"] == org.id("Cy")
    assert chosen.json()["mentee_accepted"] is True  # choosing is saying yes
    twice = post(api, "/v1/matches", org.token_for("Cy"), {"mentee_id": org.id("Cy"), "mentor_id": org.id("Unvetted")})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "mentee_already_matched"
    assert twice.json()["error"]["details"] == {"match_id": chosen.json()["id"]}
    active = post(api, f"/v1/matches/{chosen.json()['id']}/accept", org.token_for("Ada"))
    assert active.json()["status"] == "active"

    full = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Di"), "mentor_id": org.id("Ada")})
    assert full.status_code == 409 and full.json()["error"]["code"] == "mentor_at_capacity"
    assert full.json()["error"]["details"] == {"capacity": 1, "active": 1}
    unsafe = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Kid"), "mentor_id": org.id("Unvetted")})
    assert unsafe.status_code == 409 and unsafe.json()["error"]["code"] == "mentor_not_vetted"
    swapped = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Ada"), "mentor_id": org.id("Cy")})
    assert swapped.status_code == 422 and swapped.json()["error"]["code"] == "not_a_mentee"
    unknown = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Di"), "mentor_id": "000000000000000000000000"})
    assert unknown.status_code == 404


def test_another_organisation_can_neither_see_nor_touch_a_match(org, api):
    org.add("Ada", "mentor", interests=["robotics"], capacity=1)
    org.add("Cy", "mentee", interests=["robotics"])
    wait_for_mentors(org, "Cy", ["Ada"])
    match = post(api, "/v1/matches", org.token, {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}).json()
    stranger = make_org(api, "stranger")
    stranger.add("Eve", "mentee", interests=["robotics"])

    for method, path, body in [
        ("GET", f"/v1/matches/{match['id']}", None),
        ("POST", f"/v1/matches/{match['id']}/accept", {"person_id": org.id("Ada")}),
        ("POST", f"/v1/matches/{match['id']}/decline", {"reason": "no"}),
        ("POST", f"/v1/matches/{match['id']}/end", {}),
        ("GET", f"/v1/matches/{match['id']}/goals", None),
        ("POST", "/v1/matches", {"mentee_id": org.id("Cy"), "mentor_id": org.id("Ada")}),
    ]:
        response = api.request(method, path, stranger.token, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
    outsider = api.get(f"/v1/matches/{match['id']}", stranger.token_for("Eve"))
    assert outsider.status_code == 404
    assert api.get(f"/v1/matches/{match['id']}", org.token).json()["status"] == "proposed"  # untouched
    assert api.get("/v1/matches", stranger.token).json()["items"] == []
