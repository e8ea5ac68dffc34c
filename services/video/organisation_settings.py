"""The organisation's video settings: session limits, reminder offsets, Jitsi room options."""

from __future__ import annotations

from ementor.platform.principal import Principal

from . import domain, domain_errors, schemas
from .documents import VideoSettings, utcnow
from .links import RoomOptions, VideoLinkProvider
from .repository import VideoRepository


def limits(repo: VideoRepository, tenant_id: str) -> tuple[domain.Limits, RoomOptions]:
    stored = repo.settings(tenant_id)
    if stored is None:
        return domain.Limits(), RoomOptions()
    return (
        domain.Limits(stored.min_duration_minutes, stored.max_duration_minutes, stored.max_days_ahead,
                      tuple(stored.reminder_offsets_minutes)),
        RoomOptions(stored.start_audio_muted, stored.start_video_muted),
    )


def settings_view(repo: VideoRepository, tenant_id: str, links: VideoLinkProvider) -> schemas.VideoSettings:
    stored = repo.settings(tenant_id)
    rules, options = limits(repo, tenant_id)
    return schemas.VideoSettings(
        min_duration_minutes=rules.min_duration_minutes, max_duration_minutes=rules.max_duration_minutes,
        max_days_ahead=rules.max_days_ahead, reminder_offsets_minutes=list(rules.reminder_offsets_minutes),
        jitsi=schemas.JitsiInfo(start_audio_muted=options.start_audio_muted, start_video_muted=options.start_video_muted,
                                base_url=getattr(links, "base_url", ""),
                                token_auth=bool(getattr(links, "uses_tokens", False))),
        updated_at=stored.updated_at if stored else None,
    )


def update_settings(repo: VideoRepository, auth: Principal, body: schemas.UpdateVideoSettings) -> None:
    auth.require_coordinator()
    try:
        rules = domain.Limits(body.min_duration_minutes, body.max_duration_minutes, body.max_days_ahead,
                              tuple(body.reminder_offsets_minutes))
    except domain.InvalidSession as exc:
        raise domain_errors.invalid(exc)
    repo.save_settings(VideoSettings(
        id=auth.tenant_id, tenant_id=auth.tenant_id, min_duration_minutes=rules.min_duration_minutes,
        max_duration_minutes=rules.max_duration_minutes, max_days_ahead=rules.max_days_ahead,
        reminder_offsets_minutes=list(rules.reminder_offsets_minutes),
        start_audio_muted=body.jitsi.start_audio_muted, start_video_muted=body.jitsi.start_video_muted,
        updated_at=utcnow(),
    ))
