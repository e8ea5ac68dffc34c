"""Jitsi links: unguessable rooms, and signed tokens for a self-hosted Jitsi with token auth."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
import pytest

from services.video.links import JitsiMeet, Participant, RoomOptions, random_room

pytestmark = pytest.mark.unit

START = datetime(2025, 3, 4, 16, 0, tzinfo=UTC)
END = START + timedelta(minutes=45)
MENTOR = Participant("m1", "Amara Okafor", moderator=True)
MENTEE = Participant("e1", "Jamie Fisher", moderator=False)
SECRET = "jitsi-app-secret-0123456789abcdef0123"


def test_rooms_are_long_random_and_lower_case():
    rooms = {random_room() for _ in range(1000)}
    assert len(rooms) == 1000
    for room in list(rooms)[:50]:
        assert re.fullmatch(r"ementor-[a-z2-7]{32}", room)  # 160 random bits


def test_public_jitsi_links_name_the_room_and_carry_no_token():
    jitsi = JitsiMeet("https://meet.jit.si/")
    url = jitsi.join_url("ementor-room", MENTEE, START, END)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.query) == ("https", "meet.jit.si", "/ementor-room", "")
    assert unquote(parts.fragment) == 'userInfo.displayName="Jamie Fisher"'


def test_organisation_options_go_in_the_link():
    url = JitsiMeet().join_url("r", MENTEE, START, END, RoomOptions(start_audio_muted=True, start_video_muted=True))
    assert "config.startWithAudioMuted=true" in url and "config.startWithVideoMuted=true" in url


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["jwt"][0]


def test_self_hosted_jitsi_gets_a_signed_token_per_participant():
    jitsi = JitsiMeet("https://video.example.org", app_id="ementor", app_secret=SECRET)
    url = jitsi.join_url("ementor-room", MENTOR, START, END)
    assert url.startswith("https://video.example.org/ementor-room?jwt=")
    claims = jwt.decode(token_of(url), SECRET, algorithms=["HS256"], audience="jitsi",
                        options={"verify_nbf": False, "verify_exp": False})
    assert claims == {
        "aud": "jitsi",
        "iss": "ementor",
        "sub": "video.example.org",
        "room": "ementor-room",
        "nbf": int((START - timedelta(minutes=10)).timestamp()),
        "exp": int(END.timestamp()),
        "context": {"user": {"id": "m1", "name": "Amara Okafor", "moderator": True}},
    }
    assert jwt.get_unverified_header(token_of(url))["alg"] == "HS256"


def test_only_the_mentor_is_moderator_and_each_token_names_its_holder():
    jitsi = JitsiMeet("https://video.example.org", app_id="ementor", app_secret=SECRET)
    options = {"verify_nbf": False, "verify_exp": False}
    mentee = jwt.decode(token_of(jitsi.join_url("r", MENTEE, START, END)), SECRET, algorithms=["HS256"],
                        audience="jitsi", options=options)
    assert mentee["context"]["user"] == {"id": "e1", "name": "Jamie Fisher", "moderator": False}


def test_a_token_is_valid_only_from_ten_minutes_before_the_start_to_the_end():
    jitsi = JitsiMeet("https://video.example.org", app_id="ementor", app_secret=SECRET)
    now = datetime.now(UTC)

    def check(start: datetime, end: datetime) -> dict:
        return jwt.decode(jitsi.token("r", MENTEE, start, end), SECRET, algorithms=["HS256"], audience="jitsi")

    with pytest.raises(jwt.ImmatureSignatureError):  # tomorrow's session: not yet
        check(now + timedelta(days=1), now + timedelta(days=1, hours=1))
    with pytest.raises(jwt.ImmatureSignatureError):  # starts in 15 minutes: still too early
        check(now + timedelta(minutes=15), now + timedelta(minutes=60))
    assert check(now + timedelta(minutes=5), now + timedelta(minutes=50))["room"] == "r"  # early join is fine
    with pytest.raises(jwt.ExpiredSignatureError):  # over
        check(now - timedelta(hours=2), now - timedelta(hours=1))


def test_a_token_signed_with_another_secret_is_rejected():
    token = JitsiMeet("https://video.example.org", app_id="ementor", app_secret=SECRET).token("r", MENTOR, START, END)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-0123456789abcdef0123", algorithms=["HS256"], audience="jitsi",
                   options={"verify_nbf": False, "verify_exp": False})


def test_half_configured_token_auth_or_a_bad_base_url_fails_at_start_up():
    with pytest.raises(ValueError):
        JitsiMeet("https://video.example.org", app_id="ementor", app_secret=None)
    with pytest.raises(ValueError):
        JitsiMeet("video.example.org")
