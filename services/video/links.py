"""Video-chat links behind one small interface; Jitsi Meet is the default provider.

A provider makes an unguessable room for a session and, for each participant, the URL that
lets them in. Links are computed when a person asks for them and never leave the service in
an event. Other providers (a hosted video API, say) implement the same Protocol.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.parse import quote, urlsplit

import jwt

# A participant may join this long before the start (the JWT's `nbf`).
EARLY_JOIN = timedelta(minutes=10)


@dataclass(frozen=True)
class Participant:
    person_id: str
    name: str
    moderator: bool


@dataclass(frozen=True)
class RoomOptions:
    """Per-organisation preferences a provider may honour."""

    start_audio_muted: bool = False
    start_video_muted: bool = False


class VideoLinkProvider(Protocol):
    name: str

    def new_room(self) -> str:
        """A fresh room name nobody can guess."""

    def join_url(self, room: str, participant: Participant, starts_at: datetime, ends_at: datetime,
                 options: RoomOptions = RoomOptions()) -> str:
        """The URL that lets this participant into the room for this slot."""


def random_room(prefix: str = "ementor") -> str:
    """160 random bits as lower-case base32: Jitsi lower-cases room names, so mixed-case
    names would not match a token's `room` claim."""
    token = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=").lower()
    return f"{prefix}-{token}"


class JitsiMeet:
    """Jitsi Meet: public meet.jit.si by default; a self-hosted server with token auth when an
    app id and secret are configured (then each participant gets a signed JWT)."""

    name = "jitsi"

    def __init__(self, base_url: str = "https://meet.jit.si", app_id: str | None = None,
                 app_secret: str | None = None):
        if bool(app_id) != bool(app_secret):
            raise ValueError("set both EMENTOR_JITSI_APP_ID and EMENTOR_JITSI_APP_SECRET, or neither")
        self.base_url = base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"EMENTOR_JITSI_BASE_URL must be an http(s) URL, not {base_url!r}")
        self.domain = parts.hostname
        self.app_id = app_id
        self.app_secret = app_secret

    @property
    def uses_tokens(self) -> bool:
        return self.app_id is not None

    def new_room(self) -> str:
        return random_room()

    def token(self, room: str, participant: Participant, starts_at: datetime, ends_at: datetime) -> str:
        """A JWT as Jitsi's token authentication (prosody `token_verification`) expects it."""
        claims = {
            "aud": "jitsi",
            "iss": self.app_id,
            "sub": self.domain,
            "room": room,
            "nbf": int((starts_at - EARLY_JOIN).timestamp()),
            "exp": int(ends_at.timestamp()),
            "context": {
                "user": {"id": participant.person_id, "name": participant.name, "moderator": participant.moderator},
            },
        }
        return jwt.encode(claims, self.app_secret, algorithm="HS256")

    def join_url(self, room: str, participant: Participant, starts_at: datetime, ends_at: datetime,
                 options: RoomOptions = RoomOptions()) -> str:
        url = f"{self.base_url}/{room}"
        fragment = []
        if self.uses_tokens:
            url += "?jwt=" + self.token(room, participant, starts_at, ends_at)
        else:
            # Without tokens the name is only a display hint in the link's fragment (never sent to a server).
            fragment.append("userInfo.displayName=" + quote(json.dumps(participant.name), safe=""))
        if options.start_audio_muted:
            fragment.append("config.startWithAudioMuted=true")
        if options.start_video_muted:
            fragment.append("config.startWithVideoMuted=true")
        return url + ("#" + "&".join(fragment) if fragment else "")


def provider_from_settings(settings) -> VideoLinkProvider:
    return JitsiMeet(settings.EMENTOR_JITSI_BASE_URL, settings.EMENTOR_JITSI_APP_ID, settings.EMENTOR_JITSI_APP_SECRET)
