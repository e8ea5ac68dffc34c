"""Text that is not valid is refused before a message is stored, published or counted."""

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("escaped", ["\\ud800", "hi \\udfff there", "\\u0000", "ring \\u0007"])
def test_invalid_text_in_a_body_is_a_422_and_the_allowance_is_not_spent(world, pair, escaped):
    match_id, mentor, _ = pair
    assert world.put_settings(messages_per_minute=1).status_code == 200
    raw = ('{"body": "' + escaped + '"}').encode()
    refused = world.api.post(f"/v1/matches/{match_id}/messages", mentor.token, data=raw,
                             headers={"Content-Type": "application/json"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"][0]["field"] == "body"

    assert world.send(match_id, mentor, "the one message of this minute").status_code == 201
    assert [m["body"] for m in world.messages(match_id, mentor.token)] == ["the one message of this minute"]
