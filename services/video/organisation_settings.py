"""The organisation's video settings: session limits, reminder offsets, Jitsi room options."""

from __future__ import annotations

from collections.abc import Callable

from ementor.platform.errors import Invalid
from ementor.platform.principal import Principal

from . import domain, domain_errors, schemas, supervision
from .documents import VideoSettings, utcnow
from .links import RoomOptions, VideoLinkProvider
from .repository import VideoRepository


def limits(repo: VideoRepository, tenant_id: str) -> tuple[domain.Limits, RoomOptions]:
    return limits_of(repo.settings(tenant_id))


def limits_of(stored: VideoSettings | None) -> tuple[domain.Limits, RoomOptions]:
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
        minors=schemas.MinorSessionsView(
            require_observer=bool(stored and stored.require_observer_for_minors),
            observer_staff_id=stored.observer_staff_id if stored else None,
            observer_name=stored.observer_name if stored else None,
            require_vetted_mentor=bool(stored and stored.require_vetted_mentor_for_minors),
            min_vetting_level=supervision.required_level(stored),
            invite_guardian=bool(stored and stored.invite_guardian_for_minors)),
        updated_at=stored.updated_at if stored else None,
    )


def _observer_name(minors: schemas.MinorSessions, staff_name: Callable[[str], str | None]) -> str | None:
    field = "minors.observer_staff_id"
    if minors.require_observer and not minors.observer_staff_id:
        message = "name the member of staff who observes sessions with a minor"
        raise Invalid(message, code="observer_required", details=[{"field": field, "message": message}])
    if not minors.observer_staff_id:
        return None
    name = staff_name(minors.observer_staff_id)
    if name is None:
        message = f"no current member of staff has the id {minors.observer_staff_id}"
        raise Invalid(message, code="unknown_staff", details=[{"field": field, "message": message}])
    return name


def update_settings(repo: VideoRepository, auth: Principal, body: schemas.UpdateVideoSettings,
                    staff_name: Callable[[str], str | None]) -> None:
    """`staff_name(staff_id)` is profiles' answer: a current member of staff's name, or None."""
    auth.require_coordinator()
    observer_name = _observer_name(body.minors, staff_name)
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
        require_observer_for_minors=body.minors.require_observer, observer_staff_id=body.minors.observer_staff_id,
        observer_name=observer_name,
        require_vetted_mentor_for_minors=body.minors.require_vetted_mentor or body.minors.min_vetting_level is not None,
        min_vetting_level_for_minors=body.minors.min_vetting_level,
        invite_guardian_for_minors=body.minors.invite_guardian,
        updated_at=utcnow(),
    ))
