"""The delivery log and the organisation's notification settings, over the API."""

import pytest
from bson import ObjectId
from ementor_contracts import MatchAccepted

from tests.integration.notifications._publish import publish
from tests.integration.notifications.conftest import Organisation

pytestmark = pytest.mark.integration


def test_the_delivery_log_shows_each_person_their_own(org, amqp_uri, events, api):
    mentor, mentee = org.person("Ada Lovelace", "mentor"), org.person("Bob Smith")
    for _ in range(2):
        publish(amqp_uri, MatchAccepted(match_id=str(ObjectId()), mentor_id=mentor["id"], mentee_id=mentee["id"]),
                org.id)
    events.wait_for("NotificationSent", count=4)

    mentee_token = org.person_token(mentee["id"])
    own = org.log(token=mentee_token)
    assert len(own) == 2 and {d["person_id"] for d in own} == {mentee["id"]}
    assert {d["subject"] for d in own} == {"Your mentoring match is confirmed"}
    forbidden = api.get("/v1/notifications", mentee_token, params={"person_id": mentor["id"]})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "not_your_notifications"

    assert len(org.log()) == 4 and len(org.log(mentor["id"])) == 2  # a coordinator sees everyone's
    first = api.get("/v1/notifications", org.token, params={"limit": 3}).json()
    second = api.get("/v1/notifications", org.token, params={"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 1 and second["next_cursor"] is None
    assert {d["id"] for d in first["items"]} | {d["id"] for d in second["items"]} == {d["id"] for d in org.log()}

    other = Organisation(api, "Southside College")
    assert other.log(mentee["id"]) == []  # another organisation sees nothing of these people
    assert api.get("/v1/notifications", params={"person_id": mentee["id"]}).status_code == 401
    bad = api.get("/v1/notifications", org.token, params={"limit": 0})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"


def test_settings_are_validated_and_only_for_coordinators(org, api):
    defaults = api.get("/v1/settings/notifications", org.token).json()
    assert defaults["nudge_after_days"] == 14 and defaults["allow_sms_to_minors"] is False
    assert defaults["templates"] == {}

    saved = org.settings(coordinator_email="coordinator@northside.example", sign_off="Best, $organisation",
                         nudge_after_days=10, templates={"match_proposed": {"subject": "$organisation: meet $other_name"}})
    assert api.get("/v1/settings/notifications", org.token).json() == saved
    assert saved["templates"]["match_proposed"]["subject"] == "$organisation: meet $other_name"

    def put(**body):
        return api.request("PUT", "/v1/settings/notifications", org.token, json=body)

    unknown_value = put(templates={"match_accepted": {"subject": "Hi $favourite_colour"}})
    assert unknown_value.status_code == 422
    [detail] = unknown_value.json()["error"]["details"]
    assert detail["field"] == "templates.match_accepted.subject" and "$favourite_colour" in detail["message"]
    assert put(templates={"no_such_kind": {"subject": "Hi"}}).status_code == 422
    assert put(templates={"match_declined": {"sms": "Declined"}}).status_code == 422  # never sent by SMS
    assert put(sign_off="Cheers $recipient").status_code == 422
    assert put(sms_from="07700 900123").status_code == 422
    assert put(nudge_after_days=-1).status_code == 422
    assert put(colour="blue").status_code == 422
    assert api.get("/v1/settings/notifications", org.token).json() == saved  # nothing changed

    person = org.person("Bob Smith")
    denied = api.get("/v1/settings/notifications", org.person_token(person["id"]))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "role_not_allowed"
